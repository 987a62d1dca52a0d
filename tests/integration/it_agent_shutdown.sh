#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# SIGTERM to mstatd stops every container (grace period, then kill), removes
# their cgroups and exits 0; a bad flag is rejected with exit code 2.
. "$(dirname "$0")/lib.sh"

rc=0
"$MSTATD" --interval 0 >/dev/null 2>"$T/e" || rc=$?
[ "$rc" = 2 ] || fail "mstatd --interval 0 exited $rc, expected 2"
grep -q -- --interval "$T/e" || fail "the error does not name --interval: $(cat "$T/e")"
rc=0
"$MSTATD" --listen 127.0.0.1:notaport >/dev/null 2>"$T/e" || rc=$?
[ "$rc" = 2 ] || fail "mstatd --listen 127.0.0.1:notaport exited $rc, expected 2"
pass "bad flags exit 2 with a message"

start_agent --stop-timeout 2

# A second mstatd on the same socket or state directory is rejected and
# leaves the first one reachable.
rc=0
"$MSTATD" --socket "$SOCK" --state-dir "$T/state2" --listen none >/dev/null 2>"$T/e" || rc=$?
[ "$rc" = 1 ] || fail "a second mstatd on $SOCK exited $rc, expected 1"
grep -q "another process serves" "$T/e" || fail "no clear error for a socket in use: $(cat "$T/e")"
rc=0
"$MSTATD" --socket "$T/other.sock" --state-dir "$T/state" --listen none >/dev/null 2>"$T/e" || rc=$?
[ "$rc" = 1 ] || fail "a second mstatd on the same --state-dir exited $rc, expected 1"
grep -q "another mstatd uses the state directory" "$T/e" || fail "no clear error for a state dir in use: $(cat "$T/e")"
mstat ps >/dev/null || fail "the first mstatd is unreachable after the rejected second one"
pass "a second mstatd on the same socket or state directory is rejected"

rc=0
"$MSTATD" --once --watch /mstat-no-such-cgroup >/dev/null 2>"$T/e" || rc=$?
[ "$rc" = 1 ] || fail "--once --watch of a missing cgroup exited $rc, expected 1"
grep -q -- "--watch /mstat-no-such-cgroup" "$T/e" || fail "the error does not name the --watch value: $(cat "$T/e")"
pass "--watch of a missing cgroup is an error"
mstat run -d --name a -- sleep 300 >/dev/null
mstat run -d --name b -- sh -c 'trap "" TERM; while :; do sleep 1; done' >/dev/null
pa=$(mstat inspect --format '{{.State.Pid}}' a)
pb=$(mstat inspect --format '{{.State.Pid}}' b)
cga=$(mstat inspect --format '{{.Mstat.CgroupPath}}' a)

kill -TERM "$AGENT_PID"
rc=0
timeout 20 tail --pid="$AGENT_PID" -f /dev/null || fail "mstatd did not exit within 20 s"
wait "$AGENT_PID" || rc=$?
AGENT_PID=
[ "$rc" = 0 ] || fail "mstatd exited $rc after SIGTERM"
kill -0 "$pa" 2>/dev/null && fail "container a (pid $pa) survived the agent"
kill -0 "$pb" 2>/dev/null && fail "container b (pid $pb) survived the agent"
cgroup_exists "$cga" && fail "cgroup $cga survived the agent"
[ -e "$SOCK" ] && fail "the socket $SOCK was left behind"
pass "SIGTERM stopped both containers, removed cgroups and exited 0"
