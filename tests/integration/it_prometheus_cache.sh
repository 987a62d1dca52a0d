#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The /metrics page of one snapshot is rendered once per format and encoding.
# Within one collection pass, repeated scrapes return the same bytes, because
# mstat_scrapes_total inside the page would change on a new rendering. Each
# format keeps its own page, and no scrape waits for a collection pass.
. "$(dirname "$0")/lib.sh"
INTERVAL=10 start_agent

mstat run -d --name idle -- sleep 120 >/dev/null
listed() {
	has_series '^container_start_time_seconds\{.*name="idle"'
}
wait_for 15 listed || fail "idle is not on /metrics"

# scrape NAME ACCEPT [ACCEPT_ENCODING]: saves the page as $T/NAME and prints
# the time the request took in seconds.
scrape() {
	curl -sS --fail --max-time 10 -o "$T/$1" -w '%{time_total}' -H "Accept: $2" \
		-H "Accept-Encoding: ${3:-identity}" "http://127.0.0.1:$PORT/metrics"
}

text='text/plain;version=0.0.4'
om='application/openmetrics-text;version=1.0.0'
pb='application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited'

# same_round: scrapes every kind three times and succeeds when each kind
# returned the same bytes each time. A collection pass (every 10 s) between
# two scrapes of a round spoils that round only.
same_round() {
	local n t kind
	for n in 1 2 3; do
		for t in "$(scrape "text.$n" "$text")" "$(scrape "om.$n" "$om")" \
			"$(scrape "pb.$n" "$pb")" "$(scrape "gz.$n" "$text" gzip)"; do
			awk -v t="$t" 'BEGIN { exit !(t < 2) }' || fail "a scrape took $t s"
		done
	done
	for kind in text om pb gz; do
		cmp -s "$T/$kind.1" "$T/$kind.2" && cmp -s "$T/$kind.1" "$T/$kind.3" || return 1
	done
}
same=false
for _ in 1 2 3; do
	if same_round; then
		same=true
		break
	fi
done
[ "$same" = true ] || fail "in three rounds, repeated scrapes never returned the same page"
cmp -s "$T/text.1" "$T/om.1" && fail "the text and OpenMetrics pages are the same bytes"
pass "each format and encoding is rendered once per snapshot and reused"

# A new snapshot (the container stops) renders a new page.
mstat stop -t 1 idle >/dev/null
changed() {
	scrape text.4 "$text" >/dev/null
	! cmp -s "$T/text.1" "$T/text.4"
}
wait_for 15 changed || fail "/metrics did not change after the container stopped"
pass "a new snapshot gets a new page"
