#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# NVMe over vfio-user, the controller itself: the C client
# (selftests/vfu/vfu_nvme) plays QEMU's vfio-user-pci and the guest's nvme
# driver over the sockets vdevd serves. Bring-up and Identify, I/O queues
# and data (compared with the RAM disk from here too), interrupts, shadow
# doorbells, namespace hot-add and removal, resets under I/O, bad input.
# Two controllers: poll always (doorbells mmapped) and poll adaptive
# (doorbells as REGION_WRITEs, shadow doorbells).
# timeout=1500
source "$(dirname "$0")/test_common.sh"

source "$(dirname "$0")/vu/vu_lib.sh"

VFU_DIR=${VFU_DIR:-$VDEV_ROOT/selftests/vfu}

for bin in "$VDEVD" "$VFU_DIR/vfu_nvme"; do
	if [ ! -x "$bin" ]; then
		echo "# SKIP: $bin not built (make; make -C selftests/vfu)"
		exit "$KSFT_SKIP"
	fi
done

vdev_test_init
vdev_brd_setup 3 || { echo "# SKIP: brd unavailable"; exit $KSFT_SKIP; }

sock_a=/run/vdev-nva.sock	# poll always, ram0, 4 I/O queues
sock_d=/run/vdev-nvd.sock	# poll adaptive, ram1, 2 I/O queues
ns_bytes=$(blockdev --getsize64 /dev/ram0)
dmesg_start=$(dmesg | wc -l)

vu_vdevd_scripts
hp_pid=
trap 'rc=$?; [ -n "$hp_pid" ] && kill "$hp_pid" 2>/dev/null; vu_vdevd_stop; (exit $rc); vdev_test_exit' EXIT

common_env=(VFU_TIMEOUT_MS=20000 VFU_QUEUE_SIZE=128 "VFU_NS_BYTES=$ns_bytes")
# shellcheck disable=SC2034 # used through vfu()
env_nva=("VFU_SOCK=$sock_a" VFU_QUEUES=4 VFU_POLL=always "${common_env[@]}")
# shellcheck disable=SC2034 # used through vfu()
env_nvd=("VFU_SOCK=$sock_d" VFU_QUEUES=2 VFU_POLL=adaptive "${common_env[@]}")

# vfu CTRL CASE [VAR=value...]: one vfu_nvme case against CTRL.
vfu() {
	VU_DIR=$VFU_DIR vuc vfu_nvme "$@"
}

rm -f "$sock_a" "$sock_d"
check "create nva: nvme, 4 queues, poll always" \
	vdevctl ctrl add nva --type nvme --socket "$sock_a" --queues 4 \
	--queue-size 128 --poll always
check "nva: attach ram0 as nsid 1" vdevctl ns add nva --nsid 1 /dev/ram0
check "create nvd: nvme, 2 queues, poll adaptive" \
	vdevctl ctrl add nvd --type nvme --socket "$sock_d" --queues 2 \
	--queue-size 128 --poll adaptive
check "nvd: attach ram1 as nsid 1" vdevctl ns add nvd --nsid 1 /dev/ram1
[ "$vdev_failed" = 0 ] || vdev_test_done
vu_vdevd_start "$sock_a" "$sock_d" || vdev_test_done

# --- both controllers ---------------------------------------------------------

for ctrl in nva nvd; do
	for c in identify_ctrl identify_ns ns_lists nr_queues log_pages \
		admin_invalid_opcodes io_queues io_sizes flush_zeroes_dsm \
		interrupts reset_under_io device_reset_under_io bad_io \
		bad_queues bad_doorbell deleted_queue keep_alive; do
		vfu "$ctrl" "$c"
	done
	# The doorbell count is the point: show it.
	VU_DIR=$VFU_DIR vuc_log vfu_nvme "$ctrl" shadow_doorbells
done

# --- the disk holds what the guest wrote ----------------------------------------

pattern=$vdev_tmp/pattern
if vfu nva shell_pattern "VFU_PATTERN=$pattern"; then
	# 256 blocks at block 65536 (vfu_nvme.c's SHELL_LBA, SHELL_BLOCKS).
	dd if=/dev/ram0 of="$vdev_tmp/disk" bs=512 skip=65536 count=256 \
		iflag=direct status=none
	if cmp "$pattern" "$vdev_tmp/disk" >"$vdev_tmp/out" 2>&1; then
		pass "ram0 holds the pattern the guest wrote"
	else
		fail "ram0 holds the pattern the guest wrote"
		sed 's/^/#   /' "$vdev_tmp/out"
	fi
fi

# --- namespace hot-add and removal ------------------------------------------------

# wait_file PATH: it exists within 60 s.
wait_file() {
	for _ in $(seq 600); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	echo "no $1 after 60 s" >&2
	return 1
}

# hotplug SYNC: add nsid 2 when the case asks, take the statistics while
# its front end is attached, remove nsid 2 when it asks.
hotplug() {
	wait_file "$1/add" && vdevctl ns add nva --nsid 2 /dev/ram2 &&
		wait_file "$1/del" &&
		vdevctl --json stats nva >"$1/stats.json" &&
		vdevctl ns del nva --nsid 2
}

sync=$vdev_tmp/sync
mkdir "$sync"
hotplug "$sync" >"$vdev_tmp/hotplug.out" 2>&1 &
hp_pid=$!
vfu nva ns_hotplug "VFU_SYNC=$sync"
wait "$hp_pid"
hp_rc=$?
hp_pid=
if [ "$hp_rc" = 0 ]; then
	pass "vdevctl ns add and del of nsid 2 while the guest waits"
else
	fail "vdevctl ns add and del of nsid 2 while the guest waits (exit $hp_rc)"
	sed 's/^/#   /' "$vdev_tmp/hotplug.out"
fi
if [ -s "$sync/stats.json" ]; then
	expect_eq "vdevctl stats nva: the I/O queue's reads and writes moved" \
		"$(json_get 'all(sum(q[k] for q in d) > 0 for k in ("reads", "writes", "read-bytes", "write-bytes"))' <"$sync/stats.json")" true
fi

vu_vdevd_stop
expect_eq "kernel log: no WARN, BUG or oops" \
	"$(dmesg | tail -n +"$((dmesg_start + 1))" | grep -cE 'WARNING:|BUG:|Oops|general protection|soft lockup|blocked for more than')" 0
vu_finish "$dmesg_start"
