#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Bad input gets a 400 or a CLI error that names what the user typed, and
# docker-compatible corners behave as docker's: create Warnings for ignored
# fields, inspect's effective MemorySwap, `rm -f` of a missing container and
# `stats --format json`.
. "$(dirname "$0")/lib.sh"
start_agent

# create_status FILE: POSTs the create body in FILE, prints the HTTP status
# and leaves the reply in $T/reply.
create_status() {
	curl -sS --max-time 30 --unix-socket "$SOCK" -o "$T/reply" -w '%{http_code}' \
		-X POST -H 'Content-Type: application/json' --data-binary "@$1" \
		http://mstat/v1/containers/create
}

# expect_create_error STATUS BODY_FILE TEXT...: the create fails with STATUS
# and a message that contains every TEXT.
expect_create_error() {
	local want=$1 file=$2 status message
	shift 2
	status=$(create_status "$file")
	message=$(jq -r .message "$T/reply")
	[ "$status" = "$want" ] || fail "create $(head -c 120 "$file") returned $status ($message), expected $want"
	for text in "$@"; do
		grep -qF -- "$text" <<<"$message" || fail "create message '$message' lacks '$text'"
	done
}

# A missing root filesystem is the client's error.
echo '{"Cmd":["true"],"Rootfs":"/nonexistent"}' >"$T/body"
expect_create_error 400 "$T/body" Rootfs /nonexistent
echo '{"Cmd":["true"],"WorkingDir":"rel"}' >"$T/body"
expect_create_error 400 "$T/body" "invalid WorkingDir 'rel'"
echo '{"Cmd":["true"],"HostConfig":{"NanoCpus":1000000}}' >"$T/body"
expect_create_error 400 "$T/body" "invalid NanoCpus 1000000"
echo '{"Cmd":["true"],"HostConfig":{"CpuShares":1}}' >"$T/body"
expect_create_error 400 "$T/body" "invalid CpuShares 1"
pass "spec errors are 400 and name the API field"

# One 900 KB environment string is over MAX_ARG_STRLEN (131072 bytes).
big=$(printf '%*s' 900000 '' | tr ' ' x)
printf '{"Cmd":["true"],"Env":["BIG=%s"]}' "$big" >"$T/body"
expect_create_error 400 "$T/body" "Env[0]" 131072
printf '{"Cmd":["echo","%s"]}' "${big:0:131072}" >"$T/body"
expect_create_error 400 "$T/body" "Cmd[1]" 131072
printf '{"Cmd":["echo","%s"]}' "${big:0:131071}" >"$T/body"
[ "$(create_status "$T/body")" = 201 ] || fail "a 131071-byte argument was rejected: $(cat "$T/reply")"
longest=$(jq -r .Id "$T/reply")
# The total of 1 MiB is checked by the unit tests: mstatd's 1 MiB limit on
# a request body rejects such a body before it is parsed.
pass "oversized Cmd and Env are rejected at create"

# The CLI checks its own flags and names them.
expect_run_error() {
	local text=$1
	shift
	if mstat run "$@" -- true >"$T/out" 2>"$T/err"; then
		fail "mstat run $* succeeded"
	fi
	grep -qF -- "$text" "$T/err" || fail "mstat run $* printed '$(cat "$T/err")', expected '$text'"
}
expect_run_error "--cpus must be at least 0.01" --cpus 0.001
expect_run_error "--cpu-shares must be from 2 to 262144" -c 1
expect_run_error "for -w, --workdir: the working directory must be an absolute path" -w rel
expect_run_error "expected a size, or -1 for unlimited swap" -m 1g --memory-swap -2
pass "run flag errors name the flag"

# Fields a docker client may send that mstat ignores each get a warning.
cat >"$T/body" <<'JSON'
{"Cmd":["true"],"Image":"alpine","HostConfig":{"Privileged":true,"Binds":["/a:/b"],
 "CapAdd":["NET_ADMIN"],"RestartPolicy":{"Name":"always"},"PortBindings":{},"Mounts":[]}}
JSON
status=$(create_status "$T/body")
[ "$status" = 201 ] || fail "create with ignored fields returned $status: $(cat "$T/reply")"
id=$(jq -r .Id "$T/reply")
warnings=$(jq -r '.Warnings[]' "$T/reply")
for field in Image HostConfig.Privileged HostConfig.Binds HostConfig.CapAdd; do
	grep -q "^$field is not supported" <<<"$warnings" || fail "no warning for $field in: $warnings"
done
[ "$(jq '.Warnings | length' "$T/reply")" = 4 ] || fail "expected 4 warnings, got: $warnings"
echo '{"Cmd":["true"],"HostConfig":{"RestartPolicy":{"Name":"no"}}}' >"$T/body"
[ "$(create_status "$T/body")" = 201 ] || fail "plain create failed: $(cat "$T/reply")"
[ "$(jq -c .Warnings "$T/reply")" = "[]" ] || fail "plain create warned: $(cat "$T/reply")"
plain=$(jq -r .Id "$T/reply")
pass "ignored create fields produce Warnings"

