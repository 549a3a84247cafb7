#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Backing faults under I/O, with vdev-perf as the front end (it plays
# QEMU and a polling guest driver), each on its own controller:
#
#   gone     the backing device goes away under I/O (a null_blk powered
#            off: del_gendisk): a virtio-blk front end gets I/O errors,
#            the namespace stays until the user deletes it; a virtio-scsi
#            LUN and an NVMe namespace are detached (the guest is told),
#            and the controller's other LUN or namespace goes on serving
#            verified I/O
#   dm-error the device's dm table becomes "error" under I/O and back: the
#            front end gets I/O errors, then verified I/O again, on the
#            same connection
#   ns del   a LUN and a namespace deleted with requests in flight on a
#            disk that answers after 500 ms
#   ctrl del a controller deleted with a front end connected and requests
#            in flight
#
# Every run ends (no hang), and afterwards nothing is held: null_blk,
# whose disks vdev opened, unloads, which it can't while a claim leaked.
# timeout=600
# shellcheck disable=SC2317 # functions run through check and wait_for
# shellcheck source-path=SCRIPTDIR source=test_common.sh
source "$(dirname "$0")/test_common.sh"
# shellcheck source=vu/vu_lib.sh
source "$(dirname "$0")/vu/vu_lib.sh"

vu_need_perf

vdev_test_init
vdev_brd_setup 4 || { echo "# SKIP: brd unavailable"; exit $KSFT_SKIP; }
modprobe -r null_blk 2>/dev/null
if ! modprobe null_blk nr_devices=0; then
	echo "# SKIP: null_blk unavailable"
	exit "$KSFT_SKIP"
fi

sock_b=/run/vdev-fault-b.sock	# virtio-blk on a null_blk that goes away
sock_s=/run/vdev-fault-s.sock	# virtio-scsi: 0:0 goes away, 0:1 on ram0
sock_v=/run/vdev-fault-v.sock	# nvme: nsid 1 goes away, nsid 2 on ram1
sock_d=/run/vdev-fault-d.sock	# virtio-blk on dm over ram2
sock_t=/run/vdev-fault-t.sock	# virtio-scsi on a slow null_blk: ns del
sock_n=/run/vdev-fault-n.sock	# nvme on a slow null_blk: ns del
sock_c=/run/vdev-fault-c.sock	# virtio-blk on a slow null_blk: ctrl del
dm=vdev-fault-dm
monitor_pid=
mark=$(dmesg | wc -l)

cleanup() {
	[ -n "$monitor_pid" ] && kill "$monitor_pid" 2>/dev/null
	vu_vdevd_stop
	vdev_clean
	dmsetup remove "$dm" 2>/dev/null
	vu_nullb_remove_all
}
vu_vdevd_scripts
trap 'rc=$?; cleanup; (exit $rc); vdev_test_exit' EXIT

# perf_bg NAME SOCK ARGS...: a vdev-perf run in the background, its JSON
# report in $vdev_tmp/NAME.json; its pid in $perf_pid.
perf_bg() {
	local name=$1 sock=$2

	shift 2
	"$VDEV_PERF" --socket "$sock" --json --quiet --connect-timeout 5000 \
		"$@" >"$vdev_tmp/$name.json" 2>"$vdev_tmp/$name.err" &
	perf_pid=$!
}

# perf_wait NAME SECS: wait for the run; its exit status in $perf_rc,
# 124 if it had not ended after SECS (then it is killed).
perf_wait() {
	local name=$1 i

	for ((i = 0; i < $2 * 10; i++)); do
		kill -0 "$perf_pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$perf_pid" 2>/dev/null; then
		kill -9 "$perf_pid"
		wait "$perf_pid" 2>/dev/null
		perf_rc=124
		fail "$name: vdev-perf ended within $2 s (it hangs)"
		sed 's/^/#   /' "$vdev_tmp/$name.err"
		return 1
	fi
	wait "$perf_pid"
	perf_rc=$?
	return 0
}

