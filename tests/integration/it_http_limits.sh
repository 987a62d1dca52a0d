#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Idle TCP connections do not starve scrapes: with 100 idle connections held
# open to the metrics listener, /healthz and /metrics still respond at once.
. "$(dirname "$0")/lib.sh"
start_agent

fds=()
for _ in $(seq 1 100); do
	exec {fd}<>"/dev/tcp/127.0.0.1/$PORT" || fail "connection to 127.0.0.1:$PORT failed"
	fds+=("$fd")
done
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$PORT/healthz" || true)
[ "$code" = 200 ] || fail "/healthz gave '$code' with 100 idle connections open"
metrics | grep -q '^mstat_build_info' || fail "/metrics failed with 100 idle connections open"
for fd in "${fds[@]}"; do
	exec {fd}>&-
done
pass "100 idle connections do not block /healthz and /metrics"

code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X POST "http://127.0.0.1:$PORT/metrics" || true)
[ "$code" = 405 ] || fail "POST /metrics gave $code, expected 405"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$PORT/v1/containers" || true)
[ "$code" = 404 ] || fail "the API answered on TCP with $code, expected 404"
pass "the TCP listener rejects other methods and the API"
