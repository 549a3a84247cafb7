#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vhost-user data path on brd, from the front end's side: bad data input
# (selftests/vu/vu_bad: bad chains, bad requests, corrupt rings) and the
# lifecycle of rings and memory under I/O (selftests/vu/vu_life: stop and
# restart from GET_VRING_BASE, VmLck, memory table changes, RESET_DEVICE,
# hang-up, vdevd killed), on split and packed rings; the inflight region
# (INFLIGHT_SHMFD): tracking, reconnect, resubmission, bad regions, and
# a ring that waits for what the last session abandoned.
source "$(dirname "$0")/test_common.sh"
source "$(dirname "$0")/vu/vu_lib.sh"

vu_need_bins vu_bad vu_life

vdev_test_init
vdev_brd_setup 2 || { echo "# SKIP: brd unavailable"; exit $KSFT_SKIP; }

sock_b=/run/vdev-vub-b.sock	# ram0: 2 queues of 256
sock_l=/run/vdev-vub-l.sock	# ram1: 2 queues of 256
sock_s=/run/vdev-vub-s.sock	# null_blk completing in 1 s: 1 queue
sock_h=/run/vdev-vub-h.sock	# a dm device on ram2 that can hold I/O: 1 queue
vu_vdevd_scripts

# A null_blk disk whose requests complete after 1 s (timer, no poll
# queue: polled bios would complete at once): in-flight I/O for real.
nullb_dev=vunullb
drain_saved=$(cat /sys/module/vdev/parameters/drain_timeout_ms 2>/dev/null)
hugepages_saved=
hold_dm=vu3hold
trap 'rc=$?; vu_vdevd_stop; [ -n "$hugepages_saved" ] && echo "$hugepages_saved" >/proc/sys/vm/nr_hugepages; dmsetup resume "$hold_dm" 2>/dev/null; vdev_clean; vu_nullb_remove_all; dmsetup remove "$hold_dm" 2>/dev/null; (exit $rc); vdev_test_exit' EXIT
# Huge pages for a hugetlbfs case: 32 MiB of guest memory, 16 of 2 MiB.
if [ -w /proc/sys/vm/nr_hugepages ]; then
	hugepages_saved=$(cat /proc/sys/vm/nr_hugepages)
	echo $((hugepages_saved + 20)) >/proc/sys/vm/nr_hugepages
fi

common_env=(VU_TIMEOUT_MS=20000)
mapfile -t env_b < <(vu_blk_env ram0)
env_b+=("VU_SOCK=$sock_b" VU_CTRL=vub-b VU_QUEUES=2 VU_QUEUE_SIZE=256 "${common_env[@]}")
mapfile -t env_l < <(vu_blk_env ram1)
env_l+=("VU_SOCK=$sock_l" VU_CTRL=vub-l VU_QUEUES=2 VU_QUEUE_SIZE=256 "${common_env[@]}"
	"VU_KILL_CMD=$vdev_tmp/kill-vdevd" "VU_START_CMD=$vdev_tmp/start-vdevd")

rm -f "$sock_b" "$sock_l"
check "create vub-b: 2 queues of 256" \
	vdevctl ctrl add vub-b --type virtio-blk --socket "$sock_b" --queues 2 --queue-size 256
check "vub-b: attach ram0" vdevctl ns add vub-b /dev/ram0
check "create vub-l: 2 queues of 256" \
	vdevctl ctrl add vub-l --type virtio-blk --socket "$sock_l" --queues 2 --queue-size 256
check "vub-l: attach ram1" vdevctl ns add vub-l /dev/ram1
socks=("$sock_b" "$sock_l")
if vu_nullb "$nullb_dev" irqmode=2 completion_nsec=1000000000 poll_queues=0; then
	rm -f "$sock_s"
	check "create vub-s: 1 queue" vdevctl ctrl add vub-s --type virtio-blk --socket "$sock_s"
	check "vub-s: attach $nullb_dev (completions after 1 s)" vdevctl ns add vub-s "/dev/$nullb_dev"
	mapfile -t env_s < <(vu_blk_env "$nullb_dev")
	env_s+=("VU_SOCK=$sock_s" VU_CTRL=vub-s VU_QUEUES=1 VU_QUEUE_SIZE=256
		VU_TIMEOUT_MS=20000 VU_UNPIN_MS=8000 VU_STOP_DELAY_MS=300)
	socks+=("$sock_s")
else
	nullb_dev=
fi
# A disk that holds what comes while it is suspended, and lets it go on
# resume: a request out for as long as the case wants.
hold_dev=
if modprobe dm_mod 2>/dev/null &&
	dmsetup create "$hold_dm" --table "0 $(blockdev --getsz /dev/ram2) linear /dev/ram2 0"; then
	udevadm settle 2>/dev/null
	hold_dev=dm-$(dmsetup info -c --noheadings -o minor "$hold_dm")
	rm -f "$sock_h"
	check "create vub-h: 1 queue" vdevctl ctrl add vub-h --type virtio-blk --socket "$sock_h"
	check "vub-h: attach $hold_dev ($hold_dm, linear on ram2)" vdevctl ns add vub-h "/dev/$hold_dev"
	mapfile -t env_h < <(vu_blk_env "$hold_dev")
	# The requests vub-h's queues have out, as vdevctl stats says.
	cat >"$vdev_tmp/peek-h" <<EOF2
#!/bin/sh
"$VDEVCTL" -j stats vub-h | python3 -c '
import json, sys
print(sum(q.get("inflight", 0) for q in json.load(sys.stdin)))'
EOF2
	chmod +x "$vdev_tmp/peek-h"
	env_h+=("VU_SOCK=$sock_h" VU_CTRL=vub-h VU_QUEUES=1 VU_QUEUE_SIZE=256
		VU_TIMEOUT_MS=20000 VU_UNPIN_MS=8000
		"VU_HOLD_CMD=dmsetup suspend $hold_dm"
		"VU_RELEASE_CMD=dmsetup resume $hold_dm"
		"VU_PEEK_CMD=$vdev_tmp/peek-h")
	socks+=("$sock_h")
