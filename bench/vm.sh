#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs mstat-bench-collect inside the qemu VM of tests/vm (pure cgroup v2,
# software emulation) and prints its "collect" and "render" records. Needs
# root and what tests/vm needs; exits 77 when the VM cannot run here.
# Usage: bench/vm.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: bench/vm.sh BUILD_DIR}
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /var/tmp/mstat-bench-vm.XXXXXX)
trap 'rm -rf "$work"' EXIT

# The initramfs takes tools from one folder: the load generators and the
# benchmark.
mkdir "$work/tools"
cp "$build"/tests/tools/memhog "$build"/tests/tools/cpuburn "$build"/tests/tools/forkloop \
	"$build"/tests/tools/directwrite "$build/bench/mstat-bench-collect" "$work/tools/"
rc=0
MSTAT_VM_FILTER='^bench_collect_v2$' MSTAT_VM_TIMEOUT=900 MSTAT_VM_TEST_TIMEOUT=600 \
	"$top/tests/vm/vm-run.sh" --work "$work/vm" --cache "$build/vm-cache" \
	--tools "$work/tools" --extra-test "$top/bench/vm/bench_collect_v2.sh" >"$work/run.log" 2>&1 || rc=$?
if [ $rc -eq 77 ]; then
	echo "SKIP: $(grep -m1 SKIP "$work/run.log" || echo "the VM cannot run here")"
	exit 77
fi
sed -n 's/^.*BENCH-VM //p' "$work/vm/console.log" | tr -d '\r'
grep -q 'MSTAT-VM-RESULT bench_collect_v2 pass' "$work/vm/console.log" || {
	echo "the benchmark failed in the VM; console:" >&2
	tail -n 30 "$work/vm/console.log" >&2
	exit 1
}
