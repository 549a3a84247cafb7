#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-qemu.sh: boot the end-to-end guest (selftests/e2e/mkguest.sh) in
# Debian's QEMU 7.2 under TCG, with one vhost-user-blk-pci disk on a
# vhost-user socket someone already serves, and wait for its verdict.
#
# Usage: run-qemu.sh SOCKET TEST PACKED LOG
#   SOCKET  the vhost-user back end's unix socket (must be listening)
#   TEST    the guest's steps, e.g. rw or rw,discard (see guest-init);
#           the ring check (packed or split) is added from PACKED
#   PACKED  yes or no: packed=on on the device, and the guest checks
#           feature bit 34 either way
#   LOG     the serial console and QEMU's own messages go here; QEMU's
#           pid is in LOG.pid while it runs (for a caller's cleanup);
#           LOG.pattern keeps the 16 MiB the guest writes to the start
#           of the disk (random, made here, new each run), for the
#           caller to compare with its disk; LOG.initrd is the guest's
#           initramfs while QEMU runs
#
# Environment:
#   E2E_TIMEOUT     seconds one boot may take before QEMU is killed
#                   (default 480)
#   E2E_DEV         blk (default): vhost-user-blk-pci, the guest's vda;
#                   scsi: vhost-user-scsi-pci, its LUNs found by address
#   E2E_SCSI_LUNS   scsi: the LUNs (T:L,T:L...) the guest must find at
#                   boot; the first is the disk of rw and discard, the
#                   second that of the hotplug step's background I/O
#                   (default 0:0)
#   E2E_SCSI_HOT    scsi: the LUNs (T:L,...) the hotplug step asks the
#                   host to attach and detach (see guest-init)
#   E2E_QUEUES      num-queues of the device, checked in the guest
#                   (default 2; -smp is 2, virtio-blk uses min(vCPUs, queues))
#   E2E_TCG_THREAD  single (default) or multi: QEMU 7.2's multi-threaded
#                   TCG oopses a booting guest now and then (see vm-run)
#   E2E_GUEST_WD    seconds the guest's steps may take, from its init's
#                   start, before it fails itself (default 90)
#   E2E_CPU         the guest's -cpu (default max without erms, fsrm
#                   and la57; see below)
#   E2E_MEM         the guest's RAM, -m and its memfd backend (default
#                   256M; the migration test's is 8 KiB more, see
#                   e2e_mig_test in e2e_common.sh)
#   E2E_BOOT_RETRIES  boots to retry when the guest kernel crashes before
#                   its init runs (default 3; see early_crash below)
#   E2E_APPEND      extra kernel command line
#   E2E_QEMU_OPTS   extra QEMU options (split at blanks)
#   E2E_QMP         a QMP monitor on this unix socket (QEMU serves it and
#                   does not wait for a client; selftests/e2e/qmp.py)
#   E2E_INCOMING    be the destination of a live migration: QEMU starts
#                   with -incoming E2E_INCOMING (e.g. unix:PATH) instead
#                   of booting, on the initramfs and pattern of the
#                   source's run-qemu.sh, which E2E_FROM names by its LOG
#                   (it must still run: LOG.initrd lives as long as it);
#                   TEST, PACKED and the other knobs must be the source's.
#                   No LOG.pattern of its own, no boot retries, and the
#                   timeout counts from QEMU's start
#   E2E_FROM        with E2E_INCOMING: the source's LOG
#   QEMU            the QEMU binary (default qemu-system-x86_64)
#
# Prints "# " lines (timings, the guest's verdict) on stdout.
# Exit: 0 the guest printed "VDEV-E2E: PASS"; 1 it failed, crashed, or
# timed out (the reason on stderr); 2 usage; 3 every boot crashed before
# the guest's init ran (nested TCG, see README: nothing was tested);
# 4 QEMU or the guest's ingredients are missing; 5 (with E2E_QMP, not
# E2E_INCOMING) QEMU exited without a verdict after the guest's init ran,
# and no crash on the console: what a caller that quit it over QMP (its
# guest migrated away) expects.
set -uo pipefail

HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)

