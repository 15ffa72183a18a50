#!/usr/bin/env bash
# bench/throughput.sh — dorad against Kea 2.2 on memfile, same machine, same run, same generator.
#
# Topology: two network namespaces joined by a veth pair; the generator (perfdhcp, or dora-perf with
# --tool dora-perf) broadcasts from the client side like a LAN full of clients; the server answers
# through its raw socket. Both servers get the same Dhcp4 config: one /16 pool, memfile with
# persistence, lifetimes longer than the run. dorad fdatasyncs every lease before its ACK; Kea 2.2 does
# not sync its lease file at all.
#
# For each server, alternating dorad / Kea, it reports:
#   (a) the highest offered rate with < 2.5 % of exchanges lost (ISC's criterion), found by stepping
#       the rate up and then bisecting;
#   (b) completed 4-way exchanges/s at unlimited rate;
#   (c) avg / p99 / max latency at half of (a) (p99 needs dora-perf; perfdhcp has no percentiles);
#   (d) CPU split between server and generator during (b);
# and the dorad/Kea ratios.
#
# Usage: bench/throughput.sh [--tool dora-perf|perfdhcp] [--period SECONDS] [--rounds N]
# (dora-perf is the default: perfdhcp itself tops out near 10k exchanges/s on this machine.)
# Only the namespaces it creates ever see a packet (198.18.0.0/15, the benchmark range).
set -euo pipefail

TOOL=dora-perf
PERIOD=5
ROUNDS=1
while [ $# -gt 0 ]; do
    case "$1" in
        --tool) TOOL=$2; shift 2 ;;
        --period) PERIOD=$2; shift 2 ;;
        --rounds) ROUNDS=$2; shift 2 ;;
        *) echo "usage: $0 [--tool perfdhcp|dora-perf] [--period SECONDS] [--rounds N]" >&2; exit 2 ;;
    esac
done

ROOT=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" -eq 0 ] || { echo "bench/throughput.sh: must run as root" >&2; exit 1; }
bash "$ROOT/scripts/deps"
if ! command -v perfdhcp >/dev/null || [ ! -x /usr/bin/time ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends kea-admin time >/dev/null
fi
DORAD=${DORAD:-}
if [ -z "$DORAD" ]; then
    bash "$ROOT/scripts/build" >/dev/null
    DORAD=$ROOT/build/dorad
fi
DORA_PERF=${DORA_PERF:-$(dirname "$DORAD")/dora-perf}
KEA=$(command -v kea-dhcp4)

TAG=tp$$
NS_S=${TAG}s
NS_C=${TAG}c
WORK=$(mktemp -d /tmp/dora-bench.XXXXXX)
SERVER_PID=

cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
    ip netns del "$NS_S" 2>/dev/null || true
    ip netns del "$NS_C" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

ip netns add "$NS_S"
ip netns add "$NS_C"
ip link add "${TAG}a" type veth peer name "${TAG}b"
ip link set "${TAG}a" netns "$NS_S"
ip link set "${TAG}b" netns "$NS_C"
ip -n "$NS_S" addr add 198.18.0.1/15 dev "${TAG}a"
ip -n "$NS_C" addr add 198.18.0.2/15 dev "${TAG}b"
for ns in "$NS_S" "$NS_C"; do ip -n "$ns" link set lo up; done
ip -n "$NS_S" link set "${TAG}a" up
ip -n "$NS_C" link set "${TAG}b" up

write_config() { # server -> config path
    local name=$1 mt oo=output-options
    # The same queue for both (1024: a generator sends in bursts, and a queue of 64 overflows on a
    # burst before the workers wake). Threads: ISC's memfile recommendation (4) for Kea, one per
    # core (dorad's default) for dorad. Kea 2.2 spells the logger key output_options.
    if [ "$name" = kea ]; then
        mt='"multi-threading": { "enable-multi-threading": true, "thread-pool-size": 4, "packet-queue-size": 1024 },'
        oo=output_options
    else
        mt='"multi-threading": { "enable-multi-threading": true, "thread-pool-size": 0, "packet-queue-size": 1024 },'
    fi
    cat > "$WORK/$name.json" <<EOF
{ "Dhcp4": {
    "interfaces-config": { "interfaces": [ "${TAG}a" ] },
    "lease-database": { "type": "memfile", "persist": true, "lfc-interval": 0,
                        "name": "$WORK/$name-leases.csv" },
    $mt
    "valid-lifetime": 86400,
    "loggers": [ { "name": "kea-dhcp4", "severity": "WARN",
                   "$oo": [ { "output": "$WORK/$name.log" } ] } ],
    "subnet4": [ { "id": 1, "subnet": "198.18.0.0/15",
                   "pools": [ { "pool": "198.19.0.0 - 198.19.255.255" } ] } ]
} }
EOF
    echo "$WORK/$name.json"
}

start_server() { # name
    local name=$1 cfg
    cfg=$(write_config "$name")
    rm -f "$WORK/$name-leases.csv"*
    if [ "$name" = kea ]; then
        mkdir -p "$WORK/kea-run"
        KEA_PIDFILE_DIR=$WORK/kea-run KEA_LOCKFILE_DIR=$WORK/kea-run \
            ip netns exec "$NS_S" "$KEA" -c "$cfg" >"$WORK/kea.out" 2>&1 &
    else
        DORA_PIDFILE_DIR=$WORK ip netns exec "$NS_S" "$DORAD" -c "$cfg" >"$WORK/dora.out" 2>&1 &
    fi
    SERVER_PID=$!
    sleep 1.5
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "server $name did not start:" >&2; cat "$WORK/$name.out" >&2; exit 1; }
}

