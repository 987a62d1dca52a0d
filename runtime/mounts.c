/* SPDX-License-Identifier: MIT */
/*
 * The container's mount namespace: the root (the host's root read-only, or a
 * writable --rootfs), pivot_root into it, a fresh /proc, /dev, /tmp and a
 * read-only /sys, and Docker's masked and read-only paths. Runs in the cloned
 * child, so it uses only async-signal-safe system calls and constant strings.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime/spawn_child.h"

/* Docker's default MaskedPaths and ReadonlyPaths, as `docker inspect` reports
 * them in HostConfig. A masked directory gets an empty read-only tmpfs, a
 * masked file gets /dev/null. */
static const char *const masked_paths[] = {
	"/proc/acpi",
	"/proc/asound",
	"/proc/interrupts",
	"/proc/kcore",
	"/proc/keys",
	"/proc/latency_stats",
	"/proc/sched_debug",
	"/proc/scsi",
	"/proc/timer_list",
	"/proc/timer_stats",
	"/sys/devices/virtual/powercap",
	"/sys/firmware",
};
static const char *const readonly_paths[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

/* Mount points that receive fresh file systems, relative to the new root. */
static const char *const inherited_mounts[] = { "dev", "proc", "sys", "tmp" };

/* Device nodes bind-mounted from the host's /dev, as runc creates them. */
static const char *const dev_nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };

static const struct {
	const char *target;
	const char *link;
} dev_links[] = {
	{ "/proc/self/fd", "dev/fd" },	     { "/proc/self/fd/0", "dev/stdin" },
	{ "/proc/self/fd/1", "dev/stdout" }, { "/proc/self/fd/2", "dev/stderr" },
	{ "pts/ptmx", "dev/ptmx" },
};

int rt_child_fail(struct rt_child_error *e, int code, const char *step, const char *arg)
{
	size_t size = sizeof(e->step), len = strlen(step);

	if (len >= size)
		len = size - 1;
	memcpy(e->step, step, len);
	if (arg && len + 1 < size - 1) {
		size_t arg_len = strlen(arg);

		e->step[len++] = ' ';
		if (arg_len > size - 1 - len)
			arg_len = size - 1 - len;
		memcpy(e->step + len, arg, arg_len);
		len += arg_len;
	}
	e->step[len] = '\0';
	e->code = code > 0 ? code : EIO;
	return -e->code;
}

/* Creates directory path unless a directory is already there; a read-only
 * root counts as success when the directory exists. */
static int ensure_dir(const char *path, struct rt_child_error *e)
{
	struct stat st;

	if (mkdir(path, 0755) == 0)
		return 0;
	int saved = errno;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	return rt_child_fail(e, saved, "create directory", path);
}

static int mount_or_fail(const char *source, const char *target, const char *type,
			 unsigned long flags, const char *data, const char *step,
			 struct rt_child_error *e)
{
	if (mount(source, target, type, flags, data) < 0)
		return rt_child_fail(e, errno, step, target);
	return 0;
}

static int make_readonly(const char *path, unsigned flags, struct rt_child_error *e)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };

	if (mount_setattr(AT_FDCWD, path, flags, &attr, sizeof(attr)) < 0)
		return rt_child_fail(e, errno, "make read-only", path);
	return 0;
}

/* Makes every mount private, then mounts the new root on its target and
 * enters it. */
static int bind_root(const struct rt_child *c, struct rt_child_error *e)
{
	int r;

	r = mount_or_fail(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL, "make mounts private on", e);
	if (r < 0)
		return r;
	r = mount_or_fail(c->root_source, c->root_target, NULL, MS_BIND | MS_REC, NULL,
			  "bind-mount the root filesystem on", e);
	if (r < 0)
		return r;
	if (c->root_readonly) {
		r = make_readonly(c->root_target, AT_RECURSIVE, e);
		if (r < 0)
			return r;
	}
	if (chdir(c->root_target) < 0)
		return rt_child_fail(e, errno, "enter the root filesystem", c->root_target);
	return 0;
}

/* Detaches whatever the recursive bind of the root brought along at path
 * (the host's /dev, /proc, /sys, /tmp), so that the fresh mounts do not sit
 * on top of host mounts. A path that is not a mount point is left alone. */
static int detach_inherited(const char *path, struct rt_child_error *e)
{
	if (umount2(path, MNT_DETACH) == 0 || errno == EINVAL || errno == ENOENT)
		return 0;
	return rt_child_fail(e, errno, "detach the host's mount on", path);
}

/* Mounts a tmpfs on dev (relative to the new root) with the device nodes,
 * devpts, shm, mqueue and the usual symbolic links. */
