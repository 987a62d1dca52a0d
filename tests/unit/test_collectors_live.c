/* SPDX-License-Identifier: MIT */
/*
 * The built-in collectors on a real cgroup v1 hierarchy. As root, the test
 * creates one cgroup beneath its own cgroup in each v1 controller and moves a
 * child that burns about 200 ms of CPU into it. It checks that the usage grew
 * by at least 100 ms, then removes the cgroup and checks that the next pass
 * drops the target without an error. Skipped (77) without root or without v1.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "collectors/pipeline.h"
#include "tests/unit/cunit_main.h"

#define BURN_NS		 200000000ULL /* CPU time the child burns */
#define MIN_GROWTH_NS	 100000000ULL /* usage growth the test requires */
#define CHILD_TIMEOUT_MS 10000

static struct cg_layout layout;
static struct cg_paths test_cgroup;
static pid_t child = -1;

static uint64_t cpu_time_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* The child waits for one byte on fd, then burns BURN_NS of its own CPU time,
 * bounded by 10 s of wall time. */
static void child_main(int fd)
{
	char go;
	uint64_t wall_end = cpu_time_ns(CLOCK_MONOTONIC) + 10000000000ULL;

	if (read(fd, &go, 1) != 1)
		_exit(2);
	uint64_t start = cpu_time_ns(CLOCK_PROCESS_CPUTIME_ID);
	while (cpu_time_ns(CLOCK_PROCESS_CPUTIME_ID) - start < BURN_NS)
		if (cpu_time_ns(CLOCK_MONOTONIC) > wall_end)
			_exit(3);
	_exit(0);
}

/* Waits for the child for at most CHILD_TIMEOUT_MS; kills it (by pid) after. */
static int child_wait(void)
{
	int status = 0;

	for (int ms = 0; ms < CHILD_TIMEOUT_MS; ms += 10) {
		pid_t r = waitpid(child, &status, WNOHANG);
		if (r == child) {
			child = -1;
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		}
		usleep(10000);
	}
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	child = -1;
	return -1;
}

static int write_pid(const char *dir, pid_t pid)
{
	char path[PATH_MAX + 32], text[32];

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int len = snprintf(text, sizeof(text), "%d\n", (int)pid);
	int r = write(fd, text, (size_t)len) == len ? 0 : -errno;
	close(fd);
	return r;
}

/* Removes the test cgroup directories; true when every one is gone. */
static bool cgroup_remove(void)
{
	bool ok = true;

	for (int c = 0; c < _CG_CTRL_MAX; c++) {
		if (!test_cgroup.dir[c])
			continue;
		/* cpu and cpuacct may be one mount: the second rmdir finds nothing */
		if (rmdir(test_cgroup.dir[c]) < 0 && errno != ENOENT)
			ok = false;
	}
	return ok;
}

static void cgroup_create(void)
{
	struct cg_paths own;
	struct mst_err err = { 0 };
	char name[64];

	CU_ASSERT_EQUAL_FATAL(cg_paths_of_pid(&layout, 0, &own, &err), 0);
	snprintf(name, sizeof(name), "mstat-unit-%d", (int)getpid());
	CU_ASSERT_EQUAL_FATAL(cg_paths_child(&own, name, &test_cgroup), 0);
	cg_paths_free(&own);

	for (int c = 0; c < _CG_CTRL_MAX; c++)
		if (test_cgroup.dir[c])
			CU_ASSERT_FATAL(mkdir(test_cgroup.dir[c], 0755) == 0 || errno == EEXIST);
}

static uint64_t usage_of(const struct snapshot *snap)
{
	uint64_t v = 0;

	CU_ASSERT_EQUAL_FATAL(snap->n_entries, 1);
	CU_ASSERT_TRUE(sample_get(&snap->entries[0].cur, SAMPLE_CPU_USAGE_NS, &v));
	return v;
}

