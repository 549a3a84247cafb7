#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""qmp.py: drive a QEMU through its QMP monitor (a unix socket, -qmp
unix:PATH,server=on,wait=off), for the end-to-end tests.

usage: qmp.py SOCKET cmd COMMAND [ARGUMENTS-JSON]
       qmp.py SOCKET migrate URI [--dest SOCKET] [--timeout SECS] ...

cmd runs one command and prints its return value as JSON; exit 1 with
QEMU's error on stderr when it fails.

migrate live-migrates the QEMU on SOCKET (the source) to URI (the
destination QEMU listens there: -incoming URI), with parameters that let
it converge under TCG (a high max-bandwidth, a generous downtime-limit),
and polls query-migrate until it ends; with --dest it then waits for the
destination QEMU to run the guest.  With --hold-log LOG and --hold-re RE
it first holds the migration in its iterations (downtime-limit 1 ms at
no more than 32 MiB/s: QEMU switches over only when what is dirty can be
sent in 32 KiB, which a guest doing I/O never lets happen) until the first pass over the guest's RAM is done
(a second dirty-bitmap sync) and after that a new line of the console
LOG matches RE (the guest did something that only the dirty log can
carry over: "held until: LINE"); then it lets it converge.  It prints
"# " lines (timings, progress now and then) and, last, query-migrate's
final answer as one line of JSON prefixed "result: ".  Exit 0 completed
(and the destination runs), 1 failed, cancelled, timed out, or the
destination does not run, 3 completed but the destination's monitor
went away before it was seen running (its QEMU exited: a guest that
failed at once and powered off, or a crash; its console tells).

