#!/usr/bin/env bash
# bench/reload_under_load.sh — does swapping the configuration under load lose exchanges?
#
# dorad (memfile, relayed UDP) in a namespace, dora-perf in another; two runs of steady load
# (RATE DORA/s for DURATION s, fresh clients each run): the first without reloads, the second
# with RELOADS config-reload commands sent through doractl spread over the run. Prints, for
# both: exchanges sent, completed (ACK received) and lost, and how many reloads succeeded.
# Issue 6: reloading 100 times must lose no more than the run without reloads.
#
# Usage: sudo bench/reload_under_load.sh   (env: DORAD, DORA_PERF, DORACTL, RATE=2000,
#        DURATION=20, RELOADS=100, CMD=config-reload|config-set)
# Not a test: it prints figures. Only 198.18.0.0/15 addresses, in namespaces it creates.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
. "$ROOT/tests/system/lib/netns.sh"
. "$ROOT/tests/system/lib/server.sh"
RATE=${RATE:-2000}
DURATION=${DURATION:-20}
RELOADS=${RELOADS:-100}
CMD=${CMD:-config-reload}
DORA_PERF=${DORA_PERF:-$(dirname "$(srv_bin)")/dora-perf}
DORACTL=${DORACTL:-$(dirname "$(srv_bin)")/doractl}
[ "$SERVER" = dora ] || nt_die "dorad only (the control socket)"

nt_init reload-bench
srv_check_bin
[ -x "$DORA_PERF" ] || nt_die "dora-perf not found at $DORA_PERF"
[ -x "$DORACTL" ] || nt_die "doractl not found at $DORACTL"

nt_server_ns 198.18.0.1/15
nt_client perf 02:00:00:00:bb:01
PNS=$NT_LAST_NS
ip -n "$PNS" addr add 198.18.0.2/15 dev c0
CONF="$NT_TMP/dorad.json"
SOCK="$NT_TMP/ctrl.sock"
cat >"$CONF" <<EOF
{ "Dhcp4": {
    "interfaces-config": { "interfaces": [ "$NT_BR" ] },
    "control-socket": { "socket-type": "unix", "socket-name": "$SOCK" },
    "lease-database": { "type": "memfile", "name": "$NT_TMP/leases4.csv", "lfc-interval": 0 },
    "valid-lifetime": 3600,
    "subnet4": [ { "id": 1, "subnet": "198.18.0.0/15",
                   "pools": [ { "pool": "198.18.0.10 - 198.19.255.250" } ] } ]
} }
EOF
srv_start "$CONF" "$NT_TMP/server.log" || nt_die "dorad did not start"

field() { # FILE SECTION KEY : a figure of dora-perf's perfdhcp-style report
    awk -v x="***Statistics for: $2***" -v k="$3: " '
        $0 == x { inx = 1; next }
        /^\*\*\*/ { inx = 0 }
        inx && index($0, k) == 1 { v = substr($0, length(k) + 1); sub(/ .*/, "", v); print v; exit }
    ' "$1"
}

run() { # NAME MACBASE RELOADS
    local out="$NT_TMP/$1.txt" n=$3 ok=0 i pid
    ip netns exec "$PNS" timeout $((DURATION + 30)) "$DORA_PERF" -l 198.18.0.2 -b "mac=$2" \
        -r "$RATE" -R 1000000 -p "$DURATION" -d 2 -W 3000000 198.18.0.1 >"$out" 2>"$out.err" &
    pid=$!
    if [ "$n" -gt 0 ]; then
        local gap_ms=$(( DURATION * 1000 * 8 / 10 / n ))
        sleep 1
        for i in $(seq 1 "$n"); do
            if [ "$CMD" = config-set ]; then
                timeout 10 "$DORACTL" -s "$SOCK" config-set "@$CONF" >/dev/null 2>&1 && ok=$((ok + 1))
            else
                timeout 10 "$DORACTL" -s "$SOCK" config-reload >/dev/null 2>&1 && ok=$((ok + 1))
            fi
            sleep "$(printf '0.%03d' "$gap_ms")"
        done
    fi
    wait "$pid"
    local sent acks
    sent=$(field "$out" DISCOVER-OFFER "sent packets")
    acks=$(field "$out" REQUEST-ACK "received packets")
    printf '%-16s reloads %3d/%-3d  exchanges sent %7s  completed %7s  lost %6s\n' \
        "$1" "$ok" "$n" "${sent:-?}" "${acks:-?}" "$(( ${sent:-0} - ${acks:-0} ))"
}

echo "reload_under_load: $RATE DORA/s for $DURATION s, $RELOADS x $CMD in the second run ($(nproc) CPUs)"
run no-reloads 02:40:00:00:00:00 0
run with-reloads 02:50:00:00:00:00 "$RELOADS"
echo "config loads logged: $(grep -c DHCP4_CONFIG_COMPLETE "$NT_TMP/server.log")"
srv_stop
