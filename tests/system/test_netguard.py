#!/usr/bin/python3
"""tests/system/test_netguard.py — client classes meet shared networks and BOOTP.

Run as root.  Same harness as test_netopts.py (lib/dtnet.py namespaces, raw
frames from lib/dhcp4.py in the client namespace, bounded timeouts); its own
config.  Two shared networks on br0, in this order:

  gold-net  "client-class": "gold" (option 60 "gold"); one subnet 198.18.0.0/24
  main-net  subnet 1 192.0.2.0/24, two addresses, pool guarded "dhcp-only";
            subnet 2 198.51.100.0/25 guarded "silver" (option 60 "silver");
            subnet 3 198.51.100.128/25, pool guarded "dhcp-only", and a
            reservation of a BOOTP client at an address of that pool.
  dhcp-only is "not member('BOOTP')": dhcpd's "deny dynamic bootp clients".

  g  a gold client is served from gold-net; a plain one is not (it gets
     subnet 1), and its REQUEST for a gold-net address is NAKed
  b  a dynamic BOOTP client gets no BOOTREPLY (every pool it could use
     denies BOOTP; the server logs DHCP4_BOOTP_FAIL for it)
  r  a reserved BOOTP client still gets its reservation (in a dhcp-only pool,
     in sibling subnet 3), with an infinite lease
  s  once subnet 1 is full, a plain client skips silver-only subnet 2 and is
     served from subnet 3; a silver client moves on to subnet 2; a plain
     client's REQUEST for a subnet-2 address is NAKed, not ACKed
  e  additional classes: main-net's (ntp-servers, boot file net.img) reach its
     clients, not gold-net's; subnet 3's pool's (boot file pool.img) is
     evaluated before the network's, so its boot file wins (checked in g, s)
  v  a BOOTP client of class silver is denied subnet 1's pool and served from
     subnet 2 (the other pool) with a BOOTREPLY

Prints one PASS/FAIL line per check and "N passed, M failed"; exits 1 on failure.
"""

import json
import os
import random
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(HERE, "lib"))
sys.path.insert(0, HERE)
import dhcp4 as d  # noqa: E402
import dtnet  # noqa: E402
import test_netopts as tn  # noqa: E402

GOLD_POOL = ("198.18.0.10", "198.18.0.19")
SUB1_POOL = ("192.0.2.100", "192.0.2.101")
SUB2_POOL = ("198.51.100.10", "198.51.100.50")
SUB2_FREE = "198.51.100.40"
SUB3_POOL = ("198.51.100.200", "198.51.100.210")
GOLD_FREE = "198.18.0.19"
BOOTP_RESERVED = "198.51.100.205"
INFINITE = 4294967295
OPT_VENDOR_CLASS = 60
OPT_NTP = 42
NTP = "192.0.2.123"
PRL = bytes([1, 3, 6, 54, OPT_NTP])


def config(tmp, reserved_mac):
    c = {"Dhcp4": {
        "interfaces-config": {"interfaces": ["br0"]},
        "lease-database": {"type": "memfile", "name": os.path.join(tmp, "leases4.csv"),
                           "lfc-interval": 0},
        "valid-lifetime": 600,
        "authoritative": True,
        "client-classes": [
            {"name": "gold", "test": "option[60].hex == 'gold'"},
            {"name": "silver", "test": "option[60].hex == 'silver'"},
            {"name": "dhcp-only", "test": "not member('BOOTP')"},
            {"name": "net-extra", "only-in-additional-list": True, "boot-file-name": "net.img",
             "option-data": [{"name": "ntp-servers", "data": NTP}]},
            {"name": "pool-extra", "only-in-additional-list": True, "boot-file-name": "pool.img"}],
        "shared-networks": [
            {"name": "gold-net", "client-class": "gold", "interface": "br0",
             "subnet4": [{"id": 10, "subnet": "198.18.0.0/24",
                          "pools": [{"pool": "%s - %s" % GOLD_POOL}],
                          "option-data": [{"name": "routers", "data": "198.18.0.1"}]}]},
            {"name": "main-net", "interface": "br0",
             "evaluate-additional-classes": ["net-extra"],
             "subnet4": [
                 {"id": 1, "subnet": "192.0.2.0/24",
                  "pools": [{"pool": "%s - %s" % SUB1_POOL, "client-class": "dhcp-only"}],
                  "option-data": [{"name": "routers", "data": "192.0.2.1"}]},
                 {"id": 2, "subnet": "198.51.100.0/25", "client-class": "silver",
                  "pools": [{"pool": "%s - %s" % SUB2_POOL}],
                  "option-data": [{"name": "routers", "data": "198.51.100.1"}]},
                 {"id": 3, "subnet": "198.51.100.128/25",
                  "pools": [{"pool": "%s - %s" % SUB3_POOL, "client-classes": ["dhcp-only"],
                             "evaluate-additional-classes": ["pool-extra"]}],
                  "option-data": [{"name": "routers", "data": "198.51.100.129"}],
                  "reservations": [{"hw-address": reserved_mac,
                                    "ip-address": BOOTP_RESERVED}]}]}]}}
    path = os.path.join(tmp, "netguard.json")
    with open(path, "w") as f:
        json.dump(c, f, indent=2)
    return path


