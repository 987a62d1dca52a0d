#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The command line as a docker user expects it: output and exit codes of
# `run`, its options, ps, stop, kill, rm, inspect, and exit code 125 with a
# clear message for mstat's own errors.
. "$(dirname "$0")/lib.sh"
start_agent

# Output streams and the exit code pass through.
rc=0
mstat run --name io -- sh -c 'echo to-stdout; echo to-stderr >&2; exit 3' \
	>"$T/out" 2>"$T/err" || rc=$?
[ "$rc" = 3 ] || fail "exit code $rc, expected 3"
[ "$(cat "$T/out")" = to-stdout ] || fail "stdout was '$(cat "$T/out")'"
[ "$(cat "$T/err")" = to-stderr ] || fail "stderr was '$(cat "$T/err")'"
pass "stdout, stderr and exit code 3 pass through"

# Options reach the container.
out=$(mstat run --rm --hostname box -e FOO=bar -w /tmp -- sh -c 'hostname; echo $FOO; pwd')
[ "$out" = "$(printf 'box\nbar\n/tmp')" ] || fail "hostname/env/workdir gave: $out"
out=$(mstat run --rm -- sh -c "touch $T/probe 2>&1 || echo read-only; touch /tmp/x && echo tmp-ok")
echo "$out" | grep -q read-only || fail "the host root is writable inside: $out"
echo "$out" | grep -q tmp-ok || fail "/tmp is not writable inside: $out"
ifaces=$(mstat run --rm -- cat /proc/net/dev | awk -F: 'NR > 2 { gsub(/ /, "", $1); print $1 }')
[ "$ifaces" = lo ] || fail "--network none shows interfaces: $ifaces"
up=$(mstat run --rm -- cat /sys/class/net/lo/operstate 2>/dev/null || true)
hostifaces=$(mstat run --rm --network host -- cat /proc/net/dev | wc -l)
[ "$hostifaces" = "$(wc -l </proc/net/dev)" ] || fail "--network host does not show the host's interfaces"
pass "hostname, env, workdir, read-only root, /tmp and networks behave ($up)"

# Each container has its own /etc/hostname and /etc/hosts, read-only, as
# with docker; with --network host it keeps the host's /etc/hosts.
# A read-only root without the files keeps lacking them (nothing to mount over).
if [ -e /etc/hostname ]; then
	[ "$(mstat run --rm --hostname box -- cat /etc/hostname)" = box ] || fail "/etc/hostname is not box"
fi
hosts=$(mstat run --rm -- cat /etc/hosts)
grep -q "^127.0.0.1[[:space:]]*localhost" <<<"$hosts" || fail "/etc/hosts lacks localhost: $hosts"
mstat run --rm -- sh -c 'echo x >>/etc/hosts' 2>/dev/null && fail "/etc/hosts is writable inside"
[ "$(mstat run --rm --network host -- cat /etc/hosts)" = "$(cat /etc/hosts)" ] ||
	fail "--network host does not show the host's /etc/hosts"
pass "each container has its own read-only /etc/hostname and /etc/hosts"

# --rm removes the container after it exits.
mstat run --rm --name tmp1 -- true
mstat inspect tmp1 >/dev/null 2>&1 && fail "--rm left tmp1 behind"
pass "--rm removes the container"

# A command that cannot be executed fails the start, as with docker: 127
# when it is missing, 126 when it is not executable, the reason on stderr,
# and the container stays created (removed with --rm).
rc=0
mstat run -d --name missing -- /nonexistent/command >/dev/null 2>"$T/err" || rc=$?
[ "$rc" = 127 ] || fail "run -d of a missing command exited $rc, expected 127"
grep -q "exec /nonexistent/command: No such file or directory" "$T/err" ||
	fail "run -d of a missing command printed: $(cat "$T/err")"
[ "$(state_of missing)" = created ] || fail "the container of a missing command is $(state_of missing)"
rc=0
mstat run --rm --name notexec -- /etc 2>"$T/err" || rc=$?
[ "$rc" = 126 ] || fail "run of a directory exited $rc, expected 126: $(cat "$T/err")"
mstat inspect notexec >/dev/null 2>&1 && fail "--rm left notexec behind after a failed start"
mstat rm missing >/dev/null
pass "a command that cannot be executed fails the start with 127 or 126"

