/*
 * The dorad process: configuration snapshot, PID file, lease store, sockets,
 * the receiver thread, the worker pool, signals and reclamation.
 *
 *   receiver thread --(bounded queue, drop oldest)--> workers --> lease store
 *        (io.c)              (pkt_queue.c)        (dhcp4_srv.c)   (commit thread
 *                                                                  sends replies)
 */
#ifndef DORA_SERVER_SERVER_H
#define DORA_SERVER_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct server_opts {
    const char *config_path;
    uint16_t    server_port;   /* default 67 */
    uint16_t    client_port;   /* default 68 */
    bool        debug;         /* -d: debug logging */
};

/* Run until SIGTERM/SIGINT. Returns the process exit status. */
int server_run(const struct server_opts *opts);

#ifdef __cplusplus
}
#endif
#endif
