#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# OOM kills under memory.max, seen through memory.events. With --interval
# 0.5, a kill shows in inspect's Mstat.OOMKillCount and in
# container_oom_events_total within 1 s (times MSTAT_TEST_TIME_SCALE) of
# memory.events counting it. A kill
# in a cgroup nested inside the container's cgroup is counted once: the
# container's memory.events counts it hierarchically, the child's
# memory.events.local counts it too, and mstat must report 1, not 2.
if [ -z "${MSTATD:-}" ] || [ -z "${MSTAT:-}" ]; then
	echo "SKIP: mstatd and mstat were not built"
	exit 77
fi
. "$MSTAT_SOURCE/tests/integration/lib.sh"

cg_root=/sys/fs/cgroup
[ -f "$cg_root/cgroup.controllers" ] || skip "$cg_root is not a unified (cgroup v2) hierarchy"
INTERVAL=0.5 start_agent

# event_count FILE KEY: the value of KEY in a memory.events file.
event_count() {
	awk -v k="$2" '$1 == k { print $2 }' "$1"
}
has_oom_kill() {
	[ "$(event_count "$1/memory.events" oom_kill)" -ge 1 ]
}
now() {
	echo "$EPOCHREALTIME"
}
inspect_kills() {
	mstat inspect --format '{{.Mstat.OOMKillCount}}' "$1"
}
metric_kills() {
	local v
	v=$(metric_value container_oom_events_total "name=\"$1\"")
	echo "${v:-0}"
}

# 1. memhog is the largest process in the container, so the OOM killer picks
# it and the shell that started it lives on.
mstat run -d --name oom --memory 32m --memory-swap 32m \
	-- sh -c "$TOOLS/memhog 200; sleep 300" >/dev/null
cg="$cg_root$(mstat inspect --format '{{.Mstat.CgroupPath}}' oom)"
wait_for 20 has_oom_kill "$cg" ||
	fail "memory.events of $cg shows no oom_kill within 20 s: $(cat "$cg/memory.events")"
t0=$(now)
t_inspect='' t_metric=''
for _ in $(seq 1 100); do
	[ -n "$t_inspect" ] || { [ "$(inspect_kills oom)" -ge 1 ] && t_inspect=$(now); }
	[ -n "$t_metric" ] || { [ "$(metric_kills oom)" -ge 1 ] && t_metric=$(now); }
	[ -n "$t_inspect" ] && [ -n "$t_metric" ] && break
	sleep 0.05
done
[ -n "$t_inspect" ] || fail "inspect shows no OOM kill: Mstat.OOMKillCount is $(inspect_kills oom)"
[ -n "$t_metric" ] || fail "container_oom_events_total of oom stays $(metric_kills oom)"
d_inspect=$(awk -v a="$t0" -v b="$t_inspect" 'BEGIN { printf "%.2f", b - a }')
d_metric=$(awk -v a="$t0" -v b="$t_metric" 'BEGIN { printf "%.2f", b - a }')
echo "seen by inspect after $d_inspect s, by /metrics after $d_metric s"
# The bound is 1 s, stretched like every wait by MSTAT_TEST_TIME_SCALE,
# because a loaded host slows the emulated guest down.
bound=$((1 * ${MSTAT_TEST_TIME_SCALE:-1}))
awk -v d="$d_inspect" -v b="$bound" 'BEGIN { exit !(d <= b) }' ||
	fail "inspect showed the OOM kill $d_inspect s after memory.events, expected within $bound s"
awk -v d="$d_metric" -v b="$bound" 'BEGIN { exit !(d <= b) }' ||
	fail "/metrics showed the OOM kill $d_metric s after memory.events, expected within $bound s"
[ "$(state_of oom)" = running ] || fail "the container ended with memhog; the shell should live on"
pass "an OOM kill shows in inspect after $d_inspect s and in /metrics after $d_metric s"
mstat rm -f oom >/dev/null

# 2. A kill in a child cgroup. The container's processes move to the leaf
# "procs" first, because a cgroup that enables controllers for its children
# may hold no processes itself.
mstat run -d --name nest --memory 32m --memory-swap 32m -- sleep 300 >/dev/null
cg="$cg_root$(mstat inspect --format '{{.Mstat.CgroupPath}}' nest)"
mkdir "$cg/procs" "$cg/child"
for pid in $(cat "$cg/cgroup.procs"); do
	echo "$pid" >"$cg/procs/cgroup.procs"
done
echo +memory >"$cg/cgroup.subtree_control"
[ -f "$cg/child/memory.events.local" ] || fail "$cg/child has no memory.events.local"

rc=0
bash -c "echo \$\$ >'$cg/child/cgroup.procs' && exec '$TOOLS/memhog' 200" >/dev/null || rc=$?
[ "$rc" = 137 ] || fail "memhog in $cg/child exited $rc, expected 137 (SIGKILL by the OOM killer)"
local_kills=$(event_count "$cg/child/memory.events.local" oom_kill)
child_kills=$(event_count "$cg/child/memory.events" oom_kill)
total_kills=$(event_count "$cg/memory.events" oom_kill)
echo "oom_kill: child local $local_kills, child $child_kills, container $total_kills"
[ "$local_kills" = 1 ] || fail "memory.events.local of the child shows oom_kill $local_kills, expected 1"
[ "$total_kills" = 1 ] || fail "memory.events of the container shows oom_kill $total_kills, expected 1"

# Two intervals, so that a reader that also added the child's counter
# would have done so.
sleep 1.5
reported=$(inspect_kills nest)
metric=$(metric_kills nest)
[ "$reported" = 1 ] || fail "inspect reports $reported OOM kills for one kill in a nested cgroup"
[ "$metric" = 1 ] || fail "container_oom_events_total is $metric for one kill in a nested cgroup"
pass "one kill in a nested cgroup is reported once (inspect $reported, /metrics $metric)"

# Undo the nesting so that mstat can remove the container's cgroup.
echo -memory >"$cg/cgroup.subtree_control"
rmdir "$cg/child"
for pid in $(cat "$cg/procs/cgroup.procs"); do
	echo "$pid" >"$cg/cgroup.procs"
done
rmdir "$cg/procs"
mstat rm -f nest >/dev/null
[ ! -d "$cg" ] || fail "the cgroup $cg still exists after rm -f"
