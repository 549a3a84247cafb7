#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: every test, cheapest first. Each step's output is shown;
# the run goes on after a failure so one report shows everything, and ends
# with "N passed, N failed".
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
testing=$root/tools/testing
kdir=${KDIR:-/lib/modules/6.12.107+deb12-amd64/build}
cd "$root" || exit 1

passed=0 failed=0 failures=()

step() { # name command...
	local name=$1 start rc

	shift
	echo "=== $name"
	start=$(date +%s)
	"$@"
	rc=$?
	if [ $rc = 0 ]; then
		passed=$((passed + 1))
		echo "=== $name: ok ($(($(date +%s) - start)) s)"
	else
		failed=$((failed + 1))
		failures+=("$name")
		echo "=== $name: FAILED (exit $rc, $(($(date +%s) - start)) s)"
	fi
}

build_all() {
	make -s -C "$kdir" M="$root" CONFIG_VDEV=m W=1 modules &&
		make -s -C "$root/tools/vdevctl" &&
		make -s -C "$root/tools/vdevd" &&
		make -s -C "$root/tools/vdev-perf" &&
		make -s -C "$root/selftests/vu" &&
		make -s -C "$root/selftests/vfu"
}

# The vfio-user tests that need no kernel: they run on the host.
vfu_no_kernel() {
	"$root/selftests/vfu/vfu_json_test" &&
		"$root/selftests/vfu/vfu_vdevd_test"
}

# The selftests in two VMs at once, one on each of the machine's two CPUs:
# each VM runs single-threaded TCG, so one VM alone leaves a CPU idle.
# VM a takes the nested-guest tests and two long vhost-user ones, VM b the
# rest, about 20 minutes each. Each line is prefixed with its VM; the
# step fails if either does.
vm_of_test() {
	case $1 in
	test_e2e_* | test_vu_02.sh | test_vu_03.sh) echo a ;;
	*) echo b ;;
	esac
}

# selftests_vm NAME TEST...: one VM's share, its lines prefixed.
selftests_vm() {
	local name=$1

	shift
	VM_RUN_ARGS="--timeout 3600 --out $root/build/vm/out-$name" \
		"$testing/vm-selftest" "$@" 2>&1 | sed -u "s/^/[$name] /"
	return "${PIPESTATUS[0]}"
}

selftests_two_vms() {
	local a=() b=() t name pa pb rca rcb

	for t in "$root"/selftests/test_*.sh; do
		name=${t##*/}
		[ "$name" = test_common.sh ] && continue
		if [ "$(vm_of_test "$name")" = a ]; then
			a+=("$name")
		else
			b+=("$name")
		fi
	done
	echo "VM a: ${a[*]}"
	echo "VM b: ${b[*]}"
	selftests_vm a "${a[@]}" &
	pa=$!
	selftests_vm b "${b[@]}" &
	pb=$!
	wait $pa
	rca=$?
	wait $pb
	rcb=$?
	echo "VM a: exit $rca, VM b: exit $rcb"
	[ $rca = 0 ] && [ $rcb = 0 ]
}

step "spec: uapi header and policy agree with the YNL spec" "$testing/spec-check.sh"
step "build: W=1 and sparse clean" "$testing/build-check.sh" "$kdir"
step "style: checkpatch --strict" "$testing/checkpatch.sh"
step "build: module and tools" build_all
step "vdevctl: argument handling" "$root/tools/vdevctl/test-args.sh"
step "vfu: the JSON reader and vdevd's vfio-user cycle, without a kernel" vfu_no_kernel
step "kunit: suites under UML" "$testing/kunit.sh"
# A smoke run: the harnesses still build against kmod/ and vdevd, and the
# seeds and what 10 s of fuzzing finds break no invariant. `make fuzz` is
# the longer run.
step "fuzz: each libFuzzer target for 10 s" make -s -C "$root/tools/fuzz" run FUZZ_SECONDS=10
step "ynl: stage the kernel's ynl CLI" "$testing/stage-ynl.sh"
step "vm: the bench itself" "$testing/test-vm-run.sh"
step "selftests: in two VMs at once" selftests_two_vms
step "dkms: add, build, install, load" "$testing/dkms-check.sh"

echo
for f in "${failures[@]}"; do
	echo "FAILED: $f"
done
echo "check: $passed passed, $failed failed"
[ $failed = 0 ]