usage() {
	sed -n '/^# Usage:/,/^set /p' "$0" | sed -e '/^set /d' -e 's/^# \{0,1\}//' >&2
	exit 2
}

(($# == 4)) || usage
sock=$1 test=$2 packed=$3 log=$4
case $packed in
yes) ring=packed dev_packed=,packed=on ;;
no) ring=split dev_packed= ;;
*) usage ;;
esac
[[ $test =~ ^[a-z,]+$ ]] || usage
timeout_s=${E2E_TIMEOUT:-900}
queues=${E2E_QUEUES:-2}
guest_wd=${E2E_GUEST_WD:-90}
[[ $timeout_s =~ ^[1-9][0-9]*$ && $queues =~ ^[1-9][0-9]*$ &&
	$guest_wd =~ ^[1-9][0-9]*$ ]] || usage
scsi_luns=${E2E_SCSI_LUNS:-0:0}
scsi_hot=${E2E_SCSI_HOT:-}
lun_list_re='^[0-9]+:[0-9]+(,[0-9]+:[0-9]+)*$'
[[ $scsi_luns =~ $lun_list_re && ( -z $scsi_hot || $scsi_hot =~ $lun_list_re ) ]] || usage
qemu_bin=${QEMU:-qemu-system-x86_64}

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
say() { echo "# $*"; }
err() { echo "run-qemu: $*" >&2; }

command -v "$qemu_bin" >/dev/null || {
	err "$qemu_bin not found (tools/testing/deps.sh)"
	exit 4
}
[[ -S $sock ]] || {
	err "$sock is not a socket: start the back end first"
	exit 1
}

incoming=${E2E_INCOMING:-}
qmp=${E2E_QMP:-}
if [[ -n $incoming ]]; then
	from=${E2E_FROM:-}
	[[ -n $from ]] || {
		err "E2E_INCOMING needs E2E_FROM: the LOG of the source's run-qemu.sh"
		exit 2
	}
	[[ -s $from.pattern && -s $from.initrd ]] || {
		err "no $from.pattern or $from.initrd: is the source's run-qemu.sh running?"
		exit 1
	}
fi

t0=$(now)
guest=$("$HERE/mkguest.sh")
rc=$?
((rc == 0)) || exit "$rc"
{
	read -r base_initrd
	read -r kernel
} <<<"$guest"

pidfile=$log.pid
qpid=
work=$(mktemp -d) || exit 1
# Ours to remove at the end: the initramfs a destination may still load.
own_initrd=

# Stop our QEMU, if it runs: TERM, then KILL.  Only the pid we started.
stop_qemu() {
	[[ -n $qpid ]] || return 0
	if kill -0 "$qpid" 2>/dev/null; then
		kill -TERM "$qpid" 2>/dev/null
		for _ in $(seq 50); do
			kill -0 "$qpid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$qpid" 2>/dev/null
	fi
	wait "$qpid" 2>/dev/null
	qpid=
	rm -f "$pidfile"
}
trap 'stop_qemu; rm -rf "$work"; [[ -z $own_initrd ]] || rm -f "$own_initrd"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# The pattern: random, new each run (a disk that still holds an old one
# proves nothing), made here where it is cheap, and appended to the
# initramfs as /pattern (the kernel unpacks concatenated archives).  The
# initramfs goes next to LOG, where a migration's destination finds it.
# A destination takes both from its source: QEMU's devices and ROMs must
# be the same on both sides.
if [[ -n $incoming ]]; then
	pattern=$from.pattern
	initrd=$from.initrd
else
	pattern=$log.pattern
	initrd=$log.initrd
	own_initrd=$initrd
	if ! { head -c $((16 << 20)) /dev/urandom >"$work/pattern" &&
		(cd "$work" && echo pattern | cpio -o -H newc --quiet -R 0:0 >pattern.cpio) &&
		cat "$base_initrd" "$work/pattern.cpio" >"$initrd" &&
		mv -f "$work/pattern" "$pattern"; }; then
		err "can't make the pattern and the initramfs in $work"
		exit 1
	fi
	rm -f "$work/pattern.cpio"
