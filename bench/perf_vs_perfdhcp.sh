#!/usr/bin/env bash
# bench/perf_vs_perfdhcp.sh — is dora-perf honest? Run it and ISC's
# perfdhcp with the same arguments against the same servers (Kea 2.2's
# kea-dhcp4 and dorad), at a fixed rate both servers sustain, and show the
# figures side by side. The exchange rate and the drop ratios of the two
# tools must agree within 10 % (drop ratios: or within 0.5 percentage
# point, since a handful of drops is noise, not disagreement). A comparison
# that disagrees is run again, up to three attempts, all printed: a loaded
# machine drops a packet now and then whichever tool runs, while a real
# disagreement comes back every time.
#
# Choosing the rate: perfdhcp's receiving thread polls without sleeping and
# takes a CPU of its own, so on a small box (2 CPUs) the server competes with
# perfdhcp for the rest; above ~800 exchanges/s Kea 2.2 (single-threaded by
# default) then loses perfdhcp's requests while it keeps up with dora-perf's,
# and the two tools no longer measure the same server. The "generator CPU"
# row shows what each tool cost. The default, 500/s, is sustained by both
# servers with either tool there.
#
# Rate line: perfdhcp divides by the test period plus -W; dora-perf by the
# time from the first request to the last reply. -W is kept short (0.2 s)
# so the two agree on a steady rate.
#
# Topology: a server namespace and a generator namespace joined by a veth
# pair (198.18.0.1/15 and 198.18.0.2/15, RFC 2544 benchmark range). Both
# tools run relayed, as perfdhcp does for DHCPv4: giaddr 198.18.0.2, replies
# to giaddr:67. Each run gets a freshly started server with an empty lease
# file and its own base MAC, so every exchange is a new client. Everything
# is torn down on every exit path.
#
# Usage: bench/perf_vs_perfdhcp.sh [RATE [SECONDS [SERVERS]]]
#   RATE     exchanges per second (default 500)
#   SECONDS  test period per run (default 10)
#   SERVERS  "kea dorad faulty" (default), or some of them. "faulty" is the
#            test fixture tests/system/faulty_responder ignoring every 10th
#            DISCOVER and every 20th REQUEST: both tools must then report
#            10 % and 5 % drops.
# Env: DORAD, DORA_PERF (default build/), FAULTY_RESPONDER, PERFDHCP, KEA_DHCP4.
# Needs root; installs kea-dhcp4-server and kea-admin (perfdhcp) with apt
# when they are missing. Exit 0 when every comparison agrees, 1 otherwise.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RATE=${1:-500}
SECS=${2:-10}
SERVERS=${3:-kea dorad faulty}
DORAD=${DORAD:-$ROOT/build/dorad}
DORA_PERF=${DORA_PERF:-$ROOT/build/dora-perf}
PERFDHCP=${PERFDHCP:-/usr/sbin/perfdhcp}
KEA_DHCP4=${KEA_DHCP4:-/usr/sbin/kea-dhcp4}
FAULTY=${FAULTY_RESPONDER:-$(dirname "$DORA_PERF")/tests/system/faulty_responder}
SRV_NS="dpv$$-srv"
GEN_NS="dpv$$-gen"
TMP=$(mktemp -d /tmp/perf-vs-perfdhcp.XXXXXX)
SRV_PID=""

