#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Namespaces and LUNs on RAM disks: attach, read back what the block layer
# says about the device, detach, and the device is free again.
source "$(dirname "$0")/test_common.sh"
vdev_test_init
vdev_brd_setup 4 || { echo "# SKIP: brd unavailable"; exit $KSFT_SKIP; }

vdevctl ctrl add blk --type virtio-blk --socket /run/blk.sock >/dev/null
vdevctl ctrl add scsi --type virtio-scsi --socket /run/scsi.sock >/dev/null
vdevctl ctrl add nvme --type nvme --socket /run/nvme.sock >/dev/null

expect_exit $EX_OK "blk: attach ram0 (default nsid)" vdevctl ns add blk /dev/ram0
ns=$(vdevctl --json ns show blk)
expect_eq "blk: nsid 1" "$(json_get 'd["nsid"]' <<<"$ns")" 1
expect_eq "blk: size of a 64 MiB brd" "$(json_get 'd["size"]' <<<"$ns")" 67108864
expect_eq "blk: size agrees with the block layer" "$(json_get 'd["size"]' <<<"$ns")" \
	"$(($(cat /sys/block/ram0/size) * 512))"
expect_eq "blk: logical block size" "$(json_get 'd["lblk-size"]' <<<"$ns")" \
	"$(cat /sys/block/ram0/queue/logical_block_size)"
expect_eq "blk: physical block size" "$(json_get 'd["pblk-size"]' <<<"$ns")" \
	"$(cat /sys/block/ram0/queue/physical_block_size)"
rot=$(cat /sys/block/ram0/queue/rotational)
expect_eq "blk: rotational as sysfs says" "$(json_get 'd.get("rotational", False)' <<<"$ns")" \
	"$([ "$rot" = 1 ] && echo true || echo false)"
disc=$(cat /sys/block/ram0/queue/discard_max_bytes)
expect_eq "blk: discard as sysfs says" "$(json_get 'd.get("discard", False)' <<<"$ns")" \
	"$([ "$disc" != 0 ] && echo true || echo false)"
expect_eq "blk: not read-only" "$(json_get 'd.get("read-only", False)' <<<"$ns")" false
expect_eq "blk: num-ns is 1" "$(vdevctl --json ctrl show blk | json_get 'd["num-ns"]')" 1
if vdev_bdev_free /dev/ram0; then
	fail "ram0 is held exclusively while attached"
else
	pass "ram0 is held exclusively while attached"
fi

expect_exit $EX_OK "scsi: attach ram1 at 0:0" vdevctl ns add scsi --target 0 --lun 0 /dev/ram1
expect_exit $EX_OK "scsi: attach ram2 read-only at 1:5" \
	vdevctl ns add scsi --target 1 --lun 5 --ro /dev/ram2
ns=$(vdevctl --json ns show scsi --target 1 --lun 5)
expect_eq "scsi: lun read back" "$(json_get '(d["target"], d["lun"])' <<<"$ns")" "(1, 5)"
expect_eq "scsi: read-only read back" "$(json_get 'd.get("read-only", False)' <<<"$ns")" true
expect_eq "scsi: two LUNs" "$(vdev_ns_count scsi)" 2

expect_exit $EX_OK "nvme: attach ram3 without nsid" vdevctl ns add nvme /dev/ram3
expect_eq "nvme: the lowest free nsid is picked" \
	"$(vdevctl --json ns list nvme | json_get '[n["nsid"] for n in d]')" 1

expect_eq "all namespaces listed" "$(vdev_ns_count)" 4
expect_match "text list shows the path" "$(vdevctl ns list)" "/dev/ram2"

# Detach and reuse.
expect_exit $EX_OK "scsi: detach 0:0" vdevctl ns del scsi --target 0 --lun 0
if vdev_bdev_free /dev/ram1; then pass "ram1 free after ns del"; else fail "ram1 free after ns del"; fi
expect_exit $EX_OK "ram1 attaches again, elsewhere" vdevctl ns add nvme --nsid 7 /dev/ram1
expect_exit $EX_OK "blk: detach" vdevctl ns del blk
expect_exit $EX_OK "blk: ram0 attaches again" vdevctl ns add blk /dev/ram0

# Deleting a controller releases all of its devices.
expect_exit $EX_OK "delete nvme with two namespaces" vdevctl ctrl del nvme
for dev in ram1 ram3; do
	if vdev_bdev_free /dev/$dev; then
		pass "$dev free after ctrl del"
	else
		fail "$dev free after ctrl del"
	fi
done
expect_eq "namespaces of the deleted controller are gone" "$(vdev_ns_count)" 2
vdev_test_done
