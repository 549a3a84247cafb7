#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Live migration end to end, the baseline without vdev: qemu-storage-daemon
# exports one RAM disk twice over vhost-user-blk (2 queues each), the
# source's back end and the destination's.  Two QEMU 7.2 in the VM bench,
# the source booting the e2e guest, the destination waiting with -incoming;
# the guest writes the pattern in passes while the source migrates it
# (QMP migrate to a unix socket) and verifies everything on the
# destination (e2e_mig_test in e2e/e2e_common.sh, the body test_e2e_04
# runs on vdev).  When this fails too, the bench, QEMU or the guest is
# broken, not vdev.  Only with E2E_BASELINE=1: it costs a nested boot.
# timeout=2400
# shellcheck source-path=SCRIPTDIR source=test_common.sh
source "$(dirname "$0")/test_common.sh"
# shellcheck source=e2e/e2e_common.sh
source "$VDEV_ROOT/selftests/e2e/e2e_common.sh"

if [ "${E2E_BASELINE:-0}" != 1 ]; then
	echo "# SKIP: the qemu-storage-daemon baseline runs with E2E_BASELINE=1"
	exit "$KSFT_SKIP"
fi

e2e_need_tools "${QSD:-qemu-storage-daemon}"
e2e_init
vdev_brd_setup 1 || { echo "# SKIP: brd unavailable"; exit "$KSFT_SKIP"; }
dev=/dev/ram0

# qemu-storage-daemon's export has no packed ring (libvhost-user): split.
qsd_logs() { e2e_show_log "qemu-storage-daemon" "$e2e_qsd_log" 20; }
if e2e_qsd_start "$dev" "$vdev_tmp/src.sock" "$vdev_tmp/dst.sock"; then
	e2e_mig_test "$vdev_tmp/src.sock" "$vdev_tmp/dst.sock" no "$dev" \
		"qemu-storage-daemon, split ring" qsd_logs
	if e2e_alive "$e2e_qsd_pid"; then
		pass "qemu-storage-daemon outlived both QEMUs"
	else
		fail "qemu-storage-daemon outlived both QEMUs"
		qsd_logs
	fi
fi
e2e_cleanup
vdev_test_done
