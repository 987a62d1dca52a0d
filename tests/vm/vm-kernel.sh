#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fetches Debian's own kernel for the test VM: resolves the versioned package
# that linux-image-amd64 depends on, downloads it with apt-get and unpacks it
# with dpkg -x into CACHE_DIR/<package>, once. Prints that directory.
# Usage: vm-kernel.sh CACHE_DIR. Exit 77: no kernel package is reachable.
set -euo pipefail

cache=${1:?usage: vm-kernel.sh CACHE_DIR}
mkdir -p "$cache"

skip() {
	echo "SKIP: $*" >&2
	exit 77
}

# Prints the newest kernel already unpacked in the cache, if any.
cached_kernel() {
	local d
	for d in $(ls -d "$cache"/linux-image-*/ 2>/dev/null | sort -V -r); do
		if [ -f "$d/.unpacked" ]; then
			echo "${d%/}"
			return 0
		fi
	done
	return 1
}

resolve_package() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ && !p { p = $2 } END { print p }'
}

pkg=$(resolve_package || true)
if [ -z "$pkg" ] && [ "$(id -u)" -eq 0 ]; then
	# apt-cache finds no package until the package lists have been fetched.
	apt-get update -qq >&2 || true
	pkg=$(resolve_package || true)
fi
if [ -z "$pkg" ]; then
	if dir=$(cached_kernel); then
		echo "linux-image-amd64 cannot be resolved; using the cached $(basename "$dir")" >&2
		echo "$dir"
		exit 0
	fi
	skip "apt-cache cannot resolve the package linux-image-amd64 depends on, and $cache holds no kernel"
fi

dir="$cache/$pkg"
if [ -f "$dir/.unpacked" ]; then
	echo "$dir"
	exit 0
fi

rm -rf "$dir" "$dir.tmp" "$cache/download"
mkdir -p "$cache/download"
if ! (cd "$cache/download" && apt-get download -q "$pkg" >&2); then
	skip "apt-get download $pkg failed"
fi
deb=$(ls "$cache/download"/"$pkg"_*.deb)
dpkg -x "$deb" "$dir.tmp"
ls "$dir.tmp"/boot/vmlinuz-* >/dev/null || {
	echo "$deb holds no /boot/vmlinuz-*" >&2
	exit 1
}
rm -f "$deb"
mv "$dir.tmp" "$dir"
touch "$dir/.unpacked"
echo "$dir"
