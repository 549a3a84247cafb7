#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Queue statistics (queue-get, vdevctl stats): a front end
# (selftests/vu/vu_io.py) does known I/O on the two rings of a brd-backed
# virtio-blk controller served by vdevd, and the kernel's counters, as
# vdevctl prints them (table and JSON) and as the kernel's ynl CLI dumps
# them, equal what it did. No front end: no queues.
source "$(dirname "$0")/test_common.sh"

source "$(dirname "$0")/vu/vu_lib.sh"
VU_IO=${VU_IO:-$VDEV_ROOT/selftests/vu/vu_io.py}
vu_need_bins

vdev_test_init
vdev_brd_setup 1 || { echo "# SKIP: brd unavailable"; exit $KSFT_SKIP; }

sock0=/run/vdev-st0.sock	# ram0, 2 queues: the front end's
sock1=/run/vdev-st1.sock	# no front end ever
front_pid=

# Stop the front end we started, by pid (vdevd: vu_vdevd_stop).
stop_front() {
	[ -n "$front_pid" ] || return 0
	kill -TERM "$front_pid" 2>/dev/null
	wait "$front_pid" 2>/dev/null
	front_rc=$?
	front_pid=
}

vu_vdevd_scripts
log=$vu_log
trap 'rc=$?; stop_front; vu_vdevd_stop; (exit $rc); vdev_test_exit' EXIT

# --- controllers and vdevd ------------------------------------------------

rm -f "$sock0" "$sock1"
check "create st0: virtio-blk, 2 queues" \
	vdevctl ctrl add st0 --type virtio-blk --socket "$sock0" --queues 2
check "st0: attach ram0" vdevctl ns add st0 /dev/ram0
check "create st1: virtio-blk, 1 queue" \
	vdevctl ctrl add st1 --type virtio-blk --socket "$sock1"
[ "$vdev_failed" = 0 ] || vdev_test_done
st0_id=$(vdevctl --json ctrl show st0 | json_get 'd["id"]')

vu_vdevd_start "$sock0" "$sock1" || vdev_test_done

# --- no front end ---------------------------------------------------------

expect_exit $EX_OK "stats st0 without a front end succeeds" vdevctl stats st0
expect_eq "... and prints no table" "$(cat "$vdev_tmp/out")" ""
expect_eq "... but says why on stderr" "$(cat "$vdev_tmp/err")" \
	"vdevctl: stats st0: no front end attached"
expect_eq "stats --json st0 without a front end: []" \
	"$(vdevctl --json stats st0 2>&1)" "[]"
expect_eq "stats of every controller, none attached: nothing at all" \
	"$(vdevctl stats 2>&1)" ""
expect_eq "stats --json, none attached: []" "$(vdevctl --json stats 2>&1)" "[]"
expect_exit $EX_NOTFOUND "stats of an unknown controller is NOTFOUND" \
	vdevctl stats nosuch
expect_match "... naming it" "$(head -n 1 "$vdev_tmp/err")" \
	"^vdevctl: stats nosuch: unknown controller 'nosuch'"
expect_match "... with a hint" "$(cat "$vdev_tmp/err")" \
	"^vdevctl: hint: list controllers with 'vdevctl ctrl list'$"

# --- a front end does known I/O -------------------------------------------

# Queue 0: 5 writes of 4 KiB, 3 reads of them, a flush. Queue 1: 2 reads
# of 8 KiB, GET_ID, a request of unknown type, a read past the end of the
# disk (a failed read still counts as a read, with its bytes), 8 KiB of
# write zeroes.
N=5 M=3
ops=("0:write:0:4096:$N" "0:read:0:4096:$M" 0:flush
	1:read:0:8192:2 1:getid 1:bad 1:read:end:512 1:wzeroes:64:8192)
tally=$vdev_tmp/tally.json
ready=$vdev_tmp/ready
/usr/bin/python3 "$VU_IO" --queues 2 --queue-size 64 --tally "$tally" \
	--ready "$ready" --hold-secs 240 "$sock0" "${ops[@]}" \
	>"$vdev_tmp/front.out" 2>&1 &
front_pid=$!
for _ in $(seq 600); do
	[ -e "$ready" ] && break
	[ -d "/proc/$front_pid" ] || break
	sleep 0.1
done
if [ -e "$ready" ]; then
	pass "the front end did its I/O, data read back intact"
else
	stop_front
	fail "the front end did its I/O (exit $front_rc)"
	sed 's/^/#   /' "$vdev_tmp/front.out"
	tail -n 40 "$log" | sed 's/^/#   /'
	vdev_test_done
fi

