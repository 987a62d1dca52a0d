#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The v2 files behind pids and memory figures: --pids-limit in pids.max
# (it_pids_limit checks that the limit holds), --memory-swap as the swap-only memory.swap.max and in
# container_spec_memory_swap_limit_bytes, and memory.peak (Linux 5.19 and
# later) as container_memory_max_usage_bytes.
if [ -z "${MSTATD:-}" ] || [ -z "${MSTAT:-}" ]; then
	echo "SKIP: mstatd and mstat were not built"
	exit 77
fi
. "$MSTAT_SOURCE/tests/integration/lib.sh"

cg_root=/sys/fs/cgroup
[ -f "$cg_root/cgroup.controllers" ] || skip "$cg_root is not a unified (cgroup v2) hierarchy"
start_agent

MIB=1048576
# memhog touches 24 MiB and keeps it for 60 s, so memory.peak reaches 24 MiB.
mstat run -d --name files --memory 64m --memory-swap 96m --pids-limit 8 \
	-- "$TOOLS/memhog" 24 60000 >/dev/null
cg="$cg_root$(mstat inspect --format '{{.Mstat.CgroupPath}}' files)"

[ "$(cat "$cg/pids.max")" = 8 ] || fail "pids.max is $(cat "$cg/pids.max"), expected 8"
pass "--pids-limit 8 is in pids.max"

[ -f "$cg/memory.swap.max" ] || skip "the kernel has no swap accounting (no memory.swap.max)"
swap_file=$(cat "$cg/memory.swap.max")
[ "$swap_file" = $((32 * MIB)) ] ||
	fail "memory.swap.max is $swap_file for --memory 64m --memory-swap 96m, expected $((32 * MIB))"
wait_for 5 test -n "$(metric_value container_spec_memory_swap_limit_bytes 'name="files"')" ||
	fail "/metrics has no container_spec_memory_swap_limit_bytes for files"
swap_metric=$(metric_value container_spec_memory_swap_limit_bytes 'name="files"')
awk -v m="$swap_metric" -v f="$swap_file" 'BEGIN { exit !(m + 0 == f + 0) }' ||
	fail "container_spec_memory_swap_limit_bytes is $swap_metric, memory.swap.max is $swap_file"
pass "memory.swap.max and container_spec_memory_swap_limit_bytes are $swap_file"

if [ ! -f "$cg/memory.peak" ]; then
	echo "memory.peak is missing on $(uname -r); container_memory_max_usage_bytes not checked"
	mstat rm -f files >/dev/null
	exit 0
fi
peak_metric=0
for _ in $(seq 1 50); do
	peak_metric=$(metric_value container_memory_max_usage_bytes 'name="files"')
	awk -v m="${peak_metric:-0}" -v w=$((24 * MIB)) 'BEGIN { exit !(m + 0 >= w) }' && break
	sleep 0.2
done
peak_file=$(cat "$cg/memory.peak")
echo "memory.peak $peak_file, container_memory_max_usage_bytes $peak_metric"
awk -v m="${peak_metric:-0}" -v w=$((24 * MIB)) 'BEGIN { exit !(m + 0 >= w) }' ||
	fail "container_memory_max_usage_bytes is ${peak_metric:-absent}, expected at least 24 MiB"
# memory.peak only grows, so the file read last is at least the sample.
awk -v m="$peak_metric" -v f="$peak_file" 'BEGIN { exit !(m + 0 <= f + 0 && f + 0 <= 64 * 1048576) }' ||
	fail "container_memory_max_usage_bytes $peak_metric is above memory.peak $peak_file, or memory.peak is above the 64 MiB limit"
pass "container_memory_max_usage_bytes $peak_metric follows memory.peak $peak_file"
mstat rm -f files >/dev/null
