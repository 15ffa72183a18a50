#!/usr/bin/env bash
# tests/system/test_stats.sh — statistics match reality, exactly (dorad only).
#
# dorad in a namespace with the metrics endpoint on 127.0.0.1:9547 (inside the
# namespace). A raw-socket client does N full DORAs (fresh MACs), then M
# RELEASEs and K DECLINEs of distinct leases, counting every packet it sent and
# received. Then the endpoint and SIGUSR1's DORA_STATS must say exactly:
# pkt4-discover-received / pkt4-offer-sent / pkt4-request-received /
# pkt4-ack-sent = what the client sent and got; pkt4-release-received = M,
# pkt4-decline-received = K; subnet[1].assigned-addresses = N - M (Kea counts a
# declined address as assigned until it is reclaimed, spec §14 "Gotcha");
# subnet[1].declined-addresses = K; cumulative-assigned-addresses = N;
# total-addresses = pool size; the pool[0] variants the same. The endpoint
# answers 404 / 400 to wrong, garbage, binary and oversized requests, is not
# held up by an idle client, and still serves afterwards.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/netns.sh"
. "$HERE/lib/server.sh"
. "$HERE/lib/check.sh"

[ "$SERVER" = dora ] || { echo "test_stats.sh is for dorad only"; echo "0 passed, 0 failed"; exit 0; }
nt_init stats
nt_require curl
srv_check_bin
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)

N=40 M=10 K=5 POOL=100
CONF="$NT_TMP/stats.json"
LOG="$NT_TMP/server.log"
cat >"$CONF" <<JSON
{ "Dhcp4": {
    "interfaces-config": { "interfaces": [ "$NT_BR" ] },
    "lease-database": { "type": "memfile", "name": "$NT_TMP/leases4.csv" },
    "valid-lifetime": 3600, "decline-probation-period": 3600,
    "metrics": { "http-port": 9547 },
    "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24",
                   "pools": [ { "pool": "192.0.2.100 - 192.0.2.199" } ] } ]
} }
JSON

nt_server_ns
nt_client c1; CNS=$NT_LAST_NS
srv_start "$CONF" "$LOG" || nt_die "server did not start"

