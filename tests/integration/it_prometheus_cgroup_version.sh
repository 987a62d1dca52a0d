#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Series that exist on one cgroup version only. On cgroup v2 a container has
# the pressure (PSI) and memory.events series, read from its own files. On
# v1 those series are absent, never a fake 0, and container_memory_failcnt
# (v1 only) is there instead. container_memory_events_oom_kill_total exists on
# both: v1 has the count in memory.oom_control.
. "$(dirname "$0")/lib.sh"
start_agent

mstat run -d --name busy --memory 64m -- "$TOOLS/cpuburn" 30 >/dev/null
listed() {
	has_series '^container_cpu_usage_seconds_total\{.*name="busy"'
}
wait_for 10 listed || fail "busy is not on /metrics"
metrics >"$T/page.txt"

# series NAME: true when /metrics has NAME for busy.
series() {
	grep -Eq "^$1\{[^}]*name=\"busy\"" "$T/page.txt"
}

v2_only=(container_pressure_cpu_waiting_seconds_total container_pressure_memory_waiting_seconds_total
	container_pressure_memory_stalled_seconds_total container_pressure_io_waiting_seconds_total
	container_pressure_io_stalled_seconds_total container_memory_events_high_total
	container_memory_events_max_total container_memory_events_oom_total
	container_memory_pgscan_total)

cgroup=$(mstat inspect --format '{{.Mstat.CgroupPath}}' busy)
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
	for name in "${v2_only[@]}"; do
		series "$name" || fail "cgroup v2: no $name for busy"
	done
	series container_memory_failcnt && fail "cgroup v2: container_memory_failcnt (v1 only) is on /metrics"
	# Older kernels write no "full" line in cpu.pressure and no
	# oom_group_kill in memory.events, so a series must exist exactly
	# when the file has the line.
	full=$(grep -c '^full ' "/sys/fs/cgroup$cgroup/cpu.pressure" || true)
	if [ "$full" = 1 ]; then
		series container_pressure_cpu_stalled_seconds_total || fail "cpu.pressure has a full line but there is no stalled series"
	else
		series container_pressure_cpu_stalled_seconds_total && fail "cpu.pressure has no full line but a stalled series exists"
	fi
	if grep -q '^oom_group_kill ' "/sys/fs/cgroup$cgroup/memory.events"; then
		series container_memory_events_oom_group_kill_total || fail "no oom_group_kill series"
	fi
	series container_memory_events_oom_kill_total || fail "cgroup v2: no oom_kill series"
	pass "cgroup v2: pressure and memory.events series are present"
else
	for name in "${v2_only[@]}" container_pressure_cpu_stalled_seconds_total \
		container_memory_events_oom_group_kill_total; do
		series "$name" && fail "cgroup v1: $name is on /metrics although v1 has no such file"
	done
	series container_memory_failcnt || fail "cgroup v1: no container_memory_failcnt for busy"
	series container_memory_events_oom_kill_total || fail "cgroup v1: no oom_kill series from memory.oom_control"
	pass "cgroup v1: no pressure or memory.events series, and failcnt is present"
fi
