/*
 * memfile's in-memory lease table (see mf_table.h for the locking rules).
 *
 * Memory: a lease is one malloc'd record of about 60 bytes plus its
 * hw-address, client-id and hostname stored back to back (no fixed 255-byte
 * arrays), one pointer per index for chaining, and 16 bytes in the expiry
 * heap while it is a reclamation candidate. Buckets are kept at a load
 * factor <= 1. That is about 130-160 bytes per typical lease.
 */
#include "backends/memfile/mf_table.h"

#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backends/memfile/mf_hash.h"

enum { IX_ADDR, IX_HW, IX_CID, IX_COUNT };

#define NOT_IN_HEAP UINT32_MAX
#define FLAG_FQDN_FWD 1u
#define FLAG_FQDN_REV 2u
#define INITIAL_BUCKETS 8

/* A lease record. next[] and heap_idx are mutable (each under the lock of
 * its own index, see mf_table.h); everything from cltt on is written once
 * before the record is published and is never changed afterwards. */
struct mf_rec {
    struct mf_rec *next[IX_COUNT];
    uint32_t heap_idx;
    int64_t  cltt;
    uint32_t addr, subnet_id, pool_id, valid_lft;
    uint8_t  state, hw_len, cid_len, host_len, flags;
    uint8_t  data[];         /* hwaddr, client-id, hostname (no NUL) */
};

/* First byte of the immutable part: copies of a record never read next[]
 * or heap_idx, and must not (another thread may be writing them). */
#define REC_PAYLOAD offsetof(struct mf_rec, cltt)

/* One lock-striped slice of an index: a chained hash table. */
struct mf_set {
    alignas(64) pthread_mutex_t lock;
    struct mf_rec **b;
    size_t mask;             /* buckets - 1 (a power of two) */
    size_t count;
};

struct mf_heap_ent {
    int64_t expire;
    struct mf_rec *rec;
};

struct mf_table {
    struct mf_set set[IX_COUNT][MF_TABLE_STRIPES];
    alignas(64) pthread_mutex_t heap_lock;
    struct mf_heap_ent *heap;
    size_t heap_n, heap_cap, heap_reserved;
    atomic_size_t count;
    uint64_t key[3];         /* siphash key (2 words) + address seed */
    bool bulk;               /* mf_table_begin_load .. end_load */
};

/* ---- records ----------------------------------------------------------- */

static inline const uint8_t *rec_hw(const struct mf_rec *r)
{
    return r->data;
}

static inline const uint8_t *rec_cid(const struct mf_rec *r)
{
    return r->data + r->hw_len;
}

static inline const char *rec_host(const struct mf_rec *r)
{
    return (const char *)r->data + r->hw_len + r->cid_len;
}

static inline size_t rec_size(const struct mf_rec *r)
{
    return offsetof(struct mf_rec, data) + r->hw_len + r->cid_len + r->host_len;
}

static inline int64_t rec_expire(const struct mf_rec *r)
{
    return r->valid_lft == LEASE_INFINITE ? INT64_MAX : r->cltt + (int64_t)r->valid_lft;
}

/* Reclamation candidates live in the heap: assigned or declined leases that
 * can expire. Membership is a function of immutable fields only. */
static inline bool rec_in_heap(const struct mf_rec *r)
{
    return (r->state == LEASE_STATE_DEFAULT || r->state == LEASE_STATE_DECLINED) &&
           r->valid_lft != LEASE_INFINITE;
}

static struct mf_rec *rec_new(const struct lease4 *l)
{
    size_t hl = strnlen(l->hostname, LEASE_HOSTNAME_MAX);
    struct mf_rec *r = malloc(offsetof(struct mf_rec, data) + l->hwaddr_len +
                              l->client_id_len + hl);

    if (r == NULL)
        return NULL;
    memset(r, 0, offsetof(struct mf_rec, data));
    r->heap_idx = NOT_IN_HEAP;
    r->cltt = l->cltt;
    r->addr = l->addr;
    r->subnet_id = l->subnet_id;
    r->pool_id = l->pool_id;
    r->valid_lft = l->valid_lft;
    r->state = l->state;
    r->hw_len = l->hwaddr_len;
    r->cid_len = l->client_id_len;
    r->host_len = (uint8_t)hl;
    r->flags = (uint8_t)((l->fqdn_fwd ? FLAG_FQDN_FWD : 0) | (l->fqdn_rev ? FLAG_FQDN_REV : 0));
    memcpy(r->data, l->hwaddr, l->hwaddr_len);
    memcpy(r->data + l->hwaddr_len, l->client_id, l->client_id_len);
    memcpy(r->data + l->hwaddr_len + l->client_id_len, l->hostname, hl);
    return r;
}

