/* SPDX-License-Identifier: MIT */
/*
 * Tests of the cgroup backends on the host's real hierarchy: limits written
 * and read back in the kernel's files, process attach, count and kill, OOM
 * watch registration, and removal. Cgroups are created beneath the test's own
 * cgroup and removed. Needs root; exits 77 otherwise.
 */
#include <CUnit/Basic.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/parse.h"
#include "runtime/cgroup_file.h"
#include "tests/unit/test_runtime_util.h"

#define MIB (1024ULL * 1024)

static struct rt_test_env env_v1, env_v2;

static int setup_v1(void)
{
	return rt_test_env_setup(&env_v1, false) < 0 ? -1 : 0;
}

static int setup_v2(void)
{
	return rt_test_env_setup(&env_v2, true) < 0 ? -1 : 0;
}

static int cleanup_v1(void)
{
	rt_test_env_cleanup(&env_v1);
	return 0;
}

static int cleanup_v2(void)
{
	rt_test_env_cleanup(&env_v2);
	return 0;
}

static uint64_t read_u64(const char *dir, const char *file)
{
	char buf[128];
	size_t len;
	uint64_t v = 0;

	if (cg_file_read(dir, file, buf, sizeof(buf), &len) < 0)
		return 0;
	if (parse_limit(buf, len, &v) < 0)
		return 0;
	return v;
}

static bool dir_exists(const char *dir)
{
	struct stat st;

	return stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
}

static struct rt_cgroup *create(struct rt_test_env *env, const char *name)
{
	struct rt_cgroup *cg = NULL;
	struct mst_err err = { 0 };
	int r = env->ops->create(&env->layout, &env->parent, name, &cg, &err);

	if (r < 0)
		printf("\ncreate %s: %s\n", name, err.msg);
	return cg;
}

static void destroy(struct rt_test_env *env, struct rt_cgroup *cg)
{
	struct mst_err err = { 0 };

	if (!cg)
		return;
	CU_ASSERT_EQUAL(env->ops->remove(cg, &err), 0);
	rt_cgroup_free(cg);
}

static int set_limits(struct rt_test_env *env, struct rt_cgroup *cg, struct rt_limits limits,
		      struct mst_err *err)
{
	int r = env->ops->set_limits(cg, &limits, err);

	if (r < 0)
		printf("\nset_limits: %s\n", err->msg);
	return r;
}

static void test_v1_memory_limits(void)
{
	struct rt_cgroup *cg = create(&env_v1, "mem");
	struct mst_err err = { 0 };

	CU_ASSERT_FATAL(cg != NULL);
	const char *dir = cg->paths.dir[CG_CTRL_MEMORY];
	CU_ASSERT_FATAL(dir != NULL);
	bool has_memsw = cg_file_exists(dir, "memory.memsw.limit_in_bytes");

	/* Unset memory_swap: memory + swap = 2 x memory, as docker. */
	CU_ASSERT_EQUAL(set_limits(&env_v1, cg, (struct rt_limits){ .memory = 32 * MIB }, &err), 0);
	CU_ASSERT_EQUAL(read_u64(dir, "memory.limit_in_bytes"), 32 * MIB);
	if (has_memsw)
		CU_ASSERT_EQUAL(read_u64(dir, "memory.memsw.limit_in_bytes"), 64 * MIB);
	CU_ASSERT_EQUAL(cg->swap_limit_unsupported, !has_memsw);

	/* Raising both needs memsw first, lowering needs memory first. */
	CU_ASSERT_EQUAL(
	    set_limits(&env_v1, cg,
		       (struct rt_limits){ .memory = 256 * MIB, .memory_swap = 512 * MIB }, &err),
	    0);
	CU_ASSERT_EQUAL(read_u64(dir, "memory.limit_in_bytes"), 256 * MIB);
	if (has_memsw)
		CU_ASSERT_EQUAL(read_u64(dir, "memory.memsw.limit_in_bytes"), 512 * MIB);
	CU_ASSERT_EQUAL(
	    set_limits(&env_v1, cg,
		       (struct rt_limits){ .memory = 16 * MIB, .memory_swap = 24 * MIB }, &err),
	    0);
	CU_ASSERT_EQUAL(read_u64(dir, "memory.limit_in_bytes"), 16 * MIB);
	if (has_memsw)
		CU_ASSERT_EQUAL(read_u64(dir, "memory.memsw.limit_in_bytes"), 24 * MIB);

	/* -1: unlimited swap. */
	CU_ASSERT_EQUAL(set_limits(&env_v1, cg,
				   (struct rt_limits){ .memory = 16 * MIB, .memory_swap = -1 },
				   &err),
			0);
	if (has_memsw)
		CU_ASSERT_EQUAL(read_u64(dir, "memory.memsw.limit_in_bytes"), MST_UNLIMITED);

	/* Swap without memory is rejected before anything is written. */
	CU_ASSERT_EQUAL(
	    env_v1.ops->set_limits(cg, &(struct rt_limits){ .memory_swap = 64 * MIB }, &err),
	    -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "memory_swap"));
	CU_ASSERT_EQUAL(read_u64(dir, "memory.limit_in_bytes"), 16 * MIB);
	destroy(&env_v1, cg);
}

