#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# mstat run -u and exec -u: numeric ids, and names resolved in the
# container root's /etc/passwd and /etc/group. Also supplementary groups,
# --group-add and HOME, docker's errors for unknown names and bad values,
# Config.User in inspect, and a non-root user without capabilities, also on
# a terminal.
. "$(dirname "$0")/lib.sh"

busybox=$(command -v busybox) || skip "busybox is not installed"
root="$T/rootfs"
mkdir -p "$root"/{bin,etc,proc,dev,sys,tmp,home/alice}
cp -L "$busybox" "$root/bin/busybox"
for applet in sh id cat echo env chown touch sleep stat grep test tty; do
	ln -s busybox "$root/bin/$applet"
done
cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
# a comment, then a blank line and an entry with a bad uid

broken:x:12x:1:broken:/:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
alice:x:1000:1000:Alice:/home/alice:/bin/sh
EOF
cat >"$root/etc/group" <<'EOF'
root:x:0:
audio:x:29:bob,alice
staff:x:50:alice
alice:x:1000:
nogroup:x:65534:
EOF
echo secret >"$root/etc/root-only"
chmod 600 "$root/etc/root-only"
chmod 1777 "$root/tmp"
chown 1000:1000 "$root/home/alice"

start_agent

run_user() {
	mstat run --rm --rootfs "$root" "$@"
}

# Numeric ids need no entry; the host's root is the default root.
[ "$(mstat run --rm -u 1000:1000 -- id -u)" = 1000 ] || fail "-u 1000:1000 on the host root: uid $(mstat run --rm -u 1000:1000 -- id -u)"
out=$(run_user -u 1000:1000 -- id)
echo "$out"
case "$out" in "uid=1000(alice) gid=1000(alice) groups=1000(alice)") ;; *) fail "-u 1000:1000: $out" ;; esac
[ "$(run_user -u 4242 -- sh -c 'echo $(id -u):$(id -g):$(id -G):$HOME')" = "4242:0:0:/" ] ||
	fail "-u 4242 without an entry: $(run_user -u 4242 -- sh -c 'echo $(id -u):$(id -g):$(id -G):$HOME')"
pass "numeric ids, with and without a passwd entry"

# Names go through the rootfs's files, with memberships and HOME.
[ "$(run_user -u nobody -- sh -c 'echo $(id -u):$(id -g):$HOME')" = "65534:65534:/nonexistent" ] ||
	fail "-u nobody: $(run_user -u nobody -- sh -c 'echo $(id -u):$(id -g):$HOME')"
[ "$(run_user -u alice -- sh -c 'echo $(id -G):$HOME')" = "1000 29 50:/home/alice" ] ||
	fail "-u alice: $(run_user -u alice -- sh -c 'echo $(id -G):$HOME')"
[ "$(run_user -u alice:staff -- id -G)" = "50" ] || fail "-u alice:staff: $(run_user -u alice:staff -- id -G)"
[ "$(run_user -u alice -e HOME=/elsewhere -- sh -c 'echo $HOME')" = /elsewhere ] ||
	fail "an explicit HOME was replaced"
[ "$(run_user -u alice:alice --group-add audio --group-add 777 -- id -G)" = "1000 29 777" ] ||
	fail "--group-add: $(run_user -u alice:alice --group-add audio --group-add 777 -- id -G)"
pass "names, supplementary groups, --group-add and HOME from the container's files"

# Unknown names: docker's messages and exit status 125.
expect_error() {
	local want=$1 rc
	shift
	"$@" >"$T/out" 2>"$T/err" && rc=0 || rc=$?
	[ "$rc" = 125 ] || fail "$* exited $rc, expected 125: $(cat "$T/err")"
	grep -qF -- "$want" "$T/err" || fail "$* printed: $(cat "$T/err"), expected: $want"
}
expect_error "unable to find user nosuch: no matching entries in passwd file" run_user -u nosuch -- id
expect_error "unable to find group nogrp: no matching entries in group file" run_user -u alice:nogrp -- id
expect_error "the entry of user broken, is invalid" run_user -u broken -- id
for bad in '' ':' '1:2:3' '-5' '4294967296'; do
	expect_error "invalid value \"$bad\" for -u, --user" run_user -u "$bad" -- id