static void rec_to_lease(const struct mf_rec *r, struct lease4 *out)
{
    memset(out, 0, sizeof(*out));
    out->addr = r->addr;
    out->subnet_id = r->subnet_id;
    out->pool_id = r->pool_id;
    out->valid_lft = r->valid_lft;
    out->cltt = r->cltt;
    out->state = r->state;
    out->hwaddr_len = r->hw_len;
    out->client_id_len = r->cid_len;
    out->fqdn_fwd = (r->flags & FLAG_FQDN_FWD) != 0;
    out->fqdn_rev = (r->flags & FLAG_FQDN_REV) != 0;
    memcpy(out->hwaddr, rec_hw(r), r->hw_len);
    memcpy(out->client_id, rec_cid(r), r->cid_len);
    memcpy(out->hostname, rec_host(r), r->host_len);
}

/* ---- keys and hashing -------------------------------------------------- */

static inline size_t key_len(const struct mf_rec *r, int ix)
{
    return ix == IX_HW ? r->hw_len : r->cid_len;
}

static inline const uint8_t *key_ptr(const struct mf_rec *r, int ix)
{
    return ix == IX_HW ? rec_hw(r) : rec_cid(r);
}

static inline uint64_t hash_addr(const struct mf_table *t, uint32_t addr)
{
    return mf_hash_u32(addr, t->key[2]);
}

static inline uint64_t hash_bytes(const struct mf_table *t, const uint8_t *p, size_t len)
{
    return mf_siphash13(t->key, p, len);
}

static inline uint64_t rec_hash(const struct mf_table *t, const struct mf_rec *r, int ix)
{
    return ix == IX_ADDR ? hash_addr(t, r->addr) : hash_bytes(t, key_ptr(r, ix), key_len(r, ix));
}

/* The stripe comes from the top bits, the bucket from the bottom bits, so
 * the two choices are independent. */
static inline struct mf_set *set_of(struct mf_table *t, int ix, uint64_t h)
{
    return &t->set[ix][h >> 56];
}

static inline struct mf_rec **bucket_of(struct mf_set *s, uint64_t h)
{
    return &s->b[h & s->mask];
}

/* ---- chained hash sets (caller holds s->lock) -------------------------- */

static void set_grow(struct mf_table *t, struct mf_set *s, int ix)
{
    size_t nb = (s->mask + 1) * 2;
    struct mf_rec **nbk = calloc(nb, sizeof(*nbk));

    if (nbk == NULL)
        return;     /* keep the longer chains; still correct */
    for (size_t i = 0; i <= s->mask; i++) {
        struct mf_rec *r = s->b[i], *next;
        for (; r != NULL; r = next) {
            next = r->next[ix];
            struct mf_rec **slot = &nbk[rec_hash(t, r, ix) & (nb - 1)];
            r->next[ix] = *slot;
            *slot = r;
        }
    }
    free(s->b);
    s->b = nbk;
    s->mask = nb - 1;
}

static void set_link(struct mf_table *t, struct mf_set *s, int ix, uint64_t h, struct mf_rec *r)
{
    struct mf_rec **slot = bucket_of(s, h);

    r->next[ix] = *slot;
    *slot = r;
    if (++s->count > s->mask + 1)
        set_grow(t, s, ix);
}

/* Replace old by nrec (same key) in place, or unlink old if nrec is NULL. */
static void set_swap(struct mf_set *s, int ix, uint64_t h, struct mf_rec *old, struct mf_rec *nrec)
{
    struct mf_rec **pp = bucket_of(s, h);

    while (*pp != NULL && *pp != old)
        pp = &(*pp)->next[ix];
    if (*pp == NULL)
        abort();    /* index corrupted: a record is not where its key says */
    if (nrec != NULL) {
        nrec->next[ix] = old->next[ix];
        *pp = nrec;
    } else {
        *pp = old->next[ix];
        s->count--;
    }
}

static struct mf_rec *addr_find(struct mf_set *s, uint64_t h, uint32_t addr)
{
    struct mf_rec *r = *bucket_of(s, h);

