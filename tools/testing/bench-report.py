#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench-report: the table of a `make bench` run.

Reads the per-case reports tools/testing/bench.sh left in RUNS (vdev-perf's
and fio's JSON), writes one results file (every case with each contender's
IOPS, p99 latency and back-end CPU per I/O, and its ratios vdev_over_qsd,
vdev_over_raw, vdev_scsi_over_vhost_scsi and vdev_nvme_over_raw), prints
the table, checks the targets of the performance issue (and reports the
virtio-scsi and NVMe comparisons, which have no threshold), and plots IOPS
per case with gnuplot.

usage: bench-report.py RUNS RESULT.json [PLOT.png]
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

VIRTUAL = ("vdev-adaptive", "vdev-never", "qsd", "vhost-scsi", "vdev-scsi",
           "vdev-nvme")
RAW = ("raw", "raw-sqpoll")
CONTENDERS = VIRTUAL + RAW


def load(path):
    """A report, or None: missing (a case not run) or unreadable (said)."""
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        print(f"bench-report: {path}: {e}", file=sys.stderr)
        return None


def from_perf(d):
    """A vdev-perf report: the figures of one contender in one case."""
    if not d or d.get("error") or d.get("errors"):
        return None
    be = d["backend"]
    return {
        "iops": d["iops"],
        "p50_us": d["lat_ns"]["p50"] / 1000.0,
        "p99_us": d["lat_ns"]["p99"] / 1000.0,
        "p99_9_us": d["lat_ns"]["p99_9"] / 1000.0,
        "backend_cpu_us_per_io": be["cpu_us_per_io"] if be["measured"] else None,
        "backend_cpu_util": be["cpu_util"] if be["measured"] else None,
        "frontend_cpu_us_per_io": d["frontend"]["cpu_us_per_io"],
    }


def from_fio(d):
    """fio's JSON: one group (group_reporting)."""
    if not d or not d.get("jobs"):
        return None
    job = d["jobs"][0]
    if job.get("error"):
        return None
    io = job["read"] if job["read"]["io_bytes"] else job["write"]
    pct = io["lat_ns"].get("percentile", {})
    secs = job["job_runtime"] / 1000.0 or 1
    ios = io["total_ios"]
    cpu = (job["usr_cpu"] + job["sys_cpu"]) / 100.0 * secs
    return {
        "iops": io["iops"],
        "p50_us": pct.get("50.000000", 0) / 1000.0,
        "p99_us": pct.get("99.000000", 0) / 1000.0,
        "p99_9_us": pct.get("99.900000", 0) / 1000.0,
        # No back end: the device works in the submitter's context (and
        # the SQPOLL thread's, which fio does not count).
        "backend_cpu_us_per_io": None,
        "backend_cpu_util": None,
        "frontend_cpu_us_per_io": cpu * 1e6 / ios if ios else None,
    }


def ratio(a, b):
    if not a or not b or not b["iops"]:
        return None
    return round(a["iops"] / b["iops"], 3)


# RUNS/<device>/<contender>/<rw>-qd<N>-q<M>.json; idle.json, profile-run.json
# and profile.txt lie beside them.
CASE_FILE = re.compile(r"^[a-z]+-qd[0-9]+-q[0-9]+\.json$")


def collect(runs):
    cases, idle = [], {}
    for device in sorted(os.listdir(runs)):
        ddir = os.path.join(runs, device)
        if not os.path.isdir(ddir):
            continue
        names = set()
        for c in CONTENDERS:
            cdir = os.path.join(ddir, c)
            if os.path.isdir(cdir):
                names |= {n for n in os.listdir(cdir) if CASE_FILE.match(n)}
            d = load(os.path.join(cdir, "idle.json"))
            if d and not d.get("error") and d["backend"]["measured"]:
                idle.setdefault(device, {})[c] = {
                    "seconds": d["elapsed_s"],
                    "backend_cpu_s": d["backend"]["cpu_s"],
                    "backend_cpu_util": d["backend"]["cpu_util"],
                }
        for name in names:
            rw, qd, nq = name[:-5].split("-")
            case = {"device": device, "rw": rw, "iodepth": int(qd[2:]),
                    "queues": int(nq[1:]), "contenders": {}}
            for c in CONTENDERS:
                d = load(os.path.join(ddir, c, name))
                fig = from_fio(d) if c in RAW else from_perf(d)
                if d is not None and fig is None:
                    print(f"bench-report: {device}/{c}/{name}: the run failed,"
                          " left out", file=sys.stderr)
                case["contenders"][c] = fig
            got = case["contenders"]
            case["vdev_over_qsd"] = ratio(got["vdev-adaptive"], got["qsd"])
            case["vdev_over_raw"] = ratio(got["vdev-adaptive"], got["raw"])
            case["vdev_never_over_qsd"] = ratio(got["vdev-never"], got["qsd"])
            case["vdev_over_raw_sqpoll"] = ratio(got["vdev-adaptive"],
                                                 got["raw-sqpoll"])
            case["vdev_over_vhost_scsi"] = ratio(got["vdev-adaptive"],
                                                 got["vhost-scsi"])
            # Like for like: both virtio-scsi, the same SCSI commands.
            case["vdev_scsi_over_vhost_scsi"] = ratio(got["vdev-scsi"],
                                                      got["vhost-scsi"])
            # vdev's NVMe controller (poll always) against the device itself.
            case["vdev_nvme_over_raw"] = ratio(got["vdev-nvme"], got["raw"])
            cases.append(case)
    order = {"randread": 0, "randwrite": 1}
    cases.sort(key=lambda c: (c["device"], order.get(c["rw"], 9), c["queues"],
                              c["iodepth"]))
    return cases, idle


