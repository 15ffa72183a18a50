#!/usr/bin/python3
"""tests/system/test_packets.py — hand-crafted DHCPv4 exchanges against the server.

Run as root with Debian's /usr/bin/python3 (it has scapy).  The outer process
builds the namespaces (lib/dtnet.py), then re-runs itself inside the client
namespace (`ip netns exec`), where packets are crafted with scapy's
BOOTP/DHCP layers, sent on an AF_PACKET socket and the replies read back with
bounded timeouts.  The server (SERVER=dora|kea) runs in the server namespace
and is restarted with a different config for each phase:

  phase 1, authoritative=false : b (silence), c DECLINE, d INFORM, e repeated REQUEST,
                                 f relayed DISCOVER with option 82
  phase 2, authoritative=true  : a REQUEST for another subnet's address, b (NAK)
  phase 3, two-address pool    : g pool exhaustion

Expected behaviour: /work/shared/spec/kea-dhcp4.md section 3 (RFC 2131 / Kea).
Prints one PASS/FAIL line per check and "N passed, M failed"; exits 1 on failure.
"""

import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.join(HERE, "lib"))
import dhcp4 as d  # noqa: E402
import dtnet  # noqa: E402

CLIENT_IF = "c0"
INFORM_ADDR = "192.0.2.77"       # a statically configured host in subnet 1
RELAY_ADDR = "198.51.100.254"    # the relay (giaddr) for subnet 2
SERVER_ADDR = "192.0.2.1"
LIFETIME = 600
PROBATION = 3600
POOL1 = ("192.0.2.100", "192.0.2.150")
POOL2 = ("198.51.100.10", "198.51.100.20")
TINY_POOL = ("192.0.2.100", "192.0.2.101")


def config(tmp, authoritative, pool1=POOL1):
    import json
    c = {"Dhcp4": {
        "interfaces-config": {"interfaces": ["br0"]},
        "lease-database": {"type": "memfile", "name": os.path.join(tmp, "leases4.csv"),
                           "lfc-interval": 0},
        "valid-lifetime": LIFETIME,
        "authoritative": authoritative,
        "decline-probation-period": PROBATION,
        "subnet4": [
            {"id": 1, "subnet": "192.0.2.0/24",
             "pools": [{"pool": "%s - %s" % pool1}],
             "option-data": [{"name": "routers", "data": "192.0.2.1"},
                             {"name": "domain-name-servers", "data": "192.0.2.53"}]},
            {"id": 2, "subnet": "198.51.100.0/24",
             "pools": [{"pool": "%s - %s" % POOL2}],
             "relay": {"ip-addresses": [RELAY_ADDR]},
             "option-data": [{"name": "routers", "data": "198.51.100.1"}]},
        ]}}
    path = os.path.join(tmp, "packets-%s.json" % ("tiny" if pool1 != POOL1 else
                                                  "auth" if authoritative else "nonauth"))
    with open(path, "w") as f:
        json.dump(c, f, indent=2)
    return path


def ip_int(a):
    return int.from_bytes(socket.inet_aton(a), "big")


def in_range(a, rng):
    return a is not None and ip_int(rng[0]) <= ip_int(a) <= ip_int(rng[1])


