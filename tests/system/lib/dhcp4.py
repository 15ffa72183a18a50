"""tests/system/lib/dhcp4.py — a tiny DHCPv4 codec and raw-socket I/O for the system tests.

Independent of the code under test (and of scapy, which is too slow for load):
builds Ethernet/IPv4/UDP/BOOTP frames and parses replies received on an
AF_PACKET socket.  Every length read from a frame is checked before use; a
malformed frame parses to None rather than raising.
"""

import ipaddress
import select
import socket
import struct
import time

ETH_P_IP = 0x0800
BOOTREQUEST, BOOTREPLY = 1, 2
MAGIC = b"\x63\x82\x53\x63"

# Message types (RFC 2132 9.6).
DISCOVER, OFFER, REQUEST, DECLINE, ACK, NAK, RELEASE, INFORM = 1, 2, 3, 4, 5, 6, 7, 8
MSG_NAMES = {1: "DISCOVER", 2: "OFFER", 3: "REQUEST", 4: "DECLINE", 5: "ACK", 6: "NAK",
             7: "RELEASE", 8: "INFORM"}

# Option codes used by the tests.
OPT_SUBNET_MASK, OPT_ROUTERS, OPT_DNS, OPT_HOSTNAME = 1, 3, 6, 12
OPT_REQ_ADDR, OPT_LEASE_TIME, OPT_MSG_TYPE, OPT_SERVER_ID = 50, 51, 53, 54
OPT_PRL, OPT_T1, OPT_T2, OPT_CLIENT_ID, OPT_RAI = 55, 58, 59, 61, 82


def mac_bytes(mac):
    b = bytes(int(x, 16) for x in mac.split(":"))
    if len(b) != 6:
        raise ValueError("bad MAC " + mac)
    return b


def mac_str(b):
    return ":".join("%02x" % x for x in b)


def ip_bytes(ip):
    return ipaddress.IPv4Address(ip).packed


def ip_str(b):
    return str(ipaddress.IPv4Address(bytes(b)))


def _csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def build_bootp(xid, chaddr, msg_type=None, options=(), op=BOOTREQUEST, flags=0x8000,
                ciaddr="0.0.0.0", yiaddr="0.0.0.0", siaddr="0.0.0.0", giaddr="0.0.0.0",
                hops=0, secs=0):
    """A BOOTP/DHCP message.  options: iterable of (code, bytes); flags 0x8000 = broadcast."""
    hdr = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", op, 1, 6, hops, xid, secs, flags,
                      ip_bytes(ciaddr), ip_bytes(yiaddr), ip_bytes(siaddr), ip_bytes(giaddr),
                      mac_bytes(chaddr), b"", b"")
    opts = b""
    if msg_type is not None:
        opts += bytes([OPT_MSG_TYPE, 1, msg_type])
    for code, val in options:
        if len(val) > 255:
            raise ValueError("option %d too long" % code)
        opts += bytes([code, len(val)]) + val
    return hdr + MAGIC + opts + b"\xff"


def build_frame(payload, src_mac, dst_mac="ff:ff:ff:ff:ff:ff", src_ip="0.0.0.0",
                dst_ip="255.255.255.255", sport=68, dport=67):
    """Ethernet + IPv4 + UDP around payload, with both checksums computed."""
    udp_len = 8 + len(payload)
    sip, dip = ip_bytes(src_ip), ip_bytes(dst_ip)
    pseudo = sip + dip + struct.pack("!BBH", 0, 17, udp_len)
    udp = struct.pack("!HHHH", sport, dport, udp_len, 0) + payload
    c = _csum(pseudo + udp) or 0xFFFF
    udp = udp[:6] + struct.pack("!H", c) + udp[8:]
    iph = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_len, 0, 0x4000, 64, 17, 0, sip, dip)
    iph = iph[:10] + struct.pack("!H", _csum(iph)) + iph[12:]
    eth = mac_bytes(dst_mac) + mac_bytes(src_mac) + struct.pack("!H", ETH_P_IP)
    return eth + iph + udp