def find(cases, device, rw, qd, nq):
    for c in cases:
        if (c["device"], c["rw"], c["iodepth"], c["queues"]) == (device, rw, qd, nq):
            return c
    return None


def check(name, ok, detail):
    """A goal judged on the run; ok None: a comparison with no threshold."""
    return {"target": name, "met": ok, "detail": detail}


def comparison(cases, key, what):
    """A ratio of the headline case and its spread, no threshold."""
    c = find(cases, "null_blk", "randread", 32, 1)
    r = c and c[key]
    detail = f"{what} = {r}" if r is not None else "not measured"
    all_r = [c[key] for c in cases if c[key] is not None]
    if all_r:
        geo = 1.0
        for x in all_r:
            geo *= x
        geo **= 1.0 / len(all_r)
        detail += (f"; over {len(all_r)} cases {min(all_r):.2f}"
                   f" to {max(all_r):.2f}, geometric mean {geo:.2f}")
    return detail


def scsi_comparison(cases):
    """vdev's virtio-scsi against vhost-scsi's: the ratio, no threshold."""
    return check("vdev-scsi against vhost-scsi (LIO) IOPS, 4k randread QD32,"
                 " null_blk", None,
                 comparison(cases, "vdev_scsi_over_vhost_scsi",
                            "vdev-scsi/vhost-scsi"))


def nvme_comparison(cases):
    """vdev's NVMe controller against the raw device: no threshold."""
    return check("vdev-nvme (poll always) against raw io_uring IOPS, 4k"
                 " randread QD32, null_blk", None,
                 comparison(cases, "vdev_nvme_over_raw", "vdev-nvme/raw"))


def targets(cases, idle):
    """The goals of the performance issue, judged on this run."""
    out = []
    c = find(cases, "null_blk", "randread", 32, 1)
    r = c and c["vdev_over_qsd"]
    out.append(check("vdev >= 2x qsd IOPS, 4k randread QD32, null_blk",
                     r is not None and r >= 2,
                     f"vdev/qsd = {r}" if r is not None else "not measured"))
    r = c and c["vdev_over_raw"]
    out.append(check("vdev >= 0.7x raw io_uring IOPS, 4k randread QD32, null_blk",
                     r is not None and r >= 0.7,
                     f"vdev/raw = {r}" if r is not None else "not measured"))
    for rw in ("randread", "randwrite"):
        c = find(cases, "null_blk", rw, 1, 1)
        v = c and c["contenders"]["vdev-adaptive"]
        q = c and c["contenders"]["qsd"]
        ok = bool(v and q) and v["p99_us"] <= q["p99_us"]
        out.append(check(f"vdev p99 <= qsd p99, 4k {rw} QD1, null_blk", ok,
                         f"vdev {v and v['p99_us']:.1f} us, qsd {q and q['p99_us']:.1f} us"
                         if v and q else "not measured"))
    utils = [i["vdev-never"]["backend_cpu_util"] for i in idle.values()
             if "vdev-never" in i]
    ok = bool(utils) and max(utils) < 0.01
    out.append(check("poll=never burns no CPU when idle (< 1% of a CPU)", ok,
                     f"poller CPU while idle: {', '.join(f'{u:.2%}' for u in utils)}"
                     if utils else "not measured"))
    out.append(scsi_comparison(cases))
    out.append(nvme_comparison(cases))
    return out


def fmt(v, spec):
    """@v formatted, or "-" in the same width when not measured."""
    if v is not None:
        return format(v, spec)
    width = re.match(r"[0-9]*", spec).group()
    return format("-", ">" + width) if width else "-"


