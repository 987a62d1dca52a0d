#!/bin/sh
# SPDX-License-Identifier: MIT
# Copies every readable file of a live cgroup v2 directory into OUT_DIR, so
# that parser fixtures come from a real kernel. Write-only files (cgroup.kill,
# memory.reclaim) and files whose read fails are left out and listed on
# stderr. Child cgroups are copied only with -r.
# Usage: dump-cgroup.sh [-r] CGROUP_DIR OUT_DIR
set -eu

recursive=0
if [ "${1:-}" = -r ]; then
	recursive=1
	shift
fi
if [ $# -ne 2 ]; then
	echo "usage: dump-cgroup.sh [-r] CGROUP_DIR OUT_DIR" >&2
	exit 2
fi
src=$1
out=$2
[ -f "$src/cgroup.procs" ] || {
	echo "dump-cgroup.sh: $src is not a cgroup directory (no cgroup.procs)" >&2
	exit 1
}

# dump_dir SRC OUT: copies the files of one cgroup.
dump_dir() {
	mkdir -p "$2"
	for f in "$1"/*; do
		name=${f##*/}
		if [ -d "$f" ]; then
			[ $recursive -eq 1 ] && dump_dir "$f" "$2/$name"
			continue
		fi
		# Root can read a file whatever its mode, so only the owner's read
		# bit marks a write-only interface file.
		mode=$(stat -c %a "$f")
		case "$mode" in
		[0-3]??)
			echo "dump-cgroup.sh: $f is write-only; not copied" >&2
			continue
			;;
		esac
		if ! cat "$f" >"$2/$name" 2>/dev/null; then
			rm -f "$2/$name"
			echo "dump-cgroup.sh: reading $f failed; not copied" >&2
		fi
	done
}

dump_dir "$src" "$out"