metrics() { ip netns exec "$NT_SRV" curl -s -m 5 http://127.0.0.1:9547/metrics; }
metric() { # NAME [LABELS] -> the value, or empty
    metrics | awk -v k="$1${2:-}" '$1 == k { print $2 }'
}
http() { ip netns exec "$NT_SRV" timeout 10 "$PY" "$HERE/lib/stats_client.py" http 127.0.0.1 9547 "$1"; }

expect "metrics endpoint answers before any traffic" '[ "$(metric dora_pkt4_received)" = 0 ]' \
    "$(metrics | head -5)"
expect "total-addresses of subnet 1 is the pool size" \
    '[ "$(metric dora_subnet_total_addresses "{subnet_id=\"1\"}")" = $POOL ]'

timeout 120 ip netns exec "$CNS" "$PY" "$HERE/lib/stats_client.py" c0 $N $M $K 192.0.2.1 \
    >"$NT_TMP/client.json" 2>"$NT_TMP/client.err" || nt_log "client failed: $(cat "$NT_TMP/client.err")"
cat "$NT_TMP/client.json"
sent() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$NT_TMP/client.json" "$1"; }
expect "client completed $N DORAs" '[ "$(sent ack)" = $N ]' "acks $(sent ack)"

# RELEASE and DECLINE get no answer: wait (bounded) until the server counted them.
nt_wait_for 10 '[ "$(metric dora_pkt4_decline_received)" = $K ] && [ "$(metric dora_pkt4_release_received)" = $M ]' ||
    nt_log "release/decline counts did not settle"
metrics >"$NT_TMP/metrics.txt"
m() { awk -v k="$1${2:-}" '$1 == k { print $2 }' "$NT_TMP/metrics.txt"; }
S='{subnet_id="1"}'
P='{subnet_id="1",pool_id="0"}'
expect "pkt4-discover-received = DISCOVERs sent" '[ "$(m dora_pkt4_discover_received)" = "$(sent discover)" ]' "$(m dora_pkt4_discover_received)"
expect "pkt4-offer-sent = OFFERs received" '[ "$(m dora_pkt4_offer_sent)" = "$(sent offer)" ]' "$(m dora_pkt4_offer_sent)"
expect "pkt4-request-received = REQUESTs sent" '[ "$(m dora_pkt4_request_received)" = "$(sent request)" ]' "$(m dora_pkt4_request_received)"
expect "pkt4-ack-sent = ACKs received = N" '[ "$(m dora_pkt4_ack_sent)" = $N ]' "$(m dora_pkt4_ack_sent)"
expect "pkt4-nak-sent = 0" '[ "$(m dora_pkt4_nak_sent)" = 0 ]' "$(m dora_pkt4_nak_sent)"
expect "pkt4-release-received = M" '[ "$(m dora_pkt4_release_received)" = $M ]' "$(m dora_pkt4_release_received)"
expect "pkt4-decline-received = K" '[ "$(m dora_pkt4_decline_received)" = $K ]' "$(m dora_pkt4_decline_received)"
TOTAL_IN=$(( $(sent discover) + $(sent request) + M + K ))
expect "pkt4-received = every packet sent ($TOTAL_IN)" '[ "$(m dora_pkt4_received)" = $TOTAL_IN ]' "$(m dora_pkt4_received)"
expect "pkt4-sent = offers + acks" '[ "$(m dora_pkt4_sent)" = $(( $(sent offer) + N )) ]' "$(m dora_pkt4_sent)"
expect "pkt4-parse-failed = 0, pkt4-receive-drop = 0" \
    '[ "$(m dora_pkt4_parse_failed)" = 0 ] && [ "$(m dora_pkt4_receive_drop)" = 0 ]'
expect "subnet assigned-addresses = N - M = $((N - M)) (declined still count, as in Kea)" \
    '[ "$(m dora_subnet_assigned_addresses "$S")" = $((N - M)) ]' "$(m dora_subnet_assigned_addresses "$S")"
expect "pool assigned-addresses = N - M" '[ "$(m dora_pool_assigned_addresses "$P")" = $((N - M)) ]' "$(m dora_pool_assigned_addresses "$P")"
expect "subnet declined-addresses = K" '[ "$(m dora_subnet_declined_addresses "$S")" = $K ]' "$(m dora_subnet_declined_addresses "$S")"
expect "pool declined-addresses = K" '[ "$(m dora_pool_declined_addresses "$P")" = $K ]'
expect "global declined-addresses = K" '[ "$(m dora_declined_addresses)" = $K ]'
expect "cumulative-assigned-addresses = N (global, subnet, pool)" \
    '[ "$(m dora_cumulative_assigned_addresses)" = $N ] && [ "$(m dora_subnet_cumulative_assigned_addresses "$S")" = $N ] && [ "$(m dora_pool_cumulative_assigned_addresses "$P")" = $N ]'
expect "pool total-addresses = pool size" '[ "$(m dora_pool_total_addresses "$P")" = $POOL ]'
expect "gauges and counters are typed" \
    'grep -qx "# TYPE dora_subnet_assigned_addresses gauge" "$NT_TMP/metrics.txt" && grep -qx "# TYPE dora_pkt4_ack_sent counter" "$NT_TMP/metrics.txt"'

# The same figures through SIGUSR1.
J=$(srv_stats)
js() { "$PY" -c 'import json,sys; print(json.loads(sys.argv[1]).get(sys.argv[2]))' "$J" "$1"; }
expect "DORA_STATS: subnet[1].assigned-addresses = N - M" '[ "$(js "subnet[1].assigned-addresses")" = $((N - M)) ]' "$(js "subnet[1].assigned-addresses")"
expect "DORA_STATS: subnet[1].declined-addresses = K" '[ "$(js "subnet[1].declined-addresses")" = $K ]'
expect "DORA_STATS: subnet[1].pool[0].cumulative-assigned-addresses = N" '[ "$(js "subnet[1].pool[0].cumulative-assigned-addresses")" = $N ]'
expect "DORA_STATS: pkt4-ack-sent = N" '[ "$(js pkt4-ack-sent)" = $N ]'

# The endpoint under wrong requests.
expect "GET /nothing -> 404" '[ "$(http notfound)" = "HTTP/1.1 404 Not Found" ]' "$(http notfound)"
expect "garbage request -> 400" '[ "$(http garbage)" = "HTTP/1.1 400 Bad Request" ]' "$(http garbage)"
expect "binary request -> 400" '[ "$(http binary)" = "HTTP/1.1 400 Bad Request" ]' "$(http binary)"
expect "oversized request -> 400" '[ "$(http oversized)" = "HTTP/1.1 400 Bad Request" ]' "$(http oversized)"
SLOW=()
for i in $(seq 1 40); do http slow >/dev/null & SLOW+=($!); done
sleep 0.2
expect "GET /metrics -> 200 while 40 idle clients hang on" '[ "$(http metrics)" = "HTTP/1.1 200 OK" ]'
wait "${SLOW[@]}"
expect "still serving DHCP: a new DORA gets an ACK" \
    'timeout 30 ip netns exec "$CNS" "$PY" "$HERE/lib/stats_client.py" c0 1 0 0 192.0.2.1 | grep -q "\"ack\": 1"'
expect "assigned-addresses follows: N - M + 1" \
    '[ "$(metric dora_subnet_assigned_addresses "$S")" = $((N - M + 1)) ]'
srv_stop; check "server stops cleanly" $?
expect "no sanitizer report" '! grep -q "ERROR: AddressSanitizer\|runtime error:" "$LOG"'
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
