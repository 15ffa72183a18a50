#!/usr/bin/env bash
# tests/system/test_control.sh — dorad's control socket through doractl (dorad only).
#
# dorad runs in a namespace with control-sockets; every server command goes through doractl:
# list-commands, version-get, build-report, status-get, config-get (redaction), config-test and
# config-set (a bad config refused with its JSON path, the running one kept; a good one serves
# its new pool at once), config-write (the file passes `dorad -t`), config-reload, dhcp-disable
# (a busybox udhcpc client gets nothing) and dhcp-enable, dhcp-disable max-period, leases-reclaim,
# an unknown command, then malformed input on the socket (truncated JSON, a 10 MB request, wrong
# types, binary garbage, 200 idle connections that the server drops after 10 s) — each answered
# with an error while dorad keeps serving — and finally shutdown with an exit value.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/netns.sh"
. "$HERE/lib/server.sh"
. "$HERE/lib/check.sh"

[ "$SERVER" = dora ] || { echo "test_control.sh is for dorad only"; echo "0 passed, 0 failed"; exit 0; }
nt_init control
nt_require busybox python3
srv_check_bin
DORACTL=${DORACTL:-$(dirname "$(srv_bin)")/doractl}
[ -x "$DORACTL" ] || nt_die "doractl not found at $DORACTL (set DORACTL)"

CONF="$NT_TMP/dorad.json"
LOG="$NT_TMP/server.log"
LEASES="$NT_TMP/leases4.csv"
SOCK="$NT_TMP/ctrl.sock"
ctl() { timeout 30 "$DORACTL" -s "$SOCK" "$@"; }
jget() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

dhcp4_json() { # POOL [VALID]
    printf '%s\n' '{ "Dhcp4": {' \
        "  \"interfaces-config\": { \"interfaces\": [ \"$NT_BR\" ] }," \
        "  \"control-sockets\": [ { \"socket-type\": \"unix\", \"socket-name\": \"$SOCK\" } ]," \
        "  \"lease-database\": { \"type\": \"memfile\", \"name\": \"$LEASES\" }," \
        '  "expired-leases-processing": { "reclaim-timer-wait-time": 0 },' \
        "  \"valid-lifetime\": ${2:-600}," \
        '  "user-context": { "vault-password": "hunter2" },' \
        "  \"subnet4\": [ { \"id\": 1, \"subnet\": \"192.0.2.0/24\", \"pools\": [ { \"pool\": \"$1\" } ]," \
        '                 "option-data": [ { "name": "routers", "data": "192.0.2.1" } ] } ]' \
        '} }'
}

printf '#!/bin/sh\n[ "$1" = bound ] && echo "$ip" > "%s/bound"\nexit 0\n' "$NT_TMP" >"$NT_TMP/udhcpc.sh"
chmod +x "$NT_TMP/udhcpc.sh"

nt_server_ns
nt_client c1 02:00:00:00:0c:01; NS=$NT_LAST_NS

