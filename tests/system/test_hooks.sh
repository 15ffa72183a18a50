#!/usr/bin/env bash
# tests/system/test_hooks.sh — hook libraries (dorad only).
#
# 1. Refusals (dorad -t and startup): a missing library (dlerror text), a wrong ABI version, an
#    MT-incompatible library while multi-threading is on, a hooks-libraries entry without "library".
# 2. The test hook library records every hook point it sees while real exchanges run in a namespace
#    (a busybox udhcpc DORA, scripted DORA/renew/release/decline, a short lease that expires, a
#    declined address that is recovered); the forensic and run_script libraries and the example from
#    doc/hooks.md (extracted and built against the header as the doc says) are loaded alongside.
# 3. Reload with skip/drop/park actions: pkt4_receive DROP, lease4_release SKIP, a parked ACK that is
#    sent only after the unpark; then parked-packet-limit 1: the second parked REQUEST is dropped and
#    counted in pkt4-receive-drop.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/netns.sh"
. "$HERE/lib/server.sh"
. "$HERE/lib/check.sh"

[ "$SERVER" = dora ] || { echo "test_hooks.sh is for dorad only"; echo "0 passed, 0 failed"; exit 0; }
nt_init hooks
nt_require busybox python3 cc
srv_check_bin
BUILD=$(cd "$(dirname "$(srv_bin)")" && pwd)
TESTHOOK="$BUILD/tests/hooks/dora_test_hook.so"
for f in "$TESTHOOK" "$BUILD/hooks/dora_forensic.so" "$BUILD/hooks/dora_run_script.so"; do
    [ -f "$f" ] || nt_die "$f not built (make check builds the test libraries)"
done

CONF="$NT_TMP/hooks.json"
LOG="$NT_TMP/server.log"
LEASES="$NT_TMP/leases4.csv"
HLOG="$NT_TMP/hook.log"
LEGAL="$NT_TMP/legal"
SCRIPT_OUT="$NT_TMP/script.out"
mkdir -p "$LEGAL"

# ---- 1. refusals -----------------------------------------------------------------------------------
base_config() { # HOOKS_JSON [EXTRA_GLOBALS]
    cat <<EOF
{ "Dhcp4": {
    "interfaces-config": { "interfaces": [ "$NT_BR" ] },
    "lease-database": { "type": "memfile", "name": "$LEASES" },
    "valid-lifetime": 600, "min-valid-lifetime": 2, "max-valid-lifetime": 600,
    "decline-probation-period": 2,
    "expired-leases-processing": { "reclaim-timer-wait-time": 1, "hold-reclaimed-time": 0,
                                   "flush-reclaimed-timer-wait-time": 0 },
    ${2:-}
    "hooks-libraries": $1,
    "subnet4": [ { "id": 7, "subnet": "192.0.2.0/24", "pools": [ { "pool": "192.0.2.100 - 192.0.2.150" } ],
                   "option-data": [ { "name": "routers", "data": "192.0.2.1" } ] } ]
} }
EOF
}
check_t() { # NAME HOOKS_JSON EXTRA PATTERN
    base_config "$2" "$3" >"$NT_TMP/t.json"
    out=$("$(srv_bin)" -t "$NT_TMP/t.json" 2>&1); rc=$?
    pat=$4
    expect "dorad -t refuses $1" '[ $rc -ne 0 ] && printf "%s" "$out" | grep -q -- "$pat"' "rc=$rc: $out"
}
check_t "a missing library (dlerror text)" '[ { "library": "/nonexistent/dora_none.so" } ]' "" \
    'Dhcp4.hooks-libraries\[0\]: cannot load hook library /nonexistent/dora_none.so: .*No such file'
