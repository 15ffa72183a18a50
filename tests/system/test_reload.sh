#!/usr/bin/env bash
# tests/system/test_reload.sh — configuration reload and process lifecycle (dorad only).
#
# SIGHUP with a broken file keeps the running configuration (and says where the file is wrong);
# SIGHUP with a good file switches to it while serving; a second dorad on the same config refuses
# to start (PID file); SIGTERM stops cleanly and removes the PID file. Clients are busybox udhcpc.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/netns.sh"
. "$HERE/lib/server.sh"

. "$HERE/lib/check.sh"

[ "$SERVER" = dora ] || { echo "test_reload.sh is for dorad only"; echo "0 passed, 0 failed"; exit 0; }
nt_init reload
nt_require busybox
srv_check_bin

CONF="$NT_TMP/reload.json"
LOG="$NT_TMP/server.log"
LEASES="$NT_TMP/leases4.csv"

write_config() { # POOL
    cat >"$CONF" <<EOF
{ "Dhcp4": {
    "interfaces-config": { "interfaces": [ "$NT_BR" ] },
    "lease-database": { "type": "memfile", "name": "$LEASES" },
    "valid-lifetime": 600,
    "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", "pools": [ { "pool": "$1" } ],
                   "option-data": [ { "name": "routers", "data": "192.0.2.1" } ] } ]
} }
EOF
}

cat >"$NT_TMP/udhcpc.sh" <<EOF
#!/bin/sh
[ "\$1" = bound ] && echo "\$ip" > "$NT_TMP/bound"
exit 0
EOF
chmod +x "$NT_TMP/udhcpc.sh"

nt_server_ns
nt_client c1 02:00:00:00:07:01; NS=$NT_LAST_NS

lease_for() { # MAC -> address obtained, or empty
    rm -f "$NT_TMP/bound"
    ip -n "$NS" link set c0 address "$1"
    timeout 20 ip netns exec "$NS" busybox udhcpc -i c0 -n -q -t 4 -T 1 -s "$NT_TMP/udhcpc.sh" \
        >>"$NT_TMP/udhcpc.out" 2>&1
    cat "$NT_TMP/bound" 2>/dev/null
}
in_range() { local o=${1##*.}; case "$1" in 192.0.2.*) [ "$o" -ge "$2" ] && [ "$o" -le "$3" ] ;; *) false ;; esac; }

write_config "192.0.2.100 - 192.0.2.110"
srv_start "$CONF" "$LOG" || nt_die "server did not start"
PIDFILE="$NT_TMP/pid/reload.dorad.pid"
expect "PID file holds the server's PID" '[ "$(cat "$PIDFILE" 2>/dev/null)" -gt 0 ]'

# A second instance on the same config must refuse to start.
ip netns exec "$NT_SRV" env DORA_PIDFILE_DIR="$NT_TMP/pid" timeout 10 "$(srv_bin)" -c "$CONF" \
    >"$NT_TMP/second.out" 2>&1
rc=$?
expect "second dorad on the same config exits 1" '[ $rc -eq 1 ]' "exit $rc"
expect "second dorad says it is already running" 'grep -q "already running" "$NT_TMP/second.out"' \
    "$(head -c 300 "$NT_TMP/second.out")"

A=$(lease_for 02:00:00:00:07:01)
expect "client gets $A from the first pool (.100-.110)" 'in_range "$A" 100 110'

# A broken file: refused with its JSON path, the running configuration stays.
cat >"$CONF" <<EOF
{ "Dhcp4": { "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24",
    "pools": [ { "pool": "198.51.100.1 - 198.51.100.9" } ] } ] } }
EOF
kill -HUP "$SRV_PID"
nt_wait_for 10 'grep -q DHCP4_CONFIG_LOAD_FAIL "$LOG"'
expect "bad reload is refused naming Dhcp4.subnet4[0].pools[0]" \
    'grep DHCP4_CONFIG_LOAD_FAIL "$LOG" | grep -q "Dhcp4.subnet4\[0\].pools\[0\]"' \
    "$(grep DHCP4_CONFIG_LOAD_FAIL "$LOG" | tail -1)"
expect "server still running after the bad reload" 'kill -0 "$SRV_PID"'
B=$(lease_for 02:00:00:00:07:02)
expect "after the bad reload a client still gets $B from the first pool" 'in_range "$B" 100 110'

# A good file: the new pool is used at once.
write_config "192.0.2.120 - 192.0.2.130"
kill -HUP "$SRV_PID"
nt_wait_for 10 'grep -q DHCP4_CONFIG_COMPLETE "$LOG"'
expect "good reload is logged" 'grep -q DHCP4_CONFIG_COMPLETE "$LOG"'
C=$(lease_for 02:00:00:00:07:03)
expect "after the good reload a client gets $C from the new pool (.120-.130)" 'in_range "$C" 120 130'

srv_stop
rc=$?
expect "SIGTERM stops the server with status 0" '[ $rc -eq 0 ]' "status $rc"
expect "PID file removed on exit" '[ ! -e "$PIDFILE" ]'
expect "lease file holds all three leases" \
    '[ -n "$(lease_last_row "$LEASES" "$A")" ] && [ -n "$(lease_last_row "$LEASES" "$B")" ] && [ -n "$(lease_last_row "$LEASES" "$C")" ]'

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