static void test_v1_cpu_and_pids_limits(void)
{
	struct rt_cgroup *cg = create(&env_v1, "cpu");
	struct mst_err err = { 0 };
	char buf[64];
	size_t len;

	CU_ASSERT_FATAL(cg != NULL);
	const char *cpu = cg->paths.dir[CG_CTRL_CPU];
	const char *pids = cg->paths.dir[CG_CTRL_PIDS];
	CU_ASSERT_FATAL(cpu && pids);

	CU_ASSERT_EQUAL(
	    set_limits(
		&env_v1, cg,
		(struct rt_limits){ .nano_cpus = 500000000, .cpu_shares = 512, .pids_limit = 10 },
		&err),
	    0);
	CU_ASSERT_EQUAL(read_u64(cpu, "cpu.cfs_period_us"), 100000);
	CU_ASSERT_EQUAL(read_u64(cpu, "cpu.cfs_quota_us"), 50000);
	CU_ASSERT_EQUAL(read_u64(cpu, "cpu.shares"), 512);
	CU_ASSERT_EQUAL(read_u64(pids, "pids.max"), 10);

	CU_ASSERT_EQUAL(set_limits(&env_v1, cg, (struct rt_limits){ .pids_limit = -1 }, &err), 0);
	CU_ASSERT_EQUAL(cg_file_read(pids, "pids.max", buf, sizeof(buf), &len), 0);
	CU_ASSERT_STRING_EQUAL(buf, "max\n");
	destroy(&env_v1, cg);
}

/* Every whole disk the kernel accepted carries the no-op throttle rule; the
 * disk holding / must be among them. */
static void test_v1_blkio_noop_rules(void)
{
	struct rt_cgroup *cg = create(&env_v1, "blkio");
	struct mst_err err = { 0 };
	char rules[4096], expected[64];
	size_t len;
	struct stat st;

	CU_ASSERT_FATAL(cg != NULL);
	const char *dir = cg->paths.dir[CG_CTRL_BLKIO];
	if (!dir) {
		printf("\nblkio controller not mounted; rule check skipped\n");
		destroy(&env_v1, cg);
		return;
	}
	CU_ASSERT_EQUAL(set_limits(&env_v1, cg, (struct rt_limits){ 0 }, &err), 0);
	CU_ASSERT_EQUAL_FATAL(stat("/", &st), 0);
	snprintf(expected, sizeof(expected), "%u:0 1152921504606846976", major(st.st_dev));

	CU_ASSERT_EQUAL(
	    cg_file_read(dir, "blkio.throttle.read_bps_device", rules, sizeof(rules), &len), 0);
	if (!strstr(rules, expected))
		printf("\nread rules '%s' lack '%s'\n", rules, expected);
	CU_ASSERT_PTR_NOT_NULL(strstr(rules, expected));
	CU_ASSERT_EQUAL(
	    cg_file_read(dir, "blkio.throttle.write_bps_device", rules, sizeof(rules), &len), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(rules, expected));
	destroy(&env_v1, cg);
}

