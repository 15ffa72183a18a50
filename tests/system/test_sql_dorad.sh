#!/usr/bin/env bash
# tests/system/test_sql_dorad.sh — dorad itself on MariaDB and PostgreSQL.
#
# Real mariadbd and postgres run inside the server namespace (127.0.0.1 of
# that namespace only, lib/dbservers.sh with DBS_NETNS), initialised with
# dora-admin. Then:
#  1. For lease-database AND hosts-database mysql, then postgresql: ISC
#     dhclient and busybox udhcpc get leases, renew and release them; udhcpc
#     has a reservation stored in the database (address, hostname, and a
#     domain-name option from dhcp4_options); a pool address reserved in the
#     database for an absent client is never handed out dynamically. The
#     leases are checked in the database. Then the hosts-database (PostgreSQL)
#     goes down: packets are dropped and logged, its on-fail applies
#     (stop-retry-exit: serves again once it is back; serve-retry-exit: exits).
#  2. Two dorads (server ids 192.0.2.1 and 192.0.2.2, the same bridge, one
#     MariaDB database) under two dora-perf generators with overlapping client
#     populations: a sniffer records every ACK; no address is ACKed to two
#     clients, and each ACK's lease is the database's row.
#  3. The database is SIGKILLed and restarted under load: on-fail
#     stop-retry-exit stops answering while it is down and serves again when
#     it is back, without a restart; every ACK on the wire is in the
#     database. serve-retry-exit exits once max-reconnect-tries are spent.
#
# Needs root, dhclient, busybox, mariadbd, postgres, python3. Prints one line
# per check and "N passed, M failed".
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$HERE/lib/netns.sh"
. "$HERE/lib/server.sh"
. "$HERE/lib/check.sh"

[ "$SERVER" = dora ] || { echo "test_sql_dorad: dora only (SERVER=$SERVER)"; exit 0; }
nt_init sqldorad
nt_require dhclient busybox mariadbd python3
srv_check_bin
BDIR=$(cd "$(dirname "$(srv_bin)")" && pwd)
PERF=${DORA_PERF:-$BDIR/dora-perf}
ADMIN=$ROOT/admin/dora-admin
export DORA_MODULE_DIR=$BDIR/backends
[ -x "$PERF" ] || nt_die "no dora-perf at $PERF"

nt_server_ns 192.0.2.1/24 192.0.2.2/24
DBS_NETNS=$NT_SRV
. "$HERE/lib/dbservers.sh"
export DORA_DB_PASSWORD=$DBS_PASSWORD
nt_on_cleanup 'dbs_stop_all'
DBDIR=$NT_TMP/db
mkdir -p "$DBDIR"

dbs_start_mysql "$DBDIR"; check "mariadbd started in the server namespace" $?
dbs_start_pgsql "$DBDIR"; check "postgres started in the server namespace" $?
[ -n "${DBS_MYSQL_SPEC:-}" ] && [ -n "${DBS_PGSQL_SPEC:-}" ] || nt_die "database servers missing"
for be in mysql pgsql; do
    [ $be = mysql ] && port=$DBS_MYSQL_PORT || port=$DBS_PGSQL_PORT
    dbs_in "$ADMIN" db-init $be -h 127.0.0.1 -P "$port" -u dora -n dora </dev/null >/dev/null
    check "dora-admin db-init $be" $?
done

# sq BACKEND SQL : run SQL, tab-separated rows without headers.
sq() {
    if [ "$1" = mysql ]; then
        mariadb --socket="$DBS_MYSQL_SOCK" -uroot -N -B dora -e "$2"
    else
        PGPASSWORD=$DBS_PASSWORD dbs_in psql -X -q -A -t -F $'\t' -h 127.0.0.1 -p "$DBS_PGSQL_PORT" \
            -U dora -d dora -c "$2"
    fi
}
ip2int() { local IFS=.; set -- $1; echo $(( ($1 << 24) | ($2 << 16) | ($3 << 8) | $4 )); }
int2ip() { echo "$(( $1 >> 24 & 255 )).$(( $1 >> 16 & 255 )).$(( $1 >> 8 & 255 )).$(( $1 & 255 ))"; }
hexof() { [ "$1" = mysql ] && echo "LOWER(HEX($2))" || echo "encode($2, 'hex')"; }
# lease_row BACKEND ADDR : "hwaddr-hex state valid_lifetime expire" of ADDR, or nothing.
lease_row() {
    sq "$1" "SELECT $(hexof "$1" hwaddr), state, valid_lifetime, expire FROM lease4
             WHERE address = $(ip2int "$2")" | tr '\t' ' '
}
machex() { echo "$1" | tr -d ':' | tr 'A-F' 'a-f'; }

