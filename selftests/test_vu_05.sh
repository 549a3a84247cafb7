#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# virtio-scsi over vhost-user: a controller with LUNs 0:0 (ram0) and 0:1
# (ram1), driven by selftests/vu/vu_scsi_test as a guest's virtio_scsi
# driver: config space, unit attentions, INQUIRY, READ CAPACITY, REPORT
# LUNS, a pattern written and read back, bad LUNs, targets, opcodes and
# buffers with their sense, task management and notification on the
# control queue, and LUN 0:2 (ram2) attached and detached under a live
# session. Split and packed rings.
source "$(dirname "$0")/test_common.sh"
source "$(dirname "$0")/vu/vu_lib.sh"

vu_need_bins vu_scsi_test

vdev_test_init
vdev_brd_setup 3 || { echo "# SKIP: brd unavailable"; exit $KSFT_SKIP; }

sock=/run/vdev-vus.sock
vu_vdevd_scripts
trap 'rc=$?; vu_vdevd_stop; vdev_clean; (exit $rc); vdev_test_exit' EXIT

rm -f "$sock"
check "create vus: virtio-scsi, 1 request queue of 128" \
	vdevctl ctrl add vus --type virtio-scsi --socket "$sock" --queues 1 --queue-size 128
check "vus: LUN 0:0 on ram0" vdevctl ns add vus --target 0 --lun 0 /dev/ram0
check "vus: LUN 0:1 on ram1" vdevctl ns add vus --target 0 --lun 1 /dev/ram1
[ "$vdev_failed" = 0 ] || vdev_test_done
vu_vdevd_start "$sock" || vdev_test_done

env_s=("VU_SOCK=$sock" VU_QUEUE_SIZE=128 "VU_CAPACITY=$(cat /sys/block/ram0/size)"
	VU_TIMEOUT_MS=20000
	"VU_LUN_ADD=$VDEVCTL ns add vus --target 0 --lun 2 /dev/ram2"
	"VU_LUN_DEL=$VDEVCTL ns del vus --target 0 --lun 2")
for ring in split packed; do
	for c in config unit_attention inquiry_capacity_luns write_read_pattern \
		bad_input control_queue hotplug; do
		vuc_log vu_scsi_test s "$c" VU_RING=$ring
	done
done

if [ "$vu_failed" != 0 ]; then
	echo "# vdevd's log:"
	tail -n 100 "$vu_log" | sed 's/^/#   /'
	dmesg | grep vdev | tail -n 30 | sed 's/^/#   /'
fi

vu_vdevd_stop
vdev_test_done
