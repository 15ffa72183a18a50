/*
 * dorad: the DHCPv4 server. Command line like kea-dhcp4:
 *   dorad -c FILE [-d] [-p SERVER_PORT] [-P CLIENT_PORT]   run
 *   dorad -t FILE                                          check a config and exit
 *   dorad -v | -V                                          version | extended version
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "hooks/hooks_mgr.h"
#include "server/cfg.h"
#include "server/server.h"
#include "server/version.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: dorad -c FILE [-d] [-p SERVER_PORT] [-P CLIENT_PORT]\n"
            "       dorad -t FILE      check the configuration and exit\n"
            "       dorad -v | -V      print the version (-V: with build details)\n");
}

static int parse_port(const char *s, uint16_t *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < 1 || v > 65535)
        return -1;
    *out = (uint16_t)v;
    return 0;
}

static int check_config(const char *path)
{
    char err[2048];
    struct cfg4 *cfg;
    if (cfg4_load_file(path, &cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    if (cfg->warnings)
        fprintf(stderr, "%s", cfg->warnings);
    /* Like kea-dhcp4 -t: the libraries are opened and checked, not loaded. */
    if (hooks_validate(cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        cfg4_free(cfg);
        return 1;
    }
    cfg4_free(cfg);
    printf("Configuration OK\n");
    return 0;
}

int main(int argc, char **argv)
{
    struct server_opts opts = { .server_port = 67, .client_port = 68 };
    int c;
    while ((c = getopt(argc, argv, "c:t:p:P:dvVh")) != -1) {
        switch (c) {
        case 'c':
            opts.config_path = optarg;
            break;
        case 't':
            return check_config(optarg);
        case 'p':
        case 'P':
            if (parse_port(optarg, c == 'p' ? &opts.server_port : &opts.client_port) < 0) {
                fprintf(stderr, "dorad: -%c: '%s' is not a port number\n", c, optarg);
                return 1;
            }
            break;
        case 'd':
            opts.debug = true;
            break;
        case 'v':
            printf("%s\n", dora_version());
            return 0;
        case 'V':
            printf("%s\n", dora_version_extended());
            return 0;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 1;
        }
    }
    if (!opts.config_path || optind != argc) {
        usage(stderr);
        return 1;
    }
    return server_run(&opts);
}
