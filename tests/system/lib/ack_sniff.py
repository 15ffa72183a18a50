#!/usr/bin/python3
"""tests/system/lib/ack_sniff.py — record the DHCP replies servers send on a link.

Usage: ack_sniff.py IFACE OUT [SECONDS]

Listens on IFACE (an AF_PACKET socket, run it in the servers' namespace) and
appends one line per BOOTREPLY leaving or crossing it, from UDP port 67:
    ACK|OFFER|NAK <chaddr> <yiaddr> <lease-time or None> <unix time> <server-id>
Lines are flushed as they are written, so a reader sees every reply that was
on the wire before the sniffer was stopped (SIGTERM/SIGINT, or after SECONDS,
default 300: the loop is bounded). "READY" is written first once listening.
"""

import os
import signal
import socket
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dhcp4  # noqa: E402

ETH_P_ALL = 3
NAMES = {dhcp4.OFFER: "OFFER", dhcp4.ACK: "ACK", dhcp4.NAK: "NAK"}
stop = False


def on_signal(_sig, _frame):
    global stop
    stop = True


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    iface, out = argv[0], argv[1]
    limit = float(argv[2]) if len(argv) > 2 else 300.0
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    # ETH_P_ALL: a server's raw sends need not carry the IP protocol in
    # their socket address, and only ETH_P_ALL taps see those.
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((iface, ETH_P_ALL))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 << 20)
    s.settimeout(0.2)
    end = time.monotonic() + limit
    seen = set()
    with open(out, "a", buffering=1) as f:
        f.write("READY\n")
        while not stop and time.monotonic() < end:
            try:
                frame = s.recv(65535)
            except socket.timeout:
                continue
            except InterruptedError:
                continue
            p = dhcp4.parse_frame(frame)
            if p is None or p["sport"] != 67:
                continue
            m = dhcp4.parse_bootp(p["payload"])
            if m is None or m["op"] != dhcp4.BOOTREPLY or m["msg_type"] not in NAMES:
                continue
            # A frame can cross the bridge port and the bridge: count it once.
            key = (m["xid"], m["chaddr"], m["msg_type"], m["yiaddr"], opt_sid(m))
            if key in seen:
                continue
            seen.add(key)
            f.write("%s %s %s %s %.3f %s\n" % (NAMES[m["msg_type"]], m["chaddr"], m["yiaddr"],
                                              dhcp4.opt_u32(m, dhcp4.OPT_LEASE_TIME),
                                              time.time(), opt_sid(m)))
    return 0


def opt_sid(m):
    return dhcp4.opt_ip(m, dhcp4.OPT_SERVER_ID)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
