#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Load: many controllers on two pollers, each with a front end doing
# verified I/O, for minutes. 64 controllers by default (LOAD_BLK=48
# virtio-blk, LOAD_SCSI=8 virtio-scsi, LOAD_NVME=8 NVMe), each on a RAM
# disk of its own (brd, 4 MiB each) with 2 I/O queues, all with
# "--cpus 0-1": the kernel runs one poller a CPU of that mask, so every
# queue of every controller is served by vdev-poll/0 or vdev-poll/1. Poll
# modes are mixed: virtio-blk adaptive and (one in four) never, virtio-scsi
# adaptive, NVMe always (doorbells mapped) and adaptive (doorbells as
# vfio-user messages through vdevd). One vdevd serves every socket.
#
# One vdev-perf a controller (--verify: random reads and writes over its
# whole disk, every read checked, the disk read back at the end; --notify:
# it sleeps until the device signals, as a guest with interrupts does,
# so the two CPUs go to the pollers and not to 64 spinning front ends).
# Once every I/O queue has completed a request, and after a warm-up, the
# test samples the kernel's per-queue counters and /proc/meminfo every
# LOAD_INTERVAL seconds (default 10) for LOAD_SECONDS (default 90), then
# ends every front end at once with SIGTERM (each then reads its disk back
# and reports).
#
# It shows: only two pollers serve all of it (ps, the queues' CPUs, the
# controllers' cpumask); every I/O queue completed requests in every
# sample interval, so none starved (the min and max per-queue IOPS are
# reported, not judged: speed belongs in benchmarks); no front end saw an
# I/O error, a verify mismatch or a stall, and the kernel counted no error
# or bad chain; kernel memory stays flat under load (bounds below); vdevd
# still runs, within its fd limit; the kernel logged no WARN or BUG; and
# it all tears down: every controller deleted, the pollers gone, the RAM
# disk module removable.
#
# LOAD_SECONDS=300 makes a long run; past ~700 s run the script directly,
# not through run.sh, whose timeout is the line below.
# timeout=900
source "$(dirname "$0")/test_common.sh"
source "$(dirname "$0")/vu/vu_lib.sh"

vu_need_perf

LOAD_SECONDS=${LOAD_SECONDS:-90}
LOAD_INTERVAL=${LOAD_INTERVAL:-10}
LOAD_BLK=${LOAD_BLK:-48}
LOAD_SCSI=${LOAD_SCSI:-8}
LOAD_NVME=${LOAD_NVME:-8}
for v in LOAD_SECONDS LOAD_INTERVAL LOAD_BLK LOAD_SCSI LOAD_NVME; do
	if ! [[ ${!v} =~ ^[0-9]+$ ]]; then
		echo "# $v=${!v}: a number, please"
		exit "$KSFT_FAIL"
	fi
done
[ "$LOAD_INTERVAL" -ge 1 ] || LOAD_INTERVAL=1
n_ctrl=$((LOAD_BLK + LOAD_SCSI + LOAD_NVME))
# The front ends' fill phases (their whole 4 MiB disks) end within this.
warmup=15
# Ring and NVMe queue size; requests in flight per queue.
qsize=64
iodepth=4

# Memory bounds, after the warm-up (see "memory" below for why).
slab_bound_kb=1024
avail_bound_kb=$((8 * 1024))

vdev_test_init
if [ "$n_ctrl" -lt 1 ]; then
	echo "# no controllers asked for"
	exit "$KSFT_FAIL"
fi
# test_ctrl_03 loads the module with max_ctrls=3: ours needs n_ctrl.
if [ "$(cat /sys/module/vdev/parameters/max_ctrls)" -lt "$n_ctrl" ]; then
	vdev_unload && vdev_load || exit "$KSFT_FAIL"
fi
max_ctrls=$(cat /sys/module/vdev/parameters/max_ctrls)
if [ "$max_ctrls" -lt "$n_ctrl" ]; then
	fail "max_ctrls $max_ctrls admits $n_ctrl controllers"
	vdev_test_done
fi

