#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vhost-user sessions, milestone 1, from the front end's side: the C front
# end (selftests/vu/vu_test) plays QEMU over the sockets vdevd serves.
# Handshake, bad control input, custody (vdevd killed and restarted, a
# second front end, a second vdevd, ctrl del while connected).
source "$(dirname "$0")/test_common.sh"

source "$(dirname "$0")/vu/vu_lib.sh"

VU_TEST=${VU_TEST:-$VDEV_ROOT/selftests/vu/vu_test}
vu_need_bins vu_test

vdev_test_init
vdev_brd_setup 2 || { echo "# SKIP: brd unavailable"; exit $KSFT_SKIP; }

sock0=/run/vdev-vu0.sock	# ram0, 4 queues of 128
sock1=/run/vdev-vu1.sock	# ram1 read-only, 1 queue
sock2=/run/vdev-vu2.sock	# no disk

# vdevd is started and killed through two scripts (vu_lib.sh), by the test
# and by vu_test's custody cases alike (VU_START_CMD, VU_KILL_CMD).
vu_vdevd_scripts
log=$vu_log
pidfile=$vu_pidfile

trap 'rc=$?; vu_vdevd_stop; (exit $rc); vdev_test_exit' EXIT

common_env=(
	VU_TIMEOUT_MS=10000
	"VU_KILL_CMD=$vdev_tmp/kill-vdevd"
	"VU_START_CMD=$vdev_tmp/start-vdevd"
)
# What vu_test expects of each controller (see vu_test.c).
mapfile -t env_vu0 < <(vu_blk_env ram0)
env_vu0+=("VU_SOCK=$sock0" VU_CTRL=vu0 VU_QUEUES=4 VU_QUEUE_SIZE=128 "${common_env[@]}")
mapfile -t env_vu1 < <(vu_blk_env ram1)
env_vu1+=("VU_SOCK=$sock1" VU_CTRL=vu1 VU_QUEUES=1 VU_QUEUE_SIZE=256 VU_RO=1 "${common_env[@]}")
# shellcheck disable=SC2034 # used through vu()
env_vu2=("VU_SOCK=$sock2" VU_CTRL=vu2 VU_QUEUES=1 VU_NO_NS=1 "${common_env[@]}")

# vu CTRL CASE [VAR=value...]: run one vu_test case against CTRL.
vu() {
	local -n venv=env_$1
	local desc="$1: vu_test $2" name=$2 out rc reason

	shift 2
	out=$(env "${venv[@]}" "$@" "$VU_TEST" -t "$name" 2>&1)
	rc=$?
	if [ $rc = 0 ] && grep -q "^ok 1 .*# SKIP" <<<"$out"; then
		reason=$(sed -n 's/^ok 1 .*# SKIP *//p' <<<"$out")
		vu_skip_check "$desc" "$reason"
	elif [ $rc = 0 ] && grep -q "^ok 1 " <<<"$out"; then
		pass "$desc"
	else
		[ $rc = 0 ] && out="no case $name in vu_test"$'\n'"$out"
		fail "$desc (exit $rc)"
		grep -v '^\(TAP version\|1\.\.\|# Starting\|# Totals\|# PASSED\|# FAILED\|#  RUN\)' <<<"$out" |
			sed 's/^/#   /'
		vu_failed=1
		return 1
	fi
}

# log_lines: how many lines vdevd's log has now.
log_lines() {
	wc -l <"$log"
}

# log_has DESC REGEX [FROM]: vdevd's log has a matching line, after line
# FROM if given, within 5 s.
log_has() {
	local from=${3:-0}

	for _ in $(seq 50); do
		tail -n +"$((from + 1))" "$log" | grep -Eq -- "$2" && break
		sleep 0.1
	done
	if tail -n +"$((from + 1))" "$log" | grep -Eq -- "$2"; then
		pass "$1"
	else
		fail "$1 (no /$2/ in vdevd's log after line $from)"
	fi
}

# --- controllers and vdevd ------------------------------------------------

rm -f "$sock0" "$sock1" "$sock2"
check "create vu0: virtio-blk, 4 queues of 128" \
	vdevctl ctrl add vu0 --type virtio-blk --socket "$sock0" --queues 4 --queue-size 128
check "vu0: attach ram0" vdevctl ns add vu0 /dev/ram0
check "create vu1: virtio-blk, 1 queue" \
	vdevctl ctrl add vu1 --type virtio-blk --socket "$sock1"
