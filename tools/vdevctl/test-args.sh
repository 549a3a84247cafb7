#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vdevctl's argument handling, without the kernel: usage errors exit 2
# (USAGE) with a message, help exits 0, and with no vdev module every
# command exits 3 (NOMODULE). Where the vdev family exists (in the test VM
# with the module loaded) the no-module checks are skipped. TAP output.
#
# usage: test-args.sh [path/to/vdevctl]

VDEVCTL=${1:-${VDEVCTL:-$(dirname "$0")/vdevctl}}
TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT

EXIT_OK=0
EXIT_USAGE=2
EXIT_NOMODULE=3
EXIT_NOTFOUND=5

n=0
failed=0

# The family, not the module file, decides: genl asks the kernel itself.
vdev_family_exists()
{
	[ -d /sys/module/vdev ] && return 0
	command -v genl >/dev/null && genl ctrl get name vdev >/dev/null 2>&1
}

ok()
{
	n=$((n + 1))
	echo "ok $n - $1"
}

not_ok()
{
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	shift
	for line in "$@"; do
		echo "#   $line"
	done
}

skip()
{
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

# check DESC RC STREAM PATTERN -- ARGS...: run vdevctl ARGS, expect exit
# code RC and PATTERN (grep -E) in STREAM (out or err).
check()
{
	local desc=$1 want=$2 stream=$3 pattern=$4 rc
	shift 5

	"$VDEVCTL" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		not_ok "$desc" "vdevctl $*" "exit $rc, want $want" \
			"stderr: $(head -n 3 "$TMP/err")"
	elif ! grep -Eq -- "$pattern" "$TMP/$stream"; then
		not_ok "$desc" "vdevctl $*" "std$stream lacks /$pattern/" \
			"got: $(head -n 3 "$TMP/$stream")"
	else
		ok "$desc"
	fi
}

usage()
{
	local desc=$1 pattern=$2
	shift 2

	check "$desc" $EXIT_USAGE err "^vdevctl: .*$pattern" -- "$@"
}

help()
{
	check "help: vdevctl $*" $EXIT_OK out '^usage' -- "$@"
}

nomodule()
{
	if vdev_family_exists; then
		skip "no module: vdevctl $*" "vdev family is registered"
		return
	fi
	check "no module: vdevctl $*" $EXIT_NOMODULE err \
		'^vdevctl: .*vdev module not loaded \(modprobe vdev' -- "$@"
}

if [ ! -x "$VDEVCTL" ]; then
	echo "Bail out! $VDEVCTL not built (make -C tools/vdevctl)"
	exit 1
fi

SOCK=(--type virtio-blk --socket /run/vdev/t0.sock)

PLAN=65
echo "1..$PLAN"

help help
help -h
help --help
help ctrl help
help ctrl -h
help ctrl add --help
help ns help
help ns -h
help stats help
help stats -h
help monitor help
help monitor -h
check "help lists the exit codes" $EXIT_OK out '3  NOMODULE' -- help
check "help lists stats" $EXIT_OK out '^  vdevctl stats \[CTRL\]$' -- help

usage "no object" "missing OBJECT"
usage "unknown object" "unknown object 'frob'" frob
usage "unknown global option" "unknown option '--frob'" --frob ctrl list
usage "missing verb" "missing verb" ctrl
usage "unknown verb" "unknown verb 'frob'" ctrl frob
usage "ctrl add: missing NAME" "missing NAME" ctrl add
usage "ctrl add: missing NAME, options given" "missing NAME" ctrl add "${SOCK[@]}"
usage "ctrl add: missing --type" "missing --type" ctrl add t0 --socket /x
usage "ctrl add: missing --socket" "missing --socket" ctrl add t0 --type nvme
usage "ctrl add: unknown --type" "invalid --type 'ide'" \
	ctrl add t0 --type ide --socket /x
usage "ctrl add: bad --poll" "invalid --poll 'sometimes'" \
	ctrl add t0 "${SOCK[@]}" --poll sometimes
usage "ctrl add: non-numeric --queues" "invalid --queues 'four'" \
	ctrl add t0 "${SOCK[@]}" --queues four
usage "ctrl add: negative --queues" "invalid --queues '-1'" \
	ctrl add t0 "${SOCK[@]}" --queues -1
usage "ctrl add: --queues overflows u32" "'4294967296': too large" \
	ctrl add t0 "${SOCK[@]}" --queues 4294967296
usage "ctrl add: --queue-size without value" "--queue-size needs a value" \
	ctrl add t0 "${SOCK[@]}" --queue-size
usage "ctrl add: non-octal --mode" "invalid --mode '0689'" \
	ctrl add t0 "${SOCK[@]}" --mode 0689
usage "ctrl add: bad --max-mem suffix" "invalid --max-mem '4X'" \
	ctrl add t0 "${SOCK[@]}" --max-mem 4X
usage "ctrl add: --max-mem overflows u64" "too large" \
	ctrl add t0 "${SOCK[@]}" --max-mem 20000000T
check "ctrl add: unknown --owner user is NOTFOUND" $EXIT_NOTFOUND err \
	"^vdevctl: .*unknown user 'no-such-user-vdev'" -- \
	ctrl add t0 "${SOCK[@]}" --owner no-such-user-vdev
check "ctrl add: unknown --owner group is NOTFOUND" $EXIT_NOTFOUND err \
	"^vdevctl: .*unknown group 'no-such-group-vdev'" -- \
	ctrl add t0 "${SOCK[@]}" --owner root:no-such-group-vdev
usage "ctrl add: option given twice" "--queues given twice" \
	ctrl add t0 "${SOCK[@]}" --queues 1 --queues 2
usage "ctrl add: unknown option" "unknown option '--frob'" \
	ctrl add t0 "${SOCK[@]}" --frob
usage "ctrl del: extra argument" "unexpected argument 't1'" ctrl del t0 t1
usage "ns add: --nsid with --target" "--nsid cannot be combined" \
	ns add t0 --nsid 1 --target 0 --lun 0 /dev/null
usage "ns add: --target without --lun" "--target and --lun go together" \
	ns add t0 --target 0 /dev/null
usage "ns add: missing BACKING" "missing BACKING" ns add t0
usage "ns add: --ro takes no value" "--ro takes no value" \
	ns add t0 --ro=yes /dev/null
usage "ns add: --shared takes no value" "--shared takes no value" \
	ns add t0 --shared=yes /dev/null
usage "ns add: --shared given twice" "--shared given twice" \
	ns add t0 --shared --shared /dev/null
usage "ns add: a word after --shared is BACKING, then one too many" \
	"unexpected argument '/dev/null'" ns add t0 --shared yes /dev/null
usage "ns show: --shared is for add only" "unknown option '--shared'" \
	ns show t0 --shared
usage "ns add: --serial needs a value" "--serial needs a value" \
	ns add t0 /dev/null --serial
usage "ns add: --vendor given twice" "--vendor given twice" \
	ns add t0 --target 0 --lun 0 --vendor A --vendor B /dev/null
usage "ns show: --product is for add only" "unknown option '--product'" \
	ns show t0 --product P
usage "ns del: missing CTRL" "missing CTRL" ns del
usage "ns show: non-numeric --nsid" "invalid --nsid 'one'" \
	ns show t0 --nsid one
usage "stats: extra argument" "unexpected argument 'r1'" stats r0 r1
usage "stats: unknown option" "unknown option '--nsid'" stats r0 --nsid 1
usage "monitor: extra argument" "unexpected argument 'now'" monitor now

nomodule ctrl list
nomodule --json ctrl list
nomodule ctrl list --json
nomodule ctrl add t0 "${SOCK[@]}" --queues 2
nomodule ns list
nomodule ns add t0 /dev/null
nomodule ns add t0 --shared --ro /dev/null
nomodule ns add t0 --target 0 --lun 0 --serial S --vendor V --product P /dev/null
nomodule stats
nomodule stats t0
nomodule --json stats t0
nomodule monitor

if [ "$n" -ne "$PLAN" ]; then
	echo "# planned $PLAN tests, ran $n"
	exit 1
fi
[ "$failed" -eq 0 ]
