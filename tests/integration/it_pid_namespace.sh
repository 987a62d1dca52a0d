#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A container has its own PID namespace with mstat's init as PID 1, its own
# namespaces of every kind, and a SIGKILL of its init from the host ends it
# with exit code 137.
. "$(dirname "$0")/lib.sh"
start_agent

# Inside, ps lists only the init (PID 1) and the command beneath it.
out=$(mstat run --rm --name pidns-ps -- ps -e -o pid=,ppid=,comm=)
echo "$out"
[ "$(echo "$out" | wc -l)" -eq 2 ] || fail "ps inside listed other processes: $out"
echo "$out" | awk '$1 == 1 && $2 == 0 { found = 1 } END { exit !found }' ||
	fail "PID 1 inside is not the init: $out"
echo "$out" | awk '$3 == "ps" && $2 == 1 { found = 1 } END { exit !found }' ||
	fail "the command is not a child of PID 1: $out"
pass "ps inside lists only the init and the command"

mstat run -d --name pidns -- sleep 300 >/dev/null
pid=$(mstat inspect --format '{{.State.Pid}}' pidns)
[ "$pid" -gt 1 ] || fail "State.Pid is '$pid'"
nspid=$(awk '/^NSpid:/ { print $NF }' "/proc/$pid/status")
[ "$nspid" = 1 ] || fail "NSpid of host PID $pid ends in '$nspid', expected 1"
pass "State.Pid $pid is PID 1 in its namespace"

for ns in mnt pid uts ipc net cgroup; do
	mine=$(readlink "/proc/$AGENT_PID/ns/$ns")
	theirs=$(readlink "/proc/$pid/ns/$ns")
	[ "$mine" != "$theirs" ] || fail "$ns namespace is shared with mstatd ($mine)"
done
pass "mnt pid uts ipc net cgroup namespaces differ from the agent's"

kill -9 "$pid"
wait_for 10 is_exited pidns || fail "container did not exit after kill -9 of its init"
code=$(mstat inspect --format '{{.State.ExitCode}}' pidns)
[ "$code" = 137 ] || fail "exit code after kill -9 is $code, expected 137"
pass "kill -9 of the init gives exit code 137"
