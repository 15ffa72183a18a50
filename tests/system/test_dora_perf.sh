#!/usr/bin/env bash
# tests/system/test_dora_perf.sh — dora-perf, the load generator, checked
# against a server whose faults are known and against dorad.
#
#  1. usage: bad arguments exit 2 with a perfdhcp-style usage error; --help
#     and the man page name every option.
#  2. faulty responder (tests/system/faulty_responder), alone in a private
#     network namespace on loopback: it gives each address to two clients,
#     ignores every Nth DISCOVER / Mth REQUEST, duplicates and delays some
#     OFFERs. The expected figures are computed here from those options, and
#     dora-perf must report exactly them (sent, received, drops, orphans,
#     collected, non-unique addresses with -u), with exit status 3; -D stops
#     a run early.
#  3. dorad, relayed (UDP, giaddr) and broadcast (raw frames from a client
#     population on a veth bridged to the server), with renewals and
#     releases: no drops, no duplicate address, exit status 0.
#
# Called by scripts/test with DORAD (default build/dorad) and DORA_PERF
# (default: dora-perf next to DORAD, else build/dora-perf). Needs root.
# Traffic stays on loopback inside a namespace of its own and on veths
# inside namespaces this script creates (198.18.0.0/15); everything is torn
# down by the EXIT trap of lib/netns.sh. Ends with "N passed, M failed".
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/netns.sh"
. "$HERE/lib/server.sh"
REPO=$(cd "$HERE/../.." && pwd)

if [ -z "${DORA_PERF:-}" ]; then
    if [ -n "${DORAD:-}" ] && [ -x "$(dirname "$DORAD")/dora-perf" ]; then
        DORA_PERF="$(dirname "$DORAD")/dora-perf"
    else
        DORA_PERF="$REPO/build/dora-perf"
    fi
fi
FAULTY="${FAULTY_RESPONDER:-$(dirname "$DORA_PERF")/tests/system/faulty_responder}"
PY=/usr/bin/python3
RUN_TIMEOUT=60     # no single dora-perf run may take longer

PASSED=0
FAILED=0
check() {   # check NAME STATUS [detail]
    if [ "$2" -eq 0 ]; then
        PASSED=$((PASSED + 1)); echo "PASS $1"
    else
        FAILED=$((FAILED + 1)); echo "FAIL $1${3:+: $3}"
    fi
}
expect_eq() {   # expect_eq NAME ACTUAL EXPECTED
    local st=0
    [ "$2" = "$3" ] || st=1
    check "$1" "$st" "got '$2', expected '$3'"
}

# field REPORT EXCHANGE NAME : a value from the final text report, e.g.
# field out.txt DISCOVER-OFFER "drops" -> 14 ("" when absent).
field() {
    awk -v x="***Statistics for: $2***" -v k="$3: " '
        $0 == x { inx = 1; next }
        /^\*\*\*/ { inx = 0 }
        inx && index($0, k) == 1 { v = substr($0, length(k) + 1); sub(/ .*/, "", v); print v; exit }
    ' "$1"
}

nt_init dora-perf
nt_require ip "$PY"
[ -x "$DORA_PERF" ] || nt_die "dora-perf binary $DORA_PERF not found (build first)"
[ -x "$FAULTY" ] || nt_die "faulty responder $FAULTY not found (build first)"
echo "dora-perf: $DORA_PERF"

# ---- 1. usage ------------------------------------------------------------
usage_case() {   # usage_case NAME ARGS...
    local name=$1 rc
    shift
    timeout 10 "$DORA_PERF" "$@" >"$NT_TMP/u.out" 2>"$NT_TMP/u.err"
    rc=$?
    local st=0
    [ "$rc" -eq 2 ] && grep -q "^dora-perf: " "$NT_TMP/u.err" && grep -q "Try 'dora-perf -h'" "$NT_TMP/u.err" || st=1
    check "usage: $name exits 2 with a usage error" "$st" "exit $rc: $(head -n 1 "$NT_TMP/u.err")"
}
usage_case "non-numeric -r" -r abc 192.0.2.1
usage_case "unknown option" -Z 192.0.2.1
usage_case "no server" -r 10
usage_case "-f without -r" -f 5 192.0.2.1
usage_case "-f + -F > -r" -r 10 -f 8 -F 5 192.0.2.1
usage_case "DHCPv6" -6 192.0.2.1
usage_case "DUID base" -b duid=0001000102030405 192.0.2.1
usage_case "-D 0" -D 0 192.0.2.1
usage_case "-L out of range" -L 70000 192.0.2.1
usage_case "-o bad hex" -o 60,zz 192.0.2.1
usage_case "broadcast without interface" -r 10 all
usage_case "two servers" 192.0.2.1 192.0.2.2
usage_case "missing argument" -r