fi
md5=$(md5sum <"$pattern" | cut -d' ' -f1)
# And of each 4 MiB quarter, for the guest's hotplug and migrate steps
# (an md5sum fewer there for each check).
md5q=
for q in 0 1 2 3; do
	md5q+=${md5q:+,}$(dd if="$pattern" bs=4M skip=$q count=1 2>/dev/null | md5sum | cut -d' ' -f1)
done

# panic=-1 with -no-reboot: a guest panic ends QEMU at once; oops=panic:
# an oops fails fast instead of hanging until the timeout.
cmdline="console=ttyS0 loglevel=4 panic=-1 oops=panic nokaslr no_timer_check"
# Under nested TCG boot takes minutes; what follows trims it, none of it
# matters to the test: no hardening, no LSMs, no crypto self-tests, no
# zeroing of every page allocated, TSC as clocksource (a fallback to HPET
# makes every clock read an emulated MMIO), and no initcalls that take
# seconds for what a throw-away guest never uses (entropy, certificates,
# IPv6, RTC, keyboard).
cmdline+=" mitigations=off lsm=capability cryptomgr.notests init_on_alloc=0"
cmdline+=" tsc=reliable audit=0"
# acpi=noirq: PCI interrupts routed without ACPI's _PRT method, whose AML
# loop nested TCG runs so slowly that it times out (AE_AML_LOOP_TIMEOUT)
# and leaves the boot crawling; virtio-pci uses MSI-X anyway.
cmdline+=" acpi=noirq"
cmdline+=" initcall_blacklist=jent_mod_init,load_system_certificate_list,init_encrypted,crypto_kdf108_init,inet6_init,cmos_init,i8042_init"
cmdline+=" vdev.test=$ring,$test vdev.queues=$queues vdev.wd=$guest_wd vdev.md5=$md5"
cmdline+=" vdev.md5q=$md5q"
# vhost-user-scsi in 7.2 cannot reconnect: no reconnect= on its chardev.
case ${E2E_DEV:-blk} in
blk)
	chardev="socket,id=vb,path=$sock,reconnect=1"
	device="vhost-user-blk-pci,chardev=vb,num-queues=$queues$dev_packed"
	;;
scsi)
	chardev="socket,id=vb,path=$sock"
	device="vhost-user-scsi-pci,chardev=vb,num_queues=$queues$dev_packed"
	cmdline+=" vdev.luns=$scsi_luns${scsi_hot:+ vdev.hot=$scsi_hot}"
	;;
*) usage ;;
esac
[[ -n ${E2E_APPEND:-} ]] && cmdline+=" $E2E_APPEND"

# The CPU: TCG's max, but without ERMS/FSRM, so the guest kernel copies
# and clears memory with 8-byte rep movsq/stosq instead of byte-wise rep
# movsb/stosb (TCG runs those one element per iteration), and without
# 5-level paging (longer page walks for TCG's soft TLB).
cpu=${E2E_CPU:-max,erms=off,fsrm=off,la57=off}
mem=${E2E_MEM:-256M}

# shellcheck disable=SC2054  # the commas are QEMU's
qemu=("$qemu_bin"
	-nodefaults -no-user-config -no-reboot
	-machine pc -accel "tcg,thread=${E2E_TCG_THREAD:-single}" -cpu "$cpu"
	-smp 2 -m "$mem"
	-object "memory-backend-memfd,id=mem,size=$mem,share=on,prealloc=on"
	-machine memory-backend=mem
	-chardev "$chardev"
	-device "$device"
	-kernel "$kernel" -initrd "$initrd" -append "$cmdline"
	-display none -nic none -monitor none
	-chardev stdio,id=con,signal=off -serial chardev:con
	-pidfile "$pidfile")
[[ -n $qmp ]] && qemu+=(-qmp "unix:$qmp,server=on,wait=off")
[[ -n $incoming ]] && qemu+=(-incoming "$incoming")
# shellcheck disable=SC2206  # options, split at blanks on purpose
[[ -n ${E2E_QEMU_OPTS:-} ]] && qemu+=($E2E_QEMU_OPTS)