stop_server() {
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
}

# One generator run; prints "sent acked lost% rate avg_ms p99_ms max_ms".
run_load() { # rate (0 = unlimited) period
    local rate=$1 period=$2 out=$WORK/gen.out rate_arg=()
    [ "$rate" -gt 0 ] && rate_arg=(-r "$rate")
    if [ "$TOOL" = dora-perf ]; then
        /usr/bin/time -f '%U %S' -o "$WORK/gen.time" \
            timeout $((period + 15)) ip netns exec "$NS_C" "$DORA_PERF" -4 -l "${TAG}b" "${rate_arg[@]}" \
            -R 60000 -p "$period" --json all >"$out" 2>&1 || true
        python3 - "$out" <<'EOF'
import json, sys
t = open(sys.argv[1]).read()
d = json.loads(t[t.index("{"):])
ex = d["exchanges"]; do, ra = ex["DISCOVER-OFFER"], ex["REQUEST-ACK"]
sent = do["sent"]; acked = ra["received"]
lost = 100.0 * (sent - acked) / sent if sent else 100.0
print(sent, acked, "%.3f" % lost, "%.1f" % d["rate"], "%.3f" % ra["avg_ms"], "%.3f" % ra["p99_ms"], "%.3f" % ra["max_ms"])
EOF
    else
        /usr/bin/time -f '%U %S' -o "$WORK/gen.time" \
            timeout $((period + 15)) ip netns exec "$NS_C" perfdhcp -4 -l "${TAG}b" "${rate_arg[@]}" \
            -R 60000 -p "$period" >"$out" 2>&1 || true
        python3 - "$out" <<'EOF'
import re, sys
t = open(sys.argv[1]).read()
rate = re.search(r"Rate: ([0-9.]+) 4-way", t)
blocks = t.split("***Statistics for: ")
def field(b, name):
    m = re.search(name + r": ([0-9.]+)", b)
    return float(m.group(1)) if m else 0.0
do = next((b for b in blocks if b.startswith("DISCOVER-OFFER")), "")
ra = next((b for b in blocks if b.startswith("REQUEST-ACK")), "")
sent = field(do, "sent packets"); acked = field(ra, "received packets")
lost = 100.0 * (sent - acked) / sent if sent else 100.0
print(int(sent), int(acked), "%.3f" % lost, rate.group(1) if rate else "0",
      "%.3f" % field(ra, "avg delay"), "n/a", "%.3f" % field(ra, "max delay"))
EOF
    fi
}

# Each measurement runs on a freshly started server with an empty lease file.
measure() { # name rate period
    start_server "$1"
    run_load "$2" "$3"
    stop_server
}

