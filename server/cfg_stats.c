/*
 * Statistics settings: Kea's statistic-default-sample-count / -age (spec
 * kea-dhcp4.md §1.3, §4) and dora's metrics endpoint, an extension Kea does
 * not have:
 *
 *   "metrics": { "http-host": "127.0.0.1", "http-port": 9547 }
 *
 * The map's presence turns the endpoint on; both keys are optional.
 */
#include "server/cfg_internal.h"

#define METRICS_DEFAULT_HOST 0x7f000001u   /* 127.0.0.1 */
#define METRICS_DEFAULT_PORT 9547

static const struct cfg_key metrics_keys[] = {
    USE("http-host"), USE("http-port"),
    { NULL, CK_END }
};

static int parse_metrics(struct cfg_ctx *ctx, struct json_object *dhcp4)
{
    struct cfg_metrics *m = &ctx->cfg->metrics;
    struct json_object *o;
    int64_t port = METRICS_DEFAULT_PORT;
    int rc = -1;

    m->http_host = METRICS_DEFAULT_HOST;
    m->http_port = METRICS_DEFAULT_PORT;
    if (cfg_get_object(ctx, dhcp4, "metrics", &o) < 0)
        return -1;
    if (o == NULL)
        return 0;
    size_t old = cfg_path_key(ctx, "metrics");
    if (cfg_check_keys(ctx, o, metrics_keys, NULL) == 0 &&
        cfg_get_ipv4(ctx, o, "http-host", &m->http_host, NULL) == 0 &&
        cfg_get_int(ctx, o, "http-port", 1, 65535, &port, NULL) == 0) {
        m->http_port = (uint16_t)port;
        m->enabled = true;
        rc = 0;
    }
    cfg_path_pop(ctx, old);
    return rc;
}

int cfg_stats_parse(struct cfg_ctx *ctx, struct json_object *dhcp4)
{
    struct cfg4 *cfg = ctx->cfg;
    cfg->stat_sample_count = 20;
    cfg->stat_sample_age = 0;
    if (cfg_get_u32(ctx, dhcp4, "statistic-default-sample-count", &cfg->stat_sample_count, NULL) < 0 ||
        cfg_get_u32(ctx, dhcp4, "statistic-default-sample-age", &cfg->stat_sample_age, NULL) < 0)
        return -1;
    return parse_metrics(ctx, dhcp4);
}
