#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the path of an unpacked linux-source-6.12 tree, unpacking Debian's
# tarball into the cache the first time. ynl, checkpatch and kunit.py all
# come from this tree.
set -euo pipefail

cache=${VDEV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vdev}
tarball=${VDEV_LINUX_SOURCE_TAR:-/usr/src/linux-source-6.12.tar.xz}
tree=$cache/linux-source-6.12

if [ ! -f "$tree/.vdev-unpacked" ]; then
	if [ ! -f "$tarball" ]; then
		echo "linux-source.sh: $tarball missing (apt-get install linux-source-6.12)" >&2
		exit 1
	fi
	mkdir -p "$cache"
	rm -rf "$tree"
	tar -C "$cache" -xf "$tarball"
	touch "$tree/.vdev-unpacked"
fi
echo "$tree"
