"""tests/system/lib/dtnet.py — namespaces, server control and lease-file reading for Python tests.

The Python twin of netns.sh + server.sh, with the same conventions so the two
kinds of test can run side by side:
  * namespaces are named dt<PID>-<role>; a stale one of that family is deleted
    only when its PID is dead;
  * the server namespace dt<PID>-srv has bridge br0 = 192.0.2.1/24 and an
    on-link host route to the test relay 198.51.100.254;
  * each client namespace has a veth "c0" whose peer is enslaved to the bridge;
  * SERVER=dora|kea selects the server ($DORAD, default <repo>/build/dorad, or
    $KEA_DHCP4, default /usr/sbin/kea-dhcp4).
Only RFC 5737 / RFC 2544 test ranges are ever configured.
"""

import csv
import json
import os
import re
import signal
import subprocess
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def run(*args, check=True, ns=None):
    cmd = (["ip", "netns", "exec", ns] if ns else []) + list(args)
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=30)
    if check and r.returncode != 0:
        raise RuntimeError("%s failed: %s" % (" ".join(cmd), r.stderr.strip()))
    return r.stdout


def ns_pids(ns):
    r = subprocess.run(["ip", "netns", "pids", ns], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, text=True, timeout=10)
    return [int(p) for p in r.stdout.split()]


def kill_ns_pids(ns):
    for sig, rounds in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        pids = ns_pids(ns)
        if not pids:
            return
        for p in pids:
            try:
                os.kill(p, sig)
            except ProcessLookupError:
                pass
        for _ in range(rounds):
            if not ns_pids(ns):
                return
            time.sleep(0.1)


def cleanup_stale():
    out = subprocess.run(["ip", "netns", "list"], stdout=subprocess.PIPE, text=True).stdout
    for line in out.splitlines():
        name = line.split()[0] if line.split() else ""
        m = re.match(r"^dt(\d+)-", name)
        if not m:
            continue
        try:
            os.kill(int(m.group(1)), 0)
            continue  # owner alive: not stale
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        kill_ns_pids(name)
        subprocess.run(["ip", "netns", "del", name], stderr=subprocess.DEVNULL)


class Topology:
    def __init__(self, bridge="br0"):
        self.prefix = "dt%d" % os.getpid()
        self.srv = self.prefix + "-srv"
        self.bridge = bridge
        self.namespaces = []

    def add_ns(self, ns):
        run("ip", "netns", "add", ns)
        self.namespaces.append(ns)
        run("ip", "-n", ns, "link", "set", "lo", "up")
        run("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
            "net.ipv6.conf.default.disable_ipv6=1", ns=ns, check=False)

    def server_ns(self):
        self.add_ns(self.srv)
        run("ip", "-n", self.srv, "link", "add", self.bridge, "type", "bridge",
            "forward_delay", "0", "stp_state", "0")
        run("ip", "-n", self.srv, "addr", "add", "192.0.2.1/24", "dev", self.bridge)
        run("ip", "-n", self.srv, "link", "set", self.bridge, "up")
        run("ip", "-n", self.srv, "route", "add", "198.51.100.254/32", "dev", self.bridge)

    def client(self, name, mac=None, addrs=()):
        ns = "%s-%s" % (self.prefix, name)
        peer = "v" + name
        self.add_ns(ns)
        run("ip", "-n", self.srv, "link", "add", peer, "type", "veth", "peer", "name", "c0",
            "netns", ns)
        run("ip", "-n", self.srv, "link", "set", peer, "master", self.bridge)
        run("ip", "-n", self.srv, "link", "set", peer, "up")
        if mac:
            run("ip", "-n", ns, "link", "set", "c0", "address", mac)
        for a in addrs:
            run("ip", "-n", ns, "addr", "add", a, "dev", "c0")
        run("ip", "-n", ns, "link", "set", "c0", "up")
        return ns

    def bridge_mac(self):
        out = run("ip", "-n", self.srv, "-o", "link", "show", self.bridge)
        return re.search(r"link/ether ([0-9a-f:]{17})", out).group(1)

    def cleanup(self):
        for ns in self.namespaces:
            kill_ns_pids(ns)
        for ns in self.namespaces:
            subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)
        self.namespaces = []


