#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check-debug`: every test of vdev on a debug kernel.
#
# Debian's kernel has none of the kernel's own checkers, so a use after
# free, a lock order inversion, a sleep in atomic context or a leak in
# vdev.ko passes `make check` unseen. This script
#
#   1. builds a 6.12 x86_64 kernel from linux-source-6.12 (the pristine tree
#      of tools/testing/linux-source.sh, built with O=, never written) on
#      allnoconfig plus tools/testing/debug-kernel.config: KASAN,
#      PROVE_LOCKING, DEBUG_ATOMIC_SLEEP, KMEMLEAK, UBSAN, KUNIT. Each of
#      them must come out =y, or the run stops. The build is cached in
#      $VDEV_CACHE/debug-kernel/<key>, the key a hash of the fragment,
#      this script's recipe and the source version: a second run builds
#      nothing;
#   2. installs its modules in /lib/modules/<its release> (vm-run's guest
#      sees the host's /, and its initramfs takes the 9p modules from
#      there);
#   3. builds vdev.ko against it twice, from a copy of the sources under
#      build/check-debug/ (the repository's kmod/*.o stay those for
#      Debian's kernel): once plain for the selftests, once with the KUnit
#      suites linked in;
#   4. runs the KUnit suites under UML (tools/testing/kunit.sh, its own
#      build dir) with the same checkers added;
#   5. boots the debug kernel in the VM bench (tools/testing/vm-run
#      --kernel) and runs there the KUnit suites once more (loading the
#      KUnit build of vdev.ko: kmemleak can scan in the VM, not in UML),
#      then every selftest but CHECK_DEBUG_SKIP, then a kmemleak scan.
#      vm-run fails the run (exit 99) on any KASAN, UBSAN, lockdep, sleep
#      in atomic, WARN or kmemleak line in the guest's kernel log.
#
# It prints how long each phase took and exits non-zero if any failed.
#
# Usage: tools/testing/check-debug.sh [--kernel-only] [TEST...]
#   TEST       selftests to run (default: every test_*.sh not skipped)
#   --kernel-only   build (or find) the debug kernel, print its path, stop
# Environment:
#   VDEV_CACHE          cache dir (default ~/.cache/vdev)
#   CHECK_DEBUG_SKIP    selftests not run, globs (default none: every
#                       selftest runs, the nested-QEMU ones too; see
#                       Documentation/testing.rst); "none" is the same
#   CHECK_DEBUG_TIMEOUT vm-run timeout of the selftest run (default 10800)
#   CHECK_DEBUG_JOBS    make -j for the kernel (default 2, run at nice 10)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
testing=$root/tools/testing
cache=${VDEV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vdev}
fragment=$testing/debug-kernel.config
jobs=${CHECK_DEBUG_JOBS:-2}
work=$root/build/check-debug

# Options that must be =y in the debug kernel's .config (the point of it),
# and what the VM bench and the selftests load as modules.
WANTED_Y=(ACPI HPET_TIMER KASAN KASAN_GENERIC PROVE_LOCKING DEBUG_ATOMIC_SLEEP
	DEBUG_KMEMLEAK UBSAN KUNIT KUNIT_DEFAULT_ENABLED DEBUG_FS PVH VIRTIO_PCI SERIAL_8250_CONSOLE
	DEVTMPFS TMPFS BLK_DEV_INITRD MODULES MODULE_UNLOAD)
WANTED_M=(NET_9P NET_9P_VIRTIO 9P_FS CONFIGFS_FS BLK_DEV_RAM
	BLK_DEV_NULL_BLK BLK_DEV_LOOP BLK_DEV_DM DM_DELAY)
# The same checkers for the KUnit run under UML (kmod/.kunitconfig has
# KASAN, PROVE_LOCKING and DEBUG_ATOMIC_SLEEP already). UML lacks
# HAVE_EFFICIENT_UNALIGNED_ACCESS, so UBSAN would check alignment too, and
# UML's own kernel fails that: "UBSAN: misaligned-access in
# kernel/workqueue.c", "... kernel/exit.c:780:2 ... for type 'struct
# task_struct' which requires 64 byte alignment", 17 of them, none in
# vdev. x86 (the VM's kernel) does not check alignment either.
KUNIT_ADD=(CONFIG_KASAN=y CONFIG_PROVE_LOCKING=y CONFIG_DEBUG_ATOMIC_SLEEP=y
	CONFIG_DEBUG_KMEMLEAK=y CONFIG_UBSAN=y CONFIG_UBSAN_BOUNDS=y
	CONFIG_UBSAN_SHIFT=y CONFIG_UBSAN_ALIGNMENT=n CONFIG_DEBUG_LIST=y)

die() {
	echo "check-debug: $*" >&2
	exit 1
}
log() { echo "check-debug: $*"; }

