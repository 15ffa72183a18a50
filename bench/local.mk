# dora-perf load generator and benchmark programs
bin_PROGRAMS += dora-perf
dora_perf_SOURCES = bench/dora-perf/main.c
dora_perf_LDADD = libdora.a $(JSONC_LIBS) $(JEMALLOC_LIBS)
