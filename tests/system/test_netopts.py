#!/usr/bin/python3
"""tests/system/test_netopts.py — shared networks, vendor options and BOOTP on the wire.

Run as root.  The outer process builds the namespaces (lib/dtnet.py) and re-runs
itself inside the client namespace, where raw frames built with lib/dhcp4.py go
out on an AF_PACKET socket and the replies are read back with bounded timeouts.
The server runs one config: a shared network of two subnets, the first of
which has only two addresses:

  a  two clients fill subnet 1; a third is offered and ACKed an address of
     subnet 2 with subnet 2's router (Kea moves on when a subnet is full)
  b  the third client keeps its subnet-2 lease after subnet 1 has room again
     (the existing lease wins)
  c  a REQUEST for a subnet-2 address received on subnet 1's link is ACKed
  d  options 43 (ARM §9.2.14 example sub-option) and 125 (RFC 3925,
     enterprise 2234) arrive byte for byte when requested
  e  a BOOTREQUEST (no option 53) gets a BOOTREPLY: no 50-59/61, padded to
     300 bytes, siaddr/file from next-server/boot-file-name, and the lease
     file holds the address with valid_lifetime 4294967295
  f  a BOOTP client with a reservation in subnet 2 gets its reserved address
     and the reservation's sname

Prints one PASS/FAIL line per check and "N passed, M failed"; exits 1 on failure.
"""

import json
import os
import random
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(HERE, "lib"))
import dhcp4 as d  # noqa: E402
import dtnet  # noqa: E402

CLIENT_IF = "c0"
SERVER_ADDR = "192.0.2.1"
SUB1_POOL = ("192.0.2.100", "192.0.2.101")
SUB2_POOL = ("198.51.100.100", "198.51.100.150")
SUB2_FREE = "198.51.100.140"          # requested directly in scenario c
BOOTP_RESERVED = "198.51.100.7"
NEXT_SERVER = "198.51.100.5"
BOOT_FILE = "/boot/netopts.img"
RES_SNAME = "reserved-boot"
INFINITE = 4294967295
OPT_VENDOR, OPT_VIVSO = 43, 125
WANT_43 = bytes([1, 17, 192, 0, 2, 3, 0, 123]) + b"Hello World"
WANT_125 = bytes([0, 0, 0x08, 0xBA, 8, 22, 6]) + b"tagged"
DHCP_ONLY = (50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 61)


def config(tmp, reserved_mac):
    c = {"Dhcp4": {
        "interfaces-config": {"interfaces": ["br0"]},
        "lease-database": {"type": "memfile", "name": os.path.join(tmp, "leases4.csv"),
                           "lfc-interval": 0},
        "valid-lifetime": 600,
        "option-def": [
            {"name": "foo", "code": 1, "space": "vendor-encapsulated-options-space",
             "type": "record", "array": False,
             "record-types": "ipv4-address, uint16, string", "encapsulate": ""},
            {"code": 22, "name": "tag", "space": "vendor-2234", "type": "string"}],
        "option-data": [
            {"name": "foo", "space": "vendor-encapsulated-options-space",
             "data": "192.0.2.3, 123, Hello World"},
            {"name": "vendor-encapsulated-options"},
            {"name": "vivso-suboptions", "data": "2234"},
            {"name": "tag", "space": "vendor-2234", "data": "tagged"}],
        "shared-networks": [{
            "name": "one-wire",
            "boot-file-name": BOOT_FILE,
            "option-data": [{"name": "domain-name-servers", "data": "192.0.2.53"}],
            "subnet4": [
                {"id": 1, "subnet": "192.0.2.0/24",
                 "pools": [{"pool": "%s - %s" % SUB1_POOL}],
                 "option-data": [{"name": "routers", "data": "192.0.2.1"}]},
                {"id": 2, "subnet": "198.51.100.0/24",
                 "next-server": NEXT_SERVER,
                 "pools": [{"pool": "%s - %s" % SUB2_POOL}],
                 "option-data": [{"name": "routers", "data": "198.51.100.1"}],
                 "reservations": [{"hw-address": reserved_mac, "ip-address": BOOTP_RESERVED,
                                   "server-hostname": RES_SNAME}]}]}]}}
    path = os.path.join(tmp, "netopts.json")
    with open(path, "w") as f:
        json.dump(c, f, indent=2)
    return path


