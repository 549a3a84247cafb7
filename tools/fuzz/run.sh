#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh: run each fuzz target for a bounded time and summarise.
#
#   tools/fuzz/run.sh [TARGET...]     default: every target of the Makefile
#
# FUZZ_SECONDS (default 60) is each target's time. A target starts from
# its committed seeds (corpus/TARGET) plus what earlier runs found
# (build/corpus/TARGET, where new inputs go). A crash, a sanitizer report,
# a broken invariant or an input running over FUZZ_TIMEOUT seconds (10)
# fails the target; libFuzzer leaves the input as
# build/crashes/TARGET-crash-* (or -timeout-*, -leak-*, -oom-*). Exit 0
# only if every target ran clean.

set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
seconds=${FUZZ_SECONDS:-60}
timeout=${FUZZ_TIMEOUT:-10}
targets=("$@")
((${#targets[@]})) || targets=(scsi vring vu nvme_dptr nvme_cmd vfu)

case $seconds in
'' | *[!0-9]*)
	echo "run.sh: FUZZ_SECONDS must be a number of seconds" >&2
	exit 2
	;;
esac

cd "$here" || exit 1
mkdir -p build/crashes
failed=0
summary=()

# The last status line's coverage, and the executions, of one log.
stats() { # log
	local execs cov ft corp

	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$1" | tail -n 1)
	cov=$(grep -Eo 'cov: [0-9]+' "$1" | tail -n 1)
	ft=$(grep -Eo 'ft: [0-9]+' "$1" | tail -n 1)
	corp=$(grep -Eo 'corp: [0-9]+/[0-9]+[a-zA-Z]*' "$1" | tail -n 1)
	printf '%s execs, %s, %s, %s' "${execs:-?}" "${cov:-cov: ?}" \
		"${ft:-ft: ?}" "${corp:-corp: ?}"
}

for t in "${targets[@]}"; do
	bin=build/fuzz_$t log=build/fuzz_$t.log
	if [[ ! -x $bin || ! -d corpus/$t ]]; then
		echo "run.sh: no target '$t' (build/fuzz_$t, corpus/$t)" >&2
		exit 2
	fi
	mkdir -p "build/corpus/$t"
	echo "=== fuzz $t: ${seconds} s"
	"$bin" -max_total_time="$seconds" -timeout="$timeout" \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="build/crashes/$t-" \
		"build/corpus/$t" "corpus/$t" >"$log" 2>&1
	rc=$?
	line="$t: $(stats "$log")"
	if ((rc)); then
		failed=$((failed + 1))
		line+=" FAILED (exit $rc)"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written)' \
			"$log" | sed 's/^/    /'
		echo "    full log: tools/fuzz/$log"
	fi
	echo "=== $line"
	summary+=("$line")
done

echo
printf '%s\n' "${summary[@]}"
echo "fuzz: $((${#targets[@]} - failed)) clean, $failed failed"
((failed == 0))
