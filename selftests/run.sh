#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run vdev's kselftests and print TAP, kselftest style: one line per test
# script, its own checks as "# " lines. Exit 0 when every test passed or
# skipped, 1 otherwise. Runs as root on a host that can load the module, or
# in the VM bench (tools/testing/vm-selftest). Exit 4 when everything
# skipped.
#
# Usage: selftests/run.sh [TEST...]   (default: every test_*.sh)
# VDEV_TIMEOUT_FACTOR=N multiplies every test's timeout: make check-debug
# runs them on a KASAN and lockdep kernel, some times slower.
set -u

dir=$(cd "$(dirname "$0")" && pwd)
timeout=$(sed -n 's/^timeout=//p' "$dir/settings")
factor=${VDEV_TIMEOUT_FACTOR:-1}
case $factor in
'' | *[!0-9]* | 0) echo "run.sh: VDEV_TIMEOUT_FACTOR wants a positive integer" >&2; exit 1 ;;
esac
if [ $# -gt 0 ]; then
	tests=("$@")
else
	mapfile -t tests < <(cd "$dir" && ls test_*.sh | grep -v test_common.sh)
fi

echo "TAP version 13"
echo "1..${#tests[@]}"
n=0 passed=0 failed=0 skipped=0
for t in "${tests[@]}"; do
	n=$((n + 1))
	t=$(basename "$t")
	echo "# selftests: vdev: $t"
	start=$(date +%s)
	# A test that needs longer says so in a "# timeout=SECS" line.
	t_timeout=$(sed -n 's/^# timeout=\([0-9][0-9]*\)$/\1/p' "$dir/$t" | head -n 1)
	t_timeout=$((${t_timeout:-$timeout} * factor))
	timeout "$t_timeout" "$dir/$t" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	case $rc in
	0) echo "ok $n selftests: vdev: $t # ${secs}s"; passed=$((passed + 1)) ;;
	4) echo "ok $n selftests: vdev: $t # SKIP"; skipped=$((skipped + 1)) ;;
	124) echo "not ok $n selftests: vdev: $t # TIMEOUT ${t_timeout}s"; failed=$((failed + 1)) ;;
	*) echo "not ok $n selftests: vdev: $t # exit=$rc"; failed=$((failed + 1)) ;;
	esac
done
echo "# Totals: pass:$passed fail:$failed skip:$skipped"
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed = 0 ] || exit 1
[ $passed = 0 ] && [ $skipped -gt 0 ] && exit 4
exit 0