# stop: SIGTERM reaches the command (exit 143); a command that ignores it is
# killed after the grace period (exit 137).
mstat run -d --name polite -- sleep 300 >/dev/null
mstat run -d --name stubborn -- sh -c 'trap "" TERM; while :; do sleep 1; done' >/dev/null
sleep 0.5
mstat stop -t 1 polite stubborn >/dev/null
[ "$(mstat inspect --format '{{.State.ExitCode}}' polite)" = 143 ] ||
	fail "stopped sleep exited $(mstat inspect --format '{{.State.ExitCode}}' polite), expected 143"
[ "$(mstat inspect --format '{{.State.ExitCode}}' stubborn)" = 137 ] ||
	fail "stubborn exited $(mstat inspect --format '{{.State.ExitCode}}' stubborn), expected 137"
pass "stop sends SIGTERM, then kills after the grace period"

mstat run -d --name target -- sleep 300 >/dev/null
mstat kill -s USR1 target >/dev/null
wait_for 10 is_exited target || fail "SIGUSR1 did not end sleep"
[ "$(mstat inspect --format '{{.State.ExitCode}}' target)" = 138 ] || fail "SIGUSR1 exit code is not 138"
pass "kill -s USR1 delivers the signal"

# SIGSTOP and SIGCONT reach the command, not only the init.
mstat run -d --name paused -- sleep 300 >/dev/null
ppid=$(mstat inspect --format '{{.State.Pid}}' paused)
child=$(cat "/proc/$ppid/task/$ppid/children" | awk '{ print $1 }')
[ -n "$child" ] || fail "no child of the init $ppid"
mstat kill -s STOP paused >/dev/null
proc_state() {
	awk '/^State:/ { print $2 }' "/proc/$1/status"
}
stopped() {
	[ "$(proc_state "$child")" = T ]
}
wait_for 5 stopped || fail "sleep is in state $(proc_state "$child") after SIGSTOP"
mstat kill -s CONT paused >/dev/null
running() {
	[ "$(proc_state "$child")" != T ]
}
wait_for 5 running || fail "sleep stayed stopped after SIGCONT"
mstat rm -f paused >/dev/null
pass "kill -s STOP and CONT act on the command"

# ps lists running containers; -a adds exited ones.
mstat run -d --name runner -- sleep 300 >/dev/null
mstat ps | grep -q ' runner$' || fail "ps does not list runner"
mstat ps | grep -q ' polite$' && fail "ps lists the exited container polite"
mstat ps -a | grep -q ' polite$' || fail "ps -a does not list polite"
mstat ps -a | grep polite | grep -q 'Exited (143)' || fail "ps -a status of polite is wrong"
pass "ps and ps -a"

# inspect shapes.
mstat inspect runner | jq -e '.[0].State.Running == true and .[0].Name == "/runner"' >/dev/null ||
	fail "inspect JSON shape"
mstat inspect --format '{{json .State}}' runner | jq -e '.Status == "running"' >/dev/null ||
	fail "{{json .State}} is not the State object"
pass "inspect and --format"

# rm of a running container is refused; rm -f removes it.
rc=0
mstat rm runner 2>"$T/rm.err" || rc=$?
[ "$rc" != 0 ] || fail "rm of a running container succeeded"
grep -qi running "$T/rm.err" || fail "rm error does not say the container is running: $(cat "$T/rm.err")"
mstat rm -f runner >/dev/null
mstat inspect runner >/dev/null 2>&1 && fail "rm -f did not remove runner"
pass "rm refuses a running container, rm -f removes it"

# mstat's own errors exit 125 and name the value.
check_125() {
	local want=$1
	shift
	local rc=0
	mstat "$@" >/dev/null 2>"$T/e" || rc=$?
	[ "$rc" = 125 ] || fail "mstat $* exited $rc, expected 125"
	grep -q -- "$want" "$T/e" || fail "mstat $* error does not mention '$want': $(cat "$T/e")"
}
check_125 10x run --memory 10x -- true
check_125 abc run --cpus abc -- true
check_125 'bad name' run --name 'bad name' -- true
mstat run -d --name dup -- sleep 300 >/dev/null
check_125 dup run --name dup -- true
rc=0
"$MSTAT" --socket "$T/nonexistent.sock" ps >/dev/null 2>"$T/e" || rc=$?
[ "$rc" = 125 ] || fail "ps with no agent exited $rc"
grep -q nonexistent.sock "$T/e" || fail "no-agent error does not name the socket"
pass "mstat errors exit 125 and name the value"

# The agent survived all of it.
mstat inspect --format '{{.State.Status}}' dup | grep -qx running || fail "dup is not running"
