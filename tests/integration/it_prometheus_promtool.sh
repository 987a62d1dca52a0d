#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# /metrics of a live agent with several containers: `promtool check metrics`
# accepts the text page, each Accept header gets its format and content type,
# gzip is served when asked for, and methods other than GET and HEAD get 405.
. "$(dirname "$0")/lib.sh"
command -v promtool >/dev/null ||
	skip "promtool is not installed (Debian package prometheus, copied into the test VM from the host)"
command -v curl >/dev/null || skip "curl is not installed"
start_agent --label-allow team --label-allow app.tier

mstat run -d --name burn --cpus 0.5 --label team=web --label app.tier=front --label secret=x \
	-- "$TOOLS/cpuburn" 60 >/dev/null
mstat run -d --name mem --memory 64m -- "$TOOLS/memhog" 16 60000 >/dev/null
mstat run -d --name idle -- sleep 60 >/dev/null
mstat run --name done -- true >/dev/null

have_four() {
	[ "$(metrics | grep -c '^container_cpu_usage_seconds_total{')" -ge 4 ]
}
wait_for 10 have_four || fail "fewer than 4 containers on /metrics: $(metrics | grep '^container_cpu_usage_seconds_total')"

# promtool exits 3 for lint findings only, 1 for parse errors. The one lint
# finding expected is cAdvisor's container_memory_failcnt (a counter without
# _total), which exists on cgroup v1 only.
metrics >"$T/page.txt"
rc=0
promtool check metrics <"$T/page.txt" >"$T/lint.txt" 2>&1 || rc=$?
if [ "$rc" != 0 ]; then
	[ "$rc" = 3 ] || fail "promtool check metrics exited $rc: $(cat "$T/lint.txt")"
	unexpected=$(grep -v '^container_memory_failcnt counter metrics should have "_total" suffix$' "$T/lint.txt" || true)
	[ -z "$unexpected" ] || fail "promtool check metrics: $unexpected"
fi
pass "promtool check metrics accepts the text page ($(grep -vc '^#' "$T/page.txt") series)"

grep -q '^container_cpu_usage_seconds_total{container_label_app_tier="front",container_label_team="web",cpu="total",id="[^"]*",name="burn"} ' "$T/page.txt" ||
	fail "allow-listed labels missing: $(grep '^container_cpu_usage_seconds_total{.*name="burn"' "$T/page.txt")"
! grep -q 'secret' "$T/page.txt" || fail "a label that is not allow-listed is on /metrics"
grep -q '^container_cpu_usage_seconds_total{cpu="total",id="[^"]*",name="idle"} ' "$T/page.txt" ||
	fail "a container without labels has extra labels: $(grep 'name="idle"' "$T/page.txt" | head -n 1)"
[ "$(mstat inspect --format '{{.Config.Labels.team}}' burn)" = web ] ||
	fail "inspect shows Config.Labels.team '$(mstat inspect --format '{{.Config.Labels.team}}' burn)'"
pass "only allow-listed container labels are exported, as container_label_KEY"

# content_type ACCEPT: the Content-Type of /metrics for that Accept header.
content_type() {
	curl -sS --max-time 10 -o /dev/null -w '%{content_type}' -H "Accept: $1" \
		"http://127.0.0.1:$PORT/metrics"
}
ct=$(content_type 'text/plain;version=0.0.4')
[[ "$ct" == "text/plain; version=0.0.4"* ]] || fail "text Content-Type is '$ct'"
ct=$(content_type 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5')
[[ "$ct" == "application/openmetrics-text; version=1.0.0"* ]] || fail "OpenMetrics Content-Type is '$ct'"
ct=$(content_type 'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.8,text/plain;q=0.5')
[[ "$ct" == "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited" ]] ||
	fail "protobuf Content-Type is '$ct'"
ct=$(content_type 'application/x-unknown')
[[ "$ct" == "text/plain; version=0.0.4"* ]] || fail "an unknown Accept got '$ct'"
pass "Accept selects text, OpenMetrics or protobuf, and text otherwise"

curl -sS --max-time 10 -H 'Accept: application/openmetrics-text;version=1.0.0' \
	"http://127.0.0.1:$PORT/metrics" >"$T/page.om"
[ "$(tail -n 1 "$T/page.om")" = "# EOF" ] || fail "the OpenMetrics page does not end with # EOF"
grep -q '^# TYPE container_cpu_usage_seconds counter$' "$T/page.om" ||
	fail "the OpenMetrics page does not name the counter family without _total"
pass "OpenMetrics ends with # EOF and names counter families without _total"

curl -sS --max-time 10 -D "$T/gzip.head" -H 'Accept-Encoding: gzip' \
	"http://127.0.0.1:$PORT/metrics" >"$T/page.gz"
grep -qi '^content-encoding: gzip' "$T/gzip.head" || fail "no Content-Encoding: gzip: $(cat "$T/gzip.head")"
gunzip -c "$T/page.gz" >"$T/page.unzipped" || fail "the gzip page is not valid gzip"
grep -q '^container_cpu_usage_seconds_total{' "$T/page.unzipped" ||
	fail "the gzip page does not decompress into the text format"
pass "gzip is served when Accept-Encoding allows it"

code=$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' -I "http://127.0.0.1:$PORT/metrics")
[ "$code" = 200 ] || fail "HEAD /metrics returned $code"
for method in POST PUT DELETE; do
	code=$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' -X "$method" "http://127.0.0.1:$PORT/metrics")
	[ "$code" = 405 ] || fail "$method /metrics returned $code, expected 405"
done
pass "HEAD is 200; POST, PUT and DELETE are 405"

body=$(curl -sS --max-time 10 "http://127.0.0.1:$PORT/")
grep -q 'href="/metrics"' <<<"$body" || fail "the landing page does not link to /metrics"
pass "/ links to /metrics"
