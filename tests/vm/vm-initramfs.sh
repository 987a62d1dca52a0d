#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the test VM's initramfs (cpio newc + gzip). It contains
# busybox-static with its applets and the few real tools the integration
# scripts need that busybox lacks, with systemd-journald, journalctl and
# promtool when the host has them. Every shared library of those binaries is
# copied (found with ldd, plus the dynamic loader). So are the kernel modules
# of modules.list in dependency order, the mstat binaries, the load
# generators and the tests. Needs root to create /dev/console.
#
# Usage: vm-initramfs.sh --kernel DIR --out FILE --tests FILE [--mstatd PATH]
#        [--mstat PATH] [--mstat-init PATH] [--tools DIR]
# The tests file has one "NAME SCRIPT" line per test, where SCRIPT is a path
# on the host. The guest runs the tests in that order.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$here/../.." && pwd)

# Real binaries copied over busybox's applets: bash, and the options the
# integration scripts use that busybox lacks (tail --pid, df --output).
# timeout is copied too, because busybox's timeout runs busybox's own tail
# rather than the one in PATH. taskset is util-linux's, for the -c CPU list
# syntax that the CPU weight test uses.
# tmux and infocmp, with tmux's terminfo entry and the C.UTF-8 locale, let
# the live view's test drive `mstat top` in the guest.
host_tools=(bash curl jq df tail timeout taskset tmux infocmp)

kernel_dir='' out='' tests_file='' mstatd='' mstat_bin='' mstat_init='' tools_dir=''
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel_dir=$2 ;;
	--out) out=$2 ;;
	--tests) tests_file=$2 ;;
	--mstatd) mstatd=$2 ;;
	--mstat) mstat_bin=$2 ;;
	--mstat-init) mstat_init=$2 ;;
	--tools) tools_dir=$2 ;;
	*)
		echo "vm-initramfs.sh: unknown option '$1'" >&2
		exit 2
		;;
	esac
	shift 2
done
[ -n "$kernel_dir" ] && [ -n "$out" ] && [ -n "$tests_file" ] || {
	echo "usage: vm-initramfs.sh --kernel DIR --out FILE --tests FILE [--mstatd PATH] [--mstat PATH] [--mstat-init PATH] [--tools DIR]" >&2
	exit 2
}

root="$out.d"
rm -rf "$root"
mkdir -p "$root"

# Merged /usr layout, as on Debian 12, so that the paths ldd prints resolve.
make_layout() {
	mkdir -p "$root"/usr/bin "$root"/usr/lib "$root"/usr/lib64 "$root"/etc \
		"$root"/dev "$root"/proc "$root"/sys "$root"/tmp "$root"/run "$root"/var/tmp \
		"$root"/newroot "$root"/root "$root"/opt/mstat/bin "$root"/opt/mstat/vm
	ln -s usr/bin "$root/bin"
	ln -s usr/bin "$root/sbin"
	ln -s bin "$root/usr/sbin"
	ln -s usr/lib "$root/lib"
	ln -s usr/lib64 "$root/lib64"
	mknod -m 600 "$root/dev/console" c 5 1
	mknod -m 666 "$root/dev/null" c 1 3
	chmod 1777 "$root/tmp" "$root/var/tmp"
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
	printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n' >"$root/etc/hosts"
	printf 'mstat-vm\n' >"$root/etc/hostname"
	: >"$root/etc/fstab"
}

install_busybox() {
	cp /bin/busybox "$root/usr/bin/busybox"
	local applet
	for applet in $(/bin/busybox --list); do
		[ -e "$root/usr/bin/$applet" ] || ln -s busybox "$root/usr/bin/$applet"
	done
}

