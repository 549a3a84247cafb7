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
# The consoles of more guests' QEMUs (a migration's destination), whose
# QEMU e2e_cleanup stops too.
e2e_more_logs=()

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
	for i in "${e2e_more_logs[@]}"; do
		e2e_stop_stray_qemu "$i"
	done
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
	e2e_run_log "$e2e_log" "$@"
}

# e2e_run_log LOG SOCKET STEPS PACKED [TAG]: run-qemu.sh with its console
# in LOG, its status in $e2e_rc, its lines as TAP comments (after TAG).
e2e_run_log() {
	"$E2E_DIR/run-qemu.sh" "$2" "$3" "$4" "$1" 2>&1 |
		sed -u -e "s/^#* \{0,1\}/# ${5:-}/"
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
	e2e_vdev_logs
	return 1
}

# e2e_vdev_logs: vdevd's log and the kernel's since the test started.
e2e_vdev_logs() {
	e2e_show_log "vdevd" "$e2e_vdevd_log" 60
	echo "#   --- kernel log since the test started (last 40 lines) ---"
	dmesg | tail -n +$((e2e_klines + 1)) | tail -n 40 | sed 's/^/#   | /'
}

# e2e_expect_idle CTRL: the controller goes back to idle (within 10 s)
# once its QEMU is gone.
e2e_expect_idle() {
	for _ in $(seq 100); do
		vdevctl ctrl show "$1" 2>&1 | grep -q 'state: idle' && break
		sleep 0.1
	done
	expect_match "$1 goes back to idle once its QEMU is gone" \
		"$(vdevctl ctrl show "$1" 2>&1 | grep state:)" 'state: idle'
}

# e2e_vdev_end RING [DISK]: vdevd outlived the guest; stop everything,
# check the disk from the host (unless DISK is "checked": the test did);
# the test's result.
e2e_vdev_end() {
	if e2e_alive "$e2e_vdevd_pid"; then
		pass "vdevd outlived the guest"
	else
		fail "vdevd outlived the guest"
		[ "$e2e_rc" = 0 ] && e2e_show_log "vdevd" "$e2e_vdevd_log" 40
	fi
	e2e_cleanup
	[ "$e2e_rc" = 0 ] && [ "${2:-}" != checked ] && e2e_check_disk "$e2e_dev"
	echo "# end to end on vdev ($1): $(($(date +%s) - e2e_t0)) s"
	vdev_test_done
}

# --- live migration (test_e2e_04 on vdev, test_e2e_05 on qsd) ---------------

# The migrate step's mailbox (guest-init): the 4 KiB block at MiB 16 of
# the disk; "STOP" there ends the guest's passes.
E2E_MIG_MBOX_4K=$((E2E_MIB * 256))

# e2e_mig_mailbox DEV [TEXT]: TEXT (none: zeros) in DEV's mailbox,
# straight to the device, which both back ends serve.
e2e_mig_mailbox() {
	if [ -n "${2:-}" ]; then
		printf '%s\n' "$2" | dd of="$1" bs=4096 seek=$E2E_MIG_MBOX_4K count=1 \
			conv=sync,notrunc oflag=direct 2>/dev/null
	else
		dd if=/dev/zero of="$1" bs=4096 seek=$E2E_MIG_MBOX_4K count=1 \
			conv=notrunc oflag=direct 2>/dev/null
	fi
}

# e2e_mig_wait LOG ERE PID SECS: a line of the console LOG matches ERE
# while PID (the run-qemu.sh of that QEMU) lives, within SECS; once a
# second (the nested guests need the CPU).
e2e_mig_wait() {
	local t0=$SECONDS

	while :; do
		grep -aqE -- "$2" "$1" 2>/dev/null && return 0
		e2e_alive "$3" || break
		((SECONDS - t0 < $4)) || break
		sleep 1
	done
	grep -aqE -- "$2" "$1" 2>/dev/null
}

