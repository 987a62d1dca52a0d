#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs in the VM (mstat_vm_mode=dump). It creates the cgroup /mstat-fixture
# with the limits mstat writes for `--memory 64m --cpus 0.5 --pids-limit 50`.
# The cgroup gets one OOM kill, 8 MiB of O_DIRECT writes and forks beyond
# its pids limit. While a memory holder and a CPU burner still run in it,
# dump-cgroup.sh copies its files and the root cgroup's files into OUT_DIR.
# Usage: make_fixture.sh OUT_DIR
set -euo pipefail

out=${1:?usage: make_fixture.sh OUT_DIR}
: "${MSTAT_TOOLS:?MSTAT_TOOLS must point at the test tools directory}"
here=$(cd "$(dirname "$0")/.." && pwd)
root=/sys/fs/cgroup
cg=$root/mstat-fixture

cleanup() {
	local rc=$?
	if [ -d "$cg" ]; then
		echo 1 >"$cg/cgroup.kill" 2>/dev/null || true
		for _ in $(seq 1 50); do
			rmdir "$cg" 2>/dev/null && break
			sleep 0.1
		done
	fi
	exit $rc
}
trap cleanup EXIT

# in_cgroup CMD...: runs CMD as a member of the fixture cgroup.
in_cgroup() {
	bash -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' _ "$cg" "$@"
}

mkdir "$cg"
echo $((64 * 1024 * 1024)) >"$cg/memory.max"
echo 0 >"$cg/memory.swap.max"
echo "50000 100000" >"$cg/cpu.max"
echo 50 >"$cg/pids.max"

in_cgroup "$MSTAT_TOOLS/memhog" 100 >/dev/null 2>&1 || echo "memhog 100 under 64 MiB exited $? (an OOM kill is expected)"
in_cgroup "$MSTAT_TOOLS/directwrite" /var/tmp/fixture.bin 8
rm -f /var/tmp/fixture.bin
in_cgroup "$MSTAT_TOOLS/forkloop" 60 200 || true

in_cgroup "$MSTAT_TOOLS/memhog" 24 20000 >/dev/null &
in_cgroup "$MSTAT_TOOLS/cpuburn" 20 &
sleep 5

"$here/dump-cgroup.sh" "$cg" "$out/mstat-fixture"
# The root cgroup's own files, without its children.
"$here/dump-cgroup.sh" "$root" "$out"
{
	echo "kernel: $(uname -r) ($(uname -v))"
	echo "captured: $(date -u +%Y-%m-%dT%H:%M:%SZ) by tests/vm/guest/make_fixture.sh"
	echo "cgroup: /mstat-fixture, pids: $(tr '\n' ' ' <"$cg/cgroup.procs")"
} >"$out/CAPTURED.txt"
ls -l "$out" "$out/mstat-fixture"
