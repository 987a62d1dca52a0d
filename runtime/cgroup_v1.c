/* SPDX-License-Identifier: MIT */
/*
 * The cgroup v1 backend: one directory per controller (memory, cpu, cpuacct,
 * blkio, pids), limits in the v1 file names, OOM events through
 * cgroup.event_control. It creates, writes and removes only the container's
 * directories and the parent directories it is asked to prepare.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/parse.h"
#include "runtime/cgroup.h"
#include "runtime/cgroup_file.h"

#define SYS_BLOCK_DIR "/sys/block"
/* 2^60 bytes/s: a throttle rule that never throttles anything. */
#define BLKIO_NOOP_BPS "1152921504606846976"

/* True when controller c shares its directory with an earlier controller
 * (cpu and cpuacct co-mounted as "cpu,cpuacct"). */
static bool dir_is_repeated(const struct cg_paths *p, int c)
{
	for (int prev = 0; prev < c; prev++) {
		if (p->dir[prev] && strcmp(p->dir[prev], p->dir[c]) == 0)
			return true;
	}
	return false;
}

/* The directory whose cgroup.procs lists the container's processes. */
static const char *primary_dir(const struct cg_paths *p)
{
	if (p->dir[CG_CTRL_MEMORY])
		return p->dir[CG_CTRL_MEMORY];
	for (int c = 0; c < _CG_CTRL_MAX; c++) {
		if (p->dir[c])
			return p->dir[c];
	}
	return NULL;
}

/* Creates dir and the missing directories above it. */
static int mkdir_parents(const char *dir, struct mst_err *err)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path))
		return err_setx(err, ENAMETOOLONG, "cgroup directory %s is too long", dir);
	for (char *slash = strchr(path + 1, '/');; slash = strchr(slash + 1, '/')) {
		if (slash)
			*slash = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return err_set(err, errno, "create cgroup %s", path);
		if (!slash)
			return 0;
		*slash = '/';
	}
}

static int v1_prepare_parent(const struct cg_layout *layout, const struct cg_paths *parent,
			     struct mst_err *err)
{
	for (int c = 0; c < _CG_CTRL_MAX; c++) {
		if (!parent->dir[c] || dir_is_repeated(parent, c))
			continue;
		int r = mkdir_parents(parent->dir[c], err);
		if (r < 0)
			return r;
	}
	return 0;
}

static void remove_created(const struct cg_paths *p, int upto)
{
	for (int c = upto - 1; c >= 0; c--) {
		if (p->dir[c] && !dir_is_repeated(p, c))
			(void)rmdir(p->dir[c]);
	}
}

static int v1_create(const struct cg_layout *layout, const struct cg_paths *parent,
		     const char *name, struct rt_cgroup **ret, struct mst_err *err)
{
	struct rt_cgroup *cg = calloc(1, sizeof(*cg));
	int r;

	if (!cg)
		return err_set(err, ENOMEM, "create cgroup %s", name);
	cg->ops = &cg_ops_v1;
	cg->layout = layout;
	cg->v2_dirfd = -1;
	r = cg_paths_child(parent, name, &cg->paths);
	if (r < 0) {
		free(cg);
		return err_set(err, -r, "create cgroup %s", name);
	}
	if (!primary_dir(&cg->paths)) {
		rt_cgroup_free(cg);
		return err_setx(err, ENOENT,
				"create cgroup %s: the parent has no controller directory; "
				"mount the memory, cpu or pids controller",
				name);
	}

	for (int c = 0; c < _CG_CTRL_MAX; c++) {
		const char *dir = cg->paths.dir[c];

		if (!dir || dir_is_repeated(&cg->paths, c))
			continue;
		if (mkdir(dir, 0755) == 0)
			continue;
		r = errno == EEXIST
			? err_setx(err, EEXIST,
				   "cgroup %s already exists: a container with this id may "
				   "still be running, or remove the leftover directory",
				   dir)
			: err_set(err, errno, "create cgroup %s", dir);
		remove_created(&cg->paths, c);
		rt_cgroup_free(cg);
		return r;
	}
	*ret = cg;
	return 0;
}

/* Writes memory.limit_in_bytes and memory.memsw.limit_in_bytes in the order
 * that keeps memsw >= memory after each write, as the kernel requires. */
