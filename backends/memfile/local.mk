# Lease store: memfile
libdora_a_SOURCES += backends/memfile/memfile.c backends/memfile/lease_csv.c backends/lease_store.c
tests_unit_dora_unit_SOURCES += tests/unit/test_memfile.cc
