#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The live view (`mstat top`) driven inside tmux against a real agent: sort
# by memory, filter by name, the detail pane, a narrower window, a container
# started while the view is open, an agent restart, the restarts column and
# device limits, and the terminal restored after q. Also checks batch mode and the protobuf stats stream it reads.
. "$(dirname "$0")/lib.sh"

start_agent

# Three containers with different memory use: big uses 48 MiB, mid 16 MiB.
mstat run -d --name web-big -- "$TOOLS/memhog" 48 300000 >/dev/null
mstat run -d --name web-mid -- "$TOOLS/memhog" 16 300000 >/dev/null
mstat run -d --name db-small -- sleep 300 >/dev/null
mem_of() {
	mstat stats --no-stream --format '{{.Name}} {{.MemUsage}}' | awk -v n="$1" '$1 == n { print $2 }'
}
# mem_at_least NAME MIB: true when NAME's memory use is at least MIB MiB.
mem_at_least() {
	mem_of "$1" | awk -v min="$2" '/MiB$/ { exit !($0 + 0 >= min) } { exit 1 }'
}
wait_for 30 mem_at_least web-big 40 || fail "web-big did not reach 40 MiB: $(mem_of web-big)"
wait_for 30 mem_at_least web-mid 14 || fail "web-mid did not reach 14 MiB: $(mem_of web-mid)"

# The protobuf stream: length-delimited messages with the requested content
# type. NOTE: right after containers start, GET /v1/stats?stream=false can
# return an empty body, so the JSON check retries.
api GET '/v1/stats?stream=false' -H 'Accept: application/vnd.mstat.stats+protobuf' \
	-o "$T/pb" -D "$T/headers" --max-time 3 || true
grep -qi '^content-type: application/vnd.mstat.stats+protobuf' "$T/headers" ||
	fail "GET /v1/stats did not answer with protobuf: $(cat "$T/headers")"
[ -s "$T/pb" ] || fail "the protobuf stats stream sent no message"
json_starts_with_brace() {
	api GET '/v1/stats?stream=false' -o "$T/json" --max-time 3 || return 1
	[ "$(head -c 1 "$T/json")" = "{" ]
}
wait_for 10 json_starts_with_brace ||
	fail "GET /v1/stats without Accept is no longer JSON lines: $(head -c 200 "$T/json")"
pass "the stats stream is protobuf on request and JSON lines by default"

# Batch mode: plain text without escape sequences.
"$MSTAT" --socket "$SOCK" top -b -n 2 -d 0.5 >"$T/batch" </dev/null ||
	fail "mstat top -b failed: $(cat "$T/batch")"
[ "$(grep -c '^NAME ' "$T/batch")" = 2 ] || fail "batch mode did not print 2 screens: $(cat "$T/batch")"
grep -q '^web-big ' "$T/batch" || fail "batch mode lacks web-big: $(cat "$T/batch")"
if grep -q $'\e' "$T/batch"; then fail "batch output contains escape sequences"; fi
rc=0
"$MSTAT" --socket "$T/missing.sock" top -b -n 1 >/dev/null 2>"$T/batch-err" </dev/null || rc=$?
[ "$rc" = 125 ] || fail "batch mode without an agent exited $rc, expected 125"
grep -q "cannot connect to mstatd" "$T/batch-err" || fail "batch mode without an agent printed: $(cat "$T/batch-err")"
pass "batch mode prints plain screens"

# The rest needs tmux and its terminfo entry (the VM's initramfs has neither).
command -v tmux >/dev/null || skip "tmux is not installed; the protobuf stream and batch mode passed"
infocmp tmux-256color >/dev/null 2>&1 ||
	skip "no terminfo entry for tmux-256color; the protobuf stream and batch mode passed"

TMUX_SOCKET="mstat-it-$$"
# tmux refuses to start without a UTF-8 locale.
tmux_cmd() {
	LC_ALL=C.UTF-8 tmux -L "$TMUX_SOCKET" -f /dev/null "$@"
}
stop_tmux() {
	tmux_cmd kill-server 2>/dev/null || true
}
trap 'rc=$?; set +e; stop_tmux; (exit $rc); cleanup' EXIT

screen() {
	tmux_cmd capture-pane -p -t it
}
# screen_has TEXT: true when the pane shows TEXT (a fixed string).
screen_has() {
	screen | grep -qF -- "$1"
}
# screen_lacks REGEX: true when no line of the pane matches REGEX.
screen_lacks() {
	! screen | grep -q -- "$1"
}
wait_screen() {
	wait_for 10 screen_has "$1" || fail "the screen never showed '$1'; it shows:
$(screen)"
}
# Prints the names of the table rows (this test's containers) in screen order.
row_names() {
	screen | awk '/^NAME/ { on = 1; next } on && $1 ~ /^(web|db|late)-/ && NF > 1 { print $1 }'
}

tmux_cmd new-session -d -s it -x 150 -y 40 "env -i PATH=/usr/bin:/bin TERM=tmux-256color HOME=$T bash --norc --noprofile"
tmux_cmd send-keys -t it 'echo before-the-view' Enter
wait_screen before-the-view
tmux_cmd send-keys -t it "NO_COLOR= $MSTAT --socket $SOCK" Enter
wait_screen "mstat top - 3 containers"
wait_screen "web-big"
screen_has "before-the-view" && fail "the view did not take the whole screen"
pass "plain mstat on a terminal opens the view"

