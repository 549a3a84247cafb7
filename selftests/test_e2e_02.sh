#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# End to end on vdev, packed ring: test_e2e_01 with packed=on on QEMU's
# vhost-user-blk-pci. The guest also checks that feature bit 34
# (VIRTIO_F_RING_PACKED) was negotiated, in /sys/bus/virtio/devices/<its
# disk>/features.
#
# After the broken connection QEMU 7.2 sends each packed ring the base of
# its last start again (it keeps no record of a packed ring it could
# restore): without the used slot the inflight region keeps, the ring
# would start at a descriptor the guest consumed long ago and the guest's
# I/O would hang (selftests/e2e/e2e_restart.sh).
# A guest boot that crashes is retried up to three times (e2e/run-qemu.sh).
# timeout=1500
source "$(dirname "$0")/test_common.sh"
source "$VDEV_ROOT/selftests/e2e/e2e_common.sh"
source "$VDEV_ROOT/selftests/e2e/e2e_restart.sh"

e2e_restart_test e2e2 yes
