#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Copy the kernel's ynl CLI (tools/net/ynl from linux-source-6.12) and the
# genetlink schema into build/ynl, where the selftests find them. The VM
# bench shares the repo, not the user's cache, so the copy lives here.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
linux=$("$root/tools/testing/linux-source.sh")
dest=${VDEV_YNL_DIR:-$root/build/ynl}

rm -rf "$dest"
mkdir -p "$dest"
cp "$linux/tools/net/ynl/cli.py" "$dest/"
cp -r "$linux/tools/net/ynl/lib" "$dest/lib"
cp "$linux/Documentation/netlink/genetlink.yaml" "$dest/"
echo "$dest"
