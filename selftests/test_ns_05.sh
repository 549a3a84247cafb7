#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared namespaces: two controllers, the two ends of a live migration,
# attach one device with --shared on both; without it a device stays one
# namespace's alone, both ways round, with EBUSY and a message that says
# why. The device stays held until the last shared namespace lets go.
source "$(dirname "$0")/test_common.sh"
vdev_test_init
vdev_brd_setup 4 || { echo "# SKIP: brd unavailable"; exit $KSFT_SKIP; }

vdevctl ctrl add src --type virtio-blk --socket /run/vdev-sh-src.sock >/dev/null
vdevctl ctrl add dst --type virtio-blk --socket /run/vdev-sh-dst.sock >/dev/null
vdevctl ctrl add sc --type virtio-scsi --socket /run/vdev-sh-sc.sock >/dev/null
vdevctl ctrl add ex --type nvme --socket /run/vdev-sh-ex.sock >/dev/null

# held DESC DEV: nobody but the kernel may open DEV exclusively.
held() {
	if vdev_bdev_free "$2"; then fail "$1"; else pass "$1"; fi
}
# jshow CTRL ADDR... EXPR: EXPR over ns show --json.
jshow() {
	local expr=${*: -1}

	vdevctl --json ns show "${@:1:$#-1}" | json_get "$expr"
}
err() {
	cat "$vdev_tmp/err"
}

# --- the two ends ---------------------------------------------------------

expect_exit $EX_OK "src: ram0 --shared" vdevctl --json ns add src --shared /dev/ram0
expect_eq "  the add reply says shared" "$(json_get 'd["shared"]' <"$vdev_tmp/out")" true
expect_exit $EX_OK "dst: ram0 --shared too" vdevctl ns add dst --shared /dev/ram0
expect_eq "ns list --json: both ends, shared, on ram0" \
	"$(vdevctl --json ns list | json_get '[(o["ctrl-name"], o["path"], o["shared"]) for o in d]')" \
	"('src', '/dev/ram0', True)
('dst', '/dev/ram0', True)"
expect_match "ns show: a shared line" "$(vdevctl ns show dst)" "^[[:space:]]*shared: yes$"
expect_match "ns list: a SHARED column" "$(vdevctl ns list src)" "SHARED"
expect_eq "both ends see the same size, the disk's" \
	"$(jshow src 'd["size"]') $(jshow dst 'd["size"]')" \
	"$(($(cat /sys/block/ram0/size) * 512)) $(($(cat /sys/block/ram0/size) * 512))"
held "ram0 held while shared" /dev/ram0

# --- exclusive against shared, both ways ------------------------------------

expect_exit $EX_BUSY "ex: ram0 without --shared is busy" vdevctl ns add ex --nsid 1 /dev/ram0
expect_match "  the kernel: shared namespaces hold it" "$(err)" "held by shared namespaces.*--shared"
expect_match "  vdevctl names a controller that shares it" "$(err)" \
	"attached shared to controller '(src|dst)'"
expect_match "  and hints --shared" "$(err)" "hint: attach it with --shared here too"
expect_eq "  nothing attached" "$(vdev_ns_count ex)" 0

expect_exit $EX_OK "ex: ram1, exclusively" vdevctl ns add ex --nsid 1 /dev/ram1
expect_eq "  not shared" "$(jshow ex --nsid 1 'd["shared"]')" false
expect_exit $EX_BUSY "sc: ram1 --shared is busy" \
	vdevctl ns add sc --target 0 --lun 0 --shared /dev/ram1
expect_match "  the kernel: held exclusively, shared on both ends" "$(err)" \
	"held exclusively.*needed on both ends"
expect_match "  vdevctl names the exclusive one" "$(err)" \
	"attached exclusively to controller 'ex'"
expect_eq "  nothing attached" "$(vdev_ns_count sc)" 0
expect_eq "  ex keeps it" "$(jshow ex --nsid 1 'd["path"]')" /dev/ram1
expect_exit $EX_BUSY "ex: ram1 again, exclusively" vdevctl ns add ex --nsid 2 /dev/ram1
expect_match "  the kernel says shared on both would do" "$(err)" \
	"already a namespace; to serve it on two controllers, add both shared"
expect_match "  vdevctl hints --shared" "$(err)" "hint: .*--shared on both"

# --- one controller cannot have it twice ------------------------------------

expect_exit $EX_OK "sc: ram0 --shared as a third end" \
	vdevctl ns add sc --target 0 --lun 0 --shared /dev/ram0
expect_exit $EX_BUSY "sc: ram0 --shared at another LUN is busy" \
	vdevctl ns add sc --target 0 --lun 1 --shared /dev/ram0
expect_match "  the kernel: shared is for two controllers" "$(err)" \
	"already a namespace of this controller"
expect_match "  vdevctl says not twice" "$(err)" "not one controller twice"
expect_eq "  sc has one LUN" "$(vdev_ns_count sc)" 1

# --- bad input: nothing attached --------------------------------------------