"$DORA_PERF" -h >"$NT_TMP/help.txt" 2>&1
check "--help exits 0" $?
MAN="$REPO/bench/dora-perf/dora-perf.1"
missing_help="" missing_man=""
for opt in -4 -b -B -d -D -f -F -h -i -J -l -L -n -N -o -p -P -r -R -s -t -u -v -W --json --senders; do
    grep -qe "^$opt[ ,:]" "$NT_TMP/help.txt" || grep -qe "^$opt\$" "$NT_TMP/help.txt" ||
        missing_help="$missing_help $opt"
    grep -qF -- "$(printf '%s' "$opt" | sed 's/-/\\-/g')" "$MAN" 2>/dev/null || missing_man="$missing_man $opt"
done
check "--help describes every option" "$([ -z "$missing_help" ]; echo $?)" "missing:$missing_help"
check "the man page describes every option" "$([ -z "$missing_man" ]; echo $?)" "missing:$missing_man"

# ---- 2. faulty responder -------------------------------------------------
FNS="${NT_PREFIX}-fr"
nt_add_ns "$FNS"
FR_PID=""
fr_start() {   # fr_start ARGS... : responder on 127.0.0.1:67 in FNS
    ip netns exec "$FNS" "$FAULTY" -a 127.0.0.1 --timeout 120 "$@" 2>"$NT_TMP/fr.log" &
    FR_PID=$!
    nt_wait_for 5 'grep -q ready "$NT_TMP/fr.log"' || nt_die "faulty responder did not start"
}
fr_stop() {
    [ -n "$FR_PID" ] || return 0
    kill -TERM "$FR_PID" 2>/dev/null
    wait "$FR_PID" 2>/dev/null
    FR_PID=""
    tail -n 1 "$NT_TMP/fr.log"
}
perf_fr() {   # perf_fr OUT ARGS... : dora-perf as relay 127.0.0.2 towards the responder
    local out=$1
    shift
    ip netns exec "$FNS" timeout "$RUN_TIMEOUT" "$DORA_PERF" -l 127.0.0.2 "$@" 127.0.0.1 \
        >"$out" 2>"$out.err"
}

# 2a. Uniqueness: N clients, one exchange each, the responder hands every
# address to two clients. Each pair's second client is offered, then
# acknowledged, an address its partner holds.
N=20
fr_start --share 2
perf_fr "$NT_TMP/u1.txt" -r 50 -R $N -n $N -u -W 500000
rc=$?
fr_stop
expect_eq "-u: exit status 3 (non-unique addresses)" "$rc" 3
expect_eq "-u: DISCOVER-OFFER received" "$(field "$NT_TMP/u1.txt" DISCOVER-OFFER "received packets")" $N
expect_eq "-u: REQUEST-ACK received" "$(field "$NT_TMP/u1.txt" REQUEST-ACK "received packets")" $N
expect_eq "-u: non-unique offers" "$(field "$NT_TMP/u1.txt" DISCOVER-OFFER "non unique addresses")" $((N / 2))
expect_eq "-u: non-unique acks" "$(field "$NT_TMP/u1.txt" REQUEST-ACK "non unique addresses")" $((N / 2))

fr_start --share 1
perf_fr "$NT_TMP/u2.txt" -r 50 -R $N -n $N -u -W 500000
rc=$?
fr_stop
expect_eq "-u with unique addresses: exit status 0" "$rc" 0
expect_eq "-u with unique addresses: none reported" \
    "$(field "$NT_TMP/u2.txt" REQUEST-ACK "non unique addresses")" 0

fr_start --share 2
perf_fr "$NT_TMP/u3.txt" -r 50 -R $N -n $N -W 500000
rc=$?
fr_stop
expect_eq "without -u: exit status 0" "$rc" 0
expect_eq "without -u: no uniqueness figures" "$(field "$NT_TMP/u3.txt" REQUEST-ACK "non unique addresses")" 0

