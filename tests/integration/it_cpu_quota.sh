#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# --cpus 0.5 keeps a busy loop near 50 % in `mstat stats`, computed as docker
# does, and the throttled-periods counter grows.
. "$(dirname "$0")/lib.sh"
INTERVAL=1 start_agent

mstat run -d --name burn --cpus 0.5 -- "$TOOLS/cpuburn" 60 >/dev/null
sleep 3

throttled() {
	metric_value container_cpu_cfs_throttled_periods_total 'name="burn"'
}
t1=$(throttled)
[ -n "$t1" ] || fail "no container_cpu_cfs_throttled_periods_total series for burn"

# Three readings one interval apart; their median must be within 40-60 %.
# The median keeps one interval disturbed by a busy host (or a coarse clock
# under emulation) from deciding the result.
readings=()
for i in 1 2 3; do
	line=$(mstat stats --no-stream burn | tail -n 1)
	echo "$line"
	cpu=$(echo "$line" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /%$/) { sub(/%/, "", $i); print $i; exit } }')
	[ -n "$cpu" ] || fail "no CPU % in: $line"
	readings+=("$cpu")
done
median=$(printf '%s\n' "${readings[@]}" | sort -n | sed -n 2p)
awk -v c="$median" 'BEGIN { exit !(c >= 40 && c <= 60) }' ||
	fail "median CPU % is $median (${readings[*]}) with --cpus 0.5, expected 40-60"
pass "median CPU % $median (${readings[*]}) is within 40-60 with --cpus 0.5"

sleep 2
t2=$(throttled)
[ "$t2" -gt "$t1" ] || fail "throttled periods did not grow: $t1 then $t2"
pass "throttled periods grew from $t1 to $t2"

quota=$(metric_value container_spec_cpu_quota 'name="burn"')
period=$(metric_value container_spec_cpu_period 'name="burn"')
[ "$quota" = 50000 ] && [ "$period" = 100000 ] ||
	fail "spec quota/period are $quota/$period, expected 50000/100000"
pass "container_spec_cpu_quota 50000 of period 100000"