cleanup() {
    local rc=$?
    if [ -n "$SRV_PID" ]; then
        kill -TERM "$SRV_PID" 2>/dev/null
        wait "$SRV_PID" 2>/dev/null
    fi
    for ns in "$GEN_NS" "$SRV_NS"; do
        pids=$(ip netns pids "$ns" 2>/dev/null)
        [ -z "$pids" ] || kill -KILL $pids 2>/dev/null
        ip netns del "$ns" 2>/dev/null
    done
    if [ "$rc" -ne 0 ] || [ -n "${KEEP_TMP:-}" ]; then
        echo "files kept in $TMP"
    else
        rm -rf "$TMP"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

die() { echo "perf_vs_perfdhcp: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces, port 67)"
if [ ! -x "$PERFDHCP" ] || [ ! -x "$KEA_DHCP4" ]; then
    echo "installing kea-dhcp4-server and kea-admin (perfdhcp) ..."
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q kea-dhcp4-server kea-admin >"$TMP/apt.log" 2>&1 ||
        { tail -n 5 "$TMP/apt.log"; die "apt-get install failed"; }
    # The package starts a system-wide kea-dhcp4; it must not interfere.
    systemctl stop kea-dhcp4-server >/dev/null 2>&1 || true
fi
[ -x "$PERFDHCP" ] || die "perfdhcp not found at $PERFDHCP"
[ -x "$DORA_PERF" ] || die "dora-perf not found at $DORA_PERF (build first)"

ip netns add "$SRV_NS" && ip netns add "$GEN_NS" || die "cannot create namespaces"
for ns in "$SRV_NS" "$GEN_NS"; do
    ip -n "$ns" link set lo up
done
ip -n "$SRV_NS" link add s0 type veth peer name c0 netns "$GEN_NS" || die "cannot create veth"
ip -n "$SRV_NS" addr add 198.18.0.1/15 dev s0
ip -n "$GEN_NS" addr add 198.18.0.2/15 dev c0
ip -n "$SRV_NS" link set s0 up
ip -n "$GEN_NS" link set c0 up

write_config() {   # write_config LEASEFILE
    cat >"$TMP/server.json" <<EOF
{
  "Dhcp4": {
    "interfaces-config": { "interfaces": [ "s0" ], "dhcp-socket-type": "udp" },
    "lease-database": { "type": "memfile", "name": "$1", "lfc-interval": 0 },
    "valid-lifetime": 3600,
    "subnet4": [ {
      "id": 1,
      "subnet": "198.18.0.0/15",
      "pools": [ { "pool": "198.18.0.10 - 198.19.255.250" } ]
    } ]
  }
}
EOF
}

start_server() {   # start_server kea|dorad RUN
    local kind=$1 run=$2 bin log="$TMP/$1-$2.server.log" i
    rm -f "$TMP/leases.csv"
    write_config "$TMP/leases.csv"
    mkdir -p "$TMP/pid"
    case $kind in
        kea) bin=$KEA_DHCP4 ;;
        dorad) bin=$DORAD ;;
        faulty) bin=$FAULTY ;;
        *) die "unknown server '$kind' (kea, dorad or faulty)" ;;
    esac
    [ -x "$bin" ] || die "server binary $bin not found"
    if [ "$kind" = faulty ]; then
        ip netns exec "$SRV_NS" "$bin" -a 198.18.0.1 --share 1 --drop-discover 10 \
            --drop-request 20 --timeout $((SECS + 120)) >"$log" 2>&1 &
    else
        ip netns exec "$SRV_NS" env KEA_PIDFILE_DIR="$TMP/pid" KEA_LOCKFILE_DIR="$TMP/pid" \
            DORA_PIDFILE_DIR="$TMP/pid" "$bin" -c "$TMP/server.json" >"$log" 2>&1 &
    fi
    SRV_PID=$!
    # Ready when it answers one exchange (every server, same probe; the
    # faulty responder answers the first DISCOVER and REQUEST it sees).
    for i in $(seq 1 50); do
        kill -0 "$SRV_PID" 2>/dev/null || { tail -n 5 "$log"; die "$kind exited at start"; }
        if ip netns exec "$GEN_NS" timeout 5 "$DORA_PERF" -l 198.18.0.2 -b mac=02:ff:00:00:00:00 \
                -d 0.2 198.18.0.1 >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.2
    done
    die "$kind did not answer within 10 s"
}

stop_server() {
    kill -TERM "$SRV_PID" 2>/dev/null
    for i in $(seq 1 100); do kill -0 "$SRV_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SRV_PID" 2>/dev/null
    wait "$SRV_PID" 2>/dev/null
    SRV_PID=""
}

# value FILE EXCHANGE KEY : from perfdhcp's (and dora-perf's) report.
value() {
    awk -v x="***Statistics for: $2***" -v k="$3: " '
        $0 == x { inx = 1; next }
        /^\*\*\*/ { inx = 0 }
        inx && index($0, k) == 1 { v = substr($0, length(k) + 1); sub(/ .*/, "", v); print v; exit }
    ' "$1"
}
rate_of() { awk '/^Rate: / { print $2; exit }' "$1"; }

