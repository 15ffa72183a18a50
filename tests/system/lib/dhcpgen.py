#!/usr/bin/python3
"""tests/system/lib/dhcpgen.py — a small DORA traffic generator on a raw socket.

Runs inside a client namespace.  Keeps up to --window exchanges in flight, each
for a fresh MAC (02:<run id>:<counter>): DISCOVER -> OFFER -> REQUEST
(SELECTING, RFC 2131 4.3.2) -> ACK, retransmitting after 1 s and giving an
exchange up after 3 tries.  For every ACK received it appends and flushes

    ACK <mac> <address> <lease-time> <unix time of receipt>

to --out, so a crash test can hold the server to every ACK it sent.  Bounded
by --duration and --count; stops cleanly on SIGTERM/SIGINT.

--probe MAC instead sends one DISCOVER for MAC and prints the offered address
(or nothing), to check that a restarted server knows an existing lease.
"""

import argparse
import os
import random
import signal
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dhcp4 as d  # noqa: E402

PRL = bytes([1, 3, 6, 51, 54])


def probe(ps, mac, timeout):
    xid = random.getrandbits(32)
    frame = d.build_frame(d.build_bootp(xid, mac, d.DISCOVER, [(d.OPT_PRL, PRL)]), mac)
    for _ in range(3):
        ps.send(frame)
        m = ps.wait_reply(xid, timeout / 3, (d.OFFER,))
        if m:
            print(m["yiaddr"])
            return 0
    return 1


def generate(ps, args):
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    out = open(args.out, "a", buffering=1)
    run_id = args.run_id if args.run_id is not None else os.getpid() & 0xFFFF
    inflight = {}          # xid -> [mac, state, deadline, tries, frame]
    started = acks = naks = given_up = 0
    t0 = time.monotonic()
    end = t0 + args.duration
    interval = 1.0 / args.rate if args.rate > 0 else 0.0
    next_start = t0
    while not stop and time.monotonic() < end:
        now = time.monotonic()
        # Start new exchanges, paced by --rate.
        while (len(inflight) < args.window and started < args.count and now >= next_start):
            mac = "02:%02x:%02x:%02x:%02x:%02x" % (run_id >> 8, run_id & 0xFF, started >> 16 & 0xFF,
                                                   started >> 8 & 0xFF, started & 0xFF)
            started += 1
            xid = random.getrandbits(32)
            frame = d.build_frame(d.build_bootp(xid, mac, d.DISCOVER, [(d.OPT_PRL, PRL)]), mac)
            ps.send(frame)
            inflight[xid] = [mac, d.DISCOVER, now + 1.0, 1, frame]
            next_start += interval
            if next_start < now - 1.0:
                next_start = now  # do not burst to catch up after a stall
        # Retransmit or give up.
        for xid, st in list(inflight.items()):
            if now >= st[2]:
                if st[3] >= 3:
                    del inflight[xid]
                    given_up += 1
                else:
                    ps.send(st[4])
                    st[2] = now + 1.0
                    st[3] += 1
        if started >= args.count and not inflight:
            break
        m = ps.recv_dhcp(0.02)
        while m is not None:
            st = inflight.get(m["xid"])
            if st and m["chaddr"] == st[0]:
                mac = st[0]
                if st[1] == d.DISCOVER and m["msg_type"] == d.OFFER:
                    sid = m["options"].get(d.OPT_SERVER_ID)
                    if sid and len(sid) == 4:
                        req = d.build_bootp(m["xid"], mac, d.REQUEST,
                                            [(d.OPT_SERVER_ID, sid),
                                             (d.OPT_REQ_ADDR, d.ip_bytes(m["yiaddr"])),
                                             (d.OPT_PRL, PRL)])
                        st[1], st[2], st[3], st[4] = d.REQUEST, time.monotonic() + 1.0, 1, \
                            d.build_frame(req, mac)
                        ps.send(st[4])
                elif st[1] == d.REQUEST and m["msg_type"] == d.ACK:
                    lt = d.opt_u32(m, d.OPT_LEASE_TIME)
                    out.write("ACK %s %s %s %.3f\n" % (mac, m["yiaddr"], lt, time.time()))
                    acks += 1
                    del inflight[m["xid"]]
                elif st[1] == d.REQUEST and m["msg_type"] == d.NAK:
                    naks += 1
                    del inflight[m["xid"]]
            m = ps.recv_dhcp(0)
    out.close()
    print("dhcpgen: started %d acked %d naked %d given-up %d in %.1fs"
          % (started, acks, naks, given_up, time.monotonic() - t0), file=sys.stderr)
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iface", default="c0")
    ap.add_argument("--out", help="ACK log (appended)")
    ap.add_argument("--rate", type=float, default=200.0, help="new exchanges per second")
    ap.add_argument("--window", type=int, default=32, help="exchanges in flight")
    ap.add_argument("--duration", type=float, default=60.0, help="seconds, hard bound")
    ap.add_argument("--count", type=int, default=1000000, help="exchanges, hard bound")
    ap.add_argument("--run-id", type=lambda s: int(s, 0), default=None, help="16-bit MAC prefix")
    ap.add_argument("--probe", metavar="MAC")
    ap.add_argument("--timeout", type=float, default=3.0)
    args = ap.parse_args()
    ps = d.PacketSocket(args.iface)
    if args.probe:
        return probe(ps, args.probe, args.timeout)
    if not args.out:
        ap.error("--out is required")
    return generate(ps, args)


if __name__ == "__main__":
    sys.exit(main())