expect_exit $EX_USAGE "--shared twice" vdevctl ns add ex --nsid 3 --shared --shared /dev/ram3
expect_match "  says so" "$(err)" "--shared given twice"
expect_exit $EX_USAGE "--shared=yes" vdevctl ns add ex --nsid 3 --shared=yes /dev/ram3
expect_match "  takes no value" "$(err)" "--shared takes no value"
expect_exit $EX_USAGE "--shared yes BACKING" vdevctl ns add ex --nsid 3 --shared yes /dev/ram3
expect_exit $EX_USAGE "ns show --shared" vdevctl ns show ex --nsid 1 --shared
expect_eq "  nothing attached by them" "$(vdev_ns_count ex)" 1
if vdev_bdev_free /dev/ram3; then pass "  ram3 not held"; else fail "  ram3 not held"; fi

# --- letting go, one end at a time ------------------------------------------

expect_exit $EX_OK "sc: detach its end" vdevctl ns del sc --target 0 --lun 0
expect_exit $EX_OK "src: detach its end" vdevctl ns del src
held "ram0 still held by dst alone" /dev/ram0
expect_exit $EX_BUSY "an exclusive attach is still busy" vdevctl ns add ex --nsid 3 /dev/ram0
expect_eq "dst still serves it" "$(jshow dst '[d["path"], d["shared"], d["size"]]')" \
	"/dev/ram0
True
$(($(cat /sys/block/ram0/size) * 512))"
expect_exit $EX_OK "dst: detach the last end" vdevctl ns del dst
if vdev_bdev_free /dev/ram0; then pass "ram0 free"; else fail "ram0 free"; fi
expect_exit $EX_OK "ex: ram0 exclusively now" vdevctl ns add ex --nsid 3 /dev/ram0
expect_exit $EX_BUSY "  and a shared attach is busy" vdevctl ns add src --shared /dev/ram0
vdevctl ns del ex --nsid 3 >/dev/null

# ctrl del lets go of a shared end as ns del does.
vdevctl ns add src --shared /dev/ram2 >/dev/null
vdevctl ns add dst --shared /dev/ram2 >/dev/null
expect_exit $EX_OK "ctrl del src, one end of ram2" vdevctl ctrl del src
held "ram2 still held by dst" /dev/ram2
expect_exit $EX_OK "ctrl del dst, the other" vdevctl ctrl del dst
if vdev_bdev_free /dev/ram2; then pass "ram2 free"; else fail "ram2 free"; fi

# --- the flag through the kernel's ynl CLI ----------------------------------

# ynl_busy DESC REGEX ARGS...: EBUSY, and the extack matches REGEX.
ynl_busy() {
	local desc=$1 re=$2 out

	shift 2
	out=$(ynl "$@" 2>&1)
	if grep -q "^Netlink error: Device or resource busy$" <<<"$out" &&
	   grep -Eq "$re" <<<"$out"; then
		pass "$desc"
	else
		fail "$desc (want EBUSY, /$re/)"
		printf '%s\n' "$out" | sed 's/^/#   /'
	fi
}

if vdev_ynl_available; then
	vdevctl ctrl add ya --type virtio-blk --socket /run/vdev-sh-ya.sock >/dev/null
	vdevctl ctrl add yb --type virtio-blk --socket /run/vdev-sh-yb.sock >/dev/null
	out=$(ynl --do ns-add --json '{"ctrl-name":"ya","path":"/dev/ram2","shared":true}')
	expect_eq "ynl ns-add shared: the reply has it" "$(json_get 'd.get("shared")' <<<"$out")" true
	vdevctl ns add yb --shared /dev/ram2 >/dev/null
	out=$(ynl --do ns-get --json '{"ctrl-name":"yb"}')
	expect_eq "ynl ns-get: what vdevctl added is shared" \
		"$(json_get 'd.get("shared")' <<<"$out")" true
	out=$(ynl --dump ns-get)
	expect_eq "ynl dump: shared where set, absent where not" \
		"$(json_get 'sorted((o["ctrl-name"], o.get("shared", False)) for o in d)' <<<"$out")" \
		"('ex', False)
('ya', True)
('yb', True)"
	ynl_busy "ynl: an exclusive add of a shared device" "held by shared namespaces" \
		--do ns-add --json '{"ctrl-name":"sc","target":1,"lun":0,"path":"/dev/ram2"}'
	ynl_busy "ynl: a shared add of an exclusive device" "held exclusively" \
		--do ns-add --json '{"ctrl-name":"sc","target":1,"lun":0,"path":"/dev/ram1","shared":true}'
	expect_eq "ynl failures attached nothing" "$(vdev_ns_count sc)" 0
	vdevctl ctrl del ya >/dev/null
	vdevctl ctrl del yb >/dev/null
	if vdev_bdev_free /dev/ram2; then pass "ram2 free again"; else fail "ram2 free again"; fi
else
	echo "# ynl CLI not staged (tools/testing/stage-ynl.sh): its checks skipped"
fi
vdev_test_done
