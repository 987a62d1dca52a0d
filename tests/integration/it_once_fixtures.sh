#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `mstatd --once` against directories of cgroup files (v2 and v1 layouts)
# given with --cgroup-root and --watch prints the values of those files as
# Prometheus text with cAdvisor's names, and unlimited values as cAdvisor does.
set -euo pipefail
: "${MSTATD:?}"
T=$(mktemp -d /tmp/mstat-once.XXXXXX)
trap 'rm -rf "$T"' EXIT

fail() {
	echo "FAIL: $*" >&2
	echo "--- output" >&2
	cat "$T/out" >&2 || true
	exit 1
}

# expect SERIES_PREFIX VALUE: a line starting with the prefix has that value.
expect() {
	local got
	got=$(grep -F -- "$1" "$T/out" | head -n 1 | awk '{ print $NF }' || true)
	[ "$got" = "$2" ] || fail "$1 is '$got', expected $2"
}

absent() {
	! grep -q -F -- "$1" "$T/out" || fail "$1 is present but its file is missing"
}

put() {
	mkdir -p "$(dirname "$1")"
	printf '%b' "$2" >"$1"
}

# cgroup v2
v2="$T/v2"
put "$v2/cgroup.controllers" 'cpu io memory pids\n'
put "$v2/app/cpu.stat" 'usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\nnr_periods 40\nnr_throttled 7\nthrottled_usec 350000\nnr_bursts 0\nburst_usec 0\n'
put "$v2/app/cpu.max" '50000 100000\n'
put "$v2/app/cpu.weight" '100\n'
put "$v2/app/memory.current" '104857600\n'
put "$v2/app/memory.max" 'max\n'
put "$v2/app/memory.stat" 'anon 52428800\nfile 41943040\nshmem 0\nfile_mapped 4096\nactive_file 20971520\ninactive_file 20971520\npgfault 1000\npgmajfault 3\nsome_future_key 5\n'
put "$v2/app/memory.events" 'low 0\nhigh 0\nmax 12\noom 2\noom_kill 2\n'
put "$v2/app/memory.swap.current" '0\n'
put "$v2/app/memory.swap.max" 'max\n'
put "$v2/app/io.stat" '8:0 rbytes=1048576 wbytes=33554432 rios=16 wios=32 dbytes=0 dios=0\n253:1 rbytes=0 wbytes=0 rios=0 wios=0 dbytes=0 dios=0\n'
put "$v2/app/pids.current" '7\n'
put "$v2/app/pids.max" '100\n'

"$MSTATD" --once --cgroup-root "$v2" --proc-root /proc --watch /app >"$T/out" 2>"$T/err" ||
	{ cat "$T/err" >&2; fail "mstatd --once on the v2 tree exited $?"; }
expect 'container_cpu_usage_seconds_total{' 2.5
expect 'container_cpu_user_seconds_total{' 2
expect 'container_cpu_system_seconds_total{' 0.5
expect 'container_cpu_cfs_periods_total{' 40
expect 'container_cpu_cfs_throttled_periods_total{' 7
expect 'container_cpu_cfs_throttled_seconds_total{' 0.35
expect 'container_spec_cpu_quota{' 50000
expect 'container_spec_cpu_period{' 100000
expect 'container_memory_usage_bytes{' 104857600
expect 'container_memory_working_set_bytes{' 83886080
expect 'container_memory_rss{' 52428800
expect 'container_memory_cache{' 41943040
expect 'container_spec_memory_limit_bytes{' 0
expect 'container_oom_events_total{' 2
expect 'container_threads{' 7
expect 'container_threads_max{' 100
expect 'container_fs_writes_bytes_total{device="8:0"' 33554432
expect 'container_fs_reads_bytes_total{device="8:0"' 1048576
expect 'container_fs_writes_total{device="8:0"' 32
grep -q 'id="/app"' "$T/out" || fail "no id=\"/app\" label"
echo "ok: v2 fixture tree"

# cgroup v1 (cpu and cpuacct mounted apart, as on some hybrid hosts)
v1="$T/v1"
put "$v1/unified/cgroup.controllers" ''
put "$v1/cpuacct/app/cpuacct.usage" '3000000000\n'
put "$v1/cpuacct/app/cpuacct.stat" 'user 200\nsystem 100\n'
put "$v1/cpu/app/cpu.stat" 'nr_periods 10\nnr_throttled 4\nthrottled_time 200000000\n'
put "$v1/cpu/app/cpu.cfs_quota_us" '-1\n'
put "$v1/cpu/app/cpu.cfs_period_us" '100000\n'
put "$v1/cpu/app/cpu.shares" '1024\n'
put "$v1/memory/app/memory.usage_in_bytes" '209715200\n'
put "$v1/memory/app/memory.max_usage_in_bytes" '314572800\n'
put "$v1/memory/app/memory.limit_in_bytes" '9223372036854771712\n'
put "$v1/memory/app/memory.stat" 'cache 1\nrss 2\ntotal_cache 104857600\ntotal_rss 94371840\ntotal_mapped_file 8192\ntotal_inactive_file 52428800\ntotal_active_file 52428800\ntotal_pgfault 10\ntotal_pgmajfault 1\n'
put "$v1/memory/app/memory.failcnt" '5\n'
put "$v1/memory/app/memory.oom_control" 'oom_kill_disable 0\nunder_oom 0\noom_kill 1\n'
put "$v1/blkio/app/blkio.throttle.io_service_bytes_recursive" '254:0 Read 4096\n254:0 Write 8192\n254:0 Sync 0\n254:0 Async 12288\n254:0 Discard 0\n254:0 Total 12288\nTotal 12288\n'
put "$v1/blkio/app/blkio.throttle.io_serviced_recursive" '254:0 Read 1\n254:0 Write 2\n254:0 Sync 0\n254:0 Async 3\n254:0 Discard 0\n254:0 Total 3\nTotal 3\n'
put "$v1/pids/app/pids.current" '3\n'
put "$v1/pids/app/pids.max" 'max\n'

"$MSTATD" --once --cgroup-root "$v1" --proc-root /proc --watch /app >"$T/out" 2>"$T/err" ||
	{ cat "$T/err" >&2; fail "mstatd --once on the v1 tree exited $?"; }
expect 'container_cpu_usage_seconds_total{' 3
# cAdvisor exports the CFS series only for a container with a quota.
absent 'container_cpu_cfs_throttled_seconds_total{'
expect 'container_memory_usage_bytes{' 209715200
expect 'container_memory_max_usage_bytes{' 314572800
expect 'container_memory_working_set_bytes{' 157286400
expect 'container_memory_cache{' 104857600
expect 'container_memory_rss{' 94371840
expect 'container_memory_failcnt{' 5
expect 'container_spec_memory_limit_bytes{' 0
expect 'container_oom_events_total{' 1
expect 'container_threads{' 3
expect 'container_fs_reads_bytes_total{device="254:0"' 4096
expect 'container_fs_writes_bytes_total{device="254:0"' 8192
expect 'container_fs_writes_total{device="254:0"' 2
absent 'container_spec_cpu_quota{'
expect 'container_spec_cpu_shares{' 1024
echo "ok: v1 fixture tree"

rc=0
"$MSTATD" --once --cgroup-root "$T/nothing-here" --watch /app >/dev/null 2>"$T/err" || rc=$?
[ "$rc" != 0 ] || fail "a missing cgroup root was accepted"
grep -q nothing-here "$T/err" || fail "the error does not name the directory: $(cat "$T/err")"
echo "ok: a missing cgroup root is reported"
