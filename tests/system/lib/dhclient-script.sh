#!/bin/sh
# tests/system/lib/dhclient-script.sh — `dhclient -sf` script for the system tests.
#
# Records every variable dhclient hands over, one line per variable prefixed
# with a sequence number and the reason ("3 BOUND new_ip_address=192.0.2.100"),
# into events.log next to this script, and configures the address so that
# unicast RELEASE works.  dhclient runs scripts with its own small environment,
# so the log location comes from the script's path, not from a variable.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
dir=$(dirname "$0")
log="$dir/events.log"
n=$(( $(wc -l <"$dir/events.seq" 2>/dev/null || echo 0) + 1 ))
echo "$n" >>"$dir/events.seq"
env | grep -E '^(new_|old_|interface=|reason=|requested_)' | sort | sed "s/^/$n $reason /" >>"$log"

mask2len() {
    # 255.255.255.0 -> 24
    n=0
    for o in $(echo "$1" | tr . ' '); do
        case $o in
            255) n=$((n + 8)) ;; 254) n=$((n + 7)) ;; 252) n=$((n + 6)) ;; 248) n=$((n + 5)) ;;
            240) n=$((n + 4)) ;; 224) n=$((n + 3)) ;; 192) n=$((n + 2)) ;; 128) n=$((n + 1)) ;;
        esac
    done
    echo $n
}

case "$reason" in
    BOUND|RENEW|REBIND|REBOOT)
        ip -4 addr flush dev "$interface"
        ip addr add "$new_ip_address/$(mask2len "${new_subnet_mask:-255.255.255.0}")" dev "$interface"
        ;;
    EXPIRE|FAIL|RELEASE|STOP)
        ip -4 addr flush dev "$interface"
        ;;
esac
exit 0