    while (r != NULL && r->addr != addr)
        r = r->next[IX_ADDR];
    return r;
}

/* Move the hw or client-id index entry from old to nrec (either may be NULL
 * or have an empty key). Called with the address stripe lock held. */
static void ident_swap(struct mf_table *t, int ix, struct mf_rec *old, struct mf_rec *nrec)
{
    size_t ol = old != NULL ? key_len(old, ix) : 0;
    size_t nl = nrec != NULL ? key_len(nrec, ix) : 0;
    uint64_t ho = 0, hn = 0;
    struct mf_set *s;

    if (ol > 0)
        ho = rec_hash(t, old, ix);
    if (ol > 0 && nl == ol && memcmp(key_ptr(old, ix), key_ptr(nrec, ix), ol) == 0) {
        s = set_of(t, ix, ho);      /* same key: swap in place, one lock */
        pthread_mutex_lock(&s->lock);
        set_swap(s, ix, ho, old, nrec);
        pthread_mutex_unlock(&s->lock);
        return;
    }
    /* Different keys, possibly in different stripes: link the new entry
     * first, then unlink the old one, never holding two stripes. A reader of
     * either key sees that key's entry come or go atomically. */
    if (nl > 0) {
        hn = rec_hash(t, nrec, ix);
        s = set_of(t, ix, hn);
        pthread_mutex_lock(&s->lock);
        set_link(t, s, ix, hn, nrec);
        pthread_mutex_unlock(&s->lock);
    }
    if (ol > 0) {
        s = set_of(t, ix, ho);
        pthread_mutex_lock(&s->lock);
        set_swap(s, ix, ho, old, NULL);
        pthread_mutex_unlock(&s->lock);
    }
}

/* ---- expiry heap (caller holds heap_lock) ------------------------------ */

static inline void heap_put(struct mf_table *t, size_t i, struct mf_heap_ent e)
{
    t->heap[i] = e;
    e.rec->heap_idx = (uint32_t)i;
}

static void heap_up(struct mf_table *t, size_t i)
{
    struct mf_heap_ent e = t->heap[i];

    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (t->heap[p].expire <= e.expire)
            break;
        heap_put(t, i, t->heap[p]);
        i = p;
    }
    heap_put(t, i, e);
}

static void heap_down(struct mf_table *t, size_t i)
{
    struct mf_heap_ent e = t->heap[i];
    size_t n = t->heap_n;

    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && t->heap[c + 1].expire < t->heap[c].expire)
            c++;
        if (e.expire <= t->heap[c].expire)
            break;
        heap_put(t, i, t->heap[c]);
        i = c;
    }
    heap_put(t, i, e);
}

static void heap_fix(struct mf_table *t, size_t i)
{
    if (i > 0 && t->heap[i].expire < t->heap[(i - 1) / 2].expire)
        heap_up(t, i);
    else
        heap_down(t, i);
}

/* Make room for one more entry and hold it until heap_apply uses it, so
 * that applying a change can never fail half-way. */
static int heap_reserve(struct mf_table *t)
{
    int rc = 0;

    pthread_mutex_lock(&t->heap_lock);
    if (t->heap_n + t->heap_reserved + 1 > t->heap_cap) {
        size_t nc = t->heap_cap ? t->heap_cap * 2 : 1024;
        struct mf_heap_ent *nh = nc > UINT32_MAX ? NULL : realloc(t->heap, nc * sizeof(*nh));
        if (nh == NULL) {
            rc = LEASE_E_NOMEM;
        } else {
            t->heap = nh;
            t->heap_cap = nc;
        }
    }
    if (rc == 0)
        t->heap_reserved++;
    pthread_mutex_unlock(&t->heap_lock);
    return rc;
}

static void heap_unreserve(struct mf_table *t)
{
    pthread_mutex_lock(&t->heap_lock);
    t->heap_reserved--;
    pthread_mutex_unlock(&t->heap_lock);
}

/* old leaves the heap (if it was in it), nrec enters it (if it qualifies;
 * a slot was reserved unless it takes old's place). */
