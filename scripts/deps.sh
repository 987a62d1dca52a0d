#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian packages mstat builds and tests with, skipping those that
# are already installed. Run as root on Debian 12.
set -euo pipefail

packages=(
	build-essential cmake pkg-config
	libmicrohttpd-dev libsystemd-dev libprotobuf-c-dev protobuf-c-compiler
	libcap-dev libcunit1-dev libjansson-dev zlib1g-dev libncurses-dev
	busybox-static procps util-linux iproute2 tmux curl jq
	qemu-system-x86 e2fsprogs binutils clang-format
	# systemd provides systemd-journald and journalctl for it_events_journal,
	# which runs them on the host and, copied by vm-initramfs.sh, in the VM.
	systemd
	# prometheus brings promtool too, for the it_prometheus_* tests: a 22.5 MB
	# download that takes 332 MB installed (Debian 12, version 2.42.0).
	prometheus
)

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "mstat: missing Debian packages: ${missing[*]}; run as root or install them with apt-get" >&2
	exit 1
fi
echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
