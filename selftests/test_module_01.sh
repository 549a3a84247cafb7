#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module: repeated load/unload; unloading with controllers tears them
# down and releases their block devices; unloading while /dev/vdev is open
# is refused.
source "$(dirname "$0")/test_common.sh"
vdev_test_init
vdev_brd_setup 2 || { echo "# SKIP: brd unavailable"; exit $KSFT_SKIP; }

cycles=0
for _ in $(seq 20); do
	vdev_unload && vdev_load && cycles=$((cycles + 1))
done
expect_eq "20 unload/load cycles" $cycles 20

vdevctl ctrl add m1 --type virtio-blk --socket /run/m1.sock >/dev/null
vdevctl ctrl add m2 --type virtio-scsi --socket /run/m2.sock >/dev/null
vdevctl ns add m1 /dev/ram0 >/dev/null
vdevctl ns add m2 --target 0 --lun 0 /dev/ram1 >/dev/null
check "unload with controllers and namespaces" vdev_unload
if vdev_bdev_free /dev/ram0 && vdev_bdev_free /dev/ram1; then
	pass "unload released the block devices"
else
	fail "unload released the block devices"
fi
expect_exit $EX_NOMODULE "vdevctl says the module is not loaded" vdevctl ctrl list
check "load again" vdev_load
expect_eq "a fresh load starts empty" "$(vdev_ctrl_count)" 0

# An open /dev/vdev pins the module.
exec 3<>/dev/vdev
if rmmod vdev 2>/dev/null; then
	fail "unload refused while /dev/vdev is open"
	vdev_load
else
	pass "unload refused while /dev/vdev is open"
fi
ver=$(/usr/bin/python3 -c '
import fcntl, struct
buf = fcntl.ioctl(3, 0x8004BD00, b"\0" * 4)   # VDEV_IOC_GET_API_VERSION
print(struct.unpack("I", buf)[0])
')
expect_eq "API version ioctl" "$ver" 1
unknown=$(/usr/bin/python3 -c '
import errno, fcntl
try:
    fcntl.ioctl(3, 0xBDFF)
except OSError as e:
    print(errno.errorcode[e.errno])
')
expect_eq "unknown ioctl is ENOTTY" "$unknown" ENOTTY
exec 3>&-
check "unload once it is closed" vdev_unload
check "and load" vdev_load

# Load and unload racing with netlink requests.
(for i in $(seq 100); do
	"$VDEVCTL" ctrl add "r$i" --type nvme --socket "/run/r$i.sock" >/dev/null 2>&1
done) &
racer=$!
for _ in $(seq 5); do
	sleep 0.2
	vdev_unload 2>/dev/null
	vdev_load 2>/dev/null
done
wait $racer
check "module usable after racing unloads" vdev_load
check "and answers" vdevctl ctrl list
vdev_test_done
