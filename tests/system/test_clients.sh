#!/usr/bin/env bash
# tests/system/test_clients.sh — real DHCP clients against the server.
#
# ISC dhclient and busybox udhcpc, each in its own namespace on the server's
# bridge, go through the whole life of a lease: DORA, renew, release.  The
# udhcpc client has a host reservation (192.0.2.200, hostname "reserved-host").
# Checks what a client sees (address, routers, DNS, host name, lease time) and
# what the server persisted (Kea lease4 CSV: last row for an address wins).
#
# SERVER=dora|kea selects the server (see lib/server.sh).  Prints one line per
# check and "N passed, M failed"; exits non-zero on any failure.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/netns.sh"
. "$HERE/lib/server.sh"

. "$HERE/lib/check.sh"

nt_init clients
nt_require dhclient busybox
srv_check_bin

DH_MAC=02:00:00:00:01:01
UD_MAC=02:00:00:00:01:02
LEASES="$NT_TMP/leases4.csv"
CONF="$NT_TMP/clients.json"
LIFETIME=600

nt_server_ns
nt_client dh "$DH_MAC"; DH_NS=$NT_LAST_NS
nt_client ud "$UD_MAC"; UD_NS=$NT_LAST_NS

cat >"$CONF" <<EOF
{
  "Dhcp4": {
    "interfaces-config": { "interfaces": [ "$NT_BR" ] },
    "lease-database": { "type": "memfile", "name": "$LEASES", "lfc-interval": 0 },
    "valid-lifetime": $LIFETIME,
    "subnet4": [ {
      "id": 1,
      "subnet": "192.0.2.0/24",
      "pools": [ { "pool": "192.0.2.100 - 192.0.2.150" } ],
      "option-data": [
        { "name": "routers", "data": "192.0.2.1" },
        { "name": "domain-name-servers", "data": "192.0.2.53" }
      ],
      "reservations": [
        { "hw-address": "$UD_MAC", "ip-address": "192.0.2.200", "hostname": "reserved-host" }
      ]
    } ]
  }
}
EOF

srv_start "$CONF" "$NT_TMP/server.log" || nt_die "server did not start"

# ---- client working directories ---------------------------------------------
DH_DIR="$NT_TMP/dhclient"; UD_DIR="$NT_TMP/udhcpc"
mkdir -p "$DH_DIR" "$UD_DIR"
cp "$HERE/lib/dhclient-script.sh" "$DH_DIR/script"
cp "$HERE/lib/udhcpc-script.sh" "$UD_DIR/script"
cat >"$DH_DIR/dhclient.conf" <<'EOF'
timeout 15;
retry 1;
initial-interval 1;
backoff-cutoff 2;
request subnet-mask, broadcast-address, routers, domain-name-servers, host-name;
EOF

# ev_get DIR SEQ-REASON VAR : value of VAR in the last event with that reason.
ev_get() {
    awk -v r="$2" -v v="$3" '$2 == r { split($0, a, " "); kv = substr($0, length(a[1]) + length(a[2]) + 3);
        if (index(kv, v "=") == 1) val = substr(kv, length(v) + 2) } END { print val }' "$1/events.log" 2>/dev/null
}
ev_count() { local n; n=$(grep -c " $2 " "$1/events.log" 2>/dev/null) || true; echo "${n:-0}"; }
in_pool() {  # 192.0.2.100 .. 192.0.2.150
    case "$1" in 192.0.2.*) local o=${1##*.}; [ "$o" -ge 100 ] && [ "$o" -le 150 ] ;; *) return 1 ;; esac
}
dhclient_run() {   # dhclient_run ARGS... (bounded: -1 plus an outer timeout)
    timeout 40 ip netns exec "$DH_NS" dhclient -4 -v -cf "$DH_DIR/dhclient.conf" \
        -sf "$DH_DIR/script" -lf "$DH_DIR/leases" -pf "$DH_DIR/pid" "$@" c0 \
        >>"$DH_DIR/dhclient.out" 2>&1
}
lease_valid_lft() { local r; r=$(lease_last_row "$LEASES" "$1"); [ -n "$r" ] && lease_field "$r" valid_lifetime; }

