#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared by the test_vu_NN.sh scripts that run the data-path front end
# (vu_data, vu_bad, vu_life): vdevd started and stopped as test_vu_01.sh
# does it, and vuc to run one case of one binary against one controller.
# Source after test_common.sh and vdev_test_init.
# shellcheck disable=SC2154 # vdev_tmp, vdev_tests, KSFT_SKIP: test_common.sh

VDEVD=${VDEVD:-$VDEV_ROOT/tools/vdevd/vdevd}
VU_DIR=${VU_DIR:-$VDEV_ROOT/selftests/vu}

# vu_need_bins BIN...: SKIP the script unless vdevd and the binaries exist.
vu_need_bins() {
	local bin

	for bin in "$VDEVD" "${@/#/$VU_DIR/}"; do
		if [ ! -x "$bin" ]; then
			echo "# SKIP: $bin not built (make; make -C selftests/vu)"
			exit "$KSFT_SKIP"
		fi
	done
}

VDEV_PERF=${VDEV_PERF:-$VDEV_ROOT/tools/vdev-perf/vdev-perf}

# vu_need_perf: vdevd and vdev-perf are built, or the test skips.
vu_need_perf() {
	# shellcheck disable=SC2119 # vdevd only: no selftests/vu binary
	vu_need_bins
	if [ ! -x "$VDEV_PERF" ]; then
		echo "# SKIP: $VDEV_PERF not built (make tools)"
		exit "$KSFT_SKIP"
	fi
}

vu_log=
vu_pidfile=

# vu_vdevd_scripts: write start-vdevd and kill-vdevd into $vdev_tmp, as
# test_vu_01.sh does (setsid: not in a case's process group; kill -9 then
# wait until it is gone or a zombie).
vu_vdevd_scripts() {
	vu_log=$vdev_tmp/vdevd.log
	vu_pidfile=$vdev_tmp/vdevd.pid
	cat >"$vdev_tmp/start-vdevd" <<EOF
#!/bin/sh
setsid "$VDEVD" --foreground --verbose </dev/null >>"$vu_log" 2>&1 &
echo \$! >"$vu_pidfile"
EOF
	cat >"$vdev_tmp/kill-vdevd" <<EOF
#!/bin/sh
pid=\$(cat "$vu_pidfile") || exit 1
kill -9 "\$pid" 2>/dev/null
i=0
while [ \$i -lt 200 ]; do
	state=\$(sed 's/.*) //' "/proc/\$pid/stat" 2>/dev/null | cut -d' ' -f1)
	case "\$state" in
	""|Z|X) exit 0 ;;
	esac
	sleep 0.05
	i=\$((i + 1))
done
echo "vdevd \$pid still alive 10 s after kill -9" >&2
exit 1
EOF
	chmod +x "$vdev_tmp/start-vdevd" "$vdev_tmp/kill-vdevd"
}

vu_vdevd_alive() {
	local pid

	pid=$(cat "$vu_pidfile" 2>/dev/null) || return 1
	[ -d "/proc/$pid" ] && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null
}

vu_vdevd_stop() {
	local pid

	pid=$(cat "$vu_pidfile" 2>/dev/null) || return 0
	vu_vdevd_alive || return 0
	kill -TERM "$pid" 2>/dev/null
	for _ in $(seq 50); do
		vu_vdevd_alive || return 0
		sleep 0.1
	done
	"$vdev_tmp/kill-vdevd"
}

# vu_finish DMESG_MARK: the kernel's vdev lines since the mark, counted;
# stop vdevd and show its log if a check failed; end the test.
# vu_expect_free DEV: nothing holds DEV (within 60 s) once the controllers
# are deleted: a session whose teardown hangs keeps its disk claimed.
vu_expect_free() {
	for _ in $(seq 600); do
		vdev_bdev_free "$1" && break
		sleep 0.1
	done
	check "nothing holds $1 once its controller is gone" vdev_bdev_free "$1"
}

vu_finish() {
	echo "# kernel log of the cases:"
	dmesg | tail -n +"$(($1 + 1))" | grep 'vdev' |
		sed 's/^\[[^]]*\] //; s/(pid [0-9]*)/(pid N)/' |
		sort | uniq -c | sort -rn | head -20 | sed 's/^/#   /'
	vu_vdevd_stop
	if [ "$vu_failed" != 0 ]; then
		echo "# vdevd's log (last 60 lines):"
		tail -n 60 "$vu_log" | sed 's/^/#   /'
	fi
	vdev_test_done
}

# vu_vdevd_start SOCK...: start vdevd and wait for every socket.
vu_vdevd_start() {
	local s ok

	"$vdev_tmp/start-vdevd"
	for _ in $(seq 300); do
		ok=1
		for s in "$@"; do
			[ -S "$s" ] || ok=0
		done
		[ $ok = 1 ] && break
		vu_vdevd_alive || break
		sleep 0.1
	done
	if [ $ok = 1 ]; then
		pass "vdevd serves $# sockets"
		return 0
	fi
	fail "vdevd serves $# sockets"
	sed 's/^/#   /' "$vu_log"
	return 1
}

