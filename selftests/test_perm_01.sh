#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Access: without CAP_NET_ADMIN nobody creates, deletes, attaches or
# detaches (admin-perm); reading is allowed. /dev/vdev is root's alone.
# The socket vdevd serves for a controller has the owner and mode the
# controller asks for, and the kernel's unix socket permission check
# lets in only whom they allow.
# shellcheck source-path=SCRIPTDIR source=test_common.sh
source "$(dirname "$0")/test_common.sh"
# shellcheck source=vu/vu_lib.sh
source "$(dirname "$0")/vu/vu_lib.sh"
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

# --- the controller's socket ----------------------------------------------

# as UID GID CMD...: run CMD as UID:GID with no capability at all.
as() {
	setpriv --reuid="$1" --regid="$2" --clear-groups --inh-caps=-all \
		--bounding-set=-all "${@:3}"
}

# connects UID GID SOCK: that user may connect to SOCK.
connects() {
	as "$1" "$2" /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])' "$3" 2>"$vdev_tmp/connect.err"
}

if [ ! -x "$VDEVD" ]; then
	vu_skip_check "socket owner and mode" "$VDEVD not built"
	vdev_test_done
fi
sock_u=/run/vdev-perm-u.sock	# owner 65534:65534, mode 0600
sock_g=/run/vdev-perm-g.sock	# owner 0:65533, mode 0660
rm -f "$sock_u" "$sock_g"
vdevctl ctrl add pu --type virtio-blk --socket "$sock_u" \
	--owner 65534:65534 --mode 0600 >/dev/null
vdevctl ctrl add pg --type virtio-blk --socket "$sock_g" \
	--owner 0:65533 --mode 0660 >/dev/null
vu_vdevd_scripts
trap 'rc=$?; vu_vdevd_stop; (exit $rc); vdev_test_exit' EXIT
if vu_vdevd_start "$sock_u" "$sock_g"; then
	expect_eq "pu's socket: owner and mode" \
		"$(stat -c '%u:%g %a' "$sock_u")" "65534:65534 600"
	expect_eq "pg's socket: owner and mode" \
		"$(stat -c '%u:%g %a' "$sock_g")" "0:65533 660"
	check "pu: its owner connects" connects 65534 65534 "$sock_u"
	if connects 65533 65533 "$sock_u"; then
		fail "pu: another user is refused"
	else
		expect_match "pu: another user is refused" \
			"$(cat "$vdev_tmp/connect.err")" "Permission denied"
	fi
	check "pg: a member of its group connects" connects 1000 65533 "$sock_g"
	if connects 1000 1000 "$sock_g"; then
		fail "pg: a user outside its group is refused"
	else
		pass "pg: a user outside its group is refused"
	fi
	check "vdevd still runs" vu_vdevd_alive
fi
vdev_test_done
