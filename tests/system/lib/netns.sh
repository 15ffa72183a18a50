# shellcheck shell=bash
# tests/system/lib/netns.sh — network-namespace topology for dora's system tests.
#
# Sourced by the shell tests (and by scripts/run).  It builds, per test run:
#
#   server namespace  dt<PID>-srv : bridge $NT_BR (default br0) with 192.0.2.1/24
#                                   and a host route to the test relay 198.51.100.254
#   client namespaces dt<PID>-<n> : one veth "c0" each, its peer enslaved to the bridge
#
# Names carry the creating shell's PID so parallel runs never collide; a stale
# namespace of this family is removed only when its PID is dead.  Every wait is
# bounded by `timeout`, and an EXIT trap kills whatever runs in our namespaces
# and deletes them.  Only 192.0.2.0/24, 198.51.100.0/24 and 198.18.0.0/15 are
# ever configured (RFC 5737 / RFC 2544 test ranges).

NT_PREFIX="dt$$"
NT_SRV="${NT_PREFIX}-srv"
NT_BR="${NT_BR:-br0}"
NT_NAMESPACES=()
NT_TMP=""
NT_CLEANUP_HOOKS=()

nt_log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
nt_die() { nt_log "FATAL: $*"; exit 1; }

# nt_require CMD... : a missing tool is a test failure, never a silent skip.
nt_require() {
    local c
    for c in "$@"; do
        command -v "$c" >/dev/null 2>&1 || nt_die "required tool '$c' not found (run scripts/deps)"
    done
}

# Kill every process inside namespace $1, politely first, bounded in time.
nt_kill_ns_pids() {
    local ns=$1 pids i
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [ -n "$pids" ] || return 0
    kill -TERM $pids 2>/dev/null || true
    for i in $(seq 1 20); do
        pids=$(ip netns pids "$ns" 2>/dev/null || true)
        [ -n "$pids" ] || return 0
        sleep 0.1
    done
    kill -KILL $pids 2>/dev/null || true
    sleep 0.1
}

# Remove namespaces left by earlier runs of this family whose owner is dead.
nt_cleanup_stale() {
    local ns pid
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^dt[0-9]+-' || true); do
        pid=${ns#dt}
        pid=${pid%%-*}
        if ! kill -0 "$pid" 2>/dev/null; then
            nt_kill_ns_pids "$ns"
            ip netns del "$ns" 2>/dev/null || true
        fi
    done
}

nt_cleanup() {
    local rc=$? ns h
    trap - EXIT INT TERM
    for h in "${NT_CLEANUP_HOOKS[@]}"; do
        eval "$h" || true
    done
    for ns in "${NT_NAMESPACES[@]}"; do
        nt_kill_ns_pids "$ns"
    done
    for ns in "${NT_NAMESPACES[@]}"; do
        ip netns del "$ns" 2>/dev/null || true
    done
    if [ -n "$NT_TMP" ] && [ -d "$NT_TMP" ]; then
        if [ "$rc" -ne 0 ] || [ -n "${KEEP_TMP:-}" ]; then
            nt_log "kept test files in $NT_TMP"
        else
            rm -rf "$NT_TMP"
        fi
    fi
    exit "$rc"
}

# nt_on_cleanup 'shell code' : run before the namespaces go away.
nt_on_cleanup() { NT_CLEANUP_HOOKS+=("$1"); }

# nt_init NAME : root check, tools, stale cleanup, temp dir, EXIT trap.
nt_init() {
    [ "$(id -u)" -eq 0 ] || nt_die "system tests need root (network namespaces)"
    nt_require ip timeout awk seq
    nt_cleanup_stale
    NT_TMP=$(mktemp -d "/tmp/dora-${1:-systest}.XXXXXX")
    chmod 755 "$NT_TMP"
    trap nt_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

nt_add_ns() {
    local ns=$1
    ip netns add "$ns" || nt_die "cannot create namespace $ns"
    NT_NAMESPACES+=("$ns")
    ip -n "$ns" link set lo up
    # No IPv6: router solicitations and DAD only add noise to the captures.
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
        net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1 || true
}

# nt_server_ns [ADDR/LEN...] : the server namespace with the bridge and its
# addresses (default 192.0.2.1/24).
nt_server_ns() {
    local a
    nt_add_ns "$NT_SRV"
    ip -n "$NT_SRV" link add "$NT_BR" type bridge forward_delay 0 stp_state 0 ||
        nt_die "cannot create bridge"
    [ $# -gt 0 ] || set -- 192.0.2.1/24
    for a in "$@"; do
        ip -n "$NT_SRV" addr add "$a" dev "$NT_BR" || nt_die "cannot add $a"
    done
    ip -n "$NT_SRV" link set "$NT_BR" up
    # Replies to relayed traffic go to giaddr 198.51.100.254, which a client
    # namespace holds on the same link: an on-link host route reaches it.
    ip -n "$NT_SRV" route add 198.51.100.254/32 dev "$NT_BR"
}

# nt_client NAME [MAC] : create client namespace dt<PID>-NAME whose veth "c0"
# is bridged into the server namespace.  Sets NT_LAST_NS (not printed: a
# command substitution would run in a subshell and forget the namespace).
nt_client() {
    local name=$1 mac=${2:-} ns="${NT_PREFIX}-$1" peer="v${1}"
    [ ${#peer} -le 15 ] || nt_die "client name $name too long"
    nt_add_ns "$ns"
    ip -n "$NT_SRV" link add "$peer" type veth peer name c0 netns "$ns" ||
        nt_die "cannot create veth for $name"
    ip -n "$NT_SRV" link set "$peer" master "$NT_BR"
    ip -n "$NT_SRV" link set "$peer" up
    [ -z "$mac" ] || ip -n "$ns" link set c0 address "$mac"
    ip -n "$ns" link set c0 up
    NT_LAST_NS=$ns
}

# nt_wait_for TIMEOUT_S 'shell condition' : poll until true; 1 on timeout.
nt_wait_for() {
    local t=$1 cond=$2 end
    end=$(( $(date +%s%N) / 1000000 + t * 1000 ))
    while ! eval "$cond"; do
        [ $(( $(date +%s%N) / 1000000 )) -lt "$end" ] || return 1
        sleep 0.05
    done
}
