#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# checkpatch.pl --strict on every hand-written kernel source. netlink-gen.*
# are ynl-gen-c output and kept exactly as generated.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
linux=$("$root/tools/testing/linux-source.sh")
cd "$root"

# Untracked sources count too: a new file is checked before its commit.
files=$(git ls-files --cached --others --exclude-standard \
	'kmod/*.c' 'kmod/*.h' 'uapi/*.h' | grep -v 'netlink-gen')
status=0
for f in $files; do
	# --terse prints nothing for a clean file.
	if ! out=$("$linux/scripts/checkpatch.pl" --strict --no-tree --terse \
		--ignore FILE_PATH_CHANGES -f "$f" 2>&1) || [ -n "$out" ]; then
		echo "$out"
		status=1
	fi
done
[ $status = 0 ] && echo "checkpatch: $(wc -w <<<"$files") files clean (--strict)"
exit $status
