#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Checks that the initramfs is complete. Every dynamically linked binary the
# tests run must load, and the options that busybox lacks must work. curl must
# reach a server on 127.0.0.1, and the mstat binaries must find all their
# shared libraries.
set -euo pipefail

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

for tool in bash curl jq df tail timeout; do
	out=$("$tool" --version 2>&1 | head -n 1) || fail "$tool --version failed: $out"
	echo "$tool: $out"
done

df --output=source /var/tmp | tail -n 1 | grep -qx /dev/vda ||
	fail "/var/tmp is not mounted from /dev/vda: $(df --output=source /var/tmp)"
sleep 30 &
sleeper=$!
rc=0
timeout 2 tail --pid="$sleeper" -f /dev/null || rc=$?
[ "$rc" = 124 ] || fail "timeout 2 tail --pid of a live process exited $rc, expected 124 (timed out)"
kill "$sleeper"
wait "$sleeper" 2>/dev/null || true
timeout 5 tail --pid="$sleeper" -f /dev/null || fail "tail --pid of an ended process exited $?"
echo "ok: df --output, tail --pid and timeout work"

www=$(mktemp -d)
echo hello-from-guest >"$www/index.html"
port=18080
busybox httpd -f -p "127.0.0.1:$port" -h "$www" &
httpd=$!
trap 'kill "$httpd" 2>/dev/null || true; rm -rf "$www"' EXIT
body=''
for _ in $(seq 1 50); do
	body=$(curl -sS --max-time 5 "http://127.0.0.1:$port/index.html" 2>/dev/null) && break
	sleep 0.1
done
[ "$body" = hello-from-guest ] || fail "curl to 127.0.0.1:$port returned '$body'"
echo "ok: curl reaches a server on 127.0.0.1"

# journald and promtool are copied only when the host has them.
JOURNALD= JOURNALCTL= PROMTOOL=
if [ -x /usr/lib/systemd/systemd-journald ]; then
	JOURNALD=/usr/lib/systemd/systemd-journald
	JOURNALCTL=/usr/bin/journalctl
fi
[ -x /usr/bin/promtool ] && PROMTOOL=/usr/bin/promtool
for var in MSTATD MSTAT MSTAT_INIT_PATH JOURNALD JOURNALCTL PROMTOOL; do
	bin=${!var:-}
	if [ -z "$bin" ]; then
		echo "$var is not set: that binary is not in the initramfs"
		continue
	fi
	# What ldd does: --verify exits 0 for a dynamic executable, and --list
	# prints its libraries without running it. The guest has no ldd script.
	if ! /lib64/ld-linux-x86-64.so.2 --verify "$bin" >/dev/null 2>&1; then
		echo "ok: $bin is statically linked"
		continue
	fi
	out=$(/lib64/ld-linux-x86-64.so.2 --list "$bin" 2>&1) || fail "loading $bin failed: $out"
	if grep -q 'not found' <<<"$out"; then
		fail "$bin lacks shared libraries in the VM: $out"
	fi
	echo "ok: $bin finds all its shared libraries"
done
