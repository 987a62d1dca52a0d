#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 32 MiB written with O_DIRECT to a disk-backed file system shows up within
# 5 % in BLOCK I/O (the stats API) and in container_fs_writes_bytes_total.
. "$(dirname "$0")/lib.sh"

root="$T/rootfs"
mkdir -p "$root"/{proc,dev,tmp,sys,data}
cp "$TOOLS/directwrite" "$root/directwrite"
fstype=$(stat -f -c %T "$root")
case "$fstype" in
tmpfs | ramfs | overlayfs | fuseblk | nfs) skip "$root is on $fstype, not a disk-backed file system" ;;
esac
src=$(df --output=source "$root" | tail -n 1)
[ -b "$src" ] || skip "$root is on $src, not a block device"

start_agent
rc=0
mstat run --name bio --rootfs "$root" -- /directwrite /data/out.bin 32 || rc=$?
[ "$rc" = 3 ] && skip "the file system of $root rejects O_DIRECT"
[ "$rc" = 0 ] || fail "directwrite exited $rc"

want=33554432
written=$(api GET "/v1/containers/bio/stats?stream=false" |
	jq '[.blkio_stats.io_service_bytes_recursive[]? | select(.op == "write" or .op == "Write") | .value] | add // 0')
echo "BLOCK I/O written: $written bytes"
awk -v w="$written" -v e="$want" 'BEGIN { exit !(w >= e * 0.95 && w <= e * 1.05) }' ||
	fail "stats show $written bytes written, expected $want within 5 %"
pass "stats API shows $written of $want bytes written"

line=$(mstat stats --no-stream -a bio | tail -n 1)
echo "$line"
echo "$line" | grep -Eq '/ 3[345]\.[0-9]+MB' || fail "BLOCK I/O column does not show about 33.5MB written: $line"

m=$(metrics | awk '/^container_fs_writes_bytes_total\{/ && /name="bio"/ { s += $NF } END { print s + 0 }')
awk -v w="$m" -v e="$want" 'BEGIN { exit !(w >= e * 0.95 && w <= e * 1.05) }' ||
	fail "container_fs_writes_bytes_total sums to $m, expected $want within 5 %"
pass "container_fs_writes_bytes_total sums to $m"
