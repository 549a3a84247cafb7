#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkguest.sh: build the end-to-end test guest, unless a cached one was made
# from the same inputs, and print where it is:
#
#   line 1: the initramfs (busybox-static, virtio_blk.ko, guest-init as /init,
#           util-linux's lsblk; with E2E_DEV=scsi virtio_scsi.ko and
#           sd_mod.ko instead, and sg3-utils' sg_inq, sg_vpd and
#           sg_readcap when the host has them)
#   line 2: the kernel to boot it with
#
# The guest boots the bench's own kernel (/boot/vmlinuz-$KVER, or
# $E2E_KERNEL), as an uncompressed ELF vmlinux when it has a PVH entry
# point: the nested guest then skips decompressing itself, which costs tens
# of seconds under nested TCG.  The vmlinux that tools/testing/vm-run
# extracted ($VDEV_BUILD/vm) is reused when it matches.
#
# Cache: ${VDEV_CACHE:-$HOME/.cache/vdev}/e2e.  Environment:
#   E2E_KERNEL   kernel image (default /boot/vmlinuz-6.12.107+deb12-amd64);
#                its modules must be in /lib/modules/<version>
#   E2E_NO_PVH=1 boot the bzImage as it is
#   VDEV_CACHE   cache root
#
# Exit: 0 built or up to date, 1 failed, 4 something needed is missing
# (and can't be installed here).
set -euo pipefail

HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd -- "$HERE/../.." && pwd -P)
KVER_DEFAULT=6.12.107+deb12-amd64
# Modules the guest loads, in order (with their dependencies): its disk's
# driver, virtio_blk, or virtio_scsi and sd with E2E_DEV=scsi.
GUEST_MODULES=(virtio_blk)
# Programs the guest runs beyond busybox (with the libraries they load).
GUEST_PROGS=(lsblk)
initrd_suffix=
if [[ ${E2E_DEV:-blk} == scsi ]]; then
	GUEST_MODULES=(virtio_scsi sd_mod)
	# What the guest's ident and hotplug steps ask the LUNs, over SG_IO
	# on the disk itself (no sg module needed).
	GUEST_PROGS+=(sg_inq sg_vpd sg_readcap)
	initrd_suffix=-scsi
fi

msg() { echo "mkguest: $*" >&2; }
die() {
	msg "error: $*"
	exit 1
}
missing() {
	msg "missing: $*"
	exit 4
}

kernel=${E2E_KERNEL:-/boot/vmlinuz-$KVER_DEFAULT}
cache=${VDEV_CACHE:-${HOME:-/root}/.cache/vdev}/e2e

# The version string of a bzImage, from its setup header (as vm-run).
kernel_version() {
	local off v
	off=$(od -An -tu2 -j $((0x20e)) -N2 "$1" | tr -d ' ')
	[[ $off =~ ^[0-9]+$ && $off -gt 0 ]] || return 1
	v=$(dd if="$1" bs=1 skip=$((off + 0x200)) count=128 2>/dev/null |
		tr '\0' '\n' | head -n1)
	v=${v%% *}
	[[ -n $v ]] || return 1
	printf '%s\n' "$v"
}

# A statically linked busybox, installed if missing and possible (the VM
# bench sees the host's / read-only: install there, tools/testing/deps.sh).
find_busybox() {
	local b
	for b in /usr/bin/busybox /bin/busybox; do
		[[ -x $b ]] || continue
		if [[ $(LC_ALL=C ldd "$b" 2>&1) == *"not a dynamic"* ]]; then
			printf '%s\n' "$b"
			return 0
		fi
	done
	return 1
}

ensure_busybox() {
	busybox=$(find_busybox) && return 0
	if [[ $EUID -eq 0 && -z ${VDEV_IN_VM:-} ]] && command -v apt-get >/dev/null; then
		msg "installing busybox-static"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends busybox-static </dev/null >&2 ||
			missing "busybox-static (apt-get install failed)"
		busybox=$(find_busybox) && return 0
	fi
	missing "a static busybox: apt-get install busybox-static (tools/testing/deps.sh)"
}

