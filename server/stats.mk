# Statistics: per-thread counters, Kea's names and samples, the metrics endpoint
libdora_a_SOURCES += server/stats.c server/stats_lease.c server/stats_pools.c server/stats_registry.c \
	server/stats_prom.c server/metrics_http.c server/cfg_stats.c
tests_unit_dora_unit_SOURCES += tests/unit/test_stats.cc tests/unit/test_cmd_stats.cc \
	tests/unit/test_metrics_http.cc
