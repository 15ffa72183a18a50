# The control channel and its command modules
libdora_a_SOURCES += server/ctrl_answer.c server/cmd_server.c server/cmd_stats.c \
	server/cmd_lease.c server/cmd_host.c \
	server/ctrl.h server/ctrl_dispatch.c server/ctrl_socket.c \
	server/cmd_server.h server/cmd_config_write.c server/version.h server/version.c
tests_unit_dora_unit_SOURCES += tests/unit/test_ctrl.cc

# doractl: the command-line client of the control socket
bin_PROGRAMS += doractl
doractl_SOURCES = tools/doractl.c
doractl_LDADD = libdora.a $(JSONC_LIBS)
EXTRA_DIST += bench/reload_under_load.sh tests/system/test_control.sh tests/system/lib/ctrl_abuse.py
EXTRA_DIST += tests/system/test_commands.sh tests/system/lib/cmd_client.py
libdora_a_SOURCES += server/cmd_args.c server/cmd_args.h server/lease_json.c server/lease_json.h
libdora_a_SOURCES += server/host_json.c server/host_json.h
tests_unit_dora_unit_SOURCES += tests/unit/cmd_env.h tests/unit/test_cmd_lease.cc tests/unit/test_cmd_host.cc
