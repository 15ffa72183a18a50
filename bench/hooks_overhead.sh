#!/usr/bin/env bash
# bench/hooks_overhead.sh DORAD_A DORAD_B [ROUNDS] — hook-point cost when no library is loaded.
#
# Runs dora-perf (next to DORAD_B) against each dorad in turn, alternating, ROUNDS times (default 3),
# with the same config (memfile, one /16 pool in 198.18.0.0/15, no hooks-libraries) and prints the
# completed exchanges/s of each run. Compare a build without the hook call sites (A) with one that
# has them (B). DORA_PERF overrides the generator; RATE the offered rate (default 30000: set it above
# what the server can do to compare capacity). Only the namespaces it creates see a packet. The machine may be shared: repeat.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../tests/system/lib/netns.sh"
. "$HERE/../tests/system/lib/server.sh"
A=$1; B=$2; ROUNDS=${3:-3}
PERF="${DORA_PERF:-$(dirname "$B")/dora-perf}"
nt_init hookbench
nt_server_ns 198.18.0.1/15
nt_client perf 02:00:5e:d0:ff:ff
ip -n "${NT_PREFIX}-perf" addr add 198.18.255.250/15 dev c0
cat >"$NT_TMP/c.json" <<EOF2
{ "Dhcp4": { "interfaces-config": { "interfaces": [ "$NT_BR" ] },
  "lease-database": { "type": "memfile", "name": "$NT_TMP/l.csv", "lfc-interval": 0 },
  "valid-lifetime": 4000,
  "subnet4": [ { "id": 1, "subnet": "198.18.0.0/15", "pools": [ { "pool": "198.18.1.0 - 198.18.254.255" } ] } ] } }
EOF2
for r in $(seq 1 "$ROUNDS"); do
    for which in A B; do
        bin=$A; [ $which = B ] && bin=$B
        rm -f "$NT_TMP/l.csv"
        DORAD=$bin srv_start "$NT_TMP/c.json" "$NT_TMP/s.log" >/dev/null 2>&1 || { echo "start failed"; continue; }
        out=$(timeout 40 ip netns exec "${NT_PREFIX}-perf" "$PERF" -4 -l c0 -R 50000 -r "${RATE:-30000}" -p 5 \
              -b mac=02:00:5e:e0:00:00 2>&1)
        srv_stop >/dev/null 2>&1
        echo "round $r $which: $(echo "$out" | grep -m1 -i '^Rate' ) $(echo "$out" | grep -i "p99 delay" | tr -s " " | tr "\n" " ")"
    done
done
