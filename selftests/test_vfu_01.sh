#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# NVMe over vfio-user, the transport, from the client's side: the C
# client (selftests/vfu/vfu_test) plays QEMU's vfio-user-pci over the
# sockets vdevd serves. Version negotiation, device, region and irq info,
# config space and registers, DMA maps, interrupts, bad input and framing
# errors. SKIPs against a vdev module that refuses to bind nvme
# controllers (an older one).
source "$(dirname "$0")/test_common.sh"

source "$(dirname "$0")/vu/vu_lib.sh"

VFU_DIR=${VFU_DIR:-$VDEV_ROOT/selftests/vfu}

for bin in "$VDEVD" "$VFU_DIR/vfu_test"; do
	if [ ! -x "$bin" ]; then
		echo "# SKIP: $bin not built (make; make -C selftests/vfu)"
		exit "$KSFT_SKIP"
	fi
done

vdev_test_init
vdev_brd_setup 2 || { echo "# SKIP: brd unavailable"; exit $KSFT_SKIP; }

sock0=/run/vdev-vfu0.sock	# ram0, 2 I/O queues
sock1=/run/vdev-vfu1.sock	# ram1, 5 I/O queues: more vectors than one message's fds

vu_vdevd_scripts
log=$vu_log
trap 'rc=$?; vu_vdevd_stop; (exit $rc); vdev_test_exit' EXIT

common_env=(VFU_TIMEOUT_MS=10000 VFU_POLL=always VFU_VENDOR=0)
# shellcheck disable=SC2034 # used through vfu()
env_nv0=("VFU_SOCK=$sock0" VFU_CTRL=nv0 VFU_QUEUES=2 "${common_env[@]}")
# shellcheck disable=SC2034 # used through vfu()
env_nv1=("VFU_SOCK=$sock1" VFU_CTRL=nv1 VFU_QUEUES=5 "${common_env[@]}")

# vfu CTRL CASE: one vfu_test case against CTRL (vu_lib.sh's vuc).
vfu() {
	VU_DIR=$VFU_DIR vuc vfu_test "$1" "$2"
}

# log_has DESC REGEX: vdevd's log has a matching line within 5 s.
log_has() {
	for _ in $(seq 50); do
		grep -Eq -- "$2" "$log" && break
		sleep 0.1
	done
	if grep -Eq -- "$2" "$log"; then
		pass "$1"
	else
		fail "$1 (no /$2/ in vdevd's log)"
	fi
}

rm -f "$sock0" "$sock1"
check "create nv0: nvme, 2 queues, poll always" \
	vdevctl ctrl add nv0 --type nvme --socket "$sock0" --queues 2 --poll always
check "nv0: attach ram0" vdevctl ns add nv0 /dev/ram0
check "create nv1: nvme, 5 queues, poll always" \
	vdevctl ctrl add nv1 --type nvme --socket "$sock1" --queues 5 --poll always
check "nv1: attach ram1" vdevctl ns add nv1 /dev/ram1
[ "$vdev_failed" = 0 ] || vdev_test_done

# Serving starts with BIND, which a module without the NVMe transport
# refuses: vdevd then says so and never creates the sockets.
"$vdev_tmp/start-vdevd"
refused="does not serve nvme controllers over vfio-user"
for _ in $(seq 300); do
	[ -S "$sock0" ] && [ -S "$sock1" ] && break
	grep -q "$refused" "$log" && break
	vu_vdevd_alive || break
	sleep 0.1
done
if grep -q "$refused" "$log"; then
	echo "# SKIP: the vdev module refuses VDEV_IOC_BIND for nvme controllers (its vfio-user side is not in yet); vdevd said:"
	grep "$refused" "$log" | sed 's/^/#   /'
	exit "$KSFT_SKIP"
fi
if [ -S "$sock0" ] && [ -S "$sock1" ]; then
	pass "vdevd serves nv0 and nv1"
else
	fail "vdevd serves nv0 and nv1"
	sed 's/^/#   /' "$log"
	vdev_test_done
fi
log_has "vdevd logs serving nv0" "serving controller nv0 .*$sock0"

# shellcheck disable=SC2034 # read by vuc
vu_failed=0

# --- the transport --------------------------------------------------------

vfu nv0 device_info
r1=$?
vfu nv0 version_negotiated
r2=$?
if [ $r1 != 0 ] && [ $r2 != 0 ]; then
	echo "# nv0 does not answer; vdevd's log:"
	sed 's/^/#   /' "$log"
	vdev_test_done
fi
for c in version_minor_lowered version_minor_0 version_without_json \
	version_bad_major version_malformed_json version_json_unterminated \
	region_info_each bar0_doorbells_mmap config_space config_capabilities \
	bar0_registers irq_info set_irqs_eventfds set_irqs_mask_unsupported \
	dma_map_unmap dma_map_bad device_reset; do
	vfu nv0 $c
done
# Six vectors: with a server max_msg_fds under 6 SET_IRQS takes two messages.
for c in irq_info config_capabilities set_irqs_eventfds; do
	vfu nv1 $c
done

# --- bad input --------------------------------------------------------------

for c in wrong_sizes region_rw_bad fds_where_none_belong unknown_commands \
	framing_size_under_16 framing_size_over_max framing_reply_type \
	framing_error_flag framing_unknown_flag framing_too_many_fds; do
	vfu nv0 $c
done
log_has "vdevd logs framing errors" "nv0: framing error: size 8 under 16"
log_has "vdevd logs truncated control data" "nv0: framing error: control data truncated"
log_has "vdevd logs dropped commands" "nv0: dropping command 14 \\(id [0-9]+\\): unknown command"
log_has "vdevd logs malformed JSON" "nv0: dropping VERSION \\(id [0-9]+\\): capabilities: "
# The other controller never noticed.
vfu nv1 device_info

vu_vdevd_stop
if [ "$vu_failed" != 0 ]; then
	echo "# vdevd's log:"
	tail -n 200 "$log" | sed 's/^/#   /'
fi
vdev_test_done