fi
[ "$vdev_failed" = 0 ] || vdev_test_done
vu_vdevd_start "${socks[@]}" || vdev_test_done

dmesg_mark=$(dmesg | wc -l)

# --- bad data input ---------------------------------------------------------

bad_cases=(desc_outside_memory chain_loop chain_too_long indirect_in_indirect
	indirect_len_not_16 readable_status no_status writable_header
	zero_length_buffer sector_past_end sector_overflow len_not_512
	discard_flags too_many_segs bad_among_good)
for c in "${bad_cases[@]}"; do
	vuc_log vu_bad b "$c"
done
# Packed: the same, in the other layout; 100 entries, not a power of 2.
for c in "${bad_cases[@]}"; do
	vuc_log vu_bad b "$c" VU_RING=packed VU_NUM=100
done
# Corrupt rings: broken, the other queue goes on, a restart clears it.
vuc_log vu_bad b avail_idx_jump
vuc_log vu_bad b head_out_of_range
vuc_log vu_bad b packed_chain_no_end VU_RING=packed VU_NUM=64
vuc_log vu_bad b packed_wrong_wrap VU_RING=packed
vuc_log vu_bad b packed_id_beyond VU_RING=packed
# A read that fails reports only its status byte as written.
vuc_log vu_bad b ioerr_used_len
# A small ring, no indirect: bad chains that fit.
for c in chain_loop chain_too_long bad_among_good; do
	vuc_log vu_bad b "$c" VU_NUM=16 VU_NO_INDIRECT=1
done

# --- lifecycle ------------------------------------------------------------

for ring in split packed; do
	for c in restart_from_base stop_inflight disable_inflight \
		reset_device_under_io vmlck ring_region_readd hangup_inflight; do
		vuc_log vu_life l "$c" VU_RING=$ring
	done
done
vuc_log vu_life l mem_table_resend VU_MEM_TABLE=1
vuc_log vu_life l unrelated_region_under_io VU_REGIONS=2
vuc_log vu_life l unrelated_region_under_io VU_REGIONS=2 VU_RING=packed
vuc_log vu_life l vmlck VU_REGIONS=3
vuc_log vu_life l vmlck VU_HUGETLB=1 VU_RING=packed
vuc_log vu_life l ring_region_readd VU_REGIONS=2
vuc_log vu_life l vdevd_killed_under_io

# The inflight region: chains tracked on split rings, the used slot on
# packed ones; bad GET/SET_INFLIGHT_FD and corrupt regions.
vuc_log vu_life l inflight_region VU_INFLIGHT=1
vuc_log vu_life l inflight_packed VU_INFLIGHT=1 VU_RING=packed
vuc_log vu_life l inflight_bad

# In-flight I/O for real: a disk that answers after 1 s.
if [ -n "$nullb_dev" ]; then
	vuc_log vu_life s stop_inflight
	vuc_log vu_life s stop_inflight VU_RING=packed
	vuc_log vu_life s disable_inflight VU_QUIET_MS=1500
	vuc_log vu_life s hangup_inflight
	# With the region: requests seen in flight; a reconnect at once
	# completes each one exactly once.
	vuc_log vu_life s inflight_region VU_INFLIGHT=1 VU_EXPECT_INFLIGHT=1
	vuc_log vu_life s inflight_hangup_reconnect VU_INFLIGHT=1 VU_EXPECT_INFLIGHT=1
	vuc_log vu_life s inflight_hangup_reconnect VU_INFLIGHT=1 VU_EXPECT_INFLIGHT=1 VU_RING=packed
	# The drain bound: GET_VRING_BASE answers after drain_timeout_ms,
	# then the session ends; the old one drains while a new one works.
	# The old session's late completions stay out of the ring the new
	# session uses (see vu_life.c).
	if echo 300 >/sys/module/vdev/parameters/drain_timeout_ms; then
		vuc_log vu_life s drain_bound VU_DRAIN_MS=300
		# What the bound abandoned, a new session resubmits.
		vuc_log vu_life s inflight_resubmit VU_INFLIGHT=1 VU_DRAIN_MS=300
		echo "$drain_saved" >/sys/module/vdev/parameters/drain_timeout_ms
	else
		vu_skip_check "vu_life drain_bound" "drain_timeout_ms not writable"
	fi
else
	vu_skip_check "vu_life cases on a slow disk" "no null_blk through configfs"
fi
# A request the last session abandoned is still out as the next one
# starts: nothing is fetched until it ended, then each completes once.
if [ -n "$hold_dev" ] && echo 300 >/sys/module/vdev/parameters/drain_timeout_ms; then
	vuc_log vu_life h inflight_held VU_INFLIGHT=1
	echo "$drain_saved" >/sys/module/vdev/parameters/drain_timeout_ms
	dmsetup resume "$hold_dm" 2>/dev/null
else
	vu_skip_check "vu_life inflight_held" "no dm device, or drain_timeout_ms not writable"
fi
if vu_vdevd_alive; then
	pass "vdevd runs after the lifecycle cases"
else
	fail "vdevd runs after the lifecycle cases"
	"$vdev_tmp/start-vdevd"
fi

# Every session let go of its disk.
check "every controller deleted" vdev_clean
for dev in /dev/ram0 /dev/ram1 ${nullb_dev:+/dev/$nullb_dev} ${hold_dev:+/dev/$hold_dev}; do
	vu_expect_free "$dev"
done

vu_finish "$dmesg_mark"
