#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian packages only bench/run.sh needs (hyperfine for start
# latency, prometheus-node-exporter as the scrape baseline), apart from
# scripts/deps.sh so that CI does not install them. The node exporter's own
# service is stopped and disabled when the package started it: the benchmark
# starts its own instance on a loopback port and stops it.
set -euo pipefail

packages=(hyperfine prometheus-node-exporter runc crun busybox-static curl jq python3)

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "mstat bench: missing Debian packages: ${missing[*]}; run as root or install them with apt-get" >&2
	exit 1
fi
echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"

# Under systemd the package enables and starts prometheus-node-exporter.service
# (and its textfile timers); only that unit is stopped and disabled.
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
	for unit in prometheus-node-exporter.service; do
		systemctl disable --now "$unit" >/dev/null 2>&1 || true
	done
fi
