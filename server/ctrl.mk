# The control channel and its command modules
libdora_a_SOURCES += server/ctrl_answer.c server/cmd_server.c server/cmd_stats.c \
	server/cmd_lease.c server/cmd_host.c
libdora_a_SOURCES += server/cmd_args.c server/cmd_args.h server/lease_json.c server/lease_json.h
libdora_a_SOURCES += server/host_json.c server/host_json.h
tests_unit_dora_unit_SOURCES += tests/unit/cmd_env.h tests/unit/test_cmd_lease.cc tests/unit/test_cmd_host.cc
