#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# OOM kills in journald: a real systemd-journald from Debian's package runs
# in a private mount namespace (tmpfs on /run, /run/systemd/journal,
# /run/log/journal and /var/log/journal, so the host's journal is not
# touched), next to mstatd. The entry of one kill is read back with
# `journalctl -o json MESSAGE_ID=...` and every field is checked. Three kills
# in a row give three entries counted 1 to 3, and a kill in a nested cgroup
# gives one entry. The catalog passes `journalctl --update-catalog` in a temporary
# root, and `journalctl -x` shows its text for the entry.
set -euo pipefail

JOURNALD=/lib/systemd/systemd-journald
OOM_ID=5a133430e8864b7abcacef7b52a8bde7
DIE_ID=3635179dbdd54cddb17cf748ec96f9c6

if [ -z "${MSTAT_EVENTS_NS:-}" ]; then
	# Checked before lib.sh creates anything, so that a skip leaves nothing.
	[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root for a mount namespace"; exit 77; }
	[ -x "$JOURNALD" ] || { echo "SKIP: $JOURNALD is missing, so this system has no journald to test against (Debian's systemd package; the test VM copies it from the host)"; exit 77; }
	for tool in journalctl unshare jq; do
		command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
	done
	exec env MSTAT_EVENTS_NS=1 unshare --mount --propagation private bash "$0" "$@"
fi

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/events_lib.sh"

JOURNALD_PID=
stop_journald() {
	[ -n "$JOURNALD_PID" ] || return 0
	kill -TERM "$JOURNALD_PID" 2>/dev/null || true
	for _ in $(seq 1 50); do
		kill -0 "$JOURNALD_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$JOURNALD_PID" 2>/dev/null || true
	wait "$JOURNALD_PID" 2>/dev/null || true
	JOURNALD_PID=
}

# Stops mstatd first, so that its last events reach journald, then
# journald, then runs lib.sh's cleanup, which exits with rc.
cleanup_with_journal() {
	local rc=$?
	remove_nested
	if [ -n "$AGENT_PID" ] && kill -0 "$AGENT_PID" 2>/dev/null; then
		kill -TERM "$AGENT_PID" 2>/dev/null || true
		for _ in $(seq 1 300); do
			kill -0 "$AGENT_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$AGENT_PID" 2>/dev/null && rc=1
		wait "$AGENT_PID" 2>/dev/null || true
		AGENT_PID=
	fi
	stop_journald
	(exit $rc)
	cleanup
}

# Everything mounted here vanishes with this namespace.
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /run/systemd/journal /run/log/journal
mount -t tmpfs -o mode=755 tmpfs /run/systemd/journal
mount -t tmpfs -o mode=2755 tmpfs /run/log/journal
if [ -d /var/log/journal ]; then
	mount -t tmpfs -o mode=2755 tmpfs /var/log/journal
fi

SYSTEMD_LOG_TARGET=console "$JOURNALD" >"$T/journald.log" 2>&1 &
JOURNALD_PID=$!
trap cleanup_with_journal EXIT
wait_for 10 test -S /run/systemd/journal/socket ||
	fail "systemd-journald did not create its socket: $(cat "$T/journald.log")"
pass "systemd-journald $JOURNALD_PID runs in a private mount namespace"

start_agent

# entries ID NAME: the journal entries with MESSAGE_ID=ID for container NAME.
entries() {
	journalctl --no-pager -o json "MESSAGE_ID=$1" "CONTAINER_NAME=$2" 2>/dev/null
}
entry_count() {
	entries "$1" "$2" | grep -c . || true
}

run_oom_once hog
id=$(mstat inspect --format '{{.Id}}' hog)
wait_for 10 eval '[ "$(entry_count $OOM_ID hog)" -ge 1 ]' || fail "no journal entry with MESSAGE_ID=$OOM_ID for hog"
[ "$(entry_count $OOM_ID hog)" = 1 ] || fail "expected one OOM entry for hog, got $(entry_count $OOM_ID hog)"
e=$(entries $OOM_ID hog)
f() { echo "$e" | jq -r ".$1"; }
limit=$((EV_LIMIT_MIB * 1024 * 1024))
[ "$(f MESSAGE_ID)" = $OOM_ID ] || fail "MESSAGE_ID is $(f MESSAGE_ID)"
[ "$(f PRIORITY)" = 4 ] || fail "PRIORITY is $(f PRIORITY), expected 4 (warning)"
[ "$(f SYSLOG_IDENTIFIER)" = mstatd ] || fail "SYSLOG_IDENTIFIER is $(f SYSLOG_IDENTIFIER)"
[ "$(f MSTAT_EVENT)" = oom ] || fail "MSTAT_EVENT is $(f MSTAT_EVENT)"
[ "$(f CONTAINER_NAME)" = hog ] || fail "CONTAINER_NAME is $(f CONTAINER_NAME)"
[ "$(f CONTAINER_ID)" = "${id:0:12}" ] || fail "CONTAINER_ID is $(f CONTAINER_ID), expected ${id:0:12}"
[ "$(f CONTAINER_ID_FULL)" = "$id" ] || fail "CONTAINER_ID_FULL is $(f CONTAINER_ID_FULL), expected $id"
case "$(f CGROUP_PATH)" in
*/"$id") ;;
*) fail "CGROUP_PATH $(f CGROUP_PATH) does not end with the container id" ;;
esac
[ "$(f MEMORY_MAX)" = "$limit" ] || fail "MEMORY_MAX is $(f MEMORY_MAX), expected $limit"
peak=$(f MEMORY_PEAK)
[ "$peak" -le "$limit" ] && [ "$peak" -ge $((limit * 9 / 10)) ] ||
	fail "MEMORY_PEAK $peak is not within 90-100 % of $limit"
