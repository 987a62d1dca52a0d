#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# mstat logs: -f follows output as it is written, --tail, --since and
# --until, the -t time format, the rotation bound and reading across the
# rotated files (also while following), and logs that survive an agent
# restart.
source "$(dirname "$0")/lib.sh"

# Small files, so that a few hundred lines rotate several times.
MAX_SIZE=8192
start_agent --log-max-size 8k --log-max-file 3

# -f prints lines while the container still runs, and ends at its exit.
mstat run -d --name slow -- sh -c \
	'i=0; while [ $i -lt 6 ]; do echo tick-$i; i=$((i+1)); sleep 0.5; done' >/dev/null
mstat logs -f slow >"$T/follow.out" &
follow_pid=$!
wait_for 10 grep -q tick-2 "$T/follow.out" || fail "logs -f printed no line while the container ran"
[ "$(state_of slow)" = running ] || fail "slow ended before logs -f printed its third line"
pass "logs -f prints lines as they are written"
wait_for 20 is_exited slow || fail "slow did not exit"
for _ in $(seq 1 50); do
	kill -0 $follow_pid 2>/dev/null || break
	sleep 0.2
done
kill -0 $follow_pid 2>/dev/null && fail "logs -f still runs after the container exited"
wait $follow_pid || fail "logs -f exited with $?"
[ "$(tr '\n' ' ' <"$T/follow.out")" = "tick-0 tick-1 tick-2 tick-3 tick-4 tick-5 " ] ||
	fail "logs -f printed: $(cat "$T/follow.out")"
pass "logs -f ends after the last line once the container exited"

# stdout and stderr apart, --tail and -t. The order between the two
# streams is the order in which mstatd read its pipes, so --tail and -t are
# checked on stdout alone.
mstat run --name mixed -- sh -c 'echo one; echo two >&2; echo three' \
	>/dev/null 2>&1 || fail "mixed failed"
[ "$(mstat logs mixed 2>/dev/null | tr '\n' ' ')" = "one three " ] ||
	fail "stdout of logs: $(mstat logs mixed 2>/dev/null)"
[ "$(mstat logs mixed 2>&1 >/dev/null)" = two ] || fail "stderr of logs: $(mstat logs mixed 2>&1 >/dev/null)"
mstat run --name lines -- sh -c 'echo one; echo two; echo three; printf four' >/dev/null ||
	fail "lines failed"
[ "$(mstat logs --tail 2 lines | tr '\n' ' ')" = "three four" ] ||
	fail "--tail 2 printed: $(mstat logs --tail 2 lines)"
[ -z "$(mstat logs --tail 0 lines)" ] || fail "--tail 0 printed output"
mstat logs -t lines >"$T/stamped.out"
grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z one$' "$T/stamped.out" ||
	fail "-t line format: $(cat "$T/stamped.out")"
[ "$(grep -c 'Z ' "$T/stamped.out")" -eq 4 ] || fail "-t did not stamp every line: $(cat "$T/stamped.out")"
pass "stdout and stderr apart, --tail, and -t in RFC 3339 with nanoseconds"

# --since and --until split the output at a time between two lines.
mstat run -d --name timed -- sh -c 'echo early; sleep 2; echo late' >/dev/null
wait_for 10 sh -c "'$MSTAT' --socket '$SOCK' logs timed | grep -q early" || fail "timed printed nothing"
# Whole seconds (busybox's date has no %N): at least 1 s after "early" was
# read, the current second has begun after it, and "late" is 2 s after it.
sleep 1
middle=$(date +%s)
wait_for 20 is_exited timed || fail "timed did not exit"
[ "$(mstat logs --since "$middle" timed)" = late ] ||
	fail "--since $middle printed: $(mstat logs --since "$middle" timed)"
[ "$(mstat logs --until "$middle" timed)" = early ] ||
	fail "--until $middle printed: $(mstat logs --until "$middle" timed)"
[ "$(mstat logs --since 10m timed | tr '\n' ' ')" = "early late " ] || fail "--since 10m lost lines"
mstat logs --since yesterday timed >/dev/null 2>&1 && fail "--since yesterday was accepted"
pass "--since and --until"

