# SPDX-License-Identifier: GPL-2.0
#
# The restart test of test_e2e_01 (split ring) and test_e2e_02 (packed),
# sourced after e2e_common.sh: e2e_restart_test CTRL PACKED.
#
# The guest runs rw,discard,rw,rw,discard. As its second rw starts vdevd
# is killed (SIGKILL): the kernel holds the connection and the rings, so
# that write and its read back run with no vdevd at all, and a new vdevd
# started as the third rw starts picks the held connection up. Under that
# third rw QEMU's connection breaks (vdevd killed again, the session
# ended by selftests/vu/vu_disconnect, a new vdevd): QEMU reconnects and
# starts the rings again on the inflight region it keeps. A split ring's
# part says what was in flight, a packed ring's where its used ring
# stands (QEMU sends a packed ring's base of its last start again). The
# guest must see no error and read back what it wrote.

# guest_steps NAME: how often the guest has started step NAME so far.
guest_steps() {
	[ -f "$e2e_log" ] || { echo 0; return; }
	tr -d '\r' <"$e2e_log" | grep -ac "^VDEV-E2E: step $1 "
}

# wait_guest N NAME: the guest starts step NAME for the Nth time while
# the run goes on (or gives its verdict).  Once a second: the bench VM's
# CPU is the nested guest's, and a busy loop of forks here slows its boot.
wait_guest() {
	while e2e_alive "$runner"; do
		[ "$(guest_steps "$2")" -ge "$1" ] && return 0
		sleep 1
	done
	return 1
}

# break_connection: under the guest's third rw, end QEMU's session (vdevd
# must let go of the controller for that) and have a new vdevd serve the
# connection QEMU opens again.
break_connection() {
	local attached now=0

	attached=$(dmesg | tail -n +$((e2e_klines + 1)) | grep -c "$ctrl: front end attached")
	kill -KILL "$e2e_vdevd_pid"
	wait "$e2e_vdevd_pid" 2>/dev/null
	check "the connection breaks under the guest's third rw" \
		"$VDEV_ROOT/selftests/vu/vu_disconnect" "$ctrl"
	e2e_vdevd_run "$vdev_tmp/vdevd3.log" || return
	for _ in $(seq 60); do
		now=$(dmesg | tail -n +$((e2e_klines + 1)) | grep -c "$ctrl: front end attached")
		[ "$now" -gt "$attached" ] && break
		sleep 1
	done
	if [ "$now" -gt "$attached" ]; then
		pass "QEMU reconnects"
	else
		fail "QEMU reconnects (no new session within 60 s)"
	fi
	if e2e_wait_log "$e2e_vdevd_log" 'SET_INFLIGHT_FD' "$e2e_vdevd_pid" 60; then
		pass "QEMU starts the rings on its inflight region again"
	else
		fail "QEMU starts the rings on its inflight region again"
		e2e_show_log "vdevd" "$e2e_vdevd_log" 40
	fi
}

# kill_vdevd_under_rw: as the guest's second rw starts, vdevd dies; the
# session goes on without it.
kill_vdevd_under_rw() {
	local done_rw

	if wait_guest 2 rw; then
		kill -KILL "$e2e_vdevd_pid"
		wait "$e2e_vdevd_pid" 2>/dev/null
		# The rw step prints its "time rw" line when it is done.
		done_rw=$(tr -d '\r' <"$e2e_log" | grep -ac '^VDEV-E2E: time rw ')
		if [ "$done_rw" = 1 ]; then
			pass "vdevd killed while the guest's second dd runs"
		else
			fail "vdevd killed while the guest's second dd runs ($done_rw rw steps done already)"
		fi
		expect_match "the session outlives vdevd: $ctrl is still running" \
			"$(vdevctl ctrl show "$ctrl" 2>&1)" 'state: running'
	else
		# A boot that crashed on every try is the bench's failure (skip).
		wait "$runner"
		e2e_rc=$(cat "$vdev_tmp/run.rc" 2>/dev/null || echo 1)
		e2e_bench_failed
		fail "the guest reaches its second rw step"
	fi
}

# e2e_restart_test CTRL PACKED: the whole test on controller CTRL, a
# packed ring when PACKED is yes.
e2e_restart_test() {
	local packed=$2 ring=split

	ctrl=$1
	[ "$packed" = yes ] && ring=packed
	e2e_vdev_start "$ctrl"
	if ! e2e_has_discard "$e2e_dev"; then
		echo "# SKIP: $e2e_dev takes no discards"
		exit "$KSFT_SKIP"
	fi
	steps=rw,discard,rw,rw,discard
	e2e_log=$vdev_tmp/guest.log
	export E2E_GUEST_WD=${E2E_GUEST_WD:-150}
	(
		e2e_run "$e2e_sock" "$steps" "$packed"
		echo "$e2e_rc" >"$vdev_tmp/run.rc"
	) &
	runner=$!
	e2e_pids+=("$runner")

	kill_vdevd_under_rw

	if wait_guest 3 rw; then
		pass "with vdevd dead, the guest wrote and read back 16 MiB"
		if e2e_vdevd_run "$vdev_tmp/vdevd2.log" &&
			e2e_wait_log "$e2e_vdevd_log" 'carrying on the held connection' \
				"$e2e_vdevd_pid" 10; then
			pass "a new vdevd carries on the held connection"
		else
			fail "a new vdevd carries on the held connection"
			e2e_show_log "vdevd" "$e2e_vdevd_log" 40
		fi
		break_connection
	else
		fail "the guest reaches its third rw step"
	fi
	wait "$runner"
	e2e_rc=$(cat "$vdev_tmp/run.rc" 2>/dev/null || echo 1)
	e2e_vdev_verdict "guest on vdev: $ring ring, 2 queues, $steps, vdevd restarted, reconnected"
	e2e_expect_idle "$ctrl"
	e2e_vdev_end "$ring ring, vdevd killed and QEMU reconnected under I/O"
}