# Module files for the guest (host paths, dependency order), skipping
# those built into the kernel.
guest_module_files() {
	local m line seen=" "
	for m in "${GUEST_MODULES[@]}"; do
		if grep -q "/$m.ko" "/lib/modules/$kver/modules.builtin" 2>/dev/null; then
			continue
		fi
		while read -r line; do
			[[ $line == insmod\ * ]] || continue
			line=${line#insmod }
			line=${line%% *}
			[[ $seen == *" $line "* ]] && continue
			seen+="$line "
			printf '%s\n' "$line"
		done < <(modprobe -S "$kver" --show-depends "$m" 2>/dev/null)
	done
}

# GUEST_PROGS the host has and the libraries they load, each once:
# util-linux's lsblk (busybox has none; what a user would type in the
# guest, for `make demo`) and, for SCSI, sg3-utils.  A program the host
# lacks is left out; the guest step that needs it says so.
prog_files() {
	local p path
	for p in "${GUEST_PROGS[@]}"; do
		path=$(command -v "$p") || continue
		printf '%s\n' "$path"
		ldd "$path" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
	done | awk '!seen[$0]++'
}

build_initramfs() {
	local mods extras key tmp m base i=0
	mapfile -t mods < <(guest_module_files)
	mapfile -t extras < <(prog_files)
	initrd=$cache/initramfs-$kver$initrd_suffix.cpio
	key=$({
		echo "format 3 $kver"
		sha256sum "$HERE/guest-init" "$busybox" "${mods[@]}" "${extras[@]}"
	} | sha256sum | cut -d' ' -f1)
	if [[ -s $initrd && -f $initrd.key && $(<"$initrd.key") == "$key" ]]; then
		return 0
	fi
	msg "building $initrd"
	tmp=$(mktemp -d "$cache/.initramfs.XXXXXX")
	mkdir -p "$tmp/root/"{bin,dev,proc,sys,tmp,lib/modules}
	cp "$busybox" "$tmp/root/bin/busybox"
	# Every applet as a link in /bin, so the guest needn't make them.
	# One perl (Debian's perl-base is essential) rather than 400 ln:
	# forks cost under TCG.
	"$busybox" --list | perl -e 'my $d = shift; while (<STDIN>) {
		chomp; next if $_ eq "busybox" || m{/};
		symlink("busybox", "$d/$_") or die "$d/$_: $!\n" }' \
		"$tmp/root/bin" || die "making the applet links"
	install -m 755 "$HERE/guest-init" "$tmp/root/init"
	for m in "${extras[@]}"; do
		cp -L --parents "$m" "$tmp/root" || die "copying $m"
	done
	# The initial console, for the kernel's own messages to init; /init
	# mounts devtmpfs anyway.
	[[ $EUID -eq 0 ]] && mknod -m 600 "$tmp/root/dev/console" c 5 1
	# Busybox insmod can't read compressed modules; guest-init loads
	# them in glob order, hence the numbering.
	for m in "${mods[@]}"; do
		base=$(printf '%02d-%s' "$i" "${m##*/}")
		i=$((i + 1))
		case $m in
		*.ko.xz) xz -dc "$m" >"$tmp/root/lib/modules/${base%.xz}" ;;
		*.ko.zst) zstd -qdc "$m" >"$tmp/root/lib/modules/${base%.zst}" ;;
		*.ko.gz) gzip -dc "$m" >"$tmp/root/lib/modules/${base%.gz}" ;;
		*.ko) cp "$m" "$tmp/root/lib/modules/$base" ;;
		*) rm -rf "$tmp" && die "unexpected module file $m" ;;
		esac
	done
	(cd "$tmp/root" && find . -print0 | LC_ALL=C sort -z |
		cpio --null -o -H newc --quiet -R 0:0) >"$tmp/initrd"
	mv -f "$tmp/initrd" "$initrd"
	echo "$key" >"$initrd.key"
	rm -rf "$tmp"
}