# boot LOG: run QEMU once, console to LOG, until it exits, the guest gives
# a verdict, or the deadline.  Sets booted (seconds to init, or empty),
# verdict, timed_out.
boot() {
	local grace=0 clog=$1

	rm -f "$pidfile"
	: >"$clog" || exit 1
	"${qemu[@]}" </dev/null >>"$clog" 2>&1 &
	qpid=$!
	say "QEMU started after $(since "$t0") s"
	verdict='' booted='' timed_out=0
	# After a verdict the guest powers off; give it a moment, then
	# stop QEMU ourselves.
	while kill -0 "$qpid" 2>/dev/null; do
		if [[ -z $booted ]] && grep -aq 'VDEV-E2E: BOOTED' "$clog"; then
			booted=$(since "$t0")
			say "guest init started after $booted s"
		fi
		if [[ -z $verdict ]] && grep -aqE 'VDEV-E2E: (PASS|FAIL)' "$clog"; then
			verdict=$(since "$t0")
		fi
		if [[ -n $verdict ]]; then
			grace=$((grace + 1))
			((grace > 15)) && break
		fi
		if ((SECONDS >= deadline_s)); then
			timed_out=1
			break
		fi
		# Not more often: the nested guest shares the bench's CPU.
		sleep 1
	done
	stop_qemu
}

# A guest kernel that died before its init ran: nothing of the test ran.
# Nested under the VM bench's TCG, the guest's early boot dies now and then
# (double fault, or a #GP on iretq with garbage in EFLAGS) when the bench
# VM runs with -cpu max; see selftests/e2e/README.
early_crash() {
	[[ -z $booted && $timed_out == 0 ]] &&
		tr -d '\r' <"$1" | grep -aqE 'Kernel panic|double fault|general protection fault|BUG:'
}

say "qemu: ${qemu[*]}"
attempt=1
while :; do
	deadline_s=$((SECONDS + timeout_s))
	boot "$log"
	# A destination boots nothing: any crash is the migrated guest's.
	if [[ -n $incoming ]] || ! early_crash "$log"; then
		break
	fi
	say "guest kernel crashed during boot, before its init ran (attempt $attempt): $(tr -d '\r' <"$log" | grep -aE -m1 'double fault|general protection|BUG:|Kernel panic')"
	((attempt > ${E2E_BOOT_RETRIES:-3})) && break
	cp -f "$log" "$log.crash$attempt"
	say "booting again (the crash's console is in $log.crash$attempt)"
	attempt=$((attempt + 1))
done
wait_s=$(since "$t0")

strip() { tr -d '\r' <"$log"; }
line=$(strip | grep -aE '^VDEV-E2E: (PASS|FAIL)' | head -n 1)
while read -r l; do
	say "guest: ${l#VDEV-E2E: }"
done < <(strip | grep -aE '^VDEV-E2E: (step|skip|time|discarded|lsblk|hotplug|bg|migrate) ')
if [[ $line == "VDEV-E2E: PASS"* ]]; then
	say "guest PASS after $wait_s s (log $log)"
	exit 0
fi
if [[ -n $line ]]; then
	err "guest says: ${line#VDEV-E2E: }"
elif ((timed_out)); then
	err "TIMEOUT: no verdict from the guest within $timeout_s s${booted:+ (init started after $booted s)}; QEMU killed"
	[[ -s $log || -n $incoming ]] ||
		err "not one byte on the console: QEMU never started the guest (a vhost-user back end that does not answer at realize?)"
elif [[ -n $incoming ]]; then
	err "QEMU exited after $wait_s s without a verdict from the migrated guest (see $log)"
elif early_crash "$log"; then
	# Every boot died before the guest's init: nothing of the test ran.
	err "the guest kernel crashed during boot, before its init ran, $attempt times (see $log): the bench, not the back end"
	exit 3
elif [[ -z $booted ]]; then
	err "QEMU exited after $wait_s s before the guest's init ran (see $log)"
elif [[ -n $qmp ]] && ! strip | grep -aqE 'Kernel panic|BUG:|Oops|general protection|double fault'; then
	say "QEMU exited after $wait_s s without a verdict from the guest (quit over QMP?)"
	exit 5
else
	err "QEMU exited after $wait_s s without a verdict from the guest (see $log)"
fi
exit 1