static void heap_apply(struct mf_table *t, struct mf_rec *old, struct mf_rec *nrec)
{
    bool in_old = old != NULL && rec_in_heap(old);
    bool in_new = nrec != NULL && rec_in_heap(nrec);

    if (!in_old && !in_new)
        return;
    pthread_mutex_lock(&t->heap_lock);
    if (in_old && in_new) {
        size_t i = old->heap_idx;
        heap_put(t, i, (struct mf_heap_ent){ rec_expire(nrec), nrec });
        heap_fix(t, i);
    } else if (in_old) {
        size_t i = old->heap_idx;
        struct mf_heap_ent last = t->heap[--t->heap_n];
        if (i < t->heap_n) {
            heap_put(t, i, last);
            heap_fix(t, i);
        }
    } else {
        t->heap_reserved--;
        size_t i = t->heap_n++;
        heap_put(t, i, (struct mf_heap_ent){ rec_expire(nrec), nrec });
        heap_up(t, i);
    }
    pthread_mutex_unlock(&t->heap_lock);
}

/* ---- create / destroy -------------------------------------------------- */

int mf_table_create(struct mf_table **out)
{
    struct mf_table *t = aligned_alloc(64, (sizeof(*t) + 63) & ~(size_t)63);

    if (t == NULL)
        return LEASE_E_NOMEM;
    memset(t, 0, sizeof(*t));
    mf_hash_seed(t->key, 3);
    pthread_mutex_init(&t->heap_lock, NULL);
    atomic_init(&t->count, 0);
    for (int ix = 0; ix < IX_COUNT; ix++) {
        for (int i = 0; i < MF_TABLE_STRIPES; i++) {
            struct mf_set *s = &t->set[ix][i];
            pthread_mutex_init(&s->lock, NULL);
            s->b = calloc(INITIAL_BUCKETS, sizeof(*s->b));
            s->mask = INITIAL_BUCKETS - 1;
            if (s->b == NULL) {
                mf_table_destroy(t);
                return LEASE_E_NOMEM;
            }
        }
    }
    *out = t;
    return 0;
}

void mf_table_destroy(struct mf_table *t)
{
    if (t == NULL)
        return;
    for (int i = 0; i < MF_TABLE_STRIPES; i++) {
        struct mf_set *s = &t->set[IX_ADDR][i];
        for (size_t b = 0; s->b != NULL && b <= s->mask; b++) {
            struct mf_rec *r = s->b[b], *next;
            for (; r != NULL; r = next) {
                next = r->next[IX_ADDR];
                free(r);
            }
        }
    }
    for (int ix = 0; ix < IX_COUNT; ix++) {
        for (int i = 0; i < MF_TABLE_STRIPES; i++) {
            free(t->set[ix][i].b);
            pthread_mutex_destroy(&t->set[ix][i].lock);
        }
    }
    pthread_mutex_destroy(&t->heap_lock);
    free(t->heap);
    free(t);
}

size_t mf_table_count(struct mf_table *t)
{
    return atomic_load(&t->count);
}

/* ---- changes ----------------------------------------------------------- */

enum chg_op { CHG_ADD, CHG_UPDATE, CHG_DELETE, CHG_PUT, CHG_REMOVE };

static int change(struct mf_table *t, enum chg_op op, uint32_t addr, const struct lease4 *lease,
                  int64_t old_expire, int64_t now, mf_hook_fn hook, void *hctx)
{
    struct mf_rec *nrec = NULL, *cur;
    uint64_t h = hash_addr(t, addr);
    struct mf_set *s = set_of(t, IX_ADDR, h);
    bool reserved = false;
    int rc = 0;

    if (op != CHG_DELETE && op != CHG_REMOVE) {
        nrec = rec_new(lease);      /* outside the lock */
        if (nrec == NULL)
            return LEASE_E_NOMEM;
    }

    pthread_mutex_lock(&s->lock);
    cur = addr_find(s, h, addr);
    switch (op) {
    case CHG_ADD:
        if (cur != NULL && (cur->state == LEASE_STATE_DEFAULT ||
                            cur->state == LEASE_STATE_DECLINED) &&
            rec_expire(cur) > now)
            rc = LEASE_E_CONFLICT;
        break;
    case CHG_UPDATE:
    case CHG_DELETE:
        if (cur == NULL)
            rc = LEASE_E_NOT_FOUND;
        else if (rec_expire(cur) != old_expire)
            rc = LEASE_E_CONFLICT;
        break;
    case CHG_PUT:
        break;
    case CHG_REMOVE:
        if (cur == NULL)
            rc = LEASE_E_NOT_FOUND;
        break;
    }
    if (rc == 0 && !t->bulk && nrec != NULL && rec_in_heap(nrec) &&
        !(cur != NULL && rec_in_heap(cur))) {
        rc = heap_reserve(t);
        reserved = rc == 0;
    }
    if (rc == 0 && hook != NULL)
        rc = hook(hctx);
    if (rc != 0) {
        if (reserved)
            heap_unreserve(t);
        pthread_mutex_unlock(&s->lock);
        free(nrec);
        return rc;
    }

    /* From here on nothing can fail. */
    if (cur != NULL) {
        set_swap(s, IX_ADDR, h, cur, nrec);
    } else {
        set_link(t, s, IX_ADDR, h, nrec);
        atomic_fetch_add(&t->count, 1);
    }
    if (nrec == NULL)
        atomic_fetch_sub(&t->count, 1);
    if (!t->bulk) {
        ident_swap(t, IX_HW, cur, nrec);
        ident_swap(t, IX_CID, cur, nrec);
        heap_apply(t, cur, nrec);
    }
    pthread_mutex_unlock(&s->lock);

    free(cur);      /* unreachable from every index now */
    return 0;
}