declare -a phase_names=() phase_secs=() phase_results=()
phase() { # name command...: run, time and record one phase
	local name=$1 start rc=0

	shift
	echo "=== $name"
	start=$(date +%s)
	"$@" || rc=$?
	phase_names+=("$name")
	phase_secs+=("$(($(date +%s) - start))")
	if [ "$rc" = 0 ]; then
		phase_results+=(ok)
	else
		phase_results+=("FAILED (exit $rc)")
	fi
	echo "=== $name: ${phase_results[-1]} (${phase_secs[-1]} s)"
	return "$rc"
}

summary() {
	local i

	echo
	echo "check-debug: phases"
	for i in "${!phase_names[@]}"; do
		printf '  %-44s %6s s  %s\n' "${phase_names[$i]}" \
			"${phase_secs[$i]}" "${phase_results[$i]}"
	done
}

# --- 1. the kernel ------------------------------------------------------

# config_wants CONFIG VALUE OPT...: each CONFIG_OPT is VALUE in CONFIG;
# say which are not.
config_wants() {
	local config=$1 want=$2 opt val ok=0

	shift 2
	for opt in "$@"; do
		val=$(sed -n "s/^CONFIG_$opt=//p" "$config")
		if [ "$val" != "$want" ]; then
			echo "check-debug: CONFIG_$opt is '${val:-unset}', wanted $want" >&2
			ok=1
		fi
	done
	return $ok
}

# What decides the kernel: the fragment, the recipe (this script's
# kernel_* functions) and the sources (their version and the tarball's
# size and mtime). Sets pristine, key, kdir, kbuild, bzimage.
kernel_key() {
	pristine=$("$testing/linux-source.sh")
	srcver=$(make -s -C "$pristine" kernelversion)
	key=$({
		echo "recipe 1 $srcver"
		stat -c %s.%Y "${VDEV_LINUX_SOURCE_TAR:-/usr/src/linux-source-6.12.tar.xz}"
		cat "$fragment"
		declare -f kernel_config kernel_build
	} | sha256sum | cut -c1-16)
	kdir=$cache/debug-kernel/$srcver-$key
	kbuild=$kdir/build
	bzimage=$kbuild/arch/x86/boot/bzImage
}

kernel_config() {
	local bad=0

	mkdir -p "$kbuild"
	# Everything off but what the fragment names (and what that selects
	# or defaults to): see the fragment's header for why.
	make -s -C "$pristine" O="$kbuild" KCONFIG_ALLCONFIG="$fragment" \
		allnoconfig >"$kdir/config.log" 2>&1
	make -s -C "$pristine" O="$kbuild" olddefconfig >>"$kdir/config.log" 2>&1
	config_wants "$kbuild/.config" y "${WANTED_Y[@]}" || bad=1
	config_wants "$kbuild/.config" m "${WANTED_M[@]}" || bad=1
	if [ "$bad" != 0 ]; then
		cat "$kdir/config.log" >&2
		return 1
	fi
	log "config ok: ${WANTED_Y[*]} =y; ${WANTED_M[*]} =m"
}

kernel_build() {
	nice -n 10 make -s -C "$pristine" O="$kbuild" -j"$jobs" bzImage modules
}

kernel() {
	mkdir -p "$cache/debug-kernel"
	exec 8>"$cache/debug-kernel/lock"
	flock 8
	if [ -f "$kdir/done" ] && [ -f "$bzimage" ]; then
		log "cached debug kernel: $bzimage"
	else
		log "building the debug kernel in $kbuild (some tens of minutes)"
		# One debug kernel at a time: each build is some GB. An
		# interrupted build of this one goes on where it stopped.
		local d t0
		for d in "$cache"/debug-kernel/*-*/; do
			[ "$d" = "$kdir/" ] || rm -rf "$d"
		done
		mkdir -p "$kdir"
		t0=$(date +%s)
		kernel_config || return 1
		log "configured in $(($(date +%s) - t0)) s"
		kernel_build || return 1
		log "built in $(($(date +%s) - t0)) s"
		touch "$kdir/done"
	fi
	release=$(make -s -C "$pristine" O="$kbuild" kernelrelease)
	flock -u 8
}

# The guest sees the host's /lib/modules over 9p: install the kernel's
# modules there (as root, like the other make targets), once per build.
install_modules() {
	local dest=/lib/modules/$release

	case $release in
	*-vdev-debug) ;;
	*) die "refusing to install modules for release '$release'" ;;
	esac
	if [ "$(cat "$dest/.vdev-debug-key" 2>/dev/null)" = "$key" ]; then
		log "modules installed in $dest"
		return 0
	fi
	[ "$(id -u)" = 0 ] || die "installing $dest needs root"
	rm -rf "$dest"
	make -s -C "$pristine" O="$kbuild" INSTALL_MOD_STRIP=1 \
		modules_install || return 1
	echo "$key" >"$dest/.vdev-debug-key"
	log "modules installed in $dest"
}

# --- 2. vdev.ko for it --------------------------------------------------

