#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vhost-scsi-setup.sh: serve a block device through kernel vhost-scsi (LIO),
# for `vdev-perf --vhost-scsi WWPN` or QEMU's vhost-scsi-pci, configured
# through configfs directly (what targetcli does, without the package):
#
#   target/core/iblock_N/NAME      the backstore: udev_path=DEV, enabled
#   target/vhost/WWPN/tpgt_1       the target port group: target 1 to a guest
#     lun/lun_0/NAME -> backstore  LUN 0
#     nexus                        the I_T nexus, an initiator port name
#
# NAME is vs_<device name>; N the first free iblock HBA. --teardown undoes
# it in reverse (and whatever else the WWPN holds), unless a process has
# /dev/vhost-scsi open. Run as root, inside the test VM for one: it loads
# target_core_mod, target_core_iblock, vhost_scsi.
#
# Usage: vhost-scsi-setup.sh [--teardown] DEV WWPN [INITIATOR]
#   WWPN       naa.<16 hex digits>, e.g. naa.5001405000000001
#   INITIATOR  the nexus's initiator port (default: WWPN with the last
#              digit's low bit flipped)

set -euo pipefail

PROG=vhost-scsi-setup.sh
CONFIGFS=/sys/kernel/config
TARGET=$CONFIGFS/target
TPGT=tpgt_1

msg() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() {
	msg "error: $*"
	exit 1
}

usage() {
	sed -n '/^# Usage:/,/^$/s/^# \{0,1\}//p' "$0" >&2
	exit 2
}

# The initiator port of the nexus: another naa. name, as targetcli makes one.
default_initiator() {
	local last=${wwpn: -1}

	printf '%s%x\n' "${wwpn%?}" $((0x$last ^ 1))
}

check_args() {
	[[ $wwpn =~ ^naa\.[0-9a-fA-F]{16}$ ]] ||
		die "WWPN $wwpn: want naa. and 16 hex digits (naa.5001405000000001)"
	initiator=${initiator:-$(default_initiator)}
	[[ $initiator =~ ^naa\.[0-9a-fA-F]{16}$ ]] ||
		die "initiator $initiator: want naa. and 16 hex digits, as the WWPN"
	[[ $initiator != "$wwpn" ]] || die "the initiator must differ from the WWPN"
}

load_modules() {
	modprobe -a target_core_mod target_core_iblock vhost_scsi ||
		die "modprobe target_core_mod target_core_iblock vhost_scsi failed"
	if ! mountpoint -q "$CONFIGFS"; then
		mount -t configfs configfs "$CONFIGFS" || die "mount configfs on $CONFIGFS failed"
	fi
	[[ -d $TARGET ]] || die "$TARGET missing: target_core_mod did not register"
	[[ -c /dev/vhost-scsi ]] || die "/dev/vhost-scsi missing after modprobe vhost_scsi"
}

# The first iblock HBA number not in use.
free_hba() {
	local n=0

	while [[ -e $TARGET/core/iblock_$n ]]; do
		n=$((n + 1))
	done
	echo "iblock_$n"
}

# Write VALUE into configfs attribute FILE, saying which on failure.
put() {
	local file=$1 value=$2

	printf '%s\n' "$value" >"$file" || die "writing '$value' to $file failed (see dmesg)"
}

setup() {
	local so tpg

	[[ -b $dev ]] || die "$dev: not a block device"
	load_modules
	[[ ! -e $TARGET/vhost/$wwpn ]] ||
		die "$wwpn is configured already: $PROG --teardown $dev $wwpn first"
	if compgen -G "$TARGET/core/iblock_*/$name" >/dev/null; then
		die "a backstore $name exists already: $PROG --teardown $dev $wwpn first"
	fi
	# Whatever fails from here on is undone.
	trap 'msg "setup failed: undoing"; teardown' EXIT

	so=$TARGET/core/$(free_hba)/$name
	mkdir -p "$so"
	put "$so/control" "udev_path=$dev"
	put "$so/enable" 1

	# The fabric directory (vhost) registers vhost_scsi with LIO.
	tpg=$TARGET/vhost/$wwpn/$TPGT
	mkdir -p "$tpg/lun/lun_0"
	ln -s "$so" "$tpg/lun/lun_0/$name"
	put "$tpg/nexus" "$initiator"

	trap - EXIT
	echo "$PROG: $dev is LUN 0 of target 1 (${TPGT}) of vhost-scsi $wwpn, nexus $initiator"
}

