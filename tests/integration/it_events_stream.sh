#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# GET /v1/events and `mstat events`: the lifecycle of an OOM-killed
# container in order, every field of its oom event (the victim checked
# against the kernel log), three kills in a row as three events counted 1 to
# 3, one event for a kill in a nested cgroup, replay with since and until,
# filters, a live follower, and stop, kill and destroy events.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/events_lib.sh"
trap 'rc=$?; [ -n "${FOLLOW_PID:-}" ] && kill "$FOLLOW_PID" 2>/dev/null; remove_nested; (exit $rc); cleanup' EXIT

command -v jq >/dev/null || skip "jq is not installed"
start_agent
T0=$(date +%s)

# A follower that connects before anything happens gets every event live.
FOLLOW_PID=
curl -sSN --max-time 120 --unix-socket "$SOCK" "http://mstat/v1/events" >"$T/follow" &
FOLLOW_PID=$!
sleep 0.5

# events QUERY: the kept events from T0 up to now, as JSON lines.
events() {
	api GET "/v1/events?since=$T0&until=$EPOCHREALTIME$1"
}

# oom_events NAME: the oom events of container NAME.
oom_events() {
	events "&filter=container=$1&filter=event=oom"
}

run_oom_once hog
id=$(mstat inspect --format '{{.Id}}' hog)

actions=$(events "&filter=container=hog" | jq -r .Action | tr '\n' ' ')
[ "$actions" = "create start oom die " ] || fail "events of hog are '$actions', expected create start oom die"
pass "hog gives create, start, oom, die in order"

ev=$(oom_events hog)
[ "$(echo "$ev" | wc -l)" = 1 ] || fail "expected one oom event for hog, got: $ev"
a() { echo "$ev" | jq -r ".Actor.Attributes.$1"; }
[ "$(echo "$ev" | jq -r .Type)" = container ] || fail "Type is $(echo "$ev" | jq -r .Type)"
[ "$(echo "$ev" | jq -r .status)" = oom ] || fail "status is $(echo "$ev" | jq -r .status)"
[ "$(echo "$ev" | jq -r .id)" = "$id" ] || fail "id is $(echo "$ev" | jq -r .id), expected $id"
[ "$(echo "$ev" | jq -r .Actor.ID)" = "$id" ] || fail "Actor.ID is $(echo "$ev" | jq -r .Actor.ID)"
t=$(echo "$ev" | jq -r .time)
tn=$(echo "$ev" | jq -r .timeNano)
[ "$t" -ge "$T0" ] && [ "$t" -le "$(date +%s)" ] || fail "time $t is not between $T0 and now"
[ "$((tn / 1000000000))" = "$t" ] || fail "timeNano $tn does not match time $t"
[ "$(a name)" = hog ] || fail "name is $(a name)"
case "$(a cgroupPath)" in
*/"$id") ;;
*) fail "cgroupPath $(a cgroupPath) does not end with the container id" ;;
esac
limit=$((EV_LIMIT_MIB * 1024 * 1024))
[ "$(a memoryMax)" = "$limit" ] || fail "memoryMax is $(a memoryMax), expected $limit"
peak=$(a memoryPeak)
[ "$peak" -le "$limit" ] && [ "$peak" -ge $((limit * 9 / 10)) ] ||
	fail "memoryPeak $peak is not within 90-100 % of the $limit limit"
usage=$(a memoryUsage)
[ "$usage" -le "$limit" ] || fail "memoryUsage $usage is above the limit $limit"
for key in anon file shmem swapMax; do
	[[ "$(a $key)" =~ ^([0-9]+|max)$ ]] || fail "$key is '$(a $key)', expected a number"
done
[ "$(a oomKillCount)" = 1 ] || fail "oomKillCount is $(a oomKillCount), expected 1"
if [ -r /dev/kmsg ]; then
	[ "$(a victimComm)" = memhog ] || fail "victimComm is '$(a victimComm)', expected memhog"
	victim_in_kmsg "$(a victimPid)" || fail "the kernel log has no 'Killed process $(a victimPid) (memhog)'"
	pass "oom event of hog: every field, victim $(a victimPid) as in the kernel log"
