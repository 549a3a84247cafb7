#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Access: without CAP_NET_ADMIN nobody creates, deletes, attaches or
# detaches (admin-perm); reading is allowed. /dev/vdev is root's alone.
source "$(dirname "$0")/test_common.sh"
vdev_test_init
vdev_brd_setup 2 || { echo "# SKIP: brd unavailable"; exit $KSFT_SKIP; }
command -v setpriv >/dev/null || { echo "# SKIP: setpriv missing"; exit $KSFT_SKIP; }

vdevctl ctrl add p --type virtio-blk --socket /run/p.sock >/dev/null
vdevctl ns add p /dev/ram0 >/dev/null

nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		--bounding-set=-all "$@"
}

expect_exit $EX_PERM "unprivileged ctrl add refused" \
	nobody "$VDEVCTL" ctrl add q --type nvme --socket /run/q.sock
expect_exit $EX_PERM "unprivileged ctrl del refused" nobody "$VDEVCTL" ctrl del p
expect_exit $EX_PERM "unprivileged ns add refused" nobody "$VDEVCTL" ns add p /dev/ram1
expect_exit $EX_PERM "unprivileged ns del refused" nobody "$VDEVCTL" ns del p
expect_exit $EX_OK "unprivileged list allowed" nobody "$VDEVCTL" ctrl list
expect_exit $EX_OK "unprivileged ns list allowed" nobody "$VDEVCTL" ns list
# Root without CAP_NET_ADMIN is refused as well.
expect_exit $EX_PERM "root without CAP_NET_ADMIN refused" \
	setpriv --inh-caps=-net_admin --bounding-set=-net_admin \
	"$VDEVCTL" ctrl add q --type nvme --socket /run/q.sock
expect_eq "nothing changed" "$(vdev_ctrl_names):$(vdev_ns_count)" "p:1"

mode=$(stat -c %a /dev/vdev)
expect_eq "/dev/vdev is 0600" "$mode" 600
if nobody sh -c 'exec 3</dev/vdev' 2>/dev/null; then
	fail "unprivileged open of /dev/vdev refused"
else
	pass "unprivileged open of /dev/vdev refused"
fi
vdev_test_done
