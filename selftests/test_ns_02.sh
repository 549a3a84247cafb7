#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Namespaces: every bad input is refused with the right exit code (and,
# through ynl, the right errno), and changes nothing: no namespace left
# behind, the device released so that adding it again works.
source "$(dirname "$0")/test_common.sh"
vdev_test_init
vdev_brd_setup 4 || { echo "# SKIP: brd unavailable"; exit $KSFT_SKIP; }

vdevctl ctrl add blk --type virtio-blk --socket /run/blk.sock >/dev/null
vdevctl ctrl add scsi --type virtio-scsi --socket /run/scsi.sock >/dev/null
vdevctl ctrl add nvme --type nvme --socket /run/nvme.sock >/dev/null
vdevctl ns add nvme --nsid 1 /dev/ram0 >/dev/null

expect_exit $EX_NOTFOUND "unknown controller" vdevctl ns add nosuch /dev/ram1
expect_exit $EX_NOTFOUND "backing path missing" vdevctl ns add blk /dev/no-such-disk
expect_exit $EX_INVAL "not a block device (char device)" vdevctl ns add blk /dev/null
expect_exit $EX_INVAL "not a block device (regular file)" vdevctl ns add blk /etc/hostname
expect_exit $EX_BUSY "already in use by another namespace" vdevctl ns add blk /dev/ram0
expect_exit $EX_EXISTS "nvme: nsid taken" vdevctl ns add nvme --nsid 1 /dev/ram1
expect_exit $EX_INVAL "blk: nsid 2" vdevctl ns add blk --nsid 2 /dev/ram1
expect_exit $EX_INVAL "blk: target and lun" vdevctl ns add blk --target 0 --lun 0 /dev/ram1
expect_exit $EX_INVAL "scsi: no address" vdevctl ns add scsi /dev/ram1
expect_exit $EX_USAGE "scsi: target without lun" vdevctl ns add scsi --target 0 /dev/ram1
expect_exit $EX_USAGE "nsid and target together" vdevctl ns add scsi --nsid 1 --target 0 --lun 0 /dev/ram1
expect_exit $EX_INVAL "scsi: target 256" vdevctl ns add scsi --target 256 --lun 0 /dev/ram1
expect_exit $EX_INVAL "scsi: lun 16384" vdevctl ns add scsi --target 0 --lun 16384 /dev/ram1
expect_exit $EX_INVAL "nvme: nsid 0" vdevctl ns add nvme --nsid 0 /dev/ram1
expect_exit $EX_INVAL "nvme: nsid 1025" vdevctl ns add nvme --nsid 1025 /dev/ram1
expect_exit $EX_USAGE "no backing path" vdevctl ns add blk
expect_exit $EX_NOTFOUND "del: no such namespace" vdevctl ns del nvme --nsid 9
expect_exit $EX_INVAL "del nvme without nsid" vdevctl ns del nvme
expect_exit $EX_NOTFOUND "del: unknown controller" vdevctl ns del nosuch

# A mounted filesystem's device is in use.
if mkfs.ext4 -q -F /dev/ram2 2>/dev/null && mkdir -p "$vdev_tmp/mnt" &&
   mount /dev/ram2 "$vdev_tmp/mnt"; then
	expect_exit $EX_BUSY "mounted device is in use" vdevctl ns add blk /dev/ram2
	umount "$vdev_tmp/mnt"
else
	echo "# mkfs.ext4 or mount unavailable: mounted-device check skipped"
fi

# Nothing changed.
expect_eq "only the one good namespace exists" "$(vdev_ns_count)" 1
for dev in ram1 ram2 ram3; do
	if vdev_bdev_free /dev/$dev; then
		pass "$dev not held after the failures"
	else
		fail "$dev not held after the failures"
	fi
done
expect_exit $EX_OK "ram1 attaches after all the failures" vdevctl ns add blk /dev/ram1
# A virtio-blk controller is one disk: the address is taken, checked before
# the capacity, and the device is never opened.
expect_exit $EX_EXISTS "blk: a second namespace is EEXIST" vdevctl ns add blk /dev/ram3
if vdev_bdev_free /dev/ram3; then pass "ram3 never opened"; else fail "ram3 never opened"; fi

if vdev_ynl_available; then
	ynl_expect_err "No such file or directory" "ynl: missing backing path" \
		--do ns-add --json '{"ctrl-name":"scsi","target":0,"lun":1,"path":"/dev/nope"}'
	ynl_expect_err "Block device required" "ynl: not a block device" \
		--do ns-add --json '{"ctrl-name":"scsi","target":0,"lun":1,"path":"/dev/null"}'
	ynl_expect_err "Device or resource busy" "ynl: device in use" \
		--do ns-add --json '{"ctrl-name":"scsi","target":0,"lun":1,"path":"/dev/ram0"}'
	ynl_expect_err "File exists" "ynl: address taken" \
		--do ns-add --json '{"ctrl-name":"nvme","nsid":1,"path":"/dev/ram3"}'
	ynl_expect_err "Invalid argument" "ynl: no path" \
		--do ns-add --json '{"ctrl-name":"nvme","nsid":2}'
	ynl_expect_err "Invalid argument" "ynl: no controller named" \
		--do ns-add --json '{"nsid":2,"path":"/dev/ram3"}'
	ynl_expect_err "No such file or directory" "ynl: unknown controller" \
		--do ns-add --json '{"ctrl-name":"zzz","path":"/dev/ram3"}'
	ynl_expect_err "Numerical result out of range" "ynl: lun out of range" \
		--do ns-add --json '{"ctrl-name":"scsi","target":0,"lun":20000,"path":"/dev/ram3"}'
	ynl_expect_err "Invalid argument" "ynl: scsi LUN with nsid" \
		--do ns-add --json '{"ctrl-name":"scsi","nsid":1,"target":0,"lun":1,"path":"/dev/ram3"}'
	expect_eq "ynl failures changed nothing" "$(vdev_ns_count)" 2
	if vdev_bdev_free /dev/ram3; then pass "ram3 not held"; else fail "ram3 not held"; fi
fi
vdev_test_done
