#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs the tests inside a qemu VM (software emulation) with a pure cgroup v2
# hierarchy. It fetches Debian's kernel (cached), builds the initramfs and a
# fresh ext4 disk, and boots once with a hard time limit. Each guest test
# gets one "NAME pass|fail|skip SECONDS" line in WORK/results.txt. The serial
# console is kept in WORK/console.log and printed when the VM fails.
#
# Usage: vm-run.sh --work DIR --cache DIR [--mstatd PATH --mstat PATH]
#        [--mstat-init PATH] [--tools DIR] [--dump-fixtures DIR]
#        [--extra-test SCRIPT]...
# --extra-test adds a guest script that is not a CTest test (bench/vm.sh
# runs the collection benchmark this way).
# Exits 0 when the VM ran every test and powered off, whatever the tests'
# own results in results.txt. Exits 1 when it did not, 77 when it cannot
# run here.
# Environment: MSTAT_VM_TIMEOUT (whole run, seconds, default 1500),
# MSTAT_VM_TEST_TIMEOUT (each guest test, default 300), MSTAT_VM_MEMORY
# (MiB, default 1024), MSTAT_VM_CPUS (default 2), MSTAT_VM_FILTER (a bash
# regular expression: only the tests whose names match run, the others are
# reported as skipped).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$here/../.." && pwd)

work='' cache='' mstatd='' mstat_bin='' mstat_init='' tools_dir='' dump_out=''
extra_tests=()
while [ $# -gt 0 ]; do
	case "$1" in
	--work) work=$2 ;;
	--cache) cache=$2 ;;
	--mstatd) mstatd=$2 ;;
	--mstat) mstat_bin=$2 ;;
	--mstat-init) mstat_init=$2 ;;
	--tools) tools_dir=$2 ;;
	--dump-fixtures) dump_out=$2 ;;
	--extra-test) extra_tests+=("$2") ;;
	*)
		echo "vm-run.sh: unknown option '$1'" >&2
		exit 2
		;;
	esac
	shift 2
done
[ -n "$work" ] && [ -n "$cache" ] || {
	echo "usage: vm-run.sh --work DIR --cache DIR [--mstatd PATH --mstat PATH] [--mstat-init PATH] [--tools DIR] [--dump-fixtures DIR]" >&2
	exit 2
}

timeout_s=${MSTAT_VM_TIMEOUT:-1500}
test_timeout_s=${MSTAT_VM_TEST_TIMEOUT:-300}
memory_mib=${MSTAT_VM_MEMORY:-1024}
cpus=${MSTAT_VM_CPUS:-2}

mkdir -p "$work"
results="$work/results.txt"
console="$work/console.log"
rm -f "$results" "$console"

# skip REASON: records that the VM could not run, for vm-result.sh, and exits 77.
skip() {
	echo "SKIP: $*"
	echo "# skipped: $*" >"$results"
	exit 77
}

[ "$(id -u)" -eq 0 ] || skip "the VM tests need root (device nodes in the initramfs, apt-get download)"
command -v qemu-system-x86_64 >/dev/null ||
	skip "qemu-system-x86_64 not found: install the Debian package qemu-system-x86"
for tool in mkfs.ext4 objcopy; do
	command -v "$tool" >/dev/null || skip "$tool not found: install the Debian package $([ "$tool" = objcopy ] && echo binutils || echo e2fsprogs)"
done
if [ -n "$dump_out" ]; then
	command -v debugfs >/dev/null || skip "debugfs not found: install the Debian package e2fsprogs"
fi

# elapsed START END: seconds between two $EPOCHREALTIME values, to 0.1 s.
elapsed() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'
}
t_start=$EPOCHREALTIME

for bin in "$mstatd" "$mstat_bin" "$mstat_init" ${tools_dir:+"$tools_dir/memhog"}; do
	[ -z "$bin" ] || [ -x "$bin" ] || {
		echo "FAIL: $bin not found: build it first (cmake --build BUILD_DIR)"
		exit 1
	}
done