static int write_memory_pair(struct rt_cgroup *cg, const char *dir, const char *memory,
			     uint64_t memory_bytes, const char *memsw, struct mst_err *err)
{
	char buf[64];
	size_t len;
	uint64_t current_memsw = MST_UNLIMITED;
	int r;

	r = cg_file_read(dir, "memory.memsw.limit_in_bytes", buf, sizeof(buf), &len);
	if (r < 0)
		return err_set(err, -r, "read %s/memory.memsw.limit_in_bytes", dir);
	r = parse_limit(buf, len, &current_memsw);
	if (r < 0)
		return err_set(err, -r, "parse %s/memory.memsw.limit_in_bytes '%s'", dir, buf);

	if (memory_bytes <= current_memsw) {
		r = cg_file_write(dir, "memory.limit_in_bytes", memory, err);
		if (r < 0)
			return r;
		return cg_file_write(dir, "memory.memsw.limit_in_bytes", memsw, err);
	}
	r = cg_file_write(dir, "memory.memsw.limit_in_bytes", memsw, err);
	if (r < 0)
		return r;
	return cg_file_write(dir, "memory.limit_in_bytes", memory, err);
}

static int v1_set_memory(struct rt_cgroup *cg, const struct rt_limits *limits, struct mst_err *err)
{
	const char *dir = cg->paths.dir[CG_CTRL_MEMORY];
	struct cg_memory_plan plan;
	char memory[32], memsw[32];
	int r;

	r = cg_memory_plan_from_limits(limits, &plan, err);
	if (r < 0)
		return r;
	if (plan.memory == 0 && !plan.set_swap)
		return 0;
	if (!dir)
		return err_setx(err, ENOENT,
				"memory limit requested but the memory controller is not mounted");

	bool has_memsw = cg_file_exists(dir, "memory.memsw.limit_in_bytes");
	snprintf(memory, sizeof(memory), "%" PRIu64, plan.memory);
	if (plan.swap_unlimited)
		snprintf(memsw, sizeof(memsw), "-1");
	else
		snprintf(memsw, sizeof(memsw), "%" PRIu64, plan.memory_and_swap);

	if (plan.set_swap && !has_memsw) {
		/* NOTE: without swap accounting (no memory.memsw.* files) only
		 * memory is limited, and the container may swap freely. */
		if (!plan.swap_unlimited)
			cg->swap_limit_unsupported = true;
		plan.set_swap = false;
	}
	if (plan.memory == 0)
		return plan.set_swap ? cg_file_write(dir, "memory.memsw.limit_in_bytes", memsw, err)
				     : 0;
	if (!plan.set_swap)
		return cg_file_write(dir, "memory.limit_in_bytes", memory, err);
	return write_memory_pair(cg, dir, memory, plan.memory, memsw, err);
}

static int v1_set_cpu_and_pids(struct rt_cgroup *cg, const struct rt_limits *limits,
			       struct mst_err *err)
{
	const char *cpu = cg->paths.dir[CG_CTRL_CPU];
	const char *pids = cg->paths.dir[CG_CTRL_PIDS];
	char buf[32];
	int r;

	if ((limits->nano_cpus || limits->cpu_shares) && !cpu)
		return err_setx(err, ENOENT,
				"CPU limit requested but the cpu controller is not mounted");
	if (limits->nano_cpus) {
		snprintf(buf, sizeof(buf), "%llu", RT_CPU_PERIOD_US);
		r = cg_file_write(cpu, "cpu.cfs_period_us", buf, err);
		if (r < 0)
			return r;
		snprintf(buf, sizeof(buf), "%" PRIu64, rt_cpu_quota_us(limits->nano_cpus));
		r = cg_file_write(cpu, "cpu.cfs_quota_us", buf, err);
		if (r < 0)
			return r;
	}
	if (limits->cpu_shares) {
		snprintf(buf, sizeof(buf), "%" PRIu64, limits->cpu_shares);
		r = cg_file_write(cpu, "cpu.shares", buf, err);
		if (r < 0)
			return r;
	}