# 600 numbered lines of 64 bytes rotate through the files. A follower that
# started first gets every line in order, and a later reader the newest ones.
mstat run -d --name chatty -- sh -c 'i=0; while [ $i -lt 600 ]; do
	printf "%05d-..........................................................\n" $i
	i=$((i+1)); [ $((i % 40)) -ne 0 ] || sleep 0.1; done' >/dev/null
mstat logs -f chatty >"$T/chatty-follow.out" &
follow_pid=$!
wait_for 30 is_exited chatty || fail "chatty did not exit"
wait $follow_pid || fail "logs -f chatty exited with $?"
dir=$(echo "$T"/state/containers/"$(mstat inspect --format '{{.Id}}' chatty)")
for f in output.log output.log.1 output.log.2; do
	[ -f "$dir/$f" ] || fail "$f is missing after 38 KB of output with 8k files"
	size=$(stat -c %s "$dir/$f")
	[ "$size" -le "$MAX_SIZE" ] || fail "$f has $size bytes, more than --log-max-size $MAX_SIZE"
done
[ ! -e "$dir/output.log.3" ] || fail "more than --log-max-file 3 files are kept"
pass "rotation keeps at most 3 files of at most 8k"

check_sequence() { # FILE FIRST: lines are consecutive from FIRST to 599
	# Leading zeros are stripped first: busybox's awk reads them as octal.
	awk -v first="$2" '{ s = $0; sub(/-.*/, "", s); sub(/^0+/, "", s); n = s + 0; if (n != first + NR - 1) { print "line " NR ": " $0; bad = 1; exit } }
		END { if (!bad && first + NR - 1 != 599) { print "ends at " first + NR - 1; bad = 1 }; exit bad }' "$1"
}
check_sequence "$T/chatty-follow.out" 0 || fail "logs -f across rotations: $(check_sequence "$T/chatty-follow.out" 0)"
pass "logs -f follows across rotations without a gap"
mstat logs chatty >"$T/chatty.out"
first=$(head -n 1 "$T/chatty.out" | sed 's/^0*//; s/-.*//')
[ "${first:-0}" -gt 0 ] || fail "the oldest lines were not rotated away"
check_sequence "$T/chatty.out" "$first" || fail "logs across files: $(check_sequence "$T/chatty.out" "$first")"
[ "$(mstat logs --tail 3 chatty | head -c 5)" = 00597 ] || fail "--tail 3 across files"
pass "logs reads the rotated files in order, from line $first"

# A container with a terminal has one raw stream, as docker serves it: the
# bytes the terminal wrote (its line discipline turns \n into \r\n), with no
# frame headers, all on stdout.
mstat run -t --name term -- sh -c 'echo first; echo second >&2' >/dev/null 2>&1 ||
	fail "term failed"
printf 'first\r\nsecond\r\n' >"$T/term.want"
mstat logs term >"$T/term.out" 2>"$T/term.err"
cmp -s "$T/term.want" "$T/term.out" || fail "logs of a terminal: $(od -c "$T/term.out" | head -n 3)"
[ ! -s "$T/term.err" ] || fail "logs of a terminal wrote to stderr: $(cat "$T/term.err")"
api GET "/v1/containers/term/logs?stdout=1" | cmp -s "$T/term.want" - ||
	fail "the logs API framed a terminal's output"
[ "$(api GET "/v1/containers/mixed/logs?stdout=1" | head -c 1 | od -An -tx1 | tr -d ' ')" = 01 ] ||
	fail "the logs API sent no frame header without a terminal"
pass "logs of a terminal are one raw stream"

# A restarted agent serves the same output with the same times.
mstat logs -t mixed >"$T/before.out" 2>&1
kill -TERM "$AGENT_PID"
wait "$AGENT_PID" || true
AGENT_PID=
start_agent --log-max-size 8k --log-max-file 3
mstat logs -t mixed >"$T/after.out" 2>&1
cmp -s "$T/before.out" "$T/after.out" || fail "logs after a restart differ: $(cat "$T/after.out")"
mstat logs chatty | cmp -s - "$T/chatty.out" || fail "rotated logs after a restart differ"
pass "logs survive an agent restart"

mstat rm slow mixed lines timed chatty term >/dev/null