# blk_env DEV: what the config space and the features say of /dev/DEV, as
# VU_* assignments, one a line.
vu_blk_env() {
	local q=/sys/block/$1/queue

	echo "VU_CAPACITY=$(cat "/sys/block/$1/size")"
	echo "VU_BLK_SIZE=$(cat "$q/logical_block_size")"
	echo "VU_PBLK_SIZE=$(cat "$q/physical_block_size")"
	echo "VU_IO_MIN=$(cat "$q/minimum_io_size")"
	echo "VU_IO_OPT=$(cat "$q/optimal_io_size")"
	[ "$(cat "$q/discard_max_bytes")" != 0 ] && echo VU_DISCARD=1
	[ "$(cat "$q/write_cache")" = "write back" ] && echo VU_WRITE_CACHE=1
	[ "$(cat "/sys/block/$1/ro")" = 1 ] && echo VU_RO=1
	true
}

vu_skip_check() {
	vdev_tests=$((vdev_tests + 1))
	echo "# ok $vdev_tests - $1 # SKIP $2"
}

# Set when a case failed: the scripts print vdevd's log then.
# shellcheck disable=SC2034 # read by the scripts
vu_failed=0

# vuc BIN ENVNAME CASE [VAR=value...]: run one case of $VU_DIR/BIN with the
# environment in array env_ENVNAME plus the extra assignments; one TAP
# line, with the case's log when it fails and its timing always.
vuc() {
	local bin=$1 desc out rc reason start secs
	local -n venv=env_$2
	local name=$3

	shift 3
	desc="$bin $name${*:+ ($*)}"
	start=$(date +%s%N)
	out=$(env "${venv[@]}" "$@" "$VU_DIR/$bin" -t "$name" 2>&1)
	rc=$?
	secs=$((($(date +%s%N) - start) / 100000000))
	secs=$((secs / 10)).$((secs % 10))
	if [ $rc = 0 ] && grep -q "^ok 1 .*# SKIP" <<<"$out"; then
		reason=$(sed -n 's/^ok 1 .*# SKIP *//p' <<<"$out")
		vu_skip_check "$desc" "$reason"
	elif [ $rc = 0 ] && grep -q "^ok 1 " <<<"$out"; then
		pass "$desc [${secs}s]"
		[ -n "$VU_VERBOSE" ] && grep '^#  *[a-z_]*\.[a-z0-9_]*:[0-9]*:' <<<"$out" | sed 's/^/#   /'
	else
		[ $rc = 0 ] && out="no case $name in $bin"$'\n'"$out"
		fail "$desc (exit $rc) [${secs}s]"
		grep -v '^\(TAP version\|1\.\.\|# Starting\|# Totals\|# PASSED\|# FAILED\|#  RUN\)' <<<"$out" |
			sed 's/^/#   /'
		# shellcheck disable=SC2034 # read by the scripts
		vu_failed=1
		return 1
	fi
	return 0
}

# vuc_log BIN ENVNAME CASE [VAR=value...]: vuc, and the case's TH_LOG
# lines (what it measured) in any case.
vuc_log() {
	VU_VERBOSE=1 vuc "$@"
}

# --- null_blk through configfs ----------------------------------------------

vu_nullbs=()

# vu_nullb NAME ATTR=VALUE...: a memory-backed null_blk disk /dev/NAME
# (6.12 names it after its configfs directory) of 64 MiB, with the given
# configfs attributes (irqmode, completion_nsec, poll_queues...). Other
# tests may have loaded null_blk with their own parameters: configfs
# makes ours independent of them. Returns 1 if it cannot be made.
vu_nullb() {
	local name=$1 cfg kv

	shift
	modprobe null_blk nr_devices=0 2>/dev/null || return 1
	if [ ! -d /sys/kernel/config/nullb ]; then
		mount -t configfs none /sys/kernel/config 2>/dev/null
	fi
	cfg=/sys/kernel/config/nullb/$name
	mkdir "$cfg" 2>/dev/null || return 1
	vu_nullbs+=("$cfg")
	echo 64 >"$cfg/size" && echo 1 >"$cfg/memory_backed" || return 1
	for kv in "$@"; do
		echo "${kv#*=}" >"$cfg/${kv%%=*}" || return 1
	done
	echo 1 >"$cfg/power" || return 1
	udevadm settle 2>/dev/null
	[ -b "/dev/$name" ]
}

# Remove them (after the controllers that use them are gone).
vu_nullb_remove_all() {
	local cfg

	for cfg in "${vu_nullbs[@]}"; do
		echo 0 >"$cfg/power" 2>/dev/null
		rmdir "$cfg" 2>/dev/null
	done
	vu_nullbs=()
}
