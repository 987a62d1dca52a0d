#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# mstat run -it and mstat attach driven through tmux: a shell prompt, the
# container's hostname, the shell as PID 1's child, the window size that
# follows a tmux resize, ^C that reaches the container, exit codes passed
# through, the terminal restored, and detaching with ^P^Q and attaching
# again. Also run -i with a pipe, which closes the container's stdin at the
# end of the input.
. "$(dirname "$0")/lib.sh"

start_agent

# -i without -t: stdin is a pipe that ends with the input.
out=$(printf 'first\nsecond\n' | mstat run -i --rm -- sh -c 'cat; echo cat-ended; exit 6') && rc=0 || rc=$?
[ "$rc" = 6 ] || fail "run -i exited $rc, expected the container's 6"
[ "$out" = "$(printf 'first\nsecond\ncat-ended')" ] || fail "run -i printed: $out"
pass "run -i sends stdin to the container and ends it at end of input"

command -v tmux >/dev/null || skip "tmux is not installed; run -i passed"

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
screen_has() {
	screen | grep -qF -- "$1"
}
# screen_line REGEX: true when a whole line of the pane matches REGEX.
screen_line() {
	screen | grep -Eq -- "^$1\$"
}
wait_screen() {
	wait_for 10 screen_has "$1" || fail "the screen never showed '$1'; it shows:
$(screen)"
}
wait_line() {
	wait_for 10 screen_line "$1" || fail "no line of the screen matched '$1'; it shows:
$(screen)"
}
# at_prompt PROMPT: true when the last non-empty line is PROMPT alone, so
# that what is typed next reaches that shell. For 'host$', it is not read by
# an mstat that is still attached.
at_prompt() {
	[ "$(screen | grep -v '^$' | tail -n 1)" = "$1" ]
}
at_host_prompt() {
	at_prompt 'host$'
}
type_line() {
	tmux_cmd send-keys -t it -l "$1"
	tmux_cmd send-keys -t it Enter
}

tmux_cmd new-session -d -s it -x 100 -y 30 \
	"env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin TERM=tmux-256color HOME=$T bash --norc --noprofile"
type_line "PS1='host\$ '; stty -g >$T/stty.before; echo host-ready"
wait_line host-ready

# The prompt of the container's sh appears. PS1 is set because busybox's sh
# has another default than dash, and capture-pane drops the trailing space.
type_line "$MSTAT --socket $SOCK run -it --name box --hostname box-it -e 'PS1=box# ' -- sh"
wait_line 'box# ?'
pass "run -it shows the container's shell prompt"

type_line hostname
wait_line box-it
pass "hostname prints the container's hostname"

type_line 'ps -o pid,ppid,comm'
wait_line ' *[0-9]+ +1 +sh'
pass "ps shows the shell as PID 1's child"

type_line 'stty size'
wait_line '30 100'
tmux_cmd resize-window -t it -x 90 -y 20
sleep 0.5
type_line 'stty size'
wait_line '20 90'
pass "stty size follows a tmux resize-window"

type_line 'sleep 300'
sleep 0.5
tmux_cmd send-keys -t it C-c
wait_for 10 at_prompt 'box#' || fail "no prompt after ^C: $(screen)"
type_line 'echo after-interrupt'
wait_line after-interrupt
[ "$(state_of box)" = running ] || fail "^C ended the container instead of its sleep"
pass "^C reaches the container's foreground process"

# ^P^Q detaches and leaves the container running.
tmux_cmd send-keys -t it C-p C-q
wait_screen "read escape sequence"
wait_for 10 at_host_prompt || fail "mstat run did not end at the detach keys: $(screen)"
type_line 'echo detach-rc=$?'
wait_line 'detach-rc=0'
[ "$(state_of box)" = running ] || fail "box is $(state_of box) after the detach keys"
pass "ctrl-p ctrl-q detaches and leaves the container running"

type_line "$MSTAT --socket $SOCK attach box"
sleep 0.5
type_line 'echo attached-again'
wait_line attached-again
type_line 'exit 3'
wait_for 10 is_exited box || fail "box did not exit after 'exit 3'"
wait_for 10 at_host_prompt || fail "mstat attach did not end: $(screen)"
type_line "rc=\$?; stty -g >$T/stty.after; echo run-rc=\$rc"
wait_line 'run-rc=3'
pass "attach again, and exit 3 ends mstat attach with code 3"
cmp -s "$T/stty.before" "$T/stty.after" ||
	fail "the terminal settings changed: $(cat "$T/stty.before") -> $(cat "$T/stty.after")"
pass "the terminal is restored"

# exit in a shell started by run -it ends run with the same code.
type_line "$MSTAT --socket $SOCK run -it --rm -- sh -c 'exit 4'; echo rm-rc=\$?"
wait_line 'rm-rc=4'
pass "run -it --rm passes exit code 4 through"

mstat rm box >/dev/null
