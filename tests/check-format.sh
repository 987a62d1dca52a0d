#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Checks every C source against the root .clang-format. Run `clang-format -i`
# on the files it names to fix them.
set -euo pipefail
top=${1:?usage: check-format.sh SOURCE_DIR}
command -v clang-format >/dev/null || { echo "SKIP: clang-format is not installed"; exit 77; }
cd "$top"
mapfile -t files < <(find common runtime collectors exporters agent cli tests bench \
	-name '*.[ch]' -not -path '*/build*' 2>/dev/null | sort)
[ ${#files[@]} -gt 0 ] || { echo "no C files under $top"; exit 1; }
clang-format --dry-run --Werror "${files[@]}"
echo "${#files[@]} files match .clang-format"
