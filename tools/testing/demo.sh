#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`, run inside the VM bench: load vdev, create a virtio-blk
# controller on a RAM disk and show it.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
vdevctl=$root/tools/vdevctl/vdevctl

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

say uname -r
say modprobe brd rd_nr=1 rd_size=262144
say insmod "$root/kmod/vdev.ko"
say "$vdevctl" ctrl add demo --type virtio-blk --socket /run/vdev/demo.sock --queues 2
say "$vdevctl" ns add demo /dev/ram0
say "$vdevctl" ctrl show demo
say "$vdevctl" ns list
say "$vdevctl" --json ns show demo
say "$vdevctl" ctrl del demo
say rmmod vdev
echo
echo "demo: vdev attached /dev/ram0 to virtio-blk controller 'demo' in a Debian $(uname -r) VM."
echo "demo: no guest yet: serving it to QEMU comes with the data path."
