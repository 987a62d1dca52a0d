#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs the whole test suite from a clean tree: installs the packages, builds
# with -Werror, runs every CTest test, then builds again with AddressSanitizer
# and UndefinedBehaviorSanitizer and runs the unit tests once more.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

scripts/deps.sh

jobs=$(nproc)
build=${MSTAT_BUILD_DIR:-build}
build_san=${build}-sanitize

echo "== build ($build, -Werror)"
cmake -S . -B "$build" -DMSTAT_WERROR=ON >/dev/null
cmake --build "$build" -j "$jobs"

echo "== tests"
status=0
(cd "$build" && ctest --output-on-failure --timeout 600) || status=1

echo "== unit tests under AddressSanitizer and UndefinedBehaviorSanitizer ($build_san)"
cmake -S . -B "$build_san" -DMSTAT_WERROR=ON -DMSTAT_SANITIZE=ON >/dev/null
cmake --build "$build_san" -j "$jobs"
(cd "$build_san" && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -L unit --timeout 600) ||
	status=1

exit $status