# --------------------------------------------------------------------------- inner side
class Tester:
    def __init__(self, srv_ns, tmp, server_mac):
        import scapy.all  # slow to import: only in the inner process
        self.S = scapy.all
        self.tmp = tmp
        self.server_mac = server_mac
        self.srv = dtnet.Server(srv_ns, tmp)
        self.ps = d.PacketSocket(CLIENT_IF)
        self.leases = os.path.join(tmp, "leases4.csv")
        self.passed = 0
        self.failed = 0
        self.macs = 0
        # Absorb unicast replies so the client kernel does not answer them with
        # ICMP port-unreachable; the relay socket is also the receiver for (f).
        self.sink68 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sink68.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sink68.bind(("0.0.0.0", 68))
        self.relay = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.relay.bind((RELAY_ADDR, 67))
        self.relay.settimeout(0.2)

    # ---- reporting
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
        except Exception as e:  # a crash of the test itself is a failure of that scenario
            self.check(name, False, "exception %s: %s" % (type(e).__name__, e))
            traceback.print_exc()

    # ---- packet crafting (scapy) and I/O
    def new_mac(self):
        self.macs += 1
        return "02:d7:%02x:%02x:%02x:%02x" % (os.getpid() & 0xFF, random.randrange(256),
                                              self.macs >> 8 & 0xFF, self.macs & 0xFF)

    def frame(self, mac, xid, mtype, opts=(), ciaddr="0.0.0.0", giaddr="0.0.0.0", flags=0x8000,
              src_ip="0.0.0.0", dst_ip="255.255.255.255", l2src=None, l2dst="ff:ff:ff:ff:ff:ff",
              sport=68, hops=0):
        S = self.S
        dopts = [("message-type", mtype)] + list(opts) + ["end"]
        p = (S.Ether(src=l2src or mac, dst=l2dst) /
             S.IP(src=src_ip, dst=dst_ip) /
             S.UDP(sport=sport, dport=67) /
             S.BOOTP(op=1, xid=xid, flags=flags, ciaddr=ciaddr, giaddr=giaddr, hops=hops,
                     chaddr=S.mac2str(mac) + b"\0" * 10) /
             S.DHCP(options=dopts))
        return bytes(p)

    def exchange(self, frame, xid, types, timeout=1.0, tries=3):
        return self.ps.exchange(frame, xid, types, timeout, tries)

    def silence(self, frame, xid, timeout=1.5, tries=2):
        """Send frame `tries` times; return any reply seen (None = silence)."""
        self.ps.drain()
        for _ in range(tries):
            self.ps.send(frame)
            m = self.ps.wait_reply(xid, timeout)
            if m:
                return m
        return None

    def discover(self, mac, hint=None, tries=3, timeout=1.0):
        xid = random.getrandbits(32)
        opts = [("param_req_list", [1, 3, 6, 51, 54])]
        if hint:
            opts.append(("requested_addr", hint))
        return self.exchange(self.frame(mac, xid, "discover", opts), xid, (d.OFFER,),
                             timeout, tries)

    def request_selecting(self, mac, offer, xid=None):
        xid = offer["xid"] if xid is None else xid
        sid = d.opt_ip(offer, d.OPT_SERVER_ID)
        f = self.frame(mac, xid, "request", [("server_id", sid), ("requested_addr", offer["yiaddr"]),
                                             ("param_req_list", [1, 3, 6, 51, 54])])
        return f, self.exchange(f, xid, (d.ACK, d.NAK))

    def dora(self, mac, hint=None):
        """DISCOVER/OFFER/REQUEST/ACK; returns the ACK (or None)."""
        o = self.discover(mac, hint)
        if not o:
            return None
        _, a = self.request_selecting(mac, o)
        return a if a and a["msg_type"] == d.ACK else None

    def init_reboot(self, mac, addr, xid=None):
        xid = random.getrandbits(32) if xid is None else xid
        return xid, self.frame(mac, xid, "request", [("requested_addr", addr),
                                                     ("param_req_list", [1, 3, 6, 51, 54])])

    def relay_exchange(self, f, xid, tries=3, timeout=1.0):
        """Send a relayed frame; return (reply, source) as received on the relay socket,
        or (None, None)."""
        while True:  # drain stale datagrams
            try:
                self.relay.recvfrom(4096)
            except socket.timeout:
                break
        for _ in range(tries):
            self.ps.send(f)
            end = time.monotonic() + timeout
            while time.monotonic() < end:
                try:
                    data, src = self.relay.recvfrom(4096)
                except socket.timeout:
                    continue
                m = d.parse_bootp(data)
                if m and m["xid"] == xid and m["op"] == d.BOOTREPLY:
                    return m, src
        return None, None

    def lease_rows(self):
        return dtnet.read_leases(self.leases)

    def wait_lease(self, addr, pred, timeout=3.0):
        end = time.monotonic() + timeout
        while True:
            row = self.lease_rows()[1].get(addr)
            if row is not None and pred(row):
                return row
            if time.monotonic() >= end:
                return row
            time.sleep(0.05)

    # ---- server phases
    def start(self, conf, name):
        self.srv.start(conf, os.path.join(self.tmp, "server-%s.log" % name))

    def stop(self, name):
        rc = self.srv.stop()
        self.check("%s: server exits 0 on SIGTERM" % name, rc == 0, "exit status %d" % rc)
        rep = self.srv.sanitizer_report()
        self.check("%s: no sanitizer report in server log" % name, rep is None, rep or "")

    # ---- scenarios -----------------------------------------------------------------
    def b_init_reboot_unknown(self, authoritative):
        mac = self.new_mac()
        xid, f = self.init_reboot(mac, "192.0.2.120")
        if not authoritative:
            m = self.silence(f, xid)
            self.check("b: INIT-REBOOT from unknown client, not authoritative -> no answer",
                       m is None, m and "got %s" % d.MSG_NAMES.get(m["msg_type"]))
        else:
            m = self.exchange(f, xid, (d.ACK, d.NAK, d.OFFER))
            self.check("b: INIT-REBOOT from unknown client, authoritative -> NAK",
                       m is not None and m["msg_type"] == d.NAK,
                       "got %s" % (d.MSG_NAMES.get(m["msg_type"]) if m else "nothing"))
            if m and m["msg_type"] == d.NAK:
                # RFC 2131 4.3.2 / table 3: NAK has yiaddr 0, no lease time, a server-id, and
                # (not relayed) is broadcast.
                self.check("b: NAK has yiaddr 0, server-id, no option 51, sent to 255.255.255.255",
                           m["yiaddr"] == "0.0.0.0" and d.opt_ip(m, d.OPT_SERVER_ID) == SERVER_ADDR
                           and d.OPT_LEASE_TIME not in m["options"]
                           and m["frame"]["dst_ip"] == "255.255.255.255",
                           "yiaddr %s sid %s dst %s opts %s" % (
                               m["yiaddr"], d.opt_ip(m, d.OPT_SERVER_ID), m["frame"]["dst_ip"],
                               sorted(m["options"])))

    def a_other_subnet(self):
        other = "198.51.100.15"
        # Unknown client, INIT-REBOOT for an address of another (non-local) subnet.
        mac = self.new_mac()
        xid, f = self.init_reboot(mac, other)
        m = self.exchange(f, xid, (d.ACK, d.NAK))
        self.check("a: INIT-REBOOT for %s (other subnet), unknown client, authoritative -> NAK" % other,
                   m is not None and m["msg_type"] == d.NAK,
                   "got %s" % (d.MSG_NAMES.get(m["msg_type"]) if m else "nothing"))
        # Known client (leased in subnet 1) asking for the other subnet's address.
        mac = self.new_mac()
        ack = self.dora(mac)
        if not self.check("a: known client gets a lease first", ack is not None):
            return
        xid, f = self.init_reboot(mac, other)
        m = self.exchange(f, xid, (d.ACK, d.NAK))
        self.check("a: INIT-REBOOT for %s by client leased %s -> NAK" % (other, ack["yiaddr"]),
                   m is not None and m["msg_type"] == d.NAK,
                   "got %s" % (d.MSG_NAMES.get(m["msg_type"]) if m else "nothing"))
        # SELECTING (server-id ours) for the other subnet's address: must never be ACKed.
        mac = self.new_mac()
        xid = random.getrandbits(32)
        f = self.frame(mac, xid, "request", [("server_id", SERVER_ADDR), ("requested_addr", other)])
        m = self.silence(f, xid)
        if self.srv.kind == "dora":
            # RFC 2131 §4.3.2: a client on the wrong network is NAKed by an authoritative server.
            self.check("a: SELECTING REQUEST for %s (other subnet), authoritative -> NAK" % other,
                       m is not None and m["msg_type"] == d.NAK,
                       "got %s" % (d.MSG_NAMES.get(m["msg_type"]) if m else "nothing"))
        else:
            # Kea 2.2 drops it silently (DHCP4_UNKNOWN_ADDRESS_REQUESTED); never an ACK either way.
            self.check("a: SELECTING REQUEST for %s (other subnet) -> no ACK" % other,
                       m is None or m["msg_type"] == d.NAK,
                       "got %s yiaddr %s" % (d.MSG_NAMES.get(m["msg_type"]), m["yiaddr"]) if m else "")

    def c_decline(self):
        mac = self.new_mac()
        ack = self.dora(mac)
        if not self.check("c: client leases an address before declining", ack is not None):
            return
        bad = ack["yiaddr"]
        xid = random.getrandbits(32)
        # RFC 2131 4.4.4: DECLINE carries the address in option 50, ciaddr 0, server-id.
        f = self.frame(mac, xid, "decline", [("requested_addr", bad), ("server_id", SERVER_ADDR)])
        m = self.silence(f, xid, timeout=1.0, tries=1)
        self.check("c: DECLINE gets no response", m is None,
                   m and "got %s" % d.MSG_NAMES.get(m["msg_type"]))
        row = self.wait_lease(bad, lambda r: r.get("state") == "1")
        self.check("c: lease file shows %s declined (state 1)" % bad,
                   row is not None and row.get("state") == "1", "row %s" % row)
        if row is not None:
            self.check("c: declined row has valid_lifetime = probation %d and the hwaddr wiped"
                       % PROBATION,
                       row.get("valid_lifetime") == str(PROBATION) and row.get("hwaddr") != mac,
                       "row %s" % row)
        # Control: a hint for a free address is honoured, so the check below means something.
        free = "192.0.2.140"
        o = self.discover(self.new_mac(), hint=free)
        self.check("c: control: a DISCOVER hinting free %s is offered it" % free,
                   o is not None and o["yiaddr"] == free, o and "offered %s" % o["yiaddr"])
        offered = []
        for _ in range(4):
            o = self.discover(self.new_mac(), hint=bad)
            offered.append(o["yiaddr"] if o else None)
        self.check("c: during probation %s is not offered to other clients (hinting it)" % bad,
                   None not in offered and bad not in offered, "offers %s" % offered)

    def d_inform(self):
        mac = self.ps.mac
        xid = random.getrandbits(32)
        before = self.lease_rows()[0]
        f = self.frame(mac, xid, "inform", [("param_req_list", [1, 3, 6, 15])], ciaddr=INFORM_ADDR,
                       src_ip=INFORM_ADDR, flags=0)
        m = self.exchange(f, xid, (d.ACK, d.NAK))
        if not self.check("d: INFORM from %s is answered with ACK" % INFORM_ADDR,
                          m is not None and m["msg_type"] == d.ACK,
                          "got %s" % (d.MSG_NAMES.get(m["msg_type"]) if m else "nothing")):
            return
        self.check("d: INFORM ACK has yiaddr 0 and no lease time (RFC 2131 4.3.5)",
                   m["yiaddr"] == "0.0.0.0" and d.OPT_LEASE_TIME not in m["options"],
                   "yiaddr %s options %s" % (m["yiaddr"], sorted(m["options"])))
        self.check("d: INFORM ACK carries routers 192.0.2.1 and DNS 192.0.2.53",
                   d.opt_ips(m, d.OPT_ROUTERS) == ["192.0.2.1"]
                   and d.opt_ips(m, d.OPT_DNS) == ["192.0.2.53"],
                   "routers %s dns %s" % (d.opt_ips(m, d.OPT_ROUTERS), d.opt_ips(m, d.OPT_DNS)))
        self.check("d: INFORM ACK goes to ciaddr %s" % INFORM_ADDR,
                   m["frame"]["dst_ip"] == INFORM_ADDR and m["ciaddr"] == INFORM_ADDR,
                   "dst %s ciaddr %s" % (m["frame"]["dst_ip"], m["ciaddr"]))
        time.sleep(0.5)
        after = self.lease_rows()[0]
        new = after[len(before):]
        self.check("d: INFORM writes no lease",
                   not any(r["address"] == INFORM_ADDR or r["hwaddr"] == mac for r in new),
                   "new rows %s" % new)

    def e_repeated_request(self):
        mac = self.new_mac()
        o = self.discover(mac)
        if not self.check("e: DISCOVER is offered an address", o is not None):
            return
        f, a1 = self.request_selecting(mac, o)
        if not self.check("e: first REQUEST is ACKed", a1 is not None and a1["msg_type"] == d.ACK):
            return
        a2 = self.exchange(f, o["xid"], (d.ACK, d.NAK))
        ok = (a2 is not None and a2["msg_type"] == d.ACK and a2["yiaddr"] == a1["yiaddr"])
        self.check("e: the same REQUEST again gets an ACK for the same address", ok,
                   "second reply %s yiaddr %s" % (d.MSG_NAMES.get(a2["msg_type"]), a2["yiaddr"])
                   if a2 else "no second reply")
        if ok:
            l1, l2 = d.opt_u32(a1, d.OPT_LEASE_TIME), d.opt_u32(a2, d.OPT_LEASE_TIME)
            # The lease cache may return the remaining lifetime: allow the seconds elapsed.
            self.check("e: both ACKs carry lease time %d (+-2 s)" % LIFETIME,
                       l1 is not None and l2 is not None and abs(l1 - LIFETIME) <= 2
                       and abs(l2 - LIFETIME) <= 2 and l2 <= l1,
                       "lease times %s, %s" % (l1, l2))
            self.check("e: both ACKs carry the same server id",
                       d.opt_ip(a1, d.OPT_SERVER_ID) == d.opt_ip(a2, d.OPT_SERVER_ID) == SERVER_ADDR)

    def f_relayed(self):
        mac = self.new_mac()
        xid = random.getrandbits(32)
        circuit, remote = b"dt-circuit-7", b"\x00\x06" + bytes.fromhex("0200c0ffee01")
        rai = bytes([1, len(circuit)]) + circuit + bytes([2, len(remote)]) + remote
        f = self.frame(mac, xid, "discover", [("param_req_list", [1, 3, 6, 51, 54]),
                                              ("relay_agent_information", rai)],
                       giaddr=RELAY_ADDR, flags=0, src_ip=RELAY_ADDR, dst_ip=SERVER_ADDR,
                       l2src=self.ps.mac, l2dst=self.server_mac, sport=67, hops=1)
        reply, reply_src = self.relay_exchange(f, xid)
        if not self.check("f: relayed DISCOVER -> OFFER received on %s:67 (relay socket)" % RELAY_ADDR,
                          reply is not None and reply["msg_type"] == d.OFFER,
                          "got %s" % (d.MSG_NAMES.get(reply["msg_type"]) if reply else "nothing")):
            return
        self.check("f: OFFER comes from the server's port 67", reply_src[1] == 67, "src %s" % (reply_src,))
        self.check("f: yiaddr from subnet 2 pool %s-%s" % POOL2, in_range(reply["yiaddr"], POOL2),
                   "yiaddr %s" % reply["yiaddr"])
        self.check("f: giaddr echoed", reply["giaddr"] == RELAY_ADDR, "giaddr %s" % reply["giaddr"])
        self.check("f: option 82 echoed byte for byte (RFC 3046 2.2)",
                   reply["options"].get(d.OPT_RAI) == rai,
                   "sent %s got %s" % (rai.hex(), (reply["options"].get(d.OPT_RAI) or b"").hex()))

    def g_exhaustion(self):
        got = []
        for i in range(2):
            a = self.dora(self.new_mac())
            got.append(a["yiaddr"] if a else None)
        self.check("g: two clients lease the two pool addresses",
                   None not in got and len(set(got)) == 2 and all(in_range(x, TINY_POOL) for x in got),
                   "got %s" % got)
        o = self.discover(self.new_mac(), tries=3, timeout=1.0)
        self.check("g: third client's DISCOVER gets no OFFER (pool exhausted)", o is None,
                   o and "offered %s" % o["yiaddr"])
        if self.srv.kind == "dora":
            st = self.srv.stats()
            fail = st.get("v4-allocation-fail") if st else None
            self.check("g: DORA_STATS v4-allocation-fail >= 1",
                       isinstance(fail, int) and fail >= 1, "stats %s" % st)
        else:
            print("     (g: stats assertion not applicable to SERVER=%s)" % self.srv.kind)

    def run(self):
        random.seed()
        # Phase 1: authoritative false.
        self.start(config(self.tmp, False), "nonauth")
        self.scenario("b", lambda: self.b_init_reboot_unknown(False))
        self.scenario("c", self.c_decline)
        self.scenario("d", self.d_inform)
        self.scenario("e", self.e_repeated_request)
        self.scenario("f", self.f_relayed)
        self.stop("phase 1")
        # Phase 2: authoritative true (same lease file: the server must load it).
        self.start(config(self.tmp, True), "auth")
        self.scenario("a", self.a_other_subnet)
        self.scenario("b", lambda: self.b_init_reboot_unknown(True))
        self.stop("phase 2")
        # Phase 3: a two-address pool, fresh lease file.
        if os.path.exists(self.leases):
            os.unlink(self.leases)
        self.start(config(self.tmp, False, TINY_POOL), "tiny")
        self.scenario("g", self.g_exhaustion)
        self.stop("phase 3")
        print("%d passed, %d failed" % (self.passed, self.failed), flush=True)
        return 0 if self.failed == 0 else 1


def inner(argv, tester=Tester):
    srv_ns, tmp, server_mac = argv
    t = tester(srv_ns, tmp, server_mac)
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


def outer(name="test_packets", script=__file__, client="pk", timeout=240):
    """Build the namespaces and run `script --inner` in the client namespace."""
    if os.geteuid() != 0:
        print("FAIL %s: needs root (network namespaces)" % name)
        print("0 passed, 1 failed")
        return 1
    for tool in ("ip",):
        if not shutil.which(tool):
            print("FAIL %s: required tool %s missing" % (name, tool))
            print("0 passed, 1 failed")
            return 1
    dtnet.cleanup_stale()
    tmp = tempfile.mkdtemp(prefix="dora-%s." % name.replace("test_", ""))
    os.chmod(tmp, 0o755)
    topo = dtnet.Topology()
    rc = 1
    try:
        topo.server_ns()
        ns = topo.client(client, addrs=("%s/24" % INFORM_ADDR, "%s/24" % RELAY_ADDR))
        cmd = ["ip", "netns", "exec", ns, sys.executable, os.path.abspath(script), "--inner",
               topo.srv, tmp, topo.bridge_mac()]
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
