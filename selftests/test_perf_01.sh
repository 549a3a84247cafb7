#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vdev-perf against vdev: a few seconds of verified random I/O on two
# queues of a brd-backed controller, over split and packed rings, busy
# polling and with --notify, on an adaptive and a "poll never"
# controller; and the same over a virtio-scsi controller's socket
# (--scsi: READ/WRITE(10) on its request queues), on the LUN its scan
# finds and on one --lun names; and over an NVMe controller's vfio-user
# socket (--nvme, poll always: doorbells mapped, CQs busy-polled). Each
# run's JSON report must show I/O done
# on both queues, no error, every block verified and the CPU time of
# vdev's poller kthreads measured. No timing is asserted: the VM bench
# runs TCG.
source "$(dirname "$0")/test_common.sh"
source "$(dirname "$0")/vu/vu_lib.sh"

vu_need_perf

vdev_test_init
vdev_brd_setup 5 || { echo "# SKIP: brd unavailable"; exit $KSFT_SKIP; }

sock_a=/run/vdev-perf-a.sock	# ram0: 2 queues, poll adaptive
sock_n=/run/vdev-perf-n.sock	# ram1: 2 queues, poll never
sock_s=/run/vdev-perf-s.sock	# virtio-scsi: LUN 1:0 on ram2, 1:3 on ram3
sock_v=/run/vdev-perf-v.sock	# nvme: ram4 as nsid 1, 2 queues, poll always
vu_vdevd_scripts
trap 'rc=$?; vu_vdevd_stop; (exit $rc); vdev_test_exit' EXIT

rm -f "$sock_a" "$sock_n" "$sock_s" "$sock_v"
check "create perf-a: 2 queues" \
	vdevctl ctrl add perf-a --type virtio-blk --socket "$sock_a" --queues 2
check "perf-a: attach ram0" vdevctl ns add perf-a /dev/ram0
check "create perf-n: 2 queues, poll never" \
	vdevctl ctrl add perf-n --type virtio-blk --socket "$sock_n" --queues 2 --poll never
check "perf-n: attach ram1" vdevctl ns add perf-n /dev/ram1
check "create perf-s: virtio-scsi, 2 request queues" \
	vdevctl ctrl add perf-s --type virtio-scsi --socket "$sock_s" --queues 2
# Target 1, not 0: the scan must pass over a target that is not there.
check "perf-s: LUN 1:0 on ram2" vdevctl ns add perf-s --target 1 --lun 0 /dev/ram2
check "perf-s: LUN 1:3 on ram3" vdevctl ns add perf-s --target 1 --lun 3 /dev/ram3
check "create perf-v: nvme, 2 queues, poll always" \
	vdevctl ctrl add perf-v --type nvme --socket "$sock_v" --queues 2 \
	--queue-size 128 --poll always
check "perf-v: attach ram4 as nsid 1" vdevctl ns add perf-v --nsid 1 /dev/ram4
vu_vdevd_start "$sock_a" "$sock_n" "$sock_s" "$sock_v" || exit "$KSFT_FAIL"

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
	# nvme=1: an NVMe run, on the mapped doorbells, with its PRPs.
	if [ -n "${nvme:-}" ]; then
		perf_json "$desc: NVMe over vfio-user, doorbells mapped" "$out" \
			'd["transport"] == "vfio-user" and d["device"]["type"] == "nvme" and d["device"]["nsid"] == 1 and d["device"]["doorbells_mapped"] and d["device"]["capacity"] > 0'
		perf_json "$desc: an SQ doorbell a command, no interrupt" "$out" \
			'd["kicks"] == d["ios"] and d["calls"] == 0'
		return 0
	fi
	perf_json "$desc: the ring asked for" "$out" \
		"d['job']['ring'] == '${ring:-split}' and (int(d['device']['features'], 16) >> 34 & 1) == ('${ring:-split}' == 'packed')"
	# lun=T:L: a virtio-scsi run, on that LUN.
	[ -n "${lun:-}" ] || return 0
	perf_json "$desc: virtio-scsi LUN $lun over vhost-user" "$out" \
		"d['transport'] == 'vhost-user' and d['device']['type'] == 'virtio-scsi' and '%d:%d' % (d['device']['target'], d['device']['lun']) == '$lun'"
	# vdev writes the used length the spec asks for: response + data-in.
	perf_json "$desc: used lengths as transferred" "$out" \
		'd["used_len_mismatch"] == 0'
}

ring='split' perf "split, randrw" "$sock_a" --rw randrw
ring=packed perf "packed, randrw" "$sock_a" --rw randrw --ring packed
ring='split' perf "split, randwrite, --notify" "$sock_a" --rw randwrite --notify
ring=packed perf "packed, randread, --notify, poll never" "$sock_n" \
	--ring packed --notify

# virtio-scsi: the scan finds LUN 1:0; --lun picks 1:3.
lun=1:0 ring='split' perf "scsi, split, randrw" "$sock_s" --scsi --rw randrw
lun=1:3 ring=packed perf "scsi, packed, randwrite, --notify, --lun 1:3" \
	"$sock_s" --scsi --rw randwrite --ring packed --notify --lun 1:3

# NVMe: 4k..16k (PRP2 a second page, then a PRP list) on two queue pairs.
nvme=1 perf "nvme, randrw, 4k" "$sock_v" --nvme --rw randrw
nvme=1 perf "nvme, randwrite, 16k (PRP list)" "$sock_v" --nvme --rw randwrite \
	--bs 16k

# A bad option is a usage error, said on stderr.
expect_exit 2 "vdev-perf --rw bogus: usage error" \
	"$VDEV_PERF" --socket "$sock_a" --rw bogus
expect_exit 2 "vdev-perf --lun without --scsi: usage error" \
	"$VDEV_PERF" --socket "$sock_a" --lun 0:0
expect_exit 2 "vdev-perf --nvme --scsi: usage error" \
	"$VDEV_PERF" --socket "$sock_v" --nvme --scsi
# --nvme on a vhost-user socket: the vfio-user handshake fails.
expect_exit 3 "vdev-perf --nvme on a virtio-blk socket: no device" \
	"$VDEV_PERF" --socket "$sock_a" --nvme --runtime 1 --connect-timeout 2000
# --scsi on a virtio-blk socket: refused before any command is sent.
expect_exit 3 "vdev-perf --scsi on a virtio-blk socket: no device" \
	"$VDEV_PERF" --socket "$sock_a" --scsi --rw randwrite --runtime 1
expect_match "... saying it is not virtio-scsi" "$(cat "$vdev_tmp/err")" \
	'not a virtio-scsi config space'
# A LUN that is not there: the scan's TEST UNIT READY says so.
expect_exit 3 "vdev-perf --scsi --lun 1:1: no such LUN" \
	"$VDEV_PERF" --socket "$sock_s" --scsi --lun 1:1 --runtime 1

vu_vdevd_stop
vdev_test_done