# report NAME EXPR: the Python expression over NAME's report is true.
report() {
	local got

	got=$(json_get "$2" <"$vdev_tmp/$1.json" 2>&1)
	if [ "$got" = true ]; then
		pass "$1: $3"
	else
		fail "$1: $3 ($2: $got)"
		sed 's/^/#   /' "$vdev_tmp/$1.err" "$vdev_tmp/$1.json" | head -20
	fi
}

# perf_clean NAME SOCK ARGS...: a short verified run that must be clean.
perf_clean() {
	local name=$1

	perf_bg "$@" --runtime 2 --iodepth 4 --rw randrw --verify --size 8M
	perf_wait "$name" 60 || return
	expect_eq "$name: vdev-perf exit status" "$perf_rc" 0
	report "$name" 'd["ios"] > 0 and d["errors"] == 0 and d["verify"]["mismatches"] == 0' \
		"verified I/O, no error"
}

# klog_has TEXT: the kernel said TEXT since the test began.
klog_has() {
	dmesg | tail -n +"$((mark + 1))" | grep -qF -- "$1"
}

wait_for() { # SECS COMMAND...: until it succeeds
	local end=$((SECONDS + $1))

	shift
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.1
	done
}

ns_count_is() { # CTRL N
	[ "$(vdev_ns_count "$1")" = "$2" ]
}

# --- the controllers ---------------------------------------------------------

check "null_blk fnb (virtio-blk, goes away)" vu_nullb fnb
check "null_blk fns (virtio-scsi LUN, goes away)" vu_nullb fns
check "null_blk fnv (NVMe namespace, goes away)" vu_nullb fnv
# Requests in flight for real: a timer completes each after 500 ms. Not
# on a poll queue: null_blk gives a configfs disk one by default, vdev
# then sends polled bios (its poll modes but never), and null_blk
# completes those at the next poll, with no timer: a disk as fast as
# brd, whose requests are in flight for an instant that vdevctl stats
# samples only by luck (on the debug kernel, often not within 30 s).
for n in fst fsn fsc; do
	check "null_blk $n (completions after 500 ms)" \
		vu_nullb "$n" irqmode=2 completion_nsec=500000000 poll_queues=0
	check "null_blk $n: no poll queue, every bio waits for the timer" \
		test "$(cat "/sys/block/$n/queue/io_poll")" = 0
done
sectors=$(cat /sys/block/ram2/size)
check "dm $dm: linear over ram2" \
	dmsetup create "$dm" --table "0 $sectors linear /dev/ram2 0"
# No udev in the VM bench to make /dev/mapper links: the node itself.
dm_dev=/dev/dm-$(dmsetup info -c --noheadings -o minor "$dm")