	if (limits->pids_limit == 0)
		return 0;
	if (!pids)
		return err_setx(err, ENOENT,
				"pids limit requested but the pids controller is not mounted");
	if (limits->pids_limit < 0)
		snprintf(buf, sizeof(buf), "max");
	else
		snprintf(buf, sizeof(buf), "%lld", (long long)limits->pids_limit);
	return cg_file_write(pids, "pids.max", buf, err);
}

/*
 * Installs a throttle rule of 2^60 bytes/s for reads and writes on every whole
 * disk, skipping devices the kernel rejects. blk-throttle counts
 * blkio.throttle.io_service_bytes for a device only after some cgroup has set
 * a rule on that device, and without these counters the io collector reads
 * zeros. Checked on Linux 6.18 with a loop device: nothing was counted before
 * the first rule, and every cgroup was counted after it. A device of size 0
 * (a loop device with no file, an unset zram) is skipped, because each rule
 * adds a record that the collector's two blkio reads walk on every pass. The
 * benchmark found those reads at a third of mstatd's CPU with ten devices.
 * NOTE: a disk that gains a medium after a container started is not counted
 * for that container.
 */
static void v1_install_blkio_rules(const char *dir)
{
	DIR *block = opendir(SYS_BLOCK_DIR);
	struct dirent *de;

	if (!block)
		return;
	while ((de = readdir(block))) {
		char sysdir[PATH_MAX], devnum[32], size[32], rule[96];
		size_t len;

		if (de->d_name[0] == '.')
			continue;
		if (snprintf(sysdir, sizeof(sysdir), "%s/%s", SYS_BLOCK_DIR, de->d_name) >=
		    (int)sizeof(sysdir))
			continue;
		if (cg_file_read(sysdir, "dev", devnum, sizeof(devnum), &len) < 0 || len < 4)
			continue;
		if (cg_file_read(sysdir, "size", size, sizeof(size), &len) < 0 || len == 0 ||
		    size[0] == '0')
			continue;
		devnum[strcspn(devnum, "\n")] = '\0';
		snprintf(rule, sizeof(rule), "%s %s", devnum, BLKIO_NOOP_BPS);
		(void)cg_file_write(dir, "blkio.throttle.read_bps_device", rule, NULL);
		(void)cg_file_write(dir, "blkio.throttle.write_bps_device", rule, NULL);
	}
	(void)closedir(block);
}

/* Writes "MAJ:MIN RATE" per entry into file, replacing the no-op rule that
 * v1_install_blkio_rules() set on that device. */
static int v1_set_device_rates(const char *dir, const char *file,
			       const struct rt_device_rate *rates, size_t n, struct mst_err *err)
{
	for (size_t i = 0; i < n; i++) {
		unsigned major_number, minor_number;
		char rule[96];
		int r;

		r = rt_block_device_number(rates[i].path, &major_number, &minor_number, err);
		if (r < 0)
			return r;
		/* Rate 0 means no limit, as in docker. Writing 0 would delete the
		 * rule and, with it, the device's I/O counters, so the no-op rate
		 * stays instead. */
		if (rates[i].rate == 0)
			snprintf(rule, sizeof(rule), "%u:%u %s", major_number, minor_number,
				 BLKIO_NOOP_BPS);
		else
			snprintf(rule, sizeof(rule), "%u:%u %" PRIu64, major_number, minor_number,
				 rates[i].rate);
		r = cg_file_write(dir, file, rule, err);
		if (r < 0)
			return err_prefix(err, "limit the bandwidth of %s", rates[i].path);
	}
	return 0;
}

static int v1_set_blkio(struct rt_cgroup *cg, const struct rt_limits *limits, struct mst_err *err)
{
	const char *dir = cg->paths.dir[CG_CTRL_BLKIO];
	int r;

	if (!dir) {
		if (limits->n_device_read_bps || limits->n_device_write_bps)
			return err_setx(err, ENOENT,
					"device bandwidth limit requested but the blkio controller "
					"is not mounted");
		return 0;
	}
	v1_install_blkio_rules(dir);
	r = v1_set_device_rates(dir, "blkio.throttle.read_bps_device", limits->device_read_bps,
				limits->n_device_read_bps, err);
	if (r < 0)
		return r;
	return v1_set_device_rates(dir, "blkio.throttle.write_bps_device", limits->device_write_bps,
				   limits->n_device_write_bps, err);
}

