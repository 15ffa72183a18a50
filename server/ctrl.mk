# The control channel and its command modules
libdora_a_SOURCES += server/ctrl_answer.c server/cmd_server.c server/cmd_stats.c \
	server/cmd_lease.c server/cmd_host.c