int mf_table_change(struct mf_table *t, enum lease_op op, const struct lease4 *lease,
                    int64_t old_expire, int64_t now, mf_hook_fn hook, void *hctx)
{
    enum chg_op c;

    switch (op) {
    case LEASE_OP_ADD:    c = CHG_ADD; break;
    case LEASE_OP_UPDATE: c = CHG_UPDATE; break;
    case LEASE_OP_DELETE: c = CHG_DELETE; break;
    default:              return LEASE_E_INVALID;
    }
    return change(t, c, lease->addr, lease, old_expire, now, hook, hctx);
}

int mf_table_put(struct mf_table *t, const struct lease4 *lease)
{
    return change(t, CHG_PUT, lease->addr, lease, 0, 0, NULL, NULL);
}

void mf_table_remove(struct mf_table *t, uint32_t addr)
{
    (void)change(t, CHG_REMOVE, addr, NULL, 0, 0, NULL, NULL);
}

void mf_table_begin_load(struct mf_table *t)
{
    t->bulk = true;
}

/* Size an (empty) index stripe for n entries: the power of two >= n keeps
 * the load factor <= 1 for the typical stripe; outliers grow as usual. */
static int set_presize(struct mf_set *s, size_t n)
{
    size_t nb = INITIAL_BUCKETS;

    while (nb < n)
        nb *= 2;
    if (nb == s->mask + 1)
        return 0;
    struct mf_rec **b = calloc(nb, sizeof(*b));
    if (b == NULL)
        return LEASE_E_NOMEM;
    free(s->b);
    s->b = b;
    s->mask = nb - 1;
    return 0;
}

int mf_table_end_load(struct mf_table *t)
{
    size_t n = atomic_load(&t->count), cand = 0, per = n / MF_TABLE_STRIPES;

    if (!t->bulk)
        return 0;
    for (int ix = IX_HW; ix <= IX_CID; ix++)
        for (int i = 0; i < MF_TABLE_STRIPES; i++)
            if (t->set[ix][i].count == 0 && set_presize(&t->set[ix][i], per) != 0)
                return LEASE_E_NOMEM;
    for (int i = 0; i < MF_TABLE_STRIPES; i++) {
        struct mf_set *s = &t->set[IX_ADDR][i];
        for (size_t b = 0; b <= s->mask; b++)
            for (struct mf_rec *r = s->b[b]; r != NULL; r = r->next[IX_ADDR])
                cand += rec_in_heap(r);
    }
    if (cand > UINT32_MAX)
        return LEASE_E_NOMEM;
    if (t->heap_n + cand > t->heap_cap) {
        struct mf_heap_ent *nh = realloc(t->heap, (t->heap_n + cand) * sizeof(*nh));
        if (nh == NULL && t->heap_n + cand > 0)
            return LEASE_E_NOMEM;
        t->heap = nh;
        t->heap_cap = t->heap_n + cand;
    }
    /* Nothing below can fail. Locks are taken only to keep the usual
     * discipline; no other thread can see the table yet. */
    for (int i = 0; i < MF_TABLE_STRIPES; i++) {
        struct mf_set *s = &t->set[IX_ADDR][i];
        pthread_mutex_lock(&s->lock);
        for (size_t b = 0; b <= s->mask; b++) {
            for (struct mf_rec *r = s->b[b]; r != NULL; r = r->next[IX_ADDR]) {
                for (int ix = IX_HW; ix <= IX_CID; ix++) {
                    if (key_len(r, ix) == 0)
                        continue;
                    uint64_t h = rec_hash(t, r, ix);
                    struct mf_set *is = set_of(t, ix, h);
                    pthread_mutex_lock(&is->lock);
                    set_link(t, is, ix, h, r);
                    pthread_mutex_unlock(&is->lock);
                }
                if (rec_in_heap(r)) {
                    pthread_mutex_lock(&t->heap_lock);
                    heap_put(t, t->heap_n++, (struct mf_heap_ent){ rec_expire(r), r });
                    pthread_mutex_unlock(&t->heap_lock);
                }
            }
        }
        pthread_mutex_unlock(&s->lock);
    }
    /* Floyd's heap construction: O(n) instead of n sift-ups. */
    pthread_mutex_lock(&t->heap_lock);
    for (size_t i = t->heap_n / 2; i-- > 0;)
        heap_down(t, i);
    pthread_mutex_unlock(&t->heap_lock);
    t->bulk = false;
    return 0;
}

