#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Live migration end to end on vdev: two virtio-blk controllers with 2
# queues, the source's and the destination's, each with the same RAM disk
# attached --shared (same serial), both served by one vdevd.  Two QEMU 7.2
# in the VM bench: the source boots the e2e guest on the first, the
# destination waits with -incoming on the second.  On the source the
# guest first checks the ring it got (packed=on: feature bit 34), writes
# and reads back 16 MiB and discards a MiB; then it writes the pattern
# over the whole 16 MiB in passes (every block changes every pass) while
# the source migrates it (QMP migrate to a unix socket) with vdev's dirty
# log on; each pass also checks what the device last wrote into the
# guest's page cache.  Once a pass started on the destination the host
# writes STOP into a mailbox block; the guest verifies every block on the
# destination, with no I/O error, and the host reads what the last pass
# wrote (e2e_mig_test in e2e/e2e_common.sh; test_e2e_05 runs the same on
# qemu-storage-daemon).
# A guest boot that crashes is retried up to three times (e2e/run-qemu.sh).
# timeout=2400
# shellcheck source-path=SCRIPTDIR source=test_common.sh
source "$(dirname "$0")/test_common.sh"
# shellcheck source=e2e/e2e_common.sh
source "$VDEV_ROOT/selftests/e2e/e2e_common.sh"

# The bench is what fails here, not the migration: under two levels of
# TCG the nested guest sometimes reads back from its stack what it did not
# write (garbage RFLAGS popped, a pointer in its own frame read as 0),
# before its init on any back end and after the switch-over,
# when the destination QEMU translates the guest's code afresh
# (e2e/README).  Until the bench stops doing that the test runs when asked.
if [ "${E2E_MIGRATE:-0}" != 1 ]; then
	echo "# SKIP: live migration runs with E2E_MIGRATE=1 (e2e/README: the bench's nested guests crash after the switch-over)"
	exit "$KSFT_SKIP"
fi

src=e2e4s dst=e2e4d
# The packed ring by default (test_e2e_01 runs split), E2E_RING=split for
# the other.
ring=${E2E_RING:-packed}
case $ring in
packed) packed=yes ;;
split) packed=no ;;
*) echo "# E2E_RING=$ring: split or packed"; exit 1 ;;
esac
# Both ends show the guest the same disk: same device, same identity.
e2e_ns_opts=(--shared --serial e2e4-mig)
e2e_vdev_start "$src"
src_sock=$e2e_sock
dst_sock=/tmp/$dst.sock
rm -f "$dst_sock"
check "create $dst: virtio-blk, 2 queues, $dst_sock" \
	vdevctl ctrl add "$dst" --type virtio-blk --socket "$dst_sock" --queues 2
check "$dst: attach $e2e_dev --shared too" vdevctl ns add "$dst" "${e2e_ns_opts[@]}" "$e2e_dev"
if e2e_wait_socket "$dst_sock" "$e2e_vdevd_pid" 30 &&
	e2e_wait_log "$e2e_vdevd_log" "serving controller $dst " "$e2e_vdevd_pid" 30; then
	pass "vdevd serves $dst_sock too"
else
	fail "vdevd serves $dst_sock too"
	e2e_show_log "vdevd" "$e2e_vdevd_log" 40
fi
[ "$vdev_failed" = 0 ] || vdev_test_done

e2e_mig_test "$src_sock" "$dst_sock" "$packed" "$e2e_dev" "vdev, $ring ring" \
	e2e_vdev_logs rw,discard
e2e_expect_idle "$src"
e2e_expect_idle "$dst"
e2e_vdev_end "live migration, $ring ring" checked
