#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vhost-user data path, from the front end's side (selftests/vu/vu_data
# plays QEMU 7.2 and the guest's driver): write, read back and compare
# on brd over split and packed rings, 1 and 4 queues, ring sizes 2, 16,
# 256 and packed 100, 512 B to 1 MiB, multi-buffer, indirect and
# two-region chains, hugetlbfs, SET_MEM_TABLE; the commands (FLUSH,
# GET_ID, DISCARD, WRITE_ZEROES, unknown types, read-only); call
# suppression; polled I/O on a null_blk with a poll queue; and a few
# cases on "poll never" and "poll always" controllers.
source "$(dirname "$0")/test_common.sh"
source "$(dirname "$0")/vu/vu_lib.sh"

vu_need_bins vu_data

vdev_test_init
vdev_brd_setup 4 || { echo "# SKIP: brd unavailable"; exit $KSFT_SKIP; }

sock_a=/run/vdev-vud-a.sock	# ram0: 4 queues of 256, poll adaptive
sock_r=/run/vdev-vud-r.sock	# ram1 read-only, 1 queue
sock_n=/run/vdev-vud-n.sock	# ram2: 2 queues, poll never
sock_p=/run/vdev-vud-p.sock	# ram3: 1 queue of 128, poll always
sock_q=/run/vdev-vud-q.sock	# null_blk with a poll queue: 2 queues
vu_vdevd_scripts

hugepages_saved=
trap 'rc=$?; vu_vdevd_stop; [ -n "$hugepages_saved" ] && echo "$hugepages_saved" >/proc/sys/vm/nr_hugepages; vdev_clean; vu_nullb_remove_all; (exit $rc); vdev_test_exit' EXIT

common_env=(VU_TIMEOUT_MS=20000)
mapfile -t env_a < <(vu_blk_env ram0)
env_a+=("VU_SOCK=$sock_a" VU_CTRL=vud-a VU_QUEUES=4 VU_QUEUE_SIZE=256 "${common_env[@]}")
mapfile -t env_r < <(vu_blk_env ram1)
env_r+=("VU_SOCK=$sock_r" VU_CTRL=vud-r VU_QUEUES=1 VU_QUEUE_SIZE=256 VU_RO=1 "${common_env[@]}")
mapfile -t env_n < <(vu_blk_env ram2)
env_n+=("VU_SOCK=$sock_n" VU_CTRL=vud-n VU_QUEUES=2 VU_QUEUE_SIZE=256 VU_TIMEOUT_MS=10000)
mapfile -t env_p < <(vu_blk_env ram3)
env_p+=("VU_SOCK=$sock_p" VU_CTRL=vud-p VU_QUEUES=1 VU_QUEUE_SIZE=128 "${common_env[@]}")

rm -f "$sock_a" "$sock_r" "$sock_n" "$sock_p"
check "create vud-a: 4 queues of 256" \
	vdevctl ctrl add vud-a --type virtio-blk --socket "$sock_a" --queues 4 --queue-size 256
check "vud-a: attach ram0" vdevctl ns add vud-a /dev/ram0
check "create vud-r: 1 queue" vdevctl ctrl add vud-r --type virtio-blk --socket "$sock_r"
check "vud-r: attach ram1 read-only" vdevctl ns add vud-r --ro /dev/ram1
check "create vud-n: 2 queues, poll never" \
	vdevctl ctrl add vud-n --type virtio-blk --socket "$sock_n" --queues 2 --poll never
check "vud-n: attach ram2" vdevctl ns add vud-n /dev/ram2
check "create vud-p: 1 queue of 128, poll always" \
	vdevctl ctrl add vud-p --type virtio-blk --socket "$sock_p" --queue-size 128 --poll always
check "vud-p: attach ram3" vdevctl ns add vud-p /dev/ram3
socks=("$sock_a" "$sock_r" "$sock_n" "$sock_p")
# Polled I/O: a memory-backed null_blk with a poll queue (REQ_POLLED bios
# complete only when the poller polls them).
nullb_q=vunullp
if vu_nullb "$nullb_q" poll_queues=1 irqmode=0; then
	check "create vud-q: 2 queues" \
		vdevctl ctrl add vud-q --type virtio-blk --socket "$sock_q" --queues 2
	check "vud-q: attach $nullb_q (a poll queue)" vdevctl ns add vud-q "/dev/$nullb_q"
	mapfile -t env_q < <(vu_blk_env "$nullb_q")
	env_q+=("VU_SOCK=$sock_q" VU_CTRL=vud-q VU_QUEUES=2 VU_QUEUE_SIZE=256 "${common_env[@]}")
	socks+=("$sock_q")
else
	nullb_q=
fi
[ "$vdev_failed" = 0 ] || vdev_test_done
vu_vdevd_start "${socks[@]}" || vdev_test_done

# Huge pages for the hugetlbfs cases: 32 MiB of guest memory, 16 of 2 MiB.
if [ -w /proc/sys/vm/nr_hugepages ]; then
	hugepages_saved=$(cat /proc/sys/vm/nr_hugepages)
	echo $((hugepages_saved + 20)) >/proc/sys/vm/nr_hugepages
fi

# --- data: the matrix -----------------------------------------------------

data_cases=(rw_small rw_large rw_multibuf rw_indirect rw_max_segs out_of_order
	one_kick_batch)
# Split and packed, 1 and 4 queues of 256: every layout.
for c in "${data_cases[@]}"; do
	vuc_log vu_data a "$c" VU_NQ=1
	vuc_log vu_data a "$c" VU_NQ=4 VU_RING=packed
