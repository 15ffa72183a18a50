# Lease store: memfile
libdora_a_SOURCES += backends/lease_store.c \
	backends/memfile/memfile.c backends/memfile/memfile.h \
	backends/memfile/memfile_int.h backends/memfile/memfile_priv.h \
	backends/memfile/lease_csv.c backends/memfile/lease_csv.h \
	backends/memfile/mf_table.c backends/memfile/mf_table.h \
	backends/memfile/mf_hash.c backends/memfile/mf_hash.h \
	backends/memfile/mf_load.c backends/memfile/mf_lfc.c backends/memfile/mf_file.c
tests_unit_dora_unit_SOURCES += tests/unit/test_memfile.cc tests/unit/test_lease_csv.cc

# Load / memory benchmark: bench/memfile_load [rows] [path]
noinst_PROGRAMS += bench/memfile_load
bench_memfile_load_SOURCES = bench/memfile_load.c
bench_memfile_load_LDADD = libdora.a $(JEMALLOC_LIBS)
