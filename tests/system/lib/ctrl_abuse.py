#!/usr/bin/env python3
"""Malformed input on dorad's control socket (tests/system/test_control.sh).

Usage: ctrl_abuse.py SOCKET. Prints one line per case, "NAME ANSWER-JSON",
then during_idle_ms and idle_closed. Every socket has a timeout; the whole
run is bounded (~15 s).
"""
import json
import os
import socket
import sys
import time

path = sys.argv[1]


def talk(data, shut=True):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(15)
    s.connect(path)
    try:
        s.sendall(data)
    except OSError:
        pass  # the server answered early and closed
    if shut:
        try:
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
    out = b""
    while len(out) < (1 << 20):
        try:
            b = s.recv(65536)
        except OSError:
            break
        if not b:
            break
        out += b
    s.close()
    try:
        return json.loads(out)
    except ValueError:
        return {"unparsable": out[:200].decode("latin-1")}


def show(name, a):
    print("%s %s" % (name, json.dumps(a)), flush=True)


show("truncated", talk(b'{"command": "status-get", "argum'))
show("huge", talk(b'{"command": "config-test", "arguments": {"x": "' + b"a" * (10 << 20) + b'"}}'))
show("wrongcmd", talk(b'{"command": ["status-get"]}'))
show("wrongargs", talk(b'{"command": "status-get", "arguments": [1, 2]}'))
show("notmap", talk(b'"status-get"'))
show("garbage", talk(b"\x00\xff\xfe{{{" + os.urandom(4096)))
show("garbage2", talk(b"\x7fELF" + bytes(range(1, 256)) * 8))

# 200 idle connections: a command still works meanwhile; the server drops
# them after its 10 s connection timeout.
idle = []
for i in range(200):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.send(b'{"command": ')
    idle.append(s)
t = time.time()
show("during_idle", talk(b'{"command": "version-get"}', shut=False))
print("during_idle_ms %d" % int((time.time() - t) * 1000))
closed = 0
deadline = time.time() + 14
for s in idle:
    s.settimeout(max(0.1, deadline - time.time()))
    try:
        # The server sends nothing to an unfinished request: EOF means closed.
        if s.recv(100) == b"":
            closed += 1
    except OSError:
        pass
    s.close()
print("idle_closed %d" % closed)
