#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Limits: with max_ctrls=3 a fourth controller is refused with ENOSPC and
# a clear message, and leaves nothing behind; a freed slot is usable again.
source "$(dirname "$0")/test_common.sh"
vdev_test_init

vdev_unload
insmod "$VDEV_KO" max_ctrls=3 || { fail "load with max_ctrls=3"; vdev_test_done; }
expect_eq "the parameter reads back" "$(cat /sys/module/vdev/parameters/max_ctrls)" 3

for i in 1 2 3; do
	expect_exit $EX_OK "controller $i of 3" \
		vdevctl ctrl add "l$i" --type nvme --socket "/run/l$i.sock"
done
expect_exit $EX_ERROR "a fourth is refused" \
	vdevctl ctrl add l4 --type nvme --socket /run/l4.sock
expect_match "the message names the limit" "$(cat "$vdev_tmp/err")" "max_ctrls=3"
if vdev_ynl_available; then
	ynl_expect_err "No space left on device" "ynl: ENOSPC" \
		--do ctrl-new --json '{"name":"l4","type":"nvme","socket-path":"/run/l4.sock"}'
fi
expect_eq "still three" "$(vdev_ctrl_count)" 3
expect_exit $EX_OK "delete one" vdevctl ctrl del l2
expect_exit $EX_OK "its slot is free again" \
	vdevctl ctrl add l4 --type nvme --socket /run/l4.sock

vdev_clean
vdev_unload
vdev_load
vdev_test_done
