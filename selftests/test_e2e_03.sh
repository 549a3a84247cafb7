#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# End to end on vdev, virtio-scsi: a virtio-scsi controller with 2 request
# queues and two LUNs on RAM disks, 0:0 on /dev/ram0 and 0:1 on /dev/ram1,
# served by vdevd to Debian's QEMU 7.2 (vhost-user-scsi-pci, which takes
# no config space from the back end), nested under TCG.  One guest boot
# (selftests/e2e/guest-init) does it all:
#
#   probe    virtio_scsi and sd scan the host (every other target answers
#            BAD_TARGET) and find both LUNs, by address
#   ident    the guest prints what each LUN says it is (sysfs, and
#            sg3-utils: sg_inq, sg_vpd 0x80 0x83 0xb0 0xb2, sg_readcap
#            --long); the host compares it with what vdev serves: vendor,
#            product, unit serial "<ctrl>.<target>.<lun>", the NAA
#            designator, capacity, block limits, provisioning
#   rw       16 MiB of random pattern written to 0:0 and read back
#   discard  a MiB of it unmapped, read back as zeros
#   hotplug  while the guest writes and verifies 1 MiB at a time on 0:1 in
#            the background, the host attaches 1:0 on /dev/ram2 (a new
#            target) and then 0:2 on /dev/ram3 (a new LUN of target 0),
#            each when the guest asks on its console; the guest sees each
#            disk come (the event queue's TRANSPORT_RESET RESCAN; no rescan
#            by hand), checks its address and identity, writes and reads
#            back 4 MiB, asks for the detach, and sees the disk go
#            (TRANSPORT_RESET REMOVED); the background I/O goes on
#            throughout and reads back every block as written
#
# The host then reads from each RAM disk what the guest wrote there.
# A guest boot that crashes is retried up to three times (e2e/run-qemu.sh).
# timeout=1500
# shellcheck source-path=SCRIPTDIR source=test_common.sh
source "$(dirname "$0")/test_common.sh"
# shellcheck source=e2e/e2e_common.sh
source "$VDEV_ROOT/selftests/e2e/e2e_common.sh"

ctrl=e2e3
# The identity of every LUN: strings of our own, which every `ns add`
# passes as --vendor, --product and --serial (<prefix><target>.<lun>);
# empty, vdev's own (kmod/virtio_scsi.c, vdev_scsi_lun_ident()): vendor
# "VDEV" and product "vdev-scsi disk" in INQUIRY, unit serial
# "<ctrl>.<target>.<lun>" in VPD 0x80 (test_ns_04 checks those).
id_vendor=ACME id_product='E2E Disk' id_serial_prefix=SN-E2E-
want_vendor=${id_vendor:-VDEV}
want_product=${id_product:-vdev-scsi disk}
# want_serial T L
want_serial() { echo "${id_serial_prefix:-$ctrl.}$1.$2"; }
# ns_id_opts T L: the `ns add` options for LUN T:L's identity, in id_opts.
ns_id_opts() {
	id_opts=()
	[ -n "$id_vendor" ] && id_opts+=(--vendor "$id_vendor")
	[ -n "$id_product" ] && id_opts+=(--product "$id_product")
	[ -n "$id_serial_prefix" ] && id_opts+=(--serial "$(want_serial "$1" "$2")")
	return 0
}
# want_naa T L: the LUN's NAA designator in VPD 0x83: locally assigned
# (NAA 3), the controller's id and the address below it.
want_naa() { printf '0x3%015x\n' $(((ctrl_id << 24) | ($1 << 14) | $2)); }
# want_wwid T L: the guest kernel's name for the LUN (sysfs wwid), from
# VPD 0x83: of its designators Linux ranks NAA locally assigned and T10
# vendor ID alike, lowest, and takes the later, vdev's T10 one: the
# vendor, padded to 8, then the serial.
want_wwid() { printf 't10.%-8s%s\n' "$want_vendor" "$(want_serial "$1" "$2")"; }
# The largest transfer QEMU 7.2 tells the guest (max_sectors 0xffff),
# which vdev's block limits page repeats, in 512-byte sectors.
max_xfer_sectors=65535