/* A device rate replaces the no-op rule of its device. The node is made with
 * mknod(2) in a temporary directory, with the number of the disk that contains
 * "/", so that the device is registered in the kernel. Only the test's own
 * cgroup gets the rule. */
static void test_v1_blkio_device_rates(void)
{
	struct rt_cgroup *cg = create(&env_v1, "blkio-rates");
	struct mst_err err = { 0 };
	char dir_template[] = "/tmp/mstat-rt-blkdev-XXXXXX", node[64], rules[4096], expected[96];
	struct rt_device_rate reads[1], writes[1];
	struct rt_limits limits = { 0 };
	size_t len;
	struct stat st;

	CU_ASSERT_FATAL(cg != NULL);
	const char *dir = cg->paths.dir[CG_CTRL_BLKIO];
	if (!dir) {
		printf("\nblkio controller not mounted; device rate check skipped\n");
		destroy(&env_v1, cg);
		return;
	}
	CU_ASSERT_EQUAL_FATAL(stat("/", &st), 0);
	CU_ASSERT_FATAL(mkdtemp(dir_template) != NULL);
	snprintf(node, sizeof(node), "%s/disk", dir_template);
	CU_ASSERT_EQUAL_FATAL(mknod(node, S_IFBLK | 0600, makedev(major(st.st_dev), 0)), 0);

	reads[0] = (struct rt_device_rate){ .path = node, .rate = 0 };
	writes[0] = (struct rt_device_rate){ .path = node, .rate = 5 * MIB };
	limits.device_read_bps = reads;
	limits.n_device_read_bps = 1;
	limits.device_write_bps = writes;
	limits.n_device_write_bps = 1;
	CU_ASSERT_EQUAL(set_limits(&env_v1, cg, limits, &err), 0);

	CU_ASSERT_EQUAL(
	    cg_file_read(dir, "blkio.throttle.write_bps_device", rules, sizeof(rules), &len), 0);
	snprintf(expected, sizeof(expected), "%u:0 %llu\n", major(st.st_dev), 5 * MIB);
	if (!strstr(rules, expected))
		printf("\nwrite rules '%s' lack '%s'\n", rules, expected);
	CU_ASSERT_PTR_NOT_NULL(strstr(rules, expected));
	snprintf(expected, sizeof(expected), "%u:0 1152921504606846976", major(st.st_dev));
	CU_ASSERT_PTR_NULL(strstr(rules, expected));

	/* Rate 0 is no limit, so the read rule keeps the no-op rate. */
	CU_ASSERT_EQUAL(
	    cg_file_read(dir, "blkio.throttle.read_bps_device", rules, sizeof(rules), &len), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(rules, expected));

	/* A node that is not a block device fails with its path in the message. */
	writes[0].path = (char *)"/dev/null";
	CU_ASSERT_EQUAL(set_limits(&env_v1, cg, limits, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "'/dev/null': it is not a block device"));

	unlink(node);
	rmdir(dir_template);
	destroy(&env_v1, cg);
}

/* Forks a child that waits in pause(); the caller kills it. */
static pid_t start_sleeper(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		alarm(30);
		pause();
		_exit(0);
	}
	return pid;
}

