#!/bin/sh
# tests/system/lib/udhcpc-script.sh — `udhcpc -s` script for the system tests.
#
# Records the event ($1) and the variables udhcpc exports, one line per
# variable ("2 bound ip=192.0.2.200"), into events.log next to this script,
# and configures the address so that the unicast renew and release work.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
dir=$(dirname "$0")
log="$dir/events.log"
ev=$1
n=$(( $(wc -l <"$dir/events.seq" 2>/dev/null || echo 0) + 1 ))
echo "$n" >>"$dir/events.seq"
echo "$n $ev event=$ev" >>"$log"
echo "$n $ev time=$(date +%s.%N)" >>"$log"
for v in interface ip subnet mask router dns hostname domain lease serverid; do
    eval "val=\${$v-}"
    [ -n "$val" ] && echo "$n $ev $v=$val" >>"$log"
done

case "$ev" in
    bound|renew)
        ip -4 addr flush dev "$interface"
        ip addr add "$ip/${mask:-24}" dev "$interface"
        ;;
    deconfig|leasefail|nak)
        ip -4 addr flush dev "$interface"
        ;;
esac
exit 0
