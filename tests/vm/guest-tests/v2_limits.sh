#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# On a unified hierarchy, mstat's v2 backend writes docker's limits into the
# container's cgroup files, puts the container's init in that cgroup, and
# removes the cgroup on `rm -f` and when the agent stops. The integration
# scripts check cgroup removal under /sys/fs/cgroup/<controller>/ only, which
# is the v1 layout.
if [ -z "${MSTATD:-}" ] || [ -z "${MSTAT:-}" ]; then
	echo "SKIP: mstatd and mstat were not built"
	exit 77
fi
. "$MSTAT_SOURCE/tests/integration/lib.sh"

cg_root=/sys/fs/cgroup
[ -f "$cg_root/cgroup.controllers" ] || skip "$cg_root is not a unified (cgroup v2) hierarchy"
start_agent

# expect_file CGROUP_DIR FILE VALUE
expect_file() {
	local got
	got=$(cat "$1/$2")
	[ "$got" = "$3" ] || fail "$2 of $1 is '$got', expected '$3'"
}

mstat run -d --name lim --memory 100m --memory-swap 150m --cpus 0.5 --cpu-shares 512 \
	--pids-limit 20 -- sleep 300 >/dev/null
cg="$cg_root$(mstat inspect --format '{{.Mstat.CgroupPath}}' lim)"
[ -d "$cg" ] || fail "the cgroup $cg of lim does not exist"
expect_file "$cg" memory.max 104857600
expect_file "$cg" memory.swap.max 52428800
expect_file "$cg" cpu.max "50000 100000"
expect_file "$cg" pids.max 20
# Half the default shares (1024) must give less than the default weight (100).
weight=$(cat "$cg/cpu.weight")
[ "$weight" -ge 1 ] && [ "$weight" -lt 100 ] ||
	fail "cpu.weight is $weight for --cpu-shares 512, expected 1 to 99"
pass "memory.max, memory.swap.max, cpu.max, pids.max and cpu.weight ($weight) are written"

pid=$(mstat inspect --format '{{.State.Pid}}' lim)
grep -qx "$pid" "$cg/cgroup.procs" || fail "the init (pid $pid) is not in $cg/cgroup.procs: $(cat "$cg/cgroup.procs")"
parent=$(dirname "$cg")
for c in cpu memory io pids; do
	grep -qw "$c" "$parent/cgroup.subtree_control" ||
		fail "$c is not enabled in $parent/cgroup.subtree_control: $(cat "$parent/cgroup.subtree_control")"
done
pass "the init is in $cg, and $parent delegates cpu memory io pids"

mstat rm -f lim >/dev/null
[ ! -d "$cg" ] || fail "the cgroup $cg still exists after rm -f"
pass "rm -f removes the cgroup"

mstat run -d --name last -- sleep 300 >/dev/null
cg="$cg_root$(mstat inspect --format '{{.Mstat.CgroupPath}}' last)"
[ -d "$cg" ] || fail "the cgroup $cg of last does not exist"
kill -TERM "$AGENT_PID"
timeout 20 tail --pid="$AGENT_PID" -f /dev/null || fail "mstatd did not exit within 20 s of SIGTERM"
rc=0
wait "$AGENT_PID" || rc=$?
AGENT_PID=
[ "$rc" = 0 ] || fail "mstatd exited $rc after SIGTERM"
[ ! -d "$cg" ] || fail "the cgroup $cg survived the agent"
pass "SIGTERM to mstatd removes the cgroup of a running container"