# Is FILE an ELF vmlinux with a PVH entry (Xen note type 0x12)?
is_pvh_vmlinux() {
	[[ $(head -c 4 "$1" | od -An -tx1 | tr -d ' \n') == 7f454c46 ]] &&
		LC_ALL=C readelf -n "$1" 2>/dev/null | grep -q 'Unknown note type: (0x00000012)'
}

# The kernel's sha256 (the key vm-run uses too), remembered along with
# its size, mtime and inode: hashing it costs seconds under TCG.
kernel_sha256() {
	local st memo=$cache/kernel.sha256 m_st m_sum
	st=$(stat -L -c '%n %s %Y %i' "$kernel")
	if [[ -f $memo ]] && { read -r m_sum; read -r m_st; } <"$memo" &&
		[[ $m_st == "$st" && -n $m_sum ]]; then
		printf '%s\n' "$m_sum"
		return 0
	fi
	m_sum=$(sha256sum <"$kernel" | cut -d' ' -f1)
	printf '%s\n%s\n' "$m_sum" "$st" >"$memo.tmp" && mv -f "$memo.tmp" "$memo"
	printf '%s\n' "$m_sum"
}

# The kernel to boot: a PVH vmlinux if there is one to be had, else the
# bzImage.  The key is the bzImage's sha256, as in vm-run.
prepare_kernel() {
	local key tmp off fmt vmlinux vmrun
	boot_kernel=$kernel
	[[ ${E2E_NO_PVH:-0} == 1 ]] && return 0
	command -v readelf >/dev/null || return 0
	key=$(kernel_sha256)
	vmrun=${VDEV_BUILD:-$REPO/build}/vm/vmlinux-$kver
	for vmlinux in "$vmrun" "$cache/vmlinux-$kver"; do
		if [[ -s $vmlinux && -f $vmlinux.key && $(<"$vmlinux.key") == "$key" ]]; then
			boot_kernel=$vmlinux
			return 0
		fi
	done
	vmlinux=$cache/vmlinux-$kver
	rm -f "$vmlinux" "$vmlinux.key"
	tmp=$(mktemp "$cache/.vmlinux.XXXXXX")
	for fmt in zstd:'\x28\xb5\x2f\xfd' xz:'\xfd\x37\x7a\x58\x5a\x00' gzip:'\x1f\x8b\x08'; do
		off=$(LC_ALL=C grep -obUaP -m1 -- "${fmt#*:}" "$kernel" | head -n 1 | cut -d: -f1) || off=
		[[ -n $off ]] || continue
		tail -c +$((off + 1)) "$kernel" | "${fmt%%:*}" -dc >"$tmp" 2>/dev/null || true
		if is_pvh_vmlinux "$tmp"; then
			mv -f "$tmp" "$vmlinux"
			echo "$key" >"$vmlinux.key"
			boot_kernel=$vmlinux
			msg "extracted $vmlinux (${fmt%%:*}) for PVH boot"
			break
		fi
	done
	rm -f "$tmp"
	return 0
}

main() {
	(($# == 0)) || {
		echo "usage: $0   (prints the initramfs and kernel paths)" >&2
		exit 2
	}
	local t
	for t in cpio xz modprobe sha256sum od flock; do
		command -v "$t" >/dev/null || missing "'$t' (tools/testing/deps.sh)"
	done
	[[ -r $kernel ]] || missing "kernel image $kernel (\$E2E_KERNEL; tools/testing/deps.sh)"
	kver=$(kernel_version "$kernel") || die "can't read the version of $kernel"
	[[ -d /lib/modules/$kver ]] || missing "/lib/modules/$kver for $kernel"
	ensure_busybox

	mkdir -p "$cache"
	# One builder at a time; the others wait and find it built.
	exec {lock}>"$cache/.lock"
	flock "$lock"
	build_initramfs
	prepare_kernel
	exec {lock}>&-
	printf '%s\n%s\n' "$initrd" "$boot_kernel"
}

main "$@"