def print_table(cases, idle, goals):
    short = {"vdev-adaptive": "vdev", "vdev-never": "never", "qsd": "qsd",
             "raw": "raw", "raw-sqpoll": "sqpoll", "vhost-scsi": "vscsi",
             "vdev-scsi": "dscsi", "vdev-nvme": "nvme"}
    head = f"{'device':8} {'case':18}"
    for c in CONTENDERS:
        head += f" {short[c] + ' kIOPS':>13}"
    head += (f" {'vdev/qsd':>8} {'vdev/raw':>8} {'dscsi/vscsi':>11}"
             f" {'nvme/raw':>8}"
             "   p99 us vdev/never/qsd/raw/vscsi/dscsi/nvme"
             "   CPU us/IO vdev/never/qsd/vscsi/dscsi/nvme")
    print(head)
    for c in cases:
        got = c["contenders"]
        line = f"{c['device']:8} {c['rw'] + ' QD' + str(c['iodepth']) + ' q' + str(c['queues']):18}"
        for n in CONTENDERS:
            line += f" {fmt(got[n] and got[n]['iops'] / 1000, '13.1f')}"
        line += f" {fmt(c['vdev_over_qsd'], '8.2f')} {fmt(c['vdev_over_raw'], '8.2f')}"
        line += f" {fmt(c['vdev_scsi_over_vhost_scsi'], '11.2f')}"
        line += f" {fmt(c['vdev_nvme_over_raw'], '8.2f')}   "
        line += "/".join(fmt(got[n] and got[n]["p99_us"], ".0f")
                         for n in ("vdev-adaptive", "vdev-never", "qsd", "raw",
                                   "vhost-scsi", "vdev-scsi", "vdev-nvme"))
        line += "   " + "/".join(fmt(got[n] and got[n]["backend_cpu_us_per_io"], ".1f")
                                for n in VIRTUAL)
        print(line)
    for device, i in idle.items():
        print(f"idle, {device}: " + ", ".join(
            f"{n} {v['backend_cpu_util']:.1%} of a CPU" for n, v in i.items()))
    for g in goals:
        if g["met"] is None:
            print(f"compare: {g['target']}: {g['detail']}")
        else:
            print(f"target {'MET' if g['met'] else 'MISSED'}: {g['target']}: {g['detail']}")


def plot(cases, png):
    """IOPS of every contender per case, one panel per device."""
    if not shutil.which("gnuplot"):
        print("bench-report: no gnuplot, no plot", file=sys.stderr)
        return
    devices = sorted({c["device"] for c in cases})
    with tempfile.TemporaryDirectory() as tmp:
        script = [f'set terminal pngcairo size 1400,{420 * len(devices)} font ",10" noenhanced',
                  f'set output "{png}"',
                  f"set multiplot layout {len(devices)},1",
                  "set style data histograms",
                  "set style histogram clustered gap 1",
                  "set style fill solid 0.8 border -1",
                  "set ylabel 'kIOPS'", "set grid ytics", "set yrange [0:*]",
                  "set xtics rotate by -30 scale 0",
                  "set key top left"]
        for dev in devices:
            path = os.path.join(tmp, dev + ".dat")
            with open(path, "w") as f:
                f.write("case " + " ".join(CONTENDERS) + "\n")
                for c in cases:
                    if c["device"] != dev:
                        continue
                    got = c["contenders"]
                    name = f"{c['rw'].removeprefix('rand')}-QD{c['iodepth']}-q{c['queues']}"
                    f.write(name + " " + " ".join(
                        f"{got[n]['iops'] / 1000:.2f}" if got[n] else "0"
                        for n in CONTENDERS) + "\n")
            script.append(f"set title '4k random I/O on {dev}: vdev (virtio-blk, virtio-scsi, nvme), qemu-storage-daemon, vhost-scsi (LIO), raw io_uring (TCG VM, one run)'")
            script.append(f"plot for [i=2:{len(CONTENDERS) + 1}] '{path}' using i:xtic(1) title columnheader(i)")
        script.append("unset multiplot")
        gp = os.path.join(tmp, "plot.gp")
        with open(gp, "w") as f:
            f.write("\n".join(script) + "\n")
        subprocess.run(["gnuplot", gp], check=True)


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__.strip().splitlines()[-1])
    runs, result = sys.argv[1], sys.argv[2]
    cases, idle = collect(runs)
    if not cases:
        sys.exit(f"bench-report: no case reports under {runs}")
    goals = targets(cases, idle)
    doc = {"tool": "make bench", "run": load(os.path.join(runs, "run.json")),
           "cases": cases, "idle": idle, "targets": goals}
    os.makedirs(os.path.dirname(os.path.abspath(result)), exist_ok=True)
    with open(result, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print_table(cases, idle, goals)
    if len(sys.argv) == 4:
        plot(cases, sys.argv[3])
    print(f"bench-report: {result}")


if __name__ == "__main__":
    main()