# 2b. Exact loss accounting. DISCOVERs are numbered in arrival order; the
# responder ignores every KD-th, answers the rest, sends every DUP-th answer
# twice and delays every LATE-th answer past the drop time. Of the REQUESTs
# (one per timely OFFER) it ignores every KR-th.
N=40 KD=4 KR=3 DUP=5 LATE=7
fr_start --drop-discover $KD --drop-request $KR --dup-offer $DUP --late-offer $LATE --late-ms 300
perf_fr "$NT_TMP/d1.txt" -r 100 -R $N -n $N -d 0.2 -W 1000000
rc=$?
fr_stop
offered=$((N - N / KD))
late=$((offered / LATE))
dups=$((offered / DUP - offered / (DUP * LATE)))   # a delayed OFFER is not duplicated
do_rcvd=$((offered - late))
ra_sent=$do_rcvd
ra_rcvd=$((ra_sent - ra_sent / KR))
expect_eq "drops: exit status 3" "$rc" 3
expect_eq "drops: DISCOVERs sent" "$(field "$NT_TMP/d1.txt" DISCOVER-OFFER "sent packets")" $N
expect_eq "drops: OFFERs received in time" "$(field "$NT_TMP/d1.txt" DISCOVER-OFFER "received packets")" $do_rcvd
expect_eq "drops: DISCOVER-OFFER drops" "$(field "$NT_TMP/d1.txt" DISCOVER-OFFER drops)" $((N - do_rcvd))
expect_eq "drops: duplicate and late OFFERs are orphans" \
    "$(field "$NT_TMP/d1.txt" DISCOVER-OFFER orphans)" $((dups + late))
expect_eq "drops: collected DISCOVERs" "$(field "$NT_TMP/d1.txt" DISCOVER-OFFER "collected packets")" $((N - do_rcvd))
expect_eq "drops: REQUESTs sent" "$(field "$NT_TMP/d1.txt" REQUEST-ACK "sent packets")" $ra_sent
expect_eq "drops: ACKs received" "$(field "$NT_TMP/d1.txt" REQUEST-ACK "received packets")" $ra_rcvd
expect_eq "drops: REQUEST-ACK drops" "$(field "$NT_TMP/d1.txt" REQUEST-ACK drops)" $((ra_sent - ra_rcvd))
expect_eq "drops: drops ratio" "$(field "$NT_TMP/d1.txt" DISCOVER-OFFER "drops ratio")" \
    "$(awk -v d=$((N - do_rcvd)) -v s=$N 'BEGIN { printf "%g", 100 * d / s }')"