[ "$(f MEMORY_USAGE)" -le "$limit" ] || fail "MEMORY_USAGE $(f MEMORY_USAGE) is above $limit"
for key in MEMORY_ANON MEMORY_FILE MEMORY_SHMEM MEMORY_SWAP_MAX; do
	[[ "$(f $key)" =~ ^([0-9]+|max)$ ]] || fail "$key is '$(f $key)', expected a number"
done
[ "$(f OOM_KILL_COUNT)" = 1 ] || fail "OOM_KILL_COUNT is $(f OOM_KILL_COUNT), expected 1"
[ "$(f OOM_VICTIM_COMM)" = memhog ] || fail "OOM_VICTIM_COMM is '$(f OOM_VICTIM_COMM)'"
victim=$(f OOM_VICTIM_PID)
victim_in_kmsg "$victim" || fail "the kernel log has no 'Killed process $victim (memhog)'"
msg_re="^container hog was OOM-killed: memhog \(pid $victim\) at [0-9.]+ MiB of $EV_LIMIT_MIB\.0 MiB$"
[[ "$(f MESSAGE)" =~ $msg_re ]] || fail "MESSAGE is '$(f MESSAGE)'"
pass "OOM entry of hog: every field, victim $victim as in the kernel log"

wait_for 10 eval '[ "$(entry_count $DIE_ID hog)" = 1 ]' || fail "no exit entry for hog"
d=$(entries $DIE_ID hog)
[ "$(echo "$d" | jq -r .EXIT_CODE)" = 137 ] || fail "exit entry: EXIT_CODE $(echo "$d" | jq -r .EXIT_CODE)"
[ "$(echo "$d" | jq -r .PRIORITY)" = 5 ] || fail "exit entry: PRIORITY $(echo "$d" | jq -r .PRIORITY)"
pass "exit entry of hog has EXIT_CODE 137"

run_oom_thrice thrice
wait_for 10 eval '[ "$(entry_count $OOM_ID thrice)" -ge 3 ]' || fail "thrice has $(entry_count $OOM_ID thrice) OOM entries, expected 3"
counts=$(entries $OOM_ID thrice | jq -r .OOM_KILL_COUNT | tr '\n' ' ')
[ "$counts" = "1 2 3 " ] || fail "OOM entries of thrice count '$counts', expected 1 2 3"
pass "three kills in a row give three entries counted 1, 2, 3"

run_oom_nested nest
wait_for 10 eval '[ "$(entry_count $OOM_ID nest)" -ge 1 ]' || fail "no OOM entry for the nested kill"
sleep 1
[ "$(entry_count $OOM_ID nest)" = 1 ] || fail "the nested kill gave $(entry_count $OOM_ID nest) entries"
pass "a kill in a nested cgroup gives one entry"

# The catalog, compiled in a temporary root. journalctl -x reads the
# compiled catalog only from /var/lib/systemd/catalog/database (systemd 252
# ignores --root there), so the temporary one is bind-mounted over that
# directory in this private mount namespace.
R="$T/root"
mkdir -p "$R/usr/lib/systemd/catalog"
cp "$MSTAT_SOURCE/deploy/mstat.catalog" "$R/usr/lib/systemd/catalog/"
journalctl --root="$R" --update-catalog || fail "journalctl --update-catalog rejected deploy/mstat.catalog"
[ -s "$R/var/lib/systemd/catalog/database" ] || fail "no catalog database in $R"
ids=$(journalctl --root="$R" --list-catalog | grep -c ' mstat: ' || true)
[ "$ids" = 9 ] || fail "the catalog lists $ids mstat entries, expected 9"
[ -d /var/lib/systemd/catalog ] || fail "/var/lib/systemd/catalog is missing; reinstall Debian's systemd package"
mount --bind "$R/var/lib/systemd/catalog" /var/lib/systemd/catalog
x=$(journalctl -x --no-pager MESSAGE_ID=$OOM_ID CONTAINER_NAME=hog)
umount /var/lib/systemd/catalog
grep -q "Subject: Container hog was OOM-killed" <<<"$x" || fail "journalctl -x shows no catalog subject: $x"
grep -q "memory limit of $limit bytes" <<<"$x" || fail "journalctl -x did not fill in MEMORY_MAX: $x"
grep -q "killed process was memhog with host" <<<"$x" || fail "journalctl -x did not fill in OOM_VICTIM_COMM: $x"
pass "the catalog compiles and journalctl -x shows its text"