done
pass "unknown names and bad values are errors that name them"

# A non-root user has no capabilities and no root access.
run_user -u alice -- sh -c 'echo x >>/etc/root-only' 2>/dev/null && fail "alice wrote a root-only file"
run_user -u alice -- cat /etc/root-only >/dev/null 2>&1 && fail "alice read a root-only file"
run_user -u alice -- sh -c 'touch /tmp/mine && chown 0 /tmp/mine' 2>/dev/null && fail "alice used CAP_CHOWN"
caps=$(run_user -u alice -- grep -E '^Cap(Prm|Eff|Amb)' /proc/self/status | awk '{ print $2 }' | sort -u)
[ "$caps" = 0000000000000000 ] || fail "alice has capabilities: $caps"
run_user -u 0:1000 -- sh -c 'touch /tmp/r && chown 1000 /tmp/r' || fail "uid 0 lost CAP_CHOWN"
pass "a non-root user cannot write root-only files nor use capabilities"

# The user can use what a container gives every process: its /tmp, /dev/null,
# and its output pipes reopened through /dev/stdout and /dev/stderr.
[ "$(mstat run --rm -u 1000:1000 -- sh -c 'echo x >/tmp/f && cat /tmp/f >/dev/null && echo out >/dev/stdout')" = out ] ||
	fail "uid 1000 cannot use /tmp, /dev/null or /dev/stdout on the host root"
[ "$(run_user -u alice -- sh -c 'echo err >/dev/stderr' 2>&1)" = err ] || fail "alice cannot reopen /dev/stderr"
pass "the user can write /tmp, /dev/null and reopen its output"

# A container's user: inspect, exec's default and exec -u.
mstat run -d --name box --rootfs "$root" -u alice -- sleep 300 >/dev/null
[ "$(mstat inspect --format '{{.Config.User}}' box)" = alice ] ||
	fail "Config.User is $(mstat inspect --format '{{.Config.User}}' box)"
[ "$(mstat exec box id -u)" = 1000 ] || fail "exec runs as $(mstat exec box id -u), not the container's user"
grep -q '^Uid:.1000' <<<"$(mstat exec box cat /proc/1/status)" || fail "the container's init does not run as alice"
[ "$(mstat exec -u root box id -u)" = 0 ] || fail "exec -u root ran as $(mstat exec -u root box id -u)"
[ "$(mstat exec -u nobody box sh -c 'echo $(id -u):$HOME')" = "65534:/nonexistent" ] ||
	fail "exec -u nobody: $(mstat exec -u nobody box sh -c 'echo $(id -u):$HOME')"
expect_error "unable to find user nosuch: no matching entries in passwd file" mstat exec -u nosuch box id
expect_error 'invalid value "1:2:3" for -u, --user' mstat exec -u 1:2:3 box id
mstat exec box chown 0 /home/alice 2>/dev/null && fail "exec as alice used CAP_CHOWN"
pass "Config.User, exec as the container's user and exec -u"

# A terminal container's pty belongs to the user.
mstat run -d -t --name term --rootfs "$root" -u alice -- sh -c 'stat -L -c %u /proc/self/fd/0 >/tmp/pty-owner; sleep 300' >/dev/null
wait_for 10 mstat exec term test -s /tmp/pty-owner || fail "the terminal container did not start"
[ "$(mstat exec term cat /tmp/pty-owner)" = 1000 ] || fail "the pty belongs to uid $(mstat exec term cat /tmp/pty-owner)"
pass "the terminal of a -t container belongs to the user"
