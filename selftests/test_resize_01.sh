#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Resize: a loop device on a tmpfs file grows (truncate, losetup -c) under
# a connected front end. The front end gets a config change notice on its
# backend channel and then reads the new capacity; vdevctl monitor shows
# ns-change; vdevctl ns resize answers at once; without a resize, no notice.
source "$(dirname "$0")/test_common.sh"
source "$(dirname "$0")/vu/vu_lib.sh"

VU_RESIZE=$VU_DIR/vu_resize.py

vu_need_bins
vdev_test_init
vu_vdevd_scripts
command -v losetup >/dev/null || { echo "# SKIP: no losetup"; exit $KSFT_SKIP; }

img=$vdev_tmp/disk.img
sock=/run/vdev-rs0.sock
loopdev=
mon_pid=
front_pid=

cleanup() {
	[ -n "$front_pid" ] && kill "$front_pid" 2>/dev/null
	[ -n "$mon_pid" ] && kill "$mon_pid" 2>/dev/null
	vu_vdevd_stop
	vdevctl ctrl del rs0 >/dev/null 2>&1
	[ -n "$loopdev" ] && losetup -d "$loopdev" 2>/dev/null
}
trap 'rc=$?; cleanup; (exit $rc); vdev_test_exit' EXIT

truncate -s 64M "$img"
modprobe loop 2>/dev/null
loopdev=$(losetup -f --show "$img") || { echo "# SKIP: no loop device"; exit $KSFT_SKIP; }
rm -f "$sock"
check "create rs0" vdevctl ctrl add rs0 --type virtio-blk --socket "$sock"
check "rs0: attach $loopdev" vdevctl ns add rs0 "$loopdev"
vu_vdevd_start "$sock" || vdev_test_done

vdevctl --json monitor >"$vdev_tmp/monitor" 2>&1 &
mon_pid=$!

# wait_file FILE SECS
wait_file() {
	for _ in $(seq $(($2 * 10))); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# A front end that sees no resize gets no notice.
out=$("$VU_RESIZE" "$sock" "$vdev_tmp/ready0" 3)
expect_eq "no resize: the capacity" "$(sed -n 1p <<<"$out")" "capacity 131072"
expect_eq "no resize: no notice" "$(sed -n 2p <<<"$out")" "no notice within 3 s"

# The periodic check finds a grown loop device by itself.
"$VU_RESIZE" "$sock" "$vdev_tmp/ready1" 15 >"$vdev_tmp/front1" 2>&1 &
front_pid=$!
if wait_file "$vdev_tmp/ready1" 15; then pass "front end 1 ready"; else fail "front end 1 ready"; fi
truncate -s 128M "$img"
check "losetup -c" losetup -c "$loopdev"
wait "$front_pid"
expect_eq "grown: the front end is told" "$?" 0
front_pid=
expect_eq "grown: output" "$(tr '\n' ' ' <"$vdev_tmp/front1")" \
	"capacity 131072 notice capacity 262144 "

# ns resize asks at once.
"$VU_RESIZE" "$sock" "$vdev_tmp/ready2" 15 >"$vdev_tmp/front2" 2>&1 &
front_pid=$!
if wait_file "$vdev_tmp/ready2" 15; then pass "front end 2 ready"; else fail "front end 2 ready"; fi
truncate -s 192M "$img"
losetup -c "$loopdev"
check "vdevctl ns resize" vdevctl ns resize rs0
expect_eq "ns resize prints the new size" \
	"$(vdevctl --json ns show rs0 | json_get 'd["size"]')" $((192 << 20))
wait "$front_pid"
expect_eq "ns resize: the front end is told" "$?" 0
front_pid=
expect_eq "ns resize: output" "$(tr '\n' ' ' <"$vdev_tmp/front2")" \
	"capacity 262144 notice capacity 393216 "

sleep 0.5
kill "$mon_pid" 2>/dev/null
wait "$mon_pid" 2>/dev/null
mon_pid=
expect_eq "monitor: two ns-change events" \
	"$(grep -c '"event":"ns-change"' "$vdev_tmp/monitor")" 2
expect_match "monitor: the last one has the new size" \
	"$(grep '"event":"ns-change"' "$vdev_tmp/monitor" | tail -1)" \
	"\"size\":$((192 << 20))"
expect_exit 5 "ns resize of an unknown controller" vdevctl ns resize nosuch
vdev_test_done