# The test list: the harness's own checks first, then the integration suite
# when mstatd and mstat were built.
tests_file="$work/tests.list"
host_skips=()
: >"$tests_file"
# add_test NAME SCRIPT [REASON]: lists the test, or records it as skipped
# for REASON, or when MSTAT_VM_FILTER does not match its name.
add_test() {
	local name=$1 script=$2 reason=${3:-}
	if [ -z "$reason" ] && [ -n "${MSTAT_VM_FILTER:-}" ] && ! [[ $name =~ $MSTAT_VM_FILTER ]]; then
		reason="not selected by MSTAT_VM_FILTER=$MSTAT_VM_FILTER"
	fi
	if [ -n "$reason" ]; then
		host_skips+=("$name $reason")
	else
		echo "$name $script" >>"$tests_file"
	fi
}
if [ -z "$dump_out" ]; then
	for script in "$here"/guest-tests/*.sh; do
		add_test "$(basename "$script" .sh)" "$script"
	done
	no_agent=
	[ -n "$mstatd" ] && [ -n "$mstat_bin" ] || no_agent="mstatd and mstat were not built"
	for script in "$source_dir"/tests/integration/it_*.sh; do
		[ -e "$script" ] && add_test "$(basename "$script" .sh)" "$script" "$no_agent"
	done
	for script in ${extra_tests[@]+"${extra_tests[@]}"}; do
		add_test "$(basename "$script" .sh)" "$script"
	done
fi

kernel_dir=$("$here/vm-kernel.sh" "$cache") || {
	rc=$?
	[ $rc -eq 77 ] && skip "no Debian kernel package is reachable (see the message above)"
	exit $rc
}
kernels=("$kernel_dir"/boot/vmlinuz-*)
vmlinuz=${kernels[0]}
echo "kernel: $vmlinuz"

initramfs="$work/initramfs.cpio.gz"
"$here/vm-initramfs.sh" --kernel "$kernel_dir" --out "$initramfs" --tests "$tests_file" \
	${mstatd:+--mstatd "$mstatd"} ${mstat_bin:+--mstat "$mstat_bin"} \
	${mstat_init:+--mstat-init "$mstat_init"} ${tools_dir:+--tools "$tools_dir"}

# A fresh sparse disk each run, so that no file from an earlier run remains.
disk="$work/disk.img"
rm -f "$disk"
truncate -s 1G "$disk"
mkfs.ext4 -q -F -L mstat-vm -E lazy_itable_init=0,lazy_journal_init=0 "$disk"

t_prepared=$EPOCHREALTIME
mode=tests
[ -n "$dump_out" ] && mode=dump
cmdline="console=ttyS0 panic=-1 loglevel=6 mstat_vm_mode=$mode mstat_vm_test_timeout=$test_timeout_s"

# Created before qemu starts, so that the wait loop below can read it at once.
: >"$console"
# KVM is never used: it hangs on the machines this suite runs on.
qemu-system-x86_64 -accel tcg -cpu max -smp "$cpus" -m "$memory_mib" \
	-nographic -no-reboot -nic none \
	-kernel "$vmlinuz" -initrd "$initramfs" -append "$cmdline" \
	-drive "file=$disk,format=raw,if=virtio" \
	</dev/null >"$console" 2>&1 &
qemu_pid=$!

stop_qemu() {
	kill -0 "$qemu_pid" 2>/dev/null || return 0
	kill -TERM "$qemu_pid" 2>/dev/null || true
	for _ in $(seq 1 50); do
		kill -0 "$qemu_pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$qemu_pid" 2>/dev/null || true
}
trap stop_qemu EXIT
trap 'stop_qemu; exit 1' TERM INT

# Waits for qemu to exit, noting when the guest reports that it is ready.
boot_s=
timed_out=0
deadline=$((SECONDS + timeout_s))
while kill -0 "$qemu_pid" 2>/dev/null; do
	if [ -z "$boot_s" ] && grep -q '^MSTAT-VM-READY' <(tr -d '\r' <"$console"); then
		boot_s=$(elapsed "$t_prepared" "$EPOCHREALTIME")
	fi
	if [ $SECONDS -ge $deadline ]; then
		timed_out=1
		echo "vm-run.sh: the VM did not power off within $timeout_s s; stopping qemu (pid $qemu_pid)" >&2
		stop_qemu
		break
	fi
	sleep 0.5
done
qemu_rc=0
wait "$qemu_pid" 2>/dev/null || qemu_rc=$?
t_end=$EPOCHREALTIME

log=$(tr -d '\r' <"$console")
{
	echo "$log" | awk '$1 == "MSTAT-VM-RESULT" { print $2, $3, $4 }'
	for skipped in "${host_skips[@]}"; do
		echo "${skipped%% *} skip 0 ${skipped#* }"
	done
} >"$results"

echo "== VM results ($(echo "$log" | sed -n 's/^MSTAT-VM-READY //p'))"
while read -r name status secs reason; do
	printf '  %-28s %-5s %7s s %s\n' "$name" "$status" "$secs" "$reason"
done <"$results"
while read -r name _; do
	grep -q "^$name " "$results" || printf '  %-28s %-5s (no result: the guest never finished it)\n' "$name" "-"
done <"$tests_file"
echo "== VM timing: preparation $(elapsed "$t_start" "$t_prepared") s," \
	"qemu start to first test ${boot_s:-?} s (polled every 0.5 s)," \
	"VM run $(elapsed "$t_prepared" "$t_end") s, total $(elapsed "$t_start" "$t_end") s"

ok=1
if [ $timed_out -eq 1 ]; then
	echo "FAIL: the VM timed out after $timeout_s s (MSTAT_VM_TIMEOUT)"
	ok=0
elif ! grep -q "^MSTAT-VM-DONE" <<<"$log"; then
	echo "FAIL: the VM stopped (qemu exit code $qemu_rc) before its init reported MSTAT-VM-DONE"
	ok=0
fi
if [ $ok -eq 0 ]; then
	echo "--- console ($console)"
	echo "$log"
	exit 1
fi

if [ -n "$dump_out" ]; then
	grep -q '^make_fixture pass' "$results" || {
		echo "FAIL: make_fixture failed in the VM; $dump_out is unchanged"
		echo "$log" | sed -n '/^MSTAT-VM-READY/,$p'
		exit 1
	}
	rm -rf "$work/export"
	mkdir -p "$work/export"
	debugfs -R "rdump /mstat-vm-export $work/export" "$disk" >/dev/null 2>&1
	[ -f "$work/export/mstat-vm-export/CAPTURED.txt" ] || {
		echo "FAIL: debugfs did not copy /mstat-vm-export out of $disk"
		exit 1
	}
	rm -rf "$dump_out"
	mkdir -p "$(dirname "$dump_out")"
	mv "$work/export/mstat-vm-export" "$dump_out"
	echo "fixtures copied to $dump_out"
fi
exit 0
