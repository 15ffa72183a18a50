#!/usr/bin/env bash
# tests/system/test_commands.sh — the lease, reservation and statistic commands end to end,
# through the control socket with doractl, against a dorad serving real DHCP traffic (dorad only).
#
# Raw-frame clients (lib/cmd_client.py) in a client namespace do the DORAs and count every
# packet. Every command answer is checked for its result code, which doractl's exit status must
# equal, and for its content against what the clients got and what the store holds:
#  1. memfile: lease4-get (address; hw-address / client-id + subnet-id), -get-all, -get-page over
#     three pages, -get-by-hw-address, -get-by-client-id, -get-by-hostname, -add (honoured by the
#     next DISCOVER, in the lease file when the answer comes), -update (force-create), -del (the
#     address is handed out again), -wipe; success, bad-argument (1, naming the argument) and
#     not-found (3) answers; subnet[1].assigned-addresses follows each change exactly.
#     statistic-get-all / -get / -reset / -remove agree with the packets the clients counted.
#     reservation-add (memory) is honoured on the next DORA; reservation-get / -get-all /
#     -get-page / -del; config-get shows it; config-write and a restart keep it.
#  2. MariaDB (lease-database and hosts-database, in the server namespace): the same lease
#     commands, each answer compared with the lease4 rows (mysql client); reservation-add to the
#     database is a hosts row and is honoured on the next DORA; reservation-get/-get-all/-get-page/
#     -del on the database.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$HERE/lib/netns.sh"
. "$HERE/lib/server.sh"
. "$HERE/lib/check.sh"

[ "$SERVER" = dora ] || { echo "test_commands.sh is for dorad only"; echo "0 passed, 0 failed"; exit 0; }
nt_init commands
nt_require python3 jq mariadbd mariadb
srv_check_bin
BDIR=$(cd "$(dirname "$(srv_bin)")" && pwd)
DORACTL=${DORACTL:-$BDIR/doractl}
ADMIN=$ROOT/admin/dora-admin
export DORA_MODULE_DIR=$BDIR/backends
[ -x "$DORACTL" ] || nt_die "doractl not found at $DORACTL (set DORACTL)"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)

SOCK="$NT_TMP/ctrl.sock"
LEASES="$NT_TMP/leases4.csv"
TALLY="$NT_TMP/tally.json"
SUBNET='{ "id": 1, "subnet": "192.0.2.0/24", "pools": [ { "pool": "192.0.2.100 - 192.0.2.109" } ] }'

nt_server_ns
nt_client c1; CNS=$NT_LAST_NS

# ctl CMD [ARGS] : J = the raw answer, RC = doractl's exit status. Then:
# jv FILTER : a jq filter over J; ok NAME CODE [CONDITION] : exit status CODE, the answer's result
# the same, and the condition true.
ctl() { J=$(timeout 20 "$DORACTL" -s "$SOCK" --json "$@" 2>&1); RC=$?; }
jv() { printf '%s' "$J" | jq -r "$1" 2>/dev/null; }
ok() {
    OK_CODE=$2 OK_COND=${3:-true}
    expect "$1 (result $2)" '[ "$RC" = "$OK_CODE" ] && [ "$(jv .result)" = "$OK_CODE" ] && eval "$OK_COND"' \
        "exit $RC: ${J:0:400}"
}
say() { jv .text; }
dora() { timeout 60 ip netns exec "$CNS" "$PY" "$HERE/lib/cmd_client.py" c0 "$TALLY" dora "$@"; }
offer() { timeout 20 ip netns exec "$CNS" "$PY" "$HERE/lib/cmd_client.py" c0 "$TALLY" discover "$1" | cut -d' ' -f2; }
tally() { jq -r ".$1" "$TALLY"; }
stat() { # NAME -> its current value through statistic-get
    local j
    j=$(timeout 20 "$DORACTL" -s "$SOCK" --json statistic-get "{\"name\": \"$1\"}" 2>/dev/null)
    printf '%s' "$j" | jq -r --arg n "$1" '.arguments[$n][0][0] // "none"'
}
assigned_is() {
    AS_WANT=$2 AS_IS=$(stat "subnet[1].assigned-addresses")
    expect "$1: subnet[1].assigned-addresses = $2" '[ "$AS_IS" = "$AS_WANT" ]' "is $AS_IS"
}

# ======================= 1. memfile ==========================================================
CONF="$NT_TMP/dorad.json"
cat >"$CONF" <<EOF
{ "Dhcp4": {
    "interfaces-config": { "interfaces": [ "$NT_BR" ] },
    "control-sockets": [ { "socket-type": "unix", "socket-name": "$SOCK" } ],
    "lease-database": { "type": "memfile", "name": "$LEASES" },
    "valid-lifetime": 600,
    "subnet4": [ $SUBNET ] } }
EOF
srv_start "$CONF" "$NT_TMP/server.log" || nt_die "server did not start"

M1=02:00:00:00:aa:01 M2=02:00:00:00:aa:02 M3=02:00:00:00:aa:03 M4=02:00:00:00:aa:04 M5=02:00:00:00:aa:05
CID1=01020000000a01
dora "$M1/$CID1" $M2 $M3 $M4 $M5 >"$NT_TMP/first.txt"
addr_of() { awk -v m="$1" '$1 == m { print $2 }' "$2"; }
A1=$(addr_of $M1 "$NT_TMP/first.txt") A2=$(addr_of $M2 "$NT_TMP/first.txt") A3=$(addr_of $M3 "$NT_TMP/first.txt")
A4=$(addr_of $M4 "$NT_TMP/first.txt") A5=$(addr_of $M5 "$NT_TMP/first.txt")
expect "five clients got leases from the pool" '! grep -q none "$NT_TMP/first.txt" &&
    [ "$(cut -d" " -f2 "$NT_TMP/first.txt" | sort -u | grep -c "^192\.0\.2\.10[0-7]$")" = 5 ]' "$(cat "$NT_TMP/first.txt")"
