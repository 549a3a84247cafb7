#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2154  # vdev_tmp, vdev_failed: test_common.sh
#
# Helpers for the end-to-end selftests (selftests/test_e2e_*.sh), on top of
# selftests/test_common.sh (source that first).  A test starts a vhost-user
# back end on a RAM disk, boots the guest with e2e_run (run-qemu.sh: nested
# QEMU 7.2 under TCG, 75-100 s in the VM bench) and checks its verdict and
# what reached the disk.
#
# Every process a test starts is stopped by its pid in the EXIT trap:
# e2e_bg starts them, e2e_cleanup stops them (newest first) and QEMU too,
# should run-qemu.sh itself have been killed.

E2E_DIR=$VDEV_ROOT/selftests/e2e
# Guests write this much at the start of the disk (guest-init's MIB).
E2E_MIB=16

e2e_pids=()
e2e_log=
e2e_rc=

# e2e_need_tools [TOOL...]: skip the test unless QEMU and the TOOLs are
# here.
# shellcheck disable=SC2120  # test_e2e_00 passes one
e2e_need_tools() {
	local t
	for t in qemu-system-x86_64 "$@"; do
		if ! command -v "$t" >/dev/null; then
			echo "# SKIP: $t not installed (tools/testing/deps.sh)"
			exit "$KSFT_SKIP"
		fi
	done
}

# e2e_init: for a test that does not load vdev (vdev_test_init does the
# rest otherwise): root, a scratch dir, the traps.
e2e_init() {
	if [ "$(id -u)" != 0 ]; then
		echo "# SKIP: vdev selftests need root"
		exit "$KSFT_SKIP"
	fi
	vdev_tmp=$(mktemp -d)
	trap 'e2e_cleanup; rm -rf "$vdev_tmp"' EXIT
	e2e_traps
}

# A signal (the harness's timeout) ends the script through its EXIT trap
# with the right status.
e2e_traps() {
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
}

# e2e_bg LOG CMD...: start CMD in the background, output to LOG; its pid
# in e2e_last_pid and on the cleanup list.
e2e_bg() {
	local log=$1

	shift
	"$@" </dev/null >"$log" 2>&1 &
	e2e_last_pid=$!
	e2e_pids+=("$e2e_last_pid")
}