# The same run as JSON, with two sending threads: one valid object with the
# same figures (the responder counts by arrival, whoever sent).
fr_start --drop-discover $KD --drop-request $KR --dup-offer $DUP --late-offer $LATE --late-ms 300
perf_fr "$NT_TMP/d2.json" -r 100 -R $N -n $N -d 0.2 -W 1000000 --json --senders 2
rc=$?
fr_stop
got=$("$PY" -c '
import json, sys
j = json.load(open(sys.argv[1]))
d, r = j["exchanges"]["DISCOVER-OFFER"], j["exchanges"]["REQUEST-ACK"]
print(d["sent"], d["received"], d["drops"], d["orphans"], r["sent"], r["received"], r["drops"],
      j["exit_status"], d["p50_ms"] <= d["p99_ms"] <= d["p999_ms"] <= d["max_ms"])
' "$NT_TMP/d2.json" 2>&1)
expect_eq "--json: same figures, ordered percentiles" "$got" \
    "$N $do_rcvd $((N - do_rcvd)) $((dups + late)) $ra_sent $ra_rcvd $((ra_sent - ra_rcvd)) 3 True"
expect_eq "--json: exit status 3" "$rc" 3

# 2c. -D: with every second DISCOVER ignored, 5 drops end the run early.
fr_start --drop-discover 2
perf_fr "$NT_TMP/m1.txt" -r 200 -R 1000 -n 1000 -d 0.1 -D 5
rc=$?
fr_stop
sent=$(field "$NT_TMP/m1.txt" DISCOVER-OFFER "sent packets")
expect_eq "-D: exit status 3" "$rc" 3
check "-D: stopped early by max drops" \
    "$(grep -q 'Exit reason: maximum drops exceeded' "$NT_TMP/m1.txt" && [ "${sent:-1000}" -lt 1000 ]; echo $?)" \
    "sent $sent"

# 2d. -J: each exchange picks one of the relay addresses as giaddr; the
# responder answers each relay, and dora-perf hears all of them.
fr_start
perf_fr "$NT_TMP/j1.txt" -r 100 -R 40 -n 40 -W 300000 -J 127.0.0.3,127.0.0.4,127.0.0.5 -s 1
rc=$?
fr_stop
expect_eq "-J: exit status 0" "$rc" 0
expect_eq "-J: all ACKs heard through the relays" "$(field "$NT_TMP/j1.txt" REQUEST-ACK "received packets")" 40
expect_eq "-J: the responder saw the three relays" "$(grep -o 'giaddrs=[0-9]*' "$NT_TMP/fr.log")" "giaddrs=3"

# ---- 3. dorad ------------------------------------------------------------
srv_check_bin
# A /15 of the RFC 2544 benchmark range: room for every client of every run.
nt_server_ns 198.18.0.1/15
nt_client perf 02:00:00:00:aa:01
PNS=$NT_LAST_NS
ip -n "$PNS" addr add 198.18.0.2/15 dev c0
LEASES="$NT_TMP/leases4.csv"
CONF="$NT_TMP/dorad.json"
cat >"$CONF" <<EOF
{
  "Dhcp4": {
    "interfaces-config": { "interfaces": [ "$NT_BR" ] },
    "lease-database": { "type": "memfile", "name": "$LEASES", "lfc-interval": 0 },
    "valid-lifetime": 3600,
    "subnet4": [ {
      "id": 1,
      "subnet": "198.18.0.0/15",
      "pools": [ { "pool": "198.18.0.10 - 198.19.255.250" } ]
    } ]
  }
}
EOF
srv_start "$CONF" "$NT_TMP/server.log" || nt_die "dorad did not start"
perf_ns() {   # perf_ns OUT ARGS...
    local out=$1
    shift
    ip netns exec "$PNS" timeout "$RUN_TIMEOUT" "$DORA_PERF" "$@" >"$out" 2>"$out.err"
}
# Wait until dorad answers at all (its first exchange after start).
nt_wait_for 10 'perf_ns "$NT_TMP/ping.txt" -l 198.18.0.2 -b mac=02:10:00:00:00:00 198.18.0.1' ||
    nt_log "dorad did not answer a first relayed exchange"

# 3a. Relayed: 200 clients, one DORA each, addresses checked for uniqueness.
perf_ns "$NT_TMP/r1.txt" -l 198.18.0.2 -b mac=02:20:00:00:00:00 -r 200 -R 200 -n 200 -u -W 2000000 198.18.0.1
rc=$?
expect_eq "dorad relayed: exit status 0" "$rc" 0
expect_eq "dorad relayed: all OFFERs" "$(field "$NT_TMP/r1.txt" DISCOVER-OFFER "received packets")" 200
expect_eq "dorad relayed: all ACKs" "$(field "$NT_TMP/r1.txt" REQUEST-ACK "received packets")" 200
expect_eq "dorad relayed: no duplicate address" "$(field "$NT_TMP/r1.txt" REQUEST-ACK "non unique addresses")" 0

# 3b. Broadcast: the same clients again on the LAN through the raw socket
# (dorad offers each its existing lease), plus renewals and releases.
perf_ns "$NT_TMP/b1.txt" -l c0 -b mac=02:20:00:00:00:00 -r 200 -R 200 -n 200 -u -W 2000000 all
rc=$?
expect_eq "dorad broadcast: exit status 0" "$rc" 0
expect_eq "dorad broadcast: all ACKs" "$(field "$NT_TMP/b1.txt" REQUEST-ACK "received packets")" 200
expect_eq "dorad broadcast: no duplicate address" "$(field "$NT_TMP/b1.txt" REQUEST-ACK "non unique addresses")" 0

for mode in relayed broadcast; do
    if [ $mode = relayed ]; then where=(-l 198.18.0.2 198.18.0.1); base=02:30:00:00:00:00
    else where=(-l c0 all); base=02:40:00:00:00:00; fi
    perf_ns "$NT_TMP/f-$mode.txt" -b mac=$base -r 50 -R 40 -f 20 -F 5 -p 3 -W 1500000 -u "${where[@]}"
    rc=$?
    renewed=$(field "$NT_TMP/f-$mode.txt" "REQUEST-ACK (renewal)" "received packets")
    released=$(field "$NT_TMP/f-$mode.txt" RELEASE "sent packets")
    expect_eq "dorad $mode renew/release: exit status 0" "$rc" 0
    check "dorad $mode: renewals answered" "$([ "${renewed:-0}" -gt 20 ]; echo $?)" "renewed ${renewed:-none}"
    expect_eq "dorad $mode: no renewal dropped" "$(field "$NT_TMP/f-$mode.txt" "REQUEST-ACK (renewal)" drops)" 0
    check "dorad $mode: releases sent" "$([ "${released:-0}" -gt 5 ]; echo $?)" "released ${released:-none}"
done

srv_stop
check "dorad stopped cleanly" $?

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
