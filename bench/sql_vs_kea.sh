#!/usr/bin/env bash
# bench/sql_vs_kea.sh — DORA/s of dorad and of Kea 2.2, each with its
# own SQL lease backend, on the same MariaDB (innodb_flush_log_at_trx_commit
# =1) and PostgreSQL (synchronous_commit=on) servers, same run, same
# perfdhcp, unlimited rate. Both DB servers run inside the server namespace
# (its own 127.0.0.1); the generator broadcasts from a client namespace over
# a veth pair (198.18.0.0/15 only).
#
# Usage: bench/sql_vs_kea.sh [--period S] [--backends "mysql pgsql"]
# DORAD: a dorad that opens SQL stores (default build/dorad).
# Prints one line per (backend, server) and the dorad/Kea ratios.
set -uo pipefail
PERIOD=10
BACKENDS="mysql pgsql"
while [ $# -gt 0 ]; do
    case "$1" in
        --period) PERIOD=$2; shift 2 ;;
        --backends) BACKENDS=$2; shift 2 ;;
        *) echo "usage: $0 [--period S] [--backends \"mysql pgsql\"]" >&2; exit 2 ;;
    esac
done
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
DORAD=${DORAD:-$ROOT/build/dorad}
export DORA_MODULE_DIR=${DORA_MODULE_DIR:-$(cd "$(dirname "$DORAD")" && pwd)/backends}
[ "$(id -u)" -eq 0 ] || { echo "must run as root" >&2; exit 1; }
for t in perfdhcp kea-dhcp4; do command -v $t >/dev/null || { echo "need $t" >&2; exit 1; }; done

TAG=sb$$
NS_S=${TAG}s NS_C=${TAG}c
WORK=$(mktemp -d /tmp/dora-sqlbench.XXXXXX)
chmod 755 "$WORK"
SERVER_PID=
ip netns add "$NS_S"; ip netns add "$NS_C"
DBS_NETNS=$NS_S
. "$ROOT/tests/system/lib/dbservers.sh"
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    dbs_stop_all
    ip netns del "$NS_S" 2>/dev/null; ip netns del "$NS_C" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM
ip link add "${TAG}a" type veth peer name "${TAG}b"
ip link set "${TAG}a" netns "$NS_S"; ip link set "${TAG}b" netns "$NS_C"
ip -n "$NS_S" addr add 198.18.0.1/15 dev "${TAG}a"; ip -n "$NS_C" addr add 198.18.0.2/15 dev "${TAG}b"
for ns in "$NS_S" "$NS_C"; do ip -n "$ns" link set lo up; done
ip -n "$NS_S" link set "${TAG}a" up; ip -n "$NS_C" link set "${TAG}b" up

in_s() { ip netns exec "$NS_S" "$@"; }
for be in $BACKENDS; do
    if [ "$be" = mysql ]; then
        dbs_start_mysql "$WORK" || exit 1
        in_s mariadb --socket="$DBS_MYSQL_SOCK" -uroot -e "CREATE DATABASE kea; GRANT ALL ON kea.* TO 'dora'@'127.0.0.1'"
        DORA_DB_PASSWORD=$DBS_PASSWORD in_s "$ROOT/admin/dora-admin" db-init mysql -h 127.0.0.1 -P "$DBS_MYSQL_PORT" -u dora -n dora </dev/null >/dev/null || exit 1
        # Kea's own schema script (what kea-admin db-init runs).
        in_s mariadb --socket="$DBS_MYSQL_SOCK" -uroot kea </usr/share/kea/scripts/mysql/dhcpdb_create.mysql >/dev/null || exit 1
    else
        dbs_start_pgsql "$WORK" || exit 1
        PGPASSWORD=$DBS_PASSWORD in_s psql -X -q -h 127.0.0.1 -p "$DBS_PGSQL_PORT" -U postgres -d postgres -c "CREATE DATABASE kea OWNER dora"
        DORA_DB_PASSWORD=$DBS_PASSWORD in_s "$ROOT/admin/dora-admin" db-init pgsql -h 127.0.0.1 -P "$DBS_PGSQL_PORT" -u dora -n dora </dev/null >/dev/null || exit 1
        PGPASSWORD=$DBS_PASSWORD in_s psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$DBS_PGSQL_PORT" -U dora -d kea \
            -f /usr/share/kea/scripts/pgsql/dhcpdb_create.pgsql >/dev/null || exit 1
    fi