# The LUNs at boot, and those plugged in while the guest runs.
boot_luns=(0:0 0:1)
boot_devs=(/dev/ram0 /dev/ram1)
hot_luns=(1:0 0:2)
hot_devs=(/dev/ram2 /dev/ram3)

export E2E_DEV=scsi
e2e_need_tools sg_inq sg_vpd sg_readcap
# e2e_vdev_start attaches 0:0 itself.
ns_id_opts 0 0
e2e_ns_opts=("${id_opts[@]}")
e2e_vdev_start "$ctrl" 4
ns_id_opts "${boot_luns[1]%:*}" "${boot_luns[1]#*:}"
check "$ctrl: attach ${boot_devs[1]} as ${boot_luns[1]}" \
	vdevctl ns add "$ctrl" "${id_opts[@]}" --target "${boot_luns[1]%:*}" \
	--lun "${boot_luns[1]#*:}" "${boot_devs[1]}"
[ "$vdev_failed" = 0 ] || vdev_test_done
ctrl_id=$(vdevctl --json ctrl show "$ctrl" | json_get 'd["id"]')

# The namespaces as vdevctl shows them (JSON), by LUN: the size and block
# size the guest must see.
declare -A ns_json
for l in "${boot_luns[@]}"; do
	ns_json[$l]=$(vdevctl --json ns show "$ctrl" --target "${l%:*}" --lun "${l#*:}")
done

# --- the guest --------------------------------------------------------------

steps=ident,rw
e2e_has_discard "$e2e_dev" && steps=$steps,discard
steps=$steps,hotplug
e2e_log=$vdev_tmp/guest.log
export E2E_SCSI_LUNS E2E_SCSI_HOT
E2E_SCSI_LUNS=$(
	IFS=,
	echo "${boot_luns[*]}"
)
E2E_SCSI_HOT=$(
	IFS=,
	echo "${hot_luns[*]}"
)
# From the guest's init the steps take 2-6 minutes nested, the boot to
# it 3-6 (the more, the busier the host).
export E2E_GUEST_WD=${E2E_GUEST_WD:-600}
export E2E_TIMEOUT=${E2E_TIMEOUT:-960}
(
	e2e_run "$e2e_sock" "$steps" no
	echo "$e2e_rc" >"$vdev_tmp/run.rc"
) &
runner=$!
e2e_pids+=("$runner")

# guest_ended DESC: the guest ended before DESC happened: its verdict
# tells why (a boot that crashed every time is the bench's failure).
guest_ended() {
	wait "$runner"
	e2e_rc=$(cat "$vdev_tmp/run.rc" 2>/dev/null || echo 1)
	e2e_bench_failed
	fail "$1 (the guest ended first or timed out)"
}

