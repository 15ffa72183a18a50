/* Per-client serialization; see client_handler.h. In-flight clients are at
 * most one per worker, so a linear scan of the worker slots is enough. */
#include "server/client_handler.h"

#include <stdlib.h>
#include <string.h>

int client_handler_init(struct client_handler *h, unsigned n_workers)
{
    h->slots = calloc(n_workers, sizeof(*h->slots));
    if (!h->slots)
        return -1;
    h->n_slots = n_workers;
    pthread_mutex_init(&h->lock, NULL);
    return 0;
}

void client_handler_destroy(struct client_handler *h)
{
    for (unsigned i = 0; i < h->n_slots; i++)
        free(h->slots[i].parked);
    free(h->slots);
    pthread_mutex_destroy(&h->lock);
}

static bool key_eq(const struct client_key *a, const struct client_key *b)
{
    return a->type == b->type && a->len == b->len && !memcmp(a->id, b->id, a->len);
}

static struct client_slot *find_locked(struct client_handler *h, const struct client_key *key)
{
    for (unsigned i = 0; i < h->n_slots; i++)
        if (h->slots[i].in_use && key_eq(&h->slots[i].key, key))
            return &h->slots[i];
    return NULL;
}

bool client_handler_acquire(struct client_handler *h, const struct client_key *key,
                            struct rx_pkt *p, struct rx_pkt **dropped)
{
    *dropped = NULL;
    pthread_mutex_lock(&h->lock);
    struct client_slot *s = find_locked(h, key);
    if (s) {
        *dropped = s->parked;
        s->parked = p;
        pthread_mutex_unlock(&h->lock);
        return false;
    }
    for (unsigned i = 0; i < h->n_slots; i++) {
        if (!h->slots[i].in_use) {
            s = &h->slots[i];
            break;
        }
    }
    /* There is always a free slot: each worker holds at most one. */
    s->in_use = true;
    s->key = *key;
    s->parked = NULL;
    pthread_mutex_unlock(&h->lock);
    return true;
}

struct rx_pkt *client_handler_release(struct client_handler *h, const struct client_key *key)
{
    struct rx_pkt *next = NULL;
    pthread_mutex_lock(&h->lock);
    struct client_slot *s = find_locked(h, key);
    if (s) {
        next = s->parked;
        s->parked = NULL;
        if (!next)
            s->in_use = false;
    }
    pthread_mutex_unlock(&h->lock);
    return next;
}