e2e_alive() {
	[ -d "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}

# e2e_stop PID: TERM, 5 s to go, then KILL; reaped if it is our child.
e2e_stop() {
	local pid=$1

	if e2e_alive "$pid"; then
		kill -TERM "$pid" 2>/dev/null
		for _ in $(seq 50); do
			e2e_alive "$pid" || break
			sleep 0.1
		done
		e2e_alive "$pid" && kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	return 0
}

# The QEMU of a run-qemu.sh that was killed before it could stop it:
# the pid in LOG.pid, if that process still is the QEMU that wrote it.
e2e_stop_stray_qemu() {
	local pidfile=$1.pid pid

	[ -s "$pidfile" ] || return 0
	pid=$(cat "$pidfile")
	case $pid in '' | *[!0-9]*) return 0 ;; esac
	if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$pidfile"; then
		e2e_stop "$pid"
	fi
	rm -f "$pidfile"
}

e2e_cleanup() {
	local i

	[ -n "$e2e_log" ] && e2e_stop_stray_qemu "$e2e_log"
	for ((i = ${#e2e_pids[@]} - 1; i >= 0; i--)); do
		e2e_stop "${e2e_pids[i]}"
	done
	e2e_pids=()
}

# e2e_wait_socket PATH PID SECS: PATH becomes a socket while PID lives.
e2e_wait_socket() {
	local i

	for ((i = 0; i < $3 * 10; i++)); do
		[ -S "$1" ] && return 0
		e2e_alive "$2" || return 1
		sleep 0.1
	done
	[ -S "$1" ]
}

# e2e_run SOCKET STEPS PACKED(yes|no): boot the guest; its console in
# $e2e_log, run-qemu.sh's status in $e2e_rc.  run-qemu.sh's own lines
# are passed on as TAP comments.
e2e_run() {
	e2e_log=$vdev_tmp/guest.log
	"$E2E_DIR/run-qemu.sh" "$1" "$2" "$3" "$e2e_log" 2>&1 |
		sed -u -e 's/^#* \{0,1\}/# /'
	e2e_rc=${PIPESTATUS[0]}
}

# e2e_console: the guest's console so far, without the serial line's CRs.
e2e_console() {
	[ -f "$e2e_log" ] && tr -d '\r' <"$e2e_log"
}

# e2e_wait_console ERE PID SECS: a console line matches ERE (not
# anchored at its end: lines end in CR) while PID (the process running
# the guest) lives, within SECS.  Once a second, with few programs: the
# bench's CPU is the nested guest's too.
e2e_wait_console() {
	local t0=$SECONDS

	while :; do
		grep -aqE -- "$1" "$e2e_log" 2>/dev/null && return 0
		e2e_alive "$2" || break
		((SECONDS - t0 < $3)) || break
		sleep 1
	done
	grep -aqE -- "$1" "$e2e_log" 2>/dev/null
}

# e2e_console_value PREFIX: the rest of the first console line that
# starts with PREFIX (a fixed string), trailing blanks cut.
e2e_console_value() {
	e2e_console | awk -v p="$1" 'index($0, p) == 1 {
		v = substr($0, length(p) + 1); sub(/[ \t]+$/, "", v); print v; exit }'
}

# e2e_check_range DESC DEV DEV_MIB PATTERN_MIB MIBS: MIBS MiB of DEV from
# MiB DEV_MIB on, read on the host, are the pattern's from PATTERN_MIB on.
e2e_check_range() {
	local got=$vdev_tmp/range.got want=$vdev_tmp/range.want

	echo "(the pattern has no MiB $4..$(($4 + $5 - 1)))" >"$vdev_tmp/cmp"
	dd if="$2" of="$got" bs=1M skip="$3" count="$5" iflag=direct 2>/dev/null
	dd if="$e2e_log.pattern" of="$want" bs=1M skip="$4" count="$5" 2>/dev/null
	if [ "$(stat -c %s "$want" 2>/dev/null)" = $(($5 << 20)) ] &&
		cmp "$got" "$want" >"$vdev_tmp/cmp" 2>&1; then
		pass "$1"
	else
		fail "$1"
		sed 's/^/#   /' "$vdev_tmp/cmp"
	fi
	rm -f "$got" "$want"
}

# e2e_verdict DESC: a check for the guest's verdict; the console's tail
# when it failed.
e2e_verdict() {
	if [ "$e2e_rc" = 0 ]; then
		pass "$1"
		return 0
	fi
	e2e_bench_failed
	fail "$1 (run-qemu.sh exit $e2e_rc)"
	e2e_show_crash "$e2e_log" || e2e_show_log "guest console" "$e2e_log" 40
	return 1
}

# e2e_bench_failed: when every boot of the guest crashed before its init
# ran (run-qemu.sh exit 3), nothing was tested: QEMU 7.2 under nested TCG
# does that now and then, to qemu-storage-daemon as much as to vdev.  The
# test skips, loudly, with the first crash's report.
e2e_bench_failed() {
	[ "$e2e_rc" = 3 ] || return 0
	echo "# SKIP: the nested guest's kernel crashed before its init on every boot: the bench failed, nothing was tested"
	e2e_show_crash "$e2e_log"
	exit "$KSFT_SKIP"
}

# e2e_show_crash LOG: if the guest kernel oopsed or panicked, its report
# (from a few lines before the first sign, 60 lines), rather than the tail.
e2e_show_crash() {
	local n

	n=$(tr -d '\r' <"$1" | grep -anE 'BUG:|Oops|WARNING:|general protection|double fault|Kernel panic' |
		head -n 1 | cut -d: -f1)
	[ -n "$n" ] || return 1
	echo "#   --- guest kernel report (from line $((n > 5 ? n - 5 : 1)) of $1) ---"
	tr -d '\r' <"$1" | tail -n +$((n > 5 ? n - 5 : 1)) | head -n 60 | sed 's/^/#   | /'
}

# e2e_show_log TITLE FILE LINES: the last LINES of FILE as comments.
e2e_show_log() {
	echo "#   --- $1 (last $3 lines of $2) ---"
	if [ -s "$2" ]; then
		tr -d '\r' <"$2" | tail -n "$3" | sed 's/^/#   | /'
	else
		echo "#   | (empty)"
	fi
}

# e2e_check_disk DEV: the first E2E_MIB MiB of DEV, read on the host,
# hold the pattern the guest wrote (run-qemu.sh left it in LOG.pattern),
# but for the range the guest discarded, which reads as zeros.
e2e_check_disk() {
	local pat=$e2e_log.pattern got=$vdev_tmp/disk off=0 len=0 what

	if [ ! -s "$pat" ]; then
		fail "the host reads from $1 what the guest wrote (no $pat)"
		return 1
	fi
	read -r off len < <(tr -d '\r' <"$e2e_log" | sed -n 's/^VDEV-E2E: discarded \([0-9]*\) \([0-9]*\)$/\1 \2/p')
	dd if="$1" of="$got" bs=1M count=$E2E_MIB iflag=direct 2>/dev/null
	what="the host reads from $1 what the guest wrote"
	if [ "${len:-0}" != 0 ]; then
		# The expected image: the pattern with zeros where discarded.
		head -c "$len" /dev/zero | dd of="$pat" bs=64K seek="$off" \
			iflag=fullblock oflag=seek_bytes conv=notrunc 2>/dev/null
		what="$what (zeros where it discarded)"
	fi
	if cmp "$got" "$pat" >"$vdev_tmp/cmp" 2>&1; then
		pass "$what"
	else
		fail "$what"
		sed 's/^/#   /' "$vdev_tmp/cmp"
	fi
	rm -f "$got"
}

# e2e_has_discard DEV: the block device takes discards.
e2e_has_discard() {
	[ "$(cat "/sys/block/${1#/dev/}/queue/discard_max_bytes" 2>/dev/null || echo 0)" != 0 ]
}

# Options of the test's `vdevctl ns add` for its first disk (and for
# whatever more a test attaches itself).
e2e_ns_opts=()

# e2e_vdev_start CTRL [RAM_DISKS]: the vdev side of a test.  Loads the
# module (vdev_test_init), makes RAM_DISKS (default 1) RAM disks
# /dev/ram0.., creates a virtio-blk (E2E_DEV=scsi: virtio-scsi)
# controller CTRL with 2 queues on /dev/ram0 (with $e2e_ns_opts) with its
# socket at $e2e_sock, and starts vdevd (pid in $e2e_vdevd_pid, log in
# $e2e_vdevd_log).  The EXIT trap leaves nothing behind: QEMU and vdevd
# are stopped, the controller deleted.
e2e_vdev_start() {
	local ctrl=$1 nr_ram=${2:-1} type=virtio-blk addr=()

	# E2E_DEV=scsi (run-qemu.sh): a virtio-scsi controller, the disk LUN 0:0.
	if [ "${E2E_DEV:-blk}" = scsi ]; then
		type=virtio-scsi
		addr=(--target 0 --lun 0)
	fi

	e2e_vdevd=${VDEVD:-$VDEV_ROOT/tools/vdevd/vdevd}
	e2e_sock=/tmp/$ctrl.sock
	e2e_dev=/dev/ram0
	if [ ! -x "$e2e_vdevd" ]; then
		echo "# SKIP: $e2e_vdevd not built (make)"
		exit "$KSFT_SKIP"
	fi
	# shellcheck disable=SC2119  # QEMU is all it needs
	e2e_need_tools
	vdev_test_init
	# QEMU and vdevd go first, then test_common's cleanup (the
	# controllers), with the script's status.
	# shellcheck disable=SC2154  # rc is assigned in the trap
	trap 'rc=$?; e2e_cleanup; (exit $rc); vdev_test_exit' EXIT
	e2e_traps
	vdev_brd_setup "$nr_ram" || { echo "# SKIP: brd unavailable"; exit "$KSFT_SKIP"; }
	e2e_t0=$(date +%s)
	e2e_klines=$(dmesg | wc -l)

	rm -f "$e2e_sock"
	check "create $ctrl: $type, 2 queues, $e2e_sock" \
		vdevctl ctrl add "$ctrl" --type "$type" --socket "$e2e_sock" --queues 2
	check "$ctrl: attach $e2e_dev${addr[*]:+ as ${addr[*]}}" \
		vdevctl ns add "$ctrl" "${e2e_ns_opts[@]}" "${addr[@]}" "$e2e_dev"
	[ "$vdev_failed" = 0 ] || vdev_test_done
	e2e_vdevd_run "$vdev_tmp/vdevd.log" || vdev_test_done
}

# e2e_vdevd_run LOG: start vdevd --foreground; it serves the controller
# once its socket exists (made by vdevd, or held by the kernel since the
# previous vdevd).  Its pid in $e2e_vdevd_pid.
e2e_vdevd_run() {
	e2e_vdevd_log=$1
	e2e_bg "$e2e_vdevd_log" "$e2e_vdevd" --foreground --verbose
	e2e_vdevd_pid=$e2e_last_pid
	if e2e_wait_socket "$e2e_sock" "$e2e_vdevd_pid" 30 &&
		e2e_wait_log "$e2e_vdevd_log" 'serving controller' "$e2e_vdevd_pid" 30; then
		pass "vdevd serves $e2e_sock"
		return 0
	fi
	fail "vdevd serves $e2e_sock"
	e2e_show_log "vdevd" "$e2e_vdevd_log" 40
	return 1
}

# e2e_wait_log FILE ERE PID SECS: a line of FILE matches ERE while PID
# lives (or within SECS).
e2e_wait_log() {
	local i
	for ((i = 0; i < $4 * 10; i++)); do
		tr -d '\r' <"$1" | grep -aqE -- "$2" && return 0
		e2e_alive "$3" || break
		sleep 0.1
	done
	tr -d '\r' <"$1" | grep -aqE -- "$2"
}

# e2e_vdev_verdict DESC: the guest's verdict; on failure vdevd's log and
# the kernel's since the test started.
e2e_vdev_verdict() {
	e2e_verdict "$1" && return 0
	e2e_show_log "vdevd" "$e2e_vdevd_log" 60
	echo "#   --- kernel log since the test started (last 40 lines) ---"
	dmesg | tail -n +$((e2e_klines + 1)) | tail -n 40 | sed 's/^/#   | /'
	return 1
}

# e2e_vdev_end RING: vdevd outlived the guest; stop everything, check the
# disk from the host; the test's result.
e2e_vdev_end() {
	if e2e_alive "$e2e_vdevd_pid"; then
		pass "vdevd outlived the guest"
	else
		fail "vdevd outlived the guest"
		[ "$e2e_rc" = 0 ] && e2e_show_log "vdevd" "$e2e_vdevd_log" 40
	fi
	e2e_cleanup
	[ "$e2e_rc" = 0 ] && e2e_check_disk "$e2e_dev"
	echo "# end to end on vdev ($1): $(($(date +%s) - e2e_t0)) s"
	vdev_test_done
}

# e2e_vdev_test CTRL PACKED(yes|no) STEPS: the whole test against vdev:
# the guest runs STEPS, and discards too when the disk can (vdev offers
# DISCARD exactly when the backing device takes discards).
e2e_vdev_test() {
	local ctrl=$1 packed=$2 steps=$3 ring=split

	[ "$packed" = yes ] && ring=packed
	e2e_vdev_start "$ctrl"
	e2e_has_discard "$e2e_dev" && steps=$steps,discard
	e2e_run "$e2e_sock" "$steps" "$packed"
	e2e_vdev_verdict "guest on vdev: $ring ring, 2 queues, $steps"
	e2e_vdev_end "$ring ring"
}