/* ---- lookups ----------------------------------------------------------- */

int mf_table_get(struct mf_table *t, uint32_t addr, struct lease4 *out)
{
    uint64_t h = hash_addr(t, addr);
    struct mf_set *s = set_of(t, IX_ADDR, h);
    struct mf_rec *r;

    pthread_mutex_lock(&s->lock);
    r = addr_find(s, h, addr);
    if (r != NULL)
        rec_to_lease(r, out);
    pthread_mutex_unlock(&s->lock);
    return r != NULL ? 0 : LEASE_E_NOT_FOUND;
}

/* Copies of records taken under a lock, visited after it is released. */
struct rec_copies {
    uint8_t *buf;
    size_t len, cap;
    bool heap;               /* buf is malloc'd (else caller's stack) */
};

static int copies_add(struct rec_copies *c, const struct mf_rec *r)
{
    size_t sz = (rec_size(r) + 7) & ~(size_t)7;

    if (c->len + sz > c->cap) {
        size_t nc = c->cap * 2 > c->len + sz ? c->cap * 2 : c->len + sz + 4096;
        uint8_t *nb = c->heap ? realloc(c->buf, nc) : malloc(nc);
        if (nb == NULL)
            return LEASE_E_NOMEM;
        if (!c->heap)
            memcpy(nb, c->buf, c->len);
        c->buf = nb;
        c->cap = nc;
        c->heap = true;
    }
    /* Only the immutable part: next[] and heap_idx belong to other locks. */
    memcpy(c->buf + c->len + REC_PAYLOAD, (const uint8_t *)r + REC_PAYLOAD,
           rec_size(r) - REC_PAYLOAD);
    c->len += sz;
    return 0;
}

/* Visit the copies in c->buf[from..]; returns the number visited, and sets
 * *stop if the visitor asked to stop. */
static int copies_visit(struct rec_copies *c, size_t from, lease_visit_fn fn, void *ctx, bool *stop)
{
    struct lease4 l;
    int n = 0;

    for (size_t off = from; off < c->len && !*stop;) {
        const struct mf_rec *r = (const struct mf_rec *)(c->buf + off);
        rec_to_lease(r, &l);
        n++;
        if (fn(&l, ctx) != 0)
            *stop = true;
        off += (rec_size(r) + 7) & ~(size_t)7;
    }
    return n;
}

static void copies_free(struct rec_copies *c)
{
    if (c->heap)
        free(c->buf);
}

static int foreach_ident(struct mf_table *t, int ix, uint32_t subnet_id,
                         const uint8_t *key, size_t len, lease_visit_fn fn, void *ctx)
{
    alignas(8) uint8_t stack[2048];
    struct rec_copies c = { stack, 0, sizeof(stack), false };
    bool stop = false;
    int rc = 0, n;

    if (len == 0 || key == NULL)
        return 0;       /* empty identifiers are not indexed (mf_table.h) */
    uint64_t h = hash_bytes(t, key, len);
    struct mf_set *s = set_of(t, ix, h);

    pthread_mutex_lock(&s->lock);
    for (struct mf_rec *r = *bucket_of(s, h); r != NULL && rc == 0; r = r->next[ix]) {
        if (key_len(r, ix) == len && memcmp(key_ptr(r, ix), key, len) == 0 &&
            (subnet_id == 0 || r->subnet_id == subnet_id))
            rc = copies_add(&c, r);
    }
    pthread_mutex_unlock(&s->lock);
    if (rc != 0) {
        copies_free(&c);
        return rc;
    }
    n = copies_visit(&c, 0, fn, ctx, &stop);
    copies_free(&c);
    return n;
}

