/*
 * The metrics endpoint (opt-in, "Dhcp4.metrics", see cfg_stats.c): a small
 * HTTP/1.1 server on its own thread answering GET /metrics with the
 * statistics in Prometheus' text exposition format (version 0.0.4, which
 * OpenMetrics scrapers accept too):
 *
 *   # TYPE dora_pkt4_received counter
 *   dora_pkt4_received 42
 *   # TYPE dora_subnet_assigned_addresses gauge
 *   dora_subnet_assigned_addresses{subnet_id="1"} 7
 *   dora_pool_assigned_addresses{subnet_id="1",pool_id="0"} 7
 *
 * Anything else gets 404 (another path), 405 (another method) or 400
 * (malformed or larger than METRICS_REQ_MAX). Connections are closed after
 * one answer and after METRICS_CONN_TIMEOUT_MS; at most METRICS_MAX_CONNS at
 * once (a new one beyond that closes the oldest). The thread shares nothing with the packet
 * path but the per-thread counters it reads.
 */
#ifndef DORA_SERVER_METRICS_H
#define DORA_SERVER_METRICS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define METRICS_REQ_MAX 4096
#define METRICS_MAX_CONNS 32
#define METRICS_CONN_TIMEOUT_MS 5000

struct metrics_server;

/* Listen on host:port (host byte order; port 0 = any free port) and start
 * the thread. Returns 0, or -1 with the reason in err. */
int metrics_start(uint32_t host, uint16_t port, struct metrics_server **out,
                  char *err, size_t errlen);
/* The port actually bound. */
uint16_t metrics_port(const struct metrics_server *m);
/* Stop the thread, close every connection, free. NULL is fine. */
void metrics_stop(struct metrics_server *m);

/* The exposition text of the current statistics (malloc'd, *len set), or
 * NULL when out of memory. */
char *metrics_render(size_t *len);

#ifdef __cplusplus
}
#endif
#endif