# agree A B REL [ABS] : |A-B| <= REL * max(|A|,|B|), or <= ABS.
agree() {
    awk -v a="$1" -v b="$2" -v rel="$3" -v abs="${4:-0}" 'BEGIN {
        if (a == "" || b == "") exit 1
        d = a - b; if (d < 0) d = -d
        m = a < 0 ? -a : a; n = b < 0 ? -b : b; if (n > m) m = n
        exit !(d <= rel * m || d <= abs)
    }'
}

ALL_OK=0
RUN=0
declare -A R=()

# measure SERVER TOOL : one run on a fresh server; fills R[TOOL.*].
measure() {
    local srv=$1 tool=$2 out="$TMP/$1-$2-$RUN.txt" bin=$PERFDHCP rc base x k
    RUN=$((RUN + 1))
    base=$(printf '02:%02x:00:00:00:00' "$RUN")
    [ "$tool" = dora-perf ] && bin=$DORA_PERF
    start_server "$srv" "$RUN"
    # bash's time keyword: CPU the tool used (user + sys), in seconds.
    TIMEFORMAT='%U %S'
    { time ip netns exec "$GEN_NS" timeout $((SECS + 60)) "$bin" -4 -r "$RATE" -R 1000000 \
        -p "$SECS" -W 200000 -b "mac=$base" -l 198.18.0.2 198.18.0.1 >"$out" 2>&1; } \
        2>"$TMP/cpu.txt"
    rc=$?
    stop_server
    R[$tool.cpu]=$(awk '{ printf "%.2f", $1 + $2 }' "$TMP/cpu.txt")
    R[$tool.rc]=$rc
    R[$tool.rate]=$(rate_of "$out")
    for x in DISCOVER-OFFER REQUEST-ACK; do
        for k in "sent packets" "received packets" "drops ratio" "avg delay"; do
            R[$tool.$x.$k]=$(value "$out" "$x" "$k")
        done
    done
}

# line LABEL KEY [REL [ABS]] : one row of the table; sets DIFFER on "NO".
line() {
    local a=${R[perfdhcp.$2]:-} b=${R[dora-perf.$2]:-} verdict=""
    if [ -n "${3:-}" ]; then
        if agree "$a" "$b" "$3" "${4:-0}"; then verdict="yes"; else verdict="NO"; DIFFER=1; fi
    fi
    printf '%-34s %14s %14s  %s\n' "$1" "${a:-?}" "${b:-?}" "$verdict"
}

printf '\nRate %s exchanges/s, %s s per run, -R 1000000, relayed via 198.18.0.2\n' "$RATE" "$SECS"
for srv in $SERVERS; do
    # A shared or busy machine drops a few packets now and then, whichever
    # tool is running: a disagreement is only one if it comes back. Every
    # attempt is printed.
    for attempt in 1 2 3; do
        R=()
        measure "$srv" perfdhcp
        measure "$srv" dora-perf
        DIFFER=0
        printf '\n=== %s (attempt %d)\n' "$srv" "$attempt"
        printf '%-34s %14s %14s  %s\n' "" perfdhcp dora-perf agree
        line "exit status" rc
        line "generator CPU (s)" cpu
        line "Rate (4-way exchanges/s)" rate 0.10
        for x in DISCOVER-OFFER REQUEST-ACK; do
            line "$x sent" "$x.sent packets" 0.10
            line "$x received" "$x.received packets" 0.10
            line "$x drops ratio (%)" "$x.drops ratio" 0.10 0.5
            line "$x avg delay (ms)" "$x.avg delay"
        done
        [ "$DIFFER" -eq 0 ] && break
    done
    [ "$DIFFER" -eq 0 ] || ALL_OK=1
done

echo
if [ "$ALL_OK" -eq 0 ]; then
    echo "AGREE: dora-perf and perfdhcp report the same rate and drops within 10 %"
else
    echo "DISAGREE: see the rows marked NO (reports in $TMP)"
    KEEP_TMP=1
fi
exit "$ALL_OK"
