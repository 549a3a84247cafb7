#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# deps.sh: install the Debian packages vdev needs to build and test, if any
# is missing.  Idempotent and silent when everything is there; runs
# `apt-get update` only when it has something to install.
#
#   tools/testing/deps.sh           install what is missing (as root)
#   tools/testing/deps.sh --check   list what is missing; exit 1 if any
#   tools/testing/deps.sh --bench   also what `make bench` needs

set -euo pipefail

KVER=6.12.107+deb12-amd64

PACKAGES=(
	# the kernel the module is built for and tested on (in the VM)
	"linux-headers-$KVER" "linux-image-$KVER-unsigned"
	# KUnit under UML (tools/testing/kunit/kunit.py) needs the source
	linux-source-6.12 bc flex bison libelf-dev libssl-dev
	# building: module, tools; sparse for C=1; DKMS packaging
	make gcc libc6-dev pkg-config libmnl-dev sparse dkms
	# the test VM (tools/testing/vm-run) and what runs inside it
	qemu-system-x86 busybox-static cpio kmod xz-utils zstd binutils util-linux
	e2fsprogs fio
	# test_fault_01's failing disk (a dm table swapped to "error")
	dmsetup
	# the end-to-end guest's SCSI checks (sg_inq, sg_vpd, sg_readcap)
	sg3-utils
	# YNL (netlink spec) tooling
	python3-yaml python3-jsonschema
	# `make fuzz`: clang, and its libFuzzer and sanitizer runtimes (only
	# recommended by clang, and recommends are not installed here)
	clang libclang-rt-14-dev
)

# `make bench` only: the plot and the profiles
BENCH_PACKAGES=(gnuplot-nox linux-perf)

# dpkg's abbreviated status is "<want><state><err>": installed means the
# second letter is 'i' (covers held packages too).  One dpkg-query for the
# whole list; unknown packages print nothing and count as missing.
missing_packages() {
	local -A ok=()
	local name st p
	while read -r name st; do
		[[ ${st:1:1} == i ]] && ok[$name]=1
	done < <(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "$@" 2>/dev/null || true)
	for p in "$@"; do
		[[ -n ${ok[$p]:-} ]] || printf '%s\n' "$p"
	done
}

main() {
	local check=0 missing=() still=()
	case ${1:-} in
	--check) check=1 ;;
	--bench) PACKAGES+=("${BENCH_PACKAGES[@]}") ;;
	"") ;;
	*)
		echo "usage: $0 [--check | --bench]" >&2
		exit 2
		;;
	esac

	mapfile -t missing < <(missing_packages "${PACKAGES[@]}")
	((${#missing[@]})) || exit 0

	if ((check)); then
		printf 'missing: %s\n' "${missing[*]}"
		exit 1
	fi
	if [[ $EUID -ne 0 ]]; then
		echo "deps.sh: run as root to install: ${missing[*]}" >&2
		exit 1
	fi

	echo "deps.sh: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# No recommends: dkms would pull in the newest kernel headers and
	# qemu a pile of firmware we don't use.
	apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null

	# Trust nothing: check again.
	mapfile -t still < <(missing_packages "${missing[@]}")
	if ((${#still[@]})); then
		echo "deps.sh: still missing after apt-get: ${still[*]}" >&2
		exit 1
	fi
}

main "$@"