static void attach_count_kill(struct rt_test_env *env, const char *name)
{
	struct rt_cgroup *cg = create(env, name);
	struct mst_err err = { 0 };
	unsigned n = 99;
	int status;

	CU_ASSERT_FATAL(cg != NULL);
	CU_ASSERT_EQUAL(env->ops->count_procs(cg, &n), 0);
	CU_ASSERT_EQUAL(n, 0);

	pid_t a = start_sleeper(), b = start_sleeper();
	CU_ASSERT_FATAL(a > 0 && b > 0);
	CU_ASSERT_EQUAL(env->ops->attach(cg, a, &err), 0);
	CU_ASSERT_EQUAL(env->ops->attach(cg, b, &err), 0);
	CU_ASSERT_EQUAL(env->ops->count_procs(cg, &n), 0);
	CU_ASSERT_EQUAL(n, 2);

	/* A removal with processes inside fails after its retries. */
	CU_ASSERT_EQUAL(env->ops->remove(cg, &err), -EBUSY);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "processes"));

	CU_ASSERT_EQUAL(env->ops->kill_all(cg, SIGKILL, &err), 0);
	CU_ASSERT_EQUAL(waitpid(a, &status, 0), a);
	CU_ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	CU_ASSERT_EQUAL(waitpid(b, &status, 0), b);
	CU_ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	CU_ASSERT_EQUAL(env->ops->count_procs(cg, &n), 0);
	CU_ASSERT_EQUAL(n, 0);

	CU_ASSERT_EQUAL(env->ops->remove(cg, &err), 0);
	for (int c = 0; c < _CG_CTRL_MAX; c++) {
		if (cg->paths.dir[c])
			CU_ASSERT_FALSE(dir_exists(cg->paths.dir[c]));
	}
	rt_cgroup_free(cg);
}

static void test_v1_attach_count_kill(void)
{
	attach_count_kill(&env_v1, "procs");
}

static void test_v1_create_existing(void)
{
	struct rt_cgroup *cg = create(&env_v1, "twice"), *again = NULL;
	struct mst_err err = { 0 };

	CU_ASSERT_FATAL(cg != NULL);
	for (int c = 0; c < _CG_CTRL_MAX; c++) {
		if (cg->paths.dir[c])
			CU_ASSERT_TRUE(dir_exists(cg->paths.dir[c]));
	}
	CU_ASSERT_EQUAL(env_v1.ops->create(&env_v1.layout, &env_v1.parent, "twice", &again, &err),
			-EEXIST);
	CU_ASSERT_PTR_NULL(again);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "already exists"));
	/* The failed create must not have removed the existing directories. */
	for (int c = 0; c < _CG_CTRL_MAX; c++) {
		if (cg->paths.dir[c])
			CU_ASSERT_TRUE(dir_exists(cg->paths.dir[c]));
	}
	destroy(&env_v1, cg);
}

static void test_v1_oom_watch_registration(void)
{
	struct rt_cgroup *cg = create(&env_v1, "oomwatch");
	struct mst_err err = { 0 };
	uint64_t kills = 99;
	int fd = -1;

	CU_ASSERT_FATAL(cg != NULL);
	CU_ASSERT_EQUAL(env_v1.ops->oom_watch_open(cg, &fd, &err), 0);
	CU_ASSERT_TRUE(fd >= 0);
	CU_ASSERT_EQUAL(env_v1.ops->oom_kill_count(cg, &kills), 0);
	CU_ASSERT_EQUAL(kills, 0);

	/* Nothing happened yet, so the descriptor is not readable. */
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	CU_ASSERT_EQUAL(poll(&pfd, 1, 0), 0);

	/* The kernel signals registered eventfds when the cgroup goes away. */
	destroy(&env_v1, cg);
	CU_ASSERT_EQUAL(poll(&pfd, 1, 2000), 1);
	env_v1.ops->oom_watch_drain(fd);
	CU_ASSERT_EQUAL(poll(&pfd, 1, 0), 0);
	close(fd);
}

