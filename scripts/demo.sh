#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The main job end to end: builds mstat, starts mstatd on its defaults (unless
# one already responds on /run/mstat/mstat.sock), runs a demo container limited
# to 64 MiB and half a CPU that holds about 30 MB and spins, and shows
# `mstat stats` for it for DEMO_SECONDS (default 10). Then it removes the
# container and stops the mstatd it started; pass --keep to leave both running.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
keep=0
[ "${1:-}" = --keep ] && keep=1

scripts/build.sh
build=${MSTAT_BUILD_DIR:-build}
mstatd="$build/agent/mstatd"
mstat="$build/cli/mstat"

agent_pid=
if ! "$mstat" ps >/dev/null 2>&1; then
	mkdir -p /run/mstat
	"$mstatd" >/run/mstat/mstatd.log 2>&1 &
	agent_pid=$!
	for _ in $(seq 1 50); do
		"$mstat" ps >/dev/null 2>&1 && break
		sleep 0.1
	done
	echo "mstatd started (pid $agent_pid, log /run/mstat/mstatd.log)"
fi

cleanup() {
	[ $keep = 1 ] && return
	"$mstat" rm -f demo >/dev/null 2>&1 || true
	if [ -n "$agent_pid" ]; then
		kill -TERM "$agent_pid" 2>/dev/null || true
		wait "$agent_pid" 2>/dev/null || true
	fi
}
trap cleanup EXIT

"$mstat" rm -f demo >/dev/null 2>&1 || true
"$mstat" run -d --name demo --memory 64m --cpus 0.5 -- \
	sh -c 'x=$(head -c 30000000 /dev/zero | tr "\0" a); while :; do :; done'
sleep 2
echo
echo "\$ mstat stats demo    (for ${DEMO_SECONDS:-10} s)"
timeout "${DEMO_SECONDS:-10}" "$mstat" stats demo || true
echo
echo "\$ curl -s 127.0.0.1:6782/metrics | grep 'name=\"demo\"' | head"
curl -s 127.0.0.1:6782/metrics | grep 'name="demo"' | head || true
if [ $keep = 1 ]; then
	echo "The demo container and mstatd keep running: $mstat stats, $mstat rm -f demo."
fi
