#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Read-only: a read-only backing device attaches only with --ro; --ro opens
# a writable device read-only, so others may still open it for reading.
source "$(dirname "$0")/test_common.sh"
vdev_test_init
vdev_brd_setup 4 || { echo "# SKIP: brd unavailable"; exit $KSFT_SKIP; }

vdevctl ctrl add ro --type nvme --socket /run/ro.sock >/dev/null
blockdev --setro /dev/ram3
expect_exit $EX_INVAL "read-only device without --ro is refused" \
	vdevctl ns add ro --nsid 1 /dev/ram3
expect_match "the message says to attach it read-only" "$(cat "$vdev_tmp/err")" "read-only"
expect_eq "nothing attached yet" "$(vdev_ns_count ro)" 0
if vdev_ynl_available; then
	ynl_expect_err "Read-only file system" "ynl: EROFS" \
		--do ns-add --json '{"ctrl-name":"ro","nsid":1,"path":"/dev/ram3"}'
fi
expect_exit $EX_OK "read-only device with --ro attaches" vdevctl ns add ro --nsid 1 --ro /dev/ram3
expect_eq "read back as read-only" \
	"$(vdevctl --json ns show ro --nsid 1 | json_get 'd.get("read-only", False)')" true
vdevctl ns del ro --nsid 1 >/dev/null
blockdev --setrw /dev/ram3

# EACCES for other reasons stays EACCES: a node on a nodev mount.
mkdir -p "$vdev_tmp/nodev"
if mount -t tmpfs -o nodev nodev "$vdev_tmp/nodev" &&
   mknod "$vdev_tmp/nodev/ram2" b "$(stat -c '%t' /dev/ram2 | xargs printf '%d')" \
	"$(stat -c '%T' /dev/ram2 | xargs printf '%d')"; then
	expect_exit $EX_PERM "a device node on a nodev mount is refused" \
		vdevctl ns add ro --nsid 2 "$vdev_tmp/nodev/ram2"
	expect_match "and not called read-only" "$(cat "$vdev_tmp/err")" "nodev"
	umount "$vdev_tmp/nodev"
else
	echo "# cannot mount a nodev tmpfs: nodev check skipped"
fi
expect_eq "nothing attached" "$(vdev_ns_count ro)" 0
if vdev_bdev_free /dev/ram3; then pass "released after del"; else fail "released after del"; fi
vdev_test_done