static int setup_dev(struct rt_child_error *e)
{
	char target[32], source[32];
	int r;

	r = ensure_dir("dev", e);
	if (r < 0)
		return r;
	r = mount_or_fail("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME,
			  "mode=755,size=65536k", "mount tmpfs on", e);
	if (r < 0)
		return r;

	for (size_t i = 0; i < sizeof(dev_nodes) / sizeof(dev_nodes[0]); i++) {
		size_t len = strlen(dev_nodes[i]);

		memcpy(target, "dev/", 4);
		memcpy(target + 4, dev_nodes[i], len + 1);
		memcpy(source, "/dev/", 5);
		memcpy(source + 5, dev_nodes[i], len + 1);
		int fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
		if (fd < 0)
			return rt_child_fail(e, errno, "create", target);
		(void)close(fd);
		r = mount_or_fail(source, target, NULL, MS_BIND, NULL,
				  "bind-mount the host's device on", e);
		if (r < 0)
			return r;
	}

	if (mkdir("dev/pts", 0755) < 0 || mkdir("dev/shm", 01777) < 0 ||
	    mkdir("dev/mqueue", 0755) < 0)
		return rt_child_fail(e, errno, "create directories in", "/dev");
	r = mount_or_fail("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
			  "newinstance,ptmxmode=0666,mode=0620,gid=5", "mount devpts on", e);
	if (r < 0)
		return r;
	r = mount_or_fail("shm", "dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  "mode=1777,size=65536k", "mount tmpfs on", e);
	if (r < 0)
		return r;
	r = mount_or_fail("mqueue", "dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL,
			  "mount mqueue on", e);
	if (r < 0)
		return r;

	for (size_t i = 0; i < sizeof(dev_links) / sizeof(dev_links[0]); i++) {
		if (symlink(dev_links[i].target, dev_links[i].link) < 0)
			return rt_child_fail(e, errno, "create symbolic link", dev_links[i].link);
	}
	return 0;
}

/* Replaces the root with the current directory. pivot_root(".", ".") stacks
 * the old root on top of the new one, and the detach removes it, so no
 * directory for the old root is needed (this works on a read-only root). */
static int pivot_into_cwd(struct rt_child_error *e)
{
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return rt_child_fail(e, errno, "pivot_root into the root filesystem", NULL);
	if (umount2(".", MNT_DETACH) < 0)
		return rt_child_fail(e, errno, "detach the old root", NULL);
	if (chdir("/") < 0)
		return rt_child_fail(e, errno, "enter", "/");
	return 0;
}

static int mask_paths(struct rt_child_error *e)
{
	for (size_t i = 0; i < sizeof(masked_paths) / sizeof(masked_paths[0]); i++) {
		const char *path = masked_paths[i];
		struct stat st;
		int r;

		if (stat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			r = mount_or_fail("tmpfs", path, "tmpfs", MS_RDONLY, NULL, "mask", e);
		else
			r = mount_or_fail("/dev/null", path, NULL, MS_BIND, NULL, "mask", e);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < sizeof(readonly_paths) / sizeof(readonly_paths[0]); i++) {
		const char *path = readonly_paths[i];
		struct stat st;

		if (stat(path, &st) < 0)
			continue;
		int r = mount_or_fail(path, path, NULL, MS_BIND | MS_REC, NULL, "bind-mount", e);
		if (r < 0)
			return r;
		r = make_readonly(path, AT_RECURSIVE, e);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Bind-mounts source read-only over target (relative to the new root). A
 * root without the target file gets one when it is writable; a read-only
 * root that lacks it keeps lacking it. */
static int bind_etc_file(const struct rt_child *c, const char *source, const char *target,
			 struct rt_child_error *e)
{
	struct stat st;
	int r;

	if (!source)
		return 0;
	if (stat(target, &st) < 0) {
		if (c->root_readonly)
			return 0;
		r = ensure_dir("etc", e);
		if (r < 0)
			return r;
		int fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0)
			return rt_child_fail(e, errno, "create", target);
		(void)close(fd);
	}
	r = mount_or_fail(source, target, NULL, MS_BIND, NULL, "bind-mount the container's", e);
	if (r < 0)
		return r;
	return make_readonly(target, 0, e);
}

int rt_mounts_setup(const struct rt_child *c, struct rt_child_error *e)
{
	int r;

	r = bind_root(c, e);
	if (r < 0)
		return r;
	r = bind_etc_file(c, c->etc_hostname, "etc/hostname", e);
	if (r < 0)
		return r;
	r = bind_etc_file(c, c->etc_hosts, "etc/hosts", e);
	if (r < 0)
		return r;
	for (size_t i = 0; i < sizeof(inherited_mounts) / sizeof(inherited_mounts[0]); i++) {
		r = detach_inherited(inherited_mounts[i], e);
		if (r < 0)
			return r;
	}
	r = setup_dev(e);
	if (r < 0)
		return r;
	r = ensure_dir("tmp", e);
	if (r < 0)
		return r;
	r = mount_or_fail("tmpfs", "tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777",
			  "mount tmpfs on", e);
	if (r < 0)
		return r;
	r = ensure_dir("proc", e);
	if (r < 0)
		return r;
	r = ensure_dir("sys", e);
	if (r < 0)
		return r;

	r = pivot_into_cwd(e);
	if (r < 0)
		return r;
	r = mount_or_fail("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL,
			  "mount proc on", e);
	if (r < 0)
		return r;
	/* NOTE: /sys/fs/cgroup stays an empty directory, so the container can
	 * read its cgroup only from /proc/self/cgroup. */
	r = mount_or_fail("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY,
			  NULL, "mount sysfs on", e);
	if (r < 0)
		return r;
	return mask_paths(e);
}

int rt_net_loopback_up(struct rt_child_error *e)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return rt_child_fail(e, errno, "open a socket to configure", "lo");
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, "lo", 3);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		goto fail;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		goto fail;
	(void)close(fd);
	return 0;

fail:;
	int saved = errno;
	(void)close(fd);
	return rt_child_fail(e, saved, "bring up", "lo");
}