# e2e_mig_count LOG ERE: the console lines of LOG that match ERE.
e2e_mig_count() {
	tr -d '\r' <"$1" 2>/dev/null | grep -acE -- "$2"
}

# e2e_mig_passes LOG WHAT: the guest's migrate passes of which LOG holds
# the line WHAT (start or done), their numbers, one a line.
e2e_mig_passes() {
	tr -d '\r' <"$1" 2>/dev/null | sed -n "s/^VDEV-E2E: migrate pass \([0-9]*\) $2 .*/\1/p"
}

# e2e_mig_end_runner PID RCFILE SECS: wait (bounded) for a run-qemu.sh
# runner to end; its status in $e2e_mig_rc (none: 1).
e2e_mig_end_runner() {
	local i

	for ((i = 0; i < $3; i++)); do
		e2e_alive "$1" || break
		sleep 1
	done
	e2e_alive "$1" && e2e_stop "$1"
	wait "$1" 2>/dev/null
	e2e_mig_rc=$(cat "$2" 2>/dev/null || echo 1)
}

# e2e_mig_failed TITLE SHOW: after a failure, both consoles and what SHOW
# (a command, the back end's logs) has to say.
e2e_mig_failed() {
	echo "#   ($1)"
	e2e_show_crash "$e2e_mig_dlog" || e2e_show_log "destination's console" "$e2e_mig_dlog" 30
	e2e_show_crash "$e2e_log" || e2e_show_log "source's console" "$e2e_log" 30
	$2
}