# mem_read: mem_avail, mem_slab, mem_sunrec from /proc/meminfo (kB). Only
# builtins, here and in the sampling loop: every process started under
# this load costs seconds in the VM bench.
mem_read() {
	local k v _

	while read -r k v _; do
		case $k in
		MemAvailable:) mem_avail=$v ;;
		Slab:) mem_slab=$v ;;
		SUnreclaim:) mem_sunrec=$v ;;
		esac
	done </proc/meminfo
}

mem_read
avail_before=$mem_avail
sunrec_before=$mem_sunrec
dmesg_start=$(dmesg | wc -l)
t_test=$EPOCHSECONDS

# --- RAM disks --------------------------------------------------------------

# One brd disk a controller, 4 MiB: small enough that 64 of them, written
# whole by the fills, and 64 front ends' guest memory fit the VM bench's
# 2 GiB. brd's count is fixed at load: reload it with ours (and remove it
# at the end, so later tests get their usual disks).
modprobe -r brd 2>/dev/null
modprobe brd rd_nr="$n_ctrl" rd_size=4096 2>/dev/null
udevadm settle 2>/dev/null
if [ ! -b "/dev/ram$((n_ctrl - 1))" ] ||
	[ "$(cat /sys/block/ram0/size 2>/dev/null)" != 8192 ]; then
	echo "# SKIP: brd with $n_ctrl disks of 4 MiB unavailable (in use?)"
	exit "$KSFT_SKIP"
fi

# --- controllers --------------------------------------------------------------

# names[i], types[i], socks[i], polls[i]: controller i on /dev/ram<i>.
names=()
types=()
socks=()
polls=()
for ((i = 0; i < n_ctrl; i++)); do
	if [ "$i" -lt "$LOAD_BLK" ]; then
		k=$i
		names+=("$(printf 'ld-b%02d' "$k")")
		types+=(virtio-blk)
		if [ $((k % 4)) = 3 ]; then polls+=(never); else polls+=(adaptive); fi
	elif [ "$i" -lt $((LOAD_BLK + LOAD_SCSI)) ]; then
		k=$((i - LOAD_BLK))
		names+=("$(printf 'ld-s%02d' "$k")")
		types+=(virtio-scsi)
		polls+=(adaptive)
	else
		k=$((i - LOAD_BLK - LOAD_SCSI))
		names+=("$(printf 'ld-n%02d' "$k")")
		types+=(nvme)
		if [ $((k % 2)) = 0 ]; then polls+=(always); else polls+=(adaptive); fi
	fi
	socks+=("/run/vdev-${names[i]}.sock")
done

# Background front ends: stopped by pid on exit.
fe_pids=()
# shellcheck disable=SC2317 # called from the EXIT trap
fe_stop() {
	local pid

	for pid in "${fe_pids[@]}"; do
		kill -KILL "$pid" 2>/dev/null
	done
	fe_pids=()
}
vu_vdevd_scripts
# Not --verbose: NVMe doorbells through vdevd would log a line each.
sed -i 's/ --verbose//' "$vdev_tmp/start-vdevd"
trap 'rc=$?; fe_stop; vu_vdevd_stop; vdev_clean; modprobe -r brd 2>/dev/null; (exit $rc); vdev_test_exit' EXIT

t_setup=$EPOCHSECONDS
bad=
for ((i = 0; i < n_ctrl; i++)); do
	rm -f "${socks[i]}"
	case ${types[i]} in
	virtio-scsi) addr=(--target 0 --lun 0) ;;
	nvme) addr=(--nsid 1) ;;
	*) addr=() ;;
	esac
	if ! out=$(vdevctl ctrl add "${names[i]}" --type "${types[i]}" \
		--socket "${socks[i]}" --queues 2 --queue-size $qsize \
		--cpus 0-1 --poll "${polls[i]}" 2>&1) ||
		! out=$(vdevctl ns add "${names[i]}" "${addr[@]}" "/dev/ram$i" 2>&1); then
		bad+="${names[i]}: $out"$'\n'
	fi
done
if [ -z "$bad" ]; then
	pass "create $n_ctrl controllers ($LOAD_BLK virtio-blk, $LOAD_SCSI virtio-scsi, $LOAD_NVME nvme), 2 queues of $qsize each, cpus 0-1, a RAM disk each"