# db_conf BACKEND [EXTRA-JSON] : the connection part of a database entry.
db_conf() {
    local type port
    [ "$1" = mysql ] && { type=mysql; port=$DBS_MYSQL_PORT; } || { type=postgresql; port=$DBS_PGSQL_PORT; }
    echo "\"type\": \"$type\", \"name\": \"dora\", \"host\": \"127.0.0.1\", \"port\": $port,
          \"user\": \"dora\", \"password\": \"$DBS_PASSWORD\"${2:+, $2}"
}

# ---- 1. real clients, leases and reservations in the database --------------
DH_MAC=02:00:00:00:01:01
UD_MAC=02:00:00:00:01:02
OTHER_MAC=02:00:00:00:09:09
LIFETIME=600
nt_client dh "$DH_MAC"; DH_NS=$NT_LAST_NS
nt_client ud "$UD_MAC"; UD_NS=$NT_LAST_NS

add_reservations() {   # the udhcpc client's host and an absent client's
    local be=$1 hid
    sq "$be" "INSERT INTO hosts (dhcp_identifier, dhcp_identifier_type, dhcp4_subnet_id, ipv4_address,
                                 hostname) VALUES ($( [ "$be" = mysql ] && echo "UNHEX('$(machex $UD_MAC)')" ||
                                 echo "decode('$(machex $UD_MAC)', 'hex')"), 0, 1, $(ip2int 192.0.2.200),
                                 'db-host')" >/dev/null
    hid=$(sq "$be" "SELECT host_id FROM hosts WHERE ipv4_address = $(ip2int 192.0.2.200)")
    sq "$be" "INSERT INTO dhcp4_options (code, formatted_value, space, persistent, host_id)
              VALUES (15, 'db.example.org', 'dhcp4', $( [ "$be" = mysql ] && echo 0 || echo false), $hid)" >/dev/null
    sq "$be" "INSERT INTO hosts (dhcp_identifier, dhcp_identifier_type, dhcp4_subnet_id, ipv4_address)
              VALUES ($( [ "$be" = mysql ] && echo "UNHEX('$(machex $OTHER_MAC)')" ||
                      echo "decode('$(machex $OTHER_MAC)', 'hex')"), 0, 1, $(ip2int 192.0.2.100))" >/dev/null
}

DH_DIR="$NT_TMP/dhclient"; UD_DIR="$NT_TMP/udhcpc"
ev_get() {
    awk -v r="$2" -v v="$3" '$2 == r { split($0, a, " "); kv = substr($0, length(a[1]) + length(a[2]) + 3);
        if (index(kv, v "=") == 1) val = substr(kv, length(v) + 2) } END { print val }' "$1/events.log" 2>/dev/null
}
ev_count() { local n; n=$(grep -c " $2 " "$1/events.log" 2>/dev/null) || true; echo "${n:-0}"; }
dhclient_run() {
    timeout 40 ip netns exec "$DH_NS" dhclient -4 -v -cf "$DH_DIR/dhclient.conf" \
        -sf "$DH_DIR/script" -lf "$DH_DIR/leases" -pf "$DH_DIR/pid" "$@" c0 >>"$DH_DIR/dhclient.out" 2>&1
}
active() { local r; r=$(lease_row "$1" "$2"); [ -n "$r" ] && [ "$(echo "$r" | cut -d' ' -f2)" = 0 ] &&
           [ "$(echo "$r" | cut -d' ' -f3)" -gt 0 ]; }

