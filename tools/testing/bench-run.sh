#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: boot the VM bench with two vCPUs running in parallel
# (multi-threaded TCG: a poller and a front end each need a CPU of their
# own), run tools/testing/bench.sh in it, and turn its reports into
# bench/results/<date>.json, the table on stdout and a plot
# bench/results/<date>.png.  Not part of `make check`: it asserts no speed.
#
# Environment: BENCH_* of bench.sh; BENCH_TIMEOUT (seconds, default 5400);
# VM_TCG_THREAD (default multi here).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
testing=$root/tools/testing
out=${VDEV_BUILD:-$root/build}/bench
stamp=$(date -u +%Y%m%d-%H%M%S)
results=$root/bench/results

export VM_TCG_THREAD=${VM_TCG_THREAD:-multi}
# The guest starts with a clean environment: hand it the BENCH_* knobs.
mapfile -t knobs < <(env | grep '^BENCH_' || true)
# tsc=reliable: under host load the clocksource watchdog may find TCG's
# TSC skewed and switch the guest to the HPET halfway through the run,
# and every clock read after that is an emulated MMIO read: contenders
# measured before and after would not be measured alike.
rc=0
"$testing/vm-run" --smp 2 --out "$out" --timeout "${BENCH_TIMEOUT:-5400}" \
	--append tsc=reliable \
	-- env "${knobs[@]}" "$testing/bench.sh" "$out/runs" || rc=$?
if ((rc)); then
	echo "bench: the run in the VM failed (vm-run exit $rc); reports so far in $out/runs" >&2
	[[ -d $out/runs ]] || exit "$rc"
fi
mkdir -p "$results"
python3 "$testing/bench-report.py" "$out/runs" "$results/$stamp.json" \
	"$results/$stamp.png"
exit "$rc"