# hot_cycle T:L DEV: when the guest asks, attach DEV as LUN T:L; when it
# has seen and checked the disk, detach it; the disk is released and the
# guest sees it go.
hot_cycle() {
	local tl=$1 dev=$2 t=${1%:*} l=${1#*:} i

	if ! e2e_wait_console "^VDEV-E2E: hotplug want-attach $tl " "$runner" 1400; then
		guest_ended "the guest asks for $tl"
		return 1
	fi
	ns_id_opts "$t" "$l"
	if vdevctl --json ns add "$ctrl" "${id_opts[@]}" --target "$t" --lun "$l" "$dev" \
		>"$vdev_tmp/ns-$tl.json" 2>"$vdev_tmp/err"; then
		pass "hot-attach $dev as $tl while the guest runs I/O on ${boot_luns[1]}"
		ns_json[$tl]=$(cat "$vdev_tmp/ns-$tl.json")
	else
		fail "hot-attach $dev as $tl while the guest runs I/O on ${boot_luns[1]}"
		sed 's/^/#   /' "$vdev_tmp/err"
	fi
	if ! e2e_wait_console "^VDEV-E2E: hotplug want-detach $tl " "$runner" 300; then
		guest_ended "the guest sees $tl come, writes and reads it back"
		return 1
	fi
	pass "the guest sees $tl come ($(e2e_console_value "VDEV-E2E: hotplug $tl dev ")), writes and reads it back"
	check "hot-detach $tl" vdevctl ns del "$ctrl" --target "$t" --lun "$l"
	for ((i = 0; i < 100; i++)); do
		vdev_bdev_free "$dev" && break
		sleep 0.1
	done
	if vdev_bdev_free "$dev"; then
		pass "$dev released after the detach"
	else
		fail "$dev released after the detach (still held after 10 s)"
	fi
	if ! e2e_wait_console "^VDEV-E2E: hotplug $tl gone " "$runner" 300; then
		guest_ended "the guest sees $tl go"
		return 1
	fi
	pass "the guest sees $tl go"
}

for i in "${!hot_luns[@]}"; do
	hot_cycle "${hot_luns[i]}" "${hot_devs[i]}" || break
done
wait "$runner" 2>/dev/null
e2e_rc=$(cat "$vdev_tmp/run.rc" 2>/dev/null || echo 1)
e2e_vdev_verdict "guest on vdev: split ring, 2 queues, LUNs ${boot_luns[*]}, $steps"
expect_eq "$ctrl has its boot LUNs only" "$(vdev_ns_count "$ctrl")" "${#boot_luns[@]}"

# --- what the guest saw -----------------------------------------------------

# sg_out T:L KEY: the output of that sg3-utils command in the guest.
sg_out() {
	e2e_console | sed -n "s/^VDEV-E2E: sg $1 $2 | //p"
}

# sg_field T:L KEY LABEL: the value after "LABEL" (an ERE, anchored after
# leading blanks) in that output, trailing blanks cut.
sg_field() {
	sg_out "$1" "$2" | sed -n -E "s/^ *$3 *//p" | sed 's/ *$//' | head -n 1
}

# The NAA designator of the addressed logical unit in sg_vpd's 0x83.
sg_naa() {
	sg_out "$1" vpd | awk '
		/^  [A-Z]/ { lu = ($0 ~ /Addressed logical unit/) }
		lu && /designator type: NAA/ { naa = 1; next }
		lu && naa && $1 ~ /^0x/ { print tolower($1); exit }'
}

# check_sysfs T:L: the guest's sysfs view of the LUN's disk.
check_sysfs() {
	local tl=$1 t=${1%:*} l=${1#*:} size

	size=$(json_get 'd["size"]' <<<"${ns_json[$tl]}")
	expect_match "$tl: the guest's disk has address $tl" \
		"$(e2e_console_value "VDEV-E2E: id $tl hctl ")" "^[0-9]+:0:$t:$l\$"
	expect_eq "$tl: sysfs vendor" "$(e2e_console_value "VDEV-E2E: id $tl vendor ")" "$want_vendor"
	expect_eq "$tl: sysfs model" "$(e2e_console_value "VDEV-E2E: id $tl model ")" "$want_product"
	expect_eq "$tl: sysfs wwid" "$(e2e_console_value "VDEV-E2E: id $tl wwid ")" "$(want_wwid "$t" "$l")"
	expect_eq "$tl: the guest's size in sectors" \
		"$(e2e_console_value "VDEV-E2E: id $tl sectors ")" "$((size / 512))"
}

# check_inq T:L: sg_inq's vendor, product and unit serial.
check_inq() {
	local tl=$1

	expect_eq "$tl: INQUIRY vendor" "$(sg_field "$tl" inq 'Vendor identification:')" "$want_vendor"
	expect_eq "$tl: INQUIRY product" "$(sg_field "$tl" inq 'Product identification:')" "$want_product"
	expect_eq "$tl: sg_inq's unit serial number" \
		"$(sg_field "$tl" inq 'Unit serial number:')" "$(want_serial "${tl%:*}" "${tl#*:}")"
}

# check_readcap T:L: sg_readcap --long against the namespace's size.
check_readcap() {
	local tl=$1 size lbs

	size=$(json_get 'd["size"]' <<<"${ns_json[$tl]}")
	lbs=$(json_get 'd["lblk-size"]' <<<"${ns_json[$tl]}")
	expect_eq "$tl: READ CAPACITY (16) blocks" \
		"$(sg_field "$tl" readcap 'Last LBA=[0-9]+ \(0x[0-9a-f]+\), Number of logical blocks=')" \
		"$((size / lbs))"
	expect_eq "$tl: READ CAPACITY (16) block length" \
		"$(sg_field "$tl" readcap 'Logical block length=')" "$lbs bytes"
}

# The first boot LUN: the VPD pages (sg_vpd --all).
check_vpd() {
	local tl=$1 dev=$2 lbs unmap page

	lbs=$(json_get 'd["lblk-size"]' <<<"${ns_json[$tl]}")
	for page in 'Unit serial number' 'Device Identification' 'Block limits' \
		'Logical block provisioning'; do
		if sg_out "$tl" vpd | grep -q "^$page VPD page"; then
			pass "$tl: sg_vpd --all decodes the $page page"
		else
			fail "$tl: sg_vpd --all decodes the $page page"
		fi
	done
	expect_eq "$tl: VPD 0x80 unit serial number" \
		"$(sg_field "$tl" vpd 'Unit serial number:')" "$(want_serial "${tl%:*}" "${tl#*:}")"
	expect_eq "$tl: VPD 0x83 NAA designator" "$(sg_naa "$tl")" "$(want_naa "${tl%:*}" "${tl#*:}")"
	expect_eq "$tl: VPD 0xb0 maximum transfer length" \
		"$(sg_field "$tl" vpd 'Maximum transfer length:')" \
		"$((max_xfer_sectors * 512 / lbs)) blocks"
	unmap=$(sg_field "$tl" vpd 'Maximum unmap LBA count:')
	if e2e_has_discard "$dev"; then
		expect_match "$tl: VPD 0xb0 unmap LBA count (the disk discards)" "$unmap" '^(-1|[1-9])'
		expect_eq "$tl: VPD 0xb2 LBPU (the disk discards)" \
			"$(sg_field "$tl" vpd 'Unmap command supported \(LBPU\):')" 1
	else
		expect_match "$tl: VPD 0xb0 unmap LBA count (no discard)" "$unmap" '^0'
		expect_eq "$tl: VPD 0xb2 LBPU (no discard)" \
			"$(sg_field "$tl" vpd 'Unmap command supported \(LBPU\):')" 0
	fi
}

# sg3-utils runs on the first LUN only (15-30 s a run nested); the
# guest's sysfs has what its kernel read of every LUN.
if [ -s "$e2e_log" ]; then
	check_inq "${boot_luns[0]}"
	check_vpd "${boot_luns[0]}" "${boot_devs[0]}"
	check_readcap "${boot_luns[0]}"
	for tl in "${boot_luns[@]}" "${hot_luns[@]}"; do
		[ -n "${ns_json[$tl]}" ] && check_sysfs "$tl"
	done
fi

# --- what reached the disks -------------------------------------------------

if [ "$e2e_rc" = 0 ]; then
	n_first=$(e2e_console_value "VDEV-E2E: hotplug want-attach ${hot_luns[0]} bg=")
	n_last=$(e2e_console_value "VDEV-E2E: hotplug ${hot_luns[-1]} gone bg=")
	n_bg=$(e2e_console | sed -n 's/^VDEV-E2E: bg [a-z]* iterations \([0-9]*\)$/\1/p')
	if [ "${n_first:-0}" -ge 1 ] && [ "${n_bg:-0}" -gt "${n_last:-0}" ]; then
		pass "background I/O on ${boot_luns[1]} across the hotplugs: 4 MiB written and verified $n_first times before the first attach, $n_last by the last detach, $n_bg in all"
	else
		fail "background I/O on ${boot_luns[1]} across the hotplugs ('$n_first' before the first attach, '$n_last' by the last detach, '$n_bg' in all)"
	fi
	# Iteration k wrote the pattern's 4 MiB number k % 4 at MiB 32 + 4 k.
	n=$((${n_bg:-0} < 4 ? ${n_bg:-0} : 4))
	if [ "$n" -gt 0 ]; then
		e2e_check_range "the host reads from ${boot_devs[1]} what the background I/O wrote (MiB 32-$((32 + 4 * n - 1)))" \
			"${boot_devs[1]}" 32 0 $((4 * n))
	fi
	for i in "${!hot_luns[@]}"; do
		e2e_check_range "the host reads from ${hot_devs[i]} what the guest wrote to ${hot_luns[i]}" \
			"${hot_devs[i]}" 0 $((8 + 4 * i)) 4
	done
fi
e2e_vdev_end "split ring, LUNs ${boot_luns[*]}, hotplug ${hot_luns[*]}"