clients_on() {
    local be=$1 conf=$NT_TMP/clients-$1.json log=$NT_TMP/server-clients-$1.log
    rm -rf "$DH_DIR" "$UD_DIR"
    mkdir -p "$DH_DIR" "$UD_DIR"
    cp "$HERE/lib/dhclient-script.sh" "$DH_DIR/script"
    cp "$HERE/lib/udhcpc-script.sh" "$UD_DIR/script"
    printf 'timeout 15;\nretry 1;\ninitial-interval 1;\nbackoff-cutoff 2;\n%s\n' \
        'request subnet-mask, broadcast-address, routers, domain-name-servers, host-name;' >"$DH_DIR/dhclient.conf"
    add_reservations "$be"
    cat >"$conf" <<EOF
{ "Dhcp4": {
    "interfaces-config": { "interfaces": [ "$NT_BR/192.0.2.1" ] },
    "lease-database": { $(db_conf "$be") },
    "hosts-database": { $(db_conf "$be" '"readonly": true') },
    "valid-lifetime": $LIFETIME,
    "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24",
      "pools": [ { "pool": "192.0.2.100 - 192.0.2.150" } ],
      "option-data": [ { "name": "routers", "data": "192.0.2.1" },
                       { "name": "domain-name-servers", "data": "192.0.2.53" } ] } ] } }
EOF
    srv_start "$conf" "$log"
    check "[$be] dorad starts with lease-database and hosts-database $be" $? "see $log"
    [ -n "$SRV_PID" ] || return

    dhclient_run -1
    check "[$be] dhclient obtains a lease" $? "see $DH_DIR/dhclient.out"
    local dh_ip; dh_ip=$(ev_get "$DH_DIR" BOUND new_ip_address)
    expect "[$be] dhclient got $dh_ip from the pool, not 192.0.2.100 (reserved in the DB for another client)" \
        'case "$dh_ip" in 192.0.2.1[0-4][0-9]|192.0.2.150) [ "$dh_ip" != 192.0.2.100 ] ;; *) false ;; esac'
    expect "[$be] DB has $dh_ip for $DH_MAC, state 0, lifetime $LIFETIME" \
        '[ "$(lease_row "$be" "$dh_ip" | cut -d" " -f1-3)" = "$(machex $DH_MAC) 0 $LIFETIME" ]' \
        "row '$(lease_row "$be" "$dh_ip")'"

    ip netns exec "$UD_NS" busybox udhcpc -f -i c0 -s "$UD_DIR/script" -p "$UD_DIR/pid" \
        -t 5 -T 1 -A 1 -n -R -O hostname -O domain >"$UD_DIR/udhcpc.out" 2>&1 &
    local ud_pid=$!
    nt_wait_for 15 '[ "$(ev_count "$UD_DIR" bound)" -ge 1 ] || ! kill -0 $ud_pid 2>/dev/null'
    expect "[$be] udhcpc gets its DB-reserved address 192.0.2.200" \
        '[ "$(ev_get "$UD_DIR" bound ip)" = 192.0.2.200 ]' "got '$(ev_get "$UD_DIR" bound ip)'"
    expect "[$be] udhcpc gets the DB host name db-host" '[ "$(ev_get "$UD_DIR" bound hostname)" = db-host ]' \
        "got '$(ev_get "$UD_DIR" bound hostname)'"
    expect "[$be] udhcpc gets the DB host option domain-name db.example.org" \
        '[ "$(ev_get "$UD_DIR" bound domain)" = db.example.org ]' "got '$(ev_get "$UD_DIR" bound domain)'"
    expect "[$be] udhcpc still gets the subnet's router" '[ "$(ev_get "$UD_DIR" bound router)" = 192.0.2.1 ]'
    expect "[$be] DB has 192.0.2.200 for $UD_MAC" \
        '[ "$(lease_row "$be" 192.0.2.200 | cut -d" " -f1-2)" = "$(machex $UD_MAC) 0" ]'

    # Renew: dhclient INIT-REBOOT with its lease file, udhcpc a unicast RENEWING.
    dhclient_run -x
    dhclient_run -1
    expect "[$be] dhclient REBOOT keeps $dh_ip" '[ "$(ev_get "$DH_DIR" REBOOT new_ip_address)" = "$dh_ip" ]'
    kill -USR1 "$ud_pid" 2>/dev/null
    nt_wait_for 10 '[ "$(ev_count "$UD_DIR" renew)" -ge 1 ]'
    expect "[$be] udhcpc renew keeps 192.0.2.200" '[ "$(ev_get "$UD_DIR" renew ip)" = 192.0.2.200 ]'

    # Release: the lease is gone or released (lease affinity) in the DB.
    dhclient_run -r
    nt_wait_for 5 '! active "$be" "$dh_ip"'
    expect "[$be] dhclient release frees $dh_ip in the DB" '! active "$be" "$dh_ip"' \
        "row '$(lease_row "$be" "$dh_ip")'"
    kill -TERM "$ud_pid" 2>/dev/null
    nt_wait_for 5 '! kill -0 $ud_pid 2>/dev/null'
    nt_wait_for 5 '! active "$be" 192.0.2.200'
    expect "[$be] udhcpc release frees 192.0.2.200 in the DB" '! active "$be" 192.0.2.200'
    dhclient_run -x
    srv_stop
    check "[$be] dorad exits 0 on SIGTERM" $?
    expect "[$be] no sanitizer report" '! grep -qE "ERROR: (Address|Leak|Thread)Sanitizer|runtime error:" "$log"'
}
clients_on mysql
clients_on pgsql

