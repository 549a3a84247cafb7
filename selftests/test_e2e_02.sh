#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# End to end on vdev, packed ring: a virtio-blk controller with 2 queues on
# a RAM disk, packed=on on QEMU's vhost-user-blk-pci; the guest writes and
# reads back 16 MiB, discards a MiB, and checks that feature bit 34
# (VIRTIO_F_RING_PACKED) was negotiated, in
# /sys/bus/virtio/devices/<its disk>/features.
# A guest boot that crashes is retried up to three times (e2e/run-qemu.sh).
# timeout=1500
source "$(dirname "$0")/test_common.sh"
source "$VDEV_ROOT/selftests/e2e/e2e_common.sh"

e2e_vdev_test e2e2 yes rw
