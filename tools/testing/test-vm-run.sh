#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# test-vm-run.sh: prove the VM bench works, for real (every check boots
# the VM).  Prints TAP; exits 1 if any check fails.  Takes 2-4 minutes.
#
#   tools/testing/test-vm-run.sh [-v]     (-v: show vm-run's output)
#
# Scratch files go to a fresh $VDEV_BUILD/vm/test-vm-run.XXXXXX/ (default
# build/; removed when all pass), so two instances don't collide.  Probes
# deliberately live under /tmp, which the guest covers with a tmpfs, to
# prove vm-run exposes the caller's cwd and command anyway.

set -euo pipefail

HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd -- "$HERE/../.." && pwd -P)
VM_RUN=$HERE/vm-run
BUILD=${VDEV_BUILD:-$REPO/build}
[[ $BUILD == /* ]] || BUILD=$PWD/$BUILD
WORK=
OUT=
VERBOSE=0
[[ ${1:-} == -v ]] && VERBOSE=1

n=0
failed=0
ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}
not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	shift
	local l
	for l in "$@"; do echo "# $l"; done
	# What vm-run said, to see why.
	if [[ -s $WORK/stderr ]]; then
		sed 's/^/#   stderr: /' "$WORK/stderr" | tail -n 25
	fi
	if [[ -s $WORK/stdout ]]; then
		sed 's/^/#   stdout: /' "$WORK/stdout" | tail -n 15
	fi
}

# vmr [vm-run options] -- cmd...: run vm-run with stdin from /dev/null
# (like CI) and our own --out; sets rc and secs, output in $WORK/std*.
vmr() {
	local t0 t1
	t0=$(date +%s.%N)
	set +e
	"$VM_RUN" --out "$OUT" "$@" </dev/null >"$WORK/stdout" 2>"$WORK/stderr"
	rc=$?
	set -e
	t1=$(date +%s.%N)
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	if ((VERBOSE)); then
		echo "# vm-run $* -> rc=$rc in ${secs}s"
		sed 's/^/#   | /' "$WORK/stdout" "$WORK/stderr"
	fi
}

# QEMU processes that belong to our output directory (pid file path is
# unique to it).
our_qemus() {
	local p
	for p in /proc/[0-9]*; do
		tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -qF -- "$OUT/.vm-run/qemu.pid" &&
			echo "${p#/proc/}"
	done
	return 0
}

setup() {
	if [[ $EUID -ne 0 ]]; then
		echo "1..0 # SKIP must run as root"
		exit 0
	fi
	mkdir -p "$BUILD/vm"
	WORK=$(mktemp -d "$BUILD/vm/test-vm-run.XXXXXX")
	OUT=$WORK/out
	PROBE_DIR=$(mktemp -d /tmp/test-vm-run.XXXXXX)
	trap 'rm -rf "$PROBE_DIR"' EXIT

	# Probe for cwd, environment, out dir and the guest's layout.
	cat >"$PROBE_DIR/probe.sh" <<'EOF'
#!/bin/bash
echo "cwd=$(pwd)"
echo "in_vm=${VDEV_IN_VM:-unset}"
echo "out=${VDEV_OUT:-unset}"
echo "leak=${VM_RUN_TEST_LEAK:-unset}"
echo "kernel=$(uname -r)"
echo "sibling=$(cat ./sibling.txt 2>&1)"
touch /should-fail 2>/dev/null && echo "root=rw" || echo "root=ro"
echo x >/tmp/w && echo "tmp=rw" || echo "tmp=ro"
mountpoint -q /sys/kernel/debug && echo "debugfs=yes" || echo "debugfs=no"
mountpoint -q /sys/kernel/config && echo "configfs=yes" || echo "configfs=no"
[[ -e /dev/fd/0 ]] && echo "devfd=yes" || echo "devfd=no"
echo "procsub=$(cat <(echo works))"
printf 'written in the guest\n' >"$VDEV_OUT/result.txt"
EOF
	echo "sibling-content" >"$PROBE_DIR/sibling.txt"
	chmod +x "$PROBE_DIR/probe.sh"
}

t_status_zero() {
	vmr -- true
	if [[ $rc == 0 ]]; then ok "exit status 0 passes through (${secs}s)"
	else not_ok "exit status 0 passes through" "rc=$rc"; fi
}

t_status_nonzero() {
	vmr -- bash -c 'exit 7'
	if [[ $rc == 7 ]]; then ok "exit status 7 passes through"
	else not_ok "exit status 7 passes through" "rc=$rc"; fi
}

t_output() {
	vmr -- bash -c 'echo to-stdout-MARK; echo to-stderr-MARK >&2; seq 1 2000 | tail -n 1'
	if [[ $rc == 0 ]] && grep -qx 'to-stdout-MARK' "$WORK/stdout" &&
		grep -qx 'to-stderr-MARK' "$WORK/stdout" && grep -qx 2000 "$WORK/stdout"; then
		ok "stdout and stderr of the command come back on vm-run's stdout"
	else
		not_ok "stdout and stderr of the command come back on vm-run's stdout" "rc=$rc"
	fi
}

# Lines must reach our stdout while the command still runs: time-stamp
# each line as it arrives and compare.
t_streaming() {
	local first second gap
	set +e
	"$VM_RUN" --out "$OUT" -- bash -c 'echo first-MARK; sleep 8; echo second-MARK' \
		</dev/null 2>"$WORK/stderr" |
		while IFS= read -r line; do printf '%s %s\n' "$(date +%s.%N)" "$line"; done \
			>"$WORK/stdout"
	set -e
	first=$(awk '$2 == "first-MARK" { print $1 }' "$WORK/stdout")
	second=$(awk '$2 == "second-MARK" { print $1 }' "$WORK/stdout")
	if [[ -n $first && -n $second ]]; then
		gap=$(awk -v a="$first" -v b="$second" 'BEGIN { printf "%.1f", b - a }')
		if awk -v g="$gap" 'BEGIN { exit !(g >= 5) }'; then
			ok "output streams live (lines arrived ${gap}s apart)"
			return
		fi
	fi
	not_ok "output streams live" "first=$first second=$second"
}

t_env_and_out() {
	local res
	# A variable of ours must not leak into the guest.
	export VM_RUN_TEST_LEAK=1
	cd "$PROBE_DIR"
	vmr -- ./probe.sh
	cd - >/dev/null
	unset VM_RUN_TEST_LEAK
	res=$WORK/stdout
	local want=(
		"cwd=$PROBE_DIR" "in_vm=1" "out=$OUT" "leak=unset"
		"kernel=6.12.107+deb12-amd64" "sibling=sibling-content"
	)
	local w miss=()
	for w in "${want[@]}"; do grep -qxF -- "$w" "$res" || miss+=("$w"); done
	if [[ $rc == 0 && ${#miss[@]} == 0 ]]; then
		ok "cwd (under /tmp), clean env, VDEV_IN_VM and VDEV_OUT are right"
	else
		not_ok "cwd (under /tmp), clean env, VDEV_IN_VM and VDEV_OUT are right" \
			"rc=$rc missing: ${miss[*]}"
	fi

	if [[ $(cat "$OUT/result.txt" 2>/dev/null) == "written in the guest" ]]; then
		ok "a file written to \$VDEV_OUT appears on the host"
	else
		not_ok "a file written to \$VDEV_OUT appears on the host"
	fi

	miss=()
	for w in root=ro tmp=rw debugfs=yes configfs=yes devfd=yes procsub=works; do
		grep -qxF -- "$w" "$res" || miss+=("$w")
	done
	if [[ $rc == 0 && ${#miss[@]} == 0 ]]; then
		ok "guest: / read-only, /tmp writable, debugfs, configfs, /dev/fd"
	else
		not_ok "guest: / read-only, /tmp writable, debugfs, configfs, /dev/fd" "missing: ${miss[*]}"
	fi

	if [[ -s $OUT/dmesg.txt && -s $OUT/console.log ]] &&
		grep -q 'Linux version 6.12' "$OUT/dmesg.txt"; then
		ok "guest kernel log comes back as \$out/dmesg.txt"
	else
		not_ok "guest kernel log comes back as \$out/dmesg.txt"
	fi
}

t_fresh_out_and_log() {
	echo stale >"$OUT/stale-file"
	vmr --log "$WORK/full.log" -- bash -c 'echo log-MARK'
	if [[ $rc == 0 && ! -e $OUT/stale-file ]] && grep -qx 'log-MARK' "$WORK/full.log"; then
		ok "out dir is recreated fresh; --log saves the console"
	else
		not_ok "out dir is recreated fresh; --log saves the console" "rc=$rc"
	fi
}

t_modules() {
	# shellcheck disable=SC2016  # expanded in the guest
	vmr -- bash -c '
		set -e
		modprobe brd rd_nr=1 rd_size=65536
		modprobe null_blk
		test -b /dev/ram0 && test -b /dev/nullb0
		echo "ram0=$(blockdev --getsize64 /dev/ram0)"
		dd if=/dev/nullb0 of=/dev/null bs=4k count=16 status=none
		dd if=/dev/zero of=/dev/ram0 bs=4k count=16 status=none
		echo modules-OK'
	if [[ $rc == 0 ]] && grep -qx 'ram0=67108864' "$WORK/stdout" &&
		grep -qx modules-OK "$WORK/stdout"; then
		ok "modprobe brd/null_blk work; /dev/ram0 (64 MiB) and /dev/nullb0 appear"
	else
		not_ok "modprobe brd/null_blk work; /dev/ram0 (64 MiB) and /dev/nullb0 appear" "rc=$rc"
	fi
}

# The scanner: a WARNING line in the kernel log fails a run whose command
# succeeded.  Nothing in Debian's kernel WARNs on demand from userspace
# (no lkdtm, no fault injection), so the line is written to /dev/kmsg,
# formatted like __warn()'s.  Clearing the ring buffer must not hide it.
t_warn_detected() {
	vmr -- bash -c 'echo "<4>WARNING: CPU: 1 PID: 1 at drivers/vdev/fake.c:42 test_vm_run+0x1/0x2" >/dev/kmsg; dmesg -C; exit 0'
	if [[ $rc == 99 ]] && grep -q 'KERNEL PROBLEM' "$WORK/stderr" &&
		grep -q 'WARNING: CPU: 1 PID: 1 at drivers/vdev/fake.c:42' "$WORK/stderr"; then
		ok "a WARNING in the kernel log (even if cleared) fails the run with 99"
	else
		not_ok "a WARNING in the kernel log (even if cleared) fails the run with 99" "rc=$rc"
	fi
}

# A real kernel detector: the hung-task watchdog.  Freeze an ext4 on a ram
# disk and write to it: the writer sleeps uninterruptibly, and with
# hung_task_timeout_secs=2 khungtaskd reports it within seconds.
t_hung_task_detected() {
	# shellcheck disable=SC2016  # expanded in the guest
	vmr --timeout 300 -- bash -c '
		set -e
		modprobe brd rd_nr=1 rd_size=65536
		mkfs.ext4 -q /dev/ram0
		mkdir /tmp/m && mount /dev/ram0 /tmp/m
		echo 2 >/proc/sys/kernel/hung_task_timeout_secs
		fsfreeze -f /tmp/m
		touch /tmp/m/blocked &
		sleep 12
		fsfreeze -u /tmp/m
		wait
		umount /tmp/m
		echo command-finished-OK'
	if [[ $rc == 99 ]] && grep -q 'command-finished-OK' "$WORK/stdout" &&
		grep -qE 'INFO: task .* blocked for more than' "$WORK/stderr"; then
		ok "a real hung-task report (frozen fs) fails the run with 99"
	else
		not_ok "a real hung-task report (frozen fs) fails the run with 99" "rc=$rc"
	fi
}

t_panic_detected() {
	vmr --timeout 300 -- bash -c 'echo c >/proc/sysrq-trigger; sleep 600'
	if [[ $rc == 99 ]] && grep -q 'Kernel panic' "$WORK/stderr" &&
		awk -v s="$secs" 'BEGIN { exit !(s < 120) }'; then
		ok "a kernel panic (sysrq c) ends QEMU at once and fails with 99 (${secs}s)"
	else
		not_ok "a kernel panic (sysrq c) ends QEMU at once and fails with 99" "rc=$rc secs=$secs"
	fi
}

t_timeout() {
	local left
	vmr --timeout 20 -- bash -c 'echo sleeping-MARK; sleep 600'
	left=$(our_qemus)
	if [[ $rc == 98 ]] && grep -q 'TIMEOUT' "$WORK/stderr" &&
		grep -q 'sleeping-MARK' "$WORK/stderr" &&
		awk -v s="$secs" 'BEGIN { exit !(s < 60) }' && [[ -z $left ]]; then
		ok "--timeout kills QEMU, exits 98 and shows the console tail (${secs}s)"
	else
		not_ok "--timeout kills QEMU, exits 98 and shows the console tail" \
			"rc=$rc secs=$secs leftover qemu pids: ${left:-none}"
	fi
}

# A guest that doesn't get to the command in time is booted again, then
# given up on with 97.  (The retry exists for QEMU 7.2's MTTCG code-patching
# race, which now and then oopses a booting kernel.)
t_boot_retry() {
	local retries
	VM_BOOT_TIMEOUT=3 VM_BOOT_RETRIES=1 vmr --append vm_run.hold_boot -- true
	retries=$(grep -c 'BOOT FAILURE' "$WORK/stderr") || true
	if [[ $rc == 97 && $retries == 1 && -d $OUT/.vm-run/failed-boot-1 ]] &&
		grep -q 'did not start the command within 3 s' "$WORK/stderr"; then
		ok "a boot that doesn't reach the command is retried, then fails with 97"
	else
		not_ok "a boot that doesn't reach the command is retried, then fails with 97" "rc=$rc retries=$retries"
	fi
}

# --interactive needs a tty: give it a pty from Python, wait for the
# prompt, type a command, and expect its output and exit status.
t_interactive() {
	set +e
	python3 - "$VM_RUN" "$OUT" >"$WORK/stdout" 2>"$WORK/stderr" <<'EOF'
import os, pty, select, sys, time
vm_run, out = sys.argv[1], sys.argv[2]
pid, fd = pty.fork()
if pid == 0:
    os.execv(vm_run, [vm_run, "--out", out, "--timeout", "300", "--interactive"])
buf = b""
sent = False
deadline = time.time() + 300
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 1)
    if r:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        buf += data
    if not sent and b"(vm)" in buf:
        os.write(fd, b"echo IN-VM-$((6*7)); exit 5\n")
        sent = True
_, status = os.waitpid(pid, 0)
sys.stdout.write(buf.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
EOF
	rc=$?
	set -e
	if [[ $rc == 5 ]] && grep -q 'IN-VM-42' "$WORK/stdout"; then
		ok "--interactive gives a shell on a tty; its exit status comes back"
	else
		not_ok "--interactive gives a shell on a tty; its exit status comes back" "rc=$rc"
	fi
}

# No VM needed for these.
t_usage_errors() {
	local r1 r2 r3
	set +e
	"$VM_RUN" </dev/null >/dev/null 2>&1
	r1=$?
	mkdir -p "$WORK/not-ours" && echo precious >"$WORK/not-ours/file"
	"$VM_RUN" --out "$WORK/not-ours" -- true </dev/null >/dev/null 2>"$WORK/stderr"
	r2=$?
	setpriv --reuid=65534 --regid=65534 --clear-groups "$VM_RUN" -- true \
		</dev/null >/dev/null 2>>"$WORK/stderr"
	r3=$?
	set -e
	if [[ $r1 == 2 && $r2 == 97 && -e $WORK/not-ours/file && $r3 == 97 ]] &&
		grep -q 'must run as root' "$WORK/stderr"; then
		ok "usage error exits 2; refuses a foreign --out dir and non-root"
	else
		not_ok "usage error exits 2; refuses a foreign --out dir and non-root" "r1=$r1 r2=$r2 r3=$r3"
	fi
}

t_no_leftovers() {
	local left
	left=$(our_qemus)
	if [[ -z $left ]]; then ok "no QEMU left behind"
	else not_ok "no QEMU left behind" "pids: $left"; fi
}

main() {
	setup
	local tests=(t_status_zero t_status_nonzero t_output t_streaming
		t_env_and_out t_fresh_out_and_log t_modules t_warn_detected
		t_hung_task_detected t_panic_detected t_timeout t_boot_retry t_interactive
		t_usage_errors t_no_leftovers)
	# t_env_and_out reports four results.
	echo "1..$((${#tests[@]} + 3))"
	local t
	for t in "${tests[@]}"; do "$t"; done
	if ((failed)); then
		echo "# $failed of $n failed; scratch files kept in $WORK"
		exit 1
	fi
	rm -rf "$WORK"
	echo "# all $n passed"
}

main "$@"
