/* SPDX-License-Identifier: MIT */
/*
 * The cgroup v2 backend: one directory per container, controllers enabled
 * through cgroup.subtree_control down the parent path, OOM events through an
 * inotify watch on memory.events. It moves no process except the agent itself,
 * and only when the "no internal processes" rule requires it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/parse.h"
#include "runtime/cgroup.h"
#include "runtime/cgroup_file.h"

/* The leaf the agent moves itself into when its own cgroup must delegate. */
#define V2_AGENT_LEAF "agent"

static const char *const v2_wanted_controllers[] = { "cpu", "memory", "io", "pids" };

static const char *v2_mount(const struct cg_layout *layout)
{
	return layout->unified[0] ? layout->unified : layout->root;
}

static const char *v2_dir(const struct cg_paths *p)
{
	for (int c = 0; c < _CG_CTRL_MAX; c++) {
		if (p->dir[c])
			return p->dir[c];
	}
	return NULL;
}

/* True when the space-separated list contains word. */
static bool word_listed(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += n) {
		bool starts = p == list || p[-1] == ' ';
		bool ends = p[n] == '\0' || p[n] == ' ' || p[n] == '\n';

		if (starts && ends)
			return true;
	}
	return false;
}

/* Moves the calling process (the agent) out of dir into dir/agent, so that
 * controllers can be enabled in dir. Fails when other processes remain. */
static int move_self_to_leaf(const char *dir, struct mst_err *err)
{
	char leaf[PATH_MAX], pid[32];
	unsigned left;
	int r;

	if (snprintf(leaf, sizeof(leaf), "%s/%s", dir, V2_AGENT_LEAF) >= (int)sizeof(leaf))
		return err_setx(err, ENAMETOOLONG, "cgroup %s is too long", dir);
	if (mkdir(leaf, 0755) < 0 && errno != EEXIST)
		return err_set(err, errno, "create cgroup %s", leaf);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	r = cg_file_write(leaf, "cgroup.procs", pid, err);
	if (r < 0)
		return err_prefix(err, "move the agent into %s", leaf);

	r = cg_procs_count(dir, &left);
	if (r < 0)
		return err_set(err, -r, "read %s/cgroup.procs", dir);
	if (left > 0)
		return err_setx(err, EBUSY,
				"cgroup %s still contains %u processes that are not the agent's, "
				"so controllers cannot be enabled for its children; configure a "
				"parent cgroup without processes",
				dir, left);
	return 0;
}

/* Enables the wanted controllers that dir offers in dir/cgroup.subtree_control.
 * A non-root dir with processes is emptied first when it is the agent's own
 * cgroup. */
static int enable_controllers(const char *dir, bool is_root, const char *self_dir,
			      struct mst_err *err)
{
	char available[512], enabled[512], request[64] = "";
	size_t len;
	unsigned procs = 0;
	int r;

	r = cg_file_read(dir, "cgroup.controllers", available, sizeof(available), &len);
	if (r < 0)
		return err_set(err, -r, "read %s/cgroup.controllers", dir);
	r = cg_file_read(dir, "cgroup.subtree_control", enabled, sizeof(enabled), &len);
	if (r < 0)
		return err_set(err, -r, "read %s/cgroup.subtree_control", dir);
	for (size_t i = 0; i < sizeof(v2_wanted_controllers) / sizeof(v2_wanted_controllers[0]);
	     i++) {
		const char *c = v2_wanted_controllers[i];

		if (word_listed(available, c) && !word_listed(enabled, c)) {
			strcat(request, request[0] ? " +" : "+");
			strcat(request, c);
		}
	}
	if (request[0] == '\0')
		return 0;

	if (!is_root && cg_procs_count(dir, &procs) == 0 && procs > 0) {
		if (!self_dir || strcmp(dir, self_dir) != 0)
			return err_setx(err, EBUSY,
					"cgroup %s contains processes, so controllers cannot be "
					"enabled for its children; configure a parent cgroup "
					"without processes",
					dir);
		r = move_self_to_leaf(dir, err);
		if (r < 0)
			return r;
	}
	return cg_file_write(dir, "cgroup.subtree_control", request, err);
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Returns the end offset of the path component that starts at dir[end] ('/'). */
static size_t next_level_end(const char *dir, size_t end)
{
	const char *next = strchr(dir + end + 1, '/');

	return next ? (size_t)(next - dir) : strlen(dir);
}

static int v2_prepare_parent(const struct cg_layout *layout, const struct cg_paths *parent,
			     struct mst_err *err)
{
	const char *mount = v2_mount(layout);
	const char *dir = v2_dir(parent);
	size_t mount_len = strlen(mount);
	struct cg_paths self = { 0 };
	char level[PATH_MAX];
	int r = 0;

