#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the packages mstat needs and builds it into ./build (or
# $MSTAT_BUILD_DIR). Extra arguments go to cmake's configure step.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
scripts/deps.sh
build=${MSTAT_BUILD_DIR:-build}
cmake -S . -B "$build" "$@" >/dev/null
cmake --build "$build" -j "$(nproc)"
