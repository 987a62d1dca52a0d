// SPDX-License-Identifier: MIT
/*
 * Collection and rendering cost benchmark. Creates N cgroups beneath the
 * caller's own cgroup with the limits mstatd writes when none are set, each
 * holding one paused process (in its own network namespace unless
 * --no-netns, with a veth pair in it with --veth, as a container with a
 * network has links beside loopback). Adds them to a pipeline with every built-in collector and
 * times passes against a floor that only pread()s the same kept
 * descriptors. Then times Prometheus rendering of the last snapshot per
 * format. CPU time is CLOCK_PROCESS_CPUTIME_ID (user + system). Removes
 * every cgroup and process it created. It is never a pass/fail test.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/netlink.h>

#include "collectors/net_link.h"
#include "collectors/pipeline.h"
#include "exporters/prom.h"
#include "runtime/cgroup.h"

#define BENCH_MAX_TARGETS 5000
#define BENCH_MAX_FDS	  65536
#define FLOOR_BUFFER	  65536

#define BENCH_MAX_HIERARCHIES 8
#define BENCH_MAX_NAMES	      32

/* The files target c0 reads in one hierarchy ("<mount>/<parent>/" + name),
 * which the floor reads through the directory descriptors of targets in
 * directory mode. */
struct floor_hierarchy {
	char prefix[PATH_MAX];
	char names[BENCH_MAX_NAMES][64];
	size_t n_names;
	int *dir_fds; /* O_PATH directories in this hierarchy */
	size_t n_dir_fds;
};

struct bench_target {
	pid_t pid;
	struct rt_cgroup *cg;
};

struct bench {
	struct cg_layout layout;
	const struct cg_ops *ops;
	struct cg_paths parent;
	struct bench_target *targets;
	size_t n_targets;
	bool netns;
	bool veth; /* a veth pair in each namespace */
	int *fds;  /* the descriptors the pipeline keeps open */
	size_t n_fds;
	size_t n_dir_fds; /* of which O_PATH directories (directory mode) */
	int *nl_fds;	  /* its netlink sockets, one per namespace */
	size_t n_nl_fds;
	struct floor_hierarchy hier[BENCH_MAX_HIERARCHIES];
	size_t n_hier;
};