rm -f "$sock_b" "$sock_s" "$sock_v" "$sock_d" "$sock_t" "$sock_n" "$sock_c"
check "f-blk on fnb" eval "vdevctl ctrl add f-blk --type virtio-blk --socket $sock_b --queues 2 >/dev/null && vdevctl ns add f-blk /dev/fnb >/dev/null"
check "f-scsi: 0:0 on fns, 0:1 on ram0" eval "vdevctl ctrl add f-scsi --type virtio-scsi --socket $sock_s >/dev/null && vdevctl ns add f-scsi --target 0 --lun 0 /dev/fns >/dev/null && vdevctl ns add f-scsi --target 0 --lun 1 /dev/ram0 >/dev/null"
check "f-nvme: nsid 1 on fnv, nsid 2 on ram1" eval "vdevctl ctrl add f-nvme --type nvme --socket $sock_v --poll always --queue-size 128 >/dev/null && vdevctl ns add f-nvme --nsid 1 /dev/fnv >/dev/null && vdevctl ns add f-nvme --nsid 2 /dev/ram1 >/dev/null"
check "f-dm on $dm_dev" eval "vdevctl ctrl add f-dm --type virtio-blk --socket $sock_d >/dev/null && vdevctl ns add f-dm $dm_dev >/dev/null"
check "f-tscsi: 0:0 on fst" eval "vdevctl ctrl add f-tscsi --type virtio-scsi --socket $sock_t >/dev/null && vdevctl ns add f-tscsi --target 0 --lun 0 /dev/fst >/dev/null"
check "f-tnvme: nsid 1 on fsn" eval "vdevctl ctrl add f-tnvme --type nvme --socket $sock_n --poll always --queue-size 128 >/dev/null && vdevctl ns add f-tnvme --nsid 1 /dev/fsn >/dev/null"
check "f-del on fsc" eval "vdevctl ctrl add f-del --type virtio-blk --socket $sock_c >/dev/null && vdevctl ns add f-del /dev/fsc >/dev/null"
"$VDEVCTL" monitor >"$vdev_tmp/monitor.txt" 2>&1 &
monitor_pid=$!
vu_vdevd_start "$sock_b" "$sock_s" "$sock_v" "$sock_d" "$sock_t" "$sock_n" \
	"$sock_c" || exit "$KSFT_FAIL"

# --- gone: the backing device goes away under I/O ----------------------------

# gone NAME NULLB SOCK ARGS...: I/O for 6 s; 2 s in, NULLB is powered off.
gone() {
	local name=$1 nullb=$2 sock=$3

	shift 3
	perf_bg "$name" "$sock" --runtime 6 --iodepth 8 --rw randrw "$@"
	sleep 2
	check "$name: /dev/$nullb powered off under I/O" \
		eval "echo 0 >/sys/kernel/config/nullb/$nullb/power"
	perf_wait "$name" 60 || return
	expect_eq "$name: vdev-perf exit status (I/O errors)" "$perf_rc" 1
	report "$name" 'd["ios"] > 0 and d["errors"] > 0' \
		"I/O done before, errors after"
	check "$name: the kernel says /dev/$nullb went away" \
		wait_for 10 klog_has "backing device /dev/$nullb went away"
}

gone blk-gone fnb "$sock_b" --queues 2
expect_eq "blk-gone: the namespace stays until deleted" "$(vdev_ns_count f-blk)" 1
expect_eq "blk-gone: ns show says gone" \
	"$("$VDEVCTL" --json ns show f-blk | json_get 'd["gone"]')" true
check "blk-gone: vdevctl's text says gone" \
	eval "vdevctl ns show f-blk | grep -qw gone"
check "blk-gone: ns-change event" \
	grep -q '^ns-change f-blk .*flags.*gone' "$vdev_tmp/monitor.txt"
# A front end that comes now finds an empty disk or errors, at once.
perf_bg blk-gone-again "$sock_b" --runtime 1
perf_wait blk-gone-again 60 &&
	check "blk-gone: a new front end fails (exit $perf_rc), does not hang" \
		test "$perf_rc" = 1 -o "$perf_rc" = 3
check "blk-gone: null_blk is held while the namespace is" \
	eval "! modprobe -r null_blk 2>/dev/null"

gone scsi-gone fns "$sock_s" --scsi --lun 0:0
check "scsi-gone: LUN 0:0 detached" \
	wait_for 10 ns_count_is f-scsi 1
check "scsi-gone: ns-del event for 0:0" \
	grep -q '^ns-del f-scsi target:lun 0:0 ' "$vdev_tmp/monitor.txt"
sed -n 's/^\(ns-[a-z]* f-\(blk\|scsi\|nvme\) \)/# monitor: \1/p' "$vdev_tmp/monitor.txt"
perf_clean scsi-other "$sock_s" --scsi --lun 0:1

gone nvme-gone fnv "$sock_v" --nvme
check "nvme-gone: nsid 1 detached" \
	wait_for 10 ns_count_is f-nvme 1
perf_clean nvme-other "$sock_v" --nvme

