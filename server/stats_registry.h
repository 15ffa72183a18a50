/*
 * What the statistic-* commands, SIGUSR1 and the metrics endpoint see: the
 * counters of stats.h by Kea's names, with reset baselines, removal and
 * Kea's time series of samples (spec kea-hooks-api-ha-tools.md §14).
 *
 * Names: "pkt4-received", "subnet[ID].assigned-addresses",
 * "subnet[ID].pool[PID].assigned-addresses". Subnet statistics exist for the
 * subnets of the running configuration.
 *
 * Reset keeps the per-thread design: the raw sum at the reset becomes the
 * baseline and the statistic reports raw - baseline (so a gauge such as
 * assigned-addresses reads 0 after a reset and then follows the changes, as
 * in Kea). Remove is a reset that also hides the statistic until its raw
 * value changes again (Kea re-creates a removed statistic on its next update).
 *
 * Samples: the packet path only adds to counters, so samples are taken when
 * a value is observed to have changed: on every read (commands, SIGUSR1,
 * metrics) and every second by stats_reg_tick() from the main loop. A
 * statistic keeps either max-samples samples (default 20) or those younger
 * than max-age seconds (Kea: one or the other, never both); at most
 * STATS_SAMPLES_HARD_MAX in age mode.
 *
 * All functions are thread-safe (one lock, never taken by the packet path).
 */
#ifndef DORA_SERVER_STATS_REGISTRY_H
#define DORA_SERVER_STATS_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "server/cfg.h"
#include "server/stats.h"

#ifdef __cplusplus
extern "C" {
#endif

#define STATS_SAMPLES_HARD_MAX 10000
#define STATS_NAME_MAX 96

/* A configuration was applied: the default sample limits
 * (statistic-default-sample-count / -age) and total-addresses afresh.
 * Called by stats_config_applied(). */
void stats_reg_config_applied(const struct cfg4 *cfg);

/* {"NAME": [[value, "YYYY-MM-DD HH:MM:SS.ffffff"], ...]} newest first, into
 * *out (a new object). Returns false (and *out = {}) for an unknown name. */
bool stats_reg_get(const char *name, struct json_object **out);
/* Every statistic in that form. */
struct json_object *stats_reg_get_all(void);

/* 0, or -1 when no such statistic. */
int stats_reg_reset(const char *name);
int stats_reg_remove(const char *name);
/* Per statistic sample limits: max_samples > 0, or max_age seconds. */
int stats_reg_set_max_count(const char *name, uint32_t max_samples);
int stats_reg_set_max_age(const char *name, uint32_t max_age);

void stats_reg_reset_all(void);
void stats_reg_remove_all(void);
/* Also the default for statistics created later. */
void stats_reg_set_max_count_all(uint32_t max_samples);
void stats_reg_set_max_age_all(uint32_t max_age);

/* Take a sample of every statistic whose value changed. */
void stats_reg_tick(void);

/* One visible statistic, as stats_reg_foreach hands it out. */
struct stats_view {
    const char *base;      /* "pkt4-received", "assigned-addresses" */
    bool keyed;            /* a subnet or pool statistic */
    uint32_t subnet_id;
    uint32_t pool_id;      /* STATS_NO_POOL for a subnet statistic */
    bool gauge;            /* can go down (Prometheus gauge) */
    int64_t value;         /* baseline applied */
};

/* Call fn for every visible statistic: globals in STATS_LIST order, then
 * each configured subnet followed by its pools. fn runs under the registry
 * lock: it must not call back into this module. */
void stats_reg_foreach(void (*fn)(const struct stats_view *v, void *ctx), void *ctx);

/* "subnet[1].pool[0].assigned-addresses" for v. */
void stats_view_name(const struct stats_view *v, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
