#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Restart policies (on-failure with a limit, always, unless-stopped across an
# agent restart, cancellation by stop and kill), `mstat restart`, `mstat start`
# and run-time limit changes with `mstat update`: the cgroup, inspect,
# /metrics and the restart and update events.
. "$(dirname "$0")/lib.sh"
start_agent

restart_count() {
	mstat inspect --format '{{.RestartCount}}' "$1"
}

count_is() {
	[ "$(restart_count "$1")" = "$2" ]
}

# cgroup_file NAME FILE: a cgroup file of a running container, found through
# its init's /proc/PID/cgroup (on hybrid hosts the controllers' paths differ).
cgroup_file() {
	local pid path controllers controller=${2%%.*}
	pid=$(mstat inspect --format '{{.State.Pid}}' "$1")
	if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		path=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
		cat "/sys/fs/cgroup$path/$2"
		return
	fi
	while IFS=: read -r _ controllers path; do
		case ",$controllers," in
		*",$controller,"*) cat "/sys/fs/cgroup/$controller$path/$2" && return ;;
		esac
	done <"/proc/$pid/cgroup"
	return 1
}

# --- on-failure with a retry limit: three runs, two restarts, then exited.
since=$(date +%s)
mstat run -d --name flaky --restart on-failure:2 -- sh -c 'exit 3' >/dev/null
wait_for 20 count_is flaky 2 || fail "on-failure:2 made $(restart_count flaky) restarts, expected 2"
wait_for 10 is_exited flaky || fail "flaky is $(state_of flaky) after its last retry"
sleep 1
[ "$(restart_count flaky)" = 2 ] || fail "on-failure:2 went on restarting: $(restart_count flaky)"
[ "$(mstat inspect --format '{{.State.ExitCode}}' flaky)" = 3 ] || fail "flaky's exit code is not 3"
policy=$(mstat inspect --format '{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}' flaky)
[ "$policy" = on-failure:2 ] || fail "inspect shows the restart policy as $policy"
mstat events --since "$since" --until "$(($(date +%s) + 1))" --filter container=flaky \
	--format '{{.Action}} {{index .Actor.Attributes "restartCount"}}' >"$T/flaky.events"
[ "$(grep -c '^die' "$T/flaky.events")" = 3 ] || fail "expected 3 die events: $(cat "$T/flaky.events")"
grep -qx 'restart 1' "$T/flaky.events" || fail "no restart event with count 1: $(cat "$T/flaky.events")"
grep -qx 'restart 2' "$T/flaky.events" || fail "no restart event with count 2: $(cat "$T/flaky.events")"
pass "on-failure:2 restarts twice, counts and reports each restart"

# A successful exit ends on-failure at once.
mstat run -d --name fine --restart on-failure -- true >/dev/null
wait_for 10 is_exited fine || fail "fine did not exit"
sleep 0.5
[ "$(restart_count fine)" = 0 ] || fail "on-failure restarted a container that exited 0"
pass "on-failure does not restart after exit code 0"

# --- always: restarts after exit 0, with growing delays; stop ends it.
mstat run -d --name loop --restart always -- sh -c 'sleep 0.2' >/dev/null
at_least() {
	[ "$(restart_count "$1")" -ge "$2" ]
}
wait_for 20 at_least loop 3 || fail "always made only $(restart_count loop) restarts in 20 s"
mstat stop -t 1 loop >/dev/null
wait_for 10 is_exited loop || fail "loop is $(state_of loop) after stop"
stopped_at=$(restart_count loop)
sleep 2
[ "$(restart_count loop)" = "$stopped_at" ] || fail "always went on restarting after stop"
is_exited loop || fail "loop is $(state_of loop) 2 s after stop"
pass "always restarts after each exit; stop ends the restarts"

# A kill also ends the policy (dockerd does the same).
mstat run -d --name victim --restart always -- sleep 300 >/dev/null
mstat kill victim >/dev/null
wait_for 10 is_exited victim || fail "victim is $(state_of victim) after kill"
sleep 1
is_exited victim || fail "always restarted a killed container"
pass "kill ends the always policy"

# --- the crash loop backs off: a container that fails at once restarts
# fewer than 10 times in 3 s (100, 200, 400, 800, 1600 ms delays).
mstat run -d --name crash --restart always -- false >/dev/null
sleep 3
n=$(restart_count crash)
[ "$n" -ge 3 ] && [ "$n" -le 6 ] || fail "crash loop made $n restarts in 3 s, expected 3 to 6"
status=$(mstat ps -a | grep -o 'Restarting ([0-9]*) [^ ]* [^ ]* ago\|Up [^ ]* [^ ]*' | head -n 1 || true)
mstat rm crash >/dev/null 2>&1 && fail "rm of a restarting or running container without -f succeeded"
mstat rm -f crash >/dev/null || fail "rm -f crash failed"
pass "crash loop backs off ($n restarts in 3 s, last status '$status'); rm -f removes it"

