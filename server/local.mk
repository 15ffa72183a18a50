# The daemon
sbin_PROGRAMS += dorad
dorad_SOURCES = server/main.c
dorad_LDADD = libdora.a $(JSONC_LIBS) $(JEMALLOC_LIBS)
libdora_a_SOURCES +=
