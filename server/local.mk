# The daemon: message processing, threads, queue, lifecycle
libdora_a_SOURCES += server/log.c server/pkt_queue.c server/client_handler.c \
	server/subnet_select.c server/reply.c server/dhcp4_srv.c server/dhcp4_network.c \
	server/host_mgr.c server/host_mgr.h server/server.c server/pidfile.c
sbin_PROGRAMS += dorad
dorad_SOURCES = server/main.c
dorad_LDADD = libdora.a $(JSONC_LIBS) $(JEMALLOC_LIBS)
tests_unit_dora_unit_SOURCES += tests/unit/test_pkt_queue.cc tests/unit/test_client_handler.cc tests/unit/test_log.cc \
	tests/unit/test_alloc_engine.cc tests/unit/test_reply.cc