else
	fail "create $n_ctrl controllers"
	printf '%s' "$bad" | sed 's/^/#   /'
	vdev_test_done
fi
expect_eq "every controller's cpumask is 0-1" \
	"$(vdevctl --json ctrl list | json_get 'sorted(set(c["cpumask"] for c in d))')" "0-1"
vu_vdevd_start "${socks[@]}" || vdev_test_done
vdevd_pid=$(cat "$vu_pidfile")

# --- front ends ---------------------------------------------------------------

# --runtime is only a backstop: the test ends them with SIGTERM.
for ((i = 0; i < n_ctrl; i++)); do
	case ${types[i]} in
	virtio-scsi) kind=(--scsi --ring-size "$qsize") ;;
	nvme) kind=(--nvme) ;;
	*) kind=(--ring-size "$qsize") ;;
	esac
	"$VDEV_PERF" --socket "${socks[i]}" "${kind[@]}" --queues 2 \
		--iodepth $iodepth --rw randrw --bs 4k --verify --notify \
		--runtime $((LOAD_SECONDS * 4 + 600)) \
		--connect-timeout 120000 --reply-timeout 120000 \
		--json --quiet </dev/null >"$vdev_tmp/fe-$i.json" \
		2>"$vdev_tmp/fe-$i.err" &
	fe_pids+=($!)
done

fe_alive() { # n_alive: how many front ends still run
	local pid

	n_alive=0
	for pid in "${fe_pids[@]}"; do
		kill -0 "$pid" 2>/dev/null && n_alive=$((n_alive + 1))
	done
}

# The analysis, in one Python process at a time (each start costs seconds
# under TCG): which queues are I/O queues, progress, IOPS, memory.
cat >"$vdev_tmp/load.py" <<'EOF'
import json, sys

def io_queue(types, q):
    """virtio-scsi's 0 and 1 are control and event, NVMe's 0 is admin."""
    first = {"virtio-scsi": 2, "nvme": 1}.get(types[q["ctrl-name"]], 0)
    return q["index"] >= first

def load(path):
    with open(path) as f:
        return json.load(f)

def ctrl_types(path):
    return {c["name"]: c["type"] for c in load(path)}

def ios(q):
    return q["reads"] + q["writes"]

cmd = sys.argv[1]
if cmd == "ready":
    # ready CTRLS STATS N: how many of the N * 2 I/O queues completed I/O
    types = ctrl_types(sys.argv[2])
    qs = [q for q in load(sys.argv[3]) if io_queue(types, q)]
    print(sum(1 for q in qs if q["started"] and ios(q) > 0))
elif cmd == "pollers":
    # pollers CTRLS STATS: each queue's CPU; queues per CPU
    types = ctrl_types(sys.argv[2])
    qs = load(sys.argv[3])
    per = {}
    for q in qs:
        per.setdefault(q.get("cpu"), []).append(q)
    print(" ".join("%s:%d" % (c, len(v)) for c, v in sorted(per.items(), key=str)))