assigned_is "after 5 DORAs" 5

# --- lease4-get ---
ctl lease4-get "{\"ip-address\": \"$A1\"}"
ok "lease4-get by address: its hw-address, client-id, subnet" 0 \
    '[ "$(jv '"'"'.arguments | "\(."hw-address") \(."client-id") \(."subnet-id")"'"'"')" = "$M1 01:02:00:00:00:0a:01 1" ]'
expect "lease4-get text is Kea's" '[ "$(say)" = "IPv4 lease found." ]' "$(say)"
ctl lease4-get "{\"identifier-type\": \"hw-address\", \"identifier\": \"$M2\", \"subnet-id\": 1}"
ok "lease4-get by hw-address + subnet-id" 0 '[ "$(jv ".arguments.\"ip-address\"")" = "$A2" ]'
ctl lease4-get "{\"identifier-type\": \"client-id\", \"identifier\": \"01:02:00:00:00:0a:01\", \"subnet-id\": 1}"
ok "lease4-get by client-id + subnet-id" 0 '[ "$(jv ".arguments.\"ip-address\"")" = "$A1" ]'
ctl lease4-get "{\"identifier-type\": \"hw-address\", \"identifier\": \"$M2\", \"subnet-id\": 2}"
ok "lease4-get by hw-address in another subnet: not found" 3 '[ "$(say)" = "IPv4 lease not found." ]'
ctl lease4-get '{"ip-address": "192.0.2.250"}'
ok "lease4-get of a free address: not found" 3 '[ "$(say)" = "IPv4 lease not found." ]'
ctl lease4-get '{"ip-address": "192.0.2.300"}'
ok "lease4-get with a bad address names ip-address" 1 'say | grep -q "ip-address"'
ctl lease4-get '{"identifier-type": "duid", "identifier": "01:02", "subnet-id": 1}'
ok "lease4-get with identifier-type duid is refused" 1 'say | grep -q "identifier type"'
ctl lease4-get "{\"identifier-type\": \"hw-address\", \"identifier\": \"$M2\"}"
ok "lease4-get by identifier without subnet-id names subnet-id" 1 'say | grep -q "subnet-id"'
ctl lease4-get
ok "lease4-get without arguments" 1

# --- lease4-get-all ---
ctl lease4-get-all
ok "lease4-get-all: the 5 leases" 0 '[ "$(jv "[.arguments.leases[].\"ip-address\"] | sort | join(\" \")")" = "$(printf "%s\n" $A1 $A2 $A3 $A4 $A5 | sort | xargs)" ]'
expect "lease4-get-all text" '[ "$(say)" = "5 IPv4 lease(s) found." ]' "$(say)"
ctl lease4-get-all '{"subnets": [1]}'
ok "lease4-get-all of subnet 1" 0 '[ "$(jv ".arguments.leases | length")" = 5 ]'
ctl lease4-get-all '{"subnets": [7]}'
ok "lease4-get-all of an empty subnet" 3 '[ "$(jv ".arguments.leases | length")" = 0 ]'
ctl lease4-get-all '{"subnets": "1"}'
ok "lease4-get-all with subnets not a list names it" 1 'say | grep -q "subnets"'

# --- lease4-get-page: 2 + 2 + 1, then an empty page ---
PAGED=""
FROM=start
for p in 1 2 3 4; do
    ctl lease4-get-page "{\"from\": \"$FROM\", \"limit\": 2}"
    want=$(( p < 3 ? 2 : (p == 3 ? 1 : 0) ))
    [ $want -gt 0 ] && r=0 || r=3
    ok "lease4-get-page $p from $FROM: $want lease(s)" $r '[ "$(jv .arguments.count)" = $want ] && [ "$(jv ".arguments.leases | length")" = $want ]'
    PAGED="$PAGED $(jv '.arguments.leases[]."ip-address"')"
    [ $want -gt 0 ] && FROM=$(jv '.arguments.leases[-1]."ip-address"')
done
expect "the pages hold every lease once" '[ "$(printf "%s\n" $PAGED | sort | xargs)" = "$(printf "%s\n" $A1 $A2 $A3 $A4 $A5 | sort | xargs)" ]' "$PAGED"
ctl lease4-get-page '{"from": "start", "limit": 0}'
ok "lease4-get-page limit 0 names limit" 1 'say | grep -q "limit"'
ctl lease4-get-page '{"from": "nowhere", "limit": 2}'
ok "lease4-get-page from neither start nor an address" 1 'say | grep -q "from"'
ctl lease4-get-page '{"limit": 2}'
ok "lease4-get-page without from" 1 '[ "$(say)" = "missing parameter '"'"'from'"'"'" ]'

# --- lease4-get-by-* ---
ctl lease4-get-by-hw-address "{\"hw-address\": \"$M3\"}"
ok "lease4-get-by-hw-address" 0 '[ "$(jv "[.arguments.leases[].\"ip-address\"] | join(\" \")")" = "$A3" ]'
ctl lease4-get-by-hw-address '{"hw-address": "02:00:00:00:ff:ff"}'
ok "lease4-get-by-hw-address of an unknown one" 3 '[ "$(say)" = "0 IPv4 lease(s) found." ]'
ctl lease4-get-by-hw-address '{"hw-address": "zz:00"}'
ok "lease4-get-by-hw-address with bad hex names hw-address" 1 'say | grep -q "hw-address"'
ctl lease4-get-by-client-id '{"client-id": "01:02:00:00:00:0a:01"}'
ok "lease4-get-by-client-id" 0 '[ "$(jv "[.arguments.leases[].\"ip-address\"] | join(\" \")")" = "$A1" ]'
ctl lease4-get-by-client-id '{"client-id": "01:02:03"}'
ok "lease4-get-by-client-id of an unknown one" 3
ctl lease4-get-by-client-id '{}'
ok "lease4-get-by-client-id without client-id names it" 1 'say | grep -q "client-id"'

