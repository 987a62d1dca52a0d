#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A removed container disappears from /metrics and from the stats stream,
# and its cgroup is gone.
. "$(dirname "$0")/lib.sh"
start_agent

id=$(mstat run -d --name gone -- sleep 300)
mstat run -d --name stays -- sleep 300 >/dev/null
seen() {
	has_series 'name="gone"'
}
wait_for 10 seen || fail "gone never appeared on /metrics"
cgpath=$(mstat inspect --format '{{.Mstat.CgroupPath}}' gone)
[ -n "$cgpath" ] || fail "no cgroup path in inspect"
names=$(api GET "/v1/stats?stream=false" | jq -r .name)
grep -qx /gone <<<"$names" || fail "gone is not in the stats stream"
pass "running container is on /metrics and in the stream"

mstat rm -f gone >/dev/null
has_series 'name="gone"' && fail "gone is still on /metrics after rm"
has_series 'name="stays"' || fail "stays vanished from /metrics"
names=$(api GET "/v1/stats?stream=false" | jq -r .name)
grep -qx /gone <<<"$names" && fail "gone is still in the stats stream"
grep -qx /stays <<<"$names" || fail "stays is not in the stats stream"
cgroup_exists "$cgpath" && fail "cgroup $cgpath still exists"
mstat inspect gone >/dev/null 2>&1 && fail "inspect still finds gone"
pass "removed container is gone from /metrics, the stream and the cgroup tree"
