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
step "selftests: in the VM" env "VM_RUN_ARGS=--timeout 3600" "$testing/vm-selftest"
step "dkms: add, build, install, load" "$testing/dkms-check.sh"

echo
for f in "${failures[@]}"; do
	echo "FAILED: $f"
done
echo "check: $passed passed, $failed failed"
[ $failed = 0 ]