done
vuc_log vu_data a rw_small VU_NQ=4
vuc_log vu_data a rw_large VU_NQ=4
vuc_log vu_data a rw_small VU_NQ=1 VU_RING=packed
# Small rings: 2 and 16 entries, and packed 100 (not a power of 2).
for n in 2 16; do
	for c in rw_small rw_multibuf rw_indirect; do
		vuc_log vu_data a "$c" VU_NQ=2 VU_NUM=$n
		vuc_log vu_data a "$c" VU_NQ=2 VU_NUM=$n VU_RING=packed
	done
done
for c in rw_small rw_multibuf rw_indirect out_of_order one_kick_batch; do
	vuc_log vu_data a "$c" VU_NQ=1 VU_NUM=100 VU_RING=packed
done
# Without indirect descriptors, without event idx.
for ring in split packed; do
	vuc_log vu_data a rw_multibuf VU_NUM=16 VU_NO_INDIRECT=1 VU_RING=$ring
	vuc_log vu_data a rw_small VU_NO_EVENT_IDX=1 VU_RING=$ring
done
# Two regions: contiguous in gpa (a buffer may run across), and with a
# 1 GiB hole as QEMU's below/above 4G split has.
for ring in split packed; do
	vuc_log vu_data a rw_two_regions VU_NQ=2 VU_REGIONS=2 VU_RING=$ring
	vuc_log vu_data a rw_two_regions VU_NQ=2 VU_REGIONS=2 VU_GPA_GAP_MB=1024 VU_RING=$ring
	vuc_log vu_data a rw_cross_region VU_NQ=2 VU_REGIONS=2 VU_RING=$ring
done
# hugetlbfs memory; SET_MEM_TABLE instead of ADD_MEM_REG.
vuc_log vu_data a rw_small VU_NQ=2 VU_HUGETLB=1
vuc_log vu_data a rw_large VU_NQ=2 VU_HUGETLB=1 VU_RING=packed
vuc_log vu_data a rw_small VU_NQ=2 VU_REGIONS=2 VU_MEM_TABLE=1
vuc_log vu_data a rw_small VU_NQ=2 VU_REGIONS=2 VU_MEM_TABLE=1 VU_RING=packed

# --- commands -------------------------------------------------------------

for ring in split packed; do
	for c in flush get_id discard_zeroes write_zeroes write_zeroes_unmap \
		unknown_type call_suppression; do
		vuc_log vu_data a "$c" VU_RING=$ring
	done
	vuc_log vu_data a call_suppression VU_NO_EVENT_IDX=1 VU_RING=$ring
	vuc_log vu_data r read_only VU_RING=$ring
done

# --- polled I/O on null_blk ------------------------------------------------

vuc_log vu_data a merge_reverse
if [ -n "$nullb_q" ]; then
	vuc_log vu_data q rw_small
	vuc_log vu_data q rw_large VU_RING=packed
	vuc_log vu_data q rw_multibuf
	# Regression (found by these cases): a polled bio merged into a
	# request another bio started has no cookie (blk_mq_start_request()
	# sets rq->bio's only); when vdev polled only the oldest polled bio,
	# bio_poll() returned 0 for it forever and null_blk timed the
	# requests out after 5 s: IOERR. Adjacent requests in descending
	# order (front merges) hit it every time; rw_small's writes hit
	# writeback throttling, which put the poller to sleep on writes only
	# it completes.
	vuc_log vu_data q merge_reverse
	vuc_log vu_data q merge_reverse VU_RING=packed
	# 200 requests at once on a poll queue of 64 tags: REQ_NOWAIT finds
	# none free (BLK_STS_AGAIN), the poller sends them again and never
	# sleeps on a tag only it can free.
	vuc_log vu_data q one_kick_batch
	vuc_log vu_data q one_kick_batch VU_RING=packed
else
	vu_skip_check "vu_data cases on polled null_blk" "no null_blk through configfs"
fi

# --- poll modes -----------------------------------------------------------

# poll never: fetched only after a kick.
# Regression (found by the first case): with a split ring and EVENT_IDX
# (what Linux guests negotiate) a "poll never" queue must publish
# avail_event after each look, or a driver that follows the spec stops
# kicking after the first batch and its requests hang. VU_ALWAYS_KICK=1
# (kick regardless) and no event idx tell a driver bug from a device one.
vuc_log vu_data n rw_small
vuc_log vu_data n rw_small VU_ALWAYS_KICK=1
vuc_log vu_data n rw_small VU_NO_EVENT_IDX=1
vuc_log vu_data n rw_small VU_RING=packed
# Regression (found by these cases): a "poll never" queue fetches at
# most VDEV_POLL_BATCH (64) chains a pass; what one kick made available
# beyond that must still be fetched without another kick.
vuc_log vu_data n one_kick_batch
vuc_log vu_data n one_kick_batch VU_NO_EVENT_IDX=1
vuc_log vu_data n one_kick_batch VU_RING=packed
vuc_log vu_data n call_suppression VU_NO_EVENT_IDX=1
# poll always: never sleeps, kicks suppressed.
vuc_log vu_data p rw_small
vuc_log vu_data p rw_small VU_RING=packed
vuc_log vu_data p one_kick_batch
vuc_log vu_data p call_suppression
vuc_log vu_data p rw_multibuf VU_RING=packed VU_NUM=100

if [ "$vu_failed" != 0 ]; then
	echo "# vdevd's log:"
	tail -n 100 "$vu_log" | sed 's/^/#   /'
fi

vu_vdevd_stop
vdev_test_done
