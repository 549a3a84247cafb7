#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`, run inside the VM bench (tools/testing/vm-run): every
# contender on the same backing device, one after the other, in one boot.
#
#   vdev-adaptive  vdev, poll=adaptive, served by vdevd
#   vdev-never     vdev, poll=never
#   qsd            qemu-storage-daemon --export vhost-user-blk (io_uring,
#                  cache.direct=on), one iothread
#   raw            fio, io_uring, O_DIRECT on the device itself: no
#                  virtualization at all
#   raw-sqpoll     the same with an SQPOLL kernel thread (and polled
#                  completions where the device polls): two busy CPUs,
#                  like a front end plus a vdev poller
#   vhost-scsi     kernel vhost-scsi with LIO (iblock on the device,
#                  configured by vhost-scsi-setup.sh), a virtio-scsi
#                  device driven through /dev/vhost-scsi, no guest
#   vdev-scsi      vdev, a virtio-scsi controller with one LUN (0:0) on
#                  the device, poll=adaptive, served by vdevd: vhost-scsi's
#                  like-for-like peer (the same SCSI commands)
#   vdev-nvme      vdev, an NVMe controller with the device as namespace 1,
#                  poll=always (doorbells mapped), served over vfio-user
#                  by vdevd; vdev-perf --nvme plays the guest's nvme driver
#                  with poll queues: set against raw, the same device with
#                  no virtualization (QEMU's emulated nvme under fio in a
#                  nested guest is left out: nested TCG is too slow here)
#
# The virtual contenders are driven by vdev-perf (busy-polling the used
# ring, as SPDK's and fio's polled guests do).  Back ends run on CPU 0,
# the front end (vdev-perf, fio) on CPU 1.  Each case's report is saved as
# it came: RUNS/<device>/<contender>/<rw>-qd<N>-q<M>.json, and idle.json
# per back end (vdev-perf --idle: what the back end burns with live, empty
# rings).  tools/testing/bench-report.py makes the table of them.
#
# Usage: bench.sh RUNS_DIR
# Environment: BENCH_RUNTIME (seconds a case, default 5), BENCH_IDLE
# (seconds of the idle measure, default 3), BENCH_DEVICES ("null_blk brd"),
# BENCH_CONTENDERS, BENCH_RW ("randread randwrite"), BENCH_QD ("1 32 128"),
# BENCH_QUEUES ("1 2"), BENCH_PROFILE (1: profile the headline case, 4k
# randread QD32 on one queue, of each contender on the first device with
# perf into RUNS/<device>/<contender>/profile.txt; 0: don't).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
vdevctl=$root/tools/vdevctl/vdevctl
vdevd=$root/tools/vdevd/vdevd
perf=$root/tools/vdev-perf/vdev-perf

runs=${1:?usage: bench.sh RUNS_DIR}
runtime=${BENCH_RUNTIME:-5}
idle=${BENCH_IDLE:-3}
devices=${BENCH_DEVICES:-null_blk brd}
contenders=${BENCH_CONTENDERS:-vdev-adaptive vdev-never qsd raw raw-sqpoll vhost-scsi vdev-scsi vdev-nvme}
rws=${BENCH_RW:-randread randwrite}
qds=${BENCH_QD:-1 32 128}
queue_counts=${BENCH_QUEUES:-1 2}
profile=${BENCH_PROFILE:-1}

back_cpu=0 front_cpu=1
sockdir=/run/vdev-bench
wwpn=naa.5001405000000001
work=$(mktemp -d)
vdevd_pid='' qsd_pid='' vhost_dev=''
# A command that runs the front end of a case (perf record, to profile it).
wrap=()

note() { printf 'bench: %s\n' "$*" >&2; }
die() {
	note "FAILED: $*"
	exit 1
}

cleanup() {
	stop_qsd
	stop_vhost_scsi
	"$vdevctl" ctrl del bench 2>/dev/null
	[[ -n $vdevd_pid ]] && kill "$vdevd_pid" 2>/dev/null && wait "$vdevd_pid"
	rmmod vdev 2>/dev/null
	rm -rf "$work"
}
trap 'cleanup || true' EXIT

# The backing devices, each the same for every contender.  null_blk: two
# submit and two poll queues, deep enough for 2 x QD128 (its default 64
# would make the device the bottleneck), no memory.  brd: 512 MiB.
setup_devices() {
	modprobe null_blk nr_devices=1 queue_mode=2 submit_queues=2 \
		poll_queues=2 hw_queue_depth=256 gb=16
	modprobe brd rd_nr=1 rd_size=524288
	insmod "$root/kmod/vdev.ko"
	[[ -b /dev/nullb0 && -b /dev/ram0 ]] || die "null_blk or brd did not appear"
}

dev_path() {
	case $1 in
	null_blk) echo /dev/nullb0 ;;
	brd) echo /dev/ram0 ;;
	*) die "unknown device $1" ;;
	esac
}

