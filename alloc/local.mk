# Allocation engine
libdora_a_SOURCES +=
tests_unit_dora_unit_SOURCES +=