# Text: a table, a row per queue.
expect_exit $EX_OK "stats st0 with a front end" vdevctl stats st0
cp "$vdev_tmp/out" "$vdev_tmp/stats.txt"
sed 's/^/#   /' "$vdev_tmp/stats.txt"
expect_eq "the table's columns" "$(head -n 1 "$vdev_tmp/stats.txt" | tr -s ' ')" \
	"CTRL QUEUE STATE CPU SIZE INFLIGHT READS READ-BYTES WRITES WRITE-BYTES FLUSHES DISCARDS ERRORS KICKS CALLS"
expect_eq "a row per queue" "$(tail -n +2 "$vdev_tmp/stats.txt" | awk '{print $1, $2}' | tr '\n' ' ')" \
	"st0 0 st0 1 "

# cell QUEUE COLUMN: the table's cell for st0's queue QUEUE.
cell() {
	awk -v q="$1" -v c="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$1 == "st0" && $(col["QUEUE"]) == q { print $(col[c]) }' \
		"$vdev_tmp/stats.txt"
}

expect_eq "text q0: state" "$(cell 0 STATE)" "started,enabled"
expect_eq "text q0: size" "$(cell 0 SIZE)" 64
expect_eq "text q0: inflight" "$(cell 0 INFLIGHT)" 0
expect_eq "text q0: reads == M" "$(cell 0 READS)" $M
expect_eq "text q0: read-bytes == M * 4096" "$(cell 0 READ-BYTES)" $((M * 4096))
expect_eq "text q0: writes == N" "$(cell 0 WRITES)" $N
expect_eq "text q0: write-bytes == N * 4096" "$(cell 0 WRITE-BYTES)" $((N * 4096))
expect_eq "text q0: flushes" "$(cell 0 FLUSHES)" 1
expect_eq "text q0: errors" "$(cell 0 ERRORS)" 0
expect_match "text q0: the poller's cpu" "$(cell 0 CPU)" '^[0-9]+$'
expect_eq "text q1: reads (one failed)" "$(cell 1 READS)" 3
expect_eq "text q1: read-bytes (the failed one adds none)" "$(cell 1 READ-BYTES)" $((2 * 8192))
expect_eq "text q1: writes" "$(cell 1 WRITES)" 0
expect_eq "text q1: errors" "$(cell 1 ERRORS)" 1

# JSON: an object per queue, every attribute of the spec's queue set.
vdevctl --json stats st0 >"$vdev_tmp/stats.json"
# qjson INDEX EXPR: EXPR over queue INDEX's object (as q).
qjson() {
	json_get "(lambda q: $2)([q for q in d if q['index'] == $1][0])" \
		<"$vdev_tmp/stats.json"
}
q0() { qjson 0 "$1"; }
q1() { qjson 1 "$1"; }
expect_eq "json: an object per queue" "$(json_get 'len(d)' <"$vdev_tmp/stats.json")" 2
expect_eq "json q0: ctrl-id" "$(q0 'q["ctrl-id"]')" "$st0_id"
expect_eq "json q0: ctrl-name" "$(q0 'q["ctrl-name"]')" st0
expect_eq "json q0: reads == M" "$(q0 'q["reads"]')" $M
expect_eq "json q0: read-bytes == M * 4096" "$(q0 'q["read-bytes"]')" $((M * 4096))
expect_eq "json q0: writes == N" "$(q0 'q["writes"]')" $N
expect_eq "json q0: write-bytes == N * 4096" "$(q0 'q["write-bytes"]')" $((N * 4096))
expect_eq "json q0: started, enabled, not broken" \
	"$(q0 '(q["started"], q["enabled"], q["broken"])')" "(True, True, False)"
expect_eq "json q1: other (GET_ID, unknown type)" "$(q1 'q["other"]')" 2
expect_eq "json q1: unsupported" "$(q1 'q["unsupported"]')" 1
expect_eq "json q1: write-zeroes" "$(q1 'q["write-zeroes"]')" 1
expect_eq "json q1: write-zeroes-bytes" "$(q1 'q["write-zeroes-bytes"]')" 8192

