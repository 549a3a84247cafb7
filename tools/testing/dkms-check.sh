#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# DKMS: add, build and install vdev against the installed 6.12 headers,
# prove the installed module loads (modprobe, in the VM bench) and answers
# netlink, then remove it again. Leaves the system as it found it.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
kver=${KVER:-6.12.107+deb12-amd64}
name=vdev
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$root/dkms.conf")
src=/usr/src/$name-$version

cleanup() {
	dkms remove -m $name -v "$version" --all >/dev/null 2>&1 || true
	rm -rf "$src"
	depmod "$kver" 2>/dev/null || true
}

if dkms status -m $name 2>/dev/null | grep -q .; then
	echo "dkms-check: a vdev DKMS package is already registered; not touching it" >&2
	exit 1
fi
trap cleanup EXIT

# The package source is what git tracks: the same files a release carries.
mkdir -p "$src"
(cd "$root" && git ls-files -z | xargs -0 cp --parents -t "$src")

dkms add -m $name -v "$version"
dkms build -m $name -v "$version" -k "$kver"
dkms install -m $name -v "$version" -k "$kver"
dkms status -m $name -v "$version" -k "$kver" | grep -q installed

installed=$(modinfo -k "$kver" -n $name)
echo "dkms-check: installed $installed"
case $installed in
*/updates/dkms/*) ;;
*) echo "dkms-check: modinfo finds $installed, not the DKMS build" >&2; exit 1 ;;
esac

# Load the installed module by name in the VM and talk to it.
"$root/tools/testing/vm-run" --timeout 300 -- bash -c "
	set -e
	modprobe $name
	grep -q '^$name ' /proc/modules
	$root/tools/vdevctl/vdevctl ctrl add dkms --type virtio-blk --socket /run/dkms.sock
	$root/tools/vdevctl/vdevctl ctrl list
	modprobe -r $name
	echo dkms-check: modprobe, netlink and modprobe -r work
"
echo "dkms-check: ok"