def vendor(name):
    return [(OPT_VENDOR_CLASS, name.encode())]


class GuardTester(tn.Tester):
    def discover_as(self, mac, opts=()):
        xid = random.getrandbits(32)
        return self.exchange(self.send(mac, xid, d.DISCOVER,
                                       [(d.OPT_PRL, PRL)] + list(opts)),
                             xid, (d.OFFER,))

    def request_as(self, mac, addr, opts=(), xid=None):
        xid = random.getrandbits(32) if xid is None else xid
        f = self.send(mac, xid, d.REQUEST, [(d.OPT_SERVER_ID, d.ip_bytes(tn.SERVER_ADDR)),
                                            (d.OPT_REQ_ADDR, d.ip_bytes(addr)),
                                            (d.OPT_PRL, PRL)] + list(opts))
        return self.exchange(f, xid, (d.ACK, d.NAK))

    def dora_as(self, mac, opts=()):
        o = self.discover_as(mac, opts)
        if not o:
            return None, None
        return o, self.request_as(mac, o["yiaddr"], opts, o["xid"])

    def bootp_as(self, mac, opts=(), tries=3):
        xid = random.getrandbits(32)
        f = d.build_frame(d.build_bootp(xid, mac, None, opts), mac)
        self.ps.drain()
        for _ in range(tries):
            self.ps.send(f)
            m = self.ps.wait_reply(xid, 1.0)
            if m:
                return m
        return None

    def log_has(self, *words, timeout=3.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for line in self.srv._log_text().splitlines():
                if all(w in line for w in words):
                    return True
            time.sleep(0.05)
        return False

    def acked(self, tag, a, pool, router):
        return self.check(tag, a is not None and a["msg_type"] == d.ACK
                          and tn.in_range(a["yiaddr"], pool)
                          and d.opt_ips(a, d.OPT_ROUTERS) == [router],
                          "reply %s" % ((a and (d.MSG_NAMES.get(a["msg_type"]), a["yiaddr"],
                                                d.opt_ips(a, d.OPT_ROUTERS))),))

    def extras(self, tag, a, ntp, file):
        """The additional classes' ntp-servers option and boot file."""
        if a is None:
            return self.check(tag, False, "no reply")
        got = (d.opt_ips(a, OPT_NTP), tn.field(a, 108, 236))
        return self.check(tag, got == (([NTP] if ntp else []), file), "ntp, file = %s" % (got,))

    def naked(self, tag, a):
        return self.check(tag, a is not None and a["msg_type"] == d.NAK,
                          "reply %s" % ((a and (d.MSG_NAMES.get(a["msg_type"]), a["yiaddr"])),))

    # ---- scenarios
    def g_guarded_network(self):
        _, a = self.dora_as(self.new_mac(), vendor("gold"))
        self.acked("g: a gold client is served from gold-net %s-%s" % GOLD_POOL, a, GOLD_POOL,
                   "198.18.0.1")
        self.extras("g: ... without main-net's additional class", a, False, "")
        _, a = self.dora_as(self.new_mac())
        self.acked("g: a plain client is not: it gets subnet 1 of main-net", a, SUB1_POOL,
                   "192.0.2.1")
        self.extras("g: ... with main-net's additional class (ntp-servers, net.img)", a, True,
                    "net.img")
        mac = self.new_mac()
        a = self.request_as(mac, GOLD_FREE)
        self.naked("g: a plain client's REQUEST for gold-net's %s is NAKed" % GOLD_FREE, a)
        self.check("g: ... and no lease row for it", self.lease_row(GOLD_FREE) is None,
                   str(self.lease_row(GOLD_FREE)))

    def b_bootp_denied(self):
        mac = self.new_mac()
        m = self.bootp_as(mac, tries=2)
        self.check("b: a dynamic BOOTP client gets no BOOTREPLY (dhcp-only pools)", m is None,
                   "got %s" % (m and m["yiaddr"]))
        self.check("b: the server refused it (DHCP4_BOOTP_FAIL for %s)" % mac,
                   self.log_has("DHCP4_BOOTP_FAIL", mac))
        rows = [r for r in dtnet.read_leases(self.leases)[0] if r["hwaddr"] == mac]
        self.check("b: no lease row for it", not rows, str(rows))

    def r_bootp_reserved(self):
        m = self.bootp_as(self.reserved_mac)
        if not self.check("r: a reserved BOOTP client gets a BOOTREPLY",
                          m is not None and m["op"] == d.BOOTREPLY):
            return
        self.check("r: with its reserved %s (dhcp-only pool of sibling subnet 3)"
                   % BOOTP_RESERVED, m["yiaddr"] == BOOTP_RESERVED, m["yiaddr"])
        self.check("r: subnet 3's router", d.opt_ips(m, d.OPT_ROUTERS) == ["198.51.100.129"],
                   str(d.opt_ips(m, d.OPT_ROUTERS)))
        row = self.wait_row(BOOTP_RESERVED)
        self.check("r: infinite lease in subnet 3 in the lease file",
                   row is not None and row["valid_lifetime"] == str(INFINITE)
                   and row["subnet_id"] == "3", str(row))

    def s_guarded_sibling(self):
        # Subnet 1 has one address left (scenario g took one): take it.
        _, a = self.dora_as(self.new_mac())
        self.acked("s: the last address of subnet 1 goes to a plain client", a, SUB1_POOL,
                   "192.0.2.1")
        _, a = self.dora_as(self.new_mac())
        self.acked("s: subnet 1 full: a plain client skips silver-only subnet 2 for subnet 3",
                   a, SUB3_POOL, "198.51.100.129")
        self.extras("s: ... the pool's additional class before the network's (pool.img)", a,
                    True, "pool.img")
        _, a = self.dora_as(self.new_mac(), vendor("silver"))
        self.acked("s: a silver client moves on to subnet 2", a, SUB2_POOL, "198.51.100.1")
        mac = self.new_mac()
        a = self.request_as(mac, SUB2_FREE)
        self.naked("s: a plain client's REQUEST for silver-only %s is NAKed" % SUB2_FREE, a)
        self.check("s: ... and no lease row for it", self.lease_row(SUB2_FREE) is None,
                   str(self.lease_row(SUB2_FREE)))

    def v_bootp_other_pool(self):
        mac = self.new_mac()
        m = self.bootp_as(mac, vendor("silver"))
        self.check("v: a silver BOOTP client gets a BOOTREPLY from subnet 2's pool",
                   m is not None and m["op"] == d.BOOTREPLY and tn.in_range(m["yiaddr"], SUB2_POOL),
                   "got %s" % (m and m["yiaddr"]))
        row = self.wait_row(m["yiaddr"]) if m else None
        self.check("v: infinite lease in subnet 2",
                   row is not None and row["valid_lifetime"] == str(INFINITE)
                   and row["subnet_id"] == "2" and row["hwaddr"] == mac, str(row))

    def run(self):
        return self.run_all(config(self.tmp, self.reserved_mac),
                            (("g", self.g_guarded_network), ("b", self.b_bootp_denied),
                             ("r", self.r_bootp_reserved), ("s", self.s_guarded_sibling),
                             ("v", self.v_bootp_other_pool)))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--inner":
        sys.exit(tn.inner(sys.argv[2:], GuardTester))
    sys.exit(tn.outer("test_netguard", __file__, "ng", 50))
