#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# --memory 100m: 50 MiB fits; 150 MiB is OOM-killed with exit code 137,
# OOMKilled set, and one OOM event on /metrics.
. "$(dirname "$0")/lib.sh"
start_agent

mstat run --name fits --memory 100m -- "$TOOLS/memhog" 50 >"$T/fits.out" ||
	fail "allocating 50 MiB under a 100 MiB limit failed with exit code $?"
[ "$(tail -n 1 "$T/fits.out")" = 50 ] || fail "memhog stopped at $(tail -n 1 "$T/fits.out") MiB"
pass "50 MiB under a 100 MiB limit exits 0"

rc=0
mstat run --name hog --memory 100m -- "$TOOLS/memhog" 150 >"$T/hog.out" || rc=$?
[ "$rc" = 137 ] || fail "allocating 150 MiB under 100 MiB exited $rc, expected 137"
reached=$(tail -n 1 "$T/hog.out")
[ "$reached" -lt 150 ] || fail "memhog reached $reached MiB under a 100 MiB limit"
oom=$(mstat inspect --format '{{.State.OOMKilled}}' hog)
[ "$oom" = true ] || fail "State.OOMKilled is '$oom'"
pass "150 MiB is OOM-killed at $reached MiB: exit 137, OOMKilled true"

limit=$(mstat inspect --format '{{.HostConfig.Memory}}' hog)
[ "$limit" = 104857600 ] || fail "HostConfig.Memory is $limit"

count_oom() {
	[ "$(metric_value container_oom_events_total 'name="hog"')" = 1 ]
}
wait_for 5 count_oom || fail "container_oom_events_total for hog is '$(metric_value container_oom_events_total 'name="hog"')', expected 1"
fits=$(metric_value container_oom_events_total 'name="fits"')
[ "${fits:-0}" = 0 ] || fail "container_oom_events_total for fits is $fits"
pass "container_oom_events_total is 1 for hog and 0 for fits"