# --- dm-error: the device fails, then heals ----------------------------------

dm_table() { # TARGET: swap the live table
	dmsetup load "$dm" --table "0 $sectors $1" && dmsetup resume "$dm"
}
perf_bg dm-error "$sock_d" --runtime 6 --iodepth 8 --rw randrw
sleep 2
check "dm-error: table swapped to error under I/O" dm_table error
perf_wait dm-error 60 &&
	expect_eq "dm-error: vdev-perf exit status (I/O errors)" "$perf_rc" 1 &&
	report dm-error 'd["ios"] > 0 and d["errors"] > 0' \
		"I/O done before, errors after"
check "dm-error: table swapped back to linear" dm_table "linear /dev/ram2 0"
perf_clean dm-healed "$sock_d"

# --- ns del and ctrl del with requests in flight -----------------------------

# in_flight_on CTRL: requests in flight on a queue of CTRL. Polled, so
# awk over the text, not Python over JSON: that takes a second under TCG.
in_flight_on() {
	"$VDEVCTL" stats "$1" 2>/dev/null | awk '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == "INFLIGHT") c = i }
		NR > 1 && c && $c > 0 { found = 1 }
		END { exit !found }'
}

# in_flight NAME CTRL SOCK ARGS...: a run of 16 requests in flight on a
# disk answering in 500 ms; returns once the kernel counts them in flight.
# Most of the wait is vdev-perf connecting and starting the device: some
# seconds on the debug kernel, which check-debug-vm runs with
# VDEV_TIMEOUT_FACTOR=5.
in_flight() {
	local name=$1 ctrl=$2 sock=$3 start

	shift 3
	start=$SECONDS
	perf_bg "$name" "$sock" --runtime 8 --iodepth 16 --rw randrw "$@"
	check "$name: requests in flight" \
		wait_for "$((30 * ${VDEV_TIMEOUT_FACTOR:-1}))" in_flight_on "$ctrl"
	echo "# $name: in flight after $((SECONDS - start)) s"
}

# ns_del_busy NAME CTRL ADDR...: delete the namespace meanwhile.
ns_del_busy() {
	local name=$1 ctrl=$2 start

	shift 2
	start=$(date +%s)
	check "$name: ns del with requests in flight" vdevctl ns del "$ctrl" "$@"
	echo "# $name: ns del took $(($(date +%s) - start)) s"
	expect_eq "$name: no namespace left" "$(vdev_ns_count "$ctrl")" 0
	perf_wait "$name" 60 || return
	report "$name" 'd["ios"] > 0' "requests completed before the delete"
	check "$name: later requests fail (exit $perf_rc)" test "$perf_rc" = 1
}

in_flight scsi-del f-tscsi "$sock_t" --scsi --lun 0:0
ns_del_busy scsi-del f-tscsi --target 0 --lun 0
in_flight nvme-del f-tnvme "$sock_n" --nvme
ns_del_busy nvme-del f-tnvme --nsid 1

in_flight ctrl-del f-del "$sock_c"
start=$(date +%s)
check "ctrl-del: ctrl del with a front end connected" vdevctl ctrl del f-del
echo "# ctrl-del: ctrl del took $(($(date +%s) - start)) s"
perf_wait ctrl-del 60 &&
	check "ctrl-del: the front end saw the end (exit $perf_rc)" \
		test "$perf_rc" != 0
check "ctrl-del: its socket is gone" test ! -e "$sock_c"

# --- nothing held afterwards ---------------------------------------------------

check "vdevd still runs" vu_vdevd_alive
vu_vdevd_stop
kill "$monitor_pid" 2>/dev/null
monitor_pid=
check "every controller deleted" vdev_clean
check "dm device removable (nothing holds it)" dmsetup remove "$dm"
vu_nullb_remove_all
check "null_blk unloads: no claim on its disks leaked" modprobe -r null_blk
vu_finish "$mark"