# --- lease4-add: honoured, durable, counted ---
MA=02:00:00:00:bb:01 AADD=192.0.2.108
ctl lease4-add "{\"ip-address\": \"$AADD\", \"hw-address\": \"$MA\", \"hostname\": \"added.example.org\"}"
ok "lease4-add" 0 '[ "$(say)" = "Lease added." ]'
ROW=$(lease_last_row "$LEASES" $AADD)
expect "the added lease is in the lease file when the answer comes" \
    '[ "$(lease_field "$ROW" hwaddr)" = $MA ] && [ "$(lease_field "$ROW" valid_lifetime)" = 600 ] && [ "$(lease_field "$ROW" subnet_id)" = 1 ]' "$ROW"
assigned_is "after lease4-add" 6
ctl lease4-add "{\"ip-address\": \"$AADD\", \"hw-address\": \"02:00:00:00:bb:02\"}"
ok "lease4-add of a leased address" 1 '[ "$(say)" = "IPv4 lease already exists." ]'
ctl lease4-add '{"ip-address": "192.0.2.141"}'
ok "lease4-add without hw-address names it" 1 'say | grep -q "hw-address"'
ctl lease4-add '{"ip-address": "198.51.100.7", "hw-address": "02:00:00:00:bb:03"}'
ok "lease4-add outside every subnet" 1 'say | grep -q "subnet"'
ctl lease4-add '{"ip-address": "192.0.2.142", "hw-address": "02:00:00:00:bb:03", "state": 9}'
ok "lease4-add with a bad state" 1 'say | grep -q "state"'
assigned_is "after the refused adds" 6
expect "the client with the added lease's hw-address is offered $AADD" '[ "$(offer $MA)" = $AADD ]'
ctl lease4-get-by-hostname '{"hostname": "added.example.org"}'
ok "lease4-get-by-hostname" 0 '[ "$(jv "[.arguments.leases[].\"ip-address\"] | join(\" \")")" = $AADD ]'
ctl lease4-get-by-hostname '{"hostname": "nobody.example.org"}'
ok "lease4-get-by-hostname of an unknown name" 3
ctl lease4-get-by-hostname '{"hostname": ""}'
ok "lease4-get-by-hostname of an empty name" 1 'say | grep -q hostname'

# --- lease4-update ---
ctl lease4-update "{\"ip-address\": \"$AADD\", \"hw-address\": \"$MA\", \"hostname\": \"renamed.example.org\"}"
ok "lease4-update" 0 '[ "$(say)" = "IPv4 lease updated." ]'
ctl lease4-get "{\"ip-address\": \"$AADD\"}"
ok "lease4-get shows the update" 0 '[ "$(jv .arguments.hostname)" = renamed.example.org ]'
expect "the update is in the lease file" '[ "$(lease_field "$(lease_last_row "$LEASES" $AADD)" hostname)" = renamed.example.org ]'
ctl lease4-update '{"ip-address": "192.0.2.145", "hw-address": "02:00:00:00:bb:05"}'
ok "lease4-update of a missing lease" 3
ctl lease4-update '{"ip-address": "192.0.2.145", "hw-address": "02:00:00:00:bb:05", "force-create": true}'
ok "lease4-update force-create" 0 '[ "$(say)" = "IPv4 lease added." ]'
assigned_is "after lease4-update force-create" 7
ctl lease4-update '{"hw-address": "02:00:00:00:bb:05"}'
ok "lease4-update without ip-address names it" 1 'say | grep -q "ip-address"'

# --- declined leases move their own gauge too; hostnames compare without case (Kea) ---
declined_is() {
    DC_WANT=$2 DC_IS=$(stat "subnet[1].declined-addresses")
    expect "$1: subnet[1].declined-addresses = $2" '[ "$DC_IS" = "$DC_WANT" ]' "is $DC_IS"
}
ctl lease4-add '{"ip-address": "192.0.2.146", "hw-address": "02:00:00:00:bb:06", "state": 1}'
ok "lease4-add of a declined lease" 0
declined_is "after lease4-add of a declined lease" 1
assigned_is "after lease4-add of a declined lease (declined count as assigned)" 8
ctl lease4-update '{"ip-address": "192.0.2.146", "hw-address": "02:00:00:00:bb:06", "state": 0}'
ok "lease4-update of the declined lease to state 0" 0
declined_is "after lease4-update to state 0" 0
assigned_is "after lease4-update to state 0" 8
ctl lease4-update '{"ip-address": "192.0.2.146", "hw-address": "02:00:00:00:bb:06", "state": 1}'
ok "lease4-update back to declined" 0
declined_is "after lease4-update to declined" 1
ctl lease4-del '{"ip-address": "192.0.2.146"}'
ok "lease4-del of the declined lease" 0
declined_is "after lease4-del of the declined lease" 0
assigned_is "after lease4-del of the declined lease" 7
ctl lease4-add '{"ip-address": "192.0.2.147", "hw-address": "02:00:00:00:bb:07", "subnet-id": 7}'
ok "lease4-add to a subnet that does not exist names subnet-id" 1 'say | grep -q "subnet-id"'
ctl lease4-add '{"ip-address": "192.0.2.147", "hw-address": "02:00:00:00:bb:07", "hostname": "Mixed.Example.ORG"}'
ok "lease4-add with a mixed-case hostname" 0
ctl lease4-get-by-hostname '{"hostname": "MIXED.example.org"}'
ok "lease4-get-by-hostname ignores case" 0 '[ "$(jv ".arguments.leases[0].\"ip-address\"")" = 192.0.2.147 ]'
ctl lease4-del '{"ip-address": "192.0.2.147"}'
ok "lease4-del of it" 0
assigned_is "after lease4-del of it" 7

