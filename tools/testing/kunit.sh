#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run vdev's KUnit suites under UML with the kernel's own kunit.py.
#
# kunit.py boots one kernel image and cannot load a .ko, so vdev is linked
# into a kernel tree as drivers/vdev and built in (kmod/Kconfig,
# kmod/.kunitconfig). The tree is a hard-link copy of the linux-source-6.12
# tree that tools/testing/linux-source.sh unpacks: that one stays pristine
# for the tools that read it (spec-check, checkpatch). The UML build lives
# next to it in the cache, so only the first run builds the whole kernel;
# later runs rebuild what changed.
#
# Usage: tools/testing/kunit.sh [kunit.py run options] [filter glob]
#   e.g. tools/testing/kunit.sh 'vdev_ns.*'
# Environment: VDEV_CACHE (default ~/.cache/vdev), PYTHON (a python3),
# VDEV_KUNIT_BUILD (the UML build dir, default $VDEV_CACHE/kunit/build: a
# run with other --kconfig_add options, as make check-debug's, wants its
# own, or each switch between the two rebuilds the whole kernel).
# Exits non-zero on a build error, a failed or crashed test, or no test run.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cache=${VDEV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vdev}
work=$cache/kunit
tree=$work/linux
build=${VDEV_KUNIT_BUILD:-$work/build}
log=$work/last-run.log

die() {
	echo "kunit.sh: $*" >&2
	exit 1
}

# What a UML build runs (no modules, objtool or signing, so no libelf or
# openssl): say so up front rather than minutes into the build.
for tool in gcc make flex bison bc perl; do
	command -v "$tool" >/dev/null ||
		die "$tool missing (apt-get install build-essential flex bison bc perl)"
done

pristine=$("$root/tools/testing/linux-source.sh")

mkdir -p "$work"
# The tree and the build are shared by every clone on this machine: a CI
# run and a developer's run must not link different repos at once.
exec 9>"$work/lock"
if command -v flock >/dev/null; then
	flock 9
fi

# (Re)make the tree when the pristine one was unpacked anew (another kernel
# version): the tarball's old mtimes would not make make rebuild anything,
# so the build goes too.
stamp="$pristine $(stat -c %i.%Y "$pristine/.vdev-unpacked")"
if [ "$(cat "$work/linux.stamp" 2>/dev/null)" != "$stamp" ]; then
	echo "kunit.sh: making the KUnit kernel tree $tree"
	rm -rf "$tree" "$tree.new" "$build" "$work"/build* "$work/linux.stamp"
	# Hard links take a second and no space; a cache on another file
	# system than the pristine tree gets a real copy.
	if ! cp -al "$pristine" "$tree.new" 2>/dev/null; then
		rm -rf "$tree.new"
		cp -a "$pristine" "$tree.new"
	fi
	mv "$tree.new" "$tree"
	echo "$stamp" >"$work/linux.stamp"
fi

# Files of $tree are hard links into the pristine tree: never write one in
# place. Write a new file and rename it over the link, and only when the
# content changes, so that Kconfig's and make's timestamps stay put.
replace() { # file, new content on stdin
	local tmp=$1.vdev-tmp

	cat >"$tmp"
	if cmp -s "$tmp" "$1"; then
		rm -f "$tmp"
	else
		mv -f "$tmp" "$1"
	fi
}

[ "$(tail -n 1 "$pristine/drivers/Kconfig")" = endmenu ] ||
	die "$pristine/drivers/Kconfig does not end in endmenu: cannot add vdev"
{
	sed '$d' "$pristine/drivers/Kconfig"
	echo 'source "drivers/vdev/kmod/Kconfig"'
	echo
	echo endmenu
} | replace "$tree/drivers/Kconfig"
{
	cat "$pristine/drivers/Makefile"
	# shellcheck disable=SC2016 # a make variable, not a shell one
	echo 'obj-$(CONFIG_VDEV)		+= vdev/'
} | replace "$tree/drivers/Makefile"

# The repository's top Kbuild descends into kmod/. CI clones into a new
# directory each time, so point the link at this clone on every run. When
# the clone changes, its files may be older than the objects built from
# the previous one: drop vdev's objects so that they are rebuilt.
if [ "$(readlink "$tree/drivers/vdev" 2>/dev/null)" != "$root" ]; then
	rm -f "$tree/drivers/vdev"
	ln -s "$root" "$tree/drivers/vdev"
fi
if [ "$(cat "$build.repo" 2>/dev/null)" != "$root" ]; then
	rm -rf "$build/drivers/vdev"
	echo "$root" >"$build.repo"
fi
# Compiler messages name the sources by their path in the kernel tree.
echo "kunit.sh: $tree/drivers/vdev -> $root"

# kunit.py wants Python 3.7 or newer; a pyenv shim may have none selected.
py=
for cand in ${PYTHON:-} python3 /usr/bin/python3; do
	if "$cand" -c 'import sys; sys.exit(sys.version_info < (3, 7))' 2>/dev/null; then
		py=$cand
		break
	fi
done
[ -n "$py" ] || die "no python3 (3.7 or newer) found; set PYTHON"

# Run from make (make check), MAKEFLAGS would hand the outer make's
# command-line variables to the kernel's make, which must see only its own.
unset MAKEFLAGS MFLAGS MAKELEVEL

set +e
"$py" "$tree/tools/testing/kunit/kunit.py" run --arch=um \
	--kunitconfig="$root/kmod/.kunitconfig" --build_dir="$build" \
	--jobs="$(nproc)" "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e

# kunit.py's closing line: "Testing complete. Ran 47 tests: passed: 47".
summary=$(sed -n 's/.*Testing complete\. \(Ran [0-9]* tests.*\)/\1/p' "$log" | tail -n 1)
count() { # status
	local n

	n=$(grep -o "$1: [0-9]*" <<<"$summary" | grep -o '[0-9]*$' || true)
	echo "${n:-0}"
}
passed=$(count passed)
failed=$(( $(count failed) + $(count crashed) ))
skipped=$(count skipped)
errors=$(count errors)

if [ -z "$summary" ]; then
	echo "kunit.sh: no test results (build or boot failed); log: $log" >&2
	exit 1
fi
echo "kunit: $passed passed, $failed failed, $skipped skipped"
echo "kunit.sh: raw KTAP output in $build/test.log"
if [ "$rc" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$errors" -ne 0 ]; then
	echo "kunit.sh: FAILED (kunit.py exit $rc, $errors parse errors); log: $log" >&2
	exit 1
fi
if [ "$passed" -eq 0 ]; then
	echo "kunit.sh: no test passed; a filter that matches nothing?" >&2
	exit 1
fi
# A case can pass while the kernel under it complains: lockdep, KASAN,
# a WARN. kunit.py does not look; the UML kernel's own log says it.
reports='WARNING:|BUG:|Oops|KASAN:|UBSAN:|still has locks held|possible (recursive|circular) locking|inconsistent lock state|suspicious RCU usage|hung_task'
if grep -qE "$reports" "$build/test.log"; then
	echo "kunit.sh: FAILED: the kernel reported problems while the suites ran:" >&2
	grep -nE -A12 "$reports" "$build/test.log" | head -n 60 >&2
	exit 1
fi
