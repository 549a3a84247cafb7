#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build vdev.ko from scratch with W=1 and sparse (C=2: check every file)
# and fail on any warning either of them prints.
#
# Usage: tools/testing/build-check.sh [KDIR]
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
kdir=${1:-/lib/modules/6.12.107+deb12-amd64/build}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

make -s -C "$kdir" M="$root" CONFIG_VDEV=m clean >/dev/null
if ! make -C "$kdir" M="$root" CONFIG_VDEV=m W=1 C=2 modules >"$log" 2>&1; then
	cat "$log"
	echo "build-check: the module does not build" >&2
	exit 1
fi
# Sparse reports as "file:line:col: warning|error: ..."; gcc likewise.
if grep -E ': (warning|error):' "$log"; then
	echo "build-check: W=1 or sparse warnings above" >&2
	exit 1
fi
echo "build-check: vdev.ko builds clean with W=1 and sparse"