def in_range(a, rng):
    n = lambda x: struct.unpack("!I", socket.inet_aton(x))[0]  # noqa: E731
    return n(rng[0]) <= n(a) <= n(rng[1])


def field(m, lo, hi):
    return m["frame"]["payload"][lo:hi].rstrip(b"\0").decode(errors="replace")


class Tester:
    def __init__(self, srv_ns, tmp):
        self.tmp = tmp
        self.srv = dtnet.Server(srv_ns, tmp)
        self.ps = d.PacketSocket(CLIENT_IF)
        self.leases = os.path.join(tmp, "leases4.csv")
        self.passed = self.failed = self.macs = 0
        self.sink68 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sink68.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sink68.bind(("0.0.0.0", 68))
        self.reserved_mac = self.new_mac()
        self.third = None   # (mac, address) of the client moved to subnet 2

    def check(self, name, ok, why=""):
        if ok:
            self.passed += 1
            print("PASS %s" % name, flush=True)
        else:
            self.failed += 1
            print("FAIL %s%s" % (name, (": " + why) if why else ""), flush=True)
        return ok

    def scenario(self, name, fn):
        try:
            fn()
        except Exception as e:
            self.check(name, False, "exception %s: %s" % (type(e).__name__, e))
            traceback.print_exc()

    def new_mac(self):
        self.macs += 1
        return "02:d8:%02x:%02x:%02x:%02x" % (os.getpid() & 0xFF, random.randrange(256),
                                              self.macs >> 8 & 0xFF, self.macs & 0xFF)

    def send(self, mac, xid, mtype, opts=(), ciaddr="0.0.0.0"):
        payload = d.build_bootp(xid, mac, mtype, opts, ciaddr=ciaddr)
        return d.build_frame(payload, mac)

    def exchange(self, frame, xid, types, timeout=1.0, tries=3):
        return self.ps.exchange(frame, xid, types, timeout, tries)

    def discover(self, mac, prl=(1, 3, 6, 54)):
        xid = random.getrandbits(32)
        return self.exchange(self.send(mac, xid, d.DISCOVER, [(d.OPT_PRL, bytes(prl))]), xid,
                             (d.OFFER,))

    def request(self, mac, addr, xid=None):
        xid = random.getrandbits(32) if xid is None else xid
        f = self.send(mac, xid, d.REQUEST, [(d.OPT_SERVER_ID, d.ip_bytes(SERVER_ADDR)),
                                            (d.OPT_REQ_ADDR, d.ip_bytes(addr)),
                                            (d.OPT_PRL, bytes([1, 3, 6, 54]))])
        return self.exchange(f, xid, (d.ACK, d.NAK))

    def dora(self, mac):
        o = self.discover(mac)
        if not o:
            return None, None
        return o, self.request(mac, o["yiaddr"], o["xid"])

    def lease_row(self, addr):
        return dtnet.read_leases(self.leases)[1].get(addr)

    # ---- scenarios
    def a_full_subnet_moves_on(self):
        got = []
        for i in range(2):
            _, a = self.dora(self.new_mac())
            ok = a is not None and a["msg_type"] == d.ACK and in_range(a["yiaddr"], SUB1_POOL)
            self.check("a: client %d gets an address of subnet 1" % (i + 1), ok,
                       "reply %s" % ((a and (d.MSG_NAMES.get(a["msg_type"]), a["yiaddr"])),))
            if a:
                got.append(a["yiaddr"])
        self.check("a: the two subnet-1 addresses differ", len(set(got)) == 2, str(got))
        mac = self.new_mac()
        o, a = self.dora(mac)
        self.check("a: third client is offered a subnet-2 address with subnet 2's router",
                   o is not None and in_range(o["yiaddr"], SUB2_POOL)
                   and d.opt_ips(o, d.OPT_ROUTERS) == ["198.51.100.1"]
                   and d.opt_ip(o, d.OPT_SUBNET_MASK) == "255.255.255.0",
                   "offer %s routers %s" % (o and o["yiaddr"], o and d.opt_ips(o, d.OPT_ROUTERS)))
        self.check("a: ... and ACKed, with the network's DNS server",
                   a is not None and a["msg_type"] == d.ACK and o is not None
                   and a["yiaddr"] == o["yiaddr"]
                   and d.opt_ips(a, d.OPT_DNS) == ["192.0.2.53"],
                   "ack %s" % ((a and (d.MSG_NAMES.get(a["msg_type"]), a["yiaddr"])),))
        if a and a["msg_type"] == d.ACK:
            self.third = (mac, a["yiaddr"])

    def b_existing_lease_wins(self):
        if not self.third:
            self.check("b: needs scenario a", False)
            return
        # The moved client comes back asking for a subnet-1 address (option 50):
        # its existing lease in subnet 2 wins over the hint.
        mac, addr = self.third
        xid = random.getrandbits(32)
        o = self.exchange(self.send(mac, xid, d.DISCOVER,
                                    [(d.OPT_PRL, bytes([1, 3])),
                                     (d.OPT_REQ_ADDR, d.ip_bytes(SUB1_POOL[0]))]),
                          xid, (d.OFFER,))
        self.check("b: the moved client is offered its subnet-2 address again",
                   o is not None and o["yiaddr"] == addr,
                   "offer %s, lease %s" % (o and o["yiaddr"], addr))

    def c_request_other_subnet(self):
        mac = self.new_mac()
        a = self.request(mac, SUB2_FREE)
        self.check("c: REQUEST for %s (subnet 2) on subnet 1's link is ACKed" % SUB2_FREE,
                   a is not None and a["msg_type"] == d.ACK and a["yiaddr"] == SUB2_FREE
                   and d.opt_ips(a, d.OPT_ROUTERS) == ["198.51.100.1"],
                   "reply %s" % ((a and (d.MSG_NAMES.get(a["msg_type"]), a["yiaddr"])),))
        row = self.lease_row(SUB2_FREE)
        self.check("c: the lease file holds it in subnet 2",
                   row is not None and row["subnet_id"] == "2" and row["hwaddr"] == mac, str(row))

    def d_vendor_options(self):
        mac = self.new_mac()
        o = self.discover(mac, prl=(1, 3, OPT_VENDOR, OPT_VIVSO))
        self.check("d: option 43 carries sub-option foo as configured",
                   o is not None and o["options"].get(OPT_VENDOR) == WANT_43,
                   "got %r" % (o and o["options"].get(OPT_VENDOR)))
        self.check("d: option 125 carries enterprise 2234 with sub-option 22",
                   o is not None and o["options"].get(OPT_VIVSO) == WANT_125,
                   "got %r" % (o and o["options"].get(OPT_VIVSO)))
        o = self.discover(self.new_mac(), prl=(1, 3))
        self.check("d: neither is sent when not requested",
                   o is not None and OPT_VENDOR not in o["options"]
                   and OPT_VIVSO not in o["options"],
                   "options %s" % (o and sorted(o["options"])))

    def bootp(self, mac):
        xid = random.getrandbits(32)
        f = d.build_frame(d.build_bootp(xid, mac, None, ()), mac)
        self.ps.drain()
        for _ in range(3):
            self.ps.send(f)
            m = self.ps.wait_reply(xid, 1.0)
            if m:
                return m
        return None

    def check_bootreply(self, tag, m):
        self.check("%s: a BOOTREPLY comes back" % tag, m is not None and m["op"] == d.BOOTREPLY)
        if not m:
            return False
        bad = [c for c in DHCP_ONLY if c in m["options"]]
        self.check("%s: no DHCP-only option (50-59, 61) in it" % tag, not bad, "has %s" % bad)
        self.check("%s: padded to at least 300 bytes" % tag, len(m["frame"]["payload"]) >= 300,
                   "%d bytes" % len(m["frame"]["payload"]))
        self.check("%s: subnet mask and router of subnet 2" % tag,
                   d.opt_ip(m, d.OPT_SUBNET_MASK) == "255.255.255.0"
                   and d.opt_ips(m, d.OPT_ROUTERS) == ["198.51.100.1"],
                   "options %s" % sorted(m["options"]))
        self.check("%s: siaddr is next-server, file is the network's boot-file-name" % tag,
                   m["siaddr"] == NEXT_SERVER and field(m, 108, 236) == BOOT_FILE,
                   "siaddr %s file %r" % (m["siaddr"], field(m, 108, 236)))
        return True

    def wait_row(self, addr):
        end = time.monotonic() + 3
        row = None
        while time.monotonic() < end:
            row = self.lease_row(addr)
            if row is not None:
                return row
            time.sleep(0.05)
        return row

    def e_bootp_dynamic(self):
        mac = self.new_mac()
        m = self.bootp(mac)
        if not self.check_bootreply("e", m):
            return
        # Subnet 1 is full: the dynamic address comes from subnet 2.
        self.check("e: a dynamic address of the network", in_range(m["yiaddr"], SUB2_POOL),
                   m["yiaddr"])
        row = self.wait_row(m["yiaddr"])
        self.check("e: lease file row with valid_lifetime 4294967295 for the client",
                   row is not None and row["valid_lifetime"] == str(INFINITE)
                   and row["hwaddr"] == mac, str(row))

    def f_bootp_reserved(self):
        m = self.bootp(self.reserved_mac)
        if not self.check_bootreply("f", m):
            return
        self.check("f: the reserved address %s (reservation in the sibling subnet)"
                   % BOOTP_RESERVED, m["yiaddr"] == BOOTP_RESERVED, m["yiaddr"])
        self.check("f: sname from the reservation", field(m, 44, 108) == RES_SNAME,
                   repr(field(m, 44, 108)))
        row = self.wait_row(BOOTP_RESERVED)
        self.check("f: reserved BOOTP lease is infinite in the lease file",
                   row is not None and row["valid_lifetime"] == str(INFINITE), str(row))

    def run_all(self, conf, scenarios):
        """Start the server on conf, run the (name, method) scenarios, stop it."""
        random.seed()
        self.srv.start(conf, os.path.join(self.tmp, "server.log"))
        for name, fn in scenarios:
            self.scenario(name, fn)
        rc = self.srv.stop()
        self.check("server exits 0 on SIGTERM", rc == 0, "exit status %d" % rc)
        rep = self.srv.sanitizer_report()
        self.check("no sanitizer report in server log", rep is None, rep or "")
        print("%d passed, %d failed" % (self.passed, self.failed), flush=True)
        return 0 if self.failed == 0 else 1

    def run(self):
        return self.run_all(config(self.tmp, self.reserved_mac),
                            (("a", self.a_full_subnet_moves_on), ("b", self.b_existing_lease_wins),
                             ("c", self.c_request_other_subnet), ("d", self.d_vendor_options),
                             ("e", self.e_bootp_dynamic), ("f", self.f_bootp_reserved)))