# e2e_mig_test SRC_SOCK DST_SOCK PACKED(yes|no) DEV WHAT SHOW [STEPS]: the
# live migration test on two vhost-user-blk back ends (their sockets) over
# the one disk DEV, WHAT in the checks' names, SHOW a command that shows
# the back ends' logs when something fails; STEPS are guest-init's steps
# before migrate (rw,discard: a test of its own on the source).
#
# The source QEMU (run-qemu.sh with a QMP monitor) boots the guest, whose
# migrate step (guest-init) writes the pattern in passes; the destination
# QEMU starts with -incoming once the guest's init runs.  As the first
# pass starts, qmp.py migrates the guest over a unix socket and waits for
# the destination to run it; the source QEMU is told to quit.  Once a
# pass started on the destination the host writes STOP into the mailbox;
# the guest ends its pass, reads back every quarter and gives its
# verdict, on the destination's console.  The host then reads from DEV
# what the last pass wrote.
e2e_mig_test() {
	local ssock=$1 dsock=$2 packed=$3 dev=$4 what=$5 show=$6
	local steps=${7:+$7,}migrate qs=$vdev_tmp/src.qmp qd=$vdev_tmp/dst.qmp uri=unix:$vdev_tmp/mig.sock
	local t0=$SECONDS t_boot t_mig t_run srunner drunner mrc n p i
	local src_starts dst_starts dst_done first_dst cache stats held

	e2e_log=$vdev_tmp/guest.log
	e2e_mig_dlog=$vdev_tmp/guest-dst.log
	e2e_more_logs+=("$e2e_mig_dlog")
	# Boot (with its retries) and passes until the host says STOP; each
	# side's QEMU is bounded by run-qemu.sh, the guest by its watchdog.
	export E2E_TIMEOUT=${E2E_TIMEOUT:-900} E2E_GUEST_WD=${E2E_GUEST_WD:-600}
	# QEMU 7.2's migration loses TCG stores when a RAM block's length is a
	# multiple of 64 pages: its bitmap sync then takes a fast path that
	# clears dirty bits without re-arming the vCPUs' TLB dirty tracking
	# (fixed in QEMU 9.0, "physmem: Fix migration dirty bitmap coherency
	# with TCG memory access"), and the guest wakes on the destination
	# with stale kernel memory.  8 KiB more than 256 MiB takes the slow
	# path, which re-arms it.  Not a vhost-user matter: KVM is unaffected.
	export E2E_MEM=${E2E_MEM:-262152K}
	rm -f "$vdev_tmp/src.rc" "$vdev_tmp/dst.rc"
	if ! e2e_mig_mailbox "$dev"; then
		fail "clear the mailbox on $dev"
		return 1
	fi

	(
		# shellcheck disable=SC2030  # for this run-qemu.sh only
		export E2E_QMP=$qs
		e2e_run_log "$e2e_log" "$ssock" "$steps" "$packed" "src: "
		echo "$e2e_rc" >"$vdev_tmp/src.rc"
	) &
	srunner=$!
	e2e_pids+=("$srunner")
	if ! e2e_mig_wait "$e2e_log" '^VDEV-E2E: BOOTED' "$srunner" 2000; then
		e2e_mig_end_runner "$srunner" "$vdev_tmp/src.rc" 10
		e2e_rc=$e2e_mig_rc
		e2e_bench_failed
		fail "the guest boots on the source ($what; run-qemu.sh exit $e2e_rc)"
		e2e_mig_failed "no init" "$show"
		return 1
	fi
	t_boot=$((SECONDS - t0))
	# The destination, while the guest sets up: QEMU's start and its
	# back end's session take seconds of the bench's CPU.
	(
		# shellcheck disable=SC2030,SC2031  # for this run-qemu.sh only
		export E2E_QMP=$qd E2E_INCOMING=$uri E2E_FROM=$e2e_log
		e2e_run_log "$e2e_mig_dlog" "$dsock" "$steps" "$packed" "dst: "
		echo "$e2e_rc" >"$vdev_tmp/dst.rc"
	) &
	drunner=$!
	e2e_pids+=("$drunner")
	if ! e2e_mig_wait "$e2e_log" '^VDEV-E2E: (migrate pass 0 start|FAIL)' "$srunner" 600 ||
		grep -aq '^VDEV-E2E: FAIL' "$e2e_log"; then
		fail "the guest's migrate step starts on the source ($what)"
		e2e_mig_failed "no first pass" "$show"
		return 1
	fi

	# The migration, bounded by qmp.py; its progress every 10 s.
	t_mig=$SECONDS
	# Held in its iterations until the guest filled its page cache
	# again after the first pass over its RAM: the device wrote those
	# pages after QEMU sent them, only the dirty log carries them over.
	/usr/bin/python3 "$E2E_DIR/qmp.py" "$qs" migrate "$uri" --dest "$qd" --timeout 900 \
		--hold-log "$e2e_log" --hold-re '^VDEV-E2E: migrate pass [0-9]+ filled ' \
		>"$vdev_tmp/mig.out" 2>&1
	mrc=$?
	# 3: completed, and the destination's QEMU exited before it was
	# seen running: its console tells why.
	[ "$mrc" = 3 ] && mrc=0
	t_mig=$((SECONDS - t_mig))
	grep -v '^result: ' "$vdev_tmp/mig.out" | sed 's/^#* \{0,1\}/# /'
	stats=$(sed -n 's/^result: //p' "$vdev_tmp/mig.out")
	held=$(sed -n 's/^held until: VDEV-E2E: migrate pass \([0-9]*\) filled .*/\1/p' "$vdev_tmp/mig.out")
	if [ "$mrc" = 0 ]; then
		pass "live migration of the guest under I/O to the destination QEMU ($what)"
	else
		fail "live migration of the guest under I/O to the destination QEMU ($what)"
	fi
	[ -n "$stats" ] && e2e_mig_stats "$stats"
	# The source stopped at the switch-over: its passes are all in.
	src_starts=$(e2e_mig_passes "$e2e_log" start | wc -l)
	if [ "$mrc" = 0 ]; then
		/usr/bin/python3 "$E2E_DIR/qmp.py" "$qs" cmd quit --timeout 10 >/dev/null 2>&1
		e2e_mig_end_runner "$srunner" "$vdev_tmp/src.rc" 60
		expect_eq "the source QEMU quits without a verdict of its guest's (it migrated away)" \
			"$e2e_mig_rc" 5
		if ! e2e_mig_wait "$e2e_mig_dlog" '^VDEV-E2E: (migrate pass [0-9]+ start|FAIL)' "$drunner" 600 ||
			grep -aq '^VDEV-E2E: FAIL' "$e2e_mig_dlog"; then
			fail "the guest starts a pass on the destination"
		fi
	fi
	# STOP, in any case: the guest ends with a verdict wherever it runs
	# (after a failed migration, on the source).
	e2e_mig_mailbox "$dev" STOP || fail "write STOP into the mailbox on $dev"
	t_run=$SECONDS
	if [ "$mrc" != 0 ]; then
		e2e_mig_end_runner "$srunner" "$vdev_tmp/src.rc" 600
		echo "# the source guest after the failed migration: run-qemu.sh exit $e2e_mig_rc" \
			"($(e2e_console_value 'VDEV-E2E: PASS')$(e2e_console_value 'VDEV-E2E: FAIL'))"
		/usr/bin/python3 "$E2E_DIR/qmp.py" "$qd" cmd quit --timeout 10 >/dev/null 2>&1
		e2e_mig_end_runner "$drunner" "$vdev_tmp/dst.rc" 30
		e2e_mig_failed "migration failed" "$show"
		return 1
	fi
	e2e_mig_end_runner "$drunner" "$vdev_tmp/dst.rc" "$E2E_TIMEOUT"
	e2e_rc=$e2e_mig_rc
	t_run=$((SECONDS - t_run))
	if [ "$e2e_rc" = 0 ]; then
		pass "the guest verifies every block on the destination, no I/O error ($what)"
	else
		fail "the guest verifies every block on the destination, no I/O error ($what; run-qemu.sh exit $e2e_rc)"
		e2e_mig_failed "destination's verdict" "$show"
	fi

	# Passes before and after: the console of each QEMU has its own.
	dst_starts=$(e2e_mig_passes "$e2e_mig_dlog" start)
	dst_done=$(e2e_mig_passes "$e2e_mig_dlog" "done")
	first_dst=$(head -n 1 <<<"$dst_starts")
	if [ "$src_starts" -ge 1 ]; then
		pass "the guest wrote on the source: $src_starts passes started there"
	else
		fail "the guest wrote on the source: no pass started there"
	fi
	if [ -n "$first_dst" ] && grep -qx "$first_dst" <<<"$dst_done"; then
		pass "the guest wrote on the destination: pass $first_dst started and ended there ($(wc -l <<<"$dst_done") passes ended there)"
	else
		fail "the guest wrote on the destination: no whole pass there (started '${first_dst:-none}')"
	fi
	# The destination's first check of MiB 20-27 reads them from the
	# page cache as the fills of the two passes before left them: at
	# least one on the source after QEMU had sent those pages (the
	# migration was held for it), unless the switch-over fell first.
	n=$(e2e_mig_passes "$e2e_mig_dlog" cache | head -n 1)
	cache=$(e2e_console_value_of "$e2e_mig_dlog" "VDEV-E2E: migrate pass ${n:-x} cache ")
	p=
	for i in 1 2; do
		[ -n "$n" ] && [ -n "$held" ] && [ $((n - i)) -ge "$held" ] &&
			[ "$(e2e_mig_count "$e2e_log" "^VDEV-E2E: migrate pass $((n - i)) filled ")" = 1 ] &&
			p=$((n - i)) && break
	done
	if [ -z "$held" ]; then
		# QEMU switched over while held: a sync found next to nothing
		# dirty (the nested guest runs slowly).  The guest's own checks
		# stand; this one could not be arranged.
		echo "# the migration converged before the guest's fill it was held for: device writes to pages QEMU had sent are not checked this run"
	elif [ -n "$p" ] && [ "${cache%% *}" = hit ]; then
		pass "the destination's page cache holds, as read, what the source's device wrote into it after QEMU had sent those pages (pass $n checks pass $p's fill; held for pass $held's)"
	else
		fail "the destination's page cache holds what the source's device wrote into it after QEMU had sent those pages (held for pass '$held''s fill; the first check on the destination: pass '$n', '$cache'; a fill on the source since: '$p')"
	fi

	# What the last pass left on the disk, read on the host.
	p=$(e2e_console_value_of "$e2e_mig_dlog" 'VDEV-E2E: migrate stop ')
	if [ "$e2e_rc" = 0 ] && [ -n "$p" ]; then
		for i in 0 1 2 3; do
			n=$(((i + p) % 4))
			e2e_check_range "the host reads MiB $((4 * i))-$((4 * i + 3)) of $dev as pass $p wrote them (the pattern's MiB $((4 * n))..)" \
				"$dev" $((4 * i)) $((4 * n)) 4
		done
		e2e_check_range "the host reads MiB 20-27 of $dev as the guest wrote them" "$dev" 20 0 8
	fi
	echo "# timings: guest init after $t_boot s, migration $t_mig s," \
		"the destination's passes and verdict $t_run s, in all $((SECONDS - t0)) s"
	# A pass that started on the source and ended on the destination:
	# the switch-over fell in its I/O (not between two passes).
	n=$(grep -xF -f <(e2e_mig_passes "$e2e_log" start) <<<"$dst_done" | head -n 1)
	[ -n "$n" ] && n="pass $n" || n=none
	echo "# passes: $src_starts started on the source, $(wc -l <<<"$dst_done") ended on the" \
		"destination, the last $p; across the switch-over: $n"
}

