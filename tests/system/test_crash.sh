#!/usr/bin/env bash
# tests/system/test_crash.sh — durability of ACKed leases across SIGKILL.
#
# A raw-socket generator (lib/dhcpgen.py) runs DISCOVER/REQUEST for fresh MACs
# continuously and logs every ACK it receives.  The server is killed with
# SIGKILL at random moments (KILLS times, default 20) and restarted.  After each
# kill, every ACKed lease must be in the lease file (last row wins) with the
# right hwaddr and expire >= ack time + lease time - 2 s: a reply must never
# leave before its lease is durable.  After each restart the server must log
# DHCP4_STARTED (it loaded the file) and offer a previously ACKed client its
# own address again (RFC 2131 4.3.1: the client's existing binding first).
#
# Whole test bounded to ~2 minutes.  SERVER=dora|kea (lib/server.sh).
# Kea does not fsync, but SIGKILL does not lose data already written to the
# kernel, so Kea is expected to pass this test too; a power-loss test would not.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/netns.sh"
. "$HERE/lib/server.sh"

KILLS=${KILLS:-20}
BUDGET=${CRASH_BUDGET_S:-100}     # seconds for the kill loop
PY=/usr/bin/python3

PASSED=0
FAILED=0
check() {
    if [ "$2" -eq 0 ]; then
        PASSED=$((PASSED + 1)); echo "PASS $1"
    else
        FAILED=$((FAILED + 1)); echo "FAIL $1${3:+: $3}"
    fi
}

nt_init crash
nt_require "$PY"
srv_check_bin

LEASES="$NT_TMP/leases4.csv"
CONF="$NT_TMP/crash.json"
ACKS="$NT_TMP/acks.log"
LIFETIME=3600

# A /15 from the RFC 2544 benchmark range: room for every lease the run makes.
nt_server_ns 198.18.0.1/15
nt_client gen; GEN_NS=$NT_LAST_NS

cat >"$CONF" <<EOF
{
  "Dhcp4": {
    "interfaces-config": { "interfaces": [ "$NT_BR" ] },
    "lease-database": { "type": "memfile", "name": "$LEASES", "lfc-interval": 0 },
    "valid-lifetime": $LIFETIME,
    "subnet4": [ {
      "id": 1,
      "subnet": "198.18.0.0/15",
      "pools": [ { "pool": "198.18.0.10 - 198.19.255.250" } ]
    } ]
  }
}
EOF

srv_start "$CONF" "$NT_TMP/server.log" || nt_die "server did not start"
: >"$ACKS"
ip netns exec "$GEN_NS" "$PY" "$HERE/lib/dhcpgen.py" --iface c0 --out "$ACKS" \
    --rate "${CRASH_RATE:-150}" --window 32 --duration $((BUDGET + 30)) \
    2>"$NT_TMP/dhcpgen.err" &
GEN_PID=$!
nt_on_cleanup 'kill -TERM $GEN_PID 2>/dev/null'

T0=$(date +%s)
kills=0 lost_rounds=0 start_fail=0 probe_fail=0 idle_rounds=0
last_acks=0
while [ "$kills" -lt "$KILLS" ] && [ $(( $(date +%s) - T0 )) -lt "$BUDGET" ]; do
    # Let traffic run for a random 0.3 .. 2.8 s, then crash the server.
    ms=$(( 300 + RANDOM % 2500 ))
    sleep "$(( ms / 1000 )).$(printf '%03d' $(( ms % 1000 )))"
    srv_kill9
    kills=$((kills + 1))
    sleep 0.3   # replies already on the wire reach the generator
    if ! out=$("$PY" "$HERE/lib/check_acks.py" "$ACKS" "$LEASES" 2); then
        lost_rounds=$((lost_rounds + 1))
        echo "kill $kills: $out"
    fi
    n=$(wc -l <"$ACKS")
    [ "$n" -gt "$last_acks" ] || idle_rounds=$((idle_rounds + 1))
    last_acks=$n
    if ! srv_start "$CONF" "$NT_TMP/server.log"; then
        start_fail=$((start_fail + 1))
        echo "kill $kills: server did not restart"
        break
    fi
    # A client ACKed before the crash is offered its own address again.
    line=$(tail -n 1 "$ACKS")
    if [ -n "$line" ]; then
        set -- $line
        got=$(ip netns exec "$GEN_NS" timeout 10 "$PY" "$HERE/lib/dhcpgen.py" --iface c0 \
            --probe "$2" --timeout 3) || true
        if [ "$got" != "$3" ]; then
            probe_fail=$((probe_fail + 1))
            echo "kill $kills: $2 was ACKed $3, offered '${got}' after restart"
        fi
    fi
done
ELAPSED=$(( $(date +%s) - T0 ))
kill -TERM "$GEN_PID" 2>/dev/null
wait "$GEN_PID" 2>/dev/null
NACK=$(wc -l <"$ACKS")
echo "kills: $kills in ${ELAPSED}s, ACKs received: $NACK, $(cat "$NT_TMP/dhcpgen.err")"

check "server killed $KILLS times within ${BUDGET}s" "$([ "$kills" -ge "$KILLS" ]; echo $?)" "only $kills"
check "clients were served between kills (ACKs: $NACK)" \
    "$([ "$NACK" -ge "$kills" ] && [ "$idle_rounds" -le $((kills / 4)) ]; echo $?)" \
    "$idle_rounds rounds without a new ACK"
check "every ACKed lease was on disk at every kill" "$lost_rounds" "$lost_rounds rounds lost leases"
check "server restarted after every kill (DHCP4_STARTED)" "$start_fail"
check "restarted server offers an ACKed client its own address" "$probe_fail" "$probe_fail mismatches"
# Final state, after a clean stop: nothing ACKed is missing either.
srv_stop
check "server exits 0 on SIGTERM after the crash series" $?
out=$("$PY" "$HERE/lib/check_acks.py" "$ACKS" "$LEASES" 2)
check "final lease file holds every ACK ($out)" $?
check "server log has no sanitizer report" \
    "$(! grep -qE 'ERROR: (Address|Leak|Thread)Sanitizer|runtime error:' "$SRV_LOG"; echo $?)"

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