int mf_table_foreach_hwaddr(struct mf_table *t, uint32_t subnet_id,
                            const uint8_t *hw, size_t len, lease_visit_fn fn, void *ctx)
{
    return foreach_ident(t, IX_HW, subnet_id, hw, len, fn, ctx);
}

int mf_table_foreach_client_id(struct mf_table *t, uint32_t subnet_id,
                               const uint8_t *cid, size_t len, lease_visit_fn fn, void *ctx)
{
    return foreach_ident(t, IX_CID, subnet_id, cid, len, fn, ctx);
}

int mf_table_get_expired(struct mf_table *t, int64_t now, struct lease4 *out, size_t max)
{
    uint32_t *cand;     /* a small min-heap of heap indexes to visit */
    size_t nc = 0;
    int n = 0;

    if (max == 0)
        return 0;
    if (max > INT32_MAX)
        max = INT32_MAX;
    pthread_mutex_lock(&t->heap_lock);
    if (t->heap_n == 0 || t->heap[0].expire > now) {
        pthread_mutex_unlock(&t->heap_lock);
        return 0;
    }
    /* The k smallest of a binary heap, without modifying it: start at the
     * root; each time the smallest candidate is taken, its two children
     * become candidates. O(k log k) whatever the table size. */
    size_t want = max < t->heap_n ? max : t->heap_n;
    cand = malloc((want + 2) * sizeof(*cand));
    if (cand == NULL) {
        pthread_mutex_unlock(&t->heap_lock);
        return LEASE_E_NOMEM;
    }
    cand[nc++] = 0;
    while (nc > 0 && (size_t)n < want) {
        uint32_t top = cand[0];
        if (t->heap[top].expire > now)
            break;
        rec_to_lease(t->heap[top].rec, &out[n++]);
        /* pop top from cand */
        uint32_t last = cand[--nc];
        size_t i = 0;
        while (nc > 0) {
            size_t c = 2 * i + 1;
            if (c >= nc)
                break;
            if (c + 1 < nc && t->heap[cand[c + 1]].expire < t->heap[cand[c]].expire)
                c++;
            if (t->heap[last].expire <= t->heap[cand[c]].expire)
                break;
            cand[i] = cand[c];
            i = c;
        }
        if (nc > 0)
            cand[i] = last;
        /* push the children of top */
        for (size_t k = 2 * (size_t)top + 1; k <= 2 * (size_t)top + 2 && k < t->heap_n; k++) {
            size_t j = nc++;
            while (j > 0 && t->heap[cand[(j - 1) / 2]].expire > t->heap[k].expire) {
                cand[j] = cand[(j - 1) / 2];
                j = (j - 1) / 2;
            }
            cand[j] = (uint32_t)k;
        }
    }
    pthread_mutex_unlock(&t->heap_lock);
    free(cand);
    return n;
}


int mf_table_visit_stripe(struct mf_table *t, unsigned i, lease_visit_fn fn, void *ctx)
{
    struct mf_set *s;
    struct lease4 l;
    int n = 0;

    if (i >= MF_TABLE_STRIPES)
        return 0;
    s = &t->set[IX_ADDR][i];
    pthread_mutex_lock(&s->lock);
    for (size_t b = 0; b <= s->mask; b++) {
        for (struct mf_rec *r = s->b[b]; r != NULL; r = r->next[IX_ADDR]) {
            rec_to_lease(r, &l);
            n++;
            if (fn(&l, ctx) != 0)
                goto out;
        }
    }
out:
    pthread_mutex_unlock(&s->lock);
    return n;
}

/* ---- scans for the control commands ------------------------------------- */

/* The command lookups that have no index (by subnet, by hostname, a page in
 * address order) scan every address stripe under its lock, copying only
 * the matches; they run on the control thread, never on the packet path,
 * so no index is kept (and paid for on every change) for them. */

struct scan_filter {
    uint32_t subnet_id;     /* 0 = any */
    const char *hostname;   /* NULL = any; compared case-insensitively */
    size_t host_len;
};

