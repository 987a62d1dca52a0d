#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A real Prometheus server scrapes the agent twice, each time with a fresh
# storage directory: once preferring the protobuf format and once preferring
# text. Its HTTP API must then return the series and values of /metrics for
# a known container, and container_oom_events_total 1 for a container that
# was OOM-killed.
#
# NOTE: Debian 12 ships Prometheus 2.42, which has no scrape_protocols
# setting (added in 2.49). There, --enable-feature=native-histograms puts
# protobuf first in the Accept header, and without it the server requests
# OpenMetrics text first and the text format 0.0.4 second. The test checks
# which format the agent served through mstat_scrapes_total{format=...}.
. "$(dirname "$0")/lib.sh"
command -v prometheus >/dev/null ||
	skip "prometheus is not installed (Debian package prometheus; the VM initramfs leaves out its 50 MB binary)"
command -v curl >/dev/null || skip "curl is not installed"
command -v ss >/dev/null || skip "ss (iproute2) is not installed"
PROM_PID=

stop_prometheus() {
	[ -n "$PROM_PID" ] || return 0
	kill -TERM "$PROM_PID" 2>/dev/null || true
	for _ in $(seq 1 100); do
		kill -0 "$PROM_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$PROM_PID" 2>/dev/null || true
	wait "$PROM_PID" 2>/dev/null || true
	PROM_PID=
}
# Stops prometheus first, then lets lib.sh's cleanup see the exit status.
trap 'status=$?; set +e; stop_prometheus; (exit $status); cleanup' EXIT

INTERVAL=0.5 start_agent

mstat run -d --name steady --memory 64m --cpus 0.5 -- "$TOOLS/cpuburn" 120 >/dev/null
rc=0
mstat run --name hog --memory 32m -- "$TOOLS/memhog" 64 >/dev/null 2>&1 || rc=$?
[ "$rc" = 137 ] || fail "memhog 64 MiB under a 32 MiB limit exited $rc, expected 137"
oom_seen() {
	[ "$(metric_value container_oom_events_total 'name="hog"')" = 1 ]
}
wait_for 10 oom_seen || fail "/metrics has container_oom_events_total '$(metric_value container_oom_events_total 'name="hog"')' for hog"