# Every counter against the front end's own tally. Kicks and calls may
# coalesce: at least one, at most one per request.
diff=$(/usr/bin/python3 -c '
import json, sys
stats = {q["index"]: q for q in json.load(open(sys.argv[1]))}
tally = {int(k): v for k, v in json.load(open(sys.argv[2])).items()}
bad = []
for i, t in sorted(tally.items()):
    s = stats.get(i, {})
    for k, v in t.items():
        if k in ("kicks", "completions"):
            continue
        if s.get(k) != v:
            bad.append(f"queue {i} {k}: kernel {s.get(k)!r}, front end {v!r}")
    for k, most in (("kicks", t["kicks"]), ("calls", t["completions"])):
        if not 1 <= s.get(k, 0) <= most:
            bad.append(f"queue {i} {k}: {s.get(k)!r}, want 1..{most}")
    for k, want in (("inflight", 0), ("size", 64), ("bad-chains", 0),
                    ("discards", 0), ("discard-bytes", 0)):
        if s.get(k) != want:
            bad.append(f"queue {i} {k}: {s.get(k)!r}, want {want}")
print("\n".join(bad))
' "$vdev_tmp/stats.json" "$tally" 2>&1)
if [ -z "$diff" ]; then
	pass "json: every counter equals the front end's tally"
else
	fail "json: every counter equals the front end's tally"
	sed 's/^/#   /' <<<"$diff"
fi

# The keys are the spec's names: every attribute but pad (cpu while
# started, which it is).
keys=$(/usr/bin/python3 -c '
import json, sys, yaml
spec = yaml.safe_load(open(sys.argv[1]))
want = [a["name"] for s in spec["attribute-sets"] if s["name"] == "queue"
        for a in s["attributes"] if a["type"] != "pad"]
for q in json.load(open(sys.argv[2])):
    if list(q) != want:
        print("queue", q.get("index"), list(q), "!=", want)
' "$VDEV_SPEC" "$vdev_tmp/stats.json" 2>&1)
expect_eq "json: the spec's keys, in the spec's order" "$keys" ""

# Every controller: st1 has no front end, so st0's rows alone.
expect_eq "stats of every controller: st0's queues only" \
	"$(vdevctl --json stats | json_get '[(q["ctrl-name"], q["index"]) for q in d]' | tr '\n' ' ')" \
	"('st0', 0) ('st0', 1) "
expect_eq "stats st1 still notes it has no front end" \
	"$(vdevctl stats st1 2>&1)" "vdevctl: stats st1: no front end attached"

# --- the kernel's ynl CLI -------------------------------------------------

# same DESC YNL-JSON VDEVCTL-JSON: the same queues, value for value (ynl
# leaves out flags that are not set; vdevctl prints them false).
same() {
	local diff

	if ! diff=$(/usr/bin/python3 -c '
import json, sys
y, v = json.loads(sys.argv[1]), json.loads(sys.argv[2])
key = lambda o: (o.get("ctrl-id"), o.get("index"))
y = {key(o): o for o in y}
v = {key(o): o for o in v}
bad = []
if not y or not v:
    bad.append("an empty answer")
for k in sorted(set(y) | set(v), key=str):
    a, b = y.get(k, {}), v.get(k, {})
    for f in sorted(set(a) | set(b)):
        if f != "pad" and a.get(f, False) != b.get(f, False):
            bad.append(f"{k} {f}: ynl {a.get(f)!r} vdevctl {b.get(f)!r}")
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

if vdev_ynl_available; then
	same "ynl --dump queue-get equals vdevctl stats" \
		"$(ynl --dump queue-get)" "$(vdevctl --json stats)"
	same "ynl queue-get by ctrl-name equals vdevctl stats st0" \
		"$(ynl --dump queue-get --json '{"ctrl-name":"st0"}')" \
		"$(vdevctl --json stats st0)"
	same "ynl queue-get by ctrl-id equals vdevctl stats st0" \
		"$(ynl --dump queue-get --json "{\"ctrl-id\":$st0_id}")" \
		"$(vdevctl --json stats st0)"
	expect_eq "ynl queue-get of st1 (no front end): empty" \
		"$(ynl --dump queue-get --json '{"ctrl-name":"st1"}' | json_get 'len(d)')" 0
	ynl_expect_err "No such file or directory" \
		"ynl queue-get of an unknown controller: ENOENT" \
		--dump queue-get --json '{"ctrl-name":"nosuch"}'
else
	vdev_tests=$((vdev_tests + 1))
	echo "# ok $vdev_tests - ynl queue-get # SKIP ynl CLI not staged (tools/testing/stage-ynl.sh)"
fi

# --- the front end leaves -------------------------------------------------

stop_front
expect_eq "the front end exits cleanly" "$front_rc" 0
if [ "$front_rc" != 0 ]; then
	sed 's/^/#   /' "$vdev_tmp/front.out"
fi
# The session ends asynchronously: its queues go with it.
for _ in $(seq 100); do
	[ "$(vdevctl --json stats st0 2>/dev/null)" = "[]" ] && break
	sleep 0.1
done
expect_eq "the queues go with the front end" "$(vdevctl --json stats st0 2>&1)" "[]"
expect_eq "stats of every controller: nothing again" "$(vdevctl stats 2>&1)" ""

vu_vdevd_stop
vdev_test_done
