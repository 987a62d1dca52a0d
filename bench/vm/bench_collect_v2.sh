#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Guest script of bench/vm.sh: runs the collection benchmark on the VM's pure
# cgroup v2 hierarchy and prints its records on the console. Software
# emulation makes every figure slower than on the host; only the ratio to
# the pread floor compares.
set -euo pipefail
bin=${MSTAT_TOOLS:-/opt/mstat/tools}/mstat-bench-collect
[ -x "$bin" ] || {
	echo "SKIP: $bin is not in the initramfs"
	exit 77
}
for n in ${BENCH_VM_COUNTS:-10 100}; do
	"$bin" --targets "$n" --passes 20 --render-reps 2 | sed 's/^/BENCH-VM /'
done
