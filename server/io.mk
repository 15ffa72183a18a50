# Packet I/O (raw AF_PACKET + UDP sockets)
libdora_a_SOURCES += server/io.c server/io_recv.c server/io_send.c server/io_priv.h server/frame.c
tests_unit_dora_unit_SOURCES += tests/unit/test_frame.cc
