#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Reports one guest test of the last VM run as a CTest result. It prints what
# the test wrote on the VM's console, then exits 0 (pass), 1 (fail or no
# result) or 77 (skipped, or the VM could not run here).
# Usage: vm-result.sh WORK_DIR TEST_NAME
set -euo pipefail

work=${1:?usage: vm-result.sh WORK_DIR TEST_NAME}
name=${2:?usage: vm-result.sh WORK_DIR TEST_NAME}
results="$work/results.txt"
console="$work/console.log"

if [ ! -f "$results" ]; then
	echo "FAIL: $results not found: the vm_boot test has not run or stopped early"
	exit 1
fi
skipped=$(sed -n 's/^# skipped: //p' "$results")
if [ -n "$skipped" ]; then
	echo "SKIP: the VM did not run: $skipped"
	exit 77
fi

read -r _ status secs reason < <(awk -v n="$name" '$1 == n' "$results") || true
if [ -f "$console" ]; then
	tr -d '\r' <"$console" | awk -v n="$name" '
		$1 == "MSTAT-VM-BEGIN" && $2 == n { on = 1; next }
		$1 == "MSTAT-VM-RESULT" && $2 == n { on = 0 }
		on'
fi
case "${status:-}" in
pass)
	echo "$name passed in the VM in $secs s"
	exit 0
	;;
skip)
	echo "SKIP: $name was skipped in the VM${reason:+: $reason}"
	exit 77
	;;
fail)
	echo "FAIL: $name failed in the VM after $secs s (console: $console)"
	exit 1
	;;
*)
	echo "FAIL: $results has no result for $name: the VM stopped before it or it is not in the VM's test list"
	exit 1
	;;
esac
