#!/usr/bin/env bash
# bench/scale.sh — startup and memory of dorad at scale (issue: throughput, "Scale").
#   1. a Kea-format lease file with 1,000,000 leases: time until dorad serves, and its RSS;
#   2. a config with one /8 pool: time until dorad serves.
# Targets: load <= 2 s, /8 start <= 1 s, RSS with 1M leases <= 250 MB.
# dorad runs in a namespace of its own with only a UDP socket and sends nothing.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" -eq 0 ] || { echo "bench/scale.sh: must run as root" >&2; exit 1; }
DORAD=${DORAD:-}
if [ -z "$DORAD" ]; then
    bash "$ROOT/scripts/deps"
    DORAD=$(bash "$ROOT/scripts/build" dorad 2>/dev/null | tail -n 1)/dorad
fi
WORK=$(mktemp -d /tmp/dora-scale.XXXXXX)
NS=scale$$
PID=
cleanup() {
    [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null || true
    ip netns del "$NS" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM
ip netns add "$NS"
ip -n "$NS" link set lo up

config() { # SUBNET POOL LEASEFILE
    cat > "$WORK/scale.json" <<EOF
{ "Dhcp4": {
    "interfaces-config": { "interfaces": [ "lo" ], "dhcp-socket-type": "udp" },
    "lease-database": { "type": "memfile", "name": "$3", "lfc-interval": 0 },
    "loggers": [ { "name": "kea-dhcp4", "severity": "INFO", "output-options": [ { "output": "stdout" } ] } ],
    "subnet4": [ { "id": 1, "subnet": "$1", "pools": [ { "pool": "$2" } ] } ]
} }
EOF
}

# Start dorad, wait for DHCP4_STARTED; prints "seconds rss_mb".
start_measure() {
    local t0 t1 rss
    : > "$WORK/out"
    t0=$(date +%s%N)
    DORA_PIDFILE_DIR=$WORK ip netns exec "$NS" "$DORAD" -p 10067 -P 10068 -c "$WORK/scale.json" >"$WORK/out" 2>&1 &
    PID=$!
    for _ in $(seq 1 600); do
        grep -q DHCP4_STARTED "$WORK/out" && break
        kill -0 "$PID" 2>/dev/null || { cat "$WORK/out" >&2; exit 1; }
        sleep 0.01
    done
    t1=$(date +%s%N)
    grep -q DHCP4_STARTED "$WORK/out" || { echo "dorad did not start" >&2; cat "$WORK/out" >&2; exit 1; }
    rss=$(awk '/^VmRSS/ {print $2}' "/proc/$PID/status")
    kill "$PID"; wait "$PID" || true; PID=
    awk -v a="$t0" -v b="$t1" -v r="$rss" 'BEGIN{printf "%.2f %.1f\n", (b - a) / 1e9, r / 1024}'
}

# 1M leases in 198.18.0.0/15 ... spread over a /12-sized id space; the subnet
# 100.64.0.0/10 is only a number here: nothing is sent anywhere.
echo "generating 1,000,000 leases..." >&2
awk -v now="$(date +%s)" 'BEGIN {
    print "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context,pool_id"
    ex = now + 86400
    for (i = 0; i < 1000000; i++) {
        a = 0x64400000 + i
        printf "%d.%d.%d.%d,02:%02x:%02x:%02x:%02x:%02x,01:02:%02x:%02x:%02x:%02x,86400,%d,1,0,0,host-%d,0,,0\n",
            int(a / 16777216), int(a / 65536) % 256, int(a / 256) % 256, a % 256,
            int(i / 16777216) % 256, int(i / 65536) % 256, int(i / 256) % 256, i % 256, 7,
            int(i / 16777216) % 256, int(i / 65536) % 256, int(i / 256) % 256, i % 256, ex, i
    }
}' > "$WORK/leases1m.csv"
config "100.64.0.0/10" "100.64.0.0 - 100.127.255.254" "$WORK/leases1m.csv"
read -r load_s load_rss <<<"$(start_measure)"

config "10.0.0.0/8" "10.0.0.1 - 10.255.255.254" "$WORK/empty.csv"
read -r p8_s p8_rss <<<"$(start_measure)"

printf '%-44s %10s %10s\n' "" "measured" "target"
printf '%-44s %9ss %9ss\n' "start with 1,000,000 leases in the file" "$load_s" "2.00"
printf '%-44s %8sMB %8sMB\n' "RSS with 1,000,000 leases" "$load_rss" "250"
printf '%-44s %9ss %9ss\n' "start with a /8 pool (16.7M addresses)" "$p8_s" "1.00"
awk -v a="$load_s" -v b="$load_rss" -v c="$p8_s" 'BEGIN{ok = a <= 2 && b <= 250 && c <= 1; print ok ? "all targets met" : "TARGET MISSED"; exit !ok}'
