#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The spec is the truth: the kernel's own ynl CLI, given only
# Documentation/netlink/specs/vdev.yaml, drives every operation, and its
# answers equal vdevctl's.
source "$(dirname "$0")/test_common.sh"
vdev_test_init
vdev_ynl_available || { echo "# SKIP: ynl CLI not staged (tools/testing/stage-ynl.sh)"; exit $KSFT_SKIP; }
vdev_brd_setup 2 || { echo "# SKIP: brd unavailable"; exit $KSFT_SKIP; }

# Compare the fields ynl and vdevctl both print, value for value.
same() { # desc ynl-json vdevctl-json
	local diff

	# Both sides must be real answers: two empty outputs are not "equal".
	if ! diff=$(/usr/bin/python3 -c '
import json, sys
y, v = json.loads(sys.argv[1]), json.loads(sys.argv[2])
def key(o):
    return json.dumps([o.get(k) for k in ("id", "ctrl-id", "nsid", "target", "lun")])
if isinstance(y, list):
    y = {key(o): o for o in y}
    v = {key(o): o for o in v}
    pairs = [(y[k], v.get(k, {})) for k in y] + [({}, v[k]) for k in v if k not in y]
else:
    pairs = [(y, v)]
bad = []
for a, b in pairs:
    for k in sorted(set(a) | set(b)):
        if k == "pad":
            continue
        if a.get(k, False) != b.get(k, False):
            bad.append(f"{k}: ynl {a.get(k)!r} vdevctl {b.get(k)!r}")
if not y or not v:
    bad.append("an empty answer")
print("\n".join(bad))
' "$2" "$3" 2>&1); then
		diff="not JSON: ${diff##*$'\n'}"
	fi
	if [ -z "$diff" ]; then
		pass "$1"
	else
		fail "$1"
		sed 's/^/#   /' <<<"$diff"
	fi
}

# The spec is valid against the kernel's genetlink schema (ynl checks it
# with jsonschema before it sends anything).
out=$(ynl_validated --do ctrl-new --json '{"name":"y1","type":"virtio-blk","socket-path":"/run/y1.sock","num-queues":4,"queue-size":512,"cpumask":"0","poll-mode":"always","poll-idle-us":10,"socket-uid":7,"socket-gid":8,"socket-mode":416,"max-mem":1073741824}')
expect_eq "ynl ctrl-new replies with the controller" "$(json_get 'd["name"]' <<<"$out")" y1
same "ctrl-new reply equals vdevctl ctrl show" "$out" "$(vdevctl --json ctrl show y1)"

ynl --do ctrl-new --json '{"name":"y2","type":"virtio-scsi","socket-path":"/run/y2.sock"}' >/dev/null
ynl --do ctrl-new --json '{"name":"y3","type":"nvme","socket-path":"/run/y3.sock"}' >/dev/null
same "ctrl-get by name equals vdevctl" "$(ynl --do ctrl-get --json '{"name":"y2"}')" \
	"$(vdevctl --json ctrl show y2)"
id=$(vdevctl --json ctrl show y3 | json_get 'd["id"]')
same "ctrl-get by id equals vdevctl" "$(ynl --do ctrl-get --json "{\"id\":$id}")" \
	"$(vdevctl --json ctrl show y3)"
same "ctrl-get dump equals vdevctl ctrl list" "$(ynl --dump ctrl-get)" \
	"$(vdevctl --json ctrl list)"

out=$(ynl --do ns-add --json '{"ctrl-name":"y2","target":3,"lun":9,"path":"/dev/ram0","read-only":true,"serial":"y2 sn","vendor":"Y-VEND","product":"y prod"}')
expect_eq "ynl ns-add replies with the LUN" "$(json_get 'd["lun"]' <<<"$out")" 9
expect_eq "and its identity" \
	"$(json_get '[d.get(k) for k in ("serial", "vendor", "product")]' <<<"$out")" \
	"y2 sn
Y-VEND
y prod"
same "ns-add reply equals vdevctl ns show" "$out" \
	"$(vdevctl --json ns show y2 --target 3 --lun 9)"
ynl --do ns-add --json "{\"ctrl-id\":$id,\"nsid\":5,\"path\":\"/dev/ram1\",\"serial\":\"y3-5\"}" >/dev/null
same "ns-get equals vdevctl" "$(ynl --do ns-get --json '{"ctrl-name":"y3","nsid":5}')" \
	"$(vdevctl --json ns show y3 --nsid 5)"
same "ns-get dump equals vdevctl ns list" "$(ynl --dump ns-get)" \
	"$(vdevctl --json ns list)"
expect_eq "vdevctl sees the LUN ynl added" "$(vdev_ns_count y2)" 1

ynl --do ns-del --json '{"ctrl-name":"y2","target":3,"lun":9}' >/dev/null
expect_eq "ynl ns-del detached it" "$(vdev_ns_count y2)" 0
ynl --do ctrl-del --json '{"name":"y1"}' >/dev/null
ynl --do ctrl-del --json "{\"id\":$id}" >/dev/null
expect_eq "ynl ctrl-del by name and by id" "$(vdev_ctrl_names)" y2
if vdev_bdev_free /dev/ram1; then pass "ctrl-del released ram1"; else fail "ctrl-del released ram1"; fi

ops=$(ynl --list-ops 2>&1 | awk '{print $1}' | sort | tr '\n' ' ')
expect_eq "the spec lists every operation" "$ops" \
	"ctrl-del ctrl-get ctrl-new ns-add ns-del ns-get ns-resize queue-get "
msgs=$(ynl --list-msgs 2>&1 | awk '{print $1}' | sort | tr '\n' ' ')
expect_eq "and every notification" "$msgs" \
	"ctrl-change-ntf ctrl-del ctrl-del-ntf ctrl-get ctrl-new ctrl-new-ntf ns-add ns-add-ntf ns-change-ntf ns-del ns-del-ntf ns-get ns-resize queue-get "
vdev_test_done