# e2e_console_value_of LOG PREFIX: e2e_console_value on another console.
e2e_console_value_of() {
	tr -d '\r' <"$1" | awk -v p="$2" 'index($0, p) == 1 {
		v = substr($0, length(p) + 1); sub(/[ \t]+$/, "", v); print v; exit }'
}

# e2e_mig_stats JSON: query-migrate's final answer, in one "# " line.
e2e_mig_stats() {
	/usr/bin/python3 -c '
import json, sys
m = json.loads(sys.argv[1])
r = m.get("ram", {})
print("# migration: %s in %s ms (setup %s ms), downtime %s ms, RAM %d MiB sent"
      " of %d MiB (%d pages whole, %d zero), %s dirty syncs, %.0f Mbit/s" % (
      m.get("status"), m.get("total-time"), m.get("setup-time"),
      m.get("downtime"), r.get("transferred", 0) >> 20, r.get("total", 0) >> 20,
      r.get("normal", 0), r.get("duplicate", 0), r.get("dirty-sync-count"),
      r.get("mbps", 0)))
' "$1"
}

# e2e_qsd_start DEV SOCKET...: qemu-storage-daemon ($QSD) serves DEV
# (O_DIRECT, discards passed down) as one block node with a
# vhost-user-blk export of 2 queues on each SOCKET: two exports are two
# back ends on the one disk, as a migration's source and destination
# want.  Its pid in $e2e_qsd_pid, its log in $e2e_qsd_log.
e2e_qsd_start() {
	local dev=$1 s n=0 args=()

	shift
	args=(--blockdev "driver=host_device,node-name=d0,filename=$dev,cache.direct=on,discard=unmap")
	for s in "$@"; do
		args+=(--export "type=vhost-user-blk,id=e$n,node-name=d0,addr.type=unix,addr.path=$s,writable=on,num-queues=2")
		n=$((n + 1))
	done
	e2e_qsd_log=$vdev_tmp/qsd.log
	e2e_bg "$e2e_qsd_log" "${QSD:-qemu-storage-daemon}" "${args[@]}"
	e2e_qsd_pid=$e2e_last_pid
	for s in "$@"; do
		if ! e2e_wait_socket "$s" "$e2e_qsd_pid" 30; then
			fail "qemu-storage-daemon exports $dev on $*"
			e2e_show_log "qemu-storage-daemon" "$e2e_qsd_log" 20
			return 1
		fi
	done
	pass "qemu-storage-daemon exports $dev on $*"
}
