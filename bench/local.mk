# dora-perf load generator and benchmark programs
bin_PROGRAMS += dora-perf
dora_perf_SOURCES = \
	bench/dora-perf/main.c \
	bench/dora-perf/opts.c bench/dora-perf/opts.h \
	bench/dora-perf/hist.c bench/dora-perf/hist.h \
	bench/dora-perf/pace.c bench/dora-perf/pace.h \
	bench/dora-perf/xring.c bench/dora-perf/xring.h \
	bench/dora-perf/addrmap.c bench/dora-perf/addrmap.h \
	bench/dora-perf/clients.c bench/dora-perf/clients.h \
	bench/dora-perf/tmpl.c bench/dora-perf/tmpl.h \
	bench/dora-perf/net.c bench/dora-perf/net.h \
	bench/dora-perf/net_raw.c bench/dora-perf/net_raw.h \
	bench/dora-perf/run.c bench/dora-perf/run.h \
	bench/dora-perf/sender.c bench/dora-perf/receiver.c \
	bench/dora-perf/report.c
dora_perf_LDADD = libdora.a $(JSONC_LIBS) $(JEMALLOC_LIBS) -lm
dist_man_MANS = bench/dora-perf/dora-perf.1
EXTRA_DIST += bench/perf_vs_perfdhcp.sh bench/perf_sink.sh tests/system/test_dora_perf.sh

# The deliberately faulty DHCPv4 responder of tests/system/test_dora_perf.sh.
noinst_PROGRAMS += tests/system/faulty_responder
tests_system_faulty_responder_SOURCES = tests/system/faulty_responder.c
tests_system_faulty_responder_LDADD = libdora.a

# Unit tests of the dora-perf parts that need no network.
tests_unit_dora_unit_SOURCES += \
	tests/unit/test_perf_opts.cc tests/unit/test_perf_hist.cc tests/unit/test_perf_pace.cc \
	tests/unit/test_perf_xring.cc tests/unit/test_perf_tmpl.cc tests/unit/test_perf_clients.cc \
	bench/dora-perf/opts.c bench/dora-perf/hist.c bench/dora-perf/pace.c \
	bench/dora-perf/xring.c bench/dora-perf/addrmap.c bench/dora-perf/clients.c \
	bench/dora-perf/tmpl.c
