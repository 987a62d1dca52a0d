#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Measures the CPU time of the live view (`mstat top` inside tmux, redrawing
# every second) against a private mstatd that polls N sleeping containers
# every second. Prints the view's and the agent's CPU use as a share of one
# core. Usage: MSTATD=... MSTAT=... MSTAT_TOOLS=... bench/top_cpu.sh [N] [SECONDS]
# Needs root (containers) and tmux; bounded to N <= 500 and SECONDS <= 300.
set -euo pipefail
N=${1:-200}
DURATION=${2:-30}
if [ "$N" -lt 1 ] || [ "$N" -gt 500 ]; then
	echo "invalid container count $N: expected 1 to 500" >&2
	exit 2
fi
if [ "$DURATION" -lt 5 ] || [ "$DURATION" -gt 300 ]; then
	echo "invalid duration $DURATION: expected 5 to 300 seconds" >&2
	exit 2
fi
INTERVAL=1
. "$(dirname "$0")/../tests/integration/lib.sh"
command -v tmux >/dev/null || skip "tmux is not installed"

start_agent
# NOTE: mstatd refused connections (ECONNREFUSED) after about 40 back-to-back
# `mstat run -d` calls on the test machine, so each start is retried.
run_idle() {
	for _ in $(seq 1 20); do
		mstat run -d --name "idle-$1" -- sleep 3600 >/dev/null 2>&1 && return 0
		mstat inspect "idle-$1" >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	fail "starting idle-$1 failed 20 times"
}
for i in $(seq 1 "$N"); do
	run_idle "$i"
done

TMUX_SOCKET="mstat-bench-$$"
trap 'rc=$?; set +e; tmux -L "$TMUX_SOCKET" kill-server 2>/dev/null; (exit $rc); cleanup' EXIT
tmux -L "$TMUX_SOCKET" -f /dev/null new-session -d -s bench -x 160 -y 50 \
	"env TERM=tmux-256color $MSTAT --socket $SOCK top -d 1"
view_pid() {
	pgrep -P "$(tmux -L "$TMUX_SOCKET" display-message -p -t bench '#{pane_pid}')" -x mstat ||
		tmux -L "$TMUX_SOCKET" display-message -p -t bench '#{pane_pid}'
}
wait_for 30 bash -c "tmux -L $TMUX_SOCKET capture-pane -p -t bench | grep -q 'mstat top - $N containers'" ||
	fail "the view never showed $N containers"
PID=$(view_pid)

# utime + stime of a process in clock ticks.
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}
hz=$(getconf CLK_TCK)
v0=$(cpu_ticks "$PID")
a0=$(cpu_ticks "$AGENT_PID")
t0=$(date +%s.%N)
sleep "$DURATION"
v1=$(cpu_ticks "$PID")
a1=$(cpu_ticks "$AGENT_PID")
t1=$(date +%s.%N)
awk -v v="$((v1 - v0))" -v a="$((a1 - a0))" -v hz="$hz" -v t0="$t0" -v t1="$t1" -v n="$N" '
	BEGIN {
		secs = t1 - t0
		printf "containers %d, %.1f s: mstat top %.2f%% of one core, mstatd %.2f%%\n",
			n, secs, v / hz / secs * 100, a / hz / secs * 100
	}'
