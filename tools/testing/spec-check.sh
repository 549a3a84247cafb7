#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The YNL spec is the API's source of truth. Generate the uapi constants and
# the kernel policy from it with the kernel's own ynl-gen-c and compare them
# with what is committed; with --update, write them instead.
#
# Usage: tools/testing/spec-check.sh [--update]
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
spec=$root/Documentation/netlink/specs/vdev.yaml
uapi=$root/uapi/linux/vdev.h
begin='/* --- generated from Documentation/netlink/specs/vdev.yaml: begin --- */'
end='/* --- generated from Documentation/netlink/specs/vdev.yaml: end --- */'
update=0
[ "${1:-}" = --update ] && update=1

linux=$("$root/tools/testing/linux-source.sh")
ynl=$linux/tools/net/ynl
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# ynl-gen-c finds the tree root by its MAINTAINERS file and the schema
# beside the specs directory: give it a tree of that shape.
mkdir -p "$work/tree/Documentation/netlink/specs" "$work/out"
touch "$work/tree/MAINTAINERS"
cp "$spec" "$work/tree/Documentation/netlink/specs/"
ln -s "$linux/Documentation/netlink/genetlink.yaml" "$work/tree/Documentation/netlink/"
tspec=$work/tree/Documentation/netlink/specs/vdev.yaml

gen() {
	python3 "$ynl/ynl-gen-c.py" --spec "$tspec" "$@"
}
gen --mode uapi --header -o "$work/out/uapi.h"
gen --mode kernel --header -o "$work/out/netlink-gen.h"
gen --mode kernel --source -o "$work/out/netlink-gen.c"

# The uapi block: everything between the generated header's guard and #endif.
sed -n '/^#define VDEV_FAMILY_NAME/,/^#endif \/\* _UAPI_LINUX_VDEV_H \*\//p' \
	"$work/out/uapi.h" | sed '$d' | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' \
	> "$work/out/block"
{
	sed -n "1,\\|^${begin//\*/\\*}\$|p" "$uapi"
	cat "$work/out/block"
	sed -n "\\|^${end//\*/\\*}\$|,\$p" "$uapi"
} > "$work/out/vdev.h"

status=0
check() { # generated committed
	if [ $update = 1 ]; then
		cmp -s "$1" "$2" || cp "$1" "$2"
	elif ! diff -u "$2" "$1"; then
		echo "spec-check: $2 disagrees with $spec (run tools/testing/spec-check.sh --update)" >&2
		status=1
	fi
}
check "$work/out/vdev.h" "$uapi"
check "$work/out/netlink-gen.h" "$root/kmod/netlink-gen.h"
check "$work/out/netlink-gen.c" "$root/kmod/netlink-gen.c"
[ $status = 0 ] && [ $update = 0 ] && echo "spec-check: uapi header and kernel policy agree with the spec"
exit $status
