#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers for vdev's kselftests. A test script sources this, calls
# vdev_test_init, runs checks with the assert helpers and ends with
# vdev_test_done. Output is TAP; kselftest exit codes: 0 pass, 1 fail,
# 4 skip.

KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

VDEV_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VDEV_KO=${VDEV_KO:-$VDEV_ROOT/kmod/vdev.ko}
VDEVCTL=${VDEVCTL:-$VDEV_ROOT/tools/vdevctl/vdevctl}
VDEV_SPEC=$VDEV_ROOT/Documentation/netlink/specs/vdev.yaml
# tools/testing/stage-ynl.sh copies the kernel's ynl CLI here.
VDEV_YNL_DIR=${VDEV_YNL_DIR:-$VDEV_ROOT/build/ynl}

# vdevctl's exit codes (tools/vdevctl/vdevctl.h).
EX_OK=0
EX_ERROR=1
EX_USAGE=2
EX_NOMODULE=3
EX_PERM=4
EX_NOTFOUND=5
EX_EXISTS=6
EX_BUSY=7
EX_INVAL=8

vdev_tests=0
vdev_failed=0
vdev_tmp=

vdev_test_init() {
	if [ "$(id -u)" != 0 ]; then
		echo "# SKIP: vdev selftests need root"
		exit $KSFT_SKIP
	fi
	vdev_tmp=$(mktemp -d)
	trap vdev_test_exit EXIT
	vdev_load || exit $KSFT_FAIL
	vdev_clean
}

vdev_test_exit() {
	local status=$?

	vdev_clean 2>/dev/null
	rm -rf "$vdev_tmp"
	exit $status
}

vdev_test_done() {
	echo "# $vdev_tests checks, $vdev_failed failed"
	[ "$vdev_failed" = 0 ] && exit $KSFT_PASS
	exit $KSFT_FAIL
}

# --- results --------------------------------------------------------------

pass() {
	vdev_tests=$((vdev_tests + 1))
	echo "# ok $vdev_tests - $*"
}

fail() {
	vdev_tests=$((vdev_tests + 1))
	vdev_failed=$((vdev_failed + 1))
	echo "# not ok $vdev_tests - $*"
}

check() { # description, then a command that must succeed
	local desc=$1

	shift
	if "$@" >"$vdev_tmp/out" 2>&1; then
		pass "$desc"
	else
		fail "$desc"
		sed 's/^/#   /' "$vdev_tmp/out"
	fi
}

# expect_exit CODE DESC CMD...: CMD exits with CODE and says something on
# stderr (a silent failure is a failure too).
expect_exit() {
	local want=$1 desc=$2 got

	shift 2
	"$@" >"$vdev_tmp/out" 2>"$vdev_tmp/err"
	got=$?
	if [ "$got" = "$want" ] && { [ "$want" = 0 ] || [ -s "$vdev_tmp/err" ]; }; then
		pass "$desc"
	else
		fail "$desc (exit $got, want $want)"
		sed 's/^/#   /' "$vdev_tmp/out" "$vdev_tmp/err"
	fi
}

# expect_eq DESC GOT WANT
expect_eq() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1 (got '$2', want '$3')"
	fi
}

# expect_match DESC TEXT REGEX
expect_match() {
	if grep -Eq -- "$3" <<<"$2"; then
		pass "$1"
	else
		fail "$1 ('$2' does not match /$3/)"
	fi
}

# --- the module -----------------------------------------------------------

vdev_loaded() {
	[ -d /sys/module/vdev ]
}

vdev_load() {
	vdev_loaded && return 0
	if [ ! -f "$VDEV_KO" ]; then
		echo "# $VDEV_KO missing: run make"
		return 1
	fi
	insmod "$VDEV_KO"
}

vdev_unload() {
	vdev_loaded || return 0
	rmmod vdev
}

# Delete every controller, so each test starts from nothing.
vdev_clean() {
	local name

	vdev_loaded || return 0
	for name in $(vdev_ctrl_names); do
		"$VDEVCTL" ctrl del "$name" >/dev/null 2>&1
	done
}

vdevctl() {
	"$VDEVCTL" "$@"
}

vdev_ctrl_names() {
	"$VDEVCTL" --json ctrl list | json_get '[c["name"] for c in d]'
}

vdev_ctrl_count() {
	"$VDEVCTL" --json ctrl list | json_get 'len(d)'
}

vdev_ns_count() {
	"$VDEVCTL" --json ns list "$@" | json_get 'len(d)'
}

# json_get EXPR: evaluate a Python expression over the JSON on stdin (as d)
# and print the result, lists one item a line.
json_get() {
	/usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
r = eval(sys.argv[1])
if isinstance(r, list):
    print("\n".join(str(x) for x in r))
elif isinstance(r, bool):
    print("true" if r else "false")
else:
    print(r)
' "$1"
}

# --- the kernel's ynl CLI -------------------------------------------------

vdev_ynl_available() {
	[ -f "$VDEV_YNL_DIR/cli.py" ]
}

# ynl ARGS...: the kernel's tools/net/ynl/cli.py on our spec, JSON out.
# Validating the spec against the genetlink schema costs seconds under TCG:
# test_ynl_01 does it once (ynl_validated), the rest skip it.
ynl() {
	/usr/bin/python3 "$VDEV_YNL_DIR/cli.py" --spec "$VDEV_SPEC" \
		--no-schema --output-json "$@"
}

ynl_validated() {
	/usr/bin/python3 "$VDEV_YNL_DIR/cli.py" --spec "$VDEV_SPEC" \
		--schema "$VDEV_YNL_DIR/genetlink.yaml" --output-json "$@"
}

# ynl_expect_err ERRNO-NAME DESC ARGS...: the request fails with that errno
# (as strerror prints it, e.g. "Invalid argument").
ynl_expect_err() {
	local want=$1 desc=$2 out

	shift 2
	out=$(ynl "$@" 2>&1)
	if grep -q "^Netlink error: $want\$" <<<"$out"; then
		pass "$desc"
	else
		fail "$desc (want $want)"
		sed 's/^/#   /' <<<"$out"
	fi
}

# --- block devices --------------------------------------------------------

# RAM disks for backing: at least N of them, /dev/ram0.. (brd, 64 MiB
# each). brd's count is fixed at load, and an earlier test may have loaded
# it with fewer: reload it then (every test releases its disks on exit).
vdev_brd_setup() {
	local n=${1:-4} nr=8

	[ "$n" -gt $nr ] && nr=$n
	if [ ! -b "/dev/ram$((n - 1))" ]; then
		modprobe -r brd 2>/dev/null
		modprobe brd rd_nr=$nr rd_size=65536 || return 1
	fi
	udevadm settle 2>/dev/null || true
	[ -b "/dev/ram$((n - 1))" ]
}

# A device is free when nobody holds it exclusively: an O_EXCL open of a
# block device fails with EBUSY while the kernel has it claimed.
vdev_bdev_free() {
	/usr/bin/python3 -c '
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_EXCL)
os.close(fd)
' "$1" 2>/dev/null
}
