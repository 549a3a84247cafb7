#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Controllers: create each type, read every field back, list, show, JSON,
# delete.
source "$(dirname "$0")/test_common.sh"
vdev_test_init

for type in virtio-blk virtio-scsi nvme; do
	expect_exit $EX_OK "create a $type controller" \
		vdevctl ctrl add "c-$type" --type "$type" --socket "/run/vdev-$type.sock"
done
expect_eq "three controllers listed" "$(vdev_ctrl_count)" 3

# Defaults as the spec documents them.
show=$(vdevctl --json ctrl show c-virtio-blk)
expect_eq "default type" "$(json_get 'd["type"]' <<<"$show")" virtio-blk
expect_eq "default queues" "$(json_get 'd["num-queues"]' <<<"$show")" 1
expect_eq "default queue size" "$(json_get 'd["queue-size"]' <<<"$show")" 256
expect_eq "default poll mode" "$(json_get 'd["poll-mode"]' <<<"$show")" adaptive
expect_eq "default poll idle" "$(json_get 'd["poll-idle-us"]' <<<"$show")" 50
expect_eq "default socket mode" "$(json_get 'd["socket-mode"]' <<<"$show")" 384
expect_eq "default max-mem 16 GiB" "$(json_get 'd["max-mem"]' <<<"$show")" 17179869184
expect_eq "default state idle" "$(json_get 'd["state"]' <<<"$show")" idle
expect_eq "no namespaces yet" "$(json_get 'd["num-ns"]' <<<"$show")" 0
online=$(cat /sys/devices/system/cpu/online)
expect_eq "default cpus are the online CPUs" "$(json_get 'd["cpumask"]' <<<"$show")" "$online"

# Every option, read back.
expect_exit $EX_OK "create with every option" \
	vdevctl ctrl add full --type nvme --socket /run/full.sock --queues 8 \
	--queue-size 1024 --cpus 0 --poll never --poll-idle-us 200 \
	--owner 1000:1001 --mode 0660 --max-mem 2G
show=$(vdevctl --json ctrl show full)
expect_eq "queues" "$(json_get 'd["num-queues"]' <<<"$show")" 8
expect_eq "queue size" "$(json_get 'd["queue-size"]' <<<"$show")" 1024
expect_eq "cpus" "$(json_get 'd["cpumask"]' <<<"$show")" 0
expect_eq "poll mode" "$(json_get 'd["poll-mode"]' <<<"$show")" never
expect_eq "poll idle" "$(json_get 'd["poll-idle-us"]' <<<"$show")" 200
expect_eq "socket path" "$(json_get 'd["socket-path"]' <<<"$show")" /run/full.sock
expect_eq "socket uid" "$(json_get 'd["socket-uid"]' <<<"$show")" 1000
expect_eq "socket gid" "$(json_get 'd["socket-gid"]' <<<"$show")" 1001
expect_eq "socket mode" "$(json_get 'd["socket-mode"]' <<<"$show")" 432
expect_eq "max-mem" "$(json_get 'd["max-mem"]' <<<"$show")" 2147483648

# The text form names the controller and its socket.
text=$(vdevctl ctrl show full)
expect_match "text show names the controller" "$text" "full"
expect_match "text show names the socket" "$text" "/run/full.sock"
expect_match "text list shows all" "$(vdevctl ctrl list)" "c-virtio-scsi"

# Ids are distinct.
ids=$(vdevctl --json ctrl list | json_get '[c["id"] for c in d]' | sort -u | wc -l)
expect_eq "ids are unique" "$ids" 4

for name in c-virtio-blk c-virtio-scsi c-nvme full; do
	expect_exit $EX_OK "delete $name" vdevctl ctrl del "$name"
done
expect_eq "nothing left" "$(vdev_ctrl_count)" 0

# A name and a socket are free again once their controller is gone.
expect_exit $EX_OK "name reusable after delete" \
	vdevctl ctrl add full --type virtio-blk --socket /run/full.sock
vdev_test_done