# A step passes when < 2.5 % of the exchanges are lost AND the generator really offered the rate
# (completed exchanges/s within 3 % of it): a generator that cannot keep up has not offered it.
step_ok() { # result-line rate
    local lost rate
    lost=$(echo "$1" | cut -d' ' -f3)
    rate=$(echo "$1" | cut -d' ' -f4)
    awk "BEGIN{exit !($lost < 2.5 && $rate >= 0.97 * $2)}"
}

max_rate() { # name -> highest offered rate passing step_ok
    local name=$1 good=0 bad=0 rate=2000 r
    while :; do
        r=$(measure "$name" "$rate" "$PERIOD")
        echo "  $name rate $rate: lost $(echo "$r" | cut -d' ' -f3) %, completed $(echo "$r" | cut -d' ' -f4)/s" >&2
        if step_ok "$r" "$rate"; then good=$rate; rate=$((rate * 2)); else bad=$rate; break; fi
        [ "$rate" -gt 256000 ] && break
    done
    [ "$bad" -eq 0 ] && { echo "$good"; return; }
    for _ in 1 2 3 4 5; do
        [ $((bad - good)) -le $((good / 20 + 1)) ] && break
        rate=$(((good + bad) / 2))
        r=$(measure "$name" "$rate" "$PERIOD")
        echo "  $name rate $rate: lost $(echo "$r" | cut -d' ' -f3) %, completed $(echo "$r" | cut -d' ' -f4)/s" >&2
        if step_ok "$r" "$rate"; then good=$rate; else bad=$rate; fi
    done
    echo "$good"
}

cpu_ticks() { # pid -> utime+stime in clock ticks
    awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0
}

unlimited() { # name -> "rate server_cpu% generator_cpu%"
    local name=$1 before_s after_s hz r rate srv gen
    hz=$(getconf CLK_TCK)
    start_server "$name"
    before_s=$(cpu_ticks "$SERVER_PID")
    r=$(run_load 0 "$PERIOD")
    after_s=$(cpu_ticks "$SERVER_PID")
    stop_server
    rate=$(echo "$r" | cut -d' ' -f4)
    srv=$(awk "BEGIN{printf \"%.0f\", 100.0 * ($after_s - $before_s) / $hz / $PERIOD}")
    gen=$(tail -n 1 "$WORK/gen.time" | awk -v p="$PERIOD" '{printf "%.0f", 100.0 * ($1 + $2) / p}')
    echo "$rate $srv $gen"
}

declare -A A B C D
for round in $(seq 1 "$ROUNDS"); do
    for name in dora kea; do
        echo "[$name] round $round: stepping the rate (period ${PERIOD}s per step)" >&2
        A[$name]=$(max_rate "$name")
        echo "[$name] unlimited rate" >&2
        B[$name]=$(unlimited "$name")
        half=$((${A[$name]} / 2))
        [ "$half" -lt 100 ] && half=100
        echo "[$name] latency at $half/s" >&2
        C[$name]=$(measure "$name" "$half" "$PERIOD")
    done
    printf '\nround %d, generator %s, %d cores, period %ss\n' "$round" "$TOOL" "$(nproc)" "$PERIOD"
    printf '%-8s %14s %14s %10s %10s %10s %10s %10s\n' server "max<2.5%/s" "unlimited/s" "avg ms" "p99 ms" "max ms" "srv CPU%" "gen CPU%"
    for name in dora kea; do
        read -r _ _ _ _ avg p99 mx <<<"${C[$name]}"
        read -r ur scpu gcpu <<<"${B[$name]}"
        printf '%-8s %14s %14s %10s %10s %10s %10s %10s\n' "$name" "${A[$name]}" "$ur" "$avg" "$p99" "$mx" "$scpu" "$gcpu"
    done
    ratio_a=$(awk "BEGIN{k=${A[kea]}; printf \"%.2f\", k ? ${A[dora]} / k : 0}")
    ratio_b=$(awk "BEGIN{k=$(echo "${B[kea]}" | cut -d' ' -f1); printf \"%.2f\", k ? $(echo "${B[dora]}" | cut -d' ' -f1) / k : 0}")
    printf 'ratio dorad/Kea: (a) max rate %s   (b) unlimited %s\n' "$ratio_a" "$ratio_b"
done
