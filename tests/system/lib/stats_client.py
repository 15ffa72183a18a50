#!/usr/bin/python3
"""tests/system/lib/stats_client.py — known DHCP traffic for the statistics test.

    stats_client.py IFACE N M K SERVER_ID
        N full DORAs, one fresh MAC each (sequential, a retransmission only
        after 2 s of silence), then M RELEASEs and K DECLINEs of distinct
        leases.  Prints one JSON object counting exactly what was sent and
        received: discover, request, release, decline sent; offer, ack, nak
        received; the leased addresses.  Bounded: 3 tries per message.

    stats_client.py http HOST PORT KIND
        One request to the metrics endpoint; prints the status line, or
        "closed".  KIND: metrics, notfound, garbage, oversized, binary, slow.
"""

import json
import os
import random
import socket
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dhcp4 as d  # noqa: E402

PRL = bytes([1, 3, 6, 51, 54])


def exchange(ps, count, frame, xid, types, sent_key):
    return ps.exchange(frame, xid, types, 2.0, drain=False,
                       on_send=lambda: count.__setitem__(sent_key, count[sent_key] + 1))


def dora(ps, mac, count):
    xid = random.getrandbits(32)
    disc = d.build_frame(d.build_bootp(xid, mac, d.DISCOVER, [(d.OPT_PRL, PRL)]), mac)
    offer = exchange(ps, count, disc, xid, (d.OFFER,), "discover")
    if not offer:
        return None
    count["offer"] += 1
    sid = d.opt_ip(offer, d.OPT_SERVER_ID)
    req = d.build_frame(d.build_bootp(xid, mac, d.REQUEST, [
        (d.OPT_REQ_ADDR, d.ip_bytes(offer["yiaddr"])), (d.OPT_SERVER_ID, d.ip_bytes(sid)),
        (d.OPT_PRL, PRL)]), mac)
    ack = exchange(ps, count, req, xid, (d.ACK, d.NAK), "request")
    if not ack:
        return None
    count["ack" if ack["msg_type"] == d.ACK else "nak"] += 1
    return ack["yiaddr"] if ack["msg_type"] == d.ACK else None


def traffic(iface, n, m, k, server_id):
    ps = d.PacketSocket(iface)
    count = {key: 0 for key in ("discover", "request", "release", "decline", "offer", "ack", "nak")}
    run = random.getrandbits(16)
    leases = []
    for i in range(n):
        mac = "02:%02x:%02x:00:%02x:%02x" % (run >> 8, run & 255, i >> 8, i & 255)
        addr = dora(ps, mac, count)
        if addr:
            leases.append((mac, addr))
    for mac, addr in leases[:m]:
        xid = random.getrandbits(32)
        f = d.build_frame(d.build_bootp(xid, mac, d.RELEASE, [(d.OPT_SERVER_ID, d.ip_bytes(server_id))],
                                        ciaddr=addr, flags=0), mac, src_ip=addr)
        ps.send(f)
        count["release"] += 1
    for mac, addr in leases[m:m + k]:
        xid = random.getrandbits(32)
        f = d.build_frame(d.build_bootp(xid, mac, d.DECLINE, [
            (d.OPT_REQ_ADDR, d.ip_bytes(addr)), (d.OPT_SERVER_ID, d.ip_bytes(server_id))]), mac)
        ps.send(f)
        count["decline"] += 1
    count["leases"] = [a for _, a in leases]
    print(json.dumps(count))


def http(host, port, kind):
    reqs = {
        "metrics": b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n",
        "notfound": b"GET /nothing HTTP/1.1\r\n\r\n",
        "garbage": b"\x16\x03\x01 this is not http at all\r\n\r\n",
        "oversized": b"GET /metrics HTTP/1.1\r\nX-Pad: " + b"a" * 20000 + b"\r\n\r\n",
        "binary": bytes(random.getrandbits(8) for _ in range(3000)) + b"\r\n\r\n",
    }
    s = socket.create_connection((host, int(port)), timeout=5)
    try:
        if kind == "slow":   # connect, say nothing: the server must not wait for us
            time.sleep(0.5)
            return print("idle")
        try:
            s.sendall(reqs[kind])
        except OSError:
            pass   # the server may answer and close before reading everything
        data = b""
        while True:
            try:
                b = s.recv(65536)
            except (socket.timeout, ConnectionResetError):
                break
            if not b:
                break
            data += b
        print(data.split(b"\r\n", 1)[0].decode("latin-1") if data else "closed")
    finally:
        s.close()


if __name__ == "__main__":
    if sys.argv[1] == "http":
        http(*sys.argv[2:5])
    else:
        traffic(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