static bool scan_match(const struct scan_filter *f, const struct mf_rec *r)
{
    if (f->subnet_id != 0 && r->subnet_id != f->subnet_id)
        return false;
    return f->hostname == NULL ||
           (r->host_len == f->host_len && strncasecmp(rec_host(r), f->hostname, f->host_len) == 0);
}

static int scan(struct mf_table *t, const struct scan_filter *f, lease_visit_fn fn, void *ctx)
{
    struct rec_copies c = { NULL, 0, 0, true };
    bool stop = false;
    int n = 0;

    for (int i = 0; i < MF_TABLE_STRIPES && !stop; i++) {
        struct mf_set *s = &t->set[IX_ADDR][i];
        int rc = 0;
        c.len = 0;
        pthread_mutex_lock(&s->lock);
        for (size_t b = 0; b <= s->mask && rc == 0; b++)
            for (struct mf_rec *r = s->b[b]; r != NULL && rc == 0; r = r->next[IX_ADDR])
                if (scan_match(f, r))
                    rc = copies_add(&c, r);
        pthread_mutex_unlock(&s->lock);
        if (rc != 0) {
            free(c.buf);
            return rc;
        }
        n += copies_visit(&c, 0, fn, ctx, &stop);
    }
    free(c.buf);
    return n;
}

/* Every lease: the scan with a filter that matches all. */
int mf_table_foreach(struct mf_table *t, lease_visit_fn fn, void *ctx)
{
    struct scan_filter all = { 0, NULL, 0 };
    return scan(t, &all, fn, ctx);
}

int mf_table_foreach_subnet(struct mf_table *t, uint32_t subnet_id, lease_visit_fn fn, void *ctx)
{
    struct scan_filter f = { subnet_id, NULL, 0 };
    return scan(t, &f, fn, ctx);
}

int mf_table_foreach_hostname(struct mf_table *t, const char *hostname, lease_visit_fn fn, void *ctx)
{
    if (hostname == NULL || hostname[0] == '\0')
        return 0;   /* an empty hostname names nobody */
    struct scan_filter f = { 0, hostname, strlen(hostname) };
    return scan(t, &f, fn, ctx);
}

/* out[0..n) as a max-heap on the address: the root is the largest kept. */
static void page_sift_down(struct lease4 *out, size_t n, size_t i)
{
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            return;
        if (c + 1 < n && out[c + 1].addr > out[c].addr)
            c++;
        if (out[i].addr >= out[c].addr)
            return;
        struct lease4 tmp = out[i];
        out[i] = out[c];
        out[c] = tmp;
        i = c;
    }
}

static void page_sift_up(struct lease4 *out, size_t i)
{
    while (i > 0 && out[(i - 1) / 2].addr < out[i].addr) {
        struct lease4 tmp = out[i];
        out[i] = out[(i - 1) / 2];
        out[(i - 1) / 2] = tmp;
        i = (i - 1) / 2;
    }
}

static int addr_cmp(const void *a, const void *b)
{
    uint32_t x = ((const struct lease4 *)a)->addr, y = ((const struct lease4 *)b)->addr;
    return x < y ? -1 : x > y;
}

int mf_table_get_page(struct mf_table *t, uint32_t after, struct lease4 *out, size_t max)
{
    size_t n = 0;

    if (max > INT32_MAX)
        max = INT32_MAX;
    if (max == 0)
        return 0;
    /* Keep the max smallest addresses above `after` in a bounded heap:
     * O(leases * log max), no copy of the table. */
    for (int i = 0; i < MF_TABLE_STRIPES; i++) {
        struct mf_set *s = &t->set[IX_ADDR][i];
        pthread_mutex_lock(&s->lock);
        for (size_t b = 0; b <= s->mask; b++) {
            for (struct mf_rec *r = s->b[b]; r != NULL; r = r->next[IX_ADDR]) {
                if (r->addr <= after)
                    continue;
                if (n < max) {
                    rec_to_lease(r, &out[n]);
                    page_sift_up(out, n++);
                } else if (r->addr < out[0].addr) {
                    rec_to_lease(r, &out[0]);
                    page_sift_down(out, n, 0);
                }
            }
        }
        pthread_mutex_unlock(&s->lock);
    }
    qsort(out, n, sizeof(*out), addr_cmp);
    return (int)n;
}
