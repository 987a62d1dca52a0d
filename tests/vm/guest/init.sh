#!/bin/sh
# SPDX-License-Identifier: MIT
# PID 1 of the test VM. Stage 1 copies the initramfs into a tmpfs and
# switch_roots into it, because pivot_root(2), which container runtimes use,
# fails with EINVAL while the root is the initramfs. Stage 2 mounts a pure
# cgroup v2 hierarchy and runs the tests of /opt/mstat/vm/tests.list. After
# each test it prints "MSTAT-VM-RESULT NAME pass|fail|skip SECONDS" on the
# serial console. Then it powers the VM off.

PATH=/usr/bin:/bin:/usr/sbin:/sbin
export PATH

VM=/opt/mstat/vm

stage1() {
	mount -t tmpfs -o mode=0755 rootfs /newroot || exit 1
	for entry in /*; do
		case "$entry" in
		/newroot | /proc | /sys | /dev) ;;
		*) cp -a "$entry" /newroot/ || exit 1 ;;
		esac
	done
	mkdir -p /newroot/proc /newroot/sys /newroot/dev
	exec switch_root /newroot /init stage2
}

# Prints a line on its own, even when kernel messages are interleaved.
say() {
	printf '\n%s\n' "$*"
}

uptime_s() {
	cut -d ' ' -f 1 /proc/uptime
}

mount_basics() {
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mount -t devtmpfs devtmpfs /dev
	mkdir -p /dev/pts /dev/shm
	mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
	mount -t tmpfs -o mode=1777 tmpfs /dev/shm
	mount -t tmpfs -o mode=1777 tmpfs /tmp
	mount -t tmpfs -o mode=0755 tmpfs /run
	mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup
}

# Loads the modules listed in dependency order by the host.
load_modules() {
	dir=/lib/modules/$(uname -r)
	[ -f "$dir/load.order" ] || return 0
	while read -r mod; do
		[ -n "$mod" ] || continue
		insmod "$dir/$mod.ko" || say "MSTAT-VM-WARN insmod $mod failed"
	done <"$dir/load.order"
}

# Mounts the virtio disk, formatted by the host, at /var/tmp, where the
# integration tests need a disk-backed file system. Falls back to a tmpfs.
mount_disk() {
	mkdir -p /var/tmp
	i=0
	while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if [ -b /dev/vda ] && mount -t ext4 /dev/vda /var/tmp; then
		chmod 1777 /var/tmp
		return 0
	fi
	say "MSTAT-VM-WARN /dev/vda could not be mounted; /var/tmp is a tmpfs"
	mount -t tmpfs -o mode=1777 tmpfs /var/tmp
}

enable_controllers() {
	cg=/sys/fs/cgroup
	for c in cpu memory io pids; do
		echo "+$c" >"$cg/cgroup.subtree_control" ||
			say "MSTAT-VM-WARN enabling the $c controller failed"
	done
	say "MSTAT-VM-INFO cgroup.controllers: $(cat $cg/cgroup.controllers)"
	say "MSTAT-VM-INFO cgroup.subtree_control: $(cat $cg/cgroup.subtree_control)"
}

# run_test NAME SCRIPT: runs one test with a hard time limit and prints its
# result line. Exit code 77 means skipped, as under CTest.
run_test() {
	name=$1
	script=$2
	say "MSTAT-VM-BEGIN $name"
	find /sys/fs/cgroup -mindepth 1 -type d | sort >/run/cgroups.before
	start=$(uptime_s)
	rc=0
	timeout -s TERM -k 10 "$TEST_TIMEOUT" bash "$script" </dev/null 2>&1 || rc=$?
	end=$(uptime_s)
	secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
	case $rc in
	0) status=pass ;;
	77) status=skip ;;
	*) status=fail ;;
	esac
	if [ "$status" = fail ]; then
		case $rc in
		124 | 137 | 143) say "MSTAT-VM-INFO $name exited $rc: timed out after $TEST_TIMEOUT s or was killed" ;;
		*) say "MSTAT-VM-INFO $name exited $rc" ;;
		esac
		say "MSTAT-VM-INFO last kernel messages:"
		dmesg | tail -n 40
	fi
	# Informational: the integration scripts look for leftover cgroups only
	# where v1 puts them.
	find /sys/fs/cgroup -mindepth 1 -type d | sort >/run/cgroups.after
	left=$(awk 'BEGIN { while ((getline line <"/run/cgroups.before") > 0) seen[line] = 1 }
		!seen[$0] { printf "%s ", $0 }' /run/cgroups.after)
	[ -z "$left" ] || say "MSTAT-VM-INFO cgroups left behind by $name: $left"
	say "MSTAT-VM-RESULT $name $status $secs"
}

run_tests() {
	# The environment the integration scripts expect (see tests/integration/lib.sh).
	. "$VM/env"
	while read -r name script; do
		case "$name" in
		'' | '#'*) continue ;;
		esac
		run_test "$name" "$script"
	done <"$VM/tests.list"
}

# Copies the files of a live container cgroup and of the root cgroup to the
# disk, where the host reads them back with debugfs.
dump_fixtures() {
	. "$VM/env"
	out=/var/tmp/mstat-vm-export
	rm -rf "$out"
	mkdir -p "$out"
	rc=0
	bash "$VM/guest/make_fixture.sh" "$out" 2>&1 || rc=$?
	say "MSTAT-VM-RESULT make_fixture $([ $rc = 0 ] && echo pass || echo fail) 0"
}

stage2() {
	mount_basics
	dmesg -n 3
	hostname mstat-vm
	ip link set lo up
	load_modules
	mount_disk
	enable_controllers
	# Under TCG the TSC often fails calibration; the clock source in use
	# explains odd CPU time figures.
	say "MSTAT-VM-INFO clocksource: $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
	TEST_TIMEOUT=${mstat_vm_test_timeout:-300}
	say "MSTAT-VM-READY uptime=$(uptime_s) kernel=$(uname -r) cpus=$(nproc) mem_kib=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)"

	case "${mstat_vm_mode:-tests}" in
	dump) dump_fixtures ;;
	*) run_tests ;;
	esac

	say "MSTAT-VM-DONE uptime=$(uptime_s)"
	sync
	umount /var/tmp 2>/dev/null
	poweroff -f
	# Reached only when poweroff failed. The sysrq request needs no tool.
	echo o >/proc/sysrq-trigger
}

case "${1:-stage1}" in
stage2) stage2 ;;
*) stage1 ;;
esac