# free_port: prints a loopback TCP port that no process listens on now.
free_port() {
	local p
	for _ in $(seq 1 50); do
		p=$((20000 + RANDOM % 40000))
		if [ -z "$(ss -Hltn "sport = :$p")" ]; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# prom_query EXPR: the value of the first result of an instant query, or "".
prom_query() {
	curl -sS --max-time 10 --get --data-urlencode "query=$1" \
		"http://127.0.0.1:$PROM_PORT/api/v1/query" |
		sed -n 's/.*"value":\[[0-9.]*,"\([^"]*\)"\].*/\1/p'
}

# start_prometheus [FLAGS...]: a server on loopback scraping the agent every
# second, with a new storage directory.
start_prometheus() {
	local run=$1
	shift
	PROM_PORT=$(free_port) || fail "no free loopback port for prometheus"
	mkdir -p "$T/prom-$run"
	cat >"$T/prom-$run/prometheus.yml" <<-YAML
		global:
		  scrape_interval: 1s
		  scrape_timeout: 1s
		scrape_configs:
		  - job_name: mstat
		    static_configs:
		      - targets: ['127.0.0.1:$PORT']
	YAML
	prometheus --config.file="$T/prom-$run/prometheus.yml" \
		--storage.tsdb.path="$T/prom-$run/data" \
		--web.listen-address="127.0.0.1:$PROM_PORT" "$@" \
		>"$T/prom-$run/log" 2>&1 &
	PROM_PID=$!
	up() {
		[ "$(prom_query 'up{job="mstat"}')" = 1 ]
	}
	wait_for 30 up || fail "prometheus ($run) did not scrape the agent within 30 s: $(tail -n 5 "$T/prom-$run/log")"
}

# check_series RUN: compares what prometheus stored with /metrics.
check_series() {
	local run=$1 name v want got
	local -a names

	# The steady container's metric names on /metrics and in prometheus.
	metrics >"$T/prom-$run/page.txt"
	mapfile -t names < <(grep -E '^container_[a-z_]*\{[^}]*name="steady"' "$T/prom-$run/page.txt" |
		sed 's/{.*//' | sort -u)
	[ "${#names[@]}" -ge 20 ] || fail "only ${#names[@]} metric names for steady on /metrics"
	for name in "${names[@]}"; do
		got=$(prom_query "count($name{name=\"steady\"})")
		want=$(grep -c "^$name{[^}]*name=\"steady\"" "$T/prom-$run/page.txt")
		[ "$got" = "$want" ] || fail "$run: prometheus has '$got' series of $name for steady, /metrics $want"
	done
	pass "$run: prometheus has the ${#names[@]} metric names of steady with the same series counts"

	# Values that do not change between scrapes must be equal.
	for name in container_spec_memory_limit_bytes container_spec_cpu_quota container_spec_cpu_period \
		container_spec_cpu_quota_cpus container_start_time_seconds; do
		want=$(metric_value "$name" 'name="steady"')
		got=$(prom_query "$name{name=\"steady\"}")
		[ -n "$want" ] || fail "/metrics has no $name for steady"
		awk -v a="$got" -v b="$want" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 1e-9 * (b < 0 ? -b : b) + 1e-9) }' ||
			fail "$run: $name of steady is '$got' in prometheus and '$want' on /metrics"
	done
	pass "$run: limits and start time match /metrics"

	# A counter: what prometheus stored is at most the newest value and
	# at least the value 3 s earlier (1 s scrape interval plus slack).
	v=$(metric_value container_cpu_usage_seconds_total 'name="steady"')
	sleep 3
	got=$(prom_query 'container_cpu_usage_seconds_total{name="steady"}')
	want=$(metric_value container_cpu_usage_seconds_total 'name="steady"')
	awk -v g="$got" -v lo="$v" -v hi="$want" 'BEGIN { exit !(g >= lo && g <= hi && g > 0) }' ||
		fail "$run: cpu usage of steady is '$got' in prometheus, outside [$v, $want] from /metrics"
	pass "$run: container_cpu_usage_seconds_total is within one interval of /metrics ($got s)"

	got=$(prom_query 'container_oom_events_total{name="hog"}')
	[ "$got" = 1 ] || fail "$run: container_oom_events_total of hog is '$got' in prometheus, expected 1"
	pass "$run: container_oom_events_total of hog is 1 in prometheus"
}

# served FORMAT: the number of scrapes the agent served in that format.
served() {
	metric_value mstat_scrapes_total "format=\"$1\""
}

before=$(served protobuf)
start_prometheus protobuf --enable-feature=native-histograms
sleep 3 # a few scrapes; the agent's counters are those of its last pass
check_series protobuf
after=$(served protobuf)
[ "${after:-0}" -gt "${before:-0}" ] || fail "the agent served no protobuf scrape (before $before, after $after)"
pass "protobuf: prometheus scraped the protobuf format ($((after - ${before:-0})) scrapes)"
stop_prometheus

before_om=$(served openmetrics)
before_pb=$(served protobuf)
start_prometheus text
sleep 3
check_series text
after_om=$(served openmetrics)
after_pb=$(served protobuf)
[ "${after_om:-0}" -gt "${before_om:-0}" ] || fail "the agent served no text scrape (before $before_om, after $after_om)"
# Scrapes already counted in the page of the previous pass may still land.
[ "$((after_pb - before_pb))" -le 2 ] || fail "the text-only server got protobuf $((after_pb - before_pb)) times"
pass "text: prometheus scraped OpenMetrics text ($((after_om - ${before_om:-0})) scrapes)"
stop_prometheus