static void test_v1_parent_nested(void)
{
	struct cg_paths nested = { 0 }, deeper = { 0 };
	struct mst_err err = { 0 };

	CU_ASSERT_EQUAL_FATAL(cg_paths_child(&env_v1.parent, "a", &nested), 0);
	CU_ASSERT_EQUAL_FATAL(cg_paths_child(&nested, "b", &deeper), 0);
	CU_ASSERT_EQUAL(env_v1.ops->prepare_parent(&env_v1.layout, &deeper, &err), 0);
	for (int c = 0; c < _CG_CTRL_MAX; c++) {
		if (!deeper.dir[c])
			continue;
		CU_ASSERT_TRUE(dir_exists(deeper.dir[c]));
		(void)rmdir(deeper.dir[c]);
		(void)rmdir(nested.dir[c]);
	}
	cg_paths_free(&deeper);
	cg_paths_free(&nested);
}

static void test_v2_attach_count_kill(void)
{
	attach_count_kill(&env_v2, "procs");
}

static void test_v2_create_opens_dirfd(void)
{
	struct rt_cgroup *cg = create(&env_v2, "dirfd");
	struct stat a, b;

	CU_ASSERT_FATAL(cg != NULL);
	CU_ASSERT_TRUE(cg->v2_dirfd >= 0);
	CU_ASSERT_EQUAL(fstat(cg->v2_dirfd, &a), 0);
	CU_ASSERT_EQUAL(stat(cg->paths.dir[0], &b), 0);
	CU_ASSERT_EQUAL(a.st_ino, b.st_ino);
	CU_ASSERT_EQUAL(a.st_dev, b.st_dev);
	destroy(&env_v2, cg);
}

/* A limit whose controller is not enabled fails with a message that names the
 * controller. With the controller enabled, the file is written. */
static void test_v2_limits_need_controllers(void)
{
	struct rt_cgroup *cg = create(&env_v2, "limits");
	struct mst_err err = { 0 };
	const struct {
		struct rt_limits limits;
		const char *file;
		const char *controller;
		const char *expected;
	} cases[] = {
		{ { .memory = 32 * MIB }, "memory.max", "memory", "33554432\n" },
		{ { .nano_cpus = 1500000000 }, "cpu.max", "cpu", "150000 100000\n" },
		{ { .cpu_shares = 1024 }, "cpu.weight", "cpu", "100\n" },
		{ { .pids_limit = 10 }, "pids.max", "pids", "10\n" },
	};

	CU_ASSERT_FATAL(cg != NULL);
	const char *dir = cg->paths.dir[0];
	CU_ASSERT_EQUAL(env_v2.ops->set_limits(cg, &(struct rt_limits){ 0 }, &err), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = env_v2.ops->set_limits(cg, &cases[i].limits, &err);

		if (!cg_file_exists(dir, cases[i].file)) {
			CU_ASSERT_EQUAL(r, -ENOENT);
			CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, cases[i].controller));
			CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not enabled"));
			continue;
		}
		char buf[64];
		size_t len;

		CU_ASSERT_EQUAL(r, 0);
		CU_ASSERT_EQUAL(cg_file_read(dir, cases[i].file, buf, sizeof(buf), &len), 0);
		CU_ASSERT_STRING_EQUAL(buf, cases[i].expected);
	}
	destroy(&env_v2, cg);
}

static void test_v2_kill_uses_cgroup_kill(void)
{
	struct rt_cgroup *cg = create(&env_v2, "cgkill");
	struct mst_err err = { 0 };
	int status;

	CU_ASSERT_FATAL(cg != NULL);
	if (!cg_file_exists(cg->paths.dir[0], "cgroup.kill")) {
		printf("\nno cgroup.kill (Linux < 5.14); covered by the procs test\n");
		destroy(&env_v2, cg);
		return;
	}
	pid_t pid = start_sleeper();
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT_EQUAL(env_v2.ops->attach(cg, pid, &err), 0);
	CU_ASSERT_EQUAL(env_v2.ops->kill_all(cg, SIGKILL, &err), 0);
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	destroy(&env_v2, cg);
}

