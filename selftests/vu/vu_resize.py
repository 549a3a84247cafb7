#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""vu_resize.py: wait for a config change notice, as QEMU does on resize.

It negotiates CONFIG, BACKEND_REQ and REPLY_ACK, hands the backend a
socketpair end with SET_BACKEND_REQ_FD, prints the capacity GET_CONFIG
reports, creates READY, then waits for VHOST_USER_BACKEND_CONFIG_CHANGE_MSG
on its end of the backend channel and prints the capacity again.

usage: vu_resize.py SOCKET READY [TIMEOUT]
Output: "capacity N", "notice", "capacity M". Exit 0, or 1 on a timeout or
a protocol error.
"""
import os
import select
import socket
import struct
import sys
import time

GET_FEATURES, SET_FEATURES, SET_OWNER = 1, 2, 3
GET_PROTOCOL_FEATURES, SET_PROTOCOL_FEATURES = 15, 16
SET_BACKEND_REQ_FD, GET_CONFIG = 21, 24
CONFIG_CHANGE_MSG = 2
P_REPLY_ACK, P_BACKEND_REQ, P_CONFIG = 3, 5, 9


def connect(path, timeout):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    end = time.time() + timeout
    while True:
        try:
            s.connect(path)
            s.settimeout(timeout)
            return s
        except OSError:
            if time.time() > end:
                raise
            time.sleep(0.1)


def call(s, req, payload=b"", flags=1, fds=None, reply=True):
    msg = struct.pack("<III", req, flags, len(payload)) + payload
    anc = []
    if fds:
        anc = [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                struct.pack("%di" % len(fds), *fds))]
    s.sendmsg([msg], anc)
    if not reply:
        return b""
    r, f, n = struct.unpack("<III", s.recv(12, socket.MSG_WAITALL))
    if r != req or f != 5:
        raise RuntimeError("reply %d flags %#x to request %d" % (r, f, req))
    return s.recv(n, socket.MSG_WAITALL) if n else b""


def capacity(s):
    p = call(s, GET_CONFIG, struct.pack("<III", 0, 8, 0) + bytes(8))
    if len(p) != 20:
        raise RuntimeError("GET_CONFIG refused")
    return struct.unpack("<Q", p[12:20])[0]


def main():
    path, ready = sys.argv[1], sys.argv[2]
    timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 15
    s = connect(path, timeout)
    feat = struct.unpack("<Q", call(s, GET_FEATURES))[0]
    call(s, GET_PROTOCOL_FEATURES)
    pf = (1 << P_REPLY_ACK) | (1 << P_BACKEND_REQ) | (1 << P_CONFIG)
    call(s, SET_PROTOCOL_FEATURES, struct.pack("<Q", pf), reply=False)
    mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    ack = call(s, SET_BACKEND_REQ_FD, flags=9, fds=[theirs.fileno()])
    theirs.close()
    if struct.unpack("<Q", ack)[0]:
        raise RuntimeError("SET_BACKEND_REQ_FD refused")
    call(s, SET_OWNER, reply=False)
    call(s, SET_FEATURES, struct.pack("<Q", feat & (1 << 32 | 1 << 30)),
         reply=False)
    print("capacity", capacity(s), flush=True)
    open(ready, "w").close()
    if not select.select([mine], [], [], timeout)[0]:
        print("no notice within %g s" % timeout, flush=True)
        return 1
    r, f, n = struct.unpack("<III", mine.recv(12, socket.MSG_WAITALL))
    if r != CONFIG_CHANGE_MSG or f & 0x3 != 1 or n != 0:
        print("unexpected backend message %d flags %#x size %d" % (r, f, n))
        return 1
    print("notice", flush=True)
    print("capacity", capacity(s), flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OSError, RuntimeError, struct.error) as e:
        print("error:", e, flush=True)
        sys.exit(1)