# --- lease4-del: the address goes back to the pool ---
ctl lease4-del "{\"ip-address\": \"$A3\"}"
ok "lease4-del by address" 0 '[ "$(say)" = "IPv4 lease deleted." ]'
expect "the deletion is in the lease file" '[ "$(lease_field "$(lease_last_row "$LEASES" $A3)" valid_lifetime)" = 0 ]'
ctl lease4-get "{\"ip-address\": \"$A3\"}"
ok "lease4-get of the deleted lease" 3
ctl lease4-del "{\"ip-address\": \"$A3\"}"
ok "lease4-del again" 3 '[ "$(say)" = "IPv4 lease not found." ]'
ctl lease4-del "{\"identifier-type\": \"hw-address\", \"identifier\": \"$M4\", \"subnet-id\": 1}"
ok "lease4-del by hw-address + subnet-id" 0
ctl lease4-del '{"ip-address": 17}'
ok "lease4-del with a number for ip-address" 1 'say | grep -q "ip-address"'
assigned_is "after two lease4-dels" 5
# The pool has 10 addresses: 4 leased, so 6 new clients take exactly the free ones, A3 and A4 among them.
dora 02:00:00:00:cc:01 02:00:00:00:cc:02 02:00:00:00:cc:03 02:00:00:00:cc:04 02:00:00:00:cc:05 \
     02:00:00:00:cc:06 >"$NT_TMP/refill.txt"
expect "the deleted addresses $A3 and $A4 are handed out again" \
    'grep -q " $A3$" "$NT_TMP/refill.txt" && grep -q " $A4$" "$NT_TMP/refill.txt" && ! grep -q none "$NT_TMP/refill.txt"' \
    "$(cat "$NT_TMP/refill.txt")"
assigned_is "after 6 more DORAs" 11
expect "subnet[1].pool[0].assigned-addresses = the 10 leases in the pool (192.0.2.145 is outside)" \
    '[ "$(stat "subnet[1].pool[0].assigned-addresses")" = 10 ]' "is $(stat "subnet[1].pool[0].assigned-addresses")"

# --- statistics against the packets the clients counted ---
ctl statistic-get-all
ok "statistic-get-all" 0 '[ "$(jv ".arguments.\"pkt4-ack-sent\"[0][0]")" = "$(tally ack)" ]'
expect "statistic-get-all: pkt4-discover-received = DISCOVERs sent ($(tally discover))" \
    '[ "$(jv ".arguments.\"pkt4-discover-received\"[0][0]")" = "$(tally discover)" ]' "$(jv ".arguments.\"pkt4-discover-received\"")"
expect "statistic-get-all: pkt4-offer-sent = OFFERs received, pkt4-request-received = REQUESTs sent" \
    '[ "$(jv ".arguments.\"pkt4-offer-sent\"[0][0]")" = "$(tally offer)" ] && [ "$(jv ".arguments.\"pkt4-request-received\"[0][0]")" = "$(tally request)" ]'
expect "statistic-get-all: pkt4-received = everything sent" \
    '[ "$(jv ".arguments.\"pkt4-received\"[0][0]")" = "$(( $(tally discover) + $(tally request) ))" ]' "$(jv ".arguments.\"pkt4-received\"")"
# Kea's lease_cmds count a lease4-add (and a force-create) as an assignment too: 4 of them.
expect "statistic-get-all: subnet[1].total-addresses = 10, cumulative-assigned-addresses = ACKs + 4 adds" \
    '[ "$(jv ".arguments.\"subnet[1].total-addresses\"[0][0]")" = 10 ] && [ "$(jv ".arguments.\"subnet[1].cumulative-assigned-addresses\"[0][0]")" = "$(( $(tally ack) + 4 ))" ]' \
    "$(jv ".arguments.\"subnet[1].cumulative-assigned-addresses\"")"
ctl statistic-reset '{"name": "pkt4-ack-sent"}'
ok "statistic-reset pkt4-ack-sent" 0
expect "pkt4-ack-sent reads 0 after the reset" '[ "$(stat pkt4-ack-sent)" = 0 ]'
expect "pkt4-offer-sent is untouched by it" '[ "$(stat pkt4-offer-sent)" = "$(tally offer)" ]'
ctl statistic-reset '{"name": "no-such-statistic"}'
ok "statistic-reset of an unknown name" 1
ctl statistic-remove '{"name": "pkt4-nak-sent"}'
ok "statistic-remove pkt4-nak-sent" 0
ctl statistic-get '{"name": "pkt4-nak-sent"}'
ok "statistic-get of the removed one: an empty map" 0 '[ "$(jv ".arguments | length")" = 0 ]'
ctl statistic-get-all
expect "statistic-get-all no longer lists it" '[ "$(jv ".arguments | has(\"pkt4-nak-sent\")")" = false ] && [ "$(jv ".arguments | has(\"pkt4-ack-sent\")")" = true ]'
ctl statistic-remove '{"name": "pkt4-nak-sent"}'
ok "statistic-remove again" 1
ctl statistic-remove '{}'
ok "statistic-remove without a name names it" 1 'say | grep -q name'

