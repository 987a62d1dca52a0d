#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# --cpu-shares becomes cpu.weight with the formula of runc and crun (1024
# shares give weight 100, 4050 give 300). Two busy loops pinned to CPU 0 in
# containers of weights 100 and 300 then get CPU time in a 1:3 ratio, accepted
# from 2.2 to 3.8, both in mstat's stats and in the kernel's cpu.stat.
if [ -z "${MSTATD:-}" ] || [ -z "${MSTAT:-}" ]; then
	echo "SKIP: mstatd and mstat were not built"
	exit 77
fi
. "$MSTAT_SOURCE/tests/integration/lib.sh"

cg_root=/sys/fs/cgroup
[ -f "$cg_root/cgroup.controllers" ] || skip "$cg_root is not a unified (cgroup v2) hierarchy"
command -v taskset >/dev/null || fail "taskset is missing from the VM"
start_agent

mstat run -d --name light --cpu-shares 1024 -- taskset -c 0 "$TOOLS/cpuburn" 20 >/dev/null
mstat run -d --name heavy --cpu-shares 4050 -- taskset -c 0 "$TOOLS/cpuburn" 20 >/dev/null
cg_light="$cg_root$(mstat inspect --format '{{.Mstat.CgroupPath}}' light)"
cg_heavy="$cg_root$(mstat inspect --format '{{.Mstat.CgroupPath}}' heavy)"
[ "$(cat "$cg_light/cpu.weight")" = 100 ] ||
	fail "cpu.weight is $(cat "$cg_light/cpu.weight") for --cpu-shares 1024, expected 100"
[ "$(cat "$cg_heavy/cpu.weight")" = 300 ] ||
	fail "cpu.weight is $(cat "$cg_heavy/cpu.weight") for --cpu-shares 4050, expected 300"
pass "cpu.weight is 100 for 1024 shares and 300 for 4050"

# usage_ns NAME: the container's CPU time in one stats object of /v1/stats.
usage_ns() {
	jq -r --arg n "/$1" 'select(.name == $n) | .cpu_stats.cpu_usage.total_usage' "$T/stats"
}
usage_usec() {
	awk '$1 == "usage_usec" { print $2 }' "$1/cpu.stat"
}

# Both loops must have started (taskset runs before cpuburn) before the
# first sample.
sleep 2
api GET "/v1/stats?stream=false" >"$T/stats"
light0=$(usage_ns light) heavy0=$(usage_ns heavy)
klight0=$(usage_usec "$cg_light") kheavy0=$(usage_usec "$cg_heavy")
sleep 6
api GET "/v1/stats?stream=false" >"$T/stats"
light1=$(usage_ns light) heavy1=$(usage_ns heavy)
klight1=$(usage_usec "$cg_light") kheavy1=$(usage_usec "$cg_heavy")
[ "$(state_of light)" = running ] && [ "$(state_of heavy)" = running ] ||
	fail "a busy loop ended before the second sample: light $(state_of light), heavy $(state_of heavy)"

ratio=$(awk -v a0="$light0" -v a1="$light1" -v b0="$heavy0" -v b1="$heavy1" \
	'BEGIN { if (a1 - a0 <= 0) print "inf"; else printf "%.2f", (b1 - b0) / (a1 - a0) }')
kratio=$(awk -v a0="$klight0" -v a1="$klight1" -v b0="$kheavy0" -v b1="$kheavy1" \
	'BEGIN { if (a1 - a0 <= 0) print "inf"; else printf "%.2f", (b1 - b0) / (a1 - a0) }')
echo "CPU time over 6 s: light $((light1 - light0)) ns, heavy $((heavy1 - heavy0)) ns (stats); cpu.stat ratio $kratio"
awk -v r="$kratio" 'BEGIN { exit !(r != "inf" && r >= 2.2 && r <= 3.8) }' ||
	fail "cpu.stat shows a heavy:light ratio of $kratio, expected 2.2 to 3.8"
awk -v r="$ratio" 'BEGIN { exit !(r != "inf" && r >= 2.2 && r <= 3.8) }' ||
	fail "mstat's stats show a heavy:light ratio of $ratio, expected 2.2 to 3.8"
pass "weights 300:100 on one CPU give a CPU time ratio of $ratio (cpu.stat $kratio)"

mstat rm -f light heavy >/dev/null
