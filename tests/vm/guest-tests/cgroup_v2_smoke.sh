#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Checks, without mstat, that the VM provides what the v2 backend needs.
# cgroup2 is mounted at /sys/fs/cgroup with the cpu, memory, io and pids
# controllers. A child cgroup enforces memory.max and pids.max, and its
# io.stat counts the bytes a member wrote with O_DIRECT to /var/tmp's disk.
set -euo pipefail

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

cg_root=/sys/fs/cgroup
fstype=$(awk -v d="$cg_root" '$2 == d { t = $3 } END { print t }' /proc/mounts)
[ "$fstype" = cgroup2 ] || fail "$cg_root is mounted as '$fstype', expected cgroup2"
own=$(sed -n 's/^0:://p' /proc/self/cgroup)
parent="$cg_root${own%/}"
for c in cpu memory io pids; do
	grep -qw "$c" "$parent/cgroup.controllers" ||
		fail "controller $c is missing from $parent/cgroup.controllers: $(cat "$parent/cgroup.controllers")"
	grep -qw "$c" "$parent/cgroup.subtree_control" ||
		fail "controller $c is not enabled in $parent/cgroup.subtree_control"
done
echo "ok: cpu memory io pids are available and enabled beneath $parent"

cg="$parent/vm-smoke.$$"
cleanup() {
	local rc=$?
	if [ -d "$cg" ]; then
		echo 1 >"$cg/cgroup.kill" 2>/dev/null || true
		for _ in $(seq 1 50); do
			rmdir "$cg" 2>/dev/null && break
			sleep 0.1
		done
	fi
	rm -f /var/tmp/vm-smoke.$$.bin
	exit $rc
}
trap cleanup EXIT
mkdir "$cg"
for f in cpu.max memory.max memory.swap.max memory.events io.stat pids.max cgroup.kill; do
	[ -e "$cg/$f" ] || fail "$cg has no $f"
done
echo "50000 100000" >"$cg/cpu.max"
[ "$(cat "$cg/cpu.max")" = "50000 100000" ] || fail "cpu.max reads '$(cat "$cg/cpu.max")'"
echo ok: child cgroup has the v2 interface files and takes cpu.max

# runs_in CMD...: runs CMD as a member of the child cgroup and returns its
# exit code.
runs_in() {
	local rc=0
	bash -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' _ "$cg" "$@" || rc=$?
	return $rc
}

: "${MSTAT_TOOLS:?MSTAT_TOOLS must point at the test tools directory}"
echo $((64 * 1024 * 1024)) >"$cg/memory.max"
echo 0 >"$cg/memory.swap.max"
rc=0
runs_in "$MSTAT_TOOLS/memhog" 128 >/dev/null || rc=$?
[ "$rc" = 137 ] || fail "memhog 128 under memory.max 64 MiB exited $rc, expected 137 (SIGKILL)"
oom_kill=$(awk '$1 == "oom_kill" { print $2 }' "$cg/memory.events")
[ "$oom_kill" = 1 ] || fail "memory.events oom_kill is '$oom_kill', expected 1"
echo "ok: memory.max 64 MiB OOM-kills a 128 MiB allocation and counts it"

echo 5 >"$cg/pids.max"
rc=0
out=$(runs_in "$MSTAT_TOOLS/forkloop" 10 500 2>&1) || rc=$?
echo "$out"
forked=$(echo "$out" | sed -n 's/.*forked \([0-9]*\) failed.*/\1/p')
# forkloop itself is one of the 5 processes.
[ -n "$forked" ] && [ "$forked" -le 4 ] || fail "forkloop forked '$forked' children under pids.max 5"
max_events=$(awk '$1 == "max" { print $2 }' "$cg/pids.events")
[ "${max_events:-0}" -ge 1 ] || fail "pids.events max is '$max_events' after forking under pids.max 5"
echo "ok: pids.max 5 allowed $forked children and rejected $max_events forks"
echo max >"$cg/pids.max"

runs_in "$MSTAT_TOOLS/directwrite" /var/tmp/vm-smoke.$$.bin 8 ||
	fail "directwrite of 8 MiB to /var/tmp exited $?"
written=$(awk '{ for (i = 2; i <= NF; i++) if ($i ~ /^wbytes=/) { sub(/wbytes=/, "", $i); s += $i } } END { print s + 0 }' "$cg/io.stat")
echo "io.stat: $(cat "$cg/io.stat")"
want=$((8 * 1024 * 1024))
[ "$written" -ge "$want" ] && [ "$written" -le $((want + want / 20)) ] ||
	fail "io.stat counts $written bytes written, expected $want within 5 %"
echo "ok: io.stat counts $written of $want bytes written with O_DIRECT"