# ---- load helpers ----------------------------------------------------------
SNIFF_PID=""
sniff_start() {   # sniff_start OUT : record replies on the bridge
    ip netns exec "$NT_SRV" python3 "$HERE/lib/ack_sniff.py" "$NT_BR" "$1" 120 &
    SNIFF_PID=$!
    nt_wait_for 5 'grep -q READY "$1" 2>/dev/null'
}
sniff_stop() { kill -TERM "$SNIFF_PID" 2>/dev/null; wait "$SNIFF_PID" 2>/dev/null; SNIFF_PID=""; }
nt_on_cleanup '[ -z "$SNIFF_PID" ] || kill "$SNIFF_PID" 2>/dev/null'

# A second dorad beside srv_start's (its own PID dir, config and log).
SRV2_PID=""
SRV2_LOG=""
srv2_start() {
    SRV2_LOG=$2
    mkdir -p "$NT_TMP/pid2"
    touch "$SRV2_LOG"
    ip netns exec "$NT_SRV" env DORA_PIDFILE_DIR="$NT_TMP/pid2" \
        ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=0:exitcode=66}" "$(srv_bin)" -c "$1" >>"$2" 2>&1 &
    SRV2_PID=$!
    nt_wait_for 20 'grep -q DHCP4_STARTED "$SRV2_LOG" || ! kill -0 $SRV2_PID 2>/dev/null'
    kill -0 "$SRV2_PID" 2>/dev/null
}
nt_on_cleanup '[ -z "$SRV2_PID" ] || kill "$SRV2_PID" 2>/dev/null'

# acks_vs_db BACKEND ACKLOG : every address ACKed to one client only, and the
# last ACK of each address is the DB's row (hwaddr, expire >= ack + lt - 2).
acks_vs_db() {
    sq "$1" "SELECT address, $(hexof "$1" hwaddr), expire, state FROM lease4" >"$NT_TMP/db.tsv"
    python3 - "$2" "$NT_TMP/db.tsv" <<'PY'
import sys
acks, db = sys.argv[1], sys.argv[2]
rows = {}
for line in open(db):
    p = line.split("\t")
    if len(p) == 4:
        a = int(p[0]); ip = "%d.%d.%d.%d" % (a >> 24, a >> 16 & 255, a >> 8 & 255, a & 255)
        rows[ip] = (p[1], int(p[2]), int(p[3]))
owner, last, bad, n = {}, {}, [], 0
for line in open(acks):
    p = line.split()
    if len(p) != 6 or p[0] != "ACK":
        continue
    n += 1
    mac, ip, lt, t = p[1], p[2], int(p[3]) if p[3].isdigit() else 0, float(p[4])
    if owner.setdefault(ip, mac) != mac:
        bad.append("%s ACKed to %s and %s" % (ip, owner[ip], mac))
    last[ip] = (mac, lt, t)
for ip, (mac, lt, t) in last.items():
    r = rows.get(ip)
    if r is None:
        bad.append("%s (ACKed to %s) not in the DB" % (ip, mac))
    elif r[0] != mac.replace(":", ""):
        bad.append("%s ACKed to %s, DB says %s" % (ip, mac, r[0]))
    elif r[1] < t + lt - 2:
        bad.append("%s: DB expire %d < ACK %.0f + %d" % (ip, r[1], t, lt))
print("%d ACKs, %d addresses, %d DB rows, %d problems" % (n, len(last), len(rows), len(bad)))
for b in bad[:10]:
    print("  " + b)
sys.exit(1 if bad or n == 0 else 0)
PY
}

