#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A journald that stops reading must not stall mstatd. In a private mount
# namespace (tmpfs on /run), a socket at /run/systemd/journal/socket that
# nobody reads stands for a hung journald: its queue holds only
# net.unix.max_dgram_qlen entries. Containers still start and stop at normal
# speed, every event reaches GET /v1/events, and mstatd stops in time and
# logs how many entries journald never took.
set -euo pipefail

RUNS=80 # 4 events each, more than the sender's queue and the socket's

if [ -z "${MSTAT_STUCK_NS:-}" ]; then
	# Checked before lib.sh creates anything, so that a skip leaves nothing.
	[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root for a mount namespace"; exit 77; }
	command -v unshare >/dev/null || { echo "SKIP: unshare is not installed"; exit 77; }
	exec env MSTAT_STUCK_NS=1 unshare --mount --propagation private bash "$0" "$@"
fi

. "$(dirname "$0")/lib.sh"

mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /run/systemd/journal
"$MSTAT_TOOLS/stucksocket" /run/systemd/journal/socket 300 >"$T/stuck.out" &
STUCK_PID=$!
trap 'rc=$?; kill "$STUCK_PID" 2>/dev/null || true; wait "$STUCK_PID" 2>/dev/null || true; (exit $rc); cleanup' EXIT
wait_for 10 grep -q ready "$T/stuck.out" || fail "stucksocket did not start: $(cat "$T/stuck.out")"

start_agent
since=$(date +%s)
start=$SECONDS
for i in $(seq 1 "$RUNS"); do
	timeout 20 "$MSTAT" --socket "$SOCK" run --rm --name "quick-$i" -- true ||
		fail "run $i did not finish within 20 s while journald hangs"
done
took=$((SECONDS - start))
pass "$RUNS containers ran and were removed in ${took} s while journald hangs"

timeout 10 "$MSTAT" --socket "$SOCK" events --since "$since" --until "$(($(date +%s) + 1))" \
	--format '{{.Action}}' >"$T/events" || fail "mstat events did not finish"
for action in create start die destroy; do
	n=$(grep -cx "$action" "$T/events" || true)
	[ "$n" = "$RUNS" ] || fail "GET /v1/events has $n $action events, expected $RUNS"
done
pass "GET /v1/events has all $((RUNS * 4)) events"

# Shutdown waits at most 2 s for journald, then logs the entries it dropped.
kill -TERM "$AGENT_PID"
start=$SECONDS
for _ in $(seq 1 100); do
	kill -0 "$AGENT_PID" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$AGENT_PID" 2>/dev/null && fail "mstatd did not stop within 10 s while journald hangs"
wait "$AGENT_PID" 2>/dev/null || true
AGENT_PID=
grep -q "journald did not take the last [0-9]* container event(s) within 2000 ms" "$T/mstatd.log" ||
	fail "mstatd did not report the entries journald never took: $(tail -n 5 "$T/mstatd.log")"
pass "mstatd stopped in $((SECONDS - start)) s and reported the entries journald never took"