wait_socket() {

	for _ in $(seq 300); do
		[[ -S $1 ]] && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# --- back ends ----------------------------------------------------------------

# start_vdev DEV POLL [virtio-scsi|nvme]: the controller, two (request or
# I/O) queues; virtio-scsi has the device as LUN 0:0, nvme as nsid 1.
start_vdev() {
	local dev=$1 mode=$2 type=${3:-virtio-blk} addr=()

	case $type in
	virtio-scsi) addr=(--target 0 --lun 0) ;;
	nvme) addr=(--nsid 1) ;;
	esac
	"$vdevctl" ctrl add bench --type "$type" --socket "$sockdir/bench.sock" \
		--queues 2 --cpus "$back_cpu" --poll "$mode" >/dev/null
	"$vdevctl" ns add bench "${addr[@]}" "$dev" >/dev/null
	wait_socket "$sockdir/bench.sock" "$vdevd_pid" ||
		die "vdevd did not serve $sockdir/bench.sock"
}

stop_vdev() {
	"$vdevctl" ctrl del bench
	rm -f "$sockdir/bench.sock"
}

start_qsd() {
	taskset -c "$back_cpu" qemu-storage-daemon \
		--object iothread,id=io0 \
		--blockdev "driver=host_device,node-name=d0,filename=$1,cache.direct=on,aio=io_uring" \
		--export "type=vhost-user-blk,id=e0,node-name=d0,iothread=io0,addr.type=unix,addr.path=$sockdir/qsd.sock,writable=on,num-queues=2" \
		>"$work/qsd.log" 2>&1 &
	qsd_pid=$!
	wait_socket "$sockdir/qsd.sock" "$qsd_pid" ||
		die "qemu-storage-daemon did not start: $(cat "$work/qsd.log")"
}

stop_qsd() {
	[[ -n $qsd_pid ]] || return 0
	kill "$qsd_pid" 2>/dev/null && wait "$qsd_pid" 2>/dev/null
	qsd_pid=''
	rm -f "$sockdir/qsd.sock"
}

# LIO's vhost fabric on the device: its worker is a thread of the front
# end, which vdev-perf moves to the back end's CPU.
start_vhost_scsi() {
	"$root/tools/testing/vhost-scsi-setup.sh" "$1" "$wwpn" >"$work/vs.log" 2>&1 ||
		die "vhost-scsi setup failed: $(cat "$work/vs.log")"
	vhost_dev=$1
}

stop_vhost_scsi() {
	[[ -n ${vhost_dev:-} ]] || return 0
	"$root/tools/testing/vhost-scsi-setup.sh" --teardown "$vhost_dev" "$wwpn" \
		>"$work/vs.log" 2>&1 || note "vhost-scsi teardown: $(cat "$work/vs.log")"
	vhost_dev=''
}

# --- one case -----------------------------------------------------------------

# run_perf OUT TARGET ARGS...: vdev-perf on the front end's CPU; TARGET
# is a vhost-user-blk socket, scsi:SOCKET (vhost-user-scsi),
# nvme:SOCKET (vfio-user NVMe) or vhost-scsi:WWPN.
run_perf() {
	local out=$1 sock=$2 how

	shift 2
	case $sock in
	vhost-scsi:*) how=(--vhost-scsi "${sock#vhost-scsi:}" --backend-cpus "$back_cpu") ;;
	scsi:*) how=(--socket "${sock#scsi:}" --scsi) ;;
	nvme:*) how=(--socket "${sock#nvme:}" --nvme) ;;
	*) how=(--socket "$sock") ;;
	esac
	if ! "${wrap[@]}" taskset -c "$front_cpu" "$perf" "${how[@]}" --json --quiet \
		"$@" >"$out" 2>"$work/perf.err"; then
		note "vdev-perf $* on $sock failed: $(cat "$work/perf.err")"
		return 1
	fi
}

# run_fio OUT DEV RW QD QUEUES [sqpoll]: fio's io_uring engine on the device.
run_fio() {
	local out=$1 dev=$2 rw=$3 qd=$4 nq=$5 extra=()

	if [[ ${6:-} == sqpoll ]]; then
		extra=(--sqthread_poll=1 --sqthread_poll_cpu="$back_cpu")
		# Polled completions where the device has poll queues.
		[[ $(cat "/sys/block/${dev#/dev/}/queue/io_poll") == 1 ]] &&
			extra+=(--hipri=1)
	fi
	if ! "${wrap[@]}" fio --name=raw --filename="$dev" --ioengine=io_uring --direct=1 \
		--rw="$rw" --bs=4k --iodepth="$qd" --numjobs="$nq" \
		--group_reporting=1 --time_based=1 --runtime="$runtime" \
		--cpus_allowed="$front_cpu" --lat_percentiles=1 \
		--randrepeat=0 --norandommap=1 "${extra[@]}" \
		--output-format=json --output="$out" >"$work/fio.err" 2>&1; then
		note "fio on $dev failed: $(cat "$work/fio.err")"
		return 1
	fi
}