perf() {   # perf NS MACBASE RATE SECONDS CLIENTS : broadcast DORA load, report in the log
    timeout $(( $4 + 15 )) ip netns exec "$1" "$PERF" -l c0 -b "mac=$2" -r "$3" -p "$4" -R "$5" \
        -d 2 -W 500000 all
}

nt_client g0; G0_NS=$NT_LAST_NS
nt_client g1; G1_NS=$NT_LAST_NS
nt_client g2; G2_NS=$NT_LAST_NS

# ---- 1b. the hosts-database goes away and comes back -----------------------
# Leases on MariaDB, reservations on PostgreSQL. While postgres is down a
# lookup fails: the packet is dropped (Kea drops a packet whose processing
# throws) and logged, and the hosts-database's own on-fail applies (Kea
# §11: on-fail covers the host backend too): stop-retry-exit stops serving
# until a probe finds it back, serve-retry-exit exits once
# max-reconnect-tries are spent. PostgreSQL stays down afterwards (the
# later parts use MariaDB only).
ping_ok() { timeout 10 ip netns exec "$1" "$PERF" -l c0 -b "mac=$2" -d 1 -W 200000 all >/dev/null 2>&1; }
hostsdown_conf() {   # ON-FAIL TRIES
    cat <<EOF
{ "Dhcp4": {
    "interfaces-config": { "interfaces": [ "$NT_BR/192.0.2.1" ] },
    "lease-database": { $(db_conf mysql) },
    "hosts-databases": [ { $(db_conf pgsql "\"on-fail\": \"$1\", \"max-reconnect-tries\": $2, \"reconnect-wait-time\": 500") } ],
    "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", "pools": [ { "pool": "192.0.2.100 - 192.0.2.150" } ] } ] } }
EOF
}
hostsdown_conf stop-retry-exit 100 >"$NT_TMP/hostsdown.json"
LOG=$NT_TMP/server-hostsdown.log
srv_start "$NT_TMP/hostsdown.json" "$LOG"; check "dorad with hosts-databases on PostgreSQL starts" $?
ping_ok "$G0_NS" 02:40:00:00:00:01; check "a DORA succeeds with the hosts-database up" $?
dbs_stop_pgsql immediate
ping_ok "$G0_NS" 02:40:00:00:00:02; RC=$?
expect "with the hosts-database down the DORA is not answered" '[ "$RC" -ne 0 ]'
nt_wait_for 5 'grep -q DHCP4_DB_RECONNECT "$LOG"'
expect "the failed lookup is logged, stop-retry-exit stops the service, dorad still runs" \
    'grep -q DHCP4_HOSTS_DB_LOOKUP_FAIL "$LOG" && grep -q "DHCP4_DB_RECONNECT " "$LOG" && kill -0 "$SRV_PID"'
dbs_pg_ctl_start "$DBDIR"; check "postgres restarted" $?
nt_wait_for 10 'grep -q DHCP4_DB_RECONNECTED "$LOG"'
check "the probe finds the hosts-database back and dorad serves again (DHCP4_DB_RECONNECTED)" $?
ping_ok "$G0_NS" 02:40:00:00:00:03
check "a DORA succeeds again once the hosts-database is back (no restart)" $?
srv_stop; check "dorad stops cleanly" $?