	if (!dir || strncmp(dir, mount, mount_len) != 0 ||
	    (dir[mount_len] && dir[mount_len] != '/'))
		return err_setx(err, EINVAL, "cgroup parent %s is not under the cgroup2 mount %s",
				dir ? dir : "(none)", mount);
	if (strlen(dir) >= sizeof(level))
		return err_setx(err, ENAMETOOLONG, "cgroup parent %s is too long", dir);
	/* Knowing the agent's own cgroup is needed only to move it out of the
	 * way; without it, a busy level is reported instead. */
	(void)cg_paths_of_pid(layout, 0, &self, NULL);

	/* Find the deepest level that exists, then enable the controllers there
	 * and in every level created below it. Levels above it are left alone
	 * because they belong to the manager that delegated the subtree. */
	size_t end = mount_len;
	while (dir[end] != '\0') {
		size_t next = next_level_end(dir, end);

		memcpy(level, dir, next);
		level[next] = '\0';
		if (!is_dir(level))
			break;
		end = next;
	}
	for (;;) {
		memcpy(level, dir, end);
		level[end] = '\0';
		r = enable_controllers(level, end == mount_len, v2_dir(&self), err);
		if (r < 0 || dir[end] == '\0')
			break;
		end = next_level_end(dir, end);
		memcpy(level, dir, end);
		level[end] = '\0';
		if (mkdir(level, 0755) < 0 && errno != EEXIST) {
			r = err_set(err, errno, "create cgroup %s", level);
			break;
		}
	}
	cg_paths_free(&self);
	return r;
}

static int v2_create(const struct cg_layout *layout, const struct cg_paths *parent,
		     const char *name, struct rt_cgroup **ret, struct mst_err *err)
{
	struct rt_cgroup *cg = calloc(1, sizeof(*cg));
	const char *dir;
	int r;

	if (!cg)
		return err_set(err, ENOMEM, "create cgroup %s", name);
	cg->ops = &cg_ops_v2;
	cg->layout = layout;
	cg->v2_dirfd = -1;
	r = cg_paths_child(parent, name, &cg->paths);
	if (r < 0) {
		free(cg);
		return err_set(err, -r, "create cgroup %s", name);
	}
	dir = v2_dir(&cg->paths);
	if (!dir) {
		rt_cgroup_free(cg);
		return err_setx(err, EINVAL, "create cgroup %s: the parent has no directory", name);
	}

	if (mkdir(dir, 0755) < 0) {
		r = errno == EEXIST
			? err_setx(err, EEXIST,
				   "cgroup %s already exists: a container with this id may "
				   "still be running, or remove the leftover directory",
				   dir)
			: err_set(err, errno, "create cgroup %s", dir);
		rt_cgroup_free(cg);
		return r;
	}
	cg->v2_dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cg->v2_dirfd < 0) {
		r = err_set(err, errno, "open cgroup %s", dir);
		(void)rmdir(dir);
		rt_cgroup_free(cg);
		return r;
	}
	*ret = cg;
	return 0;
}

/* Writes value to file, or explains which controller is missing when the
 * file does not exist. */
static int write_limit(const char *dir, const char *file, const char *controller, const char *value,
		       struct mst_err *err)
{
	if (!cg_file_exists(dir, file))
		return err_setx(err, ENOENT,
				"%s limit requested but the %s controller is not enabled for %s "
				"(no %s); enable it in the parent's cgroup.subtree_control",
				controller, controller, dir, file);
	return cg_file_write(dir, file, value, err);
}

static int v2_set_memory(struct rt_cgroup *cg, const char *dir, const struct rt_limits *limits,
			 struct mst_err *err)
{
	struct cg_memory_plan plan;
	char buf[32];
	int r;

	r = cg_memory_plan_from_limits(limits, &plan, err);
	if (r < 0)
		return r;
	if (plan.memory > 0) {
		snprintf(buf, sizeof(buf), "%" PRIu64, plan.memory);
		r = write_limit(dir, "memory.max", "memory", buf, err);
		if (r < 0)
			return r;
	}
	if (!plan.set_swap)
		return 0;

	if (plan.swap_unlimited)
		snprintf(buf, sizeof(buf), "max");
	else
		snprintf(buf, sizeof(buf), "%" PRIu64, plan.memory_and_swap - plan.memory);
	if (!cg_file_exists(dir, "memory.swap.max")) {
		/* NOTE: a kernel without swap accounting has no memory.swap.max;
		 * the container may then swap freely. */
		if (!plan.swap_unlimited)
			cg->swap_limit_unsupported = true;
		return 0;
	}
	return cg_file_write(dir, "memory.swap.max", buf, err);
}

/* Writes one io.max line per entry, "MAJ:MIN rbps=N" or "MAJ:MIN wbps=N".
 * The kernel keeps the other keys of a device's line, so a read and a write
 * limit on the same device end up as "MAJ:MIN rbps=N wbps=N ...". */
