# Configuration (Kea Dhcp4 JSON)
libdora_a_SOURCES += server/cfg_parse.c server/cfg_hosts.c
tests_unit_dora_unit_SOURCES += tests/unit/test_cfg.cc
