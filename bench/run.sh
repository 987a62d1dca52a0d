#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs every mstat benchmark once, prints the figures with the machine they
# ran on, and rewrites bench/RESULTS.md. Needs root. About 10 minutes on two
# cores by default; every step is bounded in count and time and removes the
# cgroups, containers and processes it started.
# Usage: bench/run.sh [--churn N] [--quick]
#   --churn N  short containers started and removed in the churn step
#              (default 1000, at most 10000; 10000 takes about 15 minutes)
#   --quick    10 and 100 containers only, fewer runs (a smoke test)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
CHURN=1000
COUNTS=10,100,1000
RUNS=50
TOP_N=200
while [ $# -gt 0 ]; do
	case $1 in
	--churn)
		CHURN=${2:?--churn needs a count}
		shift 2
		;;
	--quick)
		COUNTS=10,100
		RUNS=10
		TOP_N=50
		CHURN=50
		shift
		;;
	*)
		echo "usage: bench/run.sh [--churn N] [--quick]" >&2
		exit 2
		;;
	esac
done
[ "$(id -u)" -eq 0 ] || {
	echo "bench/run.sh needs root (containers and cgroups)" >&2
	exit 1
}

"$top/scripts/deps.sh"
"$top/scripts/bench-deps.sh"
build=${MSTAT_BUILD_DIR:-$top/build-bench}
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "$(nproc)" >/dev/null
export MSTATD=$build/agent/mstatd MSTAT=$build/cli/mstat MSTAT_TOOLS=$build/tests/tools

out=$(mktemp -d /var/tmp/mstat-bench.XXXXXX)
trap 'rm -rf "$out"' EXIT

cgroup_layout() {
	if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		echo "cgroup v2 (unified)"
	elif [ -d /sys/fs/cgroup/unified ]; then
		echo "hybrid: v1 $(cd /sys/fs/cgroup && ls -d -- */ | tr -d / | grep -v unified | tr '\n' ' ')+ cgroup2 at /sys/fs/cgroup/unified"
	else
		echo "v1 (legacy)"
	fi
}
machine="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(nproc) CPUs, \
$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo), \
$(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r), $(cgroup_layout)"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u '+%Y-%m-%d %H:%M UTC')
echo "machine: $machine"
echo "load average before: $load_before"

echo "== 1. collection pass cost"
for n in ${COUNTS//,/ }; do
	"$build/bench/mstat-bench-collect" --targets "$n" | tee -a "$out/collect"
done
# 500 targets: about the most whose files all stay open under a hard
# descriptor limit of 20000, for the per-target cost at scale without
# directory mode.
case ",$COUNTS," in
*,1000,*) "$build/bench/mstat-bench-collect" --targets 500 | tee -a "$out/collect" ;;
esac
# Namespaces with a veth pair, as containers with a network have links
# beside loopback, whose counters take an rtnetlink dump each pass.
for n in ${COUNTS//,/ }; do
	[ "$n" -le 100 ] || continue
	"$build/bench/mstat-bench-collect" --targets "$n" --veth | tee -a "$out/collect"
done
echo "== 1b. collection pass cost on cgroup v2, in the qemu VM of tests/vm"
"$top/bench/vm.sh" "$build" | tee "$out/vm" || echo "the VM run failed or was skipped" | tee "$out/vm"
# The churn step stops after this many seconds whatever the count: 0.2 s
# per container, at least 300 s.
export CHURN_MAX_S=${CHURN_MAX_S:-$((CHURN / 5 > 300 ? CHURN / 5 : 300))}
echo "== 2. scrapes, 4. agent memory and CPU, 6. churn"
"$top/bench/agent.sh" "$COUNTS" "$CHURN" | tee "$out/agent"
echo "== 3. start latency"
OUT="$out/start.json" "$top/bench/start.sh" "$RUNS" | tee "$out/start"
echo "== 5. live view"
"$top/bench/top_cpu.sh" "$TOP_N" 20 | tee "$out/top"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

OUT_DIR=$out MACHINE=$machine STARTED=$started LOAD="$load_before / $load_after" \
	CHURN=$CHURN "$top/bench/report.sh" >"$out/RESULTS.md"
cp "$out/RESULTS.md" "$top/bench/RESULTS.md"
echo "wrote bench/RESULTS.md"
