#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# End to end on vdev, split ring: a virtio-blk controller with 2 queues on a
# RAM disk, served by vdevd to Debian's QEMU 7.2 (vhost-user-blk-pci,
# nested under TCG).  The guest (selftests/e2e) runs rw,discard,rw,rw,
# discard: each rw writes 16 MiB with one O_DIRECT dd and reads it back,
# each discard zeroes a MiB; the host then reads the same bytes from the
# RAM disk.  test_e2e_00 runs the same guest on qemu-storage-daemon.
#
# Midway vdevd dies and the guest never notices: the kernel holds the
# connection and the rings, so with vdevd killed (SIGKILL) as the second
# rw starts, the whole second write and read back run with no vdevd at
# all; a new vdevd, started as the third rw starts, picks the held
# connection up.
#
# Then QEMU's connection breaks under that third rw: vdevd is killed
# again, the session ended (selftests/vu/vu_disconnect) and vdevd started
# once more. QEMU reconnects (reconnect=1) and starts the rings again on
# the inflight region it keeps (INFLIGHT_SHMFD): what was in flight at
# the break completes or is fetched again, and the guest sees no error
# and reads back what it wrote (selftests/e2e/e2e_restart.sh).
# A guest boot that crashes is retried up to three times (e2e/run-qemu.sh).
# timeout=1500
source "$(dirname "$0")/test_common.sh"
source "$VDEV_ROOT/selftests/e2e/e2e_common.sh"
source "$VDEV_ROOT/selftests/e2e/e2e_restart.sh"

e2e_restart_test e2e1 no
