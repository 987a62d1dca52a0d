#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Measures a private mstatd (1 s interval): RSS, open descriptors and CPU use
# idle and with each container count of COUNTS, and /metrics scrapes per
# format (latency, bytes, agent CPU per scrape) at each count. Then the same
# scrapes of Debian's prometheus-node-exporter on a loopback port, and the
# churn of CHURN short `mstat run --rm` containers with RSS and descriptors
# before and after. Prints "key=value" records, one line per figure set.
# Usage: MSTATD=... MSTAT=... MSTAT_TOOLS=... bench/agent.sh [COUNTS] [CHURN]
# COUNTS is a comma list (default 10,100,1000; each 1..2000); CHURN 0..10000.
set -euo pipefail
COUNTS=${1:-10,100,1000}
CHURN=${2:-1000}
CHURN_MAX_S=${CHURN_MAX_S:-300}
IDLE_S=${IDLE_S:-10}
SCRAPES=${SCRAPES:-100}
INTERVAL=1
. "$(dirname "$0")/../tests/integration/lib.sh"
command -v curl >/dev/null || skip "curl is not installed"
[ "$CHURN" -ge 0 ] && [ "$CHURN" -le 10000 ] || fail "invalid churn count $CHURN: expected 0 to 10000"

hz=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# perf stat's task-clock has nanosecond resolution where clock ticks have
# 10 ms; it works without hardware counters.
PERF=
perf stat -e task-clock -x, -o /dev/null true 2>/dev/null && PERF=perf

# cpu_ms PID COMMAND...: runs COMMAND and prints the CPU time PID used
# meanwhile, in ms, on the last line of $T/cpu_ms.
cpu_ms() {
	local pid=$1 c0 c1
	shift
	if [ -n "$PERF" ]; then
		perf stat -e task-clock -x, -p "$pid" -o "$T/perf" -- "$@"
		awk -F, '$3 ~ /task-clock/ { print $1 }' "$T/perf" >"$T/cpu_ms"
	else
		c0=$(cpu_ticks "$pid")
		"$@"
		c1=$(cpu_ticks "$pid")
		echo "$(((c1 - c0) * 1000 / hz))" >"$T/cpu_ms"
	fi
}
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
n_fds() { ls "/proc/$1/fd" | wc -l; }

# usage LABEL: RSS, descriptors and CPU % of one core over IDLE_S seconds.
usage() {
	local t0 t1
	t0=$(date +%s.%N)
	cpu_ms "$AGENT_PID" sleep "$IDLE_S"
	t1=$(date +%s.%N)
	awk -v l="$1" -v ms="$(cat "$T/cpu_ms")" -v t0="$t0" -v t1="$t1" \
		-v rss="$(rss_kib "$AGENT_PID")" -v fds="$(n_fds "$AGENT_PID")" 'BEGIN {
		printf "agent containers=%s rss_kib=%d fds=%d cpu_percent=%.2f\n",
			l, rss, fds, ms / 10 / (t1 - t0) }'
}

# scrape NAME PID URL [curl args]: SCRAPES scrapes on one connection. Prints
# the median and 95th percentile latency, bytes, series and the CPU time of
# PID per scrape, less its idle rate (IDLE_PERCENT) over the same time.
scrape() {
	local name=$1 pid=$2 url=$3 urls=() t0 t1 series
	shift 3
	for _ in $(seq 1 "$SCRAPES"); do urls+=(-o /dev/null "$url"); done
	# Series are counted in the text format, whatever format is measured.
	series=$(curl -sS --max-time 30 "${url}" | grep -vc '^#' || true)
	t0=$(date +%s.%N)
	cpu_ms "$pid" curl -sS --max-time 120 "$@" -w '%{time_total} %{size_download}\n' \
		"${urls[@]}" >"$T/times"
	t1=$(date +%s.%N)
	sort -n "$T/times" | awk -v n="$name" -v ms="$(cat "$T/cpu_ms")" -v k="$SCRAPES" \
		-v s="$series" -v idle="${IDLE_PERCENT:-0}" -v t0="$t0" -v t1="$t1" '
		{ t[NR] = $1; b = $2 }
		END {
			cpu = (ms / 1000 - idle / 100 * (t1 - t0)) / k * 1e6
			if (cpu < 0) cpu = 0
			printf "scrape %s series=%d bytes=%d median_ms=%.3f p95_ms=%.3f cpu_us=%.0f cpu_us_per_series=%.3f\n",
				n, s, b, t[int((NR + 1) / 2)] * 1000, t[int(NR * 0.95 + 0.5)] * 1000,
				cpu, s ? cpu / s : 0
		}'
}

# first_scrape NAME URL [curl args]: latency of a scrape just after a new
# snapshot, when the page is rendered, as the median of 5.
first_scrape() {
	local name=$1 url=$2
	shift 2
	for _ in 1 2 3 4 5; do
		sleep 1.05
		curl -sS --max-time 30 "$@" -o /dev/null -w '%{time_total}\n' "$url"
	done | sort -n | awk -v n="$name" '{ t[NR] = $1 } END {
		printf "first_scrape %s median_ms=%.3f\n", n, t[3] * 1000 }'
}

