#!/usr/bin/python3
"""tests/system/lib/cmd_client.py — DHCP clients on demand for test_commands.sh.

    cmd_client.py IFACE TALLY dora MAC[/CLIENT-ID-HEX] ...
        One full DORA per MAC (raw frames, chaddr = MAC, broadcast replies);
        prints "MAC ADDRESS" per client ("MAC none" when no ACK came).
    cmd_client.py IFACE TALLY discover MAC ...
        A DISCOVER only (nothing is leased); prints "MAC OFFERED-ADDRESS".

Every packet sent and every reply received is added to the JSON counters in
TALLY (discover, request, offer, ack, nak), so the test can compare them with
the server's statistics. Bounded: 3 tries of 1 s per message.
"""

import json
import os
import random
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dhcp4 as d  # noqa: E402

PRL = bytes([1, 3, 6, 51, 54])


def exchange(ps, count, frame, xid, types, key):
    return ps.exchange(frame, xid, types, 1.0, drain=False,
                       on_send=lambda: count.__setitem__(key, count[key] + 1))


def client(ps, count, spec, full):
    mac, _, cid = spec.partition("/")
    opts = [(d.OPT_PRL, PRL)]
    if cid:
        opts.append((d.OPT_CLIENT_ID, bytes.fromhex(cid)))
    xid = random.getrandbits(32)
    offer = exchange(ps, count, d.build_frame(d.build_bootp(xid, mac, d.DISCOVER, opts), mac),
                     xid, (d.OFFER,), "discover")
    if not offer:
        return None
    count["offer"] += 1
    if not full:
        return offer["yiaddr"]
    sid = d.opt_ip(offer, d.OPT_SERVER_ID)
    req = opts + [(d.OPT_REQ_ADDR, d.ip_bytes(offer["yiaddr"])), (d.OPT_SERVER_ID, d.ip_bytes(sid))]
    ack = exchange(ps, count, d.build_frame(d.build_bootp(xid, mac, d.REQUEST, req), mac),
                   xid, (d.ACK, d.NAK), "request")
    if not ack:
        return None
    if ack["msg_type"] != d.ACK:
        count["nak"] += 1
        return None
    count["ack"] += 1
    return ack["yiaddr"]


def main(iface, tally, mode, specs):
    count = {k: 0 for k in ("discover", "request", "offer", "ack", "nak")}
    if os.path.exists(tally):
        with open(tally) as f:
            count.update(json.load(f))
    ps = d.PacketSocket(iface)
    try:
        for spec in specs:
            addr = client(ps, count, spec, mode == "dora")
            print(spec.partition("/")[0], addr or "none")
    finally:
        ps.close()
        with open(tally, "w") as f:
            json.dump(count, f)


if __name__ == "__main__":
    if len(sys.argv) < 5 or sys.argv[3] not in ("dora", "discover"):
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:])
