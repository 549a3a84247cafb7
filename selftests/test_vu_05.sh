#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# virtio-scsi over vhost-user: a controller with LUNs 0:0 (ram0) and 0:1
# (ram1), driven by selftests/vu/vu_scsi_test as a guest's virtio_scsi
# driver: config space, unit attentions, INQUIRY, READ CAPACITY, REPORT
# LUNS, a pattern written and read back, VERIFY that compares (MISCOMPARE
# and where) and WRITE SAME of a pattern, bad LUNs, targets, opcodes and
# buffers with their sense, task management and notification on the
# control queue, LUN 0:2 (ram2) attached and detached under a live
# session, and LUN 1:0 on a device-mapper disk whose second half fails
# every I/O (MEDIUM ERROR, for VERIFY and WRITE SAME too), LUN 2:0 on a
# dm-delay disk, whose slow commands (VERIFY and WRITE SAME among them)
# task management must let complete before it answers, and LUN 4:0 on a
# loop device that grows (PARAM_CHANGE). Split and packed rings.
source "$(dirname "$0")/test_common.sh"
source "$(dirname "$0")/vu/vu_lib.sh"

vu_need_bins vu_scsi_test

vdev_test_init
vdev_brd_setup 5 || { echo "# SKIP: brd unavailable"; exit $KSFT_SKIP; }

sock=/run/vdev-vus.sock
vu_vdevd_scripts
err_dm=vus-err
slow_dm=vus-slow
# dm_dev NAME: its /dev node (no udev in the bench: no /dev/mapper link).
dm_dev() {
	echo "/dev/$(dmsetup info -c --noheadings -o blkdevname "$1")"
}
loopdev=
trap 'rc=$?; vu_vdevd_stop; vdev_clean; dmsetup remove "$err_dm" "$slow_dm" 2>/dev/null; [ -n "$loopdev" ] && losetup -d "$loopdev"; (exit $rc); vdev_test_exit' EXIT

rm -f "$sock"
check "create vus: virtio-scsi, 1 request queue of 128" \
	vdevctl ctrl add vus --type virtio-scsi --socket "$sock" --queues 1 --queue-size 128
check "vus: LUN 0:0 on ram0" vdevctl ns add vus --target 0 --lun 0 /dev/ram0
check "vus: LUN 0:1 on ram1" vdevctl ns add vus --target 0 --lun 1 /dev/ram1
# LUN 1:0: ram3's first 32 MiB, then 32 MiB of dm-error.
err_env=()
half=$(($(cat /sys/block/ram3/size) / 2))
if modprobe dm-mod 2>/dev/null &&
	printf '0 %d linear /dev/ram3 0\n%d %d error\n' "$half" "$half" "$half" |
	dmsetup create "$err_dm" 2>/dev/null; then
	check "vus: LUN 1:0 on $err_dm (I/O errors from LBA $half)" \
		vdevctl ns add vus --target 1 --lun 0 "$(dm_dev "$err_dm")"
	err_env=("VU_ERR_LBA=$half")
fi
# LUN 2:0: ram4 with every I/O delayed 300 ms.
if modprobe dm-delay 2>/dev/null &&
	echo "0 $(cat /sys/block/ram4/size) delay /dev/ram4 0 300" |
	dmsetup create "$slow_dm" 2>/dev/null; then
	check "vus: LUN 2:0 on $slow_dm (300 ms a request)" \
		vdevctl ns add vus --target 2 --lun 0 "$(dm_dev "$slow_dm")"
	err_env+=(VU_SLOW_MS=300)
fi
# LUN 4:0: a loop device on a 16 MiB file, grown by 16 MiB at a time.
grow_img=$vdev_tmp/grow.img
modprobe loop 2>/dev/null
if command -v losetup >/dev/null && truncate -s 16M "$grow_img" &&
	loopdev=$(losetup -f --show "$grow_img" 2>/dev/null); then
	check "vus: LUN 4:0 on $loopdev (grows)" \
		vdevctl ns add vus --target 4 --lun 0 "$loopdev"
	err_env+=("VU_GROW_CMD=truncate -s +16M $grow_img && losetup -c $loopdev && $VDEVCTL ns resize vus --target 4 --lun 0 >/dev/null")
fi
[ "$vdev_failed" = 0 ] || vdev_test_done
vu_vdevd_start "$sock" || vdev_test_done

env_s=("VU_SOCK=$sock" VU_QUEUE_SIZE=128 "VU_CAPACITY=$(cat /sys/block/ram0/size)"
	VU_TIMEOUT_MS=20000
	"VU_LUN_ADD=$VDEVCTL ns add vus --target 0 --lun 2 /dev/ram2"
	"VU_LUN_DEL=$VDEVCTL ns del vus --target 0 --lun 2" "${err_env[@]}")
for ring in split packed; do
	for c in config unit_attention inquiry_capacity_luns write_read_pattern \
		verify write_same bad_input control_queue hotplug medium_error \
		verify_medium_error tmf_under_io tmf_under_slow_work resize; do
		vuc_log vu_scsi_test s "$c" VU_RING=$ring
	done
done

# An idle session whose event queue holds buffers (as a guest's does):
# the pollers sleep. poll_ticks NAME: each vdev-poll thread's CPU time in
# clock ticks, into the associative array NAME (by pid); the busy time
# is summed over the threads that lived through both samples.
poll_ticks() {
	local -n out=$1
	local p f

	for p in /proc/[0-9]*; do
		read -r f <"$p/comm" 2>/dev/null || continue
		[[ $f == vdev-poll/* ]] || continue
		read -r -a f <"$p/stat" 2>/dev/null || continue
		out["${p#/proc/}"]=$((f[13] + f[14]))
	done
}
declare -A t0 t1
# The samples start once the session is set up and idle (the test says
# "holding"), which takes seconds on a loaded machine, and end well
# before the hold does.
env "${env_s[@]}" VU_IDLE_MS=5000 "$VU_DIR/vu_scsi_test" -t idle_hold >"$vdev_tmp/idle" 2>&1 &
idle_pid=$!
for _ in $(seq 300); do
	grep -q "holding the idle session" "$vdev_tmp/idle" && break
	kill -0 "$idle_pid" 2>/dev/null || break
	sleep 0.1
done
sleep 0.5
poll_ticks t0
sleep 1.5
poll_ticks t1
busy=0
for p in "${!t1[@]}"; do
	[ -n "${t0[$p]}" ] && busy=$((busy + t1[$p] - t0[$p]))
done
if wait "$idle_pid" && grep -q "^ok 1 " "$vdev_tmp/idle"; then
	hz=$(getconf CLK_TCK)
	if [ "${#t1[@]}" -gt 0 ] && [ "$busy" -lt $((hz * 3 / 10)) ]; then
		pass "idle session with event buffers: ${#t1[@]} pollers busy $busy of $((hz * 3 / 2)) ticks"
	else
		fail "idle session with event buffers: ${#t1[@]} pollers busy $busy of $((hz * 3 / 2)) ticks"
	fi
else
	fail "vu_scsi_test idle_hold"
	sed 's/^/#   /' "$vdev_tmp/idle"
fi

if [ "$vu_failed" != 0 ]; then
	echo "# vdevd's log:"
	tail -n 100 "$vu_log" | sed 's/^/#   /'
	dmesg | grep vdev | tail -n 30 | sed 's/^/#   /'
fi

vu_vdevd_stop
vdev_test_done