elif cmd == "report":
    # report CTRLS NQ SAMPLES: SAMPLES lines are "t_us avail slab sunrec stats.json"
    types = ctrl_types(sys.argv[2])
    nq = int(sys.argv[3])
    samples = [l.split() for l in open(sys.argv[4]) if l.strip()]
    snaps = []
    for t, avail, slab, sunrec, path in samples:
        qs = {(q["ctrl-name"], q["index"]): q for q in load(path)
              if io_queue(types, q)}
        snaps.append((int(t), int(avail), int(slab), int(sunrec), qs))
    fails = []
    keys = sorted(snaps[0][4])
    if len(keys) != nq:
        fails.append("%d I/O queues in the first sample, want %d" % (len(keys), nq))
    # Progress: every queue, every interval.
    stalls = []
    for a, b in zip(snaps, snaps[1:]):
        for k in keys:
            qa, qb = a[4].get(k), b[4].get(k)
            if qb is None or ios(qb) <= ios(qa):
                stalls.append("%s queue %d: %s -> %s requests between %.0f s and %.0f s"
                              % (k[0], k[1], ios(qa), qb and ios(qb),
                                 (a[0] - snaps[0][0]) / 1e6, (b[0] - snaps[0][0]) / 1e6))
    first, last = snaps[0], snaps[-1]
    secs = (last[0] - first[0]) / 1e6
    rates = sorted((((ios(last[4][k]) - ios(first[4][k])) / secs, k)
                    for k in keys if k in last[4]), key=lambda r: r[0])
    total = sum(ios(last[4][k]) - ios(first[4][k]) for k in keys if k in last[4])
    # No error during the load, and none before it but the one a
    # virtio-scsi front end's TEST UNIT READY gets: the UNIT ATTENTION of
    # its new nexus (CHECK CONDITION counts as an error).
    errs = []
    for k, q in sorted(last[4].items()):
        q0 = first[4].get(k, q)
        before = 1 if types[k[0]] == "virtio-scsi" else 0
        if (q["errors"] != q0["errors"] or q0["errors"] > before or
                q["bad-chains"] or q["unsupported"] or q["broken"]):
            errs.append("%s queue %d: errors %d (%d at the first sample), bad-chains %d, unsupported %d, broken %s"
                        % (k[0], k[1], q["errors"], q0["errors"], q["bad-chains"],
                           q["unsupported"], q["broken"]))
    out = {
        "intervals": len(snaps) - 1,
        "secs": secs,
        "stalls": stalls,
        "errs": errs,
        "fails": fails,
        "total": total,
        "min": rates[0][0] if rates else 0,
        "min_q": "%s/%d" % rates[0][1] if rates else "",
        "max": rates[-1][0] if rates else 0,
        "max_q": "%s/%d" % rates[-1][1] if rates else "",
        "mean": sum(r[0] for r in rates) / len(rates) if rates else 0,
        "iops": total / secs if secs else 0,
        "by_type": {},
        "mem": [((s[0] - first[0]) / 1e6, s[1], s[2], s[3]) for s in snaps],
    }
    for r, k in rates:
        t = types[k[0]]
        lo, hi = out["by_type"].get(t, (r, r))
        out["by_type"][t] = (min(lo, r), max(hi, r))
    print(json.dumps(out))
elif cmd == "frontends":
    # frontends FILE...: each report's verdict; per-queue IOPS of the runs
    bad, rates, n = [], [], 0
    for path in sys.argv[2:]:
        try:
            d = load(path)
        except Exception as e:
            bad.append("%s: no report (%s)" % (path, e))
            continue
        n += 1
        why = []
        if not d.get("interrupted"):
            why.append("not ended by the signal")
        if d["errors"] or d["error"] is not None:
            why.append("errors %d, error %r" % (d["errors"], d["error"]))
        v = d["verify"]
        if not (v["ok"] and v["mismatches"] == 0 and v["fill_errors"] == 0
                and v["check_errors"] == 0 and v["sectors_checked"] >= 8192):
            why.append("verify %r" % v)
        if len(d["queue_ios"]) != 2 or min(d["queue_ios"]) == 0:
            why.append("queue_ios %r" % d["queue_ios"])
        if why:
            bad.append("%s (%s): %s" % (path, d["socket"], "; ".join(why)))
        rates += [x / d["elapsed_s"] for x in d["queue_ios"] if d["elapsed_s"] > 0]
    print(json.dumps({"n": n, "bad": bad,
                      "min": min(rates) if rates else 0,
                      "max": max(rates) if rates else 0}))
EOF
lpy() {
	/usr/bin/python3 "$vdev_tmp/load.py" "$@"
}
vdevctl --json ctrl list >"$vdev_tmp/ctrls.json"
n_io=$((n_ctrl * 2))

# Running: every I/O queue completed a request (their fills, at first).
t_launch=$EPOCHSECONDS
ready=0
while [ $((EPOCHSECONDS - t_launch)) -lt 600 ]; do
	sleep 3
	vdevctl --json stats >"$vdev_tmp/ready.json" 2>/dev/null || continue
	ready=$(lpy ready "$vdev_tmp/ctrls.json" "$vdev_tmp/ready.json")
	[ "$ready" = "$n_io" ] && break
	fe_alive
	[ "$n_alive" = "$n_ctrl" ] || break
