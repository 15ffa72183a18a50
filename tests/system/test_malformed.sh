#!/usr/bin/env bash
# tests/system/test_malformed.sh — malformed packets are dropped and counted, never crash the server
# (dorad only: it reads the counters from the DORA_STATS line).
#
# Sends to the running server, from a client namespace: truncated headers, a bad magic cookie, an
# option running past the end, an overload loop, a zero-length client-id, a missing end option and
# random garbage; then checks pkt4-parse-failed counted each one, and that a real client is still served.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/netns.sh"
. "$HERE/lib/server.sh"

. "$HERE/lib/check.sh"

[ "$SERVER" = dora ] || { echo "test_malformed.sh is for dorad only"; echo "0 passed, 0 failed"; exit 0; }
nt_init malformed
nt_require busybox python3
srv_check_bin

CONF="$NT_TMP/malformed.json"
LOG="$NT_TMP/server.log"
cat >"$CONF" <<EOF
{ "Dhcp4": {
    "interfaces-config": { "interfaces": [ "$NT_BR" ] },
    "lease-database": { "type": "memfile", "name": "$NT_TMP/leases4.csv" },
    "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", "pools": [ { "pool": "192.0.2.100 - 192.0.2.110" } ] } ]
} }
EOF
nt_server_ns
nt_client m1 02:00:00:00:08:01; NS=$NT_LAST_NS
ip -n "$NS" addr add 192.0.2.77/24 dev c0
srv_start "$CONF" "$LOG" || nt_die "server did not start"

stat_of() { # NAME -> value from a fresh DORA_STATS line
    srv_stats | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin).get('$1', -1))"
}
before=$(stat_of pkt4-parse-failed)

# Each datagram below is malformed in exactly one way (RFC 2131 layout built by hand here).
SENT=$(ip netns exec "$NS" /usr/bin/python3 - <<'EOF'
import os, random, socket, struct
def header(chaddr=b"\x02\x00\x00\x00\x08\x01"):
    return struct.pack("!BBBBIHHIIII16s64s128s", 1, 1, 6, 0, 0x1234, 0, 0x8000, 0, 0, 0, 0,
                       chaddr, b"", b"")
cookie = b"\x63\x82\x53\x63"
discover = b"\x35\x01\x01"
bad = [
    header()[:100],                                          # truncated header
    header() + b"\x00\x00\x00\x00" + discover + b"\xff",    # bad magic cookie
    header() + cookie + discover + b"\x0c\x20abc",          # option length past the end
    header() + cookie + discover + b"\x3d\x00\xff",         # zero-length client identifier
    header() + cookie + discover + b"\x0c\x03abc",          # no end option
]
# Overload loop: option 52 in the options field says "file holds options", and file holds 52 again.
h = bytearray(header())
h[108:111] = b"\x34\x01\x01"; h[111] = 0xff
bad.append(bytes(h) + cookie + discover + b"\x34\x01\x01\xff")
random.seed(7)
bad += [os.urandom(random.randint(1, 600)) for _ in range(20)]   # garbage (no valid cookie at 236)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.bind(("192.0.2.77", 68))
for b in bad:
    s.sendto(b, ("192.0.2.1", 67))
print(len(bad))
EOF
)
nt_wait_for 5 '[ "$(stat_of pkt4-parse-failed)" -ge $((before + SENT)) ]'
after=$(stat_of pkt4-parse-failed)
expect "all $SENT malformed datagrams counted in pkt4-parse-failed" '[ $((after - before)) -eq "$SENT" ]' \
    "counted $((after - before))"
drops=$(stat_of pkt4-receive-drop)
expect "pkt4-receive-drop counts them too" '[ "$drops" -ge "$SENT" ]' "pkt4-receive-drop $drops"
expect "server still running" 'kill -0 "$SRV_PID"'

cat >"$NT_TMP/udhcpc.sh" <<EOF
#!/bin/sh
[ "\$1" = bound ] && echo "\$ip" > "$NT_TMP/bound"
exit 0
EOF
chmod +x "$NT_TMP/udhcpc.sh"
ip -n "$NS" addr flush dev c0
timeout 20 ip netns exec "$NS" busybox udhcpc -i c0 -n -q -t 4 -T 1 -s "$NT_TMP/udhcpc.sh" >/dev/null 2>&1
expect "a real client is still served" 'grep -q "^192.0.2.1[01][0-9]*$" "$NT_TMP/bound"' \
    "bound: $(cat "$NT_TMP/bound" 2>/dev/null)"
srv_stop
rc=$?
expect "server stops cleanly" '[ $rc -eq 0 ]' "status $rc"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