hostsdown_conf serve-retry-exit 2 >"$NT_TMP/hostsdown2.json"
LOG=$NT_TMP/server-hostsdown2.log
srv_start "$NT_TMP/hostsdown2.json" "$LOG"; check "dorad (hosts-database serve-retry-exit, 2 tries) starts" $?
dbs_stop_pgsql immediate
ping_ok "$G0_NS" 02:40:00:00:00:04
nt_wait_for 10 '! kill -0 "$SRV_PID" 2>/dev/null'
check "hosts-database serve-retry-exit: dorad exits when the reconnect attempts are spent" $?
wait "$SRV_PID" 2>/dev/null; RC=$?
expect "... with a non-zero status ($RC) and DHCP4_HOSTS_DB_LOST logged" \
    '[ "$RC" -ne 0 ] && grep -q DHCP4_HOSTS_DB_LOST "$LOG"'
SRV_PID=""

# ---- 2. two dorads, one database, overlapping clients ----------------------
sq mysql "DELETE FROM lease4" >/dev/null
two_conf() {   # two_conf SERVER-ADDR
    cat <<EOF
{ "Dhcp4": {
    "interfaces-config": { "interfaces": [ "$NT_BR/$1" ] },
    "lease-database": { $(db_conf mysql) },
    "valid-lifetime": 3600,
    "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24",
      "pools": [ { "pool": "192.0.2.10 - 192.0.2.209" } ] } ] } }
EOF
}
two_conf 192.0.2.1 >"$NT_TMP/two-a.json"
two_conf 192.0.2.2 >"$NT_TMP/two-b.json"
srv_start "$NT_TMP/two-a.json" "$NT_TMP/server-two-a.log"; check "dorad A (192.0.2.1) starts on MariaDB" $?
srv2_start "$NT_TMP/two-b.json" "$NT_TMP/server-two-b.log"; check "dorad B (192.0.2.2) starts on the same DB" $?
sniff_start "$NT_TMP/two.acks"
# Clients 0-299 and 150-449: 150 clients in both populations, 450 clients
# for 200 addresses, so both servers race for the same free addresses.
perf "$G1_NS" 02:10:00:00:00:00 300 6 300 >"$NT_TMP/perf-g1.out" 2>&1 &
P1=$!
perf "$G2_NS" 02:10:00:00:00:96 300 6 300 >"$NT_TMP/perf-g2.out" 2>&1 &
P2=$!
wait $P1 $P2
sleep 1
sniff_stop
A_ACKS=$(grep -c "^ACK .* 192.0.2.1$" "$NT_TMP/two.acks")
B_ACKS=$(grep -c "^ACK .* 192.0.2.2$" "$NT_TMP/two.acks")
expect "both dorads ACKed leases (A $A_ACKS, B $B_ACKS)" '[ "$A_ACKS" -gt 20 ] && [ "$B_ACKS" -gt 20 ]'
OUT=$(acks_vs_db mysql "$NT_TMP/two.acks"); st=$?
check "two dorads: no address ACKed to two clients, every ACK is the DB's lease ($OUT)" $st "$OUT"
expect "two dorads: the DB holds no address for two clients (address is the key) and <= 200 leases" \
    '[ "$(sq mysql "SELECT COUNT(*) FROM lease4 WHERE state = 0")" -le 200 ]'
CONFL=$(grep -c DHCP4_LEASE_CONFLICT "$NT_TMP/server-two-a.log" "$NT_TMP/server-two-b.log" | awk -F: '{s+=$2} END {print s+0}')
TWO=$(sq mysql "SELECT COUNT(*) FROM (SELECT hwaddr FROM lease4 WHERE state = 0 GROUP BY hwaddr HAVING COUNT(*) > 1) x")
echo "info: late conflicts (ACK withheld, another server won): $CONFL; clients holding two leases: $TWO"
srv_stop; check "dorad A stops cleanly" $?
kill -TERM "$SRV2_PID" 2>/dev/null; wait "$SRV2_PID"; check "dorad B stops cleanly" $?; SRV2_PID=""

# ---- 3. the database killed and restarted under load -----------------------
kill_conf() {   # kill_conf ON-FAIL TRIES
    cat <<EOF
{ "Dhcp4": {
    "interfaces-config": { "interfaces": [ "$NT_BR/192.0.2.1" ] },
    "lease-database": { $(db_conf mysql "\"on-fail\": \"$1\", \"max-reconnect-tries\": $2, \"reconnect-wait-time\": 250") },
    "valid-lifetime": 3600,
    "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24",
      "pools": [ { "pool": "192.0.2.10 - 192.0.2.250" } ] } ] } }