# Where the CPUs go in the headline case: perf samples every CPU (a
# software clock: TCG has no PMU) while the case runs again, and the
# report lists the hottest symbols with the task that ran them.
run_profile() {
	local device=$1 contender=$2 sock=$3 dev dir data

	dev=$(dev_path "$device")
	dir=$runs/$device/$contender
	data=$work/perf.data
	note "$device/$contender: profile of randread QD32, 1 queue"
	wrap=(perf record -a -g -F 997 -o "$data" --)
	case $contender in
	raw | raw-sqpoll)
		run_fio "$dir/profile-run.json" "$dev" randread 32 1 \
			"${contender#raw-}" || true
		;;
	*)
		run_perf "$dir/profile-run.json" "$sock" --rw randread --bs 4k \
			--iodepth 32 --queues 1 --runtime "$runtime" || true
		;;
	esac
	wrap=()
	# Which task ran where (kernel or user), then the hottest symbols.
	{
		perf report -i "$data" --stdio --no-children --sort comm,dso \
			--percent-limit 0.5 -g none &&
			perf report -i "$data" --stdio --no-children \
				--sort comm,dso,sym --percent-limit 0.5 -g none
	} >"$dir/profile.txt" 2>"$work/perf.err" ||
		note "perf report failed: $(cat "$work/perf.err")"
	rm -f "$data"
}

# Every case of one contender on one device.
run_cases() {
	local device=$1 contender=$2 dev sock dir rw qd nq out

	dev=$(dev_path "$device")
	dir=$runs/$device/$contender
	mkdir -p "$dir"
	case $contender in
	vdev-scsi) sock=scsi:$sockdir/bench.sock ;;
	vdev-nvme) sock=nvme:$sockdir/bench.sock ;;
	vdev-*) sock=$sockdir/bench.sock ;;
	qsd) sock=$sockdir/qsd.sock ;;
	vhost-scsi) sock=vhost-scsi:$wwpn ;;
	esac
	if [[ -n ${sock:-} ]]; then
		note "$device/$contender: idle for $idle s"
		run_perf "$dir/idle.json" "$sock" --idle --runtime "$idle" || true
	fi
	for rw in $rws; do
		for qd in $qds; do
			for nq in $queue_counts; do
				out=$dir/$rw-qd$qd-q$nq.json
				note "$device/$contender: $rw QD$qd, $nq queue(s)"
				case $contender in
				raw) run_fio "$out" "$dev" "$rw" "$qd" "$nq" || true ;;
				raw-sqpoll)
					run_fio "$out" "$dev" "$rw" "$qd" "$nq" sqpoll || true
					;;
				*)
					run_perf "$out" "$sock" --rw "$rw" --bs 4k \
						--iodepth "$qd" --queues "$nq" \
						--runtime "$runtime" || true
					;;
				esac
			done
		done
	done
	if ((profile)) && [[ $device == "${devices%% *}" ]]; then
		run_profile "$device" "$contender" "${sock:-}"
	fi
}

run_contender() {
	local device=$1 contender=$2 dev

	dev=$(dev_path "$device")
	case $contender in
	vdev-adaptive) start_vdev "$dev" adaptive ;;
	vdev-never) start_vdev "$dev" never ;;
	vdev-scsi) start_vdev "$dev" adaptive virtio-scsi ;;
	vdev-nvme) start_vdev "$dev" always nvme ;;
	qsd) start_qsd "$dev" ;;
	vhost-scsi) start_vhost_scsi "$dev" ;;
	raw | raw-sqpoll) ;;
	*) die "unknown contender $contender" ;;
	esac
	run_cases "$device" "$contender"
	case $contender in
	vdev-*) stop_vdev ;;
	qsd) stop_qsd ;;
	vhost-scsi) stop_vhost_scsi ;;
	esac
}

# What the report says of the run itself.
describe_run() {
	# python3 quotes what the strings may hold.
	python3 - "$(uname -r)" "$(nproc)" "$runtime" "$idle" "$back_cpu" \
		"$front_cpu" "$(qemu-storage-daemon --version | head -n 1)" \
		"$(fio --version)" \
		"$(sed -n 's/^model name\t: //p' /proc/cpuinfo | head -n 1)" \
		"$(date -u +%Y-%m-%dT%H:%M:%SZ)" <<'EOF'
import json, sys
a = sys.argv[1:]
print(json.dumps({"kernel": a[0], "cpus": int(a[1]), "runtime_s": float(a[2]),
                  "idle_s": float(a[3]), "back_cpu": int(a[4]),
                  "front_cpu": int(a[5]), "qemu": a[6], "fio": a[7],
                  "cpu_model": a[8], "date": a[9]}))
EOF
}

main() {
	local device contender

	(($(nproc) >= 2)) || die "the bench needs 2 CPUs (vm-run --smp 2)"
	mkdir -p "$runs" "$sockdir"
	setup_devices
	"$vdevd" --foreground >"$work/vdevd.log" 2>&1 &
	vdevd_pid=$!
	for device in $devices; do
		for contender in $contenders; do
			run_contender "$device" "$contender"
		done
	done
	describe_run >"$runs/run.json"
	note "done: $runs"
}

main
