#!/usr/bin/python3
"""tests/system/lib/check_acks.py — hold a lease file to the ACKs a client received.

Usage: check_acks.py ACK_LOG LEASE_CSV [SLACK_S]

Every "ACK <mac> <addr> <lease-time> <time>" line of ACK_LOG (written by
dhcpgen.py) must have, as the winning (last) row for <addr> in the Kea lease4
CSV, hwaddr <mac> and expire >= time + lease-time - SLACK_S (default 2).
Prints a summary line and up to 10 offending ACKs; exits 1 if any.
"""

import os
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dtnet  # noqa: E402


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    ack_log, csv_path = argv[0], argv[1]
    slack = float(argv[2]) if len(argv) > 2 else 2.0
    acks = []
    with open(ack_log) as f:
        for line in f:
            p = line.split()
            if len(p) == 5 and p[0] == "ACK":
                # An ACK without option 51 is logged as "None": hold it to expire >= ack time.
                acks.append((p[1], p[2], int(p[3]) if p[3].isdigit() else 0, float(p[4])))
    _, last = dtnet.read_leases(csv_path)
    bad = []
    for mac, addr, lt, t in acks:
        row = last.get(addr)
        if row is None:
            bad.append("%s %s: no row" % (mac, addr))
        elif row.get("hwaddr") != mac:
            bad.append("%s %s: row hwaddr %s" % (mac, addr, row.get("hwaddr")))
        elif not row.get("expire", "").isdigit() or int(row["expire"]) < t + lt - slack:
            bad.append("%s %s: expire %s < ack %.0f + %d - %.0f"
                       % (mac, addr, row.get("expire"), t, lt, slack))
    print("check_acks: %d ACKs, %d leases in file, %d missing or wrong"
          % (len(acks), len(last), len(bad)))
    for b in bad[:10]:
        print("  " + b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
