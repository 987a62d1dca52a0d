# SPDX-License-Identifier: MIT
# Shared set-up for the integration tests. Each test sources this file and
# gets a private mstatd (own socket, state directory and TCP port) whose
# containers live beneath the test's own cgroup. Everything the test started
# is stopped and removed when it exits. Exit 77 means the test cannot run here.

set -euo pipefail

: "${MSTATD:?MSTATD must point at the mstatd binary}"
: "${MSTAT:?MSTAT must point at the mstat binary}"
: "${MSTAT_TOOLS:?MSTAT_TOOLS must point at the test tools directory}"

skip() {
	echo "SKIP: $*"
	exit 77
}

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

pass() {
	echo "ok: $*"
}

[ "$(id -u)" -eq 0 ] || skip "integration tests need root to create namespaces and cgroups"

# Not under /tmp: containers get a private /tmp, and the load generators in
# $T/bin must be visible inside them through the read-only host root.
T=$(mktemp -d /var/tmp/mstat-it.XXXXXX)
chmod 755 "$T"
TOOLS="$T/bin"
mkdir "$TOOLS"
cp "$MSTAT_TOOLS"/memhog "$MSTAT_TOOLS"/cpuburn "$MSTAT_TOOLS"/forkloop \
	"$MSTAT_TOOLS"/directwrite "$TOOLS"/
AGENT_PID=
SOCK="$T/mstat.sock"
PORT=

cleanup() {
	local rc=$?
	if [ -n "$AGENT_PID" ] && kill -0 "$AGENT_PID" 2>/dev/null; then
		kill -TERM "$AGENT_PID" 2>/dev/null || true
		for _ in $(seq 1 300); do
			kill -0 "$AGENT_PID" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$AGENT_PID" 2>/dev/null; then
			echo "mstatd $AGENT_PID did not exit within 30 s of SIGTERM; killing it" >&2
			kill -KILL "$AGENT_PID" 2>/dev/null || true
			rc=1
		fi
		wait "$AGENT_PID" 2>/dev/null || true
	fi
	if [ $rc -ne 0 ] && [ -f "$T/mstatd.log" ]; then
		echo "--- mstatd log (last 40 lines)" >&2
		tail -n 40 "$T/mstatd.log" >&2
	fi
	rm -rf "$T"
	exit $rc
}
trap cleanup EXIT

# Starts mstatd with the given extra flags and waits until it responds.
start_agent() {
	"$MSTATD" --socket "$SOCK" --state-dir "$T/state" --listen 127.0.0.1:0 \
		--interval "${INTERVAL:-0.5}" "$@" >"$T/mstatd.log" 2>&1 &
	AGENT_PID=$!
	for _ in $(seq 1 100); do
		if [ -S "$SOCK" ] && api GET /healthz >/dev/null 2>&1; then
			PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$T/mstatd.log" | head -n 1)
			[ -n "$PORT" ] || fail "mstatd did not log its TCP port"
			return 0
		fi
		kill -0 "$AGENT_PID" 2>/dev/null || fail "mstatd exited at start: $(cat "$T/mstatd.log")"
		sleep 0.1
	done
	fail "mstatd did not answer on $SOCK within 10 s"
}

mstat() {
	"$MSTAT" --socket "$SOCK" "$@"
}

# api METHOD PATH [curl args...]: the agent's API over the unix socket.
api() {
	local method=$1 path=$2
	shift 2
	curl -sS --fail-with-body --max-time 30 --unix-socket "$SOCK" -X "$method" \
		"http://mstat$path" "$@"
}

# Prints /metrics. Readers that stop early (grep -q) must read a copy, so
# that curl does not fail on a closed pipe under pipefail.
metrics() {
	curl -sS --fail --max-time 10 "http://127.0.0.1:$PORT/metrics"
}

# has_series PATTERN: true when a /metrics line matches the extended regex.
has_series() {
	local text
	text=$(metrics) || return 2
	grep -Eq -- "$1" <<<"$text"
}

# Prints the value of the first series whose line starts with the given
# metric name and contains every given label matcher (name="value").
metric_value() {
	local name=$1 text
	shift
	text=$(metrics) || return 1
	echo "$text" | awk -v name="$name" -v want="$*" '
		BEGIN { n = split(want, w, " ") }
		$0 ~ "^" name "[{ ]" {
			ok = 1
			for (i = 1; i <= n; i++) if (index($0, w[i]) == 0) ok = 0
			if (ok) { print $NF; exit }
		}' || true
}

# wait_for SECONDS COMMAND...: retries COMMAND every 0.2 s until it succeeds.
# MSTAT_TEST_TIME_SCALE (set in the VM, where emulation is slower) stretches
# the limit; it is a bound on waiting, never a measured figure.
wait_for() {
	local limit=$(($1 * ${MSTAT_TEST_TIME_SCALE:-1}))
	shift
	local end=$((SECONDS + limit))
	until "$@"; do
		[ $SECONDS -lt $end ] || return 1
		sleep 0.2
	done
}

# cgroup_exists PATH: true when the cgroup PATH (as in inspect's
# Mstat.CgroupPath) still exists in any hierarchy, v2 or v1.
cgroup_exists() {
	local d
	if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		[ -d "/sys/fs/cgroup$1" ]
		return
	fi
	for d in /sys/fs/cgroup/*/; do
		[ -d "${d%/}$1" ] && return 0
	done
	return 1
}

state_of() {
	mstat inspect --format '{{.State.Status}}' "$1"
}

is_exited() {
	[ "$(state_of "$1")" = exited ]
}