def parse_frame(frame):
    """Ethernet/IPv4/UDP -> dict(src_mac, dst_mac, src_ip, dst_ip, sport, dport, payload) or None."""
    if len(frame) < 14 + 20 + 8:
        return None
    if struct.unpack("!H", frame[12:14])[0] != ETH_P_IP:
        return None
    ip = frame[14:]
    ihl = (ip[0] & 0x0F) * 4
    if ip[0] >> 4 != 4 or ihl < 20 or len(ip) < ihl + 8 or ip[9] != 17:
        return None
    total = struct.unpack("!H", ip[2:4])[0]
    if total < ihl + 8 or total > len(ip):
        return None
    if struct.unpack("!H", ip[6:8])[0] & 0x3FFF:
        return None  # fragments: never expected here
    udp = ip[ihl:total]
    sport, dport, ulen = struct.unpack("!HHH", udp[:6])
    if ulen < 8 or ulen > len(udp):
        return None
    return {"src_mac": mac_str(frame[6:12]), "dst_mac": mac_str(frame[0:6]),
            "src_ip": ip_str(ip[12:16]), "dst_ip": ip_str(ip[16:20]),
            "sport": sport, "dport": dport, "payload": bytes(udp[8:ulen])}


def parse_bootp(data):
    """BOOTP/DHCP message -> dict or None.  'options' maps code -> bytes (repeated
    codes concatenated, RFC 3396); 'option_list' keeps (code, bytes) in wire order."""
    if len(data) < 240 or data[236:240] != MAGIC:
        return None
    op, htype, hlen, hops, xid, secs, flags = struct.unpack("!BBBBIHH", data[:12])
    if hlen > 16:
        return None
    m = {"op": op, "htype": htype, "hlen": hlen, "hops": hops, "xid": xid, "secs": secs,
         "flags": flags, "ciaddr": ip_str(data[12:16]), "yiaddr": ip_str(data[16:20]),
         "siaddr": ip_str(data[20:24]), "giaddr": ip_str(data[24:28]),
         "chaddr": mac_str(data[28:28 + hlen]), "options": {}, "option_list": [],
         "sname": bytes(data[44:108]).split(b"\0", 1)[0], "file": bytes(data[108:236]).split(b"\0", 1)[0]}
    i = 240
    while i < len(data):
        code = data[i]
        if code == 0:
            i += 1
            continue
        if code == 255:
            break
        if i + 1 >= len(data):
            return None
        ln = data[i + 1]
        if i + 2 + ln > len(data):
            return None
        val = bytes(data[i + 2:i + 2 + ln])
        m["option_list"].append((code, val))
        m["options"][code] = m["options"].get(code, b"") + val
        i += 2 + ln
    mt = m["options"].get(OPT_MSG_TYPE)
    m["msg_type"] = mt[0] if mt and len(mt) == 1 else None
    return m


def opt_ip(m, code):
    v = m["options"].get(code)
    return ip_str(v[:4]) if v and len(v) >= 4 else None


def opt_ips(m, code):
    v = m["options"].get(code) or b""
    return [ip_str(v[i:i + 4]) for i in range(0, len(v) - len(v) % 4, 4)]


def opt_u32(m, code):
    v = m["options"].get(code)
    return struct.unpack("!I", v)[0] if v and len(v) == 4 else None


class PacketSocket:
    """AF_PACKET socket on one interface: send frames, receive parsed DHCP replies."""

    def __init__(self, iface):
        self.iface = iface
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_IP))
        self.sock.bind((iface, ETH_P_IP))
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.sock.setblocking(False)
        with open("/sys/class/net/%s/address" % iface) as f:
            self.mac = f.read().strip()

    def send(self, frame):
        self.sock.send(frame)

    def drain(self):
        while True:
            try:
                self.sock.recv(65535)
            except BlockingIOError:
                return

    def recv_dhcp(self, timeout, ports=(68, 67)):
        """Next BOOTREPLY (parsed, with a 'frame' entry) within timeout seconds, or None."""
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                return None
            try:
                data, addr = self.sock.recvfrom(65535)
            except BlockingIOError:
                continue
            if addr[2] == socket.PACKET_OUTGOING:
                continue
            f = parse_frame(data)
            if not f or f["dport"] not in ports or f["sport"] != 67:
                continue
            m = parse_bootp(f["payload"])
            if not m or m["op"] != BOOTREPLY:
                continue
            m["frame"] = f
            return m

    def exchange(self, frame, xid, types, timeout=1.0, tries=3, drain=True, on_send=None):
        """Send frame up to `tries` times until a reply with xid and type in types
        (None when none came); on_send() is called for every frame sent."""
        if drain:
            self.drain()
        for _ in range(tries):
            self.send(frame)
            if on_send:
                on_send()
            m = self.wait_reply(xid, timeout, types)
            if m:
                return m
        return None

    def wait_reply(self, xid, timeout, types=None):
        """The first reply with this xid (and one of types, if given) within timeout."""
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return None
            m = self.recv_dhcp(left)
            if m is None:
                return None
            if m["xid"] == xid and (types is None or m["msg_type"] in types):
                return m

    def close(self):
        self.sock.close()