# ---- 1. dhclient: DORA --------------------------------------------------------
dhclient_run -1
check "dhclient obtains a lease (exit 0)" $? "see $DH_DIR/dhclient.out"
DH_IP=$(ev_get "$DH_DIR" BOUND new_ip_address)
expect "dhclient address $DH_IP is in pool 192.0.2.100-150" 'in_pool "$DH_IP"'
expect "dhclient got routers 192.0.2.1" '[ "$(ev_get "$DH_DIR" BOUND new_routers)" = 192.0.2.1 ]' \
    "got '$(ev_get "$DH_DIR" BOUND new_routers)'"
expect "dhclient got DNS 192.0.2.53" '[ "$(ev_get "$DH_DIR" BOUND new_domain_name_servers)" = 192.0.2.53 ]' \
    "got '$(ev_get "$DH_DIR" BOUND new_domain_name_servers)'"
expect "dhclient lease time is $LIFETIME" '[ "$(ev_get "$DH_DIR" BOUND new_dhcp_lease_time)" = $LIFETIME ]' \
    "got '$(ev_get "$DH_DIR" BOUND new_dhcp_lease_time)'"
expect "dhclient address configured on c0" \
    'ip -n "$DH_NS" -4 addr show dev c0 | grep -q "inet $DH_IP/24"'
ROW=$(lease_last_row "$LEASES" "$DH_IP")
expect "lease file has $DH_IP for $DH_MAC" \
    '[ "$(lease_field "$ROW" hwaddr)" = $DH_MAC ] && [ "$(lease_field "$ROW" valid_lifetime)" = $LIFETIME ]' \
    "row '$ROW'"
expect "lease file row for $DH_IP: state 0, subnet 1, expire in the future" \
    '[ "$(lease_field "$ROW" state)" = 0 ] && [ "$(lease_field "$ROW" subnet_id)" = 1 ] &&
     [ "$(lease_field "$ROW" expire)" -gt "$(date +%s)" ]' "row '$ROW'"

# ---- 2. udhcpc: DORA with a reservation --------------------------------------
ip netns exec "$UD_NS" busybox udhcpc -f -i c0 -s "$UD_DIR/script" -p "$UD_DIR/pid" \
    -t 5 -T 1 -A 1 -n -R -O hostname >"$UD_DIR/udhcpc.out" 2>&1 &
UD_PID=$!
nt_wait_for 15 '[ "$(ev_count "$UD_DIR" bound)" -ge 1 ] || ! kill -0 $UD_PID 2>/dev/null'
expect "udhcpc obtains a lease" '[ "$(ev_count "$UD_DIR" bound)" -ge 1 ]' "see $UD_DIR/udhcpc.out"
expect "udhcpc gets its reserved address 192.0.2.200" '[ "$(ev_get "$UD_DIR" bound ip)" = 192.0.2.200 ]' \
    "got '$(ev_get "$UD_DIR" bound ip)'"
expect "udhcpc gets host name reserved-host" '[ "$(ev_get "$UD_DIR" bound hostname)" = reserved-host ]' \
    "got '$(ev_get "$UD_DIR" bound hostname)'"
expect "udhcpc got router 192.0.2.1" '[ "$(ev_get "$UD_DIR" bound router)" = 192.0.2.1 ]'
expect "udhcpc got DNS 192.0.2.53" '[ "$(ev_get "$UD_DIR" bound dns)" = 192.0.2.53 ]'
expect "udhcpc got server id 192.0.2.1" '[ "$(ev_get "$UD_DIR" bound serverid)" = 192.0.2.1 ]'
ROW=$(lease_last_row "$LEASES" 192.0.2.200)
expect "lease file has 192.0.2.200 for $UD_MAC" \
    '[ "$(lease_field "$ROW" hwaddr)" = $UD_MAC ] && [ "$(lease_field "$ROW" valid_lifetime)" = $LIFETIME ]' \
    "row '$ROW'"