class Server:
    """The server under test, run in namespace srv_ns; SERVER=dora|kea."""

    def __init__(self, srv_ns, tmpdir):
        self.kind = os.environ.get("SERVER", "dora")
        if self.kind == "dora":
            self.bin = os.environ.get("DORAD", os.path.join(REPO, "build", "dorad"))
        elif self.kind == "kea":
            self.bin = os.environ.get("KEA_DHCP4", "/usr/sbin/kea-dhcp4")
        else:
            raise RuntimeError("SERVER must be dora or kea, not %r" % self.kind)
        if not os.access(self.bin, os.X_OK):
            raise RuntimeError("server binary %s not found or not executable" % self.bin)
        self.ns = srv_ns
        self.tmp = tmpdir
        self.proc = None
        self.log = None
        self.start_timeout = float(os.environ.get("SRV_START_TIMEOUT", "20"))

    def _log_text(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def start(self, conf, log):
        self.log = log
        piddir = os.path.join(self.tmp, "pid")
        os.makedirs(piddir, exist_ok=True)
        before = self._log_text().count("DHCP4_STARTED")
        env = dict(os.environ, DORA_PIDFILE_DIR=piddir, KEA_PIDFILE_DIR=piddir,
                   KEA_LOCKFILE_DIR=piddir)
        env.setdefault("ASAN_OPTIONS", "abort_on_error=0:exitcode=66")
        with open(log, "a") as lf:
            lf.write("=== start %.3f %s %s -c %s\n" % (time.time(), self.kind, self.bin, conf))
            lf.flush()
            self.proc = subprocess.Popen(["ip", "netns", "exec", self.ns, self.bin, "-c", conf],
                                         stdout=lf, stderr=subprocess.STDOUT, env=env)
        end = time.monotonic() + self.start_timeout
        while time.monotonic() < end:
            if self._log_text().count("DHCP4_STARTED") > before:
                return
            if self.proc.poll() is not None:
                raise RuntimeError("server exited (%d) during startup:\n%s"
                                   % (self.proc.returncode, self._log_text()[-2000:]))
            time.sleep(0.05)
        raise RuntimeError("server did not log DHCP4_STARTED within %.0fs:\n%s"
                           % (self.start_timeout, self._log_text()[-2000:]))

    def stop(self):
        """SIGTERM; returns the exit status (124 if it had to be SIGKILLed)."""
        if not self.proc:
            return 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
            rc = 124
        self.proc = None
        return rc

    def kill9(self):
        if self.proc:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.proc = None

    def stats(self):
        """dora only: SIGUSR1 -> the JSON of the next DORA_STATS line (dict), or None."""
        if self.kind != "dora" or not self.proc:
            return None
        before = self._log_text().count("DORA_STATS ")
        self.proc.send_signal(signal.SIGUSR1)
        end = time.monotonic() + 5
        while time.monotonic() < end:
            text = self._log_text()
            if text.count("DORA_STATS ") > before:
                line = [ln for ln in text.splitlines() if "DORA_STATS " in ln][-1]
                return json.loads(line.split("DORA_STATS ", 1)[1])
            time.sleep(0.05)
        return None

    def sanitizer_report(self):
        m = re.search(r"ERROR: (Address|Leak|Thread)Sanitizer.*|runtime error:.*", self._log_text())
        return m.group(0) if m else None


def read_leases(path):
    """Lease4 CSV -> (rows in file order as dicts, {address: last row})."""
    rows = []
    try:
        with open(path, newline="") as f:
            for r in csv.DictReader(f):
                rows.append(r)
    except FileNotFoundError:
        pass
    last = {}
    for r in rows:
        last[r["address"]] = r
    return rows, last
