#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# End to end, the baseline without vdev: qemu-storage-daemon exports a RAM
# disk over vhost-user-blk (2 queues), Debian's QEMU 7.2 boots the e2e guest
# on it (selftests/e2e), the guest writes 16 MiB with one O_DIRECT dd, reads
# it back, checks its two queues and, if the RAM disk takes discards,
# discards a MiB and reads zeros.  When this fails, the bench, QEMU or the
# guest is broken, not vdev; test_e2e_01 and _02 run the same guest on vdev.
# A guest boot that crashes is retried up to three times (e2e/run-qemu.sh).
# timeout=1500
# shellcheck source-path=SCRIPTDIR source=test_common.sh
source "$(dirname "$0")/test_common.sh"
# shellcheck source=e2e/e2e_common.sh
source "$VDEV_ROOT/selftests/e2e/e2e_common.sh"

# A diagnosis of the bench, not a test of vdev: it costs a nested boot
# (minutes), so `make check` leaves it out unless asked.
if [ "${E2E_BASELINE:-0}" != 1 ]; then
	echo "# SKIP: the qemu-storage-daemon baseline runs with E2E_BASELINE=1"
	exit "$KSFT_SKIP"
fi

QSD=${QSD:-qemu-storage-daemon}
e2e_need_tools "$QSD"
e2e_init
vdev_brd_setup 1 || { echo "# SKIP: brd unavailable"; exit $KSFT_SKIP; }

dev=/dev/ram0
if [ "$(cat /sys/block/ram0/size)" -lt $((E2E_MIB * 2048)) ]; then
	echo "# SKIP: $dev is smaller than $E2E_MIB MiB"
	exit $KSFT_SKIP
fi
sock=$vdev_tmp/qsd.sock
t0=$(date +%s)

e2e_qsd_start "$dev" "$sock" || vdev_test_done
qsd_pid=$e2e_qsd_pid qsd_log=$e2e_qsd_log

steps=rw
if e2e_has_discard "$dev"; then
	steps=rw,discard
else
	echo "# $dev takes no discards: the guest skips the discard step"
fi
e2e_run "$sock" "$steps" no
e2e_verdict "guest on qemu-storage-daemon: split ring, 2 queues, $steps" ||
	e2e_show_log "qemu-storage-daemon" "$qsd_log" 20
if e2e_alive "$qsd_pid"; then
	pass "qemu-storage-daemon outlived the guest"
else
	fail "qemu-storage-daemon outlived the guest"
	e2e_show_log "qemu-storage-daemon" "$qsd_log" 20
fi
e2e_cleanup
[ "$e2e_rc" = 0 ] && e2e_check_disk "$dev"
echo "# end to end on qemu-storage-daemon: $(($(date +%s) - t0)) s"
vdev_test_done