# A copy of what Kbuild reads (the top Kbuild, kmod/, uapi/) in $1, built
# with the extra make arguments that follow.
build_vdev() { # dir make-args...
	local dir=$1

	shift
	mkdir -p "$dir/kmod" "$dir/uapi"
	cp -a "$root/Kbuild" "$dir/"
	# Copy only what changed, so that make rebuilds only that.
	(cd "$root" && find kmod uapi -type f \( -name '*.[ch]' -o -name Kbuild \
		-o -name Kconfig \) -print0) |
		while IFS= read -r -d '' f; do
			if ! cmp -s "$root/$f" "$dir/$f"; then
				mkdir -p "$dir/$(dirname "$f")"
				cp "$root/$f" "$dir/$f"
			fi
		done
	make -s -C "$kbuild" M="$dir" CONFIG_VDEV=m "$@" modules || return 1
	[ -f "$dir/kmod/vdev.ko" ] || die "no $dir/kmod/vdev.ko"
}

modules() {
	# W=1 as make check's build, which the KUnit files are not held to.
	build_vdev "$work/vdev" W=1 &&
		build_vdev "$work/vdev-kunit" CONFIG_VDEV_KUNIT_TEST=y &&
		make -s -C "$root/tools/vdevctl" &&
		make -s -C "$root/tools/vdevd" &&
		make -s -C "$root/tools/vdev-perf" &&
		make -s -C "$root/selftests/vu" &&
		make -s -C "$root/selftests/vfu" &&
		"$testing/stage-ynl.sh"
}

# --- 3. KUnit under UML -------------------------------------------------

kunit_uml() {
	local args=() opt build val bad=0

	build=$cache/kunit/build-debug
	for opt in "${KUNIT_ADD[@]}"; do
		args+=(--kconfig_add "$opt")
	done
	VDEV_KUNIT_BUILD=$build "$testing/kunit.sh" "${args[@]}" || return 1
	# kunit.py checks that the .kunitconfig options held; check ours.
	for opt in "${KUNIT_ADD[@]}"; do
		val=$(sed -n "s/^${opt%%=*}=//p" "$build/.config")
		if [ "${val:-n}" != "${opt#*=}" ]; then
			echo "check-debug: UML: $opt wanted, ${val:-n} in $build/.config" >&2
			bad=1
		fi
	done
	[ "$bad" = 0 ] || return 1
	log "UML kernel had: ${KUNIT_ADD[*]}"
}

# --- 4. in the VM -------------------------------------------------------

vm() { # out-dir timeout vm-check-debug args...
	local out=$1 timeout=$2

	shift 2
	"$testing/vm-run" --kernel "$bzimage" --timeout "$timeout" \
		--out "$out" -- "$testing/check-debug-vm" "$@"
}

vm_kunit() {
	vm "$work/vm-kunit" 1800 kunit "$work/vdev-kunit/kmod/vdev.ko"
}

# Is test $1 in the skip list (globs) $2?
skipped() {
	local - glob

	set -f # the globs match test names, not files here
	for glob in $2; do
		# shellcheck disable=SC2053 # a glob, on purpose
		[[ $1 == $glob ]] && return 0
	done
	return 1
}

vm_selftests() {
	local tests=("$@") skip t keep=() dropped=()

	skip=${CHECK_DEBUG_SKIP-none}
	[ "$skip" = none ] && skip=
	if [ ${#tests[@]} = 0 ]; then
		for t in "$root"/selftests/test_*.sh; do
			[ "${t##*/}" = test_common.sh ] || tests+=("$t")
		done
	fi
	for t in "${tests[@]}"; do
		t=${t##*/}
		if skipped "$t" "$skip"; then
			dropped+=("$t")
		else
			keep+=("$t")
		fi
	done
	[ ${#keep[@]} -gt 0 ] || die "every selftest is skipped"
	log "not run (CHECK_DEBUG_SKIP='$skip'): ${dropped[*]:-none}"
	vm "$work/vm-selftests" "${CHECK_DEBUG_TIMEOUT:-10800}" selftests \
		"$work/vdev/kmod/vdev.ko" "${keep[@]}"
}

main() {
	local kernel_only=0 rc=0

	if [ "${1:-}" = --kernel-only ]; then
		kernel_only=1
		shift
	fi
	mkdir -p "$work"
	unset MAKEFLAGS MFLAGS MAKELEVEL
	kernel_key
	phase "kernel: configure and build (or cached)" kernel || exit 1
	if [ "$kernel_only" = 1 ]; then
		echo "$bzimage"
		exit 0
	fi
	phase "kernel: install modules for $release" install_modules || exit 1
	phase "vdev.ko (plain and KUnit) and the tools" modules || exit 1
	phase "kunit: suites under UML with the checkers" kunit_uml || rc=1
	phase "kunit: suites in the VM on the debug kernel" vm_kunit || rc=1
	phase "selftests: in the VM on the debug kernel" vm_selftests "$@" || rc=1
	summary
	if [ "$rc" = 0 ]; then
		log "passed"
	else
		log "FAILED"
	fi
	return "$rc"
}

main "$@"
