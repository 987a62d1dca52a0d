#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A container without a restart policy gets its status changes written to
# state.unsynced.json without fsync. After a SIGKILL of mstatd, the next
# mstatd still reads each of those records complete: the exit code of an
# ended container, and the run of a live one, which it then ends. A
# container with a restart policy gets every change synced to state.json.
# An auto-remove container left running by the crash is removed, as dockerd
# does at its start.
. "$(dirname "$0")/lib.sh"
start_agent

mstat run -d --name ended -- sh -c 'exit 3' >/dev/null
wait_for 10 is_exited ended || fail "ended is $(state_of ended), expected exited"
mstat run -d --name alive -- sleep 300 >/dev/null
alive_pid=$(mstat inspect --format '{{.State.Pid}}' alive)
[ "$alive_pid" -gt 1 ] || fail "alive has State.Pid '$alive_pid'"
mstat run -d --rm --name scratch -- sleep 300 >/dev/null
scratch_pid=$(mstat inspect --format '{{.State.Pid}}' scratch)
scratch_dir="$T/state/containers/$(mstat inspect --format '{{.Id}}' scratch)"

ended_dir="$T/state/containers/$(mstat inspect --format '{{.Id}}' ended)"
alive_dir="$T/state/containers/$(mstat inspect --format '{{.Id}}' alive)"
jq -e '.State.Status == "created"' "$ended_dir/state.json" >/dev/null ||
	fail "the synced record of ended is not the created one: $(cat "$ended_dir/state.json")"
jq -e '.State.Status == "exited" and .State.ExitCode == 3' "$ended_dir/state.unsynced.json" \
	>/dev/null || fail "the unsynced record of ended is not its exit"
jq -e '.State.Status == "running"' "$alive_dir/state.unsynced.json" >/dev/null ||
	fail "the unsynced record of alive is not its run"
pass "status changes without a restart policy go to state.unsynced.json"

# A container with a terminal ends with mstatd, which keeps the terminal's
# master side.
mstat run -d -t --name term -- sleep 300 >/dev/null

# A crash of mstatd: the unsynced records stay in the page cache.
crashed=$(date +%s)
kill -KILL "$AGENT_PID"
wait "$AGENT_PID" 2>/dev/null || true
AGENT_PID=
sleep 2
mv "$T/mstatd.log" "$T/mstatd.first.log"
start_agent
grep -q "ignoring container state" "$T/mstatd.log" &&
	fail "mstatd ignored a state file: $(grep "ignoring" "$T/mstatd.log")"
is_exited ended || fail "ended is $(state_of ended) after the crash, expected exited"
code=$(mstat inspect --format '{{.State.ExitCode}}' ended)
[ "$code" = 3 ] || fail "ended has exit code $code after the crash, expected 3"
alive_gone() {
	! kill -0 "$alive_pid" 2>/dev/null
}
wait_for 10 alive_gone || fail "alive's init $alive_pid still runs after the agent restart"
is_exited alive || fail "alive is $(state_of alive) after the crash, expected exited"
# The load synced the newest record and dropped the unsynced file.
[ ! -e "$ended_dir/state.unsynced.json" ] || fail "state.unsynced.json of ended is left after the load"
jq -e '.State.ExitCode == 3' "$ended_dir/state.json" >/dev/null ||
	fail "the load did not sync the exit of ended to state.json"
pass "after a SIGKILL of mstatd, the unsynced records are read back complete"

# term's command ended at the crash, not at the restart 2 s later, and the
# next mstatd sent the die events of the runs it ended.
wait_for 10 is_exited term || fail "term is $(state_of term) after the crash, expected exited"
finished=$(mstat inspect --format '{{.State.FinishedAt}}' term)
# busybox's date reads "YYYY-MM-DD HH:MM:SS", not RFC 3339 with a fraction.
finished_s=$(date -u -d "$(sed 's/T/ /; s/\..*//; s/Z$//' <<<"$finished")" +%s) ||
	fail "FinishedAt of term is '$finished'"
[ "$finished_s" -le $((crashed + 1)) ] ||
	fail "term finished at $finished, after the crash at $(date -u -d "@$crashed")"
mstat events --since "$crashed" --until "$(($(date +%s) + 1))" --filter event=die \
	--format '{{.Actor.Attributes.name}}' >"$T/died"
grep -qx alive "$T/died" || fail "no die event of alive after the restart: $(cat "$T/died")"
grep -qx term "$T/died" || fail "no die event of term after the restart: $(cat "$T/died")"
pass "the next mstatd dates the ends at the crash and sends their die events"

scratch_gone() {
	! kill -0 "$scratch_pid" 2>/dev/null
}
wait_for 10 scratch_gone || fail "scratch's init $scratch_pid still runs after the agent restart"
if mstat inspect scratch >/dev/null 2>&1; then
	fail "the auto-remove container scratch is $(state_of scratch) after the restart, expected removed"
fi
[ ! -e "$scratch_dir" ] || fail "the state directory of scratch is left: $scratch_dir"
grep -q "removed auto-remove container scratch" "$T/mstatd.log" ||
	fail "mstatd did not log the removal of scratch"
pass "an auto-remove container left by the crash is removed at the next start"

mstat run -d --name kept --restart on-failure:1 -- true >/dev/null
wait_for 10 is_exited kept || fail "kept is $(state_of kept), expected exited"
kept_dir="$T/state/containers/$(mstat inspect --format '{{.Id}}' kept)"
[ ! -e "$kept_dir/state.unsynced.json" ] || fail "kept, with a restart policy, has an unsynced record"
jq -e '.State.Status == "exited"' "$kept_dir/state.json" >/dev/null ||
	fail "the synced record of kept is not its exit"
pass "a container with a restart policy has every status change synced"

for c in ended alive kept term; do
	mstat rm -f "$c" >/dev/null
done