# --- mstat restart and mstat start.
mstat run -d --name web --restart on-failure:5 -- sleep 300 >/dev/null
pid1=$(mstat inspect --format '{{.State.Pid}}' web)
mstat restart -t 1 web >/dev/null
pid2=$(mstat inspect --format '{{.State.Pid}}' web)
[ "$(state_of web)" = running ] || fail "web is $(state_of web) after restart"
[ "$pid1" != "$pid2" ] || fail "restart kept pid $pid1"
[ "$(restart_count web)" = 0 ] || fail "a manual restart counted as a policy restart"
mstat stop -t 1 web >/dev/null
mstat start web >/dev/null
[ "$(state_of web)" = running ] || fail "start left web $(state_of web)"
mstat events --since "$since" --until "$(($(date +%s) + 1))" --filter container=web \
	--filter event=restart --format '{{.Action}}' | grep -qx restart ||
	fail "mstat restart sent no restart event"
pass "mstat restart gives a new process and a restart event; mstat start starts it again"

# --- update: a running container gets the new limits in its cgroup.
mstat run -d --name box -m 64m --pids-limit 20 -- sleep 300 >/dev/null
mstat update --memory 128m --memory-swap 256m --pids-limit 50 --cpus 0.5 --restart unless-stopped box >/dev/null ||
	fail "update failed"
[ "$(mstat inspect --format '{{.HostConfig.Memory}}' box)" = 134217728 ] || fail "inspect shows the old memory limit"
[ "$(mstat inspect --format '{{.HostConfig.PidsLimit}}' box)" = 50 ] || fail "inspect shows the old pids limit"
[ "$(mstat inspect --format '{{.HostConfig.RestartPolicy.Name}}' box)" = unless-stopped ] ||
	fail "inspect shows the old restart policy"
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
	[ "$(cgroup_file box memory.max)" = 134217728 ] || fail "memory.max is $(cgroup_file box memory.max)"
	[ "$(cgroup_file box memory.swap.max)" = 134217728 ] || fail "memory.swap.max is $(cgroup_file box memory.swap.max)"
	[ "$(cgroup_file box cpu.max)" = "50000 100000" ] || fail "cpu.max is $(cgroup_file box cpu.max)"
else
	[ "$(cgroup_file box memory.limit_in_bytes)" = 134217728 ] ||
		fail "memory.limit_in_bytes is $(cgroup_file box memory.limit_in_bytes)"
	[ "$(cgroup_file box cpu.cfs_quota_us)" = 50000 ] || fail "cpu.cfs_quota_us is $(cgroup_file box cpu.cfs_quota_us)"
fi
[ "$(cgroup_file box pids.max)" = 50 ] || fail "pids.max is $(cgroup_file box pids.max)"
limit_is_128m() {
	[ "$(metric_value container_spec_memory_limit_bytes 'name="box"')" = 134217728 ]
}
# Limit files are read every tenth pass, but the pass after an update reads
# them at once. At the 0.5 s interval, 3 s is ample for that pass.
wait_for 3 limit_is_128m || fail "/metrics shows memory limit $(metric_value container_spec_memory_limit_bytes 'name="box"')"
mstat events --since "$since" --until "$(($(date +%s) + 1))" --filter container=box --filter event=limit-change \
	--format '{{index .Actor.Attributes "memoryMax"}} {{index .Actor.Attributes "pidsMax"}} {{index .Actor.Attributes "restartPolicy"}}' \
	>"$T/box.events"
grep -qx '134217728 50 unless-stopped' "$T/box.events" || fail "update event: $(cat "$T/box.events")"
pass "update writes memory, swap, cpu and pids limits to the cgroup, inspect, /metrics and an event"

# Fields that are not given stay as they are; 0 keeps a limit (docker's rule).
mstat update --cpus 0 --memory 0 box >/dev/null
[ "$(mstat inspect --format '{{.HostConfig.Memory}}' box)" = 134217728 ] || fail "--memory 0 changed the limit"
[ "$(mstat inspect --format '{{.HostConfig.NanoCpus}}' box)" = 500000000 ] || fail "--cpus 0 changed the quota"
pass "update with 0 keeps the limits"

