#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""vu_io.py: a minimal vhost-user virtio-blk front end that does real I/O.

It plays QEMU just enough to start split rings (features, protocol
features with REPLY_ACK, SET_OWNER, one memfd region by SET_MEM_TABLE,
then NUM/BASE/ADDR/KICK/CALL/ENABLE per ring) and runs virtio-blk requests
on them, one at a time: each is put on its ring, kicked, and waited for in
the used ring, and its status byte is checked. What was written is read
back and compared.

usage: vu_io.py [options] SOCKET OP...

OP is QUEUE:TYPE[:SECTOR[:BYTES[:COUNT]]], COUNT requests at consecutive
sectors. TYPE: read, write (BYTES of data, default 4096), flush, getid,
discard, wzeroes (BYTES of disk, as one segment), bad (an unknown request
type, 77). SECTOR "end" is the disk's capacity (so the request fails).
The status expected: IOERR past the end, UNSUPP for bad, else OK.

--tally FILE writes what was done as JSON, per queue, under the names of
the spec's queue attributes (reads, read-bytes, ... kicks), so a test can
compare the kernel's counters with it. --ready FILE is created once the
I/O is done; the session is then held open until SIGTERM/SIGINT or
--hold-secs pass (the kernel shows a queue's counters only while its front
end is attached). Exit status: 0, 1 when an I/O check failed, 2 on usage
or protocol errors.
"""
import argparse
import json
import mmap
import os
import select
import signal
import socket
import struct
import sys
import time

# vhost-user requests
GET_FEATURES = 1
SET_FEATURES = 2
SET_OWNER = 3
SET_MEM_TABLE = 5
SET_VRING_NUM = 8
SET_VRING_ADDR = 9
SET_VRING_BASE = 10
SET_VRING_KICK = 12
SET_VRING_CALL = 13
GET_PROTOCOL_FEATURES = 15
SET_PROTOCOL_FEATURES = 16
GET_QUEUE_NUM = 17
SET_VRING_ENABLE = 18
GET_CONFIG = 24

VERSION = 0x1
FLAG_REPLY = 1 << 2
FLAG_NEED_REPLY = 1 << 3

F_PROTOCOL_FEATURES = 30
F_VERSION_1 = 32
PF_MQ = 0
PF_REPLY_ACK = 3
PF_CONFIG = 9
# Device features a driver of these requests may take when offered.
BLK_F_FLUSH = 9
BLK_F_DISCARD = 13
BLK_F_WRITE_ZEROES = 14

# virtio-blk
T_IN, T_OUT, T_FLUSH, T_GET_ID, T_DISCARD, T_WRITE_ZEROES = 0, 1, 4, 8, 11, 13
T_BAD = 77
S_OK, S_IOERR, S_UNSUPP = 0, 1, 2
STATUS_NAMES = {S_OK: "OK", S_IOERR: "IOERR", S_UNSUPP: "UNSUPP"}

VRING_DESC_F_NEXT = 1
VRING_DESC_F_WRITE = 2

# Guest memory: one region, guest physical 0 at this (made-up) QEMU
# virtual address. Rings at RING_AREA + index * RING_STRIDE, request
# buffers above DATA_AREA.
MEM_SIZE = 8 << 20
UVA_BASE = 0x7f0000000000
RING_AREA = 0
RING_STRIDE = 0x4000
DATA_AREA = 0x100000


class ProtoError(Exception):
    pass


class Front:
    def __init__(self, path, timeout):
        self.timeout = timeout
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock.connect(path)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        self.sock.settimeout(timeout)
        self.reply_ack = False

    def send(self, req, payload=b"", fds=None, need_reply=False):
        flags = VERSION | (FLAG_NEED_REPLY if need_reply else 0)
        msg = struct.pack("<III", req, flags, len(payload)) + payload
        if fds:
            anc = [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                    struct.pack("%di" % len(fds), *fds))]
            self.sock.sendmsg([msg], anc)
        else:
            self.sock.sendall(msg)

    def recv(self, req):
        hdr = self.sock.recv(12, socket.MSG_WAITALL)
        if len(hdr) != 12:
            raise ProtoError("request %d: connection closed" % req)
        r, flags, size = struct.unpack("<III", hdr)
        payload = self.sock.recv(size, socket.MSG_WAITALL) if size else b""
        if r != req or not flags & FLAG_REPLY or len(payload) != size:
            raise ProtoError("request %d: bad reply %d flags %#x size %d"
                             % (req, r, flags, size))
        return payload

    def get(self, req, payload=b""):
        self.send(req, payload)
        return self.recv(req)

    def get_u64(self, req):
        return struct.unpack("<Q", self.get(req))[0]

    def set(self, req, payload=b"", fds=None):
        """A request without a reply of its own: acked with REPLY_ACK."""
        self.send(req, payload, fds, need_reply=self.reply_ack)
        if self.reply_ack:
            ack = struct.unpack("<Q", self.recv(req))[0]
            if ack:
                raise ProtoError("request %d refused: %d" % (req, ack))


class Ring:
    """A split virtqueue in guest memory."""

    def __init__(self, mem, index, num):
        self.mem = mem
        self.index = index
        self.num = num
        base = RING_AREA + index * RING_STRIDE
        self.desc = base
        self.avail = base + 16 * num
        self.used = (self.avail + 6 + 2 * num + 3) & ~3
        assert self.used + 6 + 8 * num <= base + RING_STRIDE
        self.avail_idx = 0
        self.used_idx = 0
        self.kick = os.eventfd(0, os.EFD_CLOEXEC)
        self.call = os.eventfd(0, os.EFD_CLOEXEC | os.EFD_NONBLOCK)
        mem[base:base + RING_STRIDE] = bytes(RING_STRIDE)

    def submit(self, bufs):
        """bufs: (gpa, len, device_writes) in chain order; head is 0."""
        for i, (gpa, length, write) in enumerate(bufs):
            flags = VRING_DESC_F_WRITE if write else 0
            if i + 1 < len(bufs):
                flags |= VRING_DESC_F_NEXT
            off = self.desc + 16 * i
            self.mem[off:off + 16] = struct.pack("<QIHH", gpa, length, flags,
                                                 i + 1 if i + 1 < len(bufs) else 0)
        slot = self.avail + 4 + 2 * (self.avail_idx % self.num)
        self.mem[slot:slot + 2] = struct.pack("<H", 0)
        self.avail_idx = (self.avail_idx + 1) & 0xffff
        # x86 keeps stores in order: the entry is visible before the index.
        self.mem[self.avail + 2:self.avail + 4] = struct.pack("<H", self.avail_idx)
        os.eventfd_write(self.kick, 1)

    def wait(self, timeout):
        deadline = time.monotonic() + timeout
        while True:
            idx = struct.unpack("<H", self.mem[self.used + 2:self.used + 4])[0]
            if idx != self.used_idx:
                break
            if time.monotonic() > deadline:
                raise ProtoError("queue %d: no used entry in %d s"
                                 % (self.index, timeout))
            select.select([self.call], [], [], 0.01)
        off = self.used + 4 + 8 * (self.used_idx % self.num)
        self.used_idx = (self.used_idx + 1) & 0xffff
        return struct.unpack("<II", self.mem[off:off + 8])

    def calls(self):
        try:
            return os.eventfd_read(self.call)
        except BlockingIOError:
            return 0


def parse_op(text):
    parts = text.split(":")
    if len(parts) < 2 or len(parts) > 5:
        raise ValueError("bad OP '%s'" % text)
    types = {"read": T_IN, "write": T_OUT, "flush": T_FLUSH,
             "getid": T_GET_ID, "discard": T_DISCARD,
             "wzeroes": T_WRITE_ZEROES, "bad": T_BAD}
    if parts[1] not in types:
        raise ValueError("bad TYPE '%s'" % parts[1])
    op = {"queue": int(parts[0]), "type": types[parts[1]], "name": parts[1],
          "sector": 0, "bytes": 4096, "count": 1}
    if len(parts) > 2:
        op["sector"] = "end" if parts[2] == "end" else int(parts[2])
    if len(parts) > 3:
        op["bytes"] = int(parts[3])
    if len(parts) > 4:
        op["count"] = int(parts[4])
    return op


def new_tally():
    keys = ("reads", "read-bytes", "writes", "write-bytes", "flushes",
            "discards", "discard-bytes", "write-zeroes", "write-zeroes-bytes",
            "other", "errors", "unsupported", "kicks", "completions")
    return {k: 0 for k in keys}


class Driver:
    def __init__(self, args):
        self.args = args
        self.front = Front(args.socket, args.timeout)
        fd = os.memfd_create("vu_io-guest", os.MFD_CLOEXEC)
        os.ftruncate(fd, MEM_SIZE)
        self.memfd = fd
        self.mem = mmap.mmap(fd, MEM_SIZE)
        self.rings = {}
        self.tally = {}
        self.shadow = {}        # sector -> 512 bytes written
        self.capacity = 0
        self.failed = 0

    def log(self, msg):
        if self.args.verbose:
            print("# " + msg, file=sys.stderr)

    def handshake(self, nqueues, num):
        f = self.front
        features = f.get_u64(GET_FEATURES)
        for bit in (F_VERSION_1, F_PROTOCOL_FEATURES):
            if not features & (1 << bit):
                raise ProtoError("feature %d not offered (%#x)" % (bit, features))
        pf = f.get_u64(GET_PROTOCOL_FEATURES)
        want = pf & ((1 << PF_MQ) | (1 << PF_REPLY_ACK) | (1 << PF_CONFIG))
        f.send(SET_PROTOCOL_FEATURES, struct.pack("<Q", want))
        f.reply_ack = bool(want & (1 << PF_REPLY_ACK))
        if want & (1 << PF_MQ):
            n = f.get_u64(GET_QUEUE_NUM)
            if n < nqueues:
                raise ProtoError("%d queues offered, %d wanted" % (n, nqueues))
        f.set(SET_OWNER)
        if want & (1 << PF_CONFIG):
            # Refused (an empty reply) when the controller has no disk.
            cfg = f.get(GET_CONFIG, struct.pack("<III", 0, 8, 0) + bytes(8))
            if len(cfg) >= 20:
                self.capacity = struct.unpack("<Q", cfg[12:20])[0]
        take = (1 << F_VERSION_1) | (1 << F_PROTOCOL_FEATURES)
        for bit in (BLK_F_FLUSH, BLK_F_DISCARD, BLK_F_WRITE_ZEROES):
            take |= features & (1 << bit)
        f.set(SET_FEATURES, struct.pack("<Q", take))
        f.set(SET_MEM_TABLE,
              struct.pack("<II", 1, 0) +
              struct.pack("<QQQQ", 0, MEM_SIZE, UVA_BASE, 0),
              fds=[self.memfd])
        for q in range(nqueues):
            ring = Ring(self.mem, q, num)
            self.rings[q] = ring
            self.tally[q] = new_tally()
            f.set(SET_VRING_NUM, struct.pack("<II", q, num))
            f.set(SET_VRING_BASE, struct.pack("<II", q, 0))
            f.set(SET_VRING_ADDR, struct.pack("<IIQQQQ", q, 0,
                                              UVA_BASE + ring.desc,
                                              UVA_BASE + ring.used,
                                              UVA_BASE + ring.avail, 0))
            f.set(SET_VRING_KICK, struct.pack("<Q", q), fds=[ring.kick])
            f.set(SET_VRING_CALL, struct.pack("<Q", q), fds=[ring.call])
            f.set(SET_VRING_ENABLE, struct.pack("<II", q, 1))
        self.log("rings started: %d of %d, capacity %d sectors"
                 % (nqueues, num, self.capacity))

    def request(self, q, typ, sector, nbytes):
        """One request; returns (status, data read)."""
        ring = self.rings[q]
        hdr, status, data = DATA_AREA, DATA_AREA + 64, DATA_AREA + 4096
        if nbytes > MEM_SIZE - data:
            raise ValueError("%d bytes do not fit guest memory" % nbytes)
        self.mem[hdr:hdr + 16] = struct.pack("<IIQ", typ, 0, sector)
        self.mem[status] = 0xff
        bufs = [(hdr, 16, False)]
        payload = b""
        if typ == T_OUT:
            payload = os.urandom(nbytes)
            self.mem[data:data + nbytes] = payload
            bufs.append((data, nbytes, False))
        elif typ == T_IN:
            self.mem[data:data + nbytes] = bytes(nbytes)
            bufs.append((data, nbytes, True))
        elif typ == T_GET_ID:
            bufs.append((data, 20, True))
        elif typ in (T_DISCARD, T_WRITE_ZEROES):
            self.mem[data:data + 16] = struct.pack("<QII", sector,
                                                   nbytes // 512, 0)
            bufs.append((data, 16, False))
        bufs.append((status, 1, True))
        ring.submit(bufs)
        head, _ = ring.wait(self.args.timeout)
        if head != 0:
            raise ProtoError("queue %d: used entry for head %d" % (q, head))
        st = self.mem[status]
        if typ == T_OUT and st == S_OK:
            for i in range(nbytes // 512):
                self.shadow[sector + i] = payload[512 * i:512 * (i + 1)]
        if typ in (T_DISCARD, T_WRITE_ZEROES) and st == S_OK:
            for i in range(nbytes // 512):
                self.shadow.pop(sector + i, None)
        got = bytes(self.mem[data:data + nbytes]) if typ == T_IN else b""
        return st, got

    def count(self, q, typ, nbytes, st):
        t = self.tally[q]
        key = {T_IN: ("reads", "read-bytes"), T_OUT: ("writes", "write-bytes"),
               T_FLUSH: ("flushes", None),
               T_DISCARD: ("discards", "discard-bytes"),
               T_WRITE_ZEROES: ("write-zeroes", "write-zeroes-bytes")}
        name, bytes_name = key.get(typ, ("other", None))
        t[name] += 1
        # Bytes count only for requests that reached the disk.
        if bytes_name and st == S_OK:
            t[bytes_name] += nbytes
        t["kicks"] += 1
        t["completions"] += 1
        if st == S_IOERR:
            t["errors"] += 1
        elif st == S_UNSUPP:
            t["unsupported"] += 1

    def run(self, op):
        q = op["queue"]
        if q not in self.rings:
            raise ValueError("queue %d not started" % q)
        for i in range(op["count"]):
            if op["sector"] == "end":
                if not self.capacity:
                    raise ValueError("capacity unknown: no GET_CONFIG")
                sector, want = self.capacity, S_IOERR
            else:
                sector = op["sector"] + i * (op["bytes"] // 512)
                want = S_UNSUPP if op["type"] == T_BAD else S_OK
            nbytes = op["bytes"] if op["type"] in (T_IN, T_OUT, T_DISCARD,
                                                   T_WRITE_ZEROES) else 0
            st, got = self.request(q, op["type"], sector, nbytes)
            self.count(q, op["type"], nbytes, st)
            what = "queue %d: %s sector %d, %d bytes" % (q, op["name"], sector,
                                                         nbytes)
            if st != want:
                self.failed += 1
                print("# %s: status %s, want %s" % (
                    what, STATUS_NAMES.get(st, st), STATUS_NAMES[want]),
                    file=sys.stderr)
                continue
            if op["type"] == T_IN and st == S_OK:
                for j in range(nbytes // 512):
                    exp = self.shadow.get(sector + j)
                    if exp is not None and got[512 * j:512 * (j + 1)] != exp:
                        self.failed += 1
                        print("# %s: sector %d reads back other data"
                              % (what, sector + j), file=sys.stderr)
                        break
            self.log("%s: %s" % (what, STATUS_NAMES.get(st, st)))


def main():
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("socket")
    ap.add_argument("ops", nargs="*", metavar="OP")
    ap.add_argument("--queues", type=int, default=1,
                    help="rings to start, from 0 (default 1)")
    ap.add_argument("--queue-size", type=int, default=64)
    ap.add_argument("--tally", help="write the per-queue tally here (JSON)")
    ap.add_argument("--ready", help="create this file when the I/O is done")
    ap.add_argument("--hold-secs", type=float, default=0,
                    help="then hold the session this long (or until SIGTERM)")
    ap.add_argument("--timeout", type=float, default=20)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    try:
        ops = [parse_op(o) for o in args.ops]
    except ValueError as e:
        print("vu_io: %s" % e, file=sys.stderr)
        return 2

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    try:
        drv = Driver(args)
        drv.handshake(args.queues, args.queue_size)
        for op in ops:
            drv.run(op)
    except (OSError, ProtoError, ValueError) as e:
        print("vu_io: %s" % e, file=sys.stderr)
        return 2
    if args.tally:
        with open(args.tally, "w") as f:
            json.dump({str(q): t for q, t in drv.tally.items()}, f)
    if args.ready:
        open(args.ready, "w").close()
    deadline = time.monotonic() + args.hold_secs
    while not stop and time.monotonic() < deadline:
        time.sleep(0.05)
    return 1 if drv.failed else 0


if __name__ == "__main__":
    sys.exit(main())
