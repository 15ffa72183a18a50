# DHCPv4 wire codec and option definitions
libdora_a_SOURCES += wire/pkt4_parse.c wire/pkt4_build.c wire/option_defs.c wire/option_encode.c wire/hex.c
tests_unit_dora_unit_SOURCES += tests/unit/test_pkt4.cc tests/unit/test_option_defs.cc
