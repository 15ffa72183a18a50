# Packet I/O (raw AF_PACKET + UDP sockets)
libdora_a_SOURCES += server/io.c server/frame.c
tests_unit_dora_unit_SOURCES += tests/unit/test_frame.cc
