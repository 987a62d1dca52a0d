#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# --pids-limit 20: a fork loop never has more than 20 processes in the
# container, counting the init and the loop itself.
. "$(dirname "$0")/lib.sh"
start_agent

mstat run -d --name forks --pids-limit 20 -- "$TOOLS/forkloop" 60 3000 >/dev/null
max=0
for _ in $(seq 1 10); do
	v=$(metric_value container_threads 'name="forks"')
	[ -n "$v" ] && [ "$v" -gt "$max" ] && max=$v
	sleep 0.3
done
wait_for 20 is_exited forks || fail "forkloop did not finish"
out=$(api GET "/v1/containers/forks/logs?stdout=1" --output - | tr -d '\000-\010')
echo "$out"
forked=$(echo "$out" | sed -n 's/.*forked \([0-9]*\) failed \([0-9]*\).*/\1/p')
failed=$(echo "$out" | sed -n 's/.*forked \([0-9]*\) failed \([0-9]*\).*/\2/p')
[ -n "$forked" ] || fail "no forkloop output"
# 18 children + forkloop + init = 20.
[ "$forked" -le 18 ] || fail "forked $forked children under a limit of 20 processes"
[ "$failed" -ge 1 ] || fail "no fork failed under the limit"
[ "$max" -le 20 ] || fail "container_threads reached $max"
pass "forked $forked, refused $failed, at most $max processes seen"

limit=$(mstat inspect --format '{{.HostConfig.PidsLimit}}' forks)
[ "$limit" = 20 ] || fail "HostConfig.PidsLimit is $limit"
