#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Controllers: every bad input is refused with the right exit code and a
# message, and leaves no controller behind.
source "$(dirname "$0")/test_common.sh"
vdev_test_init

sock=/run/bad.sock
add() {
	vdevctl ctrl add "$@"
}

expect_exit $EX_OK "a good controller to collide with" \
	add good --type virtio-blk --socket /run/good.sock

# Syntax errors caught by vdevctl.
expect_exit $EX_USAGE "no name" add --type virtio-blk --socket $sock
expect_exit $EX_USAGE "no type" add bad --socket $sock
expect_exit $EX_USAGE "unknown type" add bad --type floppy --socket $sock
expect_exit $EX_USAGE "no socket" add bad --type virtio-blk
expect_exit $EX_USAGE "unknown poll mode" add bad --type virtio-blk --socket $sock --poll sometimes
expect_exit $EX_USAGE "queues not a number" add bad --type virtio-blk --socket $sock --queues many
expect_exit $EX_USAGE "unknown option" add bad --type virtio-blk --socket $sock --colour red
expect_exit $EX_USAGE "mode not octal" add bad --type virtio-blk --socket $sock --mode 0999
expect_exit $EX_USAGE "unknown object" vdevctl frobnicate
expect_exit $EX_NOTFOUND "unknown owner" add bad --type virtio-blk --socket $sock --owner no-such-user-xyz

# Refused by the kernel (policy or handler), message from extack.
expect_exit $EX_EXISTS "duplicate name" add good --type nvme --socket $sock
expect_exit $EX_EXISTS "duplicate socket" add other --type nvme --socket /run/good.sock
expect_exit $EX_INVAL "0 queues" add bad --type virtio-blk --socket $sock --queues 0
expect_exit $EX_INVAL "65 queues" add bad --type virtio-blk --socket $sock --queues 65
expect_exit $EX_INVAL "queue size 1" add bad --type virtio-blk --socket $sock --queue-size 1
expect_exit $EX_INVAL "queue size not a power of two" add bad --type virtio-blk --socket $sock --queue-size 100
expect_exit $EX_INVAL "queue size 65536" add bad --type virtio-blk --socket $sock --queue-size 65536
expect_exit $EX_INVAL "nvme queue size 8192" add bad --type nvme --socket $sock --queue-size 8192
expect_exit $EX_INVAL "poll idle over 1 s" add bad --type virtio-blk --socket $sock --poll-idle-us 1000001
expect_exit $EX_INVAL "cpu that does not exist" add bad --type virtio-blk --socket $sock --cpus 4095
expect_exit $EX_INVAL "garbage cpu list" add bad --type virtio-blk --socket $sock --cpus 3-1
expect_exit $EX_INVAL "relative socket" add bad --type virtio-blk --socket rel.sock
expect_exit $EX_INVAL "socket with .." add bad --type virtio-blk --socket /run/../x.sock
long=/run/$(printf 'a%.0s' $(seq 110))
expect_exit $EX_INVAL "socket path too long" add bad --type virtio-blk --socket "$long"
expect_exit $EX_INVAL "name with a space" add "bad name" --type virtio-blk --socket $sock
expect_exit $EX_INVAL "name starting with -" add --type virtio-blk --socket $sock -- -bad
expect_exit $EX_INVAL "name 32 characters" add "$(printf 'n%.0s' $(seq 32))" --type virtio-blk --socket $sock
expect_exit $EX_INVAL "max-mem below 1 MiB" add bad --type virtio-blk --socket $sock --max-mem 4K
expect_exit $EX_INVAL "max-mem above 1 PiB" add bad --type virtio-blk --socket $sock --max-mem 1125899906842625
expect_exit $EX_NOTFOUND "delete unknown" vdevctl ctrl del nosuch
expect_exit $EX_NOTFOUND "show unknown" vdevctl ctrl show nosuch

expect_eq "only the good controller exists" "$(vdev_ctrl_names)" good

# The same through the kernel's ynl CLI, checking the errno itself.
if vdev_ynl_available; then
	base='"name":"bad","socket-path":"/run/bad.sock"'
	ynl_expect_err "Invalid argument" "ynl: no type" --do ctrl-new --json "{$base}"
	ynl_expect_err "Invalid argument" "ynl: no name" --do ctrl-new \
		--json '{"type":"nvme","socket-path":"/run/bad.sock"}'
	ynl_expect_err "Invalid argument" "ynl: no socket" --do ctrl-new \
		--json '{"name":"bad","type":"nvme"}'
	ynl_expect_err "Numerical result out of range" "ynl: type out of range" \
		--do ctrl-new --json "{$base,\"type\":9}"
	ynl_expect_err "Numerical result out of range" "ynl: 0 queues" \
		--do ctrl-new --json "{$base,\"type\":\"nvme\",\"num-queues\":0}"
	ynl_expect_err "Numerical result out of range" "ynl: mode over 0777" \
		--do ctrl-new --json "{$base,\"type\":\"nvme\",\"socket-mode\":4095}"
	ynl_expect_err "Invalid argument" "ynl: queue size 100" \
		--do ctrl-new --json "{$base,\"type\":\"nvme\",\"queue-size\":100}"
	ynl_expect_err "File exists" "ynl: duplicate name" \
		--do ctrl-new --json '{"name":"good","type":"nvme","socket-path":"/run/x.sock"}'
	ynl_expect_err "No such file or directory" "ynl: get unknown id" \
		--do ctrl-get --json '{"id":4000}'
	ynl_expect_err "Invalid argument" "ynl: get with neither id nor name" \
		--do ctrl-get --json '{}'
	id=$(vdevctl --json ctrl show good | json_get 'd["id"]')
	ynl_expect_err "Invalid argument" "ynl: id and name disagree" \
		--do ctrl-del --json "{\"id\":$id,\"name\":\"other\"}"
	expect_eq "still only the good controller" "$(vdev_ctrl_names)" good
else
	echo "# ynl CLI not staged (tools/testing/stage-ynl.sh): ynl checks skipped"
fi
vdev_test_done
