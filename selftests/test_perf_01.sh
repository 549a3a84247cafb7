#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vdev-perf against vdev: a few seconds of verified random I/O on two
# queues of a brd-backed controller, over split and packed rings, busy
# polling and with --notify, on an adaptive and a "poll never"
# controller. Each run's JSON report must show I/O done on both queues,
# no error, every block verified and the CPU time of vdev's poller
# kthreads measured. No timing is asserted: the VM bench runs TCG.
source "$(dirname "$0")/test_common.sh"
source "$(dirname "$0")/vu/vu_lib.sh"

VDEV_PERF=${VDEV_PERF:-$VDEV_ROOT/tools/vdev-perf/vdev-perf}
vu_need_bins
if [ ! -x "$VDEV_PERF" ]; then
	echo "# SKIP: $VDEV_PERF not built (make tools)"
	exit "$KSFT_SKIP"
fi

vdev_test_init
vdev_brd_setup 2 || { echo "# SKIP: brd unavailable"; exit $KSFT_SKIP; }

sock_a=/run/vdev-perf-a.sock	# ram0: 2 queues, poll adaptive
sock_n=/run/vdev-perf-n.sock	# ram1: 2 queues, poll never
vu_vdevd_scripts
trap 'rc=$?; vu_vdevd_stop; (exit $rc); vdev_test_exit' EXIT

rm -f "$sock_a" "$sock_n"
check "create perf-a: 2 queues" \
	vdevctl ctrl add perf-a --type virtio-blk --socket "$sock_a" --queues 2
check "perf-a: attach ram0" vdevctl ns add perf-a /dev/ram0
check "create perf-n: 2 queues, poll never" \
	vdevctl ctrl add perf-n --type virtio-blk --socket "$sock_n" --queues 2 --poll never
check "perf-n: attach ram1" vdevctl ns add perf-n /dev/ram1
vu_vdevd_start "$sock_a" "$sock_n" || exit "$KSFT_FAIL"

# perf_json DESC FILE EXPR: the Python expression over the report is true.
perf_json() {
	local got

	got=$(json_get "$3" <"$2" 2>&1)
	if [ "$got" = true ]; then
		pass "$1"
	else
		fail "$1 ($3: $got)"
	fi
}

# perf DESC SOCK ARGS...: one short verified run, and its report checked.
perf() {
	local desc=$1 sock=$2 out=$vdev_tmp/perf.json rc

	shift 2
	"$VDEV_PERF" --socket "$sock" --queues 2 --iodepth 8 --runtime 2 \
		--size 16M --verify --json --quiet "$@" >"$out" 2>"$vdev_tmp/perf.err"
	rc=$?
	if [ $rc != 0 ] || ! json_get 'd["ios"]' <"$out" >/dev/null 2>&1; then
		fail "$desc: vdev-perf exit $rc"
		sed 's/^/#   /' "$vdev_tmp/perf.err" "$out"
		return
	fi
	pass "$desc: vdev-perf exit 0"
	perf_json "$desc: I/O done on both queues" "$out" \
		'd["ios"] > 0 and d["iops"] > 0 and min(d["queue_ios"]) > 0'
	perf_json "$desc: no error" "$out" \
		'd["errors"] == 0 and d["error"] is None'
	perf_json "$desc: every block verified" "$out" \
		'd["verify"]["ok"] and d["verify"]["mismatches"] == 0 and d["verify"]["sectors_checked"] >= 16 * 2048'
	perf_json "$desc: poller CPU time measured" "$out" \
		'd["backend"]["measured"] and d["backend"]["kind"] == "kthreads" and len(d["backend"]["tasks"]) > 0 and d["backend"]["cpu_s"] > 0'
	perf_json "$desc: the ring asked for" "$out" \
		"d['job']['ring'] == '${ring:-split}' and (int(d['device']['features'], 16) >> 34 & 1) == ('${ring:-split}' == 'packed')"
}

ring=split perf "split, randrw" "$sock_a" --rw randrw
ring=packed perf "packed, randrw" "$sock_a" --rw randrw --ring packed
ring=split perf "split, randwrite, --notify" "$sock_a" --rw randwrite --notify
ring=packed perf "packed, randread, --notify, poll never" "$sock_n" \
	--ring packed --notify

# A bad option is a usage error, said on stderr.
expect_exit 2 "vdev-perf --rw bogus: usage error" \
	"$VDEV_PERF" --socket "$sock_a" --rw bogus

vu_vdevd_stop
vdev_test_done
