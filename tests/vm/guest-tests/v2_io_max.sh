#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# --device-read-bps and --device-write-bps on the VM's virtio disk: the v2
# backend writes io.max, a 20 MiB O_DIRECT write at 5 MiB/s takes 4 s within
# 20 %, and BLOCK I/O shows 20 MiB within 5 %. Also checks that a path that is
# not a block device gets a 400 naming it, and that the rates are kept in
# inspect's HostConfig and in the state file.
if [ -z "${MSTATD:-}" ] || [ -z "${MSTAT:-}" ]; then
	echo "SKIP: mstatd and mstat were not built"
	exit 77
fi
. "$MSTAT_SOURCE/tests/integration/lib.sh"

cg_root=/sys/fs/cgroup
[ -f "$cg_root/cgroup.controllers" ] || skip "$cg_root is not a unified (cgroup v2) hierarchy"
disk=/dev/vda
[ -b "$disk" ] || skip "$disk is not a block device"
[ "$(df --output=source "$T" | tail -n 1)" = "$disk" ] || skip "$T is not on $disk"
devnum=$(cat /sys/block/vda/dev)
start_agent

# A path that is not a block device is rejected with a 400 naming it, by
# the API and by the command line.
code=$(curl -sS -o "$T/reply" -w '%{http_code}' --max-time 30 --unix-socket "$SOCK" \
	-X POST -H 'Content-Type: application/json' "http://mstat/v1/containers/create" \
	-d '{"Cmd":["true"],"HostConfig":{"BlkioDeviceWriteBps":[{"Path":"/dev/null","Rate":1048576}]}}')
[ "$code" = 400 ] || fail "create with /dev/null as a device returned $code, expected 400: $(cat "$T/reply")"
grep -q '/dev/null' "$T/reply" || fail "the 400 reply does not name /dev/null: $(cat "$T/reply")"
if out=$(mstat run --device-read-bps /dev/null:1mb true 2>&1); then
	fail "mstat run accepted /dev/null as a block device"
fi
grep -q "'/dev/null': it is not a block device" <<<"$out" || fail "the error does not name /dev/null: $out"
pass "a path that is not a block device gets 400: $(cat "$T/reply")"

# Both rates on one device end up on one io.max line.
mstat run -d --name both --device-read-bps "$disk:10mb" --device-write-bps "$disk:5mb" \
	-- sleep 300 >/dev/null
cg="$cg_root$(mstat inspect --format '{{.Mstat.CgroupPath}}' both)"
line=$(grep "^$devnum " "$cg/io.max") || fail "io.max of $cg has no line for $devnum: $(cat "$cg/io.max")"
grep -q " rbps=10485760 " <<<"$line" || fail "io.max line '$line' lacks rbps=10485760"
grep -q " wbps=5242880 " <<<"$line" || fail "io.max line '$line' lacks wbps=5242880"
pass "io.max is '$line'"

host=$(api GET /v1/containers/both/json | jq -c '.HostConfig | {BlkioDeviceReadBps, BlkioDeviceWriteBps}')
[ "$host" = '{"BlkioDeviceReadBps":[{"Path":"/dev/vda","Rate":10485760}],"BlkioDeviceWriteBps":[{"Path":"/dev/vda","Rate":5242880}]}' ] ||
	fail "inspect's HostConfig shows $host"
id=$(mstat inspect --format '{{.Id}}' both)
stored=$(jq -c '.Config.HostConfig.BlkioDeviceWriteBps' "$T/state/containers/$id/state.json")
[ "$stored" = '[{"Path":"/dev/vda","Rate":5242880}]' ] || fail "the state file stores $stored"
mstat rm -f both >/dev/null
pass "inspect and the state file keep the rates: $host"

# The timed write. The container's root is a directory on the disk, so
# that directwrite reaches /dev/vda.
root="$T/rootfs"
mkdir -p "$root"/{proc,dev,tmp,sys,data}
cp "$TOOLS/directwrite" "$root/directwrite"
mib=20
rc=0
mstat run --name slow --rootfs "$root" --device-write-bps "$disk:5mb" \
	-- /directwrite /data/out.bin "$mib" || rc=$?
[ "$rc" = 0 ] || fail "directwrite exited $rc"

# Seconds from StartedAt to FinishedAt (RFC 3339 with nanoseconds).
seconds=$(api GET /v1/containers/slow/json | jq -r '
	def epoch: (sub("\\.[0-9]+Z$"; "Z") | fromdateiso8601)
		+ ("0." + (capture("\\.(?<f>[0-9]+)Z$").f // "0") | tonumber);
	(.State.FinishedAt | epoch) - (.State.StartedAt | epoch)')
echo "20 MiB at 5 MiB/s took $seconds s"
awk -v s="$seconds" 'BEGIN { exit !(s >= 3.2 && s <= 4.8) }' ||
	fail "the throttled write took $seconds s, expected 4 s within 20 % (3.2 to 4.8)"
pass "the throttled write took $seconds s"

want=$((mib * 1048576))
written=$(api GET "/v1/containers/slow/stats?stream=false" |
	jq '[.blkio_stats.io_service_bytes_recursive[]? | select(.op == "write" or .op == "Write") | .value] | add // 0')
awk -v w="$written" -v e="$want" 'BEGIN { exit !(w >= e * 0.95 && w <= e * 1.05) }' ||
	fail "stats show $written bytes written, expected $want within 5 %"
column=$(mstat stats --no-stream -a --format '{{.BlockIO}}' slow | tail -n 1)
# docker prints decimal units: 20 MiB is 20.97MB.
mb=$(sed -n 's|.* / \([0-9.]*\)MB$|\1|p' <<<"$column")
[ -n "$mb" ] || fail "the BLOCK I/O column '$column' shows no MB written"
awk -v m="$mb" -v e="$want" 'BEGIN { exit !(m * 1e6 >= e * 0.95 && m * 1e6 <= e * 1.05) }' ||
	fail "BLOCK I/O shows $column, expected $want bytes written within 5 %"
pass "stats show $written bytes written, BLOCK I/O $column"