def inner(argv, tester=Tester):
    srv_ns, tmp = argv
    t = tester(srv_ns, tmp)
    try:
        return t.run()
    except Exception as e:
        print("FAIL test harness: %s" % e, flush=True)
        traceback.print_exc()
        print("%d passed, %d failed" % (t.passed, t.failed + 1), flush=True)
        return 1
    finally:
        if t.srv.proc:
            t.srv.kill9()


def outer(name="test_netopts", script=__file__, client="no", timeout=60):
    """Build the namespaces and run script --inner in the client one."""
    if os.geteuid() != 0:
        print("FAIL %s: needs root (network namespaces)" % name)
        print("0 passed, 1 failed")
        return 1
    if os.environ.get("SERVER", "dora") != "dora":
        print("SKIP %s: dora only (Kea needs its BOOTP hook loaded)" % name)
        print("0 passed, 0 failed")
        return 0
    dtnet.cleanup_stale()
    tmp = tempfile.mkdtemp(prefix="dora-%s." % name)
    os.chmod(tmp, 0o755)
    topo = dtnet.Topology()
    rc = 1
    try:
        topo.server_ns()
        ns = topo.client(client)
        cmd = ["ip", "netns", "exec", ns, sys.executable, os.path.abspath(script), "--inner",
               topo.srv, tmp]
        try:
            rc = subprocess.run(cmd, timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            print("FAIL %s: timed out after %d s" % (name, timeout))
            print("0 passed, 1 failed")
            rc = 1
    finally:
        topo.cleanup()
        if rc == 0 and not os.environ.get("KEEP_TMP"):
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print("test files kept in %s" % tmp, file=sys.stderr)
    return rc


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--inner":
        sys.exit(inner(sys.argv[2:]))
    sys.exit(outer())
