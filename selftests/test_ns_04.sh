#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Identity: the serial, vendor and product ns add sets read back through
# vdevctl (text and JSON) and ynl; every bad value is refused with exit 8,
# a message naming it, and nothing left behind; and the guest sees them
# over vhost-user: a front end (vu_io.py's, driven from here) asks
# virtio-blk GET_ID and virtio-scsi INQUIRY, VPD 80h and 83h, of
# controllers with and without them.
source "$(dirname "$0")/test_common.sh"
source "$(dirname "$0")/vu/vu_lib.sh"

vu_need_bins
vdev_test_init
vdev_brd_setup 6 || { echo "# SKIP: brd unavailable"; exit $KSFT_SKIP; }

sock_b=/run/vdev-id-b.sock	# virtio-blk, ram0, serial set
sock_d=/run/vdev-id-d.sock	# virtio-blk, ram4, defaults
sock_s=/run/vdev-id-s.sock	# virtio-scsi: 0:1 on ram1 set, 0:2 on ram2 not
vu_vdevd_scripts
trap 'rc=$?; vu_vdevd_stop; (exit $rc); vdev_test_exit' EXIT

S20=ABCDEFGHIJ0123456789
rm -f "$sock_b" "$sock_d" "$sock_s"
vdevctl ctrl add idb --type virtio-blk --socket "$sock_b" >/dev/null
vdevctl ctrl add idd --type virtio-blk --socket "$sock_d" >/dev/null
vdevctl ctrl add ids --type virtio-scsi --socket "$sock_s" >/dev/null
vdevctl ctrl add idn --type nvme --socket /run/vdev-id-n.sock >/dev/null

# jv CTRL ADDR... KEY: a key of ns show --json, "-" when absent.
jv() {
	local key=${*: -1}

	vdevctl --json ns show "${@:1:$#-1}" | json_get "d.get('$key', '-')"
}

# --- set, and read back -----------------------------------------------------

expect_exit $EX_OK "blk: add with --serial" \
	vdevctl --json ns add idb --serial "SN blk-01" /dev/ram0
expect_eq "the add reply has it" \
	"$(json_get 'd["serial"]' <"$vdev_tmp/out")" "SN blk-01"
expect_eq "ns show --json: serial" "$(jv idb serial)" "SN blk-01"
expect_eq "ns show --json: no vendor" "$(jv idb vendor)" -
expect_exit $EX_OK "scsi: add with all three at their longest" \
	vdevctl ns add ids --target 0 --lun 1 --serial "$S20" --vendor ACME-CO1 \
	--product "Disk 9000 ~x!y_z" /dev/ram1
expect_eq "scsi: serial" "$(jv ids --target 0 --lun 1 serial)" "$S20"
expect_eq "scsi: vendor" "$(jv ids --target 0 --lun 1 vendor)" ACME-CO1
expect_eq "scsi: product" "$(jv ids --target 0 --lun 1 product)" "Disk 9000 ~x!y_z"
expect_exit $EX_OK "scsi: add without them" vdevctl ns add ids --target 0 --lun 2 /dev/ram2
expect_eq "scsi: none reported when not set" \
	"$(vdevctl --json ns show ids --target 0 --lun 2 |
	   json_get '[k for k in ("serial", "vendor", "product") if k in d]')" ""
expect_exit $EX_OK "nvme: add with --serial" vdevctl ns add idn --nsid 3 --serial nv1 /dev/ram3
expect_eq "nvme: serial" "$(jv idn --nsid 3 serial)" nv1
expect_exit $EX_OK "blk: add without --serial" vdevctl ns add idd /dev/ram4

out=$(vdevctl ns show ids --target 0 --lun 1)
expect_match "text show: serial line" "$out" "^[[:space:]]*serial: $S20\$"
expect_match "text show: vendor line" "$out" "^[[:space:]]*vendor: ACME-CO1\$"
expect_match "text show: product line" "$out" "^[[:space:]]*product: Disk 9000 ~x!y_z\$"
expect_match "text list: the columns" "$(vdevctl ns list ids)" "SERIAL +VENDOR +PRODUCT"
expect_eq "ns list --json: all of ids" \
	"$(vdevctl --json ns list ids |
	   json_get '[(o["lun"], o.get("serial"), o.get("vendor"), o.get("product")) for o in d]')" \
	"(1, '$S20', 'ACME-CO1', 'Disk 9000 ~x!y_z')
(2, None, None, None)"

if vdev_ynl_available; then
	out=$(ynl --do ns-get --json '{"ctrl-name":"ids","target":0,"lun":1}')
	expect_eq "ynl ns-get: the three" \
		"$(json_get '[d["serial"], d["vendor"], d["product"]]' <<<"$out")" \
		"$S20
ACME-CO1
Disk 9000 ~x!y_z"
	out=$(ynl --dump ns-get --json '{"ctrl-name":"idb"}')
	expect_eq "ynl dump: the serial" "$(json_get 'd[0]["serial"]' <<<"$out")" "SN blk-01"
	out=$(ynl --do ns-add --json '{"ctrl-name":"ids","target":1,"lun":0,"path":"/dev/ram5","serial":"y1","vendor":"Y","product":"P"}')
	expect_eq "ynl ns-add: the reply has them" \
		"$(json_get '[d["serial"], d["vendor"], d["product"]]' <<<"$out")" "y1