# inspect reports MemorySwap as dockerd stores it.
echo '{"Cmd":["true"],"HostConfig":{"Memory":67108864}}' >"$T/body"
[ "$(create_status "$T/body")" = 201 ] || fail "create with Memory failed: $(cat "$T/reply")"
swap=$(mstat inspect --format '{{.HostConfig.MemorySwap}}' "$(jq -r .Id "$T/reply")")
[ "$swap" = 134217728 ] || fail "MemorySwap is $swap, expected twice Memory (134217728)"
echo '{"Cmd":["true"],"HostConfig":{"Memory":67108864,"MemorySwap":-1}}' >"$T/body"
[ "$(create_status "$T/body")" = 201 ] || fail "create with swap -1 failed: $(cat "$T/reply")"
swap=$(mstat inspect --format '{{.HostConfig.MemorySwap}}' "$(jq -r .Id "$T/reply")")
[ "$swap" = -1 ] || fail "MemorySwap is $swap, expected -1"
pass "inspect reports the effective MemorySwap"

# docker rm -f (docker/cli cli/command/container/rm.go) prints a "No such
# container" error on stderr and exits 0; without -f it exits 1.
rc=0
mstat rm -f nosuch >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" = 0 ] || fail "rm -f nosuch exited $rc: $(cat "$T/err")"
[ ! -s "$T/out" ] || fail "rm -f nosuch printed on stdout: $(cat "$T/out")"
grep -qiF "no such container: nosuch" "$T/err" || fail "rm -f nosuch printed '$(cat "$T/err")'"
rc=0
mstat rm nosuch >/dev/null 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "rm nosuch exited $rc, expected 1"
mstat rm -f "$id" "$plain" "$longest" >/dev/null
pass "rm -f of a missing container matches docker"

# stats --format json prints one JSON object per container.
mstat run -d --name statsjson -- sleep 60 >/dev/null
has_row() {
	mstat stats --no-stream --format json >"$T/stats" 2>&1 &&
		jq -e 'select(.Name == "statsjson")' "$T/stats" >/dev/null 2>&1
}
wait_for 10 has_row || fail "stats --format json printed: $(cat "$T/stats")"
grep -qx json "$T/stats" && fail "stats --format json printed the word json"
mstat rm -f statsjson >/dev/null
pass "stats --format json prints JSON"

# Bad events queries name the value and list what is valid.
out=$(curl -sS --max-time 10 --unix-socket "$SOCK" 'http://mstat/v1/events?filter=event=bogus')
grep -q "'event=bogus'" <<<"$out" || fail "a bad event filter got: $out"
grep -q "limit-change" <<<"$out" || fail "the filter message does not list the kinds: $out"
out=$(curl -sS --max-time 10 --unix-socket "$SOCK" 'http://mstat/v1/events?since=10m')
grep -q "'10m' is not Unix seconds" <<<"$out" || fail "a bad since got: $out"
pass "bad events queries name the value"

# since after until is an error naming both, for events and logs alike.
out=$(curl -sS --max-time 10 --unix-socket "$SOCK" 'http://mstat/v1/events?since=100&until=50')
grep -q "since 100 is after until 50" <<<"$out" || fail "events with since after until got: $out"
rc=0
mstat events --since 5m --until 10m >/dev/null 2>"$T/err" || rc=$?
[ "$rc" != 0 ] || fail "mstat events --since 5m --until 10m succeeded"
grep -q "is after until" "$T/err" || fail "events --since 5m --until 10m printed: $(cat "$T/err")"
mstat run --name logq -- true >/dev/null
out=$(curl -sS --max-time 10 --unix-socket "$SOCK" 'http://mstat/v1/containers/logq/logs?since=100&until=50')
grep -q "since 100 is after until 50" <<<"$out" || fail "logs with since after until got: $out"
out=$(curl -sS --max-time 10 --unix-socket "$SOCK" 'http://mstat/v1/containers/logq/logs?tail=-3')
grep -q "invalid value '-3' for query parameter 'tail'" <<<"$out" || fail "logs tail=-3 got: $out"
pass "reversed times and bad logs queries name the values"

# A name with a NUL byte is rejected, not cut short.
code=$(curl -sS --max-time 10 --unix-socket "$SOCK" -o "$T/out" -w '%{http_code}' \
	-H 'Content-Type: application/json' -d '{"Cmd":["true"]}' \
	'http://mstat/v1/containers/create?name=%00x')
[ "$code" = 400 ] || fail "create with name=%00x got $code: $(cat "$T/out")"
grep -q "NUL byte" "$T/out" || fail "create with name=%00x said: $(cat "$T/out")"
pass "a container name with a NUL byte is a 400"

# A --socket path that is no socket is named as such.
rc=0
mstat --socket "$T" ps >/dev/null 2>"$T/err" || rc=$?
[ "$rc" = 125 ] || fail "--socket DIR exited $rc"
grep -q "it is no socket" "$T/err" || fail "--socket DIR printed: $(cat "$T/err")"
pass "--socket pointing at a directory is named as no socket"

# Flags may follow the container names, as with docker: -t is a flag, and
# its value is no container name or id prefix.
mstat run -d --name late -- sleep 60 >/dev/null
mstat stop late -t 1 >"$T/out" 2>"$T/err" || fail "stop late -t 1 failed: $(cat "$T/err")"
[ "$(cat "$T/out")" = late ] || fail "stop late -t 1 printed: $(cat "$T/out") $(cat "$T/err")"
[ "$(mstat inspect late --format '{{.State.Status}}')" = exited ] ||
	fail "inspect late --format printed: $(mstat inspect late --format '{{.State.Status}}' 2>&1)"
[ "$(mstat logs logq --tail 1 2>&1)" = "" ] || fail "logs logq --tail 1 printed: $(mstat logs logq --tail 1 2>&1)"
mstat update late --memory 64m >/dev/null 2>"$T/err" || fail "update late --memory 64m: $(cat "$T/err")"
mstat rm late logq -f >/dev/null || fail "rm late logq -f failed"
pass "flags after container names are read as flags"
