#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The events multicast group announces every change, in order.
source "$(dirname "$0")/test_common.sh"
vdev_test_init
vdev_brd_setup 2 || { echo "# SKIP: brd unavailable"; exit $KSFT_SKIP; }

log=$vdev_tmp/events
vdevctl --json monitor >"$log" 2>&1 &
mon=$!
# Wait until the monitor has joined the group: its socket shows up.
for _ in $(seq 50); do
	grep -q . /proc/$mon/net/netlink 2>/dev/null && sleep 0.2 && break
	sleep 0.1
done
sleep 0.5

vdevctl ctrl add ev --type virtio-scsi --socket /run/ev.sock >/dev/null
vdevctl ns add ev --target 2 --lun 3 /dev/ram0 >/dev/null
vdevctl ns del ev --target 2 --lun 3 >/dev/null
vdevctl ctrl add ev2 --type nvme --socket /run/ev2.sock >/dev/null
vdevctl ctrl del ev >/dev/null
# A failed request announces nothing.
vdevctl ctrl add ev2 --type nvme --socket /run/other.sock >/dev/null 2>&1
# Deleting a controller announces the namespaces it takes with it.
vdevctl ns add ev2 --nsid 4 /dev/ram1 >/dev/null
vdevctl ctrl del ev2 >/dev/null

for _ in $(seq 50); do
	[ "$(grep -c . "$log")" -ge 8 ] && break
	sleep 0.1
done
sleep 0.3
kill $mon 2>/dev/null
wait $mon 2>/dev/null

events=$(/usr/bin/python3 -c '
import json, sys
for line in open(sys.argv[1]):
    line = line.strip()
    if not line:
        continue
    e = json.loads(line)
    o = e.get("ctrl") or e.get("ns") or e
    print(e.get("event"), o.get("name") or o.get("ctrl-name"))
' "$log" 2>&1)
expected="ctrl-new ev
ns-add ev
ns-del ev
ctrl-new ev2
ctrl-del ev
ns-add ev2
ns-del ev2
ctrl-del ev2"
expect_eq "eight events, in order" "$events" "$expected"
if [ "$events" != "$expected" ]; then
	sed 's/^/#   /' "$log"
fi

if vdev_ynl_available; then
	# ynl takes seconds to start under TCG and says nothing when it has
	# subscribed: keep making events until it has surely seen some.
	ynl --subscribe events --sleep 12 >"$vdev_tmp/ynl" 2>&1 &
	sub=$!
	for i in 1 2 3 4 5; do
		sleep 2
		vdevctl ctrl add "yev$i" --type virtio-blk --socket "/run/yev$i.sock" >/dev/null
	done
	wait $sub
	expect_match "ynl sees ctrl-new-ntf" "$(cat "$vdev_tmp/ynl")" "ctrl-new-ntf"
	expect_match "ynl event carries the name" "$(cat "$vdev_tmp/ynl")" "yev[45]"
fi
vdev_test_done