Y
P"
	expect_eq "vdevctl reads what ynl set" "$(jv ids --target 1 --lun 0 product)" P
	vdevctl ns del ids --target 1 --lun 0 >/dev/null
fi

# --- bad values: exit 8, a message naming the value, nothing attached -----

# Namespaces of every controller.
ns_total() {
	vdevctl --json ns list | json_get 'len(d)'
}
before=$(ns_total)
# bad DESC WORD ARGS...: ns add ARGS /dev/ram5 is INVAL, and stderr names WORD.
bad() {
	local desc=$1 word=$2

	shift 2
	expect_exit $EX_INVAL "$desc" vdevctl ns add "$@" /dev/ram5
	expect_match "  the message names $word" "$(cat "$vdev_tmp/err")" "$word"
}
bad "blk: --vendor" "vendor.*virtio-scsi" idd --vendor ACME
bad "blk: --product" "product.*virtio-scsi" idd --product Disk
bad "nvme: --vendor" "vendor.*virtio-scsi" idn --nsid 4 --vendor ACME
bad "nvme: --serial fine, --product not" "product.*virtio-scsi" \
	idn --nsid 4 --serial ok --product Disk
bad "serial of 21" serial ids --target 0 --lun 3 --serial "${S20}X"
bad "vendor of 9" vendor ids --target 0 --lun 3 --vendor ABCDEFGHI
bad "product of 17" product ids --target 0 --lun 3 --product ABCDEFGHIJKLMNOPQ
bad "empty serial" serial ids --target 0 --lun 3 --serial ""
bad "empty vendor" vendor ids --target 0 --lun 3 --vendor ""
bad "empty product" product ids --target 0 --lun 3 --product ""
bad "serial with a tab" serial ids --target 0 --lun 3 --serial $'a\tb'
bad "serial with a newline" serial idd --serial $'a\nb'
bad "vendor in UTF-8" vendor ids --target 0 --lun 3 --vendor $'caf\xc3\xa9'
bad "product with DEL" product ids --target 0 --lun 3 --product $'a\x7f'
bad "a good serial, a bad vendor" vendor ids --target 0 --lun 3 --serial ok --vendor ""
expect_eq "nothing attached by the failures" "$(ns_total)" "$before"
if vdev_bdev_free /dev/ram5; then pass "ram5 not held"; else fail "ram5 not held"; fi

if vdev_ynl_available; then
	# ynl_bad DESC ATTR JSON: EINVAL, and the extack points at ATTR.
	ynl_bad() {
		local out

		out=$(ynl --do ns-add --json "$3" 2>&1)
		if grep -q "^Netlink error: Invalid argument\$" <<<"$out" &&
		   grep -q "bad-attr': '.$2'" <<<"$out"; then
			pass "$1"
		else
			fail "$1 (want EINVAL at $2)"
			printf '%s\n' "$out" | sed 's/^/#   /'
		fi
	}
	ynl_bad "ynl: vendor on virtio-blk" vendor \
		'{"ctrl-name":"idd","path":"/dev/ram5","vendor":"ACME"}'
	ynl_bad "ynl: serial of 21 (policy)" serial \
		"{\"ctrl-name\":\"ids\",\"target\":0,\"lun\":3,\"path\":\"/dev/ram5\",\"serial\":\"${S20}X\"}"
	ynl_bad "ynl: empty product" product \
		'{"ctrl-name":"ids","target":0,"lun":3,"path":"/dev/ram5","product":""}'
	ynl_bad "ynl: vendor with a control byte" vendor \
		'{"ctrl-name":"ids","target":0,"lun":3,"path":"/dev/ram5","vendor":"a\u0001"}'
	expect_eq "ynl failures attached nothing" "$(ns_total)" "$before"
	if vdev_bdev_free /dev/ram5; then pass "ram5 still free"; else fail "ram5 still free"; fi
fi

# --- what the guest sees ----------------------------------------------------

# The nvme controller has no vhost-user socket for vdevd to serve.
vdevctl ctrl del idn >/dev/null
vu_vdevd_start "$sock_b" "$sock_d" "$sock_s" || exit $KSFT_FAIL

