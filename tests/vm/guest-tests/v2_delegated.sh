#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs mstatd alone in a non-root cgroup, as systemd runs a service with
# Delegate=yes. The v2 backend must move the agent into a leaf child before it
# can enable controllers for its containers ("no internal processes" rule),
# and a memory limit must then hold. Only a VM gives this layout here.
if [ -z "${MSTATD:-}" ] || [ -z "${MSTAT:-}" ]; then
	echo "SKIP: mstatd and mstat were not built"
	exit 77
fi
. "$MSTAT_SOURCE/tests/integration/lib.sh"

cg_root=/sys/fs/cgroup
[ -f "$cg_root/cgroup.controllers" ] || skip "$cg_root is not a unified (cgroup v2) hierarchy"

service="$cg_root/vm-delegated.$$"
mkdir "$service"
# The agent enters the service cgroup on its own before it execs mstatd, so
# that no other process shares that cgroup.
cat >"$T/mstatd-in-service" <<EOF
#!/bin/sh
echo \$\$ >"$service/cgroup.procs" && exec "$MSTATD" "\$@"
EOF
chmod 755 "$T/mstatd-in-service"
real_mstatd=$MSTATD
MSTATD="$T/mstatd-in-service"

# lib.sh's cleanup stops the agent and then exits, so it runs in a subshell
# that starts with the test's exit status in $?. The service cgroup can be
# removed only after that. set -e would end the handler at "(exit $rc)".
remove_service() {
	local rc=$?
	set +e
	(exit $rc)
	(cleanup)
	rc=$?
	if [ -d "$service" ]; then
		find "$service" -depth -type d -exec rmdir {} \; 2>/dev/null || true
	fi
	[ ! -d "$service" ] || echo "removing the cgroup $service failed; processes left in it: $(find "$service" -name cgroup.procs -exec cat {} +)" >&2
	exit $rc
}
trap remove_service EXIT

start_agent
agent_cg=$(sed -n 's/^0:://p' "/proc/$AGENT_PID/cgroup")
[ "$agent_cg" != "/${service##*/}" ] ||
	fail "mstatd stayed in $agent_cg, where controllers cannot be enabled for children"
case "$agent_cg" in
"/${service##*/}"/*) ;;
*) fail "mstatd moved to $agent_cg, outside its service cgroup /${service##*/}" ;;
esac
pass "mstatd ($real_mstatd) moved itself from /${service##*/} into the leaf $agent_cg"

mstat run -d --name idle -- sleep 300 >/dev/null
cg=$(mstat inspect --format '{{.Mstat.CgroupPath}}' idle)
case "$cg" in
"/${service##*/}"/*) ;;
*) fail "the container's cgroup '$cg' is outside the service cgroup /${service##*/}" ;;
esac
pass "containers live beneath the service cgroup, in $cg"

rc=0
mstat run --name fits --memory 64m -- "$TOOLS/memhog" 32 >/dev/null || rc=$?
[ "$rc" = 0 ] || fail "32 MiB under a 64 MiB limit exited $rc"
rc=0
mstat run --name hog --memory 64m -- "$TOOLS/memhog" 128 >/dev/null || rc=$?
[ "$rc" = 137 ] || fail "128 MiB under a 64 MiB limit exited $rc, expected 137"
pass "a 64 MiB limit holds for 32 MiB and OOM-kills 128 MiB"