# Bad updates are rejected with the value named, and change nothing.
expect_error() {
	local want=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	[ "$rc" -ne 0 ] || fail "'$*' succeeded"
	grep -q -- "$want" <<<"$out" || fail "'$*' said: $out (expected '$want')"
}
expect_error 'invalid value "10x" for -m, --memory' mstat update --memory 10x box
expect_error '"mstat update" needs at least one flag' mstat update box
expect_error 'invalid value "sometimes" for --restart' mstat update --restart sometimes box
expect_error 'No such container: nobox' mstat update --memory 1g nobox
expect_error 'MemorySwap' mstat update --memory-swap 100m box
expect_error "'Memory': expected an integer" api POST /v1/containers/box/update -d '{"Memory":"1g"}'
expect_error 'invalid JSON' api POST /v1/containers/box/update -d '{'
mstat run -d --name gone --rm -- sleep 300 >/dev/null
expect_error 'cannot have the restart policy always' mstat update --restart always gone
expect_error 'conflicting options --rm and --restart' mstat run --rm --restart always -- true
[ "$(mstat inspect --format '{{.HostConfig.Memory}}' box)" = 134217728 ] || fail "a rejected update changed box"
[ "$(state_of box)" = running ] || fail "box is $(state_of box) after rejected updates"
pass "bad updates are rejected with clear messages and change nothing"

# An update of an exited container applies to its next run.
mstat stop -t 1 web >/dev/null
mstat update --memory 96m web >/dev/null
mstat start web >/dev/null
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
	got=$(cgroup_file web memory.max)
else
	got=$(cgroup_file web memory.limit_in_bytes)
fi
[ "$got" = 100663296 ] || fail "the next run of web has memory limit $got"
pass "an update of an exited container applies to its next run"

# --- agent restart: unless-stopped comes back; stopped by hand it stays
# exited; always comes back even when stopped by hand (as with dockerd).
mstat run -d --name keeper --restart unless-stopped -- sleep 300 >/dev/null
mstat run -d --name resting --restart unless-stopped -- sleep 300 >/dev/null
mstat run -d --name stubborn --restart always -- sleep 300 >/dev/null
mstat run -d --name looper --restart always -- sh -c 'sleep 0.3' >/dev/null
mstat stop -t 1 resting stubborn looper >/dev/null
looper_before=$(restart_count looper)
kill -TERM "$AGENT_PID"
wait "$AGENT_PID" 2>/dev/null || true
AGENT_PID=
mv "$T/mstatd.log" "$T/mstatd.first.log"
start_agent
is_running() {
	[ "$(state_of "$1")" = running ]
}
wait_for 10 is_running keeper || fail "unless-stopped keeper is $(state_of keeper) after the agent restart"
wait_for 10 is_running stubborn || fail "always stubborn is $(state_of stubborn) after the agent restart"
sleep 1
is_exited resting || fail "unless-stopped resting, stopped by hand, is $(state_of resting)"
[ "$(state_of box)" = running ] || fail "box (unless-stopped after update) is $(state_of box)"
# The start at load clears the manual stop, so looper keeps restarting.
looper_went_on() {
	[ "$(restart_count looper)" -ge $((looper_before + 2)) ]
}
wait_for 10 looper_went_on ||
	fail "always looper made $(restart_count looper) restarts after the agent restart (before: $looper_before)"
pass "after an agent restart, unless-stopped and always containers run again, a stopped one stays"

# --- a crash of mstatd (SIGKILL). At the next start, the processes it left
# are killed and their cgroups removed, as dockerd without live-restore does.
# Then unless-stopped containers start again.
mstat run -d --name orphan -- sleep 300 >/dev/null
mstat run -d --name phoenix --restart unless-stopped -- sleep 300 >/dev/null
orphan_pid=$(mstat inspect --format '{{.State.Pid}}' orphan)
phoenix_pid=$(mstat inspect --format '{{.State.Pid}}' phoenix)
kill -KILL "$AGENT_PID"
wait "$AGENT_PID" 2>/dev/null || true
AGENT_PID=
kill -0 "$orphan_pid" 2>/dev/null || fail "orphan's init $orphan_pid died with mstatd; the test needs it alive"
mv "$T/mstatd.log" "$T/mstatd.second.log"
start_agent
gone() {
	! kill -0 "$1" 2>/dev/null
}
wait_for 10 gone "$orphan_pid" || fail "orphan's init $orphan_pid still runs after the agent restart"
wait_for 10 gone "$phoenix_pid" || fail "phoenix's old init $phoenix_pid still runs"
is_exited orphan || fail "orphan is $(state_of orphan) after the crash"
[ "$(mstat inspect --format '{{.State.ExitCode}}' orphan)" = 137 ] ||
	fail "orphan's exit code is $(mstat inspect --format '{{.State.ExitCode}}' orphan), expected 137"
wait_for 10 is_running phoenix || fail "unless-stopped phoenix is $(state_of phoenix) after the crash"
[ "$(mstat inspect --format '{{.State.Pid}}' phoenix)" != "$phoenix_pid" ] || fail "phoenix kept its old pid"
grep -q "was running when the last mstatd died; killing its" "$T/mstatd.log" ||
	fail "the agent did not log the killed leftovers: $(tail -n 5 "$T/mstatd.log")"
pass "after a crash of mstatd, leftover processes are killed and unless-stopped starts again"

for c in keeper stubborn looper box web gone orphan phoenix; do
	mstat rm -f "$c" >/dev/null 2>&1 || true
done
