#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# End to end on vdev, split ring: a virtio-blk controller with 2 queues on a
# RAM disk, served by vdevd to Debian's QEMU 7.2 (vhost-user-blk-pci,
# nested under TCG); the e2e guest (selftests/e2e) writes 16 MiB with one
# O_DIRECT dd, reads it back and checks its two queues; the host then reads
# the same bytes from the RAM disk.  The guest also discards a MiB when the
# RAM disk takes discards.  test_e2e_00 runs the same
# guest on qemu-storage-daemon: if that fails too, look at the bench.
# A guest boot that crashes is retried up to three times (e2e/run-qemu.sh).
# timeout=1500
source "$(dirname "$0")/test_common.sh"
source "$VDEV_ROOT/selftests/e2e/e2e_common.sh"

e2e_vdev_test e2e0 no rw