lease_for() { # MAC [TRIES] -> address obtained, or empty
    rm -f "$NT_TMP/bound"
    ip -n "$NS" link set c0 address "$1"
    timeout 20 ip netns exec "$NS" busybox udhcpc -i c0 -n -q -t "${2:-4}" -T 1 -s "$NT_TMP/udhcpc.sh" \
        >>"$NT_TMP/udhcpc.out" 2>&1
    cat "$NT_TMP/bound" 2>/dev/null
}
in_range() { local o=${1##*.}; case "$1" in 192.0.2.*) [ "$o" -ge "$2" ] && [ "$o" -le "$3" ] ;; *) false ;; esac; }

dhcp4_json "192.0.2.100 - 192.0.2.110" >"$CONF"
srv_start "$CONF" "$LOG" || nt_die "server did not start"
expect "control socket created with mode 600" '[ "$(stat -c %a "$SOCK" 2>/dev/null)" = 600 ]' \
    "$(stat -c %a "$SOCK" 2>&1)"

# --- read-only commands ---
OUT=$(ctl list-commands); rc=$?
expect "list-commands exits 0" '[ $rc -eq 0 ]' "exit $rc"
for c in build-report config-get config-reload config-set config-test config-write dhcp-disable \
         dhcp-enable leases-reclaim list-commands shutdown status-get version-get; do
    expect "list-commands lists $c" 'printf "%s" "$OUT" | grep -q "\"$c\""'
done
OUT=$(ctl version-get); rc=$?
expect "version-get text is dorad -v" '[ $rc -eq 0 ] && [ "$(printf "%s" "$OUT" | head -1)" = "$("$(srv_bin)" -v)" ]' "$OUT"
OUT=$(ctl build-report)
expect "build-report names the json-c version" 'printf "%s" "$OUT" | grep -q "json-c: "' "$OUT"
J=$(ctl --json status-get)
expect "status-get pid is the server's" '[ "$(printf "%s" "$J" | jget "d[\"arguments\"][\"pid\"]")" = "$SRV_PID" ]' "$J"
expect "status-get uptime and reload are small" \
    '[ "$(printf "%s" "$J" | jget "0 <= d[\"arguments\"][\"uptime\"] < 60 and 0 <= d[\"arguments\"][\"reload\"] < 60")" = True ]' "$J"
J=$(ctl --json config-get)
expect "config-get returns the running pool" 'printf "%s" "$J" | grep -q "192.0.2.100 - 192.0.2.110"' "${J:0:300}"
expect "config-get redacts passwords" \
    'printf "%s" "$J" | grep -q "\"vault-password\":\"\*\*\*\*\*\"" && ! printf "%s" "$J" | grep -q hunter2' "${J:0:300}"

A=$(lease_for 02:00:00:00:0c:01)
expect "client gets $A from the first pool (.100-.110)" 'in_range "$A" 100 110'

# --- config-test / config-set ---
BAD_ARGS='{"Dhcp4": {"subnet4": [{"id": 1, "subnet": "192.0.2.0/24", "pools": [{"pool": "198.51.100.1 - 198.51.100.9"}]}]}}'
OUT=$(ctl config-test "$BAD_ARGS"); rc=$?
expect "config-test of a bad config: exit 1 with Dhcp4.subnet4[0].pools[0]" \
    '[ $rc -eq 1 ] && printf "%s" "$OUT" | grep -q "Dhcp4.subnet4\[0\].pools\[0\]: "' "exit $rc: $OUT"
dhcp4_json "192.0.2.120 - 192.0.2.130" >"$NT_TMP/new.json"
OUT=$(ctl config-test "@$NT_TMP/new.json"); rc=$?
expect "config-test of a good config: Configuration seems sane." '[ $rc -eq 0 ] && [ "$OUT" = "Configuration seems sane." ]' "exit $rc: $OUT"
OUT=$(ctl config-set "$BAD_ARGS"); rc=$?
expect "config-set of a bad config refused with its path" \
    '[ $rc -eq 1 ] && printf "%s" "$OUT" | grep -q "Dhcp4.subnet4\[0\].pools\[0\]: "' "exit $rc: $OUT"
B=$(lease_for 02:00:00:00:0c:02)
expect "running config kept: $B from the first pool" 'in_range "$B" 100 110'
OUT=$(ctl config-set "@$NT_TMP/new.json"); rc=$?
expect "config-set of a good config: Configuration successful." '[ $rc -eq 0 ] && [ "$OUT" = "Configuration successful." ]' "exit $rc: $OUT"
C=$(lease_for 02:00:00:00:0c:03)
expect "after config-set $C comes from the new pool (.120-.130)" 'in_range "$C" 120 130'

# --- config-write ---
OUT=$(ctl --json config-write '{"filename": "written.json"}'); rc=$?
expect "config-write to written.json" '[ $rc -eq 0 ] && [ -s "$NT_TMP/written.json" ]' "exit $rc: $OUT"
expect "written config passes dorad -t" '"$(srv_bin)" -t "$NT_TMP/written.json" >/dev/null 2>&1'
expect "written config holds the config-set pool" 'grep -q "192.0.2.120 - 192.0.2.130" "$NT_TMP/written.json"'
expect "written config keeps the password (it must load again)" 'grep -q hunter2 "$NT_TMP/written.json"'
OUT=$(ctl config-write '{"filename": "/etc/dora-control-test.json"}'); rc=$?
expect "config-write outside the config directory refused" '[ $rc -eq 1 ] && [ ! -e /etc/dora-control-test.json ]' "exit $rc: $OUT"

# --- config-reload: back to the file; a broken file is refused ---
OUT=$(ctl config-reload); rc=$?
expect "config-reload succeeds" '[ $rc -eq 0 ]' "exit $rc: $OUT"
D=$(lease_for 02:00:00:00:0c:04)
expect "after config-reload $D comes from the file's pool again" 'in_range "$D" 100 110'
cp "$CONF" "$NT_TMP/good.json"
printf '{ "Dhcp4": { "valid-lifetime": "long" } }\n' >"$CONF"
OUT=$(ctl config-reload); rc=$?
expect "config-reload of a broken file: exit 1 naming Dhcp4.valid-lifetime" \
    '[ $rc -eq 1 ] && printf "%s" "$OUT" | grep -q "Dhcp4.valid-lifetime: "' "exit $rc: $OUT"
cp "$NT_TMP/good.json" "$CONF"
E=$(lease_for 02:00:00:00:0c:05)
expect "running config kept after the broken reload: $E" 'in_range "$E" 100 110'

# --- dhcp-disable / dhcp-enable ---
OUT=$(ctl dhcp-disable); rc=$?
expect "dhcp-disable succeeds" '[ $rc -eq 0 ]' "exit $rc: $OUT"
J=$(ctl --json status-get)
expect "status-get says globally disabled" '[ "$(printf "%s" "$J" | jget "d[\"arguments\"][\"dhcp-state\"][\"globally-disabled\"]")" = True ]' "$J"
F=$(lease_for 02:00:00:00:0c:06 2)
expect "disabled: the client gets no lease" '[ -z "$F" ]' "got $F"
OUT=$(ctl dhcp-enable); rc=$?
expect "dhcp-enable succeeds" '[ $rc -eq 0 ]' "exit $rc: $OUT"
F=$(lease_for 02:00:00:00:0c:06)
expect "enabled again: the client gets $F" 'in_range "$F" 100 110'
OUT=$(ctl dhcp-disable '{"max-period": "soon"}'); rc=$?
expect "dhcp-disable with a string max-period refused" '[ $rc -eq 1 ]' "exit $rc: $OUT"
OUT=$(ctl dhcp-disable '{"max-period": 2}'); rc=$?
expect "dhcp-disable max-period 2" '[ $rc -eq 0 ]' "exit $rc: $OUT"
nt_wait_for 6 'grep -q DHCP4_DHCP_ENABLED "$LOG"'
G=$(lease_for 02:00:00:00:0c:07)
expect "service back by itself after max-period: $G" 'in_range "$G" 100 110'

# --- leases-reclaim ---
OUT=$(ctl leases-reclaim); rc=$?
expect "leases-reclaim without remove: exit 1" '[ $rc -eq 1 ] && [ "$OUT" = "'"'"'remove'"'"' parameter is mandatory" ]' "exit $rc: $OUT"
dhcp4_json "192.0.2.100 - 192.0.2.110" 2 >"$NT_TMP/short.json"
ctl config-set "@$NT_TMP/short.json" >/dev/null
H=$(lease_for 02:00:00:00:0c:08)
expect "short lease $H" 'in_range "$H" 100 110'
sleep 3
J=$(ctl --json leases-reclaim '{"remove": true}'); rc=$?
expect "leases-reclaim remove=true reclaims the expired lease" \
    '[ $rc -eq 0 ] && [ "$(printf "%s" "$J" | jget "d[\"arguments\"][\"reclaimed\"] >= 1")" = True ]' "exit $rc: $J"
expect "the reclaimed lease is deleted in the lease file" \
    '[ "$(lease_field "$(lease_last_row "$LEASES" "$H")" valid_lifetime)" = 0 ]' "$(lease_last_row "$LEASES" "$H")"
ctl config-reload >/dev/null

# --- unknown command, missing socket ---
OUT=$(ctl no-such-command); rc=$?
expect "unknown command: exit 2, 'no-such-command' command not supported" \
    '[ $rc -eq 2 ] && [ "$OUT" = "'"'"'no-such-command'"'"' command not supported" ]' "exit $rc: $OUT"
OUT=$(timeout 10 "$DORACTL" -s "$NT_TMP/nothing.sock" status-get 2>&1); rc=$?
expect "doractl on a missing socket exits 11" '[ $rc -eq 11 ]' "exit $rc: $OUT"

# --- malformed input on the socket ---
python3 "$HERE/lib/ctrl_abuse.py" "$SOCK" >"$NT_TMP/abuse.out" 2>&1
cut -c1-200 "$NT_TMP/abuse.out"
res() { awk -v k="$1" '$1 == k { $1 = ""; print }' "$NT_TMP/abuse.out" | jget "$2" 2>/dev/null; }
expect "truncated JSON: result 1" '[ "$(res truncated "d[\"result\"]")" = 1 ]'
expect "10 MB request: result 1, too large" \
    '[ "$(res huge "d[\"result\"] == 1 and \"larger than\" in d[\"text\"]")" = True ]'
expect "command not a string: result 1" '[ "$(res wrongcmd "d[\"result\"]")" = 1 ]'
expect "arguments not a map: result 1" '[ "$(res wrongargs "d[\"result\"]")" = 1 ]'
expect "request not a map: result 1" '[ "$(res notmap "d[\"result\"]")" = 1 ]'
expect "binary garbage: result 1" '[ "$(res garbage "d[\"result\"]")" = 1 ] && [ "$(res garbage2 "d[\"result\"]")" = 1 ]'
expect "a command answered while 200 connections sit idle" '[ "$(res during_idle "d[\"result\"]")" = 0 ]'
expect "... within 2 s" '[ "$(awk "/^during_idle_ms/ {print \$2}" "$NT_TMP/abuse.out")" -lt 2000 ]'
expect "the 200 idle connections are closed by the server" '[ "$(awk "/^idle_closed/ {print \$2}" "$NT_TMP/abuse.out")" = 200 ]'
expect "dorad still running after the abuse" 'kill -0 "$SRV_PID"'
K=$(lease_for 02:00:00:00:0c:09)
expect "DORA after the abuse: $K" 'in_range "$K" 100 110'

# --- shutdown ---
OUT=$(ctl shutdown '{"exit-value": "x"}'); rc=$?
expect "shutdown with a string exit-value refused" '[ $rc -eq 1 ] && kill -0 "$SRV_PID"' "exit $rc: $OUT"
OUT=$(ctl shutdown '{"exit-value": 7}'); rc=$?
expect "shutdown answers" '[ $rc -eq 0 ]' "exit $rc: $OUT"
nt_wait_for 10 '! kill -0 "$SRV_PID" 2>/dev/null'
wait "$SRV_PID"; rc=$?
SRV_PID=""
expect "dorad exits with the exit-value 7" '[ $rc -eq 7 ]' "exit $rc"
expect "control socket file removed at exit" '[ ! -e "$SOCK" ]'
expect "no sanitizer report in the log" '! grep -q "Sanitizer" "$LOG"'

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
