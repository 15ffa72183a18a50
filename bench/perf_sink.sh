#!/usr/bin/env bash
# bench/perf_sink.sh — how many packets per second dora-perf can send when
# nothing answers: the generator's own ceiling, which must stay well above
# what one dorad can serve (target: >= 150k packets/s, issue #4).
#
# Two namespaces joined by a veth pair; the sink side discards everything
# (no DHCP server, nothing bound to port 67: broadcast frames are dropped by
# the stack, unicast ones earn a rate-limited ICMP error). dora-perf runs
# DISCOVER-only (-i) from 100k simulated clients for DURATION seconds:
#   1. broadcast mode (raw frames from each client's MAC), unpaced;
#   2. relayed mode (UDP unicast, giaddr set), unpaced;
#   3. broadcast mode paced at TARGET packets/s, to show the pacer holds it.
# Prints one line per run and the verdict; exits 1 when a run is below
# TARGET. Needs root. Addresses: 198.18.0.0/15 (RFC 2544) inside the
# namespaces only; they are removed on every exit path.
#
# Usage: bench/perf_sink.sh [DURATION_S]   (env DORA_PERF, TARGET)
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DORA_PERF=${DORA_PERF:-$ROOT/build/dora-perf}
DURATION=${1:-5}
TARGET=${TARGET:-150000}
GEN="dps$$-gen"
SINK="dps$$-sink"
TMP=$(mktemp -d /tmp/perf-sink.XXXXXX)

cleanup() {
    ip netns del "$GEN" 2>/dev/null
    ip netns del "$SINK" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[ "$(id -u)" -eq 0 ] || { echo "perf_sink.sh needs root (network namespaces)"; exit 1; }
[ -x "$DORA_PERF" ] || { echo "dora-perf not found at $DORA_PERF (build first, or set DORA_PERF)"; exit 1; }

ip netns add "$GEN" && ip netns add "$SINK" || exit 1
ip -n "$GEN" link set lo up
ip -n "$SINK" link set lo up
ip -n "$GEN" link add c0 type veth peer name s0 netns "$SINK" || exit 1
ip -n "$GEN" addr add 198.18.0.2/15 dev c0
ip -n "$SINK" addr add 198.18.0.1/15 dev s0
ip -n "$GEN" link set c0 up
ip -n "$SINK" link set s0 up

echo "dora-perf sink benchmark: $(nproc) CPUs, $DURATION s per run, target $TARGET packets/s"
FAILED=0
run() {   # run NAME ARGS...
    local name=$1 out="$TMP/run.txt" sent pps
    shift
    ip netns exec "$GEN" timeout $((DURATION + 30)) "$DORA_PERF" -i -R 100000 -d 0.5 \
        -p "$DURATION" "$@" >"$out" 2>&1
    sent=$(awk '/^sent packets:/ { print $3; exit }' "$out")
    if [ -z "$sent" ]; then
        echo "$name: no report"; tail -n 5 "$out"; FAILED=1; return
    fi
    pps=$(awk -v s="$sent" -v d="$DURATION" 'BEGIN { printf "%d", s / d }')
    printf '%-34s %10d packets/s  (%d sent, locallimit %s)\n' "$name:" "$pps" "$sent" \
        "$(awk '/^locallimit:/ { print $2; exit }' "$out")"
    [ "$pps" -ge "$TARGET" ] || FAILED=1
}

run "broadcast (raw), unpaced" -l c0 all
run "relayed (UDP), unpaced" -l 198.18.0.2 198.18.0.1
run "broadcast (raw), paced -r $TARGET" -r "$TARGET" -l c0 all

if [ "$FAILED" -eq 0 ]; then
    echo "OK: dora-perf sustains >= $TARGET packets/s into a sink"
else
    echo "BELOW TARGET: dora-perf sent fewer than $TARGET packets/s in some run"
fi
exit "$FAILED"