# Unlink and remove every LUN of a target port group, drop its nexus.
teardown_tpg() {
	local tpg=$1 lun link

	for lun in "$tpg"/lun/lun_*; do
		[[ -d $lun ]] || continue
		for link in "$lun"/*; do
			if [[ -L $link ]]; then
				rm -- "$link"
			fi
		done
		rmdir -- "$lun"
	done
	# Reading the nexus fails while there is none.
	if cat "$tpg/nexus" >/dev/null 2>&1; then
		put "$tpg/nexus" NULL
	fi
	rmdir -- "$tpg" || die "$tpg is busy: is vdev-perf or QEMU still using $wwpn?"
}

# The pids that hold /dev/vhost-scsi open. LIO lets a LUN be unlinked
# under a running endpoint (its commands then go to a virtual LUN 0), and
# only the nexus and the tpgt refuse to go: so look before unlinking.
vhost_users() {
	local dir

	# One find for every fd: a readlink per fd forks too much under TCG.
	# A process that exits during the walk makes find fail: not ours.
	{ find /proc/[0-9]*/fd -maxdepth 1 -lname /dev/vhost-scsi \
		-printf '%h\n' 2>/dev/null || true; } | while read -r dir; do
		dir=${dir#/proc/}
		echo "${dir%%/*}"
	done | sort -u
}

# Refuse to take the target from under a user (we may not know which
# WWPN each one has: any open /dev/vhost-scsi counts).
check_unused() {
	local pids pid who=''

	pids=$(vhost_users)
	[[ -n $pids ]] || return 0
	for pid in $pids; do
		who+=" $pid ($(cat "/proc/$pid/comm" 2>/dev/null || echo gone))"
	done
	die "/dev/vhost-scsi is open by$who: stop it before tearing $wwpn down"
}

teardown() {
	local tpg so

	trap - EXIT
	if [[ -d $TARGET/vhost/$wwpn ]]; then
		for tpg in "$TARGET/vhost/$wwpn"/tpgt_*; do
			[[ -d $tpg ]] && teardown_tpg "$tpg"
		done
		rmdir -- "$TARGET/vhost/$wwpn"
	fi
	# The fabric directory goes too when no other WWPN is left in it.
	if [[ -d $TARGET/vhost ]] && ! compgen -G "$TARGET/vhost/*.*" >/dev/null; then
		rmdir -- "$TARGET/vhost" 2>/dev/null || true
	fi
	for so in "$TARGET"/core/iblock_*/"$name"; do
		[[ -d $so ]] || continue
		rmdir -- "$so"
		# The HBA, if the backstore was its only one.
		rmdir -- "${so%/*}" 2>/dev/null || true
	done
}

main() {
	local mode=setup

	if [[ ${1:-} == --teardown ]]; then
		mode=teardown
		shift
	fi
	[[ $# -eq 2 || $# -eq 3 ]] || usage
	dev=$1
	wwpn=$2
	initiator=${3:-}
	name=vs_$(basename -- "$dev")
	check_args
	[[ $EUID -eq 0 ]] || die "must run as root"
	if [[ $mode == teardown ]]; then
		[[ -d $TARGET ]] || exit 0
		check_unused
		teardown
		echo "$PROG: $wwpn and backstore $name removed"
	else
		setup
	fi
}

main "$@"