# copy_libs BINARY: copies every shared library ldd lists for BINARY, at the
# same path, so that the guest's dynamic loader finds it.
copy_libs() {
	local lib
	# A static binary makes ldd fail with "not a dynamic executable".
	ldd "$1" >/dev/null 2>&1 || return 0
	for lib in $(ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}

# install_binary SOURCE DEST: copies an executable and its libraries.
install_binary() {
	mkdir -p "$root$(dirname "$2")"
	rm -f "$root$2"
	cp -L "$1" "$root$2"
	copy_libs "$1"
}

install_host_tools() {
	local t path
	for t in "${host_tools[@]}"; do
		path=$(command -v "$t") || {
			echo "vm-initramfs.sh: $t not found on the host; install it (see scripts/deps.sh)" >&2
			exit 1
		}
		install_binary "$(readlink -f "$path")" "/usr/bin/$t"
	done
	# glibc loads libgcc_s with dlopen for pthread_cancel and pthread_exit,
	# so ldd never lists it.
	local gcc_s
	gcc_s=$(ldconfig -p | awk '$1 == "libgcc_s.so.1" && /x86-64/ && !p { p = $NF } END { print p }')
	[ -n "$gcc_s" ] && [ ! -e "$root$gcc_s" ] && mkdir -p "$root$(dirname "$gcc_s")" && cp -L "$gcc_s" "$root$gcc_s"
	local entry
	entry=$(find /lib/terminfo /usr/share/terminfo -name tmux-256color 2>/dev/null | head -n 1)
	if [ -n "$entry" ]; then
		mkdir -p "$root/usr/share/terminfo/t"
		cp -L "$entry" "$root/usr/share/terminfo/t/tmux-256color"
	fi
	# tmux refuses to start without a UTF-8 locale; glibc loads C.UTF-8 from here.
	if [ -d /usr/lib/locale/C.utf8 ]; then
		mkdir -p "$root/usr/lib/locale"
		cp -rL /usr/lib/locale/C.utf8 "$root/usr/lib/locale/"
	fi
	return 0
}

# Copies systemd-journald, journalctl and util-linux's unshare for the
# journald test, when the host has them (Debian's systemd package). With no
# /var/log/journal, journald keeps its journal in /run/log/journal. A
# generated machine id gives it the usual layout, /run/log/journal/ID/.
# journalctl -x reads the catalog from /var/lib/systemd/catalog, which the
# test bind-mounts.
install_journald() {
	local journald=/lib/systemd/systemd-journald journalctl unshare
	journalctl=$(command -v journalctl) && unshare=$(command -v unshare) && [ -x "$journald" ] || {
		echo "vm-initramfs.sh: no systemd-journald, journalctl or unshare on the host; the journald test skips in the VM" >&2
		return 0
	}
	install_binary "$(readlink -f "$journald")" /usr/lib/systemd/systemd-journald
	install_binary "$(readlink -f "$journalctl")" /usr/bin/journalctl
	install_binary "$(readlink -f "$unshare")" /usr/bin/unshare
	mkdir -p "$root/var/lib/systemd/catalog"
	od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$root/etc/machine-id"
	echo >>"$root/etc/machine-id"
}

# Copies promtool for it_prometheus_promtool, when the host has it (Debian's
# prometheus package). Its 46 MiB add 14.5 MiB to the compressed initramfs.
# The prometheus server, which it_prometheus_scrape needs, is left out.
install_promtool() {
	local promtool
	promtool=$(command -v promtool) || {
		echo "vm-initramfs.sh: no promtool on the host; it_prometheus_promtool skips in the VM" >&2
		return 0
	}
	install_binary "$(readlink -f "$promtool")" /usr/bin/promtool
}

# Prints the modules a .ko needs (its .modinfo "depends=" field).
module_depends() {
	objcopy -O binary -j .modinfo "$1" /dev/stdout | tr '\0' '\n' |
		sed -n 's/^depends=//p' | tr ',' ' '
}

# Copies the modules of modules.list and everything they depend on, and
# writes load.order with each module after its dependencies.
install_modules() {
	local version src dst
	local dirs=("$kernel_dir"/lib/modules/*/)
	version=$(basename "${dirs[0]}")
	src="$kernel_dir/lib/modules/$version"
	dst="$root/lib/modules/$version"
	mkdir -p "$dst"
	: >"$dst/load.order"

	# Module names use "_" where file names may use "-".
	declare -A path_of=() seen=()
	local file base
	while read -r file; do
		base=$(basename "$file" .ko)
		path_of[${base//-/_}]=$file
	done < <(find "$src/kernel" -name '*.ko')

	add_module() {
		local name=${1//-/_} dep
		[ -n "${seen[$name]:-}" ] && return 0
		seen[$name]=1
		if [ -z "${path_of[$name]:-}" ]; then
			# Built into the kernel: nothing to load.
			if sed 's/-/_/g' "$src/modules.builtin" | grep -q "/$name.ko\$"; then
				return 0
			fi
			echo "vm-initramfs.sh: module $name not found in $src" >&2
			exit 1
		fi
		for dep in $(module_depends "${path_of[$name]}"); do
			add_module "$dep"
		done
		cp "${path_of[$name]}" "$dst/$name.ko"
		echo "$name" >>"$dst/load.order"
	}
	local name
	while read -r name _; do
		case "$name" in
		'' | '#'*) continue ;;
		esac
		add_module "$name"
	done <"$here/modules.list"
}

install_mstat() {
	local vm="$root/opt/mstat/vm" env="$root/opt/mstat/vm/env"
	cp "$here/guest/init.sh" "$root/init"
	chmod 755 "$root/init"
	mkdir -p "$vm/guest" "$vm/tests" "$root/opt/mstat/src/tests"
	cp "$here"/guest/*.sh "$vm/guest/"
	cp "$here/dump-cgroup.sh" "$vm/"
	cp -r "$source_dir/tests/integration" "$root/opt/mstat/src/tests/"
	[ -d "$source_dir/tests/fixtures" ] && cp -r "$source_dir/tests/fixtures" "$root/opt/mstat/src/tests/"
	# deploy/ contains the journald catalog that it_events_journal compiles.
	cp -r "$source_dir/deploy" "$root/opt/mstat/src/"

	{
		echo "MSTAT_SOURCE=/opt/mstat/src"
		echo "MSTAT_FIXTURES=/opt/mstat/src/tests/fixtures"
		echo "MSTAT_TOOLS=/opt/mstat/tools"
		echo "HOME=/root"
		# Emulation runs several times slower than the host: this factor
		# stretches the wait_for limits of the integration scripts.
		echo "MSTAT_TEST_TIME_SCALE=3"
	} >"$env"
	if [ -n "$mstatd" ]; then
		install_binary "$mstatd" /opt/mstat/bin/mstatd
		echo "MSTATD=/opt/mstat/bin/mstatd" >>"$env"
	fi
	if [ -n "$mstat_bin" ]; then
		install_binary "$mstat_bin" /opt/mstat/bin/mstat
		echo "MSTAT=/opt/mstat/bin/mstat" >>"$env"
	fi
	if [ -n "$mstat_init" ]; then
		install_binary "$mstat_init" /opt/mstat/bin/mstat-init
		echo "MSTAT_INIT_PATH=/opt/mstat/bin/mstat-init" >>"$env"
	fi
	if [ -n "$tools_dir" ]; then
		mkdir -p "$root/opt/mstat/tools"
		local t
		for t in memhog cpuburn forkloop directwrite stucksocket mstat-bench-collect; do
			[ -x "$tools_dir/$t" ] && install_binary "$tools_dir/$t" "/opt/mstat/tools/$t"
		done
	fi
	sed -i 's/^/export /' "$env"

	# Each test is copied under its name; integration scripts stay beside
	# lib.sh, which they source from their own directory.
	local name script
	: >"$vm/tests.list"
	while read -r name script; do
		case "$name" in
		'' | '#'*) continue ;;
		esac
		case "$script" in
		"$source_dir"/tests/integration/*)
			echo "$name /opt/mstat/src/tests/integration/$(basename "$script")" >>"$vm/tests.list"
			;;
		*)
			cp "$script" "$vm/tests/$name.sh"
			echo "$name /opt/mstat/vm/tests/$name.sh" >>"$vm/tests.list"
			;;
		esac
	done <"$tests_file"
}

make_layout
install_busybox
install_host_tools
install_journald
install_promtool
install_modules
install_mstat

(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | busybox cpio -o -H newc -R 0:0 2>/dev/null) |
	gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
echo "initramfs $out: $(du -k "$out" | cut -f 1) KiB compressed, $(du -sk "$root" | cut -f 1) KiB unpacked" >&2
rm -rf "$root"
