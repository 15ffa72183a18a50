#!/usr/bin/python3
"""tests/system/lib/hookclient.py — scripted DHCPv4 exchanges for test_hooks.sh.

Runs in a client namespace on interface c0, one raw socket; every wait is
bounded.  Commands (one result line each on stdout):
  dora MAC [LEASE_TIME]        -> "ACK <addr> <seconds>" | "NOOFFER" | "NOACK"
  renew MAC ADDR SERVER        -> "ACK <addr> <seconds>" | "NOACK"   (ciaddr set: RENEWING)
  release MAC ADDR SERVER      -> "SENT"
  decline MAC                  -> DORA, then DECLINE of the address: "DECLINED <addr>" | "NOACK"
  pair MAC1 MAC2 WAIT          -> both get OFFERs; MAC1 REQUESTs, then MAC2 0.3 s later;
                                  one line per MAC: "<mac> ACK <addr> <s>" | "<mac> NOACK"
"""

import os
import random
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dhcp4 as d  # noqa: E402

PRL = bytes([1, 3, 6, 51, 54])


def cid(mac):
    return b"\x01" + d.mac_bytes(mac)


def discover(ps, mac, lease_time=None):
    xid = random.getrandbits(32)
    opts = [(d.OPT_CLIENT_ID, cid(mac)), (d.OPT_PRL, PRL)]
    if lease_time:
        opts.append((d.OPT_LEASE_TIME, int(lease_time).to_bytes(4, "big")))
    frame = d.build_frame(d.build_bootp(xid, mac, d.DISCOVER, opts), mac)
    for _ in range(2):
        ps.send(frame)
        m = ps.wait_reply(xid, 1.5, (d.OFFER,))
        if m:
            return xid, m
    return xid, None


def request_frame(xid, mac, offer, lease_time=None):
    opts = [(d.OPT_CLIENT_ID, cid(mac)), (d.OPT_SERVER_ID, offer["options"][d.OPT_SERVER_ID]),
            (d.OPT_REQ_ADDR, d.ip_bytes(offer["yiaddr"])), (d.OPT_PRL, PRL)]
    if lease_time:
        opts.append((d.OPT_LEASE_TIME, int(lease_time).to_bytes(4, "big")))
    return d.build_frame(d.build_bootp(xid, mac, d.REQUEST, opts), mac)


def dora(ps, mac, lease_time=None, wait=3.0):
    xid, offer = discover(ps, mac, lease_time)
    if not offer:
        return "NOOFFER", None
    t0 = time.monotonic()
    ps.send(request_frame(xid, mac, offer, lease_time))
    m = ps.wait_reply(xid, wait, (d.ACK, d.NAK))
    if not m or m["msg_type"] != d.ACK:
        return "NOACK", offer
    return "ACK %s %.2f" % (m["yiaddr"], time.monotonic() - t0), m


def main():
    ps = d.PacketSocket("c0")
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "dora":
        print(dora(ps, args[0], args[1] if len(args) > 1 else None)[0])
    elif cmd == "renew":
        mac, addr, server = args
        xid = random.getrandbits(32)
        p = d.build_bootp(xid, mac, d.REQUEST, [(d.OPT_CLIENT_ID, cid(mac)), (d.OPT_PRL, PRL)],
                          ciaddr=addr, flags=0)
        t0 = time.monotonic()
        ps.send(d.build_frame(p, mac, src_ip=addr, dst_ip=server))
        m = ps.wait_reply(xid, 3.0, (d.ACK, d.NAK))
        print("ACK %s %.2f" % (m["yiaddr"], time.monotonic() - t0)
              if m and m["msg_type"] == d.ACK else "NOACK")
    elif cmd == "release":
        mac, addr, server = args
        p = d.build_bootp(random.getrandbits(32), mac, d.RELEASE,
                          [(d.OPT_CLIENT_ID, cid(mac)), (d.OPT_SERVER_ID, d.ip_bytes(server))],
                          ciaddr=addr, flags=0)
        ps.send(d.build_frame(p, mac, src_ip=addr, dst_ip=server))
        print("SENT")
    elif cmd == "decline":
        mac = args[0]
        res, ack = dora(ps, mac)
        if not res.startswith("ACK"):
            print("NOACK")
            return 0
        p = d.build_bootp(random.getrandbits(32), mac, d.DECLINE,
                          [(d.OPT_CLIENT_ID, cid(mac)), (d.OPT_REQ_ADDR, d.ip_bytes(ack["yiaddr"])),
                           (d.OPT_SERVER_ID, ack["options"][d.OPT_SERVER_ID])])
        ps.send(d.build_frame(p, mac))
        print("DECLINED %s" % ack["yiaddr"])
    elif cmd == "pair":
        m1, m2, wait = args[0], args[1], float(args[2])
        x1, o1 = discover(ps, m1)
        x2, o2 = discover(ps, m2)
        if not o1 or not o2:
            print("NOOFFER")
            return 0
        t0 = time.monotonic()
        ps.send(request_frame(x1, m1, o1))
        time.sleep(0.3)
        ps.send(request_frame(x2, m2, o2))
        got = {}
        end = t0 + wait
        while len(got) < 2 and time.monotonic() < end:
            m = ps.recv_dhcp(max(0.0, end - time.monotonic()))
            if m and m["msg_type"] == d.ACK and m["xid"] in (x1, x2):
                got[m["xid"]] = "ACK %s %.2f" % (m["yiaddr"], time.monotonic() - t0)
        print("%s %s" % (m1, got.get(x1, "NOACK")))
        print("%s %s" % (m2, got.get(x2, "NOACK")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