EOF
}
sq mysql "DELETE FROM lease4" >/dev/null
kill_conf stop-retry-exit 200 >"$NT_TMP/kill.json"
LOG=$NT_TMP/server-kill.log
srv_start "$NT_TMP/kill.json" "$LOG"; check "dorad (stop-retry-exit) starts" $?
sniff_start "$NT_TMP/kill.acks"
perf "$G1_NS" 02:20:00:00:00:00 150 10 200 >"$NT_TMP/perf-kill.out" 2>&1 &
P1=$!
sleep 3
T_KILL=$(date +%s.%N)
kill -9 "$DBS_MYSQL_PID"; wait "$DBS_MYSQL_PID" 2>/dev/null
nt_wait_for 8 'grep -q DHCP4_DB_RECONNECT "$LOG"'
check "dorad notices the lost database and stops serving (DHCP4_DB_RECONNECT)" $?
T_STOPPED=$(date +%s.%N)
sleep 2
T_RESTART=$(date +%s.%N)
dbs_restart_mysql "$DBDIR"; check "mariadbd restarted" $?
nt_wait_for 15 'grep -q DHCP4_DB_RECONNECTED "$LOG"'
check "dorad serves again once the database is back (DHCP4_DB_RECONNECTED), same process" $?
wait $P1
sleep 1
sniff_stop
expect "dorad process was not restarted" 'kill -0 "$SRV_PID" 2>/dev/null && [ "$(srv_count_started)" = 1 ]'
QUIET=$(awk -v a="$T_STOPPED" -v b="$T_RESTART" '($1 == "ACK" || $1 == "OFFER") && $5 > a + 0.5 && $5 < b' \
    "$NT_TMP/kill.acks" | wc -l)
expect "no OFFER or ACK while the database is down (stop-retry-exit): $QUIET" '[ "$QUIET" -eq 0 ]'
AFTER=$(awk -v b="$T_RESTART" '$1 == "ACK" && $5 > b' "$NT_TMP/kill.acks" | wc -l)
BEFORE=$(awk -v a="$T_KILL" '$1 == "ACK" && $5 < a' "$NT_TMP/kill.acks" | wc -l)
expect "ACKs before the kill ($BEFORE) and after the restart ($AFTER)" '[ "$BEFORE" -gt 50 ] && [ "$AFTER" -gt 50 ]'
OUT=$(acks_vs_db mysql "$NT_TMP/kill.acks"); st=$?
check "after the kill: every ACKed lease is in the database ($OUT)" $st "$OUT"
srv_stop; check "dorad stops cleanly after the outage" $?

# serve-retry-exit: a few tries, then the process ends.
kill_conf serve-retry-exit 3 >"$NT_TMP/kill2.json"
LOG=$NT_TMP/server-kill2.log
srv_start "$NT_TMP/kill2.json" "$LOG"; check "dorad (serve-retry-exit, 3 tries) starts" $?
perf "$G1_NS" 02:30:00:00:00:00 100 8 200 >"$NT_TMP/perf-kill2.out" 2>&1 &
P1=$!
sleep 2
kill -9 "$DBS_MYSQL_PID"; wait "$DBS_MYSQL_PID" 2>/dev/null
nt_wait_for 15 '! kill -0 "$SRV_PID" 2>/dev/null'
check "serve-retry-exit: dorad exits when the reconnect attempts are spent" $?
wait "$SRV_PID" 2>/dev/null; RC=$?
expect "serve-retry-exit: non-zero exit status ($RC) and DHCP4_DB_LOST logged" \
    '[ "$RC" -ne 0 ] && grep -q DHCP4_DB_LOST "$LOG"'
SRV_PID=""
wait $P1 2>/dev/null
dbs_restart_mysql "$DBDIR" >/dev/null 2>&1

for f in "$NT_TMP"/server-*.log; do
    expect "no sanitizer report in $(basename "$f")" \
        '! grep -qE "ERROR: (Address|Leak|Thread)Sanitizer|runtime error:" "$f"'
done
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
