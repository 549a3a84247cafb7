#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What live migration asks of the back end, from the front end's side
# (selftests/vu/vu_migrate), on split and packed rings: the dirty log
# (LOG_ALL, LOG_SHMFD, SET_LOG_BASE and its refusals) compared bit for bit
# with the pages written, on virtio-blk and virtio-scsi controllers; and a
# ring handed over from one session to another through GET_VRING_BASE /
# SET_VRING_BASE with requests in flight, to a second controller on the
# same disk (ns add --shared) or, without it, to the same controller
# reconnected. A null_blk disk answering after 1 s puts requests in flight
# for real.
# timeout=900
source "$(dirname "$0")/test_common.sh"
source "$(dirname "$0")/vu/vu_lib.sh"

vu_need_bins vu_migrate

vdev_test_init
vdev_brd_setup 2 || { echo "# SKIP: brd unavailable"; exit $KSFT_SKIP; }

sock_a=/run/vdev-vum-a.sock	# ram0: 2 queues of 256
sock_b=/run/vdev-vum-b.sock	# ram0 again (--shared): the handover's destination
sock_s=/run/vdev-vum-s.sock	# virtio-scsi, LUN 0:0 on ram1
sock_n=/run/vdev-vum-n.sock	# null_blk completing in 1 s: 2 queues
sock_m=/run/vdev-vum-m.sock	# the same null_blk (--shared)
vu_vdevd_scripts

nullb_dev=vumnullb
trap 'rc=$?; vu_vdevd_stop; vdev_clean; vu_nullb_remove_all; (exit $rc); vdev_test_exit' EXIT

# ns_add_shared CTRL DEV: attach DEV shared; 1 if vdevctl has no --shared.
ns_add_shared() {
	local out

	out=$(vdevctl ns add "$1" --shared "$2" 2>&1) && return 0
	if grep -qi 'shared' <<<"$out" && grep -qiE 'unknown|unrecognized|invalid option|usage' <<<"$out"; then
		return 1
	fi
	fail "$1: attach $2 --shared"
	printf '%s\n' "$out" | sed 's/^/#   /'
	return 2
}

common_env=(VU_TIMEOUT_MS=20000)
mapfile -t env_a < <(vu_blk_env ram0)
env_a+=("VU_SOCK=$sock_a" VU_CTRL=vum-a VU_QUEUES=2 VU_QUEUE_SIZE=256 "${common_env[@]}")

rm -f "$sock_a" "$sock_b" "$sock_s" "$sock_n" "$sock_m"
check "create vum-a: 2 queues of 256" \
	vdevctl ctrl add vum-a --type virtio-blk --socket "$sock_a" --queues 2 --queue-size 256
socks=("$sock_a")
shared=0
ns_add_shared vum-a /dev/ram0
case $? in
0)
	shared=1
	pass "vum-a: attach ram0 --shared"
	check "create vum-b: 2 queues of 256" \
		vdevctl ctrl add vum-b --type virtio-blk --socket "$sock_b" --queues 2 --queue-size 256
	check "vum-b: attach ram0 --shared too" vdevctl ns add vum-b --shared /dev/ram0
	env_a+=("VU_SOCK_B=$sock_b")
	socks+=("$sock_b")
	;;
1)
	vu_skip_check "a second controller on ram0" "vdevctl ns add has no --shared: the handover reconnects to vum-a"
	check "vum-a: attach ram0" vdevctl ns add vum-a /dev/ram0
	;;
esac

check "create vum-s: virtio-scsi, 1 request queue of 128" \
	vdevctl ctrl add vum-s --type virtio-scsi --socket "$sock_s" --queues 1 --queue-size 128
check "vum-s: LUN 0:0 on ram1" vdevctl ns add vum-s --target 0 --lun 0 /dev/ram1
socks+=("$sock_s")
# shellcheck disable=SC2034 # read by vuc, through a nameref
env_s=("VU_SCSI_SOCK=$sock_s" "${common_env[@]}")