# --- lease4-wipe ---
ctl lease4-wipe '{"subnet-id": "one"}'
ok "lease4-wipe with a bad subnet-id names it" 1 'say | grep -q "subnet-id"'
ctl lease4-wipe '{"subnet-id": 1}'
ok "lease4-wipe subnet 1" 0 '[ "$(say)" = "Deleted 11 IPv4 lease(s) from subnet(s) 1" ]'
assigned_is "after lease4-wipe" 0
expect "subnet[1].pool[0].assigned-addresses = 0 after the wipe" '[ "$(stat "subnet[1].pool[0].assigned-addresses")" = 0 ]'
expect "no address of the subnet is leased in the lease file" \
    '[ -z "$(for a in $A1 $A2 $A5 $AADD 192.0.2.145; do lease_field "$(lease_last_row "$LEASES" $a)" valid_lifetime; done | grep -v "^0$")" ]'
ctl lease4-get-all
ok "lease4-get-all after the wipe" 3
ctl lease4-wipe '{"subnet-id": 1}'
ok "lease4-wipe of an empty subnet" 3

# --- reservations in memory ---
R1=02:00:00:00:dd:01 R2=02:00:00:00:dd:02 R3=02:00:00:00:dd:03
radd() { ctl reservation-add "{\"reservation\": {\"subnet-id\": 1, \"hw-address\": \"$1\", \"ip-address\": \"$2\", \"hostname\": \"$3\"}, \"operation-target\": \"memory\"}"; }
radd $R1 192.0.2.130 resv-one
ok "reservation-add (memory)" 0 '[ "$(say)" = "Host added." ]'
radd $R2 192.0.2.131 resv-two; ok "reservation-add a second" 0
radd $R3 192.0.2.132 resv-three; ok "reservation-add a third" 0
radd 02:00:00:00:dd:04 192.0.2.130 resv-dup
ok "reservation-add of a reserved address is refused by the config" 1 'say | grep -q "refused by the configuration"'
ctl reservation-add '{"reservation": {"hw-address": "02:00:00:00:dd:05", "ip-address": "192.0.2.133"}, "operation-target": "memory"}'
ok "reservation-add without subnet-id" 1 '[ "$(say)" = "Mandatory '"'"'subnet-id'"'"' parameter missing." ]'
ctl reservation-add '{"reservation": {"subnet-id": 1, "hw-address": "02:00:00:00:dd:05", "ip-address": "192.0.2.133"}}'
ok "reservation-add to the database without a hosts-database" 1 'say | grep -q "no hosts-database"'
expect "the client $R1 gets its reserved 192.0.2.130 on its next DORA" '[ "$(dora $R1 | cut -d" " -f2)" = 192.0.2.130 ]'
ctl reservation-get "{\"subnet-id\": 1, \"identifier-type\": \"hw-address\", \"identifier\": \"$R1\"}"
ok "reservation-get by identifier" 0 '[ "$(say)" = "Host found." ] && [ "$(jv ".arguments.\"ip-address\" + \" \" + .arguments.hostname")" = "192.0.2.130 resv-one" ]'
ctl reservation-get '{"subnet-id": 1, "ip-address": "192.0.2.131"}'
ok "reservation-get by address" 0 '[ "$(jv ".arguments.\"hw-address\"")" = $R2 ]'
ctl reservation-get '{"subnet-id": 1, "ip-address": "192.0.2.139"}'
ok "reservation-get of an unknown one: Kea's 0 Host not found." 0 '[ "$(say)" = "Host not found." ] && [ "$(jv .arguments)" = null ]'
ctl reservation-get '{"ip-address": "192.0.2.131"}'
ok "reservation-get without subnet-id" 1 'say | grep -q subnet-id'
ctl reservation-get-all '{"subnet-id": 1}'
ok "reservation-get-all" 0 '[ "$(jv "[.arguments.hosts[].\"ip-address\"] | sort | join(\" \")")" = "192.0.2.130 192.0.2.131 192.0.2.132" ]'
ctl reservation-get-all '{"subnet-id": 5}'
ok "reservation-get-all of a subnet without any" 3
ctl reservation-get-page '{"subnet-id": 1, "limit": 2}'
ok "reservation-get-page 1" 0 '[ "$(jv .arguments.count)" = 2 ]'
RP="$(jv '.arguments.hosts[]."ip-address"')"
NEXT=$(jv '.arguments.next | "\"from\": \(.from), \"source-index\": \(."source-index")"')
ctl reservation-get-page "{\"subnet-id\": 1, \"limit\": 2, $NEXT}"
ok "reservation-get-page 2" 0 '[ "$(jv .arguments.count)" = 1 ]'
RP="$RP $(jv '.arguments.hosts[]."ip-address"')"
NEXT=$(jv '.arguments.next | "\"from\": \(.from), \"source-index\": \(."source-index")"')
expect "the pages hold the three reservations" '[ "$(printf "%s\n" $RP | sort | xargs)" = "192.0.2.130 192.0.2.131 192.0.2.132" ]' "$RP"
ctl reservation-get-page "{\"subnet-id\": 1, \"limit\": 2, $NEXT}"
ok "reservation-get-page at the end" 3 '[ "$(jv .arguments.count)" = 0 ] && [ "$(jv .arguments.next)" = null ]'
ctl reservation-get-page '{"subnet-id": 1}'
ok "reservation-get-page without limit names it" 1 'say | grep -q limit'
ctl reservation-del "{\"subnet-id\": 1, \"identifier-type\": \"hw-address\", \"identifier\": \"$R3\", \"operation-target\": \"memory\"}"
ok "reservation-del (memory)" 0 '[ "$(say)" = "Host deleted." ]'
ctl reservation-del "{\"subnet-id\": 1, \"identifier-type\": \"hw-address\", \"identifier\": \"$R3\", \"operation-target\": \"memory\"}"
ok "reservation-del again: Kea's 1" 1 '[ "$(say)" = "Host not deleted (not found)." ]'
ctl config-get
ok "config-get shows the added reservations, not the deleted one" 0 \
    '[ "$(jv "[.arguments.Dhcp4.subnet4[0].reservations[]?.\"hw-address\"] | sort | join(\" \")")" = "$R1 $R2" ]'