static void run_passes(struct pipeline *p, int go_fd)
{
	struct snapshot *snap;
	uint64_t before, after, v;

	CU_ASSERT_EQUAL_FATAL(pipeline_collect(p, &snap), 0);
	CU_ASSERT_EQUAL(pipeline_last_errors(p), 0);
	before = usage_of(snap);
	CU_ASSERT_TRUE(sample_get(&snap->entries[0].cur, SAMPLE_PIDS_CURRENT, &v));
	CU_ASSERT_EQUAL(v, 1);
	CU_ASSERT_TRUE(sample_has(&snap->entries[0].cur, SAMPLE_MEM_USAGE));
	CU_ASSERT_TRUE(sample_has(&snap->entries[0].cur, SAMPLE_MEM_WORKING_SET));
	CU_ASSERT_TRUE(sample_has(&snap->entries[0].cur, SAMPLE_NET_RX_BYTES));
	snapshot_unref(snap);

	CU_ASSERT_EQUAL_FATAL(write(go_fd, "g", 1), 1);
	CU_ASSERT_EQUAL(child_wait(), 0);

	CU_ASSERT_EQUAL_FATAL(pipeline_collect(p, &snap), 0);
	CU_ASSERT_EQUAL(pipeline_last_errors(p), 0);
	after = usage_of(snap);
	CU_ASSERT_TRUE(after >= before + MIN_GROWTH_NS);
	CU_ASSERT_TRUE(snap->entries[0].derived.cpu_percent_valid);
	CU_ASSERT_TRUE(snap->entries[0].derived.cpu_percent > 0);
	CU_ASSERT_TRUE(sample_get(&snap->entries[0].cur, SAMPLE_PIDS_CURRENT, &v));
	CU_ASSERT_EQUAL(v, 0);
	printf("\n  cpu usage grew by %llu ms\n", (unsigned long long)(after - before) / 1000000);
	snapshot_unref(snap);

	/* The cgroup is gone: the target is dropped quietly. */
	CU_ASSERT_TRUE_FATAL(cgroup_remove());
	CU_ASSERT_EQUAL_FATAL(pipeline_collect(p, &snap), 0);
	CU_ASSERT_EQUAL(pipeline_last_errors(p), 0);
	CU_ASSERT_EQUAL(snap->n_entries, 0);
	CU_ASSERT_EQUAL(pipeline_n_targets(p), 0);
	snapshot_unref(snap);
}

static void test_live_v1_cgroup(void)
{
	struct mst_err err = { 0 };
	int go[2];

	cgroup_create();
	CU_ASSERT_EQUAL_FATAL(pipe2(go, O_CLOEXEC), 0);
	child = fork();
	CU_ASSERT_FATAL(child >= 0);
	if (child == 0) {
		close(go[1]);
		child_main(go[0]);
	}
	close(go[0]);

	for (int c = 0; c < _CG_CTRL_MAX; c++)
		if (test_cgroup.dir[c])
			CU_ASSERT_EQUAL(write_pid(test_cgroup.dir[c], child), 0);

	collector_registry_reset();
	CU_ASSERT_EQUAL(collectors_register_builtin(), 0);
	struct pipeline *p = pipeline_new(&layout);
	struct snapshot_meta m = { .id = test_cgroup.path, .name = "live" };
	if (p && pipeline_add_target(p, &m, &test_cgroup, child, &err) == 0)
		run_passes(p, go[1]);
	else
		CU_FAIL(err.msg);

	pipeline_free(p);
	close(go[1]);
	collector_registry_reset();
}

int main(void)
{
	static const struct cunit_test tests[] = {
		{ "live v1 cgroup", test_live_v1_cgroup },
		{ NULL, NULL },
	};
	struct mst_err err = { 0 };

	if (geteuid() != 0) {
		printf("skipped: creating cgroups needs root\n");
		return 77;
	}
	if (cg_layout_detect("/sys/fs/cgroup", "/proc", &layout, &err) < 0 ||
	    layout.version != CG_V1) {
		printf("skipped: no cgroup v1 hierarchy at /sys/fs/cgroup %s\n", err.msg);
		return 77;
	}

	int r = cunit_run("collectors_live", tests);

	/* After a failed assertion: end the child and remove the cgroup. */
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	if (test_cgroup.path) {
		if (!cgroup_remove())
			fprintf(stderr, "could not remove the test cgroup %s\n", test_cgroup.path);
		cg_paths_free(&test_cgroup);
	}
	return r;
}