else
	[ "$(a victimPid)" = null ] || fail "victimPid is set although /dev/kmsg is unreadable"
	pass "oom event of hog: every field; /dev/kmsg is unreadable, so no victim"
fi
die=$(events "&filter=container=hog&filter=event=exit")
[ "$(echo "$die" | jq -r .Actor.Attributes.exitCode)" = 137 ] || fail "die event: $die"
[ "$(echo "$die" | jq -r .Actor.Attributes.signal)" = 9 ] || fail "die event: $die"
pass "die event of hog has exitCode 137 and signal 9"

run_oom_thrice thrice
counts=$(oom_events thrice | jq -r .Actor.Attributes.oomKillCount | tr '\n' ' ')
[ "$counts" = "1 2 3 " ] || fail "oom events of thrice count '$counts', expected 1 2 3"
if [ -r /dev/kmsg ]; then
	pids=$(oom_events thrice | jq -r .Actor.Attributes.victimPid | sort -u | wc -l)
	[ "$pids" = 3 ] || fail "the three oom events of thrice name $pids distinct victims"
fi
pass "three kills in a row give three oom events counted 1, 2, 3"

run_oom_nested nest
ev=$(oom_events nest)
[ "$(echo "$ev" | wc -l)" = 1 ] || fail "expected one oom event for the nested kill, got: $ev"
[ "$(a oomKillCount)" = 1 ] || fail "nested kill: oomKillCount is $(a oomKillCount)"
if [ -r /dev/kmsg ]; then
	[ "$(a victimComm)" = memhog ] || fail "nested kill: victimComm is '$(a victimComm)'"
fi
pass "a kill in a nested cgroup gives one oom event"

# The CLI: filters, a template, and docker's default line.
names=$(mstat events --since "$T0" --until "$EPOCHREALTIME" --filter event=oom \
	--format '{{.Actor.Attributes.name}}' | tr '\n' ' ')
[ "$names" = "hog thrice thrice thrice nest " ] || fail "mstat events --filter event=oom printed '$names'"
line=$(mstat events --since "$T0" --until "$EPOCHREALTIME" --filter container=hog --filter event=die)
[[ "$line" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}Z\ container\ die\ $id\ \(.*exitCode=137.*name=hog ]] ||
	fail "mstat events default line: '$line'"
actions=$(mstat events --since 10m --until 0s --filter container=hog --format '{{.Action}}' | tr '\n' ' ')
[ "$actions" = "create start oom die " ] || fail "mstat events --since 10m --until 0s printed '$actions'"
pass "mstat events filters, formats, takes durations and prints docker's line"

# stop, kill and destroy.
mstat run -d --name sleeper -- sleep 600 >/dev/null
mstat kill -s 28 sleeper >/dev/null
mstat stop -t 5 sleeper >/dev/null
mstat rm sleeper >/dev/null
actions=$(events "&filter=container=sleeper" | jq -r .Action | tr '\n' ' ')
# As dockerd: stop sends a kill event for its SIGTERM, and its stop event
# follows the die event.
[ "$actions" = "create start kill kill die stop destroy " ] || fail "events of sleeper are '$actions'"
sigs=$(events "&filter=container=sleeper&filter=event=kill" | jq -r .Actor.Attributes.signal | tr '\n' ' ')
[ "$sigs" = "28 15 " ] || fail "kill event signals are '$sigs', expected 28 (SIGWINCH, which sleep ignores), then 15"
pass "kill, stop and rm give kill, kill, die, stop and destroy events"

# The follower saw the same oom events live.
wait_for 5 eval '[ "$(jq -r "select(.Action == \"oom\") | .Actor.Attributes.name" "$T/follow" | tr "\n" " ")" = "hog thrice thrice thrice nest " ]' ||
	fail "the live follower got oom events: $(jq -r 'select(.Action == "oom") | .Actor.Attributes.name' "$T/follow" | tr '\n' ' ')"
kill "$FOLLOW_PID"
FOLLOW_PID=
pass "a live follower gets the same events"

if api GET "/v1/events?since=yesterday" >/dev/null 2>&1; then
	fail "since=yesterday was accepted"
fi
if api GET "/v1/events?filter=image=busybox&until=1" >/dev/null 2>&1; then
	fail "filter=image=busybox was accepted"
fi
pass "invalid since and filter are rejected"
