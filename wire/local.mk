# DHCPv4 wire codec and option definitions
libdora_a_SOURCES += wire/pkt4_parse.c wire/pkt4_build.c wire/option_defs.c wire/option_encode.c wire/hex.c
tests_unit_dora_unit_SOURCES += tests/unit/test_pkt4.cc tests/unit/test_option_defs.cc

# Fuzz target for the codec: built and run by tests/fuzz/run.sh (clang,
# libFuzzer), not by make.
EXTRA_DIST += tests/fuzz/fuzz_pkt4.c tests/fuzz/run.sh \
	tests/fuzz/corpus/discover.hex tests/fuzz/corpus/request_relayed.hex \
	tests/fuzz/corpus/overload.hex tests/fuzz/corpus/long_option.hex \
	tests/fuzz/corpus/bootp.hex