ctl config-write '{"filename": "written.json"}'
ok "config-write" 0
srv_stop; check "server stops" $?
srv_start "$NT_TMP/written.json" "$NT_TMP/server.log"; check "server restarts from the written config" $?
ctl reservation-get "{\"subnet-id\": 1, \"identifier-type\": \"hw-address\", \"identifier\": \"$R2\", \"operation-target\": \"memory\"}"
ok "after the restart the reservation is still there" 0 '[ "$(jv ".arguments.\"ip-address\"")" = 192.0.2.131 ]'
expect "after the restart $R2 gets its reserved 192.0.2.131" '[ "$(dora $R2 | cut -d" " -f2)" = 192.0.2.131 ]'
srv_stop; check "memfile server stops cleanly" $?
expect "no sanitizer report (memfile)" '! grep -q "ERROR: AddressSanitizer\|runtime error:" "$NT_TMP/server.log"'

# ======================= 2. MariaDB ==========================================================
DBS_NETNS=$NT_SRV
. "$HERE/lib/dbservers.sh"
export DORA_DB_PASSWORD=$DBS_PASSWORD
nt_on_cleanup 'dbs_stop_all'
mkdir -p "$NT_TMP/db"
dbs_start_mysql "$NT_TMP/db"; check "[mysql] mariadbd started in the server namespace" $?
[ -n "${DBS_MYSQL_SPEC:-}" ] || nt_die "no database server"
dbs_in "$ADMIN" db-init mysql -h 127.0.0.1 -P "$DBS_MYSQL_PORT" -u dora -n dora </dev/null >/dev/null
check "[mysql] dora-admin db-init" $?
sq() { mariadb --socket="$DBS_MYSQL_SOCK" -uroot -N -B dora -e "$1"; }
# The lease table as "address hwaddr client-id valid expire subnet hostname state" lines, and the
# same fields from a command's lease list (J), both sorted: they must be equal.
db_leases() {
    sq "SELECT INET_NTOA(address), LOWER(HEX(hwaddr)), LOWER(HEX(client_id)), valid_lifetime, expire,
               subnet_id, hostname, state FROM lease4" | tr '\t' ' ' | sed 's/  / /g' | sort
}
answer_leases() {
    jv '(.arguments.leases // [.arguments])[] | [."ip-address", (."hw-address" | gsub(":"; "")),
        ((."client-id" // "") | gsub(":"; "")), ."valid-lft", (.cltt + ."valid-lft"), ."subnet-id",
        .hostname, .state] | map(tostring) | join(" ")' | sed 's/  / /g' | sort
}
db_matches() { # NAME [ADDRESS] : the answer's leases (J) are the lease table (or ADDRESS's row)
    DB_ROWS=$(db_leases | grep "^${2:-}") ANS_ROWS=$(answer_leases)
    [ -z "${2:-}" ] || DB_ROWS=$(printf '%s\n' "$DB_ROWS" | grep "^$2 ")
    expect "$1" '[ -n "$DB_ROWS" ] && [ "$DB_ROWS" = "$ANS_ROWS" ]' "db: $DB_ROWS | answer: $ANS_ROWS"
}
sq_of() { sq "SELECT $1 FROM lease4 WHERE address = INET_ATON('$2')" | tr '\t' ' '; }

MCONF="$NT_TMP/dorad-mysql.json"
DBC="\"type\": \"mysql\", \"name\": \"dora\", \"host\": \"127.0.0.1\", \"port\": $DBS_MYSQL_PORT, \"user\": \"dora\", \"password\": \"$DBS_PASSWORD\""
cat >"$MCONF" <<JSON
{ "Dhcp4": {
    "interfaces-config": { "interfaces": [ "$NT_BR" ] },
    "control-sockets": [ { "socket-type": "unix", "socket-name": "$SOCK" } ],
    "lease-database": { $DBC },
    "hosts-database": { $DBC },
    "valid-lifetime": 600,
    "subnet4": [ $SUBNET ] } }
JSON
srv_start "$MCONF" "$NT_TMP/server-mysql.log"; check "[mysql] dorad starts on MariaDB" $?
rm -f "$TALLY"
dora "$M1/$CID1" $M2 $M3 >"$NT_TMP/sql.txt"
A1=$(addr_of $M1 "$NT_TMP/sql.txt") A2=$(addr_of $M2 "$NT_TMP/sql.txt") A3=$(addr_of $M3 "$NT_TMP/sql.txt")
expect "[mysql] three clients got leases" '! grep -q none "$NT_TMP/sql.txt" && [ "$(sq "SELECT COUNT(*) FROM lease4")" = 3 ]' \
    "$(cat "$NT_TMP/sql.txt")"
ctl lease4-get-all
ok "[mysql] lease4-get-all" 0 '[ "$(jv ".arguments.leases | length")" = 3 ]'
db_matches "[mysql] lease4-get-all is the lease4 table, field by field"
ctl lease4-get "{\"ip-address\": \"$A1\"}"
ok "[mysql] lease4-get by address" 0
db_matches "[mysql] lease4-get's lease is the row of $A1" "$A1"
ctl lease4-get "{\"identifier-type\": \"hw-address\", \"identifier\": \"$M2\", \"subnet-id\": 1}"
ok "[mysql] lease4-get by hw-address + subnet-id" 0 '[ "$(jv ".arguments.\"ip-address\"")" = "$A2" ]'
ctl lease4-get "{\"identifier-type\": \"client-id\", \"identifier\": \"01:02:00:00:00:0a:01\", \"subnet-id\": 1}"
ok "[mysql] lease4-get by client-id + subnet-id" 0 '[ "$(jv ".arguments.\"ip-address\"")" = "$A1" ]'
ctl lease4-get '{"ip-address": "192.0.2.250"}'
ok "[mysql] lease4-get of a free address" 3
ctl lease4-get '{"ip-address": "192.0.2.x"}'
ok "[mysql] lease4-get with a bad address names it" 1 'say | grep -q ip-address'
ctl lease4-get-page '{"from": "start", "limit": 2}'
ok "[mysql] lease4-get-page 1" 0 '[ "$(jv .arguments.count)" = 2 ]'
PAGED=$(jv '.arguments.leases[]."ip-address"')
ctl lease4-get-page "{\"from\": \"$(jv '.arguments.leases[-1]."ip-address"')\", \"limit\": 2}"
ok "[mysql] lease4-get-page 2" 0 '[ "$(jv .arguments.count)" = 1 ]'
PAGED="$PAGED $(jv '.arguments.leases[]."ip-address"')"
ctl lease4-get-page "{\"from\": \"$(jv '.arguments.leases[-1]."ip-address"')\", \"limit\": 2}"
ok "[mysql] lease4-get-page 3 is empty" 3
expect "[mysql] the pages are the table's addresses" \
    '[ "$(printf "%s\n" $PAGED | sort | xargs)" = "$(sq "SELECT INET_NTOA(address) FROM lease4" | sort | xargs)" ]' "$PAGED"
ctl lease4-get-by-hw-address "{\"hw-address\": \"$M3\"}"
ok "[mysql] lease4-get-by-hw-address" 0
db_matches "[mysql] lease4-get-by-hw-address's lease is the row of $A3" "$A3"
ctl lease4-get-by-client-id '{"client-id": "01:02:00:00:00:0a:01"}'
ok "[mysql] lease4-get-by-client-id" 0
db_matches "[mysql] lease4-get-by-client-id's lease is the row of $A1" "$A1"
ctl lease4-get-by-client-id '{"client-id": "ff:ff"}'
ok "[mysql] lease4-get-by-client-id of an unknown one" 3

ctl lease4-add "{\"ip-address\": \"$AADD\", \"hw-address\": \"$MA\", \"hostname\": \"added.example.org\"}"
ok "[mysql] lease4-add" 0
expect "[mysql] the added lease is a committed row when the answer comes" \
    '[ "$(sq_of "LOWER(HEX(hwaddr)), hostname" $AADD)" = "$(echo $MA | tr -d :) added.example.org" ]' "$(sq_of "*" $AADD)"
assigned_is "[mysql] after 3 DORAs and lease4-add" 4
ctl lease4-add "{\"ip-address\": \"$AADD\", \"hw-address\": \"$MA\"}"
ok "[mysql] lease4-add of a leased address" 1
expect "[mysql] the client with the added lease's hw-address is offered $AADD" '[ "$(offer $MA)" = $AADD ]'
ctl lease4-get-by-hostname '{"hostname": "added.example.org"}'
ok "[mysql] lease4-get-by-hostname" 0
db_matches "[mysql] lease4-get-by-hostname's lease is the row of $AADD" "$AADD"
ctl lease4-update "{\"ip-address\": \"$AADD\", \"hw-address\": \"$MA\", \"hostname\": \"renamed.example.org\", \"valid-lft\": 900}"
ok "[mysql] lease4-update" 0
expect "[mysql] the update is in the row" '[ "$(sq_of "hostname, valid_lifetime" $AADD)" = "renamed.example.org 900" ]' \
    "$(sq_of "*" $AADD)"
ctl lease4-update '{"ip-address": "192.0.2.145", "hw-address": "02:00:00:00:bb:05"}'
ok "[mysql] lease4-update of a missing lease" 3
ctl lease4-del "{\"ip-address\": \"$A2\"}"
ok "[mysql] lease4-del" 0
expect "[mysql] the deleted lease's row is gone" '[ -z "$(sq_of address $A2)" ]'
ctl lease4-del "{\"ip-address\": \"$A2\"}"
ok "[mysql] lease4-del again" 3
assigned_is "[mysql] after lease4-del" 3
ctl lease4-get-all
db_matches "[mysql] lease4-get-all is still the table after add, update, del"
ctl lease4-wipe '{"subnet-id": 1}'
ok "[mysql] lease4-wipe" 0 '[ "$(say)" = "Deleted 3 IPv4 lease(s) from subnet(s) 1" ]'
expect "[mysql] the table is empty after the wipe" '[ "$(sq "SELECT COUNT(*) FROM lease4")" = 0 ]'
assigned_is "[mysql] after lease4-wipe" 0

# --- reservations in the hosts-database ---
E1=02:00:00:00:ee:01 E2=02:00:00:00:ee:02
dbadd() { ctl reservation-add "{\"reservation\": {\"subnet-id\": 1, \"hw-address\": \"$1\", \"ip-address\": \"$2\", \"hostname\": \"$3\"}, \"operation-target\": \"database\"}"; }
host_row() { sq "SELECT INET_NTOA(ipv4_address), hostname, dhcp4_subnet_id FROM hosts WHERE dhcp_identifier = UNHEX('$(echo "$1" | tr -d :)') AND dhcp_identifier_type = 0" | tr '\t' ' '; }
dbadd $E1 192.0.2.105 db-resv-one
ok "[mysql] reservation-add (database)" 0 '[ "$(say)" = "Host added." ]'
expect "[mysql] the reservation is a hosts row" '[ "$(host_row $E1)" = "192.0.2.105 db-resv-one 1" ]' "$(host_row $E1)"
dbadd $E2 192.0.2.106 db-resv-two; ok "[mysql] reservation-add a second" 0
dbadd 02:00:00:00:ee:03 192.0.2.105 db-dup
ok "[mysql] reservation-add of a reserved address" 1 'say | grep -q duplicate'
expect "[mysql] the client $E1 gets its reserved 192.0.2.105 on its DORA" '[ "$(dora $E1 | cut -d" " -f2)" = 192.0.2.105 ]'
expect "[mysql] and the lease is in the table" '[ "$(db_leases | cut -d" " -f1-2)" = "192.0.2.105 $(echo $E1 | tr -d :)" ]' "$(db_leases)"
ctl reservation-get "{\"subnet-id\": 1, \"identifier-type\": \"hw-address\", \"identifier\": \"$E1\"}"
ok "[mysql] reservation-get by identifier" 0 '[ "$(jv ".arguments.\"ip-address\" + \" \" + .arguments.hostname")" = "192.0.2.105 db-resv-one" ]'
ctl reservation-get '{"subnet-id": 1, "ip-address": "192.0.2.106", "operation-target": "database"}'
ok "[mysql] reservation-get by address in the database" 0 '[ "$(jv ".arguments.\"hw-address\"")" = $E2 ]'
ctl reservation-get '{"subnet-id": 1, "ip-address": "192.0.2.106", "operation-target": "memory"}'
ok "[mysql] reservation-get of it in memory: not found" 0 '[ "$(say)" = "Host not found." ]'
ctl reservation-get-all '{"subnet-id": 1}'
ok "[mysql] reservation-get-all" 0 '[ "$(jv "[.arguments.hosts[].\"ip-address\"] | sort | join(\" \")")" = "192.0.2.105 192.0.2.106" ]'
RP="" NEXT='"source-index": 0, "from": 0'
for p in 1 2 3; do
    ctl reservation-get-page "{\"subnet-id\": 1, \"limit\": 1, $NEXT}"
    [ $p -lt 3 ] && r=0 || r=3
    ok "[mysql] reservation-get-page $p" $r '[ "$(jv .arguments.count)" = $(( p < 3 ? 1 : 0 )) ]'
    RP="$RP $(jv '.arguments.hosts[]."ip-address"')"
    [ $p -lt 3 ] && NEXT=$(jv '.arguments.next | "\"from\": \(.from), \"source-index\": \(."source-index")"')
done
expect "[mysql] the pages hold both database reservations" '[ "$(printf "%s\n" $RP | sort | xargs)" = "192.0.2.105 192.0.2.106" ]' "$RP"
ctl reservation-del "{\"subnet-id\": 1, \"identifier-type\": \"hw-address\", \"identifier\": \"$E2\"}"
ok "[mysql] reservation-del (database)" 0 '[ "$(say)" = "Host deleted." ]'
expect "[mysql] its hosts row is gone, the other one stays" '[ -z "$(host_row $E2)" ] && [ "$(sq "SELECT COUNT(*) FROM hosts")" = 1 ]'
ctl reservation-del "{\"subnet-id\": 1, \"identifier-type\": \"hw-address\", \"identifier\": \"$E2\"}"
ok "[mysql] reservation-del again" 1 '[ "$(say)" = "Host not deleted (not found)." ]'
ctl reservation-del '{"subnet-id": 1, "identifier-type": "hw-address"}'
ok "[mysql] reservation-del without identifier names it" 1 'say | grep -q identifier'
ctl reservation-add '{"reservation": {"subnet-id": 1, "hw-address": "02:00:00:00:ee:04", "ip-address": "192.0.2.104"}, "operation-target": "all"}'
ok "[mysql] reservation-add to all (config and database)" 0
expect "[mysql] it is a hosts row" '[ "$(host_row 02:00:00:00:ee:04 | cut -d" " -f1)" = 192.0.2.104 ]'
ctl config-get
expect "[mysql] and in config-get" '[ "$(jv "[.arguments.Dhcp4.subnet4[0].reservations[]?.\"hw-address\"] | join(\" \")")" = 02:00:00:00:ee:04 ]'
RP="" NEXT='"source-index": 0, "from": 0'
for p in 1 2 3 4; do
    ctl reservation-get-page "{\"limit\": 1, $NEXT}"
    [ $p -lt 4 ] && r=0 || r=3
    ok "[mysql] reservation-get-page of all subnets, $p" $r '[ "$(jv .arguments.count)" = $(( p < 4 ? 1 : 0 )) ]'
    RP="$RP $(jv '.arguments.hosts[]."ip-address"')"
    [ $p -lt 4 ] && NEXT=$(jv '.arguments.next | "\"from\": \(.from), \"source-index\": \(."source-index")"')
done
expect "[mysql] the pages walk the config, then the database" '[ "$(echo $RP)" = "192.0.2.104 192.0.2.105 192.0.2.104" ] ||
    [ "$(echo $RP)" = "192.0.2.104 192.0.2.104 192.0.2.105" ]' "$RP"
ctl reservation-del '{"subnet-id": 1, "ip-address": "192.0.2.104", "operation-target": "all"}'
ok "[mysql] reservation-del from all" 0
expect "[mysql] gone from both" '[ -z "$(host_row 02:00:00:00:ee:04)" ] && [ "$(grep -c ee:04 <<<"$(timeout 20 "$DORACTL" -s "$SOCK" --json config-get)")" = 0 ]'
srv_stop; check "[mysql] server stops cleanly" $?
expect "no sanitizer report (mysql)" '! grep -q "ERROR: AddressSanitizer\|runtime error:" "$NT_TMP/server-mysql.log"'

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