static int v1_set_limits(struct rt_cgroup *cg, const struct rt_limits *limits, struct mst_err *err)
{
	int r = v1_set_memory(cg, limits, err);

	if (r < 0)
		return r;
	r = v1_set_cpu_and_pids(cg, limits, err);
	if (r < 0)
		return r;
	return v1_set_blkio(cg, limits, err);
}

static int v1_attach(struct rt_cgroup *cg, pid_t pid, struct mst_err *err)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d", (int)pid);
	for (int c = 0; c < _CG_CTRL_MAX; c++) {
		if (!cg->paths.dir[c] || dir_is_repeated(&cg->paths, c))
			continue;
		int r = cg_file_write(cg->paths.dir[c], "cgroup.procs", buf, err);
		if (r < 0)
			return err_prefix(err, "attach process %d", (int)pid);
	}
	return 0;
}

static int v1_kill_all(struct rt_cgroup *cg, int sig, struct mst_err *err)
{
	/* NOTE: v1 has no cgroup.kill, and this backend does not freeze. A
	 * process that forks in a loop can outlive one pass, so SIGKILL re-reads
	 * the list for up to 1 s. */
	return cg_procs_kill(primary_dir(&cg->paths), sig, err);
}

static int v1_count_procs(struct rt_cgroup *cg, unsigned *ret)
{
	return cg_procs_count(primary_dir(&cg->paths), ret);
}

static int v1_oom_watch_open(struct rt_cgroup *cg, int *ret_fd, struct mst_err *err)
{
	const char *dir = cg->paths.dir[CG_CTRL_MEMORY];
	char path[PATH_MAX], line[64];
	int efd, cfd, r;

	if (!dir)
		return err_setx(err, ENOENT,
				"watch OOM events: the memory controller is not mounted");
	if (snprintf(path, sizeof(path), "%s/memory.oom_control", dir) >= (int)sizeof(path))
		return err_setx(err, ENAMETOOLONG, "watch OOM events: %s is too long", dir);

	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0)
		return err_set(err, errno, "watch OOM events: eventfd");
	cfd = open(path, O_RDONLY | O_CLOEXEC);
	if (cfd < 0) {
		r = err_set(err, errno, "watch OOM events: open %s", path);
		(void)close(efd);
		return r;
	}

	/* The kernel takes its own references during the write, so the
	 * memory.oom_control descriptor is not needed afterwards. */
	snprintf(line, sizeof(line), "%d %d", efd, cfd);
	r = cg_file_write(dir, "cgroup.event_control", line, err);
	(void)close(cfd);
	if (r < 0) {
		(void)close(efd);
		return err_prefix(err, "watch OOM events");
	}
	*ret_fd = efd;
	return 0;
}

static void v1_oom_watch_drain(int fd)
{
	uint64_t count;

	while (read(fd, &count, sizeof(count)) == (ssize_t)sizeof(count))
		;
}

static int v1_oom_kill_count(struct rt_cgroup *cg, uint64_t *ret)
{
	const char *dir = cg->paths.dir[CG_CTRL_MEMORY];

	if (!dir)
		return -ENOENT;
	return cg_file_read_key(dir, "memory.oom_control", "oom_kill", ret);
}

static int v1_remove(struct rt_cgroup *cg, struct mst_err *err)
{
	int result = 0;

	for (int c = 0; c < _CG_CTRL_MAX; c++) {
		if (!cg->paths.dir[c] || dir_is_repeated(&cg->paths, c))
			continue;
		/* Keep the first error but still try every controller. */
		int r = cg_dir_remove(cg->paths.dir[c], result < 0 ? NULL : err);
		if (r < 0 && result == 0)
			result = r;
	}
	return result;
}

const struct cg_ops cg_ops_v1 = {
	.name = "v1",
	.prepare_parent = v1_prepare_parent,
	.create = v1_create,
	.set_limits = v1_set_limits,
	.attach = v1_attach,
	.kill_all = v1_kill_all,
	.count_procs = v1_count_procs,
	.oom_watch_open = v1_oom_watch_open,
	.oom_watch_drain = v1_oom_watch_drain,
	.oom_kill_count = v1_oom_kill_count,
	.remove = v1_remove,
};
