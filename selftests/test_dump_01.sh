#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Dumps that span many netlink messages: 200 controllers, and namespaces
# over many controllers, each listed exactly once.
source "$(dirname "$0")/test_common.sh"
vdev_test_init

n=200
for i in $(seq 1 $n); do
	vdevctl ctrl add "d$i" --type nvme --socket "/run/d$i.sock" >/dev/null ||
		fail "create d$i"
done
expect_eq "$n controllers listed" "$(vdev_ctrl_count)" $n
expect_eq "each listed once" \
	"$(vdevctl --json ctrl list | json_get 'len(set(c["name"] for c in d))')" $n
expect_eq "text list has a line per controller" \
	"$(vdevctl ctrl list | grep -c -E '\bd[0-9]+\b')" $n

if vdev_ynl_available; then
	expect_eq "ynl dump sees $n" "$(ynl --dump ctrl-get | json_get 'len(d)')" $n
fi

# Delete every other one: the dump skips the holes.
for i in $(seq 1 2 $n); do
	vdevctl ctrl del "d$i" || fail "delete d$i"
done
expect_eq "half remain" "$(vdev_ctrl_count)" $((n / 2))
expect_eq "the even ones remain" \
	"$(vdevctl --json ctrl list | json_get 'all(int(c["name"][1:]) % 2 == 0 for c in d)')" true

# Namespaces across controllers: brd with 8 disks over 8 controllers.
vdev_clean
if vdev_brd_setup 8; then
	for i in 0 1 2 3 4 5 6 7; do
		vdevctl ctrl add "s$i" --type virtio-scsi --socket "/run/s$i.sock" >/dev/null
		vdevctl ns add "s$i" --target "$i" --lun $((i * 100)) /dev/ram$i >/dev/null ||
			fail "attach ram$i"
	done
	expect_eq "8 namespaces over 8 controllers" "$(vdev_ns_count)" 8
	expect_eq "filter by controller" "$(vdev_ns_count s5)" 1
	expect_eq "the filtered one is s5's" \
		"$(vdevctl --json ns list s5 | json_get 'd[0]["lun"]')" 500
	if vdev_ynl_available; then
		expect_eq "ynl ns dump" "$(ynl --dump ns-get | json_get 'len(d)')" 8
		expect_eq "ynl ns dump filtered" \
			"$(ynl --dump ns-get --json '{"ctrl-name":"s3"}' | json_get 'len(d)')" 1
	fi
else
	fail "8 RAM disks for the namespace dump"
fi
vdev_test_done
