#!/usr/bin/env bash
# Concurrency stress under ThreadSanitizer: a TSan-built dorad serves many clients that discover,
# request, renew and release at the same time, for a bounded time, while control commands
# (config-reload, config-set, lease and statistic commands, leases-reclaim) arrive on the control
# socket and the metrics endpoint is scraped. Fails on any TSan report, on a crash or unclean exit,
# or if the server did not actually serve (no ACKs) or answer commands.
#
# Env: DORAD (a --enable-sanitizers=thread build), DORA_PERF (or perfdhcp) as the generator.
set -euo pipefail

DORAD=${DORAD:?DORAD must point to a ThreadSanitizer build of dorad}
GEN=${DORA_PERF:-}
if [ -z "$GEN" ] || [ ! -x "$GEN" ]; then
    GEN=$(command -v perfdhcp || true)
fi
[ -n "$GEN" ] || { echo "FAIL: no generator (dora-perf or perfdhcp)"; echo "0 passed, 1 failed"; exit 1; }
DURATION=${STRESS_SECONDS:-10}

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/netns.sh"
nt_init tsan
WORK=$NT_TMP
PID=
nt_server_ns 198.18.0.1/15
nt_client gen
GEN_NS=$NT_LAST_NS
ip -n "$GEN_NS" addr add 198.18.0.2/15 dev c0

cat > "$WORK/stress.json" <<EOF
{ "Dhcp4": {
    "interfaces-config": { "interfaces": [ "$NT_BR" ] },
    "lease-database": { "type": "memfile", "name": "$WORK/leases.csv", "lfc-interval": 3 },
    "multi-threading": { "thread-pool-size": 4, "packet-queue-size": 32 },
    "valid-lifetime": 20, "renew-timer": 5, "rebind-timer": 10,
    "expired-leases-processing": { "reclaim-timer-wait-time": 1 },
    "control-socket": { "socket-type": "unix", "socket-name": "$WORK/ctrl.sock" },
    "metrics": { "http-host": "127.0.0.1", "http-port": 19547 },
    "loggers": [ { "name": "kea-dhcp4", "severity": "WARN", "output-options": [ { "output": "$WORK/dorad.log" } ] } ],
    "subnet4": [ { "id": 1, "subnet": "198.18.0.0/15",
                   "pools": [ { "pool": "198.19.0.0 - 198.19.3.255" } ] } ]
} }
EOF

export TSAN_OPTIONS="halt_on_error=1 exitcode=66 log_path=$WORK/tsan second_deadlock_stack=1"
DORA_PIDFILE_DIR=$WORK ip netns exec "$NT_SRV" "$DORAD" -c "$WORK/stress.json" >"$WORK/dorad.out" 2>&1 &
PID=$!
sleep 2
# The control side, concurrently with the packets: bounded in count and time.
DORACTL=${DORACTL:-$(dirname "$DORAD")/doractl}
[ -x "$DORACTL" ] || { echo "FAIL: doractl not found next to $DORAD"; echo "0 passed, 1 failed"; exit 1; }
ctl() { timeout 10 "$DORACTL" -s "$WORK/ctrl.sock" "$@" >/dev/null 2>&1; }
control_load() {
    local i ok=0 rc
    for i in $(seq 1 20); do
        for c in statistic-get-all lease4-get-all lease4-get-page config-get config-reload \
                 leases-reclaim status-get statistic-reset; do
            rc=0
            case $c in
                lease4-get-page) ctl "$c" '{"from": "start", "limit": 50}' || rc=$? ;;
                leases-reclaim) ctl "$c" '{"remove": false}' || rc=$? ;;
                statistic-reset) ctl "$c" '{"name": "pkt4-received"}' || rc=$? ;;
                *) ctl "$c" || rc=$? ;;
            esac
            # 0 success, 3 empty (no lease yet): both are answers.
            if [ "$rc" -eq 0 ] || [ "$rc" -eq 3 ]; then ok=$((ok + 1)); fi
        done
        timeout 5 ip netns exec "$NT_SRV" curl -s -o /dev/null "http://127.0.0.1:19547/metrics" || true
        kill -USR1 "$PID" 2>/dev/null || true
        sleep 0.2
    done
    echo "$ok" >"$WORK/control.ok"
}
control_load &
CTL=$!
# Renews (-f) and releases (-F) mixed with new clients; the pool (1024) is smaller than the client
# population (3000), so allocation also meets exhaustion, reclamation and address reuse.
timeout $((DURATION + 20)) ip netns exec "$GEN_NS" "$GEN" -4 -l c0 -r 600 -f 150 -F 100 \
    -R 3000 -p "$DURATION" >"$WORK/gen.out" 2>&1 || true
wait "$CTL" 2>/dev/null || true   # bounded: 160 commands, each with a timeout
kill -HUP "$PID" 2>/dev/null || true    # a reload while the threads are busy
sleep 1
kill -TERM "$PID" 2>/dev/null || true
status=0
wait "$PID" || status=$?
PID=

passed=0; failed=0
check() { # name condition-result
    if [ "$2" = ok ]; then echo "PASS: $1"; passed=$((passed + 1)); else echo "FAIL: $1 ($2)"; failed=$((failed + 1)); fi
}
reports=$(find "$WORK" -maxdepth 1 -name "tsan*" | wc -l)
if [ "$reports" -eq 0 ]; then check "no ThreadSanitizer report" ok
else check "no ThreadSanitizer report" "$reports report(s)"; head -60 "$WORK"/tsan*; fi
[ "$status" -eq 0 ] && check "dorad exited cleanly" ok || check "dorad exited cleanly" "status $status"
acks=$(grep -o '"pkt4-ack-sent": [0-9]*' "$WORK/dorad.log" "$WORK/dorad.out" 2>/dev/null | tail -1 | grep -o '[0-9]*$' || echo 0)
[ "${acks:-0}" -gt 100 ] && check "dorad served under load ($acks ACKs)" ok || { check "dorad served under load" "only ${acks:-0} ACKs"; tail -20 "$WORK/gen.out"; }
answered=$(cat "$WORK/control.ok" 2>/dev/null || echo 0)
[ "${answered:-0}" -ge 150 ] && check "control commands answered during the load ($answered of 160)" ok ||
    check "control commands answered during the load" "only ${answered:-0} of 160"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