check "vu1: attach ram1 read-only" vdevctl ns add vu1 --ro /dev/ram1
check "create vu2: virtio-blk without a disk" \
	vdevctl ctrl add vu2 --type virtio-blk --socket "$sock2"
[ "$vdev_failed" = 0 ] || vdev_test_done

"$vdev_tmp/start-vdevd"
for _ in $(seq 300); do
	[ -S "$sock0" ] && [ -S "$sock1" ] && [ -S "$sock2" ] && break
	vu_vdevd_alive || break
	sleep 0.1
done
if [ -S "$sock0" ] && [ -S "$sock1" ] && [ -S "$sock2" ]; then
	pass "vdevd creates the three sockets"
else
	fail "vdevd creates the three sockets"
	sed 's/^/#   /' "$log"
	vdev_test_done
fi
log_has "vdevd logs serving vu0" "serving controller vu0 .*$sock0"
expect_eq "socket mode is the default 0600" "$(stat -c %a "$sock0")" 600

vu_failed=0

# --- handshake ------------------------------------------------------------

vu vu0 features_offered
r1=$?
vu vu0 protocol_features_offered
r2=$?
# Both failing: vu0 is not served, and nothing else can work. Say so
# once, not sixty times.
if [ $r1 != 0 ] && [ $r2 != 0 ]; then
	echo "# vdevd does not serve vu0; its log:"
	sed 's/^/#   /' "$log"
	vdev_test_done
fi
for c in queue_num max_mem_slots \
	config_values config_windows config_tail_zero need_reply_acks \
	no_reply_without_need_reply need_reply_on_get_requests \
	status_round_trip reset_device qemu72_realize qemu72_realize_full \
	reconnect_fresh_state; do
	vu vu0 $c
done
# A read-only disk and one queue.
for c in features_offered queue_num config_values qemu72_realize; do
	vu vu1 $c
done
# No disk: GET_CONFIG is refused.
vu vu2 config_without_namespace

# --- bad control input ----------------------------------------------------

for c in bad_version reply_flag unknown_flag_bits size_over_4096 \
	size_4096_framed truncated_then_close split_message truncated_stall \
	unknown_request_need_reply unknown_request_no_need_reply \
	reset_owner_ignored wrong_size_each_request wrong_size_no_need_reply \
	none_size_8_accepted fd_where_none_belongs backend_fd_missing \
	backend_fd_two backend_fd_not_socket nine_fds get_config_past_256 \
	set_config_capacity set_config_capacity_no_need_reply \
	set_features_unoffered set_features_without_version_1 \
	set_protocol_features_unoffered set_status_over_ff \
	gated_requests_need_reply gated_requests_no_need_reply; do
	vu vu0 $c
done
log_has "vdevd logs framing errors" "vu0: framing error: version"
log_has "vdevd logs the 5 s stall" "vu0: framing error: message incomplete"
log_has "vdevd logs a dropped request" "vu0: dropping"

# --- custody --------------------------------------------------------------

# (Reconnects above may have been refused while the old session ended.)
mark=$(log_lines)
vu vu0 second_front_end
log_has "vdevd logs the second front end" "second front end refused on vu0" "$mark"
for c in kill_between_messages kill_inside_message connect_while_down \
	hangup_while_down; do
	vu vu0 $c
done
if vu_vdevd_alive; then
	pass "vdevd runs after the custody cases"
else
	fail "vdevd runs after the custody cases"
	"$vdev_tmp/start-vdevd"
	vu vu0 features_offered
fi

# A second vdevd finds the controllers owned and exits with a message.
timeout 20 "$VDEVD" --foreground >"$vdev_tmp/vdevd2.out" 2>&1 </dev/null
rc=$?
expect_eq "a second vdevd exits 1" "$rc" 1
expect_match "a second vdevd says why" "$(cat "$vdev_tmp/vdevd2.out")" \
	"owned by another vdevd"
# ... and the first still serves.
vu vu0 features_offered

# ctrl del while connected: hang-up, the path removed. Last for vu0.
vu vu0 ctrl_del_hangup "VU_DEL_CMD=$VDEVCTL ctrl del vu0"
expect_eq "vu0's socket is gone" "$([ -e "$sock0" ] && echo present || echo gone)" gone
log_has "vdevd logs the deletion" "controller vu0 .* deleted"
# The others are untouched.
vu vu1 queue_num

vu_vdevd_stop
if [ "$vu_failed" != 0 ]; then
	echo "# vdevd's log:"
	tail -n 400 "$log" | sed 's/^/#   /'
fi
vdev_test_done