done
t0=$EPOCHSECONDS
fe_alive
if [ "$ready" = "$n_io" ]; then
	pass "all $n_io I/O queues of $n_ctrl front ends doing I/O, $((t0 - t_launch)) s after the launch"
else
	fail "all $n_io I/O queues of $n_ctrl front ends doing I/O ($ready after $((t0 - t_launch)) s, $n_alive front ends running)"
	for ((i = 0; i < n_ctrl; i++)); do
		[ -s "$vdev_tmp/fe-$i.err" ] && sed "s/^/#   ${names[i]}: /" "$vdev_tmp/fe-$i.err"
	done | head -40
	vdev_test_done
fi

# --- two pollers ----------------------------------------------------------------

vdevctl --json stats >"$vdev_tmp/ready.json"
pollers=$(pgrep -l '^vdev-poll/' | awk '{ print $2 }' | sort | tr '\n' ' ')
expect_eq "exactly two poller kthreads (pgrep)" "$pollers" "vdev-poll/0 vdev-poll/1 "
per_cpu=$(lpy pollers "$vdev_tmp/ctrls.json" "$vdev_tmp/ready.json")
n_q=$(json_get 'len(d)' <"$vdev_tmp/ready.json")
# virtio-scsi: control, event, 2 request queues; NVMe: admin, 2 I/O queues.
expect_eq "the kernel serves every queue: 2 a virtio-blk, 4 a virtio-scsi, 3 an NVMe controller" \
	"$n_q" $((2 * LOAD_BLK + 4 * LOAD_SCSI + 3 * LOAD_NVME))
expect_match "every one of the $n_q queues on CPU 0 or 1, both used (CPU:queues $per_cpu)" \
	"$per_cpu" '^0:[0-9]+ 1:[0-9]+$'
echo "# $n_ctrl controllers, $n_q queues ($n_io I/O queues) on pollers CPU:queues $per_cpu"

# vdevd: every socket and session in one epoll set, within its fd limit.
nofile=$(awk '/^Max open files/ { print $4 }' "/proc/$vdevd_pid/limits")
fds=$(find "/proc/$vdevd_pid/fd" -mindepth 1 2>/dev/null | wc -l)
echo "# vdevd: $fds open fds for $n_ctrl controllers and their front ends, limit $nofile"
if [ "$fds" -ge "$n_ctrl" ] && [ "$fds" -lt $((nofile / 2)) ]; then
	pass "vdevd's fds ($fds) within half its limit ($nofile)"
else
	fail "vdevd's fds ($fds) within half its limit ($nofile)"
fi

# --- the load -------------------------------------------------------------------

# memory: once every front end is through its fill, the fixed memory is
# all there: guest memory was pinned at connect, the RAM disks are written
# whole, rings and request tables were allocated when the queues started.
# What a request allocates (bios, completions) is freed when it ends, so
# from here on kernel memory must not grow with the requests done.
# SUnreclaim (unreclaimable slab, where vdev's allocations live) may grow
# by at most 1 MiB: under this load in the VM bench it moved by 8 kB over
# 90 s and 36 kB over 300 s, and a leak of N bytes a request over R requests grows it by
# N * R (the report prints the smallest N the bound catches: 2 bytes at
# half a million requests, below the smallest kmalloc object). The
# largest sample counts, not the last, so a spike counts too.
# MemAvailable may drop by at most 8 MiB: it also moves with page cache,
# the test's own files (the samples) and the front ends' heaps; it stayed
# within 1 MiB.
echo "# warm-up: ${warmup} s, then a sample every $LOAD_INTERVAL s for $LOAD_SECONDS s"
sleep "$warmup"
mkdir -p "$vdev_tmp/s"
samples=$vdev_tmp/samples
: >"$samples"
t_load=$EPOCHSECONDS
k=0
early_exit=
while :; do
	now=${EPOCHREALTIME/./}
	mem_read
	vdevctl --json stats >"$vdev_tmp/s/$k.json"
	echo "$now $mem_avail $mem_slab $mem_sunrec $vdev_tmp/s/$k.json" >>"$samples"
	fe_alive
	if [ "$n_alive" != "$n_ctrl" ]; then
		early_exit="$((n_ctrl - n_alive)) front ends ended $((EPOCHSECONDS - t_load)) s into the load"
		break
	fi
	[ $((now / 1000000 - t_load)) -ge "$LOAD_SECONDS" ] && break
	k=$((k + 1))
	# The next sample at t_load + k * LOAD_INTERVAL, or at the end.
	next=$((t_load + k * LOAD_INTERVAL))
	[ "$next" -gt $((t_load + LOAD_SECONDS)) ] && next=$((t_load + LOAD_SECONDS))
	[ "$next" -gt "$EPOCHSECONDS" ] && sleep $((next - EPOCHSECONDS))
