#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write the seed corpora of the fuzz targets (tools/fuzz/corpus/<target>/).

Each seed is a meaningful input in the format its harness documents at
the top of fuzz_<target>.c: a valid READ(10), INQUIRY VPD 83h, a split
chain with an indirect table, QEMU's realize sequence, and so on. The
seeds are committed; run this again after changing an input format.
"""

import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def u8(v):
    return struct.pack("<B", v)


def u16(v):
    return struct.pack("<H", v)


def u32(v):
    return struct.pack("<I", v)


def u64(v):
    return struct.pack("<Q", v)


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# --- scsi ------------------------------------------------------------------

LUN, RO, ROT, WC, WCE, LBPRZ, NEXUS = 1, 2, 4, 8, 0x10, 0x20, 0x40


def scsi_lun(flags, bs_shift=0, nr_blocks=2048, max_xfer=0, unmap_blocks=0,
             unmap_desc=0, max_ws=0, ua=0, luns=()):
    s = u8(flags) + u8(bs_shift) + u64(nr_blocks) + u8(3) + u16(0)
    s += u32(max_xfer) + u32(0) + u16(8) + u32(unmap_blocks)
    s += u32(unmap_desc) + u32(8) + u32(0) + u64(max_ws)
    s += u64(0x123456789abcdef)
    for text in (b"LINUX", b"vdev", b"0.1", b"serial-0001", b"vdev:ctrl0:0",
                 b"vdev:ctrl0"):
        s += u8(len(text)) + text
    s += u8(ua) + u8(len(luns)) + b"".join(u16(lun) for lun in luns)
    return s


def scsi_cmd(cdb, out_len=0, in_len=0, param=b"", status=0):
    sel = (1 if out_len else 0) | (2 if in_len else 0)
    return (u8(len(cdb)) + bytes(cdb) + u8(sel) + u32(out_len) +
            u32(in_len) + u16(len(param)) + param + u8(status))


def scsi_seeds():
    disk = LUN | WC | WCE | NEXUS
    # A unit attention first, then a READ (10) of 8 blocks, and a WRITE.
    write("scsi", "read10", scsi_lun(disk, ua=1) +
          scsi_cmd([0x00, 0, 0, 0, 0, 0]) +
          scsi_cmd([0x28, 0, 0, 0, 0, 8, 0, 0, 8, 0], in_len=4096) +
          scsi_cmd([0x2a, 0x08, 0, 0, 0, 16, 0, 0, 2, 0], out_len=1024,
                   status=10))
    # INQUIRY: standard data, VPD 00h, 83h, B0h.
    write("scsi", "inquiry_vpd83", scsi_lun(disk) +
          scsi_cmd([0x12, 0, 0, 0, 96, 0], in_len=96) +
          scsi_cmd([0x12, 1, 0x00, 0, 255, 0], in_len=255) +
          scsi_cmd([0x12, 1, 0x83, 0, 255, 0], in_len=255) +
          scsi_cmd([0x12, 1, 0xb0, 0, 64, 0], in_len=64))
    # No LUN at the address: INQUIRY, REPORT LUNS, REQUEST SENSE.
    write("scsi", "report_luns", scsi_lun(0, luns=(0, 1, 300)) +
          scsi_cmd([0x12, 0, 0, 0, 36, 0], in_len=36) +
          scsi_cmd([0xa0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0],
                   in_len=4096) +
          scsi_cmd([0x03, 0, 0, 0, 18, 0], in_len=18))
    # MODE SENSE (6) of all pages, then MODE SELECT (6) turning WCE off.
    caching = bytes([0x08, 0x12]) + bytes(18)
    write("scsi", "mode_select", scsi_lun(disk) +
          scsi_cmd([0x1a, 0, 0x3f, 0, 255, 0], in_len=255) +
          scsi_cmd([0x15, 0x10, 0, 0, 4 + len(caching), 0],
                   out_len=4 + len(caching), param=bytes(4) + caching) +
          scsi_cmd([0x5a, 0x10, 0x08, 0, 0, 0, 0, 0, 64, 0], in_len=64))
    # A thin LUN: UNMAP of one range, WRITE SAME (16) with UNMAP and NDOB.
    desc = u64(100) + u32(10) + u32(0)
    plist = u16(6 + len(desc)) + u16(len(desc)) + u32(0) + desc
    thin = scsi_lun(disk | LBPRZ, unmap_blocks=1 << 20, unmap_desc=16,
                    max_ws=1 << 16)
    write("scsi", "unmap", thin +
          scsi_cmd([0x42, 0, 0, 0, 0, 0, 0, 0, len(plist), 0],
                   out_len=len(plist), param=plist) +
          scsi_cmd([0x93, 0x09] + list(u64(200)[::-1]) + [0, 0, 0, 16, 0,
                                                          0]))
    # 4 KiB blocks: READ CAPACITY (16), VERIFY (10) BYTCHK 1, SYNCHRONIZE
    # CACHE (10), and a READ (16) past the end.
    write("scsi", "capacity_verify", scsi_lun(disk, bs_shift=3,
                                              nr_blocks=1 << 33) +
          scsi_cmd([0x9e, 0x10] + [0] * 8 + [0, 0, 0, 32, 0, 0],
                   in_len=32) +
          scsi_cmd([0x2f, 0x02, 0, 0, 0, 1, 0, 0, 1, 0], out_len=4096,
                   status=3) +
          scsi_cmd([0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0]) +
          scsi_cmd([0x88, 0] + list(u64((1 << 33) - 1)[::-1]) +
                   [0, 0, 0, 2, 0, 0], in_len=8192))
    # Read-only LUN: a WRITE (6) is DATA PROTECT.
    write("scsi", "read_only", scsi_lun(LUN | RO | NEXUS) +
          scsi_cmd([0x0a, 0, 0, 0, 1, 0], out_len=512))


# --- vring -----------------------------------------------------------------

BASE = 0x100000
PAGE = 4096
F_NEXT, F_WRITE, F_INDIRECT = 1, 2, 4
P_AVAIL, P_USED = 1 << 7, 1 << 15


def split_desc(addr, length, flags=0, nxt=0):
    return u64(addr) + u32(length) + u16(flags) + u16(nxt)


def packed_desc(addr, length, flags, buf_id):
    return u64(addr) + u32(length) + u16(buf_id) + u16(flags)


def put(mem, off, data):
    mem[off:off + len(data)] = data


def vring_hdr(cfg, num_raw, regions, desc, avail, used, base=0,
              chain_max=127, pops=8, writes=(), inflight=None):
    s = u8(cfg) + u16(num_raw) + u8(len(regions) - 1)
    for gap, pages in regions:
        s += u8(gap) + u8(pages - 1)
    for reg, off in (desc, avail, used):
        s += u8(reg) + u16(off)
    s += u32(base) + u16(chain_max) + u8(pops)
    if inflight is not None:
        s += u8(inflight[0]) + u16(inflight[1])
    s += u8(len(writes))
    for access, offset, value in writes:
        s += u16(access) + u32(offset) + u8(value)
    return s


def vring_seeds():
    # Split, 16 entries, INDIRECT and EVENT_IDX: a header and an indirect
    # table (readable, writable, writable status), then one direct buffer.
    mem = bytearray(2 * PAGE)
    put(mem, 0x000, split_desc(BASE + 0x1000, 16, F_NEXT, 1))
    put(mem, 0x010, split_desc(BASE + 0x400, 48, F_INDIRECT))
    put(mem, 0x020, split_desc(BASE + 0x1900, 100, F_WRITE))
    put(mem, 0x400, split_desc(BASE + 0x1100, 512, F_NEXT, 1) +
        split_desc(BASE + 0x1400, 512, F_WRITE | F_NEXT, 2) +
        split_desc(BASE + 0x1800, 1, F_WRITE))
    put(mem, 0x100, u16(0) + u16(2) + u16(0) + u16(2))
    write("vring", "split_indirect",
          vring_hdr(0x06, 4, [(0, 2)], (0, 0), (0, 0x100), (0, 0x200)) +
          bytes(mem))

    # The same ring while the guest rewrites the avail idx and a
    # descriptor's length between the engine's reads.
    write("vring", "split_racing",
          vring_hdr(0x06, 4, [(0, 2)], (0, 0), (0, 0x100), (0, 0x200),
                    writes=[(2, 0x102, 7), (4, 0x018, 0xff)]) + bytes(mem))

    # Two contiguous regions and a hole before a third: a buffer runs
    # from the first region into the second; one points into the hole.
    mem = bytearray(3 * PAGE)
    put(mem, 0x000, split_desc(BASE + PAGE - 64, 128, F_NEXT, 1))
    put(mem, 0x010, split_desc(BASE + 3 * PAGE + 0x100, 64, F_WRITE))
    put(mem, 0x020, split_desc(BASE + 2 * PAGE + 0x10, 64, F_WRITE))
    put(mem, 0x100, u16(0) + u16(2) + u16(0) + u16(2))
    write("vring", "split_regions",
          vring_hdr(0x00, 3, [(0, 1), (0, 1), (1, 1)], (0, 0), (0, 0x100),
                    (0, 0x200)) + bytes(mem))

    # Packed, 8 entries, INDIRECT: a two-descriptor chain (id 5) and an
    # indirect one (id 7), both available in wrap 1.
    mem = bytearray(PAGE)
    put(mem, 0x000, packed_desc(BASE + 0x800, 16, P_AVAIL | F_NEXT, 0))
    put(mem, 0x010, packed_desc(BASE + 0x900, 512, P_AVAIL | F_WRITE, 5))
    put(mem, 0x020, packed_desc(BASE + 0x400, 32, P_AVAIL | F_INDIRECT, 7))
    put(mem, 0x400, packed_desc(BASE + 0xb00, 16, 0, 0) +
        packed_desc(BASE + 0xc00, 64, F_WRITE, 0))
    put(mem, 0x100, u16(0) + u16(0))
    write("vring", "packed_indirect",
          vring_hdr(0x07, 7, [(0, 1)], (0, 0), (0, 0x100), (0, 0x110),
                    base=0x80008000) + bytes(mem))

    # Split, 16 entries, tracked in an inflight region at 0x800 that a
    # previous session left: heads 2 and 0 in flight (2 older), the used
    # ring at 2 as the region says; they are fetched again first.
    def inflight_part(used_idx, batch_head, marks, nexts=()):
        part = bytearray(16 + 16 * 16)
        put(part, 0, u64(0) + u16(1) + u16(16) + u16(batch_head) +
            u16(used_idx))
        for head, counter in marks:
            put(part, 16 + 16 * head, u8(1) + bytes(5) + u16(0) +
                u64(counter))
        for head, nxt in nexts:
            put(part, 16 + 16 * head + 6, u16(nxt))
        return part

    mem = bytearray(2 * PAGE)
    put(mem, 0x000, split_desc(BASE + 0x1000, 16, F_NEXT, 1))
    put(mem, 0x010, split_desc(BASE + 0x1100, 512, F_WRITE))
    put(mem, 0x020, split_desc(BASE + 0x1400, 64, F_WRITE))
    put(mem, 0x100, u16(0) + u16(4) + u16(0) + u16(2) + u16(3) + u16(2))
    put(mem, 0x200, u16(0) + u16(2))
    put(mem, 0x800, inflight_part(2, 0, [(0, 5), (2, 3)]))
    write("vring", "split_inflight_resubmit",
          vring_hdr(0x08, 4, [(0, 2)], (0, 0), (0, 0x100), (0, 0x200),
                    inflight=(0, 0x800)) + bytes(mem))

    # The last batch (heads 3, 1) reached the used ring (idx 4) but not
    # the region (used_idx 2): cleared; a loop in its list is bounded.
    mem = bytearray(2 * PAGE)
    put(mem, 0x000, split_desc(BASE + 0x1000, 16, F_WRITE))
    put(mem, 0x100, u16(0) + u16(6))
    put(mem, 0x200, u16(0) + u16(4))
    put(mem, 0x800, inflight_part(2, 3, [(3, 9), (1, 8), (5, 1)],
                                  [(3, 1), (1, 3)]))
    write("vring", "split_inflight_batch",
          vring_hdr(0x0a, 4, [(0, 2)], (0, 0), (0, 0x100), (0, 0x200),
                    inflight=(0, 0x800)) + bytes(mem))

    # Packed, 8 entries, tracked: the part a previous session left says
    # the used ring is at slot 3 of the second lap, whatever the stale
    # base (QEMU's after a broken connection) says; a chain waits there.
    mem = bytearray(PAGE)
    put(mem, 0x030, packed_desc(BASE + 0x900, 512, P_USED | F_WRITE, 4))
    put(mem, 0x800, u64(1) + u16(1) + u16(8) + u16(0) + u16(3))
    write("vring", "packed_inflight",
          vring_hdr(0x0d, 7, [(0, 1)], (0, 0), (0, 0x100), (0, 0x110),
                    base=0x80008000, inflight=(0, 0x800)) + bytes(mem))

    # Packed, 3 entries (not a power of 2), a chain that wraps the ring.
    mem = bytearray(PAGE)
    put(mem, 0x020, packed_desc(BASE + 0x800, 16, P_AVAIL | F_NEXT, 0))
    put(mem, 0x000, packed_desc(BASE + 0x900, 16, P_USED | F_WRITE, 9))
    write("vring", "packed_wrap",
          vring_hdr(0x03, 2, [(0, 1)], (0, 0), (0, 0x100), (0, 0x110),
                    base=0x80028002) + bytes(mem))


# --- vu --------------------------------------------------------------------

V1, NEED_REPLY = 1, 8


def vu_msg(request, payload=b"", flags=V1, nfds=0, ctl=0):
    return (u8(ctl) + u8(request) + u8(flags) + u8(nfds) +
            u16(len(payload)) + payload)


def region(gpa, size, uva, off=0):
    return u64(gpa) + u64(size) + u64(uva) + u64(off)


def vu_seeds():
    vring0 = u32(0) + u32(0)
    write("vu", "qemu_realize",
          vu_msg(1) + vu_msg(15) +
          vu_msg(16, u64(0x1a29)) + vu_msg(17) + vu_msg(3) +
          vu_msg(24, u32(0) + u32(60) + u32(0) + bytes(60),
                 flags=V1 | NEED_REPLY) +
          vu_msg(13, u64(0), nfds=1) + vu_msg(2, u64(1 << 32 | 1 << 30)) +
          vu_msg(5, u32(1) + u32(0) + region(0, 1 << 20, 0x7f0000000000),
                 nfds=1) +
          vu_msg(8, u32(0) + u32(128)) +
          vu_msg(9, u32(0) + u32(0) + u64(0x7f0000001000) +
                 u64(0x7f0000003000) + u64(0x7f0000002000) + u64(0)) +
          vu_msg(10, vring0) + vu_msg(12, u64(0), nfds=1) +
          vu_msg(18, u32(0) + u32(1)) + vu_msg(39, u64(0xf)) +
          vu_msg(11, vring0))
    write("vu", "drops",
          vu_msg(99) + vu_msg(4) + vu_msg(2, u64(1), nfds=1) +
          vu_msg(5, u32(9) + u32(0), nfds=9) + vu_msg(12, u64(0x100)) +
          vu_msg(13, u64(1 << 9), nfds=1) +
          vu_msg(25, u32(0) + u32(300) + u32(0) + bytes(300)) +
          vu_msg(1, flags=V1, ctl=0x20))
    write("vu", "mem_slots",
          vu_msg(36) +
          vu_msg(37, u64(0) + region(1 << 20, 1 << 20, 0x7f0000100000),
                 nfds=1) +
          vu_msg(38, u64(0) + region(1 << 20, 1 << 20, 0x7f0000100000)) +
          vu_msg(21, nfds=1) + vu_msg(34) + vu_msg(40, u64(0)))
    # Migration start: the log, LOG_ALL, the ring's log flag; a log
    # without its fd and one of a wrong size.
    write("vu", "dirty_log",
          vu_msg(6, u64(1 << 15) + u64(0), nfds=1) +
          vu_msg(2, u64(1 << 32 | 1 << 30 | 1 << 26),
                 flags=V1 | NEED_REPLY) +
          vu_msg(9, u32(0) + u32(1) + u64(0x7f0000001000) +
                 u64(0x7f0000003000) + u64(0x7f0000002000) + u64(0x3000)) +
          vu_msg(6, u64(1 << 15) + u64(0)) + vu_msg(6, u64(8), nfds=1))
    # QEMU 7.2 vhost-user-blk's start with INFLIGHT_SHMFD: GET_INFLIGHT_FD
    # for 1 queue of 128, SET_INFLIGHT_FD with the region's fd; then a GET
    # of a wrong size, a SET without its fd and one with two.
    inflight = u64(0) + u64(0) + u16(1) + u16(128) + u32(0)
    region_2k = u64(2112) + u64(0) + u16(1) + u16(128) + u32(0)
    write("vu", "inflight",
          vu_msg(2, u64(1 << 32 | 1 << 30)) + vu_msg(31, inflight, ctl=1) +
          vu_msg(32, region_2k, nfds=1) +
          vu_msg(32, region_2k, flags=V1 | NEED_REPLY, nfds=1, ctl=2) +
          vu_msg(31, inflight[:16]) + vu_msg(32, region_2k) +
          vu_msg(32, region_2k, nfds=2))
    # The kernel answers EAGAIN once, then ends the session.
    write("vu", "kernel_again_end",
          vu_msg(1, ctl=6) + vu_msg(3, ctl=1) + vu_msg(2, u64(1), ctl=4) +
          vu_msg(3))
    # A message in two sends; then a framing error (version 0).
    write("vu", "split_then_frame",
          vu_msg(2, u64(1), ctl=0x08) + vu_msg(3, flags=0))
    # vdevd runs while the front end is still writing: after a message,
    # between the two parts of one, and when nothing is queued.
    write("vu", "run_while_writing",
          vu_msg(3, ctl=0x40) + vu_msg(2, u64(1), ctl=0x48) +
          vu_msg(1, ctl=0x40))
    # A header that promises more than comes.
    write("vu", "truncated", vu_msg(3) + u8(0x10) + u8(2) + u8(V1) + u8(0) +
          u16(4) + u32(8) + u32(1))


# --- nvme_dptr ---------------------------------------------------------------

SGL_DATA, SGL_SEG, SGL_LAST = 0x00, 0x20, 0x30


def regions_hdr(regions):
    s = u8(len(regions) - 1)
    for gap, pages in regions:
        s += u8(gap) + u8(pages - 1)
    return s


def writes_hdr(writes):
    s = u8(len(writes))
    for access, offset, value in writes:
        s += u16(access) + u32(offset) + u8(value)
    return s


def sgl_desc(addr, length, type_):
    return u64(addr) + u32(length) + bytes(3) + u8(type_)


def dptr_seed(sgl, mps, regions, max_len, max_segs, length, dptr, mem,
              writes=()):
    return (u8((1 if sgl else 0) | mps << 1) + regions_hdr(regions) +
            u32(max_len) + u16(max_segs - 1) + u32(length) + dptr +
            writes_hdr(writes) + bytes(mem))


def dptr_seeds():
    one = [(0, 8)]
    # PRP1 mid-page, then a list of four pages, one of them in a second
    # region after a hole.
    mem = bytearray(12 * PAGE)
    put(mem, 7 * PAGE, u64(BASE + PAGE) + u64(BASE + 2 * PAGE) +
        u64(BASE + 4 * PAGE) + u64(BASE + 10 * PAGE))
    write("nvme_dptr", "prp_list",
          dptr_seed(False, 0, [(0, 8), (1, 3)], 1 << 20, 256,
                    5 * PAGE - 0x100,
                    u64(BASE + 0x100) + u64(BASE + 7 * PAGE), mem))
    # PRP1 and PRP2 a page each, MDTS exactly the transfer.
    write("nvme_dptr", "prp_two",
          dptr_seed(False, 0, one, 2 * PAGE, 4, 2 * PAGE,
                    u64(BASE) + u64(BASE + 3 * PAGE), bytes(8 * PAGE)))
    # A list starting two entries before its page's end: its last slot
    # chains to the next list page, whose last slot points at itself.
    mem = bytearray(8 * PAGE)
    put(mem, 6 * PAGE - 16, u64(BASE + PAGE) + u64(BASE + 5 * PAGE))
    for i in range(511):
        put(mem, 5 * PAGE + 8 * i, u64(BASE + 2 * PAGE))
    put(mem, 6 * PAGE - 8, u64(BASE + 5 * PAGE))
    write("nvme_dptr", "prp_chain_self",
          dptr_seed(False, 0, one, 0, 1024, 600 * PAGE,
                    u64(BASE) + u64(BASE + 6 * PAGE - 16), mem))
    # 16 KiB pages (MPS 2): PRP1 near a page's end, PRP2 a list.
    mem = bytearray(8 * PAGE)
    put(mem, 6 * PAGE, u64(BASE + 4 * PAGE) + u64(BASE))
    write("nvme_dptr", "prp_mps16k",
          dptr_seed(False, 2, one, 0, 256, 0x200 + 0x6000,
                    u64(BASE + 0x4000 - 0x200) + u64(BASE + 6 * PAGE), mem))
    # The guest rewrites a list entry while the walker reads the list.
    mem = bytearray(8 * PAGE)
    put(mem, 7 * PAGE, u64(BASE + PAGE) + u64(BASE + 2 * PAGE) +
        u64(BASE + 3 * PAGE))
    write("nvme_dptr", "prp_racing",
          dptr_seed(False, 0, one, 0, 256, 4 * PAGE,
                    u64(BASE) + u64(BASE + 7 * PAGE), mem,
                    writes=[(1, 7 * PAGE + 9, 0x70), (1, 7 * PAGE + 17, 0x50)]))
    # SGL: one data block.
    write("nvme_dptr", "sgl_data",
          dptr_seed(True, 0, one, 0, 256, 3000,
                    sgl_desc(BASE + 0x123, 3000, SGL_DATA), bytes(8 * PAGE)))
    # Segment: two data blocks and a pointer to a Last Segment of two
    # more (one of them empty, one contiguous with the one before).
    mem = bytearray(8 * PAGE)
    put(mem, 0x1000, sgl_desc(BASE + 0x4000, 512, SGL_DATA) +
        sgl_desc(BASE + 0x5000, 1024, SGL_DATA) +
        sgl_desc(BASE + 0x1800, 32, SGL_LAST))
    put(mem, 0x1800, sgl_desc(0, 0, SGL_DATA) +
        sgl_desc(BASE + 0x5400, 2048, SGL_DATA))
    write("nvme_dptr", "sgl_segments",
          dptr_seed(True, 0, one, 0, 256, 3584,
                    sgl_desc(BASE + 0x1000, 48, SGL_SEG), mem))
    # A segment whose last descriptor points back at itself, after an
    # empty data block: only the descriptor budget ends it.
    mem = bytearray(8 * PAGE)
    put(mem, 0x2000, sgl_desc(BASE + 0x4000, 0, SGL_DATA) +
        sgl_desc(BASE + 0x2000, 32, SGL_SEG))
    write("nvme_dptr", "sgl_loop",
          dptr_seed(True, 0, one, 0, 256, 1 << 20,
                    sgl_desc(BASE + 0x2000, 32, SGL_SEG), mem))


# --- nvme_cmd ----------------------------------------------------------------

OP_IO, OP_ADMIN, OP_ENABLE, OP_NS_CHANGED, OP_ERROR, OP_ABORT_END, OP_CQE = \
    range(7)


def nvme_ctrl(cfg=1, max_io=4, nn=1024, mdts=6, nsid=1, nr_blocks=1 << 20,
              lba=3, max_discard=1 << 16, max_zeroes=1 << 16, mqes=1023,
              mps=0, iosqes=6, iocqes=4):
    return (u8(cfg) + u16(max_io) + u32(nn) + u8(mdts) + u32(nsid) +
            u64(nr_blocks) + u8(lba) + u64(max_discard) + u64(max_zeroes) +
            u16(mqes) + u8(mps) + u8(iosqes) + u8(iocqes))


def sqe(opcode, flags=0, cid=0, nsid=0, prp1=0, prp2=0, cdw=()):
    cdw = list(cdw) + [0] * (6 - len(cdw))
    return (u8(opcode) + u8(flags) + u16(cid) + u32(nsid) + bytes(16) +
            u64(prp1) + u64(prp2) + b"".join(u32(v) for v in cdw))


def adm(cmd, how=0):
    return u8(OP_ADMIN) + cmd + u8(how)


def io(cmd, sts=0, ranges=b""):
    return u8(OP_IO) + cmd + u8(sts) + ranges


def enable():
    return u8(OP_ENABLE) + u64(0x10000) + u16(31) + u64(0x20000) + u16(31)


def set_feat(fid, dw11, nsid=0):
    return adm(sqe(0x09, nsid=nsid, cdw=[fid, dw11]))


def get_log(lid, dwords, off=0, rae=False, nsid=0):
    n = dwords - 1
    dw10 = lid | (1 << 15 if rae else 0) | (n & 0xffff) << 16
    return adm(sqe(0x02, nsid=nsid, cdw=[dw10, n >> 16, off, 0]))


def create_cq(qid, size, vector, prp1, ien=True):
    return adm(sqe(0x05, prp1=prp1, cdw=[qid | (size - 1) << 16,
                                        1 | (2 if ien else 0) | vector << 16]))


def create_sq(qid, size, cqid, prp1):
    return adm(sqe(0x01, prp1=prp1, cdw=[qid | (size - 1) << 16,
                                        1 | cqid << 16]))


def delete_q(sq, qid):
    return adm(sqe(0x00 if sq else 0x04, cdw=[qid]))


def rw(opcode, slba, nlb, control=0, nsid=1, flags=0):
    return sqe(opcode, flags=flags, nsid=nsid, prp1=0x30000,
               cdw=[slba & 0xffffffff, slba >> 32, (nlb - 1) | control << 16])


def nvme_cmd_seeds():
    # A Linux host's bring-up: enable, Number of Queues, AEC, a queue
    # pair, AERs (one too many), logs, Identify, shadow doorbells.
    write("nvme_cmd", "linux_init", nvme_ctrl() + enable() +
          set_feat(0x07, 3 | 3 << 16) + set_feat(0x0b, 0x11f) +
          create_cq(1, 64, 1, 0x40000) + create_sq(1, 64, 1, 0x50000) +
          b"".join(adm(sqe(0x0c, cid=10 + i)) for i in range(5)) +
          get_log(0x02, 128) + get_log(0x04, 1024) + get_log(0x01, 16) +
          get_log(0x03, 128) + adm(sqe(0x06, prp1=0x60000, cdw=[1])) +
          adm(sqe(0x7c, prp1=0x70000, prp2=0x71000)) +
          adm(sqe(0x0a, cdw=[0x07])) + adm(sqe(0x0a, cdw=[0x0b | 3 << 8])))
    # I/O: read, write FUA, write zeroes with DEAC, deallocate of two
    # ranges, flush, a read past the end, bad NSIDs, a failing bio.
    write("nvme_cmd", "io", nvme_ctrl() +
          io(rw(0x02, 0, 8)) + io(rw(0x01, 100, 16, control=1 << 14), sts=10) +
          io(rw(0x08, 1 << 16, 256, control=1 << 9)) +
          io(sqe(0x09, nsid=1, prp1=0x30000, cdw=[1, 1 << 2]),
             ranges=u32(0) + u32(8) + u64(64) + u32(0) + u32(1 << 20) +
             u64((1 << 20) - 8)) +
          io(sqe(0x00, nsid=1), sts=16) + io(rw(0x02, (1 << 20) - 4, 8)) +
          io(rw(0x02, 0, 1, nsid=0xffffffff)) + io(rw(0x02, 0, 1, nsid=2)) +
          io(rw(0x02, 0, 1, flags=0x40)) +
          u8(OP_CQE) + u16(0x281) + u8(1) + u8(OP_CQE) + u16(0) + u8(3))
    # A read-only namespace of 512-byte blocks: writes are refused.
    write("nvme_cmd", "io_read_only", nvme_ctrl(cfg=3, lba=0, mdts=0) +
          io(rw(0x01, 0, 1)) + io(rw(0x08, 0, 1)) +
          io(sqe(0x09, nsid=1, cdw=[0, 1 << 2])) + io(rw(0x02, 0, 65536)))
    # AERs, an Abort of one, then a namespace change for the other.
    write("nvme_cmd", "aer_abort_event", nvme_ctrl() + enable() +
          set_feat(0x0b, 0x100) + adm(sqe(0x0c, cid=1)) +
          adm(sqe(0x0c, cid=2)) + adm(sqe(0x08, cdw=[0 | 1 << 16])) +
          u8(OP_NS_CHANGED) + u32(5) + get_log(0x04, 1024) +
          u8(OP_NS_CHANGED) + u32(7) + adm(sqe(0x08, cdw=[1 | 9 << 16]), 2) +
          u8(OP_ABORT_END))
    # Queues: two CQs, SQs on one; deleting it while used; Number of
    # Queues after creation; a reset; then Number of Queues again.
    write("nvme_cmd", "queues_reset", nvme_ctrl(max_io=8) + enable() +
          create_cq(1, 16, 1, 0x40000) + create_cq(2, 16, 2, 0x41000) +
          create_sq(1, 16, 2, 0x50000) + create_sq(2, 16, 2, 0x51000) +
          create_sq(3, 16, 1, 0x52000, ) + create_cq(3, 16, 9, 0x43000) +
          delete_q(False, 2) + delete_q(True, 1) + delete_q(True, 2) +
          delete_q(False, 2) + set_feat(0x07, 0) + enable() +
          set_feat(0x07, 0 | 1 << 16) + create_sq(2, 16, 1, 0x50000))
    # Errors and logs: an error recorded, the temperature threshold
    # crossed (a SMART event), logs read with and without RAE, at an
    # offset and past the end.
    write("nvme_cmd", "logs_events", nvme_ctrl() + enable() +
          set_feat(0x0b, 0x11f) + adm(sqe(0x0c, cid=3)) +
          u8(OP_ERROR) + u16(1) + u16(7) + u16(0x4002) + u16(0xffff) +
          u64(99) + u32(1) + get_log(0x01, 16) +
          set_feat(0x04, 300) + adm(sqe(0x0c, cid=4)) +
          get_log(0x02, 128, rae=True) + get_log(0x02, 128) +
          get_log(0x02, 8, off=504) + get_log(0x02, 8, off=512) +
          get_log(0x04, 4, nsid=1) + set_feat(0x05, 50, nsid=1) +
          set_feat(0x09, 2 | 1 << 16) + set_feat(0x01, 0xffffffff))


# --- vfu ---------------------------------------------------------------------

VFU_JSON = (b'{"capabilities":{"max_msg_fds":16,"max_data_xfer_size":1048576,'
            b'"pgsizes":4096,"max_dma_maps":64,"migration":{"pgsize":4096,'
            b'"max_bitmap_size":1048576},"twin_socket":{"supported":false}}}'
            b'\0')
IRQ_TRIGGER, IRQ_NONE, IRQ_BOOL, IRQ_EVENTFD = 1 << 5, 1, 2, 4


def vfu_msg(command, payload=b"", msg_id=0, flags=0, nfds=0, ctl=0,
            size=None):
    s = u8(ctl | (0x10 if size is not None else 0)) + u16(command)
    s += u16(msg_id) + u8(flags) + u8(nfds) + u16(len(payload))
    if size is not None:
        s += u32(size)
    return s + payload


def irq_set(flags, index, start, count, data=b""):
    return u32(20 + len(data)) + u32(flags) + u32(index) + u32(start) + \
        u32(count) + data


def region_rw(offset, region, count, data=b""):
    return u64(offset) + u32(region) + u32(count) + data


def vfu_seeds():
    # vfio-user-pci's bring-up: VERSION, a DMA map with its fd, device,
    # region and irq info, MSI-X eventfds, config and BAR0 accesses,
    # then an unmap and a reset.
    write("vfu", "qemu_realize",
          vfu_msg(1, u16(0) + u16(1) + VFU_JSON, 1) +
          vfu_msg(2, u32(32) + u32(3) + u64(0) + u64(0) + u64(1 << 20), 2,
                  nfds=1) +
          vfu_msg(4, u32(16) + bytes(12), 3) +
          vfu_msg(5, u32(32) + u32(0) + u32(0) + bytes(20), 4) +
          vfu_msg(7, u32(16) + u32(0) + u32(2) + u32(0), 5) +
          vfu_msg(8, irq_set(IRQ_TRIGGER | IRQ_EVENTFD, 2, 0, 3), 6,
                  nfds=3) +
          vfu_msg(9, region_rw(0, 7, 64), 7) +
          vfu_msg(10, region_rw(0x14, 0, 4, u32(0x460001)), 8) +
          vfu_msg(10, region_rw(0x1000, 0, 4, u32(1)), 9, flags=0x10) +
          vfu_msg(3, u32(24) + u32(0) + u64(0) + u64(1 << 20), 10) +
          vfu_msg(13, b"", 11))
    # Drops: unknown, server-to-client, not supported, bad sizes, bad
    # JSON, SET_IRQS with two data types or the wrong fds, a too large
    # region access; the kernel refusing one.
    write("vfu", "drops",
          vfu_msg(99) + vfu_msg(11, bytes(24)) + vfu_msg(6, bytes(16)) +
          vfu_msg(16, bytes(8)) + vfu_msg(4, bytes(8)) +
          vfu_msg(1, u32(0) + b'{"capabilities":{"max_msg_fds":1,'
                  b'"max_msg_fds":2}}\0') +
          vfu_msg(1, u32(0) + b'{"capabilities":[]}') +
          vfu_msg(8, irq_set(IRQ_TRIGGER | IRQ_BOOL | IRQ_EVENTFD, 2, 0, 1)) +
          vfu_msg(8, irq_set(IRQ_TRIGGER | IRQ_EVENTFD, 2, 0, 2), nfds=1) +
          vfu_msg(8, irq_set(IRQ_TRIGGER | IRQ_BOOL, 2, 0, 2, b"\1\0")) +
          vfu_msg(9, region_rw(0, 0, 8192)) +
          vfu_msg(10, region_rw(0, 0, 8, u32(1))) +
          vfu_msg(2, bytes(32), nfds=2) + vfu_msg(3, bytes(24), ctl=2))
    # JSON corner cases vdevd must read strictly: escapes, nesting,
    # numbers, UTF-8, white space; out of range; ending inside an escape
    # and inside a UTF-8 sequence.
    json = (b' {"capabilities" : {"max_msg_fds": 4, "x\\u00e9\\n": '
            b'[1, -2.5e3, true, null, {"a": ["\xc3\xa9"]}], '
            b'"pgsizes": 18446744073709551615}, "\\ud83d\\ude00": 0 }\0')
    write("vfu", "json",
          vfu_msg(1, u16(0) + u16(1) + json) +
          vfu_msg(1, u16(0) + u16(1) + b'{"capabilities":{"max_msg_fds":'
                  b'4294967296}}\0') + vfu_msg(1, u32(0)) +
          vfu_msg(1, u32(0) + b'{"k":"\\u00e\0') +
          vfu_msg(1, u32(0) + b'{"k":"\xe2\x82\0'))
    # The kernel: EAGAIN once, a reply, then it ends the session.
    write("vfu", "kernel_again_end",
          vfu_msg(4, u32(16) + bytes(12), ctl=6) +
          vfu_msg(13, ctl=1) + vfu_msg(13, ctl=4) + vfu_msg(13))
    # A message in two sends with vdevd running between; then a reply-
    # type message, a framing error.
    write("vfu", "split_then_frame",
          vfu_msg(10, region_rw(0x1000, 0, 4, u32(1)), ctl=0x48) +
          vfu_msg(13, flags=1))
    # A header that promises more than comes; an error flag.
    write("vfu", "truncated",
          vfu_msg(13) + vfu_msg(4, bytes(4), size=32) +
          vfu_msg(13, flags=0x20))


def main():
    scsi_seeds()
    vring_seeds()
    vu_seeds()
    dptr_seeds()
    nvme_cmd_seeds()
    vfu_seeds()
    return 0


if __name__ == "__main__":
    sys.exit(main())