# ---- 3. renew keeps the address ----------------------------------------------
# dhclient: stop it without releasing, then start again with its lease file:
# it asks for its old address (INIT-REBOOT, RFC 2131 3.2) and must get it back.
dhclient_run -x
dhclient_run -1
check "dhclient restart (INIT-REBOOT) succeeds" $?
expect "dhclient REBOOT keeps $DH_IP" '[ "$(ev_get "$DH_DIR" REBOOT new_ip_address)" = "$DH_IP" ]' \
    "reasons: $(awk '{print $2}' "$DH_DIR/events.log" | uniq | tr '\n' ' ')"
# udhcpc: SIGUSR1 sends a unicast REQUEST from the bound address (RENEWING).
kill -USR1 "$UD_PID" 2>/dev/null
nt_wait_for 10 '[ "$(ev_count "$UD_DIR" renew)" -ge 1 ]'
expect "udhcpc renew (SIGUSR1) is answered" '[ "$(ev_count "$UD_DIR" renew)" -ge 1 ]' \
    "events: $(awk '{print $2}' "$UD_DIR/events.log" | uniq | tr '\n' ' ')"
expect "udhcpc renew keeps 192.0.2.200" '[ "$(ev_get "$UD_DIR" renew ip)" = 192.0.2.200 ]'
expect "udhcpc renew keeps lease time $LIFETIME or less" \
    'l=$(ev_get "$UD_DIR" renew lease); [ -n "$l" ] && [ "$l" -gt 0 ] && [ "$l" -le $LIFETIME ]'
ROW=$(lease_last_row "$LEASES" 192.0.2.200)
expect "after renew 192.0.2.200 still belongs to $UD_MAC" \
    '[ "$(lease_field "$ROW" hwaddr)" = $UD_MAC ] && [ "$(lease_field "$ROW" valid_lifetime)" -gt 0 ]' \
    "row '$ROW'"

# ---- 4. release frees the address --------------------------------------------
# Kea deletes a released lease; in the memfile CSV a deletion is a row for the
# address with valid_lifetime 0.  With lease affinity a release is also a
# valid_lifetime-0 row (state 3).  Both: last row has valid_lifetime 0.
dhclient_run -r
check "dhclient -r exits 0" $?
nt_wait_for 5 '[ "$(lease_valid_lft "$DH_IP")" = 0 ]'
expect "dhclient release: lease file shows $DH_IP freed (valid_lifetime 0)" \
    '[ "$(lease_valid_lft "$DH_IP")" = 0 ]' "row '$(lease_last_row "$LEASES" "$DH_IP")'"
kill -TERM "$UD_PID" 2>/dev/null
nt_wait_for 5 '! kill -0 $UD_PID 2>/dev/null'
nt_wait_for 5 '[ "$(lease_valid_lft 192.0.2.200)" = 0 ]'
expect "udhcpc -R release: lease file shows 192.0.2.200 freed (valid_lifetime 0)" \
    '[ "$(lease_valid_lft 192.0.2.200)" = 0 ]' "row '$(lease_last_row "$LEASES" 192.0.2.200)'"

# A freed pool address can be leased again: the next DORA must succeed.
: >"$DH_DIR/leases"
dhclient_run -1
check "after release dhclient can lease again" $?
dhclient_run -x

# ---- 5. clean shutdown -------------------------------------------------------
srv_stop
check "server exits 0 on SIGTERM" $?
expect "server log has no sanitizer report" \
    '! grep -qE "ERROR: (Address|Leak|Thread)Sanitizer|runtime error:" "$SRV_LOG"'

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