# m sorts by memory use, largest first.
tmux_cmd send-keys -t it m
wait_screen "MEM USAGE / LIMIT v"
order=$(row_names | tr '\n' ' ')
[ "$order" = "web-big web-mid db-small " ] || fail "rows sorted by memory are '$order'; screen:
$(screen)"
pass "m sorts by memory: $order"

# / filters by name.
tmux_cmd send-keys -t it / w e b Enter
wait_screen "filter: web"
order=$(row_names | tr '\n' ' ')
[ "$order" = "web-big web-mid " ] || fail "the filter 'web' shows '$order'"
pass "the name filter shows only web containers"

# Enter opens the detail pane of the selected (first) container.
tmux_cmd send-keys -t it Enter
wait_screen "Limits  memory"
screen_has "memory.events" || fail "the detail pane lacks memory.events"
screen_has "CPU % history" || fail "the detail pane lacks the CPU history"
screen | grep -q "^web-big  [0-9a-f]\{12\}  running" || fail "the detail pane is not web-big's:
$(screen)"
tmux_cmd send-keys -t it Escape
# The table is back (the detail pane has no BLOCK I/O column) before the
# resize, so that the narrow check below reads the table, not the pane.
wait_screen "BLOCK I/O"
pass "Enter opens the detail pane of the selection"

# A narrow window drops columns instead of wrapping.
tmux_cmd resize-window -t it -x 60 -y 30
# One capture must show the whole narrow table: a redraw in progress (slow
# under emulation) can show part of it.
narrow_table_shown() {
	local text
	text=$(screen)
	! grep -q 'BLOCK I/O' <<<"$text" &&
		grep '^NAME' <<<"$text" | grep -qF 'CPU %' &&
		[ "$(awk 'length($0) > 60' <<<"$text" | wc -l)" = 0 ] &&
		awk '/^NAME/ { on = 1; next } on && $1 == "web-big" { found = 1 } END { exit !found }' <<<"$text"
}
wait_for 10 narrow_table_shown ||
	fail "the 60-column table never showed without BLOCK I/O, with CPU % and web-big, and no line over 60 columns; it shows:
$(screen)"
header=$(screen | grep '^NAME')
tmux_cmd resize-window -t it -x 150 -y 40
wait_screen "BLOCK I/O"
pass "a 60-column window drops columns: $header"

# A container started while the view is open appears; the filter is cleared first.
tmux_cmd send-keys -t it / Escape
mstat run -d --name late-comer -- sleep 300 >/dev/null
wait_screen "late-comer"
wait_screen "mstat top - 4 containers"
pass "a container started mid-session appears"

# A stopped container leaves the running-only list.
mstat kill late-comer >/dev/null
wait_for 10 screen_lacks '^late-comer' ||
	fail "late-comer is still listed after it stopped"
pass "a stopped container disappears"

# The view reports a stopped agent and reconnects when it is back.
kill -TERM "$AGENT_PID"
wait "$AGENT_PID" 2>/dev/null || true
AGENT_PID=
wait_screen "reconnecting every second"
start_agent
wait_for 10 screen_lacks 'reconnecting every second' ||
	fail "the view did not reconnect to the restarted agent:
$(screen)"
mstat run -d --name late-second -- sleep 300 >/dev/null
wait_screen "late-second"
pass "the view reports a stopped agent and reconnects"

# C then R shows the restarts column; R sorts by it. The detail pane shows
# the write limit of a limited disk next to its rate.
src=$(df --output=source "$T" | tail -n 1)
limit_flag=()
[ -b "$src" ] && limit_flag=(--device-write-bps "$src:5mb")
mstat run -d --name late-crashy --restart always "${limit_flag[@]}" -- sh -c 'sleep 2; exit 1' >/dev/null
tmux_cmd send-keys -t it C R
wait_screen "RESTARTS"
tmux_cmd send-keys -t it R
wait_screen "RESTARTS v"
# RESTARTS is the last column shown, because the later ones are off.
crashy_restarted() {
	screen | awk '$1 == "late-crashy" && $NF ~ /^[1-9][0-9]*$/ { found = 1 } END { exit !found }'
}
wait_for 20 crashy_restarted || fail "the RESTARTS column never counted late-crashy's restarts:
$(screen)"
[ "$(row_names | head -n 1)" = late-crashy ] || fail "sorting by restarts does not put late-crashy first:
$(screen)"
if [ ${#limit_flag[@]} -gt 0 ]; then
	tmux_cmd send-keys -t it Enter
	wait_screen "(limit 5.243MB/s)"
	tmux_cmd send-keys -t it Escape
	wait_screen "RESTARTS v"
fi
pass "the restarts column counts policy restarts; the detail pane shows device limits (${limit_flag[*]:-no block device})"

# q quits and gives the terminal back as it was.
tmux_cmd send-keys -t it q
wait_for 10 screen_lacks 'mstat top -' ||
	fail "the view is still on the screen after q"
wait_screen "before-the-view"
tmux_cmd send-keys -t it 'echo status=$?' Enter
wait_screen "status=0"
pass "q quits with status 0 and restores the terminal"
