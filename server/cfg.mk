# Configuration (Kea Dhcp4 JSON)
libdora_a_SOURCES += server/cfg_parse.c server/cfg_json.c server/cfg_util.c \
	server/cfg_net.c server/cfg_server.c server/cfg_option.c server/cfg_option_encap.c \
	server/cfg_subnet.c server/cfg_shared.c server/cfg_reservation.c server/cfg_hosts.c \
	server/cfg_ctrl.c server/cfg_ctrl.h server/cfg_hooks.c server/cfg_class.c \
	server/cfg_internal.h
tests_unit_dora_unit_SOURCES += tests/unit/test_cfg.cc tests/unit/test_cfg_shared.cc tests/unit/test_cfg_options.cc
EXTRA_DIST += tests/configs tests/system/test_config_check.sh doc/examples