static int v2_set_device_rates(const char *dir, const char *key, const struct rt_device_rate *rates,
			       size_t n, struct mst_err *err)
{
	for (size_t i = 0; i < n; i++) {
		unsigned major_number, minor_number;
		char line[96];
		int r;

		r = rt_block_device_number(rates[i].path, &major_number, &minor_number, err);
		if (r < 0)
			return r;
		/* Rate 0 means no limit, as in docker; io.max spells that "max". */
		if (rates[i].rate == 0)
			snprintf(line, sizeof(line), "%u:%u %s=max", major_number, minor_number,
				 key);
		else
			snprintf(line, sizeof(line), "%u:%u %s=%" PRIu64, major_number,
				 minor_number, key, rates[i].rate);
		r = write_limit(dir, "io.max", "io", line, err);
		if (r < 0)
			return err_prefix(err, "limit %s of %s", key, rates[i].path);
	}
	return 0;
}

static int v2_set_limits(struct rt_cgroup *cg, const struct rt_limits *limits, struct mst_err *err)
{
	const char *dir = v2_dir(&cg->paths);
	char buf[64];
	int r;

	r = v2_set_memory(cg, dir, limits, err);
	if (r < 0)
		return r;
	if (limits->nano_cpus) {
		snprintf(buf, sizeof(buf), "%" PRIu64 " %llu", rt_cpu_quota_us(limits->nano_cpus),
			 RT_CPU_PERIOD_US);
		r = write_limit(dir, "cpu.max", "cpu", buf, err);
		if (r < 0)
			return r;
	}
	if (limits->cpu_shares) {
		snprintf(buf, sizeof(buf), "%" PRIu64, rt_cpu_shares_to_weight(limits->cpu_shares));
		r = write_limit(dir, "cpu.weight", "cpu", buf, err);
		if (r < 0)
			return r;
	}
	r = v2_set_device_rates(dir, "rbps", limits->device_read_bps, limits->n_device_read_bps,
				err);
	if (r < 0)
		return r;
	r = v2_set_device_rates(dir, "wbps", limits->device_write_bps, limits->n_device_write_bps,
				err);
	if (r < 0)
		return r;
	if (limits->pids_limit == 0)
		return 0;
	if (limits->pids_limit < 0)
		snprintf(buf, sizeof(buf), "max");
	else
		snprintf(buf, sizeof(buf), "%lld", (long long)limits->pids_limit);
	return write_limit(dir, "pids.max", "pids", buf, err);
}

static int v2_attach(struct rt_cgroup *cg, pid_t pid, struct mst_err *err)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d", (int)pid);
	int r = cg_file_write(v2_dir(&cg->paths), "cgroup.procs", buf, err);
	return r < 0 ? err_prefix(err, "attach process %d", (int)pid) : 0;
}

static int v2_kill_all(struct rt_cgroup *cg, int sig, struct mst_err *err)
{
	const char *dir = v2_dir(&cg->paths);

	/* cgroup.kill (Linux 5.14) kills the whole subtree atomically, even a
	 * process that is forking. */
	if (sig == SIGKILL && cg_file_exists(dir, "cgroup.kill"))
		return cg_file_write(dir, "cgroup.kill", "1", err);
	return cg_procs_kill(dir, sig, err);
}

static int v2_count_procs(struct rt_cgroup *cg, unsigned *ret)
{
	return cg_procs_count(v2_dir(&cg->paths), ret);
}

static int v2_oom_watch_open(struct rt_cgroup *cg, int *ret_fd, struct mst_err *err)
{
	const char *dir = v2_dir(&cg->paths);
	char path[PATH_MAX];
	int fd;

	if (snprintf(path, sizeof(path), "%s/memory.events", dir) >= (int)sizeof(path))
		return err_setx(err, ENAMETOOLONG, "watch OOM events: %s is too long", dir);
	fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (fd < 0)
		return err_set(err, errno, "watch OOM events: inotify_init1");
	if (inotify_add_watch(fd, path, IN_MODIFY) < 0) {
		int r = err_set(err, errno, "watch OOM events: watch %s", path);
		(void)close(fd);
		return r;
	}
	*ret_fd = fd;
	return 0;
}

static void v2_oom_watch_drain(int fd)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

static int v2_oom_kill_count(struct rt_cgroup *cg, uint64_t *ret)
{
	return cg_file_read_key(v2_dir(&cg->paths), "memory.events", "oom_kill", ret);
}

static int v2_remove(struct rt_cgroup *cg, struct mst_err *err)
{
	return cg_dir_remove(v2_dir(&cg->paths), err);
}

const struct cg_ops cg_ops_v2 = {
	.name = "v2",
	.prepare_parent = v2_prepare_parent,
	.create = v2_create,
	.set_limits = v2_set_limits,
	.attach = v2_attach,
	.kill_all = v2_kill_all,
	.count_procs = v2_count_procs,
	.oom_watch_open = v2_oom_watch_open,
	.oom_watch_drain = v2_oom_watch_drain,
	.oom_kill_count = v2_oom_kill_count,
	.remove = v2_remove,
};