done
t_end=$EPOCHSECONDS
if [ -z "$early_exit" ]; then
	pass "all $n_ctrl front ends ran through the $((t_end - t_load)) s load"
else
	fail "all $n_ctrl front ends ran through the load ($early_exit)"
fi

# End them all at once: each reads its disk back and reports.
for pid in "${fe_pids[@]}"; do
	kill -TERM "$pid" 2>/dev/null
done
for _ in $(seq 600); do
	fe_alive
	[ "$n_alive" = 0 ] && break
	sleep 0.5
done
rcs=()
stuck=0
for pid in "${fe_pids[@]}"; do
	if kill -0 "$pid" 2>/dev/null; then
		stuck=$((stuck + 1))
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	rcs+=($?)
done
fe_pids=()
t_fe=$EPOCHSECONDS
expect_eq "every front end ended within 300 s of SIGTERM (took $((t_fe - t_end)) s)" "$stuck" 0
bad_rc=
for ((i = 0; i < n_ctrl; i++)); do
	[ "${rcs[i]}" = 0 ] || bad_rc+="${names[i]}: exit ${rcs[i]}; "
done
if [ -z "$bad_rc" ]; then
	pass "every front end exited 0"
else
	fail "every front end exited 0 ($bad_rc)"
fi
mapfile -t fe_json < <(for ((i = 0; i < n_ctrl; i++)); do echo "$vdev_tmp/fe-$i.json"; done)
fe=$(lpy frontends "${fe_json[@]}")
fe_bad=$(json_get '"\n".join(d["bad"])' <<<"$fe")
if [ -z "$fe_bad" ] && [ "$(json_get 'd["n"]' <<<"$fe")" = "$n_ctrl" ]; then
	pass "every front end's report: ended by the signal, no I/O error, every block verified, both queues did I/O"
else
	fail "every front end's report: ended by the signal, no I/O error, every block verified, both queues did I/O"
	printf '%s\n' "$fe_bad" | sed 's/^/#   /' | head -20
	for ((i = 0; i < n_ctrl; i++)); do
		[ -s "$vdev_tmp/fe-$i.err" ] && sed "s/^/#   ${names[i]}: /" "$vdev_tmp/fe-$i.err"
	done | head -20
fi

# --- the kernel's view of the load ---------------------------------------------

rep=$(lpy report "$vdev_tmp/ctrls.json" "$n_io" "$samples")
r() { json_get "$1" <<<"$rep"; }
n_int=$(r 'd["intervals"]')
if [ "$(r 'len(d["fails"]) + len(d["stalls"])')" = 0 ] && [ "$n_int" -ge 1 ]; then
	pass "every I/O queue completed requests in each of the $n_int sample intervals"
else
	fail "every I/O queue completed requests in each of the $n_int sample intervals"
	r '"\n".join(d["fails"] + d["stalls"][:20])' | sed 's/^/#   /'
fi
if [ "$(r 'len(d["errs"])')" = 0 ]; then
	pass "no queue counted an error during the load (before it: at most virtio-scsi's UNIT ATTENTION), no unsupported request or bad chain, none broken"
