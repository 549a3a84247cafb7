#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# End to end on vdev, virtio-scsi: a virtio-scsi controller with 2 request
# queues and LUN 0:0 on a RAM disk, served by vdevd to Debian's QEMU 7.2
# (vhost-user-scsi-pci, which takes no config space from the back end),
# nested under TCG. The guest's virtio_scsi and sd drivers scan the host
# (every other target answers BAD_TARGET), find sda, and the guest writes
# and reads back 16 MiB and discards a MiB (UNMAP); the host then reads
# the same bytes from the RAM disk.
# A guest boot that crashes is retried up to three times (e2e/run-qemu.sh).
# timeout=1500
source "$(dirname "$0")/test_common.sh"
source "$VDEV_ROOT/selftests/e2e/e2e_common.sh"

export E2E_DEV=scsi
e2e_vdev_test e2e3 no rw
