#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# mstat exec: the command has the container's PID namespace, hostname and
# mounts, and is in its cgroup and every namespace. Its exit code, -e, -w
# and -i pass through, and a missing command exits 127. Exec into a stopped
# container is a clear error, and -it gives a terminal (through tmux).
. "$(dirname "$0")/lib.sh"

start_agent

mstat run -d --name box --hostname box-exec -w /tmp -e FROM_RUN=1 -- sleep 300 >/dev/null
init_pid=$(mstat inspect --format '{{.State.Pid}}' box)

# The PID namespace: the container's init is PID 1 and mstat-init.
[ "$(mstat exec box cat /proc/1/comm)" = mstat-init ] ||
	fail "PID 1 seen by exec is $(mstat exec box cat /proc/1/comm), not the container's init"
[ "$(mstat exec box hostname)" = box-exec ] || fail "hostname in exec: $(mstat exec box hostname)"
# The mount table of exec and of the container's init are the same.
[ "$(mstat exec box cat /proc/self/mountinfo | md5sum)" = "$(mstat exec box cat /proc/1/mountinfo | md5sum)" ] ||
	fail "exec sees other mounts than the container's init"
mstat exec box sh -c 'touch /tmp/made-by-exec' || fail "exec could not write the container's /tmp"
mstat exec box test -e /tmp/made-by-exec || fail "a second exec does not see the first one's /tmp file"
pass "exec sees the container's PID namespace, hostname and mounts"

# From the host: every namespace and the cgroup of the init.
mstat exec box sleep 30 &
exec_cli=$!
exec_pid=
# Sets exec_pid to the child of mstatd whose command line is "sleep 30": the
# exec'd command is mstatd's child in the container's PID namespace.
find_exec_pid() {
	local p
	for p in $(cat /proc/"$AGENT_PID"/task/*/children 2>/dev/null); do
		[ "$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)" = "sleep 30 " ] || continue
		exec_pid=$p
		return 0
	done
	return 1
}
wait_for 10 find_exec_pid || true
[ -n "$exec_pid" ] || fail "the exec'd sleep 30 is not a child of mstatd"
for ns in mnt pid uts ipc net cgroup; do
	[ "$(readlink /proc/$exec_pid/ns/$ns)" = "$(readlink /proc/$init_pid/ns/$ns)" ] ||
		fail "the exec is not in the container's $ns namespace"
done
cmp -s /proc/$exec_pid/cgroup /proc/$init_pid/cgroup ||
	fail "the exec's cgroups differ: $(cat /proc/$exec_pid/cgroup) vs $(cat /proc/$init_pid/cgroup)"
[ "$(grep CapEff /proc/$exec_pid/status)" = "$(grep CapEff /proc/$init_pid/status)" ] ||
	fail "the exec's capabilities differ from the container's"
grep -q '^NoNewPrivs:.*1' /proc/$exec_pid/status || fail "the exec lacks no_new_privs"
kill "$exec_pid"
wait "$exec_cli" && rc=0 || rc=$?
[ "$rc" = 143 ] || fail "an exec killed by SIGTERM exited $rc, expected 143"
pass "exec joins every namespace, the cgroup, the capabilities and no_new_privs"

# Exit codes, -e, -w, the container's environment and working directory.
mstat exec box sh -c 'exit 7' && rc=0 || rc=$?
[ "$rc" = 7 ] || fail "exec exit 7 ended with $rc"
[ "$(mstat exec box sh -c 'echo $FROM_RUN:$PWD')" = "1:/tmp" ] ||
	fail "exec lacks the container's environment or working directory: $(mstat exec box sh -c 'echo $FROM_RUN:$PWD')"
[ "$(mstat exec -e FROM_RUN=2 -e EXTRA=x -w /dev box sh -c 'echo $FROM_RUN:$EXTRA:$PWD')" = "2:x:/dev" ] ||
	fail "-e and -w: $(mstat exec -e FROM_RUN=2 -e EXTRA=x -w /dev box sh -c 'echo $FROM_RUN:$EXTRA:$PWD')"
[ "$(echo piped | mstat exec -i box cat)" = piped ] || fail "exec -i did not pass stdin"
mstat exec box no-such-command 2>"$T/missing.err" && rc=0 || rc=$?
[ "$rc" = 127 ] || fail "a missing command exited $rc, expected 127"
grep -q "no-such-command" "$T/missing.err" || fail "the error does not name the command: $(cat "$T/missing.err")"
[ "$(mstat logs box)" = "" ] || fail "exec output went to the container's log: $(mstat logs box)"
pass "exit codes, -e, -w, -i and a missing command"

# -it: a terminal of the size the caller has.
if command -v tmux >/dev/null; then
	TMUX_SOCKET="mstat-it-$$"
	tmux_cmd() {
		LC_ALL=C.UTF-8 tmux -L "$TMUX_SOCKET" -f /dev/null "$@"
	}
	trap 'rc=$?; set +e; tmux_cmd kill-server 2>/dev/null; (exit $rc); cleanup' EXIT
	screen_line() {
		tmux_cmd capture-pane -p -t it | grep -Eq -- "^$1\$"
	}
	# at_host_prompt: the exec ended, so what is typed next reaches bash.
	at_host_prompt() {
		[ "$(tmux_cmd capture-pane -p -t it | grep -v '^$' | tail -n 1)" = 'host$' ]
	}
	tmux_cmd new-session -d -s it -x 90 -y 25 \
		"env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin TERM=tmux-256color PS1='host\$ ' bash --norc --noprofile"
	# The pty's name is not in the container's /dev, so `tty` cannot name
	# it; test -t checks the descriptor itself.
	tmux_cmd send-keys -t it -l "$MSTAT --socket $SOCK exec -it -e 'PS1=box# ' box sh"
	tmux_cmd send-keys -t it Enter
	wait_for 10 screen_line 'box# ?' || fail "exec -it showed no prompt: $(tmux_cmd capture-pane -p -t it)"
	tmux_cmd send-keys -t it -l 'stty size; test -t 0 && echo has-tty; exit 5'
	tmux_cmd send-keys -t it Enter
	wait_for 10 screen_line '25 90' || fail "exec -it size: $(tmux_cmd capture-pane -p -t it)"
	wait_for 10 screen_line has-tty || fail "exec -it has no terminal: $(tmux_cmd capture-pane -p -t it)"
	wait_for 10 at_host_prompt || fail "exec -it did not end: $(tmux_cmd capture-pane -p -t it)"
	tmux_cmd send-keys -t it -l 'echo exec-rc=$?'
	tmux_cmd send-keys -t it Enter
	wait_for 10 screen_line 'exec-rc=5' || fail "exec -it exit code: $(tmux_cmd capture-pane -p -t it)"
	pass "exec -it gives a terminal and passes exit code 5 through"
fi

# A stopped container: a clear error, exit code 1 as docker exec.
mstat stop -t 1 box >/dev/null
mstat exec box true 2>"$T/stopped.err" && rc=0 || rc=$?
[ "$rc" = 1 ] || fail "exec into a stopped container exited $rc, expected 1"
grep -q "is not running" "$T/stopped.err" || fail "exec into a stopped container printed: $(cat "$T/stopped.err")"
pass "exec into a stopped container is an error"

mstat rm box >/dev/null