/* Without the memory controller there is no memory.events to watch. */
static void test_v2_oom_watch_needs_memory(void)
{
	struct rt_cgroup *cg = create(&env_v2, "oomwatch");
	struct mst_err err = { 0 };
	uint64_t kills = 0;
	int fd = -1;

	CU_ASSERT_FATAL(cg != NULL);
	const char *dir = cg->paths.dir[0];
	int r = env_v2.ops->oom_watch_open(cg, &fd, &err);
	if (cg_file_exists(dir, "memory.events")) {
		CU_ASSERT_EQUAL(r, 0);
		CU_ASSERT_EQUAL(env_v2.ops->oom_kill_count(cg, &kills), 0);
		CU_ASSERT_EQUAL(kills, 0);
		close(fd);
	} else {
		CU_ASSERT_EQUAL(r, -ENOENT);
		CU_ASSERT_EQUAL(fd, -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "memory.events"));
		CU_ASSERT_EQUAL(env_v2.ops->oom_kill_count(cg, &kills), -ENOENT);
	}
	destroy(&env_v2, cg);
}

static void test_v2_parent_nested(void)
{
	struct cg_paths nested = { 0 }, deeper = { 0 };
	struct mst_err err = { 0 };

	CU_ASSERT_EQUAL_FATAL(cg_paths_child(&env_v2.parent, "a", &nested), 0);
	CU_ASSERT_EQUAL_FATAL(cg_paths_child(&nested, "b", &deeper), 0);
	CU_ASSERT_EQUAL(env_v2.ops->prepare_parent(&env_v2.layout, &deeper, &err), 0);
	CU_ASSERT_TRUE(dir_exists(deeper.dir[0]));
	(void)rmdir(deeper.dir[0]);
	(void)rmdir(nested.dir[0]);
	cg_paths_free(&deeper);
	cg_paths_free(&nested);
}

int main(void)
{
	struct cg_layout layout;
	struct mst_err err = { 0 };

	rt_test_require_root();
	alarm(300);
	if (cg_layout_detect("/sys/fs/cgroup", "/proc", &layout, &err) < 0) {
		printf("SKIP: %s\n", err.msg);
		return 77;
	}
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;

	if (layout.version == CG_V1) {
		CU_pSuite v1 = CU_add_suite("cgroup_v1", setup_v1, cleanup_v1);
		CU_add_test(v1, "v1 memory limits", test_v1_memory_limits);
		CU_add_test(v1, "v1 cpu and pids limits", test_v1_cpu_and_pids_limits);
		CU_add_test(v1, "v1 blkio no-op rules", test_v1_blkio_noop_rules);
		CU_add_test(v1, "v1 blkio device rates", test_v1_blkio_device_rates);
		CU_add_test(v1, "v1 attach count kill", test_v1_attach_count_kill);
		CU_add_test(v1, "v1 create existing", test_v1_create_existing);
		CU_add_test(v1, "v1 oom watch registration", test_v1_oom_watch_registration);
		CU_add_test(v1, "v1 nested parent", test_v1_parent_nested);
	} else {
		printf("no cgroup v1 hierarchy: v1 suite not run\n");
	}

	/* On a hybrid host the v2 suite runs on the cgroup2 mount beside the v1
	 * controllers, where no controller may be enabled. */
	if (layout.unified[0]) {
		CU_pSuite v2 = CU_add_suite("cgroup_v2", setup_v2, cleanup_v2);
		CU_add_test(v2, "v2 create opens dirfd", test_v2_create_opens_dirfd);
		CU_add_test(v2, "v2 limits need controllers", test_v2_limits_need_controllers);
		CU_add_test(v2, "v2 attach count kill", test_v2_attach_count_kill);
		CU_add_test(v2, "v2 kill uses cgroup.kill", test_v2_kill_uses_cgroup_kill);
		CU_add_test(v2, "v2 oom watch needs memory", test_v2_oom_watch_needs_memory);
		CU_add_test(v2, "v2 nested parent", test_v2_parent_nested);
	} else {
		printf("no cgroup2 mount: v2 suite not run\n");
	}

	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failed = CU_get_number_of_failures() + CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