else
	fail "no queue counted an error during the load (before it: at most virtio-scsi's UNIT ATTENTION), no unsupported request or bad chain, none broken"
	r '"\n".join(d["errs"][:20])' | sed 's/^/#   /'
fi
echo "# per-queue IOPS over $(r '"%.0f" % d["secs"]') s (kernel counters, $n_io I/O queues): min $(r '"%.1f (%s)" % (d["min"], d["min_q"])'), max $(r '"%.1f (%s)" % (d["max"], d["max_q"])'), mean $(r '"%.1f" % d["mean"]'); all queues $(r '"%.0f" % d["iops"]') IOPS, $(r 'd["total"]') requests"
r '"\n".join("%s: min %.1f, max %.1f" % (t, lo, hi) for t, (lo, hi) in sorted(d["by_type"].items()))' |
	sed 's/^/#   per-queue IOPS, /'
echo "# per-queue IOPS of the front ends' own runs: min $(json_get '"%.1f" % d["min"]' <<<"$fe"), max $(json_get '"%.1f" % d["max"]' <<<"$fe")"

# memory: the samples, and the bounds.
echo "# memory samples (kB): seconds MemAvailable Slab SUnreclaim"
r '"\n".join("%6.0f %10d %8d %8d" % tuple(m) for m in d["mem"])' | sed 's/^/#   /'
sunrec_growth=$(r 'max(m[3] for m in d["mem"]) - d["mem"][0][3]')
avail_drop=$(r 'd["mem"][0][1] - min(m[1] for m in d["mem"])')
total=$(r 'd["total"]')
echo "# a leak of $(((slab_bound_kb * 1024 + total - 1) / (total > 0 ? total : 1))) bytes a request or more over the $total requests would break the SUnreclaim bound"
if [ "$sunrec_growth" -le "$slab_bound_kb" ]; then
	pass "SUnreclaim grew by $sunrec_growth kB at most (bound $slab_bound_kb kB)"
else
	fail "SUnreclaim grew by $sunrec_growth kB at most (bound $slab_bound_kb kB)"
fi
if [ "$avail_drop" -le "$avail_bound_kb" ]; then
	pass "MemAvailable dropped by $avail_drop kB at most (bound $avail_bound_kb kB)"
else
	fail "MemAvailable dropped by $avail_drop kB at most (bound $avail_bound_kb kB)"
fi

# --- after it -------------------------------------------------------------------

if vu_vdevd_alive; then
	pass "vdevd runs"
else
	fail "vdevd runs"
fi
expect_eq "kernel log: no WARN, BUG or oops" \
	"$(dmesg | tail -n +"$((dmesg_start + 1))" | grep -cE 'WARNING:|BUG:|Oops|general protection|soft lockup|blocked for more than')" 0

# Teardown: every controller goes, and the pollers with their queues.
t_del=$EPOCHSECONDS
bad=
for ((i = 0; i < n_ctrl; i++)); do
	out=$(vdevctl ctrl del "${names[i]}" 2>&1) || bad+="${names[i]}: $out; "
done
if [ -z "$bad" ]; then
	pass "delete all $n_ctrl controllers ($((EPOCHSECONDS - t_del)) s)"
else
	fail "delete all $n_ctrl controllers ($bad)"
fi
expect_eq "no controller left" "$(vdev_ctrl_count)" 0
left=0
for s in "${socks[@]}"; do
	[ -e "$s" ] && left=$((left + 1))
done
expect_eq "no socket left" "$left" 0
expect_eq "no poller left" "$(pgrep -c '^vdev-poll/')" 0
vu_vdevd_stop
check "the RAM disk module unloads (nothing holds a disk)" modprobe -r brd
mem_read
echo "# before setup and after teardown (kB): MemAvailable $avail_before -> $mem_avail, SUnreclaim $sunrec_before -> $mem_sunrec"
echo "# $((t_fe - t_launch)) s of load from the launch, $((EPOCHSECONDS - t_test)) s in all (setup $((t_launch - t_setup)) s)"

if [ "$vdev_failed" != 0 ]; then
	echo "# vdevd's log (last 30 lines):"
	tail -n 30 "$vu_log" | sed 's/^/#   /'
fi
vdev_test_done