if vu_nullb "$nullb_dev" irqmode=2 completion_nsec=1000000000 poll_queues=0; then
	check "create vum-n: 2 queues of 256" \
		vdevctl ctrl add vum-n --type virtio-blk --socket "$sock_n" --queues 2 --queue-size 256
	mapfile -t env_n < <(vu_blk_env "$nullb_dev")
	env_n+=("VU_SOCK=$sock_n" VU_CTRL=vum-n VU_QUEUES=2 VU_QUEUE_SIZE=256
		VU_TIMEOUT_MS=20000 VU_STOP_DELAY_MS=300 VU_EXPECT_INFLIGHT=1)
	socks+=("$sock_n")
	if [ $shared = 1 ] && ns_add_shared vum-n "/dev/$nullb_dev"; then
		pass "vum-n: attach $nullb_dev --shared (completions after 1 s)"
		check "create vum-m: 2 queues of 256" \
			vdevctl ctrl add vum-m --type virtio-blk --socket "$sock_m" --queues 2 --queue-size 256
		check "vum-m: attach $nullb_dev --shared too" \
			vdevctl ns add vum-m --shared "/dev/$nullb_dev"
		env_n+=("VU_SOCK_B=$sock_m")
		socks+=("$sock_m")
	else
		check "vum-n: attach $nullb_dev (completions after 1 s)" \
			vdevctl ns add vum-n "/dev/$nullb_dev"
	fi
else
	nullb_dev=
fi
[ "$vdev_failed" = 0 ] || vdev_test_done
vu_vdevd_start "${socks[@]}" || vdev_test_done

dmesg_mark=$(dmesg | wc -l)

# --- negotiation and SET_LOG_BASE -------------------------------------------

vuc_log vu_migrate a log_negotiate
vuc_log vu_migrate a log_negotiate VU_RING=packed
vuc_log vu_migrate a log_not_negotiated
vuc_log vu_migrate a vring_addr_started
vuc_log vu_migrate a vring_addr_started VU_RING=packed

# --- the dirty log, bit for bit ---------------------------------------------

for ring in split packed; do
	vuc_log vu_migrate a dirty_log_blk VU_RING=$ring
	# Two regions, the second 64 MiB up in guest-physical space.
	vuc_log vu_migrate a dirty_log_blk VU_RING=$ring VU_REGIONS=2 VU_GPA_GAP_MB=64
	vuc_log vu_migrate a dirty_log_stop VU_RING=$ring
	vuc_log vu_migrate s dirty_log_scsi VU_RING=$ring
done
vuc_log vu_migrate a dirty_log_blk VU_NO_EVENT_IDX=1 VU_NO_INDIRECT=1
vuc_log vu_migrate a log_guest_addr
# A log QEMU sized for less memory than it mapped: nothing past its end.
vuc_log vu_migrate a log_short VU_REGIONS=2 VU_GPA_GAP_MB=64

# --- handover ----------------------------------------------------------------

vuc_log vu_migrate a handover
vuc_log vu_migrate a handover VU_RING=packed VU_NUM=64
vuc_log vu_migrate a handover VU_RING=packed VU_NUM=100 VU_NO_INDIRECT=1

# --- requests in flight for real: a disk that answers after 1 s --------------

if [ -n "$nullb_dev" ]; then
	for ring in split packed; do
		vuc_log vu_migrate n dirty_log_stop VU_RING=$ring
		vuc_log vu_migrate n handover VU_RING=$ring VU_NUM=16 VU_ONE_BY_ONE=3
	done
else
	vu_skip_check "vu_migrate cases on a slow disk" "no null_blk through configfs"
fi

if vu_vdevd_alive; then
	pass "vdevd runs after the migration cases"
else
	fail "vdevd runs after the migration cases"
fi

vu_finish "$dmesg_mark"