static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Creates a veth pair in the caller's network namespace with ip(8). */
static int add_veth_pair(void)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execlp("ip", "ip", "link", "add", "mstat-b0", "type", "veth", "peer", "name",
		       "mstat-b1", (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

/* Forks a process that waits for SIGKILL, in a new network namespace when
 * netns is set, with a veth pair in it when veth is set. One byte on a pipe
 * signals that the namespace is ready. */
static pid_t spawn_paused(bool netns, bool veth)
{
	int ready[2];
	char c = 0;

	if (pipe2(ready, O_CLOEXEC) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (netns && unshare(CLONE_NEWNET) < 0)
			_exit(1);
		if (veth && add_veth_pair() < 0)
			_exit(1);
		(void)write(ready[1], &c, 1);
		for (;;)
			pause();
	}
	close(ready[1]);
	ssize_t n = read(ready[0], &c, 1);
	close(ready[0]);
	if (n != 1) {
		(void)kill(pid, SIGKILL);
		(void)waitpid(pid, NULL, 0);
		return -ECHILD;
	}
	return pid;
}

static int bench_setup(struct bench *b, size_t n, struct mst_err *err)
{
	const struct rt_limits limits = { 0 };
	struct cg_paths own;
	char name[64];
	int r;

	r = cg_layout_detect("/sys/fs/cgroup", "/proc", &b->layout, err);
	if (r < 0)
		return r;
	b->ops = cg_ops_for(&b->layout);
	r = cg_paths_of_pid(&b->layout, 0, &own, err);
	if (r < 0)
		return r;
	snprintf(name, sizeof(name), "mstat-bench-%d", (int)getpid());
	r = cg_paths_child(&own, name, &b->parent);
	cg_paths_free(&own);
	if (r < 0)
		return err_set(err, -r, "cgroup path %s", name);
	r = b->ops->prepare_parent(&b->layout, &b->parent, err);
	if (r < 0)
		return r;

	b->targets = calloc(n, sizeof(b->targets[0]));
	if (!b->targets)
		return err_set(err, ENOMEM, "targets");
	for (size_t i = 0; i < n; i++) {
		struct bench_target *t = &b->targets[i];

		snprintf(name, sizeof(name), "c%zu", i);
		r = b->ops->create(&b->layout, &b->parent, name, &t->cg, err);
		if (r < 0)
			return r;
		b->n_targets++;
		/* The limits mstatd writes for a container with none set (on v1,
		 * no-op blkio rules that the io collector then reads). */
		r = b->ops->set_limits(t->cg, &limits, err);
		if (r < 0)
			return r;
		t->pid = spawn_paused(b->netns, b->veth);
		if (t->pid < 0)
			return err_set(err, -t->pid, "start process %zu", i);
		r = b->ops->attach(t->cg, t->pid, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static void bench_teardown(struct bench *b)
{
	struct mst_err err = { 0 };

	for (size_t i = 0; i < b->n_targets; i++) {
		struct bench_target *t = &b->targets[i];

		if (t->pid > 0) {
			(void)kill(t->pid, SIGKILL);
			(void)waitpid(t->pid, NULL, 0);
		}
		if (t->cg && b->ops->remove(t->cg, &err) < 0)
			fprintf(stderr, "bench: %s\n", err.msg);
		rt_cgroup_free(t->cg);
	}
	for (int c = 0; c < _CG_CTRL_MAX; c++)
		if (b->parent.dir[c] && rmdir(b->parent.dir[c]) < 0 && errno != ENOENT)
			fprintf(stderr, "bench: remove %s: %s\n", b->parent.dir[c],
				strerror(errno));
	cg_paths_free(&b->parent);
	free(b->targets);
	free(b->fds);
	free(b->nl_fds);
	for (size_t h = 0; h < b->n_hier; h++)
		free(b->hier[h].dir_fds);
}

/* Returns the hierarchy of path: its part up to the "/" after the parent
 * cgroup's name, added when new. NULL when path is not beneath it. */
static struct floor_hierarchy *hierarchy_of(struct bench *b, const char *path, const char *parent)
{
	const char *at = strstr(path, parent);

	if (!at)
		return NULL;
	size_t len = (size_t)(at - path) + strlen(parent) + 1;
	for (size_t h = 0; h < b->n_hier; h++)
		if (strlen(b->hier[h].prefix) == len && strncmp(b->hier[h].prefix, path, len) == 0)
			return &b->hier[h];
	if (b->n_hier == BENCH_MAX_HIERARCHIES || len >= PATH_MAX)
		return NULL;
	struct floor_hierarchy *hy = &b->hier[b->n_hier++];
	memcpy(hy->prefix, path, len);
	hy->prefix[len] = '\0';
	hy->dir_fds = calloc(BENCH_MAX_FDS, sizeof(int));
	return hy->dir_fds ? hy : NULL;
}

/* Sorts the kept descriptors for the floor: files are read as they are, the
 * O_PATH directories of directory mode through the names of target c0. */
static void classify_fds(struct bench *b)
{
	char parent[80], c0[96];
	size_t n_files = 0;

	snprintf(parent, sizeof(parent), "mstat-bench-%d", (int)getpid());
	snprintf(c0, sizeof(c0), "%s/c0/", parent);
	for (size_t i = 0; i < b->n_fds; i++) {
		char link[64], path[PATH_MAX];
		int fd = b->fds[i];

		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		ssize_t n = readlink(link, path, sizeof(path) - 1);
		if (n <= 0)
			continue;
		path[n] = '\0';
		if (strncmp(path, "socket:", 7) == 0) {
			b->nl_fds[b->n_nl_fds++] = fd;
			continue;
		}
		struct floor_hierarchy *hy = hierarchy_of(b, path, parent);
		if (fcntl(fd, F_GETFL) & O_PATH) {
			b->n_dir_fds++;
			if (hy)
				hy->dir_fds[hy->n_dir_fds++] = fd;
			continue;
		}
		const char *name = strstr(path, c0);
		if (hy && name && hy->n_names < BENCH_MAX_NAMES)
			snprintf(hy->names[hy->n_names++], 64, "%s", name + strlen(c0));
		b->fds[n_files++] = fd;
	}
	b->n_fds = n_files;
}

/* Marks every open descriptor in seen (a BENCH_MAX_FDS bitmap of bools). */
static int list_fds(bool *seen)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (!d)
		return -errno;
	int self = dirfd(d);
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);

		if (e->d_name[0] != '.' && fd != self && fd >= 0 && fd < BENCH_MAX_FDS)
			seen[fd] = true;
	}
	closedir(d);
	return 0;
}

static int add_targets(struct bench *b, struct pipeline *p, struct mst_err *err)
{
	bool *before = calloc(BENCH_MAX_FDS, sizeof(bool));
	bool *after = calloc(BENCH_MAX_FDS, sizeof(bool));
	int r = -ENOMEM;

	if (!before || !after || !(b->fds = calloc(BENCH_MAX_FDS, sizeof(int))) ||
	    !(b->nl_fds = calloc(BENCH_MAX_FDS, sizeof(int))))
		goto out;
	r = list_fds(before);
	for (size_t i = 0; r == 0 && i < b->n_targets; i++) {
		char id[80], name[64];
		struct snapshot_meta meta = {
			.name = name,
			.container_id = id,
			.state = "running",
		};

		snprintf(name, sizeof(name), "bench-%zu", i);
		snprintf(id, sizeof(id), "%016zx%048x", i, 0);
		meta.id = b->targets[i].cg->paths.path;
		r = pipeline_add_target(p, &meta, &b->targets[i].cg->paths, b->targets[i].pid, err);
	}
	if (r == 0)
		r = list_fds(after);
	for (int fd = 0; r == 0 && fd < BENCH_MAX_FDS; fd++)
		if (after[fd] && !before[fd])
			b->fds[b->n_fds++] = fd;
	if (r == 0)
		classify_fds(b);
out:
	free(before);
	free(after);
	return r;
}

/* Reads every kept file once at offset 0, the least a pass can do, and
 * opens, reads and closes each file of a directory kept in directory mode. */
static void floor_pass(const struct bench *b, char *buf)
{
	for (size_t i = 0; i < b->n_fds; i++)
		(void)pread(b->fds[i], buf, FLOOR_BUFFER, 0);
	for (size_t h = 0; h < b->n_hier; h++) {
		const struct floor_hierarchy *hy = &b->hier[h];

		for (size_t d = 0; d < hy->n_dir_fds; d++) {
			for (size_t k = 0; k < hy->n_names; k++) {
				int fd = openat(hy->dir_fds[d], hy->names[k], O_RDONLY | O_CLOEXEC);

				if (fd < 0)
					continue;
				(void)pread(fd, buf, FLOOR_BUFFER, 0);
				close(fd);
			}
		}
	}
}

/* Runs one RTM_GETSTATS dump of the 64-bit link counters on each netlink
 * socket of the pipeline, as a pass does for namespaces with links, and
 * drains the replies. */
static void floor_netlink(const struct bench *b, char *buf, uint32_t seq)
{
	for (size_t i = 0; i < b->n_nl_fds; i++) {
		bool done = false;

		if (net_link_request_stats(b->nl_fds[i], seq) < 0)
			continue;
		for (int reads = 0; !done && reads < 16; reads++) {
			ssize_t n = recv(b->nl_fds[i], buf, FLOOR_BUFFER, 0);

			for (const struct nlmsghdr *h = (const void *)buf; n > 0 && NLMSG_OK(h, n);
			     h = NLMSG_NEXT(h, n))
				done = done || h->nlmsg_type == NLMSG_DONE ||
				       h->nlmsg_type == NLMSG_ERROR;
			if (n <= 0)
				break;
		}
	}
}

struct pass_result {
	double pass_us, floor_us, collect_us; /* per pass, CPU time */
	double netlink_us;		      /* per pass, CPU time of floor_netlink() */
	/* Per pass, wall time in each collector's collect() calls, by registry
	 * index */
	double collector_us[SNAPSHOT_MAX_COLLECTORS];
	size_t n_collectors;
	double min_pass_us, min_floor_us;
	unsigned errors;
};

static int run_passes(struct bench *b, struct pipeline *p, unsigned passes, struct pass_result *res,
		      struct snapshot **ret_last)
{
	char *buf = malloc(FLOOR_BUFFER);
	uint64_t pass_sum = 0, floor_sum = 0, collect_sum = 0, netlink_sum = 0;
	uint64_t pass_min = UINT64_MAX, floor_min = UINT64_MAX;
	struct snapshot *snap = NULL;

	if (!buf)
		return -ENOMEM;
	/* A first pass outside the timing: the first snapshot has no rates. */
	int r = pipeline_collect(p, &snap);
	for (unsigned i = 0; r == 0 && i < passes; i++) {
		uint64_t t0 = cpu_ns();

		snapshot_unref(snap);
		snap = NULL;
		r = pipeline_collect(p, &snap);
		uint64_t t1 = cpu_ns();
		floor_pass(b, buf);
		uint64_t t2 = cpu_ns();
		if (b->veth)
			floor_netlink(b, buf, 0x40000000u + i);
		netlink_sum += cpu_ns() - t2;

		pass_sum += t1 - t0;
		floor_sum += t2 - t1;
		pass_min = t1 - t0 < pass_min ? t1 - t0 : pass_min;
		floor_min = t2 - t1 < floor_min ? t2 - t1 : floor_min;
		for (size_t c = 0; r == 0 && c < snap->n_collectors; c++) {
			collect_sum += snap->collectors[c].duration_ns;
			res->collector_us[c] += snap->collectors[c].duration_ns / 1e3 / passes;
		}
	}
	free(buf);
	if (r < 0) {
		snapshot_unref(snap);
		return r;
	}
	res->pass_us = pass_sum / 1e3 / passes;
	res->floor_us = floor_sum / 1e3 / passes;
	res->collect_us = collect_sum / 1e3 / passes;
	res->netlink_us = netlink_sum / 1e3 / passes;
	res->n_collectors = snap ? snap->n_collectors : 0;
	res->min_pass_us = pass_min / 1e3;
	res->min_floor_us = floor_min / 1e3;
	res->errors = pipeline_last_errors(p);
	*ret_last = snap;
	return 0;
}

/* Times prom_render (and gzip) of snap: the work of the first scrape of a
 * snapshot, before the page is cached. */
static void bench_render(const struct snapshot *snap, unsigned reps)
{
	const struct prom_agent_info info = { .version = "bench" };

	for (int f = 0; f < _PROM_FORMAT_MAX; f++) {
		for (int gz = 0; gz < 2; gz++) {
			uint64_t cpu = 0, wall = 0;
			size_t bytes = 0, series = 0;

			for (unsigned i = 0; i < reps; i++) {
				struct outbuf page, packed;
				uint64_t c0 = cpu_ns(), w0 = mono_ns();

				outbuf_init(&page);
				outbuf_init(&packed);
				(void)prom_render(snap, &info, (enum prom_format)f, &page);
				if (gz)
					(void)prom_gzip(page.data, page.len, &packed);
				cpu += cpu_ns() - c0;
				wall += mono_ns() - w0;
				bytes = gz ? packed.len : page.len;
				if (f == PROM_FORMAT_TEXT && !gz) {
					series = 0;
					for (size_t k = 0; k < page.len; k++)
						if (page.data[k] == '\n' && k + 1 < page.len &&
						    page.data[k + 1] != '#')
							series++;
				}
				outbuf_free(&page);
				outbuf_free(&packed);
			}
			printf("render format=%s gzip=%d targets=%zu cpu_us=%.1f wall_us=%.1f "
			       "bytes=%zu",
			       prom_format_name((enum prom_format)f), gz, snap->n_entries,
			       cpu / 1e3 / reps, wall / 1e3 / reps, bytes);
			if (series)
				printf(" series=%zu cpu_us_per_series=%.3f", series + 1,
				       cpu / 1e3 / reps / (double)(series + 1));
			printf("\n");
		}
	}
}

/* Raises RLIMIT_NOFILE to about 32 descriptors per target, as mstatd does. */
/* Returns VmRSS of this process in KiB, 0 when unknown. */
static unsigned long rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	unsigned long kib = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %lu", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static void raise_nofile(size_t n)
{
	struct rlimit rl, want = { n * 32 + 1024, n * 32 + 1024 };

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max < want.rlim_max)
		(void)setrlimit(RLIMIT_NOFILE, &want);
	else if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < n * 32)
		fprintf(stderr, "bench: RLIMIT_NOFILE %llu may be too low for %zu targets\n",
			(unsigned long long)rl.rlim_cur, n);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: mstat-bench-collect [--targets N] [--passes K] [--render-reps R] "
		"[--no-netns | --veth]\n"
		"Times collection passes over N live cgroups (1..%d, default 100) against "
		"bare pread()s, then Prometheus rendering. Needs root.\n",
		BENCH_MAX_TARGETS);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "targets", required_argument, NULL, 'n' },
		{ "passes", required_argument, NULL, 'k' },
		{ "render-reps", required_argument, NULL, 'r' },
		{ "no-netns", no_argument, NULL, 'N' },
		{ "veth", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct bench b = { .netns = true };
	struct mst_err err = { 0 };
	struct pipeline *p = NULL;
	struct snapshot *snap = NULL;
	struct pass_result res = { 0 };
	long n = 100, passes = 0, reps = 0;
	int c, r;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			n = strtol(optarg, NULL, 10);
			break;
		case 'k':
			passes = strtol(optarg, NULL, 10);
			break;
		case 'r':
			reps = strtol(optarg, NULL, 10);
			break;
		case 'N':
			b.netns = false;
			break;
		case 'V':
			b.veth = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (n < 1 || n > BENCH_MAX_TARGETS || (b.veth && !b.netns) || passes < 0 ||
	    passes > 100000 || reps < 0 || reps > 100000) {
		usage(stderr);
		return 2;
	}
	/* About 20000 target reads per measurement by default, at least 5 passes. */
	if (passes == 0)
		passes = 20000 / n > 5 ? 20000 / n : 5;
	if (reps == 0)
		reps = 2000 / n > 3 ? 2000 / n : 3;
	if (geteuid() != 0) {
		printf("SKIP: creating cgroups needs root\n");
		return 77;
	}
	raise_nofile((size_t)n);

	uint64_t t0 = mono_ns();
	r = bench_setup(&b, (size_t)n, &err);
	if (r == 0 && (r = collectors_register_builtin()) < 0)
		err_set(&err, -r, "register collectors");
	if (r == 0 && !(p = pipeline_new(&b.layout)))
		r = err_set(&err, ENOMEM, "pipeline");
	if (r == 0)
		r = add_targets(&b, p, &err);
	uint64_t t1 = mono_ns();
	if (r == 0)
		r = run_passes(&b, p, (unsigned)passes, &res, &snap);
	if (r == 0) {
		printf("collect cgroup=v%d targets=%ld netns=%d veth=%d passes=%ld kept_files=%zu "
		       "dir_fds=%zu setup_s=%.1f "
		       "pass_us=%.1f floor_us=%.1f collect_us=%.1f min_pass_us=%.1f "
		       "min_floor_us=%.1f us_per_target=%.2f floor_us_per_target=%.2f ratio=%.2f "
		       "netlink_us=%.1f kernel_ratio=%.2f "
		       "errors=%u rss_kib=%lu\n",
		       (int)b.layout.version, n, b.netns, b.veth, passes, b.n_fds, b.n_dir_fds,
		       (t1 - t0) / 1e9, res.pass_us, res.floor_us, res.collect_us, res.min_pass_us,
		       res.min_floor_us, res.pass_us / n, res.floor_us / n,
		       res.floor_us > 0 ? res.pass_us / res.floor_us : 0, res.netlink_us,
		       res.floor_us > 0 ? res.pass_us / (res.floor_us + res.netlink_us) : 0,
		       res.errors, rss_kib());
		for (size_t k = 0; k < res.n_collectors; k++)
			printf("collector cgroup=v%d targets=%ld name=%s us_per_target=%.2f\n",
			       (int)b.layout.version, n, snap->collectors[k].name,
			       res.collector_us[k] / n);
		bench_render(snap, (unsigned)reps);
	} else {
		fprintf(stderr, "bench: %s\n", err.msg[0] ? err.msg : strerror(-r));
	}
	snapshot_unref(snap);
	pipeline_free(p);
	bench_teardown(&b);
	return r == 0 ? 0 : 1;
}
