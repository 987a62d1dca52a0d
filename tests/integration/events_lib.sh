# SPDX-License-Identifier: MIT
# Helpers of the events tests, sourced after lib.sh: containers that are
# OOM-killed once, three times in a row, and once in a nested cgroup.

# The memory limit of every container here, and the MiB memhog allocates.
EV_LIMIT_MIB=64
EV_HOG_MIB=200

# cgroup_memory_dir PATH: the directory of cgroup PATH in the memory
# hierarchy (v2: the unified hierarchy).
cgroup_memory_dir() {
	if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		echo "/sys/fs/cgroup$1"
	else
		echo "/sys/fs/cgroup/memory$1"
	fi
}

# run_oom_once NAME: a container whose memhog is OOM-killed; exits 137.
run_oom_once() {
	local rc=0
	mstat run --name "$1" --memory "${EV_LIMIT_MIB}m" -- "$TOOLS/memhog" "$EV_HOG_MIB" \
		>"$T/$1.out" || rc=$?
	[ "$rc" = 137 ] || fail "container $1 exited $rc, expected 137 after an OOM kill"
}

# run_oom_thrice NAME: a shell that runs memhog three times; each is killed.
run_oom_thrice() {
	local rc=0
	mstat run --name "$1" --memory "${EV_LIMIT_MIB}m" -- sh -c \
		"for i in 1 2 3; do '$TOOLS/memhog' $EV_HOG_MIB >/dev/null; done" || rc=$?
	[ "$rc" = 137 ] || fail "container $1 exited $rc, expected 137 from its last memhog"
}

# run_oom_nested NAME: the container's shell moves into a cgroup nested in
# the container's own, then runs memhog there, so the kill happens in the
# nested cgroup under the container's limit. The test creates and removes
# the nested cgroup itself.
run_oom_nested() {
	local name=$1 cg dir init pid moved=0
	mstat run -d --name "$name" --memory "${EV_LIMIT_MIB}m" -- sh -c \
		"sleep 3; exec '$TOOLS/memhog' $EV_HOG_MIB" >/dev/null
	cg=$(mstat inspect --format '{{.Mstat.CgroupPath}}' "$name")
	init=$(mstat inspect --format '{{.State.Pid}}' "$name")
	dir=$(cgroup_memory_dir "$cg")
	[ -d "$dir" ] || fail "container $name: cgroup directory $dir not found"
	mkdir "$dir/nested"
	NESTED_DIR="$dir/nested"
	for pid in $(cat "$dir/cgroup.procs"); do
		[ "$pid" = "$init" ] && continue
		echo "$pid" >"$dir/nested/cgroup.procs"
		moved=$((moved + 1))
	done
	[ "$moved" -ge 1 ] || fail "container $name: no process to move into $dir/nested"
	wait_for 30 is_exited "$name" || fail "container $name did not exit within 30 s"
	local code
	code=$(mstat inspect --format '{{.State.ExitCode}}' "$name")
	[ "$code" = 137 ] || fail "container $name exited $code, expected 137"
	# The agent removes the container's cgroup on a later pass once this is gone.
	rmdir "$dir/nested"
	NESTED_DIR=
	wait_for 30 eval '! cgroup_exists "$cg"' || fail "cgroup $cg of $name was not removed"
}

# Removes the nested cgroup when a test failed before run_oom_nested did:
# kills the container's processes in it (by PID), then removes it, so that
# mstatd can remove the container's cgroup when it stops.
NESTED_DIR=
remove_nested() {
	local pid
	[ -n "$NESTED_DIR" ] && [ -d "$NESTED_DIR" ] || return 0
	for pid in $(cat "$NESTED_DIR/cgroup.procs" 2>/dev/null); do
		kill -KILL "$pid" 2>/dev/null || true
	done
	for _ in $(seq 1 50); do
		rmdir "$NESTED_DIR" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "could not remove the nested cgroup $NESTED_DIR" >&2
	return 0
}

# victim_in_kmsg PID: true when the kernel log names PID as a killed memhog.
victim_in_kmsg() {
	dmesg | grep -q "Killed process $1 (memhog)"
}