check_t "a wrong ABI version (file and both versions)" \
    "[ { \"library\": \"$TESTHOOK\", \"parameters\": { \"log\": \"$NT_TMP/x.log\" } },
       { \"library\": \"$BUILD/tests/hooks/dora_test_badabi.so\" } ]" "" \
    "Dhcp4.hooks-libraries\[1\]: hook library $BUILD/tests/hooks/dora_test_badabi.so has ABI version 99, this dorad needs ABI version 1"
check_t "an MT-incompatible library with multi-threading on" \
    "[ { \"library\": \"$BUILD/tests/hooks/dora_test_mtunsafe.so\" } ]" "" \
    "is not compatible with multi threading"
check_t "an entry without library (JSON path)" '[ { "parameters": {} } ]' "" \
    'Dhcp4.hooks-libraries\[0\].library: a library path is required'
base_config "[ { \"library\": \"$BUILD/tests/hooks/dora_test_mtunsafe.so\" } ]" \
    '"multi-threading": { "enable-multi-threading": false },' >"$NT_TMP/t.json"
out=$("$(srv_bin)" -t "$NT_TMP/t.json" 2>&1); rc=$?
expect "the MT-incompatible library is accepted with multi-threading off" '[ $rc -eq 0 ]' "$out"

# ---- 2. every hook point, with the shipped libraries and the doc's example --------------------------
# The example, extracted from doc/hooks.md and built with the doc's command line.
sed -n '/<!-- example: begin -->/,/<!-- example: end -->/p' "$SRV_REPO/doc/hooks.md" |
    sed '1,2d;$d' | sed '$d' >"$NT_TMP/example_hook.c"
cc -shared -fPIC -O2 -Wall -Werror -I"$SRV_REPO/hooks/include" -o "$NT_TMP/example_hook.so" \
    "$NT_TMP/example_hook.c" 2>"$NT_TMP/example.err"
expect "the example from doc/hooks.md builds against the header" '[ -f "$NT_TMP/example_hook.so" ]' \
    "$(head -5 "$NT_TMP/example.err")"

cat >"$NT_TMP/event.sh" <<EOF
#!/bin/sh
echo "\$1 addr=\$LEASE4_ADDRESS type=\$QUERY4_TYPE hw=\$LEASE4_HWADDR subnet=\$SUBNET4_ID n=\$LEASES4_SIZE a0=\$LEASES4_AT0_ADDRESS remove=\$REMOVE_LEASE state=\$LEASE4_STATE" >> "$SCRIPT_OUT"
EOF
chmod +x "$NT_TMP/event.sh"

hooks_json() { # TEST_HOOK_PARAMS
    cat <<EOF
[ { "library": "$TESTHOOK", "parameters": { "log": "$HLOG" ${1:+, $1} } },
  { "library": "$BUILD/hooks/dora_run_script.so", "parameters": { "name": "$NT_TMP/event.sh", "sync": false } },
  { "library": "$NT_TMP/example_hook.so", "parameters": { "tag": "site-a" } },
  { "library": "$BUILD/hooks/dora_forensic.so", "parameters": { "path": "$LEGAL", "base-name": "dora-legal" } } ]
EOF
}
CSOCK="$NT_TMP/ctrl.sock"
base_config "$(hooks_json)" "\"control-sockets\": [ { \"socket-type\": \"unix\", \"socket-name\": \"$CSOCK\" } ]," >"$CONF"

nt_server_ns
nt_client c1 02:00:00:00:0a:01; NS=$NT_LAST_NS
HC() { timeout 20 ip netns exec "$NS" python3 "$HERE/lib/hookclient.py" "$@"; }
srv_start "$CONF" "$LOG" || nt_die "server did not start"

cat >"$NT_TMP/udhcpc.sh" <<EOF
#!/bin/sh
[ "\$1" = bound ] && echo "\$ip" > "$NT_TMP/bound"
exit 0
EOF
chmod +x "$NT_TMP/udhcpc.sh"
timeout 20 ip netns exec "$NS" busybox udhcpc -i c0 -n -q -t 4 -T 1 -s "$NT_TMP/udhcpc.sh" >/dev/null 2>&1
U=$(cat "$NT_TMP/bound" 2>/dev/null)
expect "udhcpc gets a lease with the hook libraries loaded ($U)" '[ -n "$U" ]'

MA=02:00:00:00:0a:02; MB=02:00:00:00:0a:03; MC=02:00:00:00:0a:04
RA=$(HC dora $MA); A=$(echo "$RA" | awk '/^ACK/{print $2}')
expect "scripted DORA for $MA: $RA" '[ -n "$A" ]'
# A RENEWING client holds its address: the ACK is unicast to ciaddr.
ip -n "$NS" addr add "$A/24" dev c0
RR=$(HC renew $MA "$A" 192.0.2.1)
expect "renew of $A is ACKed ($RR)" '[ "$(echo "$RR" | awk "{print \$2}")" = "$A" ]'
HC release $MA "$A" 192.0.2.1 >/dev/null
ip -n "$NS" addr del "$A/24" dev c0
RD=$(HC decline $MB); D=${RD#DECLINED }
expect "DECLINE of $D sent after its DORA" '[ "${RD%% *}" = DECLINED ]' "$RD"
RC=$(HC dora $MC 2); C=$(echo "$RC" | awk '/^ACK/{print $2}')
expect "a 2 s lease for $MC ($C)" '[ -n "$C" ]' "$RC"

has() { grep -E -q "$1" "$HLOG"; }
nt_wait_for 15 'has "^lease4_expire .*lease=$C " && has "^lease4_recover .*lease=$D "' || true
expect "buffer4_receive saw the raw query" 'has "^buffer4_receive .*qbuf=[0-9]+"'
expect "pkt4_receive saw the DISCOVER of $MA" 'has "^pkt4_receive mac=$MA type=1 "'
expect "subnet4_select saw subnet 7 192.0.2.0/24" 'has "^subnet4_select mac=$MA type=3 .*subnet=7/192.0.2.0/24"'
expect "lease4_select fake_allocation=1 on the DISCOVER" 'has "^lease4_select mac=$MA type=1 .*lease=$A hw=$MA .*fake=1"'
expect "lease4_select fake_allocation=0 on the REQUEST" 'has "^lease4_select mac=$MA type=3 .*lease=$A .*fake=0"'
expect "lease4_renew on the renewing REQUEST" 'has "^lease4_renew mac=$MA type=3 .*lease=$A hw=$MA"'
expect "leases4_committed with the committed lease and the ACK" 'has "^leases4_committed mac=$MA type=3 .*rtype=5 .*committed=1 deleted=0 c0=$A"'
expect "pkt4_send saw the OFFER" 'has "^pkt4_send mac=$MA type=1 .*rtype=2"'
expect "buffer4_send saw the packed ACK" 'has "^buffer4_send mac=$MA type=3 .*rbuf=[0-9]+ rtype=5"'
expect "lease4_release with the released lease" 'has "^lease4_release mac=$MA type=7 .*lease=$A hw=$MA"'
expect "leases4_committed after the RELEASE lists it as deleted" 'has "^leases4_committed mac=$MA type=7 .*committed=0 deleted=1 d0=$A"'
expect "lease4_decline with the declined lease" 'has "^lease4_decline mac=$MB type=4 .*lease=$D hw=$MB"'
expect "lease4_expire of the 2 s lease, remove_lease=1" 'has "^lease4_expire subnet=7/192.0.2.0/24 lease=$C hw=$MC lft=2 state=0 remove=1"'
expect "lease4_recover of the declined address" 'has "^lease4_recover subnet=7/192.0.2.0/24 lease=$D .*state=1"'
DORACTL=${DORACTL:-$BUILD/doractl}
"$DORACTL" -s "$CSOCK" version-get >/dev/null 2>&1; rc=$?
expect "doractl version-get answered (exit $rc)" '[ $rc -eq 0 ]'
expect "command_processed saw version-get" 'nt_wait_for 5 "grep -q \"^command_processed .*command=version-get\" \"$HLOG\""'
expect "the example hook logged the committed lease" 'grep -q "EXAMPLE_LEASE_COMMITTED site-a: lease $A" "$LOG"'

LF=$(ls "$LEGAL"/dora-legal.*.txt 2>/dev/null | head -1)
expect "forensic log file dora-legal.CCYYMMDD.txt exists" '[[ "$LF" =~ dora-legal\.[0-9]{8}\.txt$ ]]' "$(ls "$LEGAL")"
lg() { grep -E -q "$1" "$LF" 2>/dev/null; }
expect "forensic: assigned line for $A with hw and client-id" \
    'lg "Address: $A has been assigned for 10 mins 0 secs to a device with hardware address: hwtype=1 $MA, client-id: 01:$MA"'
expect "forensic: renewed line for $A" 'lg "Address: $A has been renewed for 10 mins 0 secs"'
expect "forensic: released line for $A" 'lg "Address: $A has been released to a device with hardware address: hwtype=1 $MA"'
expect "forensic: declined line for $D" 'lg "Address: $D has been declined to a device with hardware address: hwtype=1 $MB"'
expect "forensic: the udhcpc lease $U is logged" 'lg "Address: $U has been assigned"'

nt_wait_for 5 'grep -q "^lease4_recover addr=$D" "$SCRIPT_OUT" 2>/dev/null' || true
sc() { grep -E -q "$1" "$SCRIPT_OUT" 2>/dev/null; }
expect "run_script: leases4_committed with LEASES4_AT0_ADDRESS" 'sc "^leases4_committed addr= type=DHCPREQUEST hw= subnet=7 n=1 a0=$A "'
expect "run_script: lease4_renew with LEASE4_ADDRESS/HWADDR" 'sc "^lease4_renew addr=$A type=DHCPREQUEST hw=$MA subnet=7 "'
expect "run_script: lease4_release" 'sc "^lease4_release addr=$A type=DHCPRELEASE hw=$MA"'
expect "run_script: lease4_decline" 'sc "^lease4_decline addr=$D type=DHCPDECLINE hw=$MB"'
expect "run_script: lease4_expire with REMOVE_LEASE=true" 'sc "^lease4_expire addr=$C type= hw=$MC subnet=7 .*remove=true state=default"'
expect "run_script: lease4_recover" 'sc "^lease4_recover addr=$D .*state=declined"'

# ---- 3. skip, drop, park; reload unloads and reloads ------------------------------------------------
MD=02:00:00:00:0b:01; ME=02:00:00:00:0b:02; MF=02:00:00:00:0b:03
base_config "[ { \"library\": \"$TESTHOOK\", \"parameters\": { \"log\": \"$HLOG\", \"drop\": \"pkt4_receive\", \"match-mac\": \"$MD\" } },
  { \"library\": \"$TESTHOOK\", \"parameters\": { \"log\": \"$HLOG\", \"skip\": \"lease4_release\", \"match-mac\": \"$ME\" } },
  { \"library\": \"$TESTHOOK\", \"parameters\": { \"log\": \"$HLOG\", \"park\": \"leases4_committed\", \"park-ms\": 1500, \"match-mac\": \"$MF\" } } ]" >"$CONF"
before=$(grep -c '^unload$' "$HLOG")
kill -HUP "$SRV_PID"
nt_wait_for 10 '[ "$(grep -c DHCP4_CONFIG_COMPLETE "$LOG")" -ge 1 ]'
expect "reload unloaded the old test library" 'nt_wait_for 5 "[ \$(grep -c ^unload\$ \"$HLOG\") -gt $before ]"'
R=$(HC dora $MD)
expect "pkt4_receive DROP: $MD gets no OFFER ($R)" '[ "$R" = NOOFFER ]'
RE=$(HC dora $ME); E=$(echo "$RE" | awk '/^ACK/{print $2}')
HC release $ME "$E" 192.0.2.1 >/dev/null
nt_wait_for 5 'grep -q "^lease4_release mac=$ME" "$HLOG"' || true
sleep 0.3
row=$(lease_last_row "$LEASES" "$E")
expect "lease4_release SKIP: $E stays leased" '[ -n "$E" ] && [ "$(lease_field "$row" valid_lifetime)" = 600 ] && [ "$(lease_field "$row" state)" = 0 ]' "$row"
RF=$(HC dora $MF)
secs=$(echo "$RF" | awk '/^ACK/{print $3}')
expect "PARK: the ACK for $MF comes after the 1.5 s unpark ($RF)" \
    '[ -n "$secs" ] && awk -v s="$secs" "BEGIN{exit !(s >= 1.4)}"'
expect "the parked packet was parked and unparked once" 'grep -q "^parked$" "$HLOG" && grep -q "^unpark$" "$HLOG"'

# parked-packet-limit 1: the second REQUEST reaching leases4_committed is dropped and counted.
base_config "[ { \"library\": \"$TESTHOOK\", \"parameters\": { \"log\": \"$HLOG\", \"park\": \"leases4_committed\", \"park-ms\": 2500 } } ]" \
    '"parked-packet-limit": 1,' >"$CONF"
kill -HUP "$SRV_PID"
nt_wait_for 10 '[ "$(grep -c DHCP4_CONFIG_COMPLETE "$LOG")" -ge 2 ]'
drop_stat() { srv_stats | python3 -c 'import json,sys; v = json.load(sys.stdin)["pkt4-receive-drop"]; print(v[0][0] if isinstance(v, list) else v)'; }
drops0=$(drop_stat)
P=$(HC pair 02:00:00:00:0c:01 02:00:00:00:0c:02 4.5)
drops1=$(drop_stat)
expect "limit 1: the first parked REQUEST is ACKed after its unpark" \
    'echo "$P" | grep -E -q "^02:00:00:00:0c:01 ACK 192.0.2.[0-9]+ (2\.[4-9]|3\.|4\.)"' "$P"
expect "limit 1: the second REQUEST is dropped while the first is parked" \
    'echo "$P" | grep -q "^02:00:00:00:0c:02 NOACK"' "$P"
expect "limit 1: the drop is counted in pkt4-receive-drop ($drops0 -> $drops1)" '[ "$drops1" -gt "$drops0" ]'

srv_stop
rc=$?
expect "SIGTERM stops the server with status 0 (libraries unloaded)" '[ $rc -eq 0 ] && [ "$(tail -1 "$HLOG")" = unload ]' "status $rc; $(tail -1 "$HLOG")"

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
