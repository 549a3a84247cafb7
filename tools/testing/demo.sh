#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`, run inside the VM bench: load vdev, create a virtio-blk
# controller with two queues on a RAM disk, serve it with vdevd, and boot
# a guest on it under Debian's QEMU (vhost-user-blk-pci, nested TCG; the
# guest of selftests/e2e).  The guest shows its lsblk, writes 16 MiB,
# reads them back and discards a MiB; meanwhile the host samples
# `vdevctl stats`, and afterwards reads the guest's data from the RAM disk.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
vdevctl=$root/tools/vdevctl/vdevctl
vdevd=$root/tools/vdevd/vdevd
e2e=$root/selftests/e2e
work=$(mktemp -d)
sock=/run/vdev/demo.sock
vdevd_pid='' guest_pid=''

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }
note() { printf '\033[1mdemo: %s\033[0m\n' "$*"; }
die() {
	note "FAILED: $*"
	exit 1
}

cleanup() {
	[[ -n $guest_pid ]] && kill "$guest_pid" 2>/dev/null && wait "$guest_pid"
	[[ -n $vdevd_pid ]] && kill "$vdevd_pid" 2>/dev/null && wait "$vdevd_pid"
	"$vdevctl" ctrl del demo 2>/dev/null
	rmmod vdev 2>/dev/null
	rm -rf "$work"
}
trap 'cleanup || true' EXIT

# wait_for FILE ERE PID: a line of FILE matches ERE, while PID lives.
wait_for() {
	while kill -0 "$3" 2>/dev/null; do
		[[ -f $1 ]] && tr -d '\r' <"$1" | grep -aqE -- "$2" && return 0
		sleep 1
	done
	[[ -f $1 ]] && tr -d '\r' <"$1" | grep -aqE -- "$2"
}

# The guest's console lines of one kind, without their prefix.
guest_lines() {
	tr -d '\r' <"$work/guest.log" | sed -n "s/^VDEV-E2E: $1 //p"
}

say uname -r
say modprobe brd rd_nr=1 rd_size=262144
say insmod "$root/kmod/vdev.ko"
mkdir -p "${sock%/*}"
say "$vdevctl" ctrl add demo --type virtio-blk --socket "$sock" --queues 2
say "$vdevctl" ns add demo /dev/ram0
say "$vdevctl" ctrl show demo

printf '\n\033[1m$ vdevd --foreground &\033[0m\n'
"$vdevd" --foreground >"$work/vdevd.log" 2>&1 &
vdevd_pid=$!
for _ in $(seq 50); do
	[[ -S $sock ]] && break
	sleep 0.1
done
[[ -S $sock ]] || die "vdevd did not make $sock: $(cat "$work/vdevd.log")"
cat "$work/vdevd.log"

note "booting a guest under QEMU on $sock (nested TCG: some minutes)"
E2E_TIMEOUT=900 "$e2e/run-qemu.sh" "$sock" lsblk,rw,discard no \
	"$work/guest.log" >"$work/run.log" 2>&1 &
guest_pid=$!
wait_for "$work/guest.log" '^VDEV-E2E: step rw' "$guest_pid" ||
	die "the guest did not get to its I/O: $(tail -n 20 "$work/run.log")"
note "QEMU runs with:"
sed -n 's/^# qemu: //p' "$work/run.log" | fold -s -w 100 | sed 's/^/  /'
note "the guest sees its disk:"
guest_lines lsblk | sed 's/^/  guest# /'

note "the guest writes 16 MiB with dd oflag=direct and reads them back"
wait_for "$work/guest.log" '^VDEV-E2E: (time rw|FAIL)' "$guest_pid" ||
	die "the guest's I/O did not finish: $(tail -n 20 "$work/run.log")"
guest_lines time | sed 's/^rw write \(.*\) read \(.*\) md5 .*/  wrote in \1 s, read back in \2 s/'
say "$vdevctl" stats demo

rc=0
wait "$guest_pid" || rc=$?
guest_pid=
sed -n 's/^# guest: discarded/  guest discarded/p' "$work/run.log"
if ((rc != 0)); then
	tail -n 30 "$work/run.log"
	die "the guest failed (run-qemu.sh exit $rc)"
fi
note "the guest says: $(tr -d '\r' <"$work/guest.log" | grep -aoE '^VDEV-E2E: PASS' | sed 's/VDEV-E2E: //')"

# The host's view: what the guest wrote is on the RAM disk, zeros where it
# discarded (the first MiB).
head -c $((1 << 20)) /dev/zero >"$work/want"
tail -c +$(((1 << 20) + 1)) "$work/guest.log.pattern" >>"$work/want"
say dd if=/dev/ram0 of="$work/got" bs=1M count=16 iflag=direct status=none
cmp "$work/got" "$work/want" || die "the RAM disk does not hold what the guest wrote"
note "the host reads back from /dev/ram0 the 16 MiB the guest wrote (the discarded MiB as zeros)"

say "$vdevctl" ctrl show demo
echo
note "vdev served /dev/ram0 to a QEMU guest as a virtio-blk disk with two queues, data path in the kernel."
