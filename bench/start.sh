#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Measures start-to-exit latency of /bin/true with a 64 MiB memory limit,
# side by side in one hyperfine run. It compares `mstat run --rm` through a
# private mstatd, `runc run` and `crun run` on the same busybox root, and
# bare `unshare` with the same namespaces (no cgroup, no root change).
# Writes hyperfine's JSON to $OUT (default /dev/null) and prints "key=value"
# lines.
# Usage: MSTATD=... MSTAT=... MSTAT_TOOLS=... bench/start.sh [RUNS]
set -euo pipefail
RUNS=${1:-50}
OUT=${OUT:-/dev/null}
. "$(dirname "$0")/../tests/integration/lib.sh"
command -v hyperfine >/dev/null || skip "hyperfine is missing: run scripts/bench-deps.sh"
command -v jq >/dev/null || skip "jq is missing"
[ "$RUNS" -ge 3 ] && [ "$RUNS" -le 1000 ] || fail "invalid run count $RUNS: expected 3 to 1000"

# One busybox root for every runtime.
BUNDLE="$T/bundle"
ROOT="$BUNDLE/rootfs"
mkdir -p "$ROOT/bin" "$ROOT/proc" "$ROOT/dev" "$ROOT/sys" "$ROOT/tmp" "$ROOT/etc"
cp /bin/busybox "$ROOT/bin/busybox"
ln -s busybox "$ROOT/bin/true"
ln -s busybox "$ROOT/bin/sh"

# The OCI bundle: /bin/true, no terminal, a read-only root, 64 MiB, and a
# relative cgroup path, which runc and crun place beneath their own cgroup.
CG_NAME="mstat-bench-oci-$$"
(cd "$BUNDLE" && runc spec)
jq --arg cg "$CG_NAME" '
	.process.args = ["/bin/true"] | .process.terminal = false |
	.root.readonly = true | .linux.cgroupsPath = $cg |
	.linux.resources.memory.limit = 67108864 |
	.linux.namespaces |= (map(select(.type != "cgroup")) + [{ "type": "cgroup" }])' \
	"$BUNDLE/config.json" >"$BUNDLE/c.json"
mv "$BUNDLE/c.json" "$BUNDLE/config.json"

# Lists the cgroup directories named CG_NAME anywhere under /sys/fs/cgroup.
oci_cgroups() {
	find /sys/fs/cgroup -maxdepth 6 -type d -name "$CG_NAME" 2>/dev/null || true
}

start_agent --stop-timeout 2
commands=(
	-n mstat "$MSTAT --socket $SOCK run --rm -m 64m --rootfs $ROOT -- /bin/true"
	-n runc "runc --root $T/runc run --bundle $BUNDLE bench-runc-$$"
	-n unshare "unshare --mount --uts --ipc --net --pid --cgroup --fork /bin/true"
)
hyperfine_args=(-N --warmup 3 --runs "$RUNS" --export-json "$T/start.json" --style basic
	"${commands[@]}")
crun_cmd=(-n crun "crun --root $T/crun run --bundle $BUNDLE bench-crun-$$")
# crun rejects hybrid hosts ("cgroups in hybrid mode not supported"). In a
# private mount namespace without the empty cgroup2 mount, crun finds only
# the v1 hierarchies and applies the same limits there. The host's mounts
# are not touched. Every runtime is then measured in that namespace, so
# that they run under the same conditions.
UNIFIED=/sys/fs/cgroup/unified
crun_private() {
	unshare --mount --propagation private -- sh -c 'umount "$1" && shift && exec "$@"' \
		sh "$UNIFIED" "$@"
}
if crun --root "$T/crun" run --bundle "$BUNDLE" "bench-crun-$$" >/dev/null 2>"$T/crun.err"; then
	hyperfine "${hyperfine_args[@]}" "${crun_cmd[@]}" >&2
elif mountpoint -q "$UNIFIED" &&
	crun_private crun --root "$T/crun" run --bundle "$BUNDLE" "bench-crun-$$" >/dev/null \
		2>"$T/crun-private.err"; then
	echo "crun: measured with every runtime in a private mount namespace without $UNIFIED"
	crun_private hyperfine "${hyperfine_args[@]}" "${crun_cmd[@]}" >&2
else
	echo "crun skipped: $(head -n 1 "$T/crun.err") $(head -n 1 "$T/crun-private.err" 2>/dev/null)"
	hyperfine "${hyperfine_args[@]}" >&2
fi
cp "$T/start.json" "$OUT" 2>/dev/null || true
jq -r '.results[] | "start runtime=\(.command) mean_ms=\(.mean * 1000 | . * 100 | round / 100) stddev_ms=\(.stddev * 1000 | . * 100 | round / 100) median_ms=\(.median * 1000 | . * 100 | round / 100) user_ms=\(.user * 1000 | . * 100 | round / 100) system_ms=\(.system * 1000 | . * 100 | round / 100)"' \
	"$T/start.json"

left=$(oci_cgroups)
[ -z "$left" ] || echo "warning: runc or crun left cgroups: $left" >&2
