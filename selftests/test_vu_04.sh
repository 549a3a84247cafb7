#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Isolation: bad input on one controller does not disturb another. One
# vdevd serves two controllers of 2 queues each. iso-a (ram0) runs a long
# verified workload on both queues the whole time (selftests/vu/vu_data
# soak: random reads and writes, every block read back and compared),
# while iso-b (ram1) gets every kind of bad input the front ends have:
# vu_bad's bad chains, bad requests and corrupt rings (which break its
# queues), vu_test's malformed and unknown vhost-user messages, a hang-up
# with requests in flight and RESET_DEVICE under I/O (vu_life). Then A's
# workload ended without an error; A's counters show no error and no bad
# chain and equal what it did, while B's show its bad chains; A's session
# still serves fresh requests; neither the kernel nor vdevd said anything
# about A meanwhile; vdevd runs; B reconnects and serves good I/O again.
source "$(dirname "$0")/test_common.sh"
source "$(dirname "$0")/vu/vu_lib.sh"

vu_need_bins vu_data vu_bad vu_life vu_test

vdev_test_init
vdev_brd_setup 2 || { echo "# SKIP: brd unavailable"; exit $KSFT_SKIP; }
dmesg_start=$(dmesg | wc -l)

sock_a=/run/vdev-iso-a.sock	# ram0: 2 queues of 256, the workload
sock_b=/run/vdev-iso-b.sock	# ram1: 2 queues of 256, the bad input
vu_vdevd_scripts

# Background front ends (the workload on A, a held session on B), each in
# its own process group: stopped by that group's id.
soak_pid=
held_pid=
bg_stop() {
	local pid

	for pid in "$soak_pid" "$held_pid"; do
		[ -n "$pid" ] && kill -KILL -- "-$pid" 2>/dev/null
	done
	soak_pid=
	held_pid=
}
trap 'rc=$?; bg_stop; vu_vdevd_stop; (exit $rc); vdev_test_exit' EXIT

