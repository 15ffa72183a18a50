# shellcheck shell=bash
# tests/system/lib/server.sh — start, stop and inspect the DHCPv4 server under test.
#
# Sourced after netns.sh.  SERVER selects the implementation:
#   SERVER=dora (default)  $DORAD (default <repo>/build/dorad), PID dir via DORA_PIDFILE_DIR
#   SERVER=kea             $KEA_DHCP4 (default /usr/sbin/kea-dhcp4), PID dir via KEA_PIDFILE_DIR
# Both take `-c FILE`, log to stdout, print DHCP4_STARTED once serving, write
# Kea's lease4 CSV, and stop cleanly on SIGTERM — the tests rely on nothing else.

SRV_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
SERVER="${SERVER:-dora}"
SRV_PID=""
SRV_LOG=""
SRV_START_TIMEOUT="${SRV_START_TIMEOUT:-20}"

srv_bin() {
    case "$SERVER" in
        dora) echo "${DORAD:-$SRV_REPO/build/dorad}" ;;
        kea)  echo "${KEA_DHCP4:-/usr/sbin/kea-dhcp4}" ;;
        *)    nt_die "SERVER must be dora or kea, not '$SERVER'" ;;
    esac
}

srv_check_bin() {
    local b
    b=$(srv_bin)
    [ -x "$b" ] || nt_die "server binary $b not found or not executable (SERVER=$SERVER)"
}

# srv_count_started : how many times the log says the server started serving.
srv_count_started() {
    local n
    n=$(grep -c 'DHCP4_STARTED' "$SRV_LOG" 2>/dev/null) || true
    echo "${n:-0}"
}

# srv_start CONFIG LOG : start the server in the server namespace and wait
# (bounded) until it logs DHCP4_STARTED.  Returns 1 if it died or timed out.
srv_start() {
    local conf=$1 before b piddir="$NT_TMP/pid"
    SRV_LOG=$2
    b=$(srv_bin)
    mkdir -p "$piddir"
    touch "$SRV_LOG"
    before=$(srv_count_started)
    echo "=== start $(date +%s.%N) $SERVER $b -c $conf" >>"$SRV_LOG"
    ip netns exec "$NT_SRV" env DORA_PIDFILE_DIR="$piddir" KEA_PIDFILE_DIR="$piddir" \
        KEA_LOCKFILE_DIR="$piddir" ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=0:exitcode=66}" \
        "$b" -c "$conf" >>"$SRV_LOG" 2>&1 &
    SRV_PID=$!
    if ! nt_wait_for "$SRV_START_TIMEOUT" \
            '[ "$(srv_count_started)" -gt "$before" ] || ! kill -0 "$SRV_PID" 2>/dev/null'; then
        nt_log "server did not log DHCP4_STARTED within ${SRV_START_TIMEOUT}s"
        tail -n 20 "$SRV_LOG" >&2
        return 1
    fi
    if ! kill -0 "$SRV_PID" 2>/dev/null; then
        nt_log "server exited during startup"
        tail -n 20 "$SRV_LOG" >&2
        SRV_PID=""
        return 1
    fi
}

# srv_stop : SIGTERM, wait up to 10 s, then SIGKILL.  Returns the exit status
# (non-zero if it had to be killed or exited with an error).
srv_stop() {
    local rc=0 i
    [ -n "$SRV_PID" ] || return 0
    kill -TERM "$SRV_PID" 2>/dev/null || true
    for i in $(seq 1 100); do
        kill -0 "$SRV_PID" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$SRV_PID" 2>/dev/null; then
        nt_log "server ignored SIGTERM for 10 s; killing"
        kill -KILL "$SRV_PID" 2>/dev/null || true
        rc=124
    fi
    wait "$SRV_PID" 2>/dev/null || rc=$?
    SRV_PID=""
    return "$rc"
}

# srv_kill9 : crash the server.
srv_kill9() {
    [ -n "$SRV_PID" ] || return 0
    kill -KILL "$SRV_PID" 2>/dev/null || true
    wait "$SRV_PID" 2>/dev/null || true
    SRV_PID=""
}

# srv_stats : (dora only) ask for a DORA_STATS line with SIGUSR1 and print its JSON.
srv_stats() {
    local before
    [ "$SERVER" = dora ] || return 1
    before=$(grep -c '^.*DORA_STATS ' "$SRV_LOG" 2>/dev/null) || true
    kill -USR1 "$SRV_PID" 2>/dev/null || return 1
    nt_wait_for 5 '[ "$(grep -c "DORA_STATS " "$SRV_LOG" 2>/dev/null)" -gt "${before:-0}" ]' || return 1
    grep 'DORA_STATS ' "$SRV_LOG" | tail -n 1 | sed 's/.*DORA_STATS //'
}

# lease_last_row FILE ADDR : the row that wins for ADDR (memfile: last row wins).
lease_last_row() {
    awk -F, -v a="$2" '$1 == a { row = $0 } END { if (row != "") print row }' "$1" 2>/dev/null
}

# lease_field ROW NAME : one column of a lease4 CSV row by its header name.
lease_field() {
    local i
    case "$2" in
        address) i=1 ;; hwaddr) i=2 ;; client_id) i=3 ;; valid_lifetime) i=4 ;;
        expire) i=5 ;; subnet_id) i=6 ;; hostname) i=9 ;; state) i=10 ;;
        *) nt_die "lease_field: unknown column $2" ;;
    esac
    printf '%s\n' "$1" | cut -d, -f"$i"
}