# guest SOCK blk|scsi: one front-end session; prints what the device told
# it, as JSON: blk {"getid": the 20 bytes, NULs cut, "pad": NULs only after
# it}; scsi {"T:L": {"vendor", "product", "serial" (VPD 80h), "t10" (the
# LUN's T10 vendor id designator of VPD 83h)}} for LUNs 0:1 and 0:2.
guest() {
	/usr/bin/python3 - "$VU_DIR" "$@" <<'EOF'
import json, struct, sys
sys.path.insert(0, sys.argv[1])
import vu_io

class Args:
    socket, timeout, verbose = sys.argv[2], 20, False

d = vu_io.Driver(Args)
data = vu_io.DATA_AREA + 4096

def blk():
    d.handshake(1, 64)
    d.mem[data:data + 32] = b"\xee" * 32
    st, _ = d.request(0, vu_io.T_GET_ID, 0, 0)
    if st != vu_io.S_OK:
        sys.exit("GET_ID: status %d" % st)
    raw = bytes(d.mem[data:data + 20])
    if d.mem[data + 20] != 0xee:
        sys.exit("GET_ID wrote past its 20 bytes")
    idx = raw.find(b"\0")
    idx = 20 if idx < 0 else idx
    return {"getid": raw[:idx].decode("ascii"),
            "pad": raw[idx:] == bytes(20 - idx)}

def scsi_cmd(ring, target, lun, cdb, alloc):
    req, resp = vu_io.DATA_AREA, vu_io.DATA_AREA + 0x100
    lunb = bytes([1, target, 0x40 | lun >> 8, lun & 0xff, 0, 0, 0, 0])
    d.mem[req:req + 51] = (lunb + struct.pack("<QBBB", 1, 0, 0, 0) +
                           bytes(cdb).ljust(32, b"\0"))
    d.mem[resp:resp + 108] = b"\xff" * 108
    d.mem[data:data + alloc] = bytes(alloc)
    ring.submit([(req, 51, False), (resp, 108, True), (data, alloc, True)])
    ring.wait(20)
    _, resid, _, status, response = struct.unpack("<IIHBB",
                                                  d.mem[resp:resp + 12])
    if response or status:
        sys.exit("%d:%d CDB %02x: response %d status %d"
                 % (target, lun, cdb[0], response, status))
    return bytes(d.mem[data:data + alloc - resid])

def scsi_lun(ring, t, l):
    std = scsi_cmd(ring, t, l, [0x12, 0, 0, 0, 96, 0], 96)
    sn = scsi_cmd(ring, t, l, [0x12, 1, 0x80, 0, 255, 0], 255)
    di = scsi_cmd(ring, t, l, [0x12, 1, 0x83, 0, 255, 0], 255)
    t10, off = None, 4
    while off + 4 <= len(di):
        if di[off + 1] & 0x3f == 0x01:   # LUN association, T10 vendor id
            t10 = di[off + 4:off + 4 + di[off + 3]].decode("ascii")
            break
        off += 4 + di[off + 3]
    return {"vendor": std[8:16].decode("ascii"),
            "product": std[16:32].decode("ascii"),
            "serial": sn[4:4 + struct.unpack(">H", sn[2:4])[0]].decode("ascii"),
            "t10": t10}

def scsi():
    d.handshake(3, 64)          # control, event, one request queue
    ring = d.rings[2]
    return {"%d:%d" % tl: scsi_lun(ring, *tl) for tl in ((0, 1), (0, 2))}

try:
    print(json.dumps(blk() if sys.argv[3] == "blk" else scsi()))
except (OSError, vu_io.ProtoError, UnicodeDecodeError) as e:
    sys.exit("front end: %s" % e)
EOF
}

if out=$(guest "$sock_b" blk 2>&1); then
	expect_eq "blk GET_ID answers the serial" "$(json_get 'd["getid"]' <<<"$out")" "SN blk-01"
	expect_eq "  NUL-padded to 20 bytes" "$(json_get 'd["pad"]' <<<"$out")" true
else
	fail "blk GET_ID: $out"
fi
if out=$(guest "$sock_d" blk 2>&1); then
	expect_eq "blk GET_ID without a serial: the controller name" \
		"$(json_get 'd["getid"]' <<<"$out")" idd
else
	fail "blk GET_ID (default): $out"
fi
if out=$(guest "$sock_s" scsi 2>&1); then
	expect_eq "scsi 0:1 INQUIRY vendor" "$(json_get 'd["0:1"]["vendor"]' <<<"$out")" ACME-CO1
	expect_eq "scsi 0:1 INQUIRY product" "$(json_get 'd["0:1"]["product"]' <<<"$out")" \
		"Disk 9000 ~x!y_z"
	expect_eq "scsi 0:1 VPD 80h serial" "$(json_get 'd["0:1"]["serial"]' <<<"$out")" "$S20"
	expect_eq "scsi 0:1 VPD 83h T10 designator" "$(json_get 'd["0:1"]["t10"]' <<<"$out")" \
		"ACME-CO1$S20"
	expect_eq "scsi 0:2 defaults: vendor" "$(json_get 'd["0:2"]["vendor"]' <<<"$out")" "VDEV    "
	expect_eq "scsi 0:2 defaults: product" "$(json_get 'd["0:2"]["product"]' <<<"$out")" \
		"vdev-scsi disk  "
	expect_eq "scsi 0:2 defaults: serial" "$(json_get 'd["0:2"]["serial"]' <<<"$out")" ids.0.2
	expect_eq "scsi 0:2 defaults: T10 designator" "$(json_get 'd["0:2"]["t10"]' <<<"$out")" \
		"VDEV    ids.0.2"
else
	fail "scsi INQUIRY: $out"
fi
vu_vdevd_stop
vdev_test_done