done

write_config() { # server backend -> path
    local name=$1 be=$2 ty port db mt=''
    [ "$be" = mysql ] && { ty=mysql; port=$DBS_MYSQL_PORT; } || { ty=postgresql; port=$DBS_PGSQL_PORT; }
    [ "$name" = kea ] && { db=kea; mt='"multi-threading": { "enable-multi-threading": true, "thread-pool-size": 4, "packet-queue-size": 28 },'; } || db=dora
    cat >"$WORK/$name-$be.json" <<JSON
{ "Dhcp4": {
    "interfaces-config": { "interfaces": [ "${TAG}a" ] },
    "lease-database": { "type": "$ty", "name": "$db", "host": "127.0.0.1", "port": $port,
                        "user": "dora", "password": "$DBS_PASSWORD" },
    $mt
    "valid-lifetime": 86400,
    "subnet4": [ { "id": 1, "subnet": "198.18.0.0/15", "pools": [ { "pool": "198.19.0.0 - 198.19.255.255" } ] } ]
} }
JSON
    echo "$WORK/$name-$be.json"
}

clear_leases() { # backend database
    if [ "$1" = mysql ]; then
        in_s mariadb --socket="$DBS_MYSQL_SOCK" -uroot "$2" -e "DELETE FROM lease4"
    else
        PGPASSWORD=$DBS_PASSWORD in_s psql -X -q -h 127.0.0.1 -p "$DBS_PGSQL_PORT" -U dora -d "$2" -c "DELETE FROM lease4"
    fi
}

run() { # server backend -> "rate acked"
    local name=$1 be=$2 cfg
    cfg=$(write_config "$name" "$be")
    clear_leases "$be" "$([ "$name" = kea ] && echo kea || echo dora)"
    if [ "$name" = kea ]; then
        mkdir -p "$WORK/kea-run"
        KEA_PIDFILE_DIR=$WORK/kea-run KEA_LOCKFILE_DIR=$WORK/kea-run \
            ip netns exec "$NS_S" kea-dhcp4 -c "$cfg" >"$WORK/kea.out" 2>&1 &
    else
        DORA_PIDFILE_DIR=$WORK ip netns exec "$NS_S" "$DORAD" -c "$cfg" >"$WORK/dora.out" 2>&1 &
    fi
    SERVER_PID=$!
    sleep 2
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "$name did not start:" >&2; tail -5 "$WORK/$name.out" >&2; echo "0 0"; return; }
    timeout $((PERIOD + 20)) ip netns exec "$NS_C" perfdhcp -4 -l "${TAG}b" -R 60000 -p "$PERIOD" >"$WORK/gen.out" 2>&1
    kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=
    [ -n "${BENCH_KEEP:-}" ] && cp "$WORK/$name.out" "$WORK/gen.out" "$BENCH_KEEP/" 2>/dev/null
    [ -n "${BENCH_KEEP:-}" ] && cp "$WORK/gen.out" "$BENCH_KEEP/gen-$name-$be.out" 2>/dev/null
    local rate acked
    rate=$(sed -n 's/.*Rate: \([0-9.]*\) 4-way.*/\1/p' "$WORK/gen.out" | head -1)
    acked=$(awk '/REQUEST-ACK/ { f = 1 } f && /received packets/ { print $3; exit }' "$WORK/gen.out")
    echo "${rate:-0} ${acked:-0}"
}

printf '%-8s %-6s %14s %10s\n' backend server "DORA/s" "ACKs"
for be in $BACKENDS; do
    declare -A R=()
    for name in dora kea; do
        read -r rate acked <<<"$(run "$name" "$be")"
        R[$name]=$rate
        printf '%-8s %-6s %14s %10s\n' "$be" "$name" "$rate" "$acked"
    done
    awk -v d="${R[dora]}" -v k="${R[kea]}" -v be="$be" 'BEGIN { printf "%-8s dorad/Kea = %s\n", be, (k > 0 ? sprintf("%.1f", d / k) : "n/a") }'
done