# pid_alive PID: running (not gone, not a zombie).
pid_alive() {
	[ -d "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}

# wait_file FILE PID SECS: FILE appears within SECS while PID runs.
wait_file() {
	local i

	for ((i = 0; i < $3 * 10; i++)); do
		[ -e "$1" ] && return 0
		pid_alive "$2" || break
		sleep 0.1
	done
	[ -e "$1" ]
}

# wait_rc PID: its exit status (it is ours: wait works).
wait_rc() {
	wait "$1" 2>/dev/null
}

# case_out FILE: a front end's output, for a failure (vuc's filter).
case_out() {
	grep -v '^\(TAP version\|1\.\.\|# Starting\|# Totals\|# PASSED\|# FAILED\|#  RUN\)' "$1" |
		sed 's/^/#   /'
}

stats_json() {
	vdevctl --json stats "$1"
}

# a_reqs: A's requests completed so far, reads and writes of both queues.
a_reqs() {
	stats_json iso-a | json_get 'sum(q["reads"] + q["writes"] for q in d)'
}

common_env=(VU_QUEUES=2 VU_QUEUE_SIZE=256 VU_TIMEOUT_MS=20000)
mapfile -t env_a < <(vu_blk_env ram0)
env_a+=("VU_SOCK=$sock_a" VU_CTRL=iso-a "${common_env[@]}")
mapfile -t env_b < <(vu_blk_env ram1)
env_b+=("VU_SOCK=$sock_b" VU_CTRL=iso-b VU_MEM_MB=16 "${common_env[@]}")

rm -f "$sock_a" "$sock_b"
check "create iso-a: 2 queues of 256" \
	vdevctl ctrl add iso-a --type virtio-blk --socket "$sock_a" --queues 2 --queue-size 256
check "iso-a: attach ram0" vdevctl ns add iso-a /dev/ram0
check "create iso-b: 2 queues of 256" \
	vdevctl ctrl add iso-b --type virtio-blk --socket "$sock_b" --queues 2 --queue-size 256
check "iso-b: attach ram1" vdevctl ns add iso-b /dev/ram1
[ "$vdev_failed" = 0 ] || vdev_test_done
vu_vdevd_start "$sock_a" "$sock_b" || vdev_test_done
t_start=$(date +%s)

# --- A: the workload ------------------------------------------------------

# At least 3000 requests, and on until B's bad input is over (soak_stop);
# then the tally, the session held for the counters (a_ready, a_release),
# and fresh requests.
soak_out=$vdev_tmp/soak.out
soak_stop=$vdev_tmp/soak-stop
tally_a=$vdev_tmp/tally-a.json
a_ready=$vdev_tmp/a-ready
a_release=$vdev_tmp/a-release
setsid env "${env_a[@]}" VU_SOAK_OPS=3000 VU_SOAK_PAUSE_MS=200 \
	"VU_SOAK_UNTIL=$soak_stop" \
	"VU_TALLY=$tally_a" "VU_HOLD_READY=$a_ready" \
	"VU_HOLD_RELEASE=$a_release" VU_HOLD_MS=300000 \
	"$VU_DIR/vu_data" -t soak </dev/null >"$soak_out" 2>&1 &
soak_pid=$!

# Running: both of A's queues started and written to.
a_running=false
for _ in $(seq 120); do
	a_running=$(stats_json iso-a 2>/dev/null | json_get \
		'len(d) == 2 and all(q["started"] and q["writes"] > 0 for q in d)' 2>/dev/null)
	[ "$a_running" = true ] && break
	pid_alive "$soak_pid" || break
	sleep 0.5
done
if [ "$a_running" = true ]; then
	pass "A's workload runs on both queues"
else
	fail "A's workload runs on both queues"
	case_out "$soak_out"
	vdev_test_done
fi

# a_progress WHAT: A's workload still runs and completed requests while B
# got WHAT.
a_last=$(a_reqs)
a_progress() {
	local now

	now=$(a_reqs)
	if pid_alive "$soak_pid" && [ "$now" -gt "$a_last" ]; then
		pass "A's workload went on through B's $1 ($((now - a_last)) requests)"
	else
		fail "A's workload went on through B's $1 (requests $a_last, then $now; running: $(pid_alive "$soak_pid" && echo yes || echo no))"
	fi
	a_last=$now
	echo "# $(($(date +%s) - t_start)) s since vdevd started"
}

dmesg_mark=$(dmesg | wc -l)
log_mark=$(wc -l <"$vu_log")
echo "# A: $a_last requests done when B's bad input starts, $(($(date +%s) - t_start)) s since vdevd started"

# --- B: bad chains, bad requests, corrupt rings ---------------------------

# Bad chains, on split and packed rings (packed: 100 entries, no power
# of 2); bad requests, whose parsing is the same on either.
chain_cases=(desc_outside_memory chain_loop chain_too_long indirect_in_indirect
	indirect_len_not_16 readable_status no_status bad_among_good)
for c in "${chain_cases[@]}"; do
	vuc vu_bad b "$c"
done
for c in "${chain_cases[@]}"; do
	# Packed chains have no links to loop; no_status is the request's.
	[ "$c" = chain_loop ] || [ "$c" = no_status ] && continue
	vuc vu_bad b "$c" VU_RING=packed VU_NUM=100
done
for c in writable_header zero_length_buffer ioerr_used_len sector_past_end \
	sector_overflow len_not_512 discard_flags too_many_segs; do
	vuc vu_bad b "$c"
done
# Corrupt rings: the queue breaks (NEEDS_RESET), a restart clears it.
vuc vu_bad b avail_idx_jump
vuc vu_bad b head_out_of_range
vuc vu_bad b packed_chain_no_end VU_RING=packed VU_NUM=64
vuc vu_bad b packed_wrong_wrap VU_RING=packed
vuc vu_bad b packed_id_beyond VU_RING=packed
a_progress "bad chains, bad requests and corrupt rings"

# --- B: malformed and unknown vhost-user messages -------------------------

for c in bad_version reply_flag unknown_flag_bits size_over_4096 \
	size_4096_framed truncated_then_close split_message truncated_stall \
	unknown_request_need_reply unknown_request_no_need_reply \
	reset_owner_ignored wrong_size_each_request wrong_size_no_need_reply \
	fd_where_none_belongs backend_fd_missing backend_fd_two \
	backend_fd_not_socket nine_fds get_config_past_256 \
	set_config_capacity set_config_capacity_no_need_reply \
	set_features_unoffered set_features_without_version_1 \
	set_protocol_features_unoffered set_status_over_ff \
	gated_requests_need_reply gated_requests_no_need_reply; do
	vuc vu_test b "$c"
done
a_progress "malformed and unknown messages"

# --- B: hang-up mid-I/O, RESET_DEVICE -------------------------------------

for ring in split packed; do
	vuc vu_life b hangup_inflight VU_RING=$ring
	vuc vu_life b reset_device_under_io VU_RING=$ring
done
vuc vu_test b reset_device
a_progress "hang-ups mid-I/O and RESET_DEVICE"

# --- A after it all ---------------------------------------------------------

if pid_alive "$soak_pid"; then
	pass "A's workload still runs after all of B's bad input"
else
	fail "A's workload still runs after all of B's bad input"
fi
touch "$soak_stop"
a_ok=false
if wait_file "$a_ready" "$soak_pid" 120; then
	a_ok=true
	pass "A's workload ended without an error, every block read back as written"
	grep '^#  *[a-z_]*\.[a-z0-9_]*:[0-9]*:' "$soak_out" | sed 's/^/#   /'
else
	fail "A's workload ended without an error, every block read back as written"
	case_out "$soak_out"
fi

# B: a session that had bad chains, held, so both controllers' counters
# can be read at once: bad_among_good gives 3 bad chains (no data) and 1
# I/O error on queue 0.
held_out=$vdev_tmp/held.out
b_ready=$vdev_tmp/b-ready
b_release=$vdev_tmp/b-release
setsid env "${env_b[@]}" "VU_HOLD_READY=$b_ready" "VU_HOLD_RELEASE=$b_release" \
	"$VU_DIR/vu_bad" -t bad_among_good </dev/null >"$held_out" 2>&1 &
held_pid=$!
if wait_file "$b_ready" "$held_pid" 60; then
	pass "B: a session with bad chains is held"
else
	fail "B: a session with bad chains is held"
	case_out "$held_out"
fi

stats_json iso-a >"$vdev_tmp/a.json"
stats_json iso-b >"$vdev_tmp/b.json"
echo "# stats while both are held:"
vdevctl stats | sed 's/^/#   /'
# aj EXPR, bj EXPR: EXPR over A's, B's queue objects (list d).
aj() { json_get "$1" <"$vdev_tmp/a.json"; }
bj() { json_get "$1" <"$vdev_tmp/b.json"; }

expect_eq "A: errors 0" "$(aj 'sum(q["errors"] for q in d)')" 0
expect_eq "A: bad-chains 0" "$(aj 'sum(q["bad-chains"] for q in d)')" 0
expect_eq "A: unsupported 0" "$(aj 'sum(q["unsupported"] for q in d)')" 0
expect_eq "A: both queues started, enabled, not broken, nothing in flight" \
	"$(aj '[(q["index"], q["started"], q["enabled"], q["broken"], q["inflight"]) for q in d]' | tr '\n' ' ')" \
	"(0, True, True, False, 0) (1, True, True, False, 0) "
expect_eq "A: running" "$(vdevctl --json ctrl show iso-a | json_get 'd["state"]')" running
# Nothing of B's was counted on A, nothing of A's lost: the kernel's
# reads, writes and bytes per queue are what the workload did.
diff=$(/usr/bin/python3 -c '
import json, sys
stats = {q["index"]: q for q in json.load(open(sys.argv[1]))}
tally = {int(k): v for k, v in json.load(open(sys.argv[2])).items()}
bad = []
for i, t in sorted(tally.items()):
    for k, v in t.items():
        if stats.get(i, {}).get(k) != v:
            bad.append(f"queue {i} {k}: kernel {stats.get(i, {}).get(k)!r}, workload {v!r}")
if sorted(stats) != sorted(tally):
    bad.append(f"queues: kernel {sorted(stats)}, workload {sorted(tally)}")
print("\n".join(bad))
' "$vdev_tmp/a.json" "$tally_a" 2>&1)
if [ -z "$diff" ]; then
	pass "A: reads, writes and their bytes equal the workload's tally ($(aj 'sum(q["reads"] + q["writes"] for q in d)') requests)"
else
	fail "A: reads, writes and their bytes equal the workload's tally"
	sed 's/^/#   /' <<<"$diff"
fi

expect_eq "B: queue 0 counted the 3 bad chains" \
	"$(bj '[q["bad-chains"] for q in d if q["index"] == 0]')" 3
expect_eq "B: queue 0 counted the I/O error" \
	"$(bj '[q["errors"] for q in d if q["index"] == 0]')" 1
expect_eq "B: queue 1 none of them" \
	"$(bj '[(q["bad-chains"], q["errors"]) for q in d if q["index"] == 1]')" "(0, 0)"

touch "$b_release"
wait_rc "$held_pid"
rc=$?
held_pid=
if [ $rc = 0 ] && grep -q '^ok 1 ' "$held_out"; then
	pass "B: vu_bad bad_among_good passed, held"
else
	fail "B: vu_bad bad_among_good passed, held (exit $rc)"
	case_out "$held_out"
fi

# The kernel and vdevd said nothing about A while B got its bad input
# (and did about B: the input got there).
klog=$(dmesg | tail -n +"$((dmesg_mark + 1))")
expect_eq "kernel log: nothing about A" "$(grep -c 'vdev: iso-a:' <<<"$klog")" 0
expect_match "kernel log: B's queues broke" "$klog" 'vdev: iso-b: queue [0-9]+ broken'
dlog=$(tail -n +"$((log_mark + 1))" "$vu_log")
expect_eq "vdevd log: nothing about A" "$(grep -cw 'iso-a' <<<"$dlog")" 0
expect_match "vdevd log: B's framing errors" "$dlog" 'iso-b: framing error'

# A's session goes on: fresh requests on both queues, every window read
# back once more.
touch "$a_release"
wait_rc "$soak_pid"
rc=$?
soak_pid=
if [ $rc = 0 ] && grep -q '^ok 1 ' "$soak_out" && grep -q 'after the hold:' "$soak_out"; then
	pass "A: fresh requests after it all work"
	grep 'after the hold:' "$soak_out" | sed 's/^/#   /'
elif [ "$a_ok" = true ]; then
	fail "A: fresh requests after it all work (exit $rc)"
	case_out "$soak_out"
else
	fail "A: fresh requests after it all work (the workload failed before)"
fi

if vu_vdevd_alive; then
	pass "vdevd runs"
else
	fail "vdevd runs"
	"$vdev_tmp/start-vdevd"
fi
expect_eq "kernel log: no WARN, BUG or oops" \
	"$(dmesg | tail -n +"$((dmesg_start + 1))" | grep -cE 'WARNING:|BUG:|Oops|general protection|soft lockup|blocked for more than')" 0

# --- B again ----------------------------------------------------------------

vuc vu_data b rw_small
vuc vu_data b rw_indirect VU_RING=packed

echo "# $(($(date +%s) - t_start)) s from vdevd's start"
vu_vdevd_stop
if [ "$vu_failed" != 0 ] || [ "$vdev_failed" != 0 ]; then
	echo "# vdevd's log (last 60 lines):"
	tail -n 60 "$vu_log" | sed 's/^/#   /'
fi
vdev_test_done