Each call is one process and one connection: under nested TCG a Python
start costs a second, so a test polls with one migrate, not with a cmd a
second.
"""
import argparse
import json
import re
import socket
import sys
import time


class QMPError(Exception):
    pass


class QMP:
    """One QMP session: the greeting, capabilities negotiation, then
    commands, one at a time; events that arrive meanwhile are dropped."""

    def __init__(self, path, timeout):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock.connect(path)
                break
            except (FileNotFoundError, ConnectionRefusedError) as e:
                # QEMU makes the socket early in its start; wait for it.
                if time.monotonic() >= deadline:
                    raise QMPError(f"{path}: {e}") from e
                time.sleep(0.2)
        self.buf = b""
        greeting = self._read()
        if "QMP" not in greeting:
            raise QMPError(f"{path}: not a QMP greeting: {greeting}")
        self.cmd("qmp_capabilities")

    def _read(self):
        while b"\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise QMPError("QEMU closed the monitor")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def cmd(self, name, args=None):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            reply = self._read()
            if "return" in reply:
                return reply["return"]
            if "error" in reply:
                err = reply["error"]
                raise QMPError(f"{name}: {err.get('class')}: {err.get('desc')}")
            # An event: not what we wait for.

    def close(self):
        self.sock.close()


def say(msg):
    print(f"# {msg}", flush=True)


class Hold:
    """When to let a held migration converge: once the first pass over
    RAM is done (dirty-sync-count 2: QEMU syncs at the start, then when
    the first pass's pages are nearly all sent), at the next new line of
    the console log that matches the pattern."""

    def __init__(self, log, pattern):
        self.log = log
        self.re = re.compile(pattern)
        self.seen = None

    def matches(self):
        try:
            with open(self.log, "rb") as f:
                text = f.read().decode("utf-8", "replace").replace("\r", "")
        except OSError:
            return []
        return [ln for ln in text.split("\n") if self.re.search(ln)]

    def done(self, src, info, secs):
        if self.seen is None:
            if info.get("ram", {}).get("dirty-sync-count", 0) < 2:
                return False
            # From now on what is dirty must take less than 1 ms at
            # 1 MiB/s, under a page: only a sync that finds no page
            # dirty at all would let it converge.
            src.cmd("migrate-set-parameters", {"max-bandwidth": 1 << 20})
            self.seen = len(self.matches())
            say(f"first pass over RAM done after {secs:.1f} s; held for the guest")
            return False
        lines = self.matches()
        if len(lines) <= self.seen:
            return False
        say(f"the guest went on after {secs:.1f} s: letting the migration converge")
        print(f"held until: {lines[self.seen]}", flush=True)
        return True


def do_cmd(opts):
    args = json.loads(opts.arguments) if opts.arguments else None
    q = QMP(opts.socket, opts.timeout)
    try:
        print(json.dumps(q.cmd(opts.command, args)))
    except QMPError as e:
        # quit: QEMU may close the monitor before it answers.
        if opts.command != "quit":
            raise
        print(f"# {e}", file=sys.stderr)
    q.close()
    return 0


def do_migrate(opts):
    t0 = time.monotonic()
    src = QMP(opts.socket, 30)
    dst = QMP(opts.dest, 30) if opts.dest else None
    if dst:
        st = dst.cmd("query-status")["status"]
        if st != "inmigrate":
            raise QMPError(f"the destination is {st}, not waiting for a migration")
    # max-bandwidth is in bytes/s (QEMU 7.2 defaults to 32 MiB/s);
    # downtime-limit in ms: under TCG QEMU's estimate of the rate is
    # poor, and the guest does not mind a pause.  Held: QEMU switches
    # over once what is dirty takes less than downtime-limit at the rate
    # it measured; 1 ms at a rate capped to 32 MiB/s (more than the VM
    # bench makes anyway) is 32 KiB, less than a guest doing I/O dirties
    # between two syncs on any machine.  (0 ms would not do: QEMU then
    # never syncs the dirty bitmap again and completes once the first
    # pass is sent.)
    hold = Hold(opts.hold_log, opts.hold_re) if opts.hold_log else None
    params = {
        "max-bandwidth": opts.max_bandwidth_mib << 20,
        "downtime-limit": opts.downtime_limit,
    }
    if hold:
        params = {"max-bandwidth": min(opts.max_bandwidth_mib, 32) << 20,
                  "downtime-limit": 1}
    src.cmd("migrate-set-parameters", params)
    src.cmd("migrate", {"uri": opts.uri})
    say(f"migrate to {opts.uri} issued")
    last_say = t0
    while True:
        info = src.cmd("query-migrate")
        status = info.get("status")
        now = time.monotonic()
        if status in ("completed", "failed", "cancelled"):
            break
        if hold and hold.done(src, info, now - t0):
            src.cmd("migrate-set-parameters", {
                "max-bandwidth": opts.max_bandwidth_mib << 20,
                "downtime-limit": opts.downtime_limit,
            })
            hold = None
        if now - t0 > opts.timeout:
            src.cmd("migrate_cancel")
            print(f"result: {json.dumps(info)}", flush=True)
            raise QMPError(f"no end within {opts.timeout} s (status {status}); cancelled")
        if now - last_say >= 10:
            ram = info.get("ram", {})
            say(f"migration {status} after {now - t0:.0f} s: "
                f"{ram.get('transferred', 0) >> 20} MiB sent, "
                f"{ram.get('remaining', 0) >> 20} MiB to go, "
                f"dirty syncs {ram.get('dirty-sync-count', 0)}")
            last_say = now
        # Held, the first pass over RAM must not end unseen for long.
        time.sleep(0.1 if hold and hold.seen is None else 0.5)
    say(f"migration {status} after {time.monotonic() - t0:.1f} s")
    print(f"result: {json.dumps(info)}", flush=True)
    if status != "completed":
        raise QMPError(f"migration {status}: {info.get('error-desc', 'no reason given')}")
    if hold:
        say("the migration converged while it was held, before the guest's line came")
    if dst:
        # The source is done once it sent everything; the destination
        # loads the last of it, starts its devices, then runs.
        while True:
            try:
                st = dst.cmd("query-status")["status"]
            except (QMPError, OSError) as e:
                print(f"qmp.py: the destination's monitor: {e}: its QEMU exited?",
                      file=sys.stderr)
                return 3
            if st == "running":
                break
            if st != "inmigrate" or time.monotonic() - t0 > opts.timeout:
                raise QMPError(f"the destination is {st} after the migration, not running")
            time.sleep(0.2)
        say(f"destination running after {time.monotonic() - t0:.1f} s")
        dst.close()
    src.close()
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("socket", help="the QMP monitor's unix socket")
    sub = p.add_subparsers(dest="op", required=True)
    c = sub.add_parser("cmd", help="run one command")
    c.add_argument("command")
    c.add_argument("arguments", nargs="?", help="its arguments, as JSON")
    c.add_argument("--timeout", type=float, default=30)
    m = sub.add_parser("migrate", help="migrate to URI, wait for the end")
    m.add_argument("uri")
    m.add_argument("--dest", help="the destination's QMP socket")
    m.add_argument("--timeout", type=float, default=600)
    m.add_argument("--max-bandwidth-mib", type=int, default=1024)
    m.add_argument("--downtime-limit", type=int, default=2000, help="ms")
    m.add_argument("--hold-log", help="the guest's console log")
    m.add_argument("--hold-re", default=".", help="the line to hold for")
    opts = p.parse_args()
    try:
        return do_cmd(opts) if opts.op == "cmd" else do_migrate(opts)
    except (QMPError, OSError, ValueError) as e:
        print(f"qmp.py: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