scrape_formats() {
	local url="http://127.0.0.1:$PORT/metrics" label=$1
	local om='application/openmetrics-text; version=1.0.0'
	local pb='application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited'
	scrape "exporter=mstat containers=$label format=text" "$AGENT_PID" "$url"
	scrape "exporter=mstat containers=$label format=openmetrics" "$AGENT_PID" "$url" -H "Accept: $om"
	scrape "exporter=mstat containers=$label format=protobuf" "$AGENT_PID" "$url" -H "Accept: $pb"
	scrape "exporter=mstat containers=$label format=text+gzip" "$AGENT_PID" "$url" -H 'Accept-Encoding: gzip'
	first_scrape "exporter=mstat containers=$label format=text" "$url"
	first_scrape "exporter=mstat containers=$label format=text+gzip" "$url" -H 'Accept-Encoding: gzip'
}

# NOTE: mstatd refused connections (ECONNREFUSED) after about 40 back-to-back
# `mstat run -d` calls on the test machine, so each start is retried.
run_idle() {
	for _ in $(seq 1 20); do
		mstat run -d --name "idle-$1" -- sleep 3600 >/dev/null 2>&1 && return 0
		mstat inspect "idle-$1" >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	fail "starting idle-$1 failed 20 times"
}

start_agent --stop-timeout 2
sleep 3
IDLE_PERCENT=0
usage 0
running=0
for n in ${COUNTS//,/ }; do
	[ "$n" -ge 1 ] && [ "$n" -le 2000 ] || fail "invalid container count $n: expected 1 to 2000"
	t0=$SECONDS
	while [ "$running" -lt "$n" ]; do
		running=$((running + 1))
		run_idle "$running"
	done
	echo "started containers=$n seconds=$((SECONDS - t0))"
	sleep 2
	line=$(usage "$n")
	echo "$line"
	IDLE_PERCENT=$(sed 's/.*cpu_percent=//' <<<"$line")
	scrape_formats "$n"
done

# node_exporter with its default collectors, on a free loopback port.
if command -v prometheus-node-exporter >/dev/null; then
	NE_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	prometheus-node-exporter --web.listen-address="127.0.0.1:$NE_PORT" >"$T/ne.log" 2>&1 &
	NE_PID=$!
	trap 'rc=$?; set +e; kill "$NE_PID" 2>/dev/null; wait "$NE_PID" 2>/dev/null; (exit $rc); cleanup' EXIT
	wait_for 10 curl -sf -o /dev/null "http://127.0.0.1:$NE_PORT/metrics" ||
		fail "node_exporter did not answer: $(tail -n 5 "$T/ne.log")"
	scrape "exporter=node_exporter format=text" "$NE_PID" "http://127.0.0.1:$NE_PORT/metrics"
	scrape "exporter=node_exporter format=text+gzip" "$NE_PID" "http://127.0.0.1:$NE_PORT/metrics" \
		-H 'Accept-Encoding: gzip'
	echo "node_exporter_rss rss_kib=$(rss_kib "$NE_PID")"
	kill "$NE_PID"
	wait "$NE_PID" 2>/dev/null || true
else
	echo "node_exporter missing: run scripts/bench-deps.sh"
fi

# Churn: the idle containers stay; each short one is created, runs
# /bin/true and is removed.
churn() {
	sleep 2
	echo "churn before rss_kib=$(rss_kib "$AGENT_PID") fds=$(n_fds "$AGENT_PID")"
	t0=$(date +%s.%N)
	done_n=0
	end=$((SECONDS + CHURN_MAX_S))
	while [ "$done_n" -lt "$CHURN" ] && [ "$SECONDS" -lt "$end" ]; do
		mstat run --rm -- /bin/true >/dev/null 2>&1 || echo "churn: run $done_n failed" >&2
		done_n=$((done_n + 1))
	done
	t1=$(date +%s.%N)
	sleep 3
	left=$(mstat ps -a -q 2>/dev/null | wc -l)
	awk -v n="$done_n" -v t0="$t0" -v t1="$t1" -v rss="$(rss_kib "$AGENT_PID")" \
		-v fds="$(n_fds "$AGENT_PID")" -v left="$left" 'BEGIN {
		printf "churn after containers=%d seconds=%.1f per_container_ms=%.1f rss_kib=%d fds=%d listed=%d\n",
			n, t1 - t0, (t1 - t0) / n * 1000, rss, fds, left }'
}
[ "$CHURN" -eq 0 ] || churn

# Every container cgroup must be gone once mstatd has stopped its
# containers and exited. Only the cgroups of this agent's containers are
# looked for: the default parent may be shared with other agents.
mstat ps -a -q --no-trunc >"$T/ids" 2>/dev/null || true
kill -TERM "$AGENT_PID"
wait "$AGENT_PID" 2>/dev/null || true
AGENT_PID=
left_cgroups=$(find /sys/fs/cgroup -mindepth 2 -maxdepth 8 -type d 2>/dev/null |
	grep -F -f "$T/ids" | wc -l || true)
echo "cleanup containers=$(wc -l <"$T/ids") cgroups_left=$left_cgroups"
