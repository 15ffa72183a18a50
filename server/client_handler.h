/*
 * Per-client serialization (spec kea-dhcp4.md §6.3): a client (keyed by its
 * client-id, else its hw-address) is served by one worker at a time. A packet
 * from a client already being served is parked in that client's single slot
 * and handed to the serving worker when it finishes; a parked packet replaced
 * by a newer one is dropped and counted.
 */
#ifndef DORA_SERVER_CLIENT_HANDLER_H
#define DORA_SERVER_CLIENT_HANDLER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "server/io.h"

#ifdef __cplusplus
extern "C" {
#endif

struct client_key {
    uint8_t type;        /* 1 = client-id, 2 = hw-address */
    uint8_t len;
    uint8_t id[255];
};

struct client_slot {
    bool in_use;
    struct client_key key;
    struct rx_pkt *parked;
};

struct client_handler {
    pthread_mutex_t lock;
    struct client_slot *slots;  /* one per worker: a worker serves one client at a time */
    unsigned n_slots;
};

int  client_handler_init(struct client_handler *h, unsigned n_workers);
void client_handler_destroy(struct client_handler *h);

/* Try to start serving key with packet p. Returns true when the caller now
 * serves the client. Returns false when p was parked (the handler owns it);
 * *dropped is then set to a previously parked packet the caller must free,
 * or NULL. */
bool client_handler_acquire(struct client_handler *h, const struct client_key *key,
                            struct rx_pkt *p, struct rx_pkt **dropped);

/* Finish serving key. Returns the parked packet to serve next (the caller
 * still serves the client), or NULL (the client is released). */
struct rx_pkt *client_handler_release(struct client_handler *h, const struct client_key *key);

#ifdef __cplusplus
}
#endif
#endif
