/* SPDX-License-Identifier: MIT */
/*
 * Tests that start real containers with rt_spawn() beneath the test's own
 * cgroup: the init and its child, namespaces, hostname, mounts, capabilities,
 * exit codes, signal forwarding, the OOM killer and the pids limit. Every wait
 * is bounded. Needs root; exits 77 otherwise.
 *
 * The binary doubles as a helper command inside containers:
 *   --helper alloc MIB   waits for a line on stdin, then touches MIB MiB
 *   --helper fork N      forks N children that pause, prints the counts
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
#include <time.h>
#include <unistd.h>

#include "common/parse.h"
#include "runtime/cgroup_file.h"
#include "tests/unit/test_runtime_util.h"

#define MIB	       (1024ULL * 1024)
#define RUN_TIMEOUT_MS 20000

static struct rt_test_env env_host, env_v2;

/* ---- helper commands (run inside containers) ---- */

static int helper_alloc(unsigned long mib)
{
	char line[16];

	if (!fgets(line, sizeof(line), stdin))
		return 2;
	char *p = malloc(mib * MIB);
	if (!p)
		return 3;
	for (size_t i = 0; i < mib * MIB; i += 4096)
		p[i] = 1;
	printf("allocated %lu MiB\n", mib);
	return 0;
}

static int helper_fork(int n)
{
	int forked = 0, failed = 0;

	for (int i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			alarm(30);
			pause();
			_exit(0);
		}
		if (pid > 0)
			forked++;
		else
			failed++;
	}
	printf("forked %d failed %d\n", forked, failed);
	fflush(stdout);
	alarm(30);
	pause();
	return 0;
}

static int run_helper(int argc, char **argv)
{
	uint64_t n;

	if (argc != 4 || parse_u64_str(argv[3], &n) < 0 || n > 4096)
		return 64;
	if (strcmp(argv[2], "alloc") == 0)
		return helper_alloc((unsigned long)n);
	if (strcmp(argv[2], "fork") == 0)
		return helper_fork((int)n);
	return 64;
}

/* ---- test plumbing ---- */

static int setup_host(void)
{
	return rt_test_env_setup(&env_host, false) < 0 ? -1 : 0;
}

static int cleanup_host(void)
{
	rt_test_env_cleanup(&env_host);
	return 0;
}

static int setup_v2(void)
{
	return rt_test_env_setup(&env_v2, true) < 0 ? -1 : 0;
}

static int cleanup_v2(void)
{
	rt_test_env_cleanup(&env_v2);
	return 0;
}

static void make_spec(struct rt_spec *spec, const char *name, char **argv)
{
	memset(spec, 0, sizeof(*spec));
	snprintf(spec->name, sizeof(spec->name), "%s", name);
	rt_test_random_id(spec->id);
	spec->argv = argv;
	spec->network = RT_NET_NONE;
}

/* Runs spec to completion on the host layout; false (and a message) when it
 * could not start. */
static bool run(struct rt_test_env *env, struct rt_spec *spec, struct rt_test_run *r)
{
	struct mst_err err = { 0 };

	memset(r, 0, sizeof(*r));
	if (rt_test_run_container(env, spec, RUN_TIMEOUT_MS, r, &err) < 0) {
		printf("\ncontainer %s: %s\n", spec->name, err.msg);
		return false;
	}
	return true;
}

static bool start(struct rt_test_env *env, struct rt_spec *spec, bool stdin_pipe,
		  struct rt_test_live *live)
{
	struct mst_err err = { 0 };

	if (rt_test_start(env, spec, stdin_pipe, live, &err) < 0) {
		printf("\ncontainer %s: %s\n", spec->name, err.msg);
		return false;
	}
	return true;
}

static void read_link(const char *path, char *buf, size_t size)
{
	ssize_t n = readlink(path, buf, size - 1);

	buf[n > 0 ? n : 0] = '\0';
}

/* Waits until the init has forked the command. It blocks its signals before
 * the fork, so from then on every signal reaches the command. (SigBlk in
 * /proc/PID/status cannot show this: sigwaitinfo() unblocks the waited
 * signals while it sleeps.) */
static bool wait_init_ready(pid_t pid)
{
	char dir[64], buf[256];
	size_t len;

	snprintf(dir, sizeof(dir), "/proc/%d/task/%d", (int)pid, (int)pid);
	for (int i = 0; i < 500; i++) {
		if (cg_file_read(dir, "children", buf, sizeof(buf), &len) == 0 && len > 0)
			return true;
		usleep(10000);
	}
	return false;
}

/* ---- tests ---- */

static void test_init_is_pid1_parent(void)
{
	char *argv[] = { "/bin/sh", "-c",
			 "echo $$ $PPID; tr '\\0' ' ' < /proc/1/cmdline; echo; cat /proc/1/comm",
			 NULL };
	struct rt_spec spec;
	struct rt_test_run r;

	make_spec(&spec, "pid1", argv);
	CU_ASSERT_FATAL(run(&env_host, &spec, &r));
	CU_ASSERT_EQUAL(r.code, 0);
	CU_ASSERT_EQUAL(r.file_code, 0);
	/* The command is PID 2, a child of PID 1, and PID 1 is mstat-init. */
	CU_ASSERT_EQUAL(strncmp(r.out, "2 1\nmstat-init --exit-fd ", 25), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, " -- /bin/sh -c "));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "\nmstat-init\n"));
	if (strncmp(r.out, "2 1\n", 4) != 0)
		printf("\noutput: %s\nerrors: %s\n", r.out, r.err);
}

static void test_hostname_default_and_set(void)
{
	char *argv[] = { "/bin/cat", "/proc/sys/kernel/hostname", NULL };
	struct rt_spec spec;
	struct rt_test_run r;
	char expected[16];

	make_spec(&spec, "hostname", argv);
	CU_ASSERT_FATAL(run(&env_host, &spec, &r));
	snprintf(expected, sizeof(expected), "%.12s\n", spec.id);
	CU_ASSERT_STRING_EQUAL(r.out, expected);

	make_spec(&spec, "hostname2", argv);
	spec.hostname = "box-1.lan";
	CU_ASSERT_FATAL(run(&env_host, &spec, &r));
	CU_ASSERT_STRING_EQUAL(r.out, "box-1.lan\n");
}

static void test_cgroup_namespace_root(void)
{
	char *argv[] = { "/bin/cat", "/proc/self/cgroup", NULL };
	struct rt_spec spec;
	struct rt_test_run r;
	int lines = 0;

	make_spec(&spec, "cgroupns", argv);
	CU_ASSERT_FATAL(run(&env_host, &spec, &r));
	CU_ASSERT_EQUAL(r.code, 0);
	for (char *line = strtok(r.out, "\n"); line; line = strtok(NULL, "\n")) {
		size_t len = strlen(line);

		lines++;
		if (len < 2 || strcmp(line + len - 2, ":/") != 0)
			printf("\nline not at the namespace root: %s\n", line);
		CU_ASSERT_TRUE(len >= 2 && strcmp(line + len - 2, ":/") == 0);
	}
	CU_ASSERT_TRUE(lines > 0);
}

/* True when pid is a line of <dir>/cgroup.procs. */
static bool procs_lists(const char *dir, pid_t pid)
{
	char buf[4096], want[16];
	size_t len = 0;

	if (cg_file_read(dir, "cgroup.procs", buf, sizeof(buf), &len) < 0)
		return false;
	buf[len < sizeof(buf) ? len : sizeof(buf) - 1] = '\0';
	snprintf(want, sizeof(want), "%d", (int)pid);
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
		if (strcmp(line, want) == 0)
			return true;
	return false;
}

static void test_init_in_every_controller(void)
{
	char *argv[] = { "/bin/sh", "-c", "read x; exit 0", NULL };
	struct rt_spec spec;
	struct rt_test_live live;
	struct rt_test_run r;
	int checked = 0;

	make_spec(&spec, "attach", argv);
	CU_ASSERT_FATAL(start(&env_host, &spec, true, &live));
	for (int c = 0; c < _CG_CTRL_MAX; c++) {
		const char *dir = live.cg->paths.dir[c];

		if (!dir)
			continue;
		checked++;
		if (!procs_lists(dir, live.proc.pid))
			printf("\npid %d is missing from %s/cgroup.procs\n", (int)live.proc.pid,
			       dir);
		CU_ASSERT_TRUE(procs_lists(dir, live.proc.pid));
	}
	CU_ASSERT_TRUE(checked > 0);
	rt_test_finish(&live, RUN_TIMEOUT_MS, &r);
	CU_ASSERT_EQUAL(r.code, 0);
	CU_ASSERT_EQUAL(rt_test_remove(&env_host, &live), 0);
}

static void check_namespaces(pid_t pid, bool own_net)
{
	static const char *const names[] = { "mnt", "pid", "uts", "ipc", "cgroup", "net", "user" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[64], mine[64], theirs[64];
		bool expect_own =
		    strcmp(names[i], "user") != 0 && (strcmp(names[i], "net") != 0 || own_net);

		snprintf(path, sizeof(path), "/proc/self/ns/%s", names[i]);
		read_link(path, mine, sizeof(mine));
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, names[i]);
		read_link(path, theirs, sizeof(theirs));
		CU_ASSERT_TRUE(theirs[0] != '\0');
		if ((strcmp(mine, theirs) != 0) != expect_own)
			printf("\nnamespace %s: host %s, container %s\n", names[i], mine, theirs);
		CU_ASSERT_EQUAL(strcmp(mine, theirs) != 0, expect_own);
	}
}

static void namespaces_case(enum rt_network network, const char *name)
{
	char *argv[] = { "/bin/sh", "-c", "read x; exit 0", NULL };
	struct rt_spec spec;
	struct rt_test_live live;
	struct rt_test_run r;

	make_spec(&spec, name, argv);
	spec.network = network;
	CU_ASSERT_FATAL(start(&env_host, &spec, true, &live));
	check_namespaces(live.proc.pid, network != RT_NET_HOST);
	rt_test_finish(&live, RUN_TIMEOUT_MS, &r);
	CU_ASSERT_EQUAL(r.code, 0);
	CU_ASSERT_EQUAL(rt_test_remove(&env_host, &live), 0);
}

static void test_namespaces_differ(void)
{
	namespaces_case(RT_NET_NONE, "ns-none");
	namespaces_case(RT_NET_HOST, "ns-host");
}

/* Starts a container whose command cannot be executed: the start fails with
 * the exec's errno and names the command, and no child is left behind. */
static void check_exec_fails(const char *name, char **argv, int code, const char *text)
{
	struct rt_spec spec;
	struct rt_test_live live;
	struct mst_err err = { 0 };
	int status;

	make_spec(&spec, name, argv);
	CU_ASSERT_EQUAL(rt_test_start(&env_host, &spec, false, &live, &err), -code);
	if (!strstr(err.msg, text))
		printf("\ncontainer %s: '%s' lacks '%s'\n", name, err.msg, text);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, text));
	CU_ASSERT_EQUAL(waitpid(-1, &status, WNOHANG), -1);
}

static void test_exit_codes_pass_through(void)
{
	char *exit3[] = { "/bin/sh", "-c", "exit 3", NULL };
	char *missing[] = { "/nonexistent-mstat-command", NULL };
	char *not_in_path[] = { "mstat-no-such-command", NULL };
	/* Mode 0444 on a noexec mount: execve() fails with EACCES. */
	char *not_exec[] = { "/proc/version", NULL };
	struct rt_spec spec;
	struct rt_test_run r;

	make_spec(&spec, "exit3", exit3);
	CU_ASSERT_FATAL(run(&env_host, &spec, &r));
	CU_ASSERT_EQUAL(r.code, 3);
	CU_ASSERT_EQUAL(r.file_code, 3);

	/* mstat-init reports a failed exec of the command through the setup
	 * pipe, so the start fails as docker's does. */
	check_exec_fails("exit127", missing, ENOENT,
			 "exec /nonexistent-mstat-command: No such file or directory");
	check_exec_fails("path127", not_in_path, ENOENT,
			 "exec mstat-no-such-command: No such file or directory");
	check_exec_fails("exit126", not_exec, EACCES, "exec /proc/version: Permission denied");
}

static void test_kill9_host_init(void)
{
	char *argv[] = { "/bin/sh", "-c", "read x", NULL };
	struct rt_spec spec;
	struct rt_test_live live;
	struct rt_test_run r;

	make_spec(&spec, "kill9", argv);
	CU_ASSERT_FATAL(start(&env_host, &spec, true, &live));
	CU_ASSERT_EQUAL(kill(live.proc.pid, SIGKILL), 0);
	rt_test_finish(&live, RUN_TIMEOUT_MS, &r);
	CU_ASSERT_EQUAL(r.code, 137);
	/* A killed init writes nothing. */
	CU_ASSERT_EQUAL(r.file_code, -ENOENT);
	CU_ASSERT_EQUAL(rt_test_remove(&env_host, &live), 0);
}

static void test_sigterm_forwarded(void)
{
	char *trap[] = { "/bin/sh", "-c",
			 "trap 'echo got-term; exit 42' TERM; echo ready; "
			 "i=0; while [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); done",
			 NULL };
	char *sleeper[] = { "/bin/sleep", "30", NULL };
	struct rt_spec spec;
	struct rt_test_live live;
	struct rt_test_run r;
	char line[64];

	/* A shell that handles TERM: its handler runs, the code passes through. */
	make_spec(&spec, "term-trap", trap);
	CU_ASSERT_FATAL(start(&env_host, &spec, false, &live));
	CU_ASSERT(rt_test_read_line(live.out_fd, line, sizeof(line), 5000) > 0);
	CU_ASSERT_STRING_EQUAL(line, "ready\n");
	CU_ASSERT_EQUAL(kill(live.proc.pid, SIGTERM), 0);
	rt_test_finish(&live, RUN_TIMEOUT_MS, &r);
	CU_ASSERT_EQUAL(r.code, 42);
	CU_ASSERT_EQUAL(r.file_code, 42);
	CU_ASSERT_STRING_EQUAL(r.out, "got-term\n");
	CU_ASSERT_EQUAL(rt_test_remove(&env_host, &live), 0);

	/* A TERM sent right after rt_spawn() returns, before the init may have
	 * forked, is kept pending and still reaches the command. */
	make_spec(&spec, "term-early", sleeper);
	CU_ASSERT_FATAL(start(&env_host, &spec, false, &live));
	CU_ASSERT_EQUAL(kill(live.proc.pid, SIGTERM), 0);
	rt_test_finish(&live, RUN_TIMEOUT_MS, &r);
	CU_ASSERT_EQUAL(r.code, 143);
	CU_ASSERT_EQUAL(rt_test_remove(&env_host, &live), 0);

	/* A command killed by the forwarded TERM: 128 + 15. */
	make_spec(&spec, "term-sleep", sleeper);
	CU_ASSERT_FATAL(start(&env_host, &spec, false, &live));
	CU_ASSERT_TRUE(wait_init_ready(live.proc.pid));
	CU_ASSERT_EQUAL(kill(live.proc.pid, SIGTERM), 0);
	rt_test_finish(&live, RUN_TIMEOUT_MS, &r);
	CU_ASSERT_EQUAL(r.code, 143);
	CU_ASSERT_EQUAL(r.file_code, 143);
	CU_ASSERT_EQUAL(rt_test_remove(&env_host, &live), 0);
}

static void test_oom_kill_detected(void)
{
	char *argv[] = { (char *)rt_test_self_exe(), "--helper", "alloc", "64", NULL };
	struct rt_spec spec;
	struct rt_test_live live;
	struct rt_test_run r;
	struct mst_err err = { 0 };
	uint64_t kills = 0;
	int fd = -1;

	make_spec(&spec, "oom", argv);
	spec.limits.memory = 32 * MIB;
	CU_ASSERT_FATAL(start(&env_host, &spec, true, &live));
	CU_ASSERT_EQUAL(env_host.ops->oom_watch_open(live.cg, &fd, &err), 0);
	if (fd < 0)
		printf("\noom watch: %s\n", err.msg);

	/* Allocate only once the watch is registered. */
	CU_ASSERT_EQUAL(write(live.in_fd, "go\n", 3), 3);
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	CU_ASSERT_EQUAL(poll(&pfd, 1, 10000), 1);
	env_host.ops->oom_watch_drain(fd);

	rt_test_finish(&live, RUN_TIMEOUT_MS, &r);
	CU_ASSERT_EQUAL(r.code, 137);
	CU_ASSERT_EQUAL(r.file_code, 137);
	CU_ASSERT_PTR_NULL(strstr(r.out, "allocated"));
	CU_ASSERT_EQUAL(env_host.ops->oom_kill_count(live.cg, &kills), 0);
	CU_ASSERT_TRUE(kills >= 1);
	close(fd);
	CU_ASSERT_EQUAL(rt_test_remove(&env_host, &live), 0);
}

static void test_pids_limit_holds(void)
{
	char *argv[] = { (char *)rt_test_self_exe(), "--helper", "fork", "20", NULL };
	struct rt_spec spec;
	struct rt_test_live live;
	struct rt_test_run r;
	struct mst_err err = { 0 };
	char line[64];
	int forked = -1, failed = -1;
	unsigned procs = 0;

	make_spec(&spec, "pids", argv);
	spec.limits.pids_limit = 10;
	CU_ASSERT_FATAL(start(&env_host, &spec, false, &live));
	CU_ASSERT(rt_test_read_line(live.out_fd, line, sizeof(line), 10000) > 0);
	CU_ASSERT_EQUAL(sscanf(line, "forked %d failed %d", &forked, &failed), 2);
	/* init + helper + forked children fill the limit; the rest failed. */
	CU_ASSERT_EQUAL(forked + failed, 20);
	CU_ASSERT_TRUE(forked <= 8 && failed >= 12);

	const char *pids_dir = live.cg->paths.dir[CG_CTRL_PIDS];
	if (pids_dir && cg_file_exists(pids_dir, "pids.current")) {
		char buf[32];
		size_t len;
		uint64_t current = 0;

		CU_ASSERT_EQUAL(cg_file_read(pids_dir, "pids.current", buf, sizeof(buf), &len), 0);
		CU_ASSERT_EQUAL(parse_u64(buf, len, &current), 0);
		CU_ASSERT_EQUAL(current, 10);
	}
	CU_ASSERT_EQUAL(env_host.ops->count_procs(live.cg, &procs), 0);
	CU_ASSERT_EQUAL(procs, (unsigned)forked + 2);

	CU_ASSERT_EQUAL(env_host.ops->kill_all(live.cg, SIGKILL, &err), 0);
	rt_test_finish(&live, RUN_TIMEOUT_MS, &r);
	CU_ASSERT_EQUAL(r.code, 137);
	CU_ASSERT_EQUAL(env_host.ops->count_procs(live.cg, &procs), 0);
	CU_ASSERT_EQUAL(procs, 0);
	CU_ASSERT_EQUAL(rt_test_remove(&env_host, &live), 0);
}

static void test_remove_deletes_dirs(void)
{
	char *argv[] = { "/bin/true", NULL };
	struct rt_spec spec;
	struct rt_test_live live;
	struct rt_test_run r;
	char *dirs[_CG_CTRL_MAX] = { 0 };
	struct stat st;

	make_spec(&spec, "remove", argv);
	CU_ASSERT_FATAL(start(&env_host, &spec, false, &live));
	rt_test_finish(&live, RUN_TIMEOUT_MS, &r);
	CU_ASSERT_EQUAL(r.code, 0);
	for (int c = 0; c < _CG_CTRL_MAX; c++) {
		if (!live.cg->paths.dir[c])
			continue;
		dirs[c] = strdup(live.cg->paths.dir[c]);
		CU_ASSERT_EQUAL(stat(dirs[c], &st), 0);
	}
	CU_ASSERT_EQUAL(rt_test_remove(&env_host, &live), 0);
	for (int c = 0; c < _CG_CTRL_MAX; c++) {
		if (!dirs[c])
			continue;
		CU_ASSERT_EQUAL(stat(dirs[c], &st), -1);
		CU_ASSERT_EQUAL(errno, ENOENT);
		free(dirs[c]);
	}
}

static void test_security_defaults(void)
{
	char *argv[] = {
		"/bin/sh", "-c",
		"grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|SigBlk|SigIgn)' "
		"/proc/self/status; "
		"touch /mstat-ro-probe 2>/dev/null && echo root-writable || echo root-readonly; "
		"touch /tmp/probe && echo tmp-writable; "
		"echo timer_list $(wc -c < /proc/timer_list); "
		"echo interrupts $(wc -c < /proc/interrupts); "
		"echo firmware $(ls -A /sys/firmware | wc -l); "
		"echo irq $(awk '$2 == \"/proc/irq\" { print substr($4, 1, 2) }' "
		"/proc/self/mounts); "
		"echo procsys $(awk '$2 == \"/proc/sys\" { print substr($4, 1, 2) }' "
		"/proc/self/mounts); "
		"echo sys $(awk '$2 == \"/sys\" { print substr($4, 1, 2) }' /proc/self/mounts); "
		"echo lo $(cat /sys/class/net/lo/flags) $(ls /sys/class/net); "
		"echo dev $(ls /dev)",
		NULL
	};
	struct rt_spec spec;
	struct rt_test_run r;

	sigset_t usr2, old_mask;
	struct sigaction ignore = { .sa_handler = SIG_IGN }, old_pipe;

	/* An agent that ignores SIGPIPE or blocks a signal must not pass that on. */
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	CU_ASSERT_EQUAL(sigprocmask(SIG_BLOCK, &usr2, &old_mask), 0);
	CU_ASSERT_EQUAL(sigaction(SIGPIPE, &ignore, &old_pipe), 0);
	make_spec(&spec, "security", argv);
	bool ran = run(&env_host, &spec, &r);
	(void)sigaction(SIGPIPE, &old_pipe, NULL);
	(void)sigprocmask(SIG_SETMASK, &old_mask, NULL);
	CU_ASSERT_FATAL(ran);
	CU_ASSERT_EQUAL(r.code, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "SigBlk:\t0000000000000000\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "SigIgn:\t0000000000000000\n"));
	/* Docker's default set: 0x00000000a80425fb. */
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "CapInh:\t0000000000000000\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "CapPrm:\t00000000a80425fb\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "CapEff:\t00000000a80425fb\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "CapBnd:\t00000000a80425fb\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "CapAmb:\t0000000000000000\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "NoNewPrivs:\t1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "root-readonly\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "tmp-writable\n"));
	/* Masked: files read as /dev/null, directories as an empty tmpfs (the
	 * host's /proc/timer_list and /sys/firmware are not empty). */
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "timer_list 0\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "interrupts 0\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "firmware 0\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "irq ro\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "procsys ro\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "sys ro\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "lo 0x9 lo\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "dev fd full mqueue null ptmx pts random shm stderr "
					     "stdin stdout tty urandom zero\n"));
	if (r.code != 0 || !strstr(r.out, "lo 0x9 lo\n"))
		printf("\noutput:\n%s\nerrors:\n%s\n", r.out, r.err);
}

static void test_env_and_cwd(void)
{
	char *argv[] = { "/bin/sh", "-c", "echo \"$FOO|$PATH|$HOSTNAME|$HOME\"; pwd", NULL };
	char *env[] = { "FOO=bar baz", NULL };
	struct rt_spec spec;
	struct rt_test_run r;
	char expected[256];

	make_spec(&spec, "env", argv);
	spec.env = env;
	spec.cwd = "/usr/share";
	CU_ASSERT_FATAL(run(&env_host, &spec, &r));
	snprintf(
	    expected, sizeof(expected),
	    "bar baz|/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin|%.12s|/root\n"
	    "/usr/share\n",
	    spec.id);
	CU_ASSERT_STRING_EQUAL(r.out, expected);
}

static int copy_file(const char *from, const char *to, mode_t mode)
{
	char buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC);
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	ssize_t n;
	int r = 0;

	if (in < 0 || out < 0)
		r = -1;
	while (r == 0 && (n = read(in, buf, sizeof(buf))) > 0) {
		if (write(out, buf, (size_t)n) != n)
			r = -1;
	}
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return r;
}

/* Builds <state_root>/<name> holding only a static busybox and /bin/sh. */
static bool make_busybox_rootfs(const char *name, char *ret)
{
	char path[PATH_MAX];

	if (access("/bin/busybox", X_OK) < 0)
		return false;
	if (rt_test_state_dir(&env_host, name, ret) < 0)
		return false;
	snprintf(path, sizeof(path), "%s/bin", ret);
	if (mkdir(path, 0755) < 0)
		return false;
	snprintf(path, sizeof(path), "%s/bin/busybox", ret);
	if (copy_file("/bin/busybox", path, 0755) < 0)
		return false;
	snprintf(path, sizeof(path), "%s/bin/sh", ret);
	return symlink("busybox", path) == 0;
}

static void test_rootfs_busybox(void)
{
	char *argv[] = { "/bin/sh", "-c", "echo data > /file; cat /file; ls /; cat /etc/hostname",
			 NULL };
	char rootfs[PATH_MAX], path[PATH_MAX], buf[64];
	struct rt_spec spec;
	struct rt_test_run r;
	size_t len;

	if (!make_busybox_rootfs("rootfs-busybox", rootfs)) {
		printf("\n/bin/busybox (busybox-static) missing; rootfs test skipped\n");
		return;
	}
	make_spec(&spec, "rootfs", argv);
	spec.rootfs = rootfs;
	spec.hostname = "rootfs-box";
	CU_ASSERT_FATAL(run(&env_host, &spec, &r));
	CU_ASSERT_EQUAL(r.code, 0);
	/* etc/ contains the container's hostname and hosts files, created in a
	 * writable root that lacks them, as docker does. */
	CU_ASSERT_STRING_EQUAL(r.out, "data\nbin\ndev\netc\nfile\nproc\nsys\ntmp\nrootfs-box\n");
	if (r.code != 0)
		printf("\nerrors: %s\n", r.err);

	/* The rootfs is writable and the write lands in the host directory. */
	snprintf(path, sizeof(path), "%s", rootfs);
	CU_ASSERT_EQUAL(cg_file_read(path, "file", buf, sizeof(buf), &len), 0);
	CU_ASSERT_STRING_EQUAL(buf, "data\n");
}

/* The no-op blkio rules make direct writes of the container show up in
 * blkio.throttle.io_service_bytes (cgroup v1). */
static void test_blkio_counts_writes(void)
{
	char *argv[] = { "/bin/sh", "-c", "dd if=/dev/zero of=/dd bs=1M count=4 oflag=direct 2>&1",
			 NULL };
	char rootfs[PATH_MAX], stats[8192], key[64];
	struct rt_spec spec;
	struct rt_test_live live;
	struct rt_test_run r;
	struct stat st;
	size_t len;

	if (env_host.layout.version != CG_V1 || !env_host.parent.dir[CG_CTRL_BLKIO] ||
	    !make_busybox_rootfs("rootfs-blkio", rootfs)) {
		printf("\nneeds cgroup v1 blkio and busybox-static; skipped\n");
		return;
	}
	CU_ASSERT_EQUAL_FATAL(stat(rootfs, &st), 0);
	make_spec(&spec, "blkio", argv);
	spec.rootfs = rootfs;
	CU_ASSERT_FATAL(start(&env_host, &spec, false, &live));
	rt_test_finish(&live, RUN_TIMEOUT_MS, &r);
	CU_ASSERT_EQUAL(r.code, 0);

	CU_ASSERT_EQUAL(cg_file_read(live.cg->paths.dir[CG_CTRL_BLKIO],
				     "blkio.throttle.io_service_bytes", stats, sizeof(stats), &len),
			0);
	snprintf(key, sizeof(key), "%u:%u Write ", major(st.st_dev), minor(st.st_dev));
	char *line = strstr(stats, key);
	uint64_t written = 0;
	CU_ASSERT_PTR_NOT_NULL(line);
	if (line)
		CU_ASSERT_EQUAL(
		    parse_u64(line + strlen(key), strcspn(line + strlen(key), "\n"), &written), 0);
	CU_ASSERT_TRUE(written >= 4 * MIB);
	if (written < 4 * MIB)
		printf("\nio_service_bytes:\n%s\ndd: %s\n", stats, r.out);
	CU_ASSERT_EQUAL(rt_test_remove(&env_host, &live), 0);
}

/* A missing working directory is created in a writable root, as with docker
 * run -w, and is an error naming it on the read-only host root. */
static void test_workdir_created(void)
{
	char *argv[] = { "/bin/sh", "-c", "pwd", NULL };
	char *host_argv[] = { "/bin/true", NULL };
	char rootfs[PATH_MAX];
	struct rt_spec spec;
	struct rt_test_live live;
	struct rt_test_run r;
	struct mst_err err = { 0 };

	if (!make_busybox_rootfs("rootfs-workdir", rootfs)) {
		printf("\n/bin/busybox (busybox-static) missing; workdir test skipped\n");
		return;
	}
	make_spec(&spec, "workdir", argv);
	spec.rootfs = rootfs;
	spec.cwd = "/app/deeper";
	CU_ASSERT_FATAL(run(&env_host, &spec, &r));
	CU_ASSERT_EQUAL(r.code, 0);
	CU_ASSERT_STRING_EQUAL(r.out, "/app/deeper\n");

	make_spec(&spec, "workdir-ro", host_argv);
	spec.cwd = "/nonexistent-mstat-dir/deeper";
	CU_ASSERT_EQUAL(rt_test_start(&env_host, &spec, false, &live, &err), -ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "working directory /nonexistent-mstat-dir/deeper"));
}

static void test_setup_error_reported(void)
{
	char *argv[] = { "/bin/true", NULL };
	struct rt_spec spec;
	struct rt_test_live live;
	struct mst_err err = { 0 };
	int status;

	make_spec(&spec, "badcwd", argv);
	spec.cwd = "/nonexistent-mstat-dir";
	CU_ASSERT_EQUAL(rt_test_start(&env_host, &spec, false, &live, &err), -ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "set up container badcwd"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "working directory /nonexistent-mstat-dir"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "No such file or directory"));
	/* The failed child was reaped: no child of ours is left. */
	CU_ASSERT_EQUAL(waitpid(-1, &status, WNOHANG), -1);
	CU_ASSERT_EQUAL(errno, ECHILD);
}

static void test_missing_init_reported(void)
{
	char *argv[] = { "/bin/true", NULL };
	struct rt_spec spec;
	struct rt_test_live live;
	struct mst_err err = { 0 };
	char *saved = strdup(getenv("MSTAT_INIT_PATH"));

	setenv("MSTAT_INIT_PATH", "/nonexistent/mstat-init", 1);
	make_spec(&spec, "noinit", argv);
	CU_ASSERT_EQUAL(rt_test_start(&env_host, &spec, false, &live, &err), -ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "/nonexistent/mstat-init"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "MSTAT_INIT_PATH"));
	setenv("MSTAT_INIT_PATH", saved, 1);
	free(saved);
}

/* On the cgroup2 mount of a hybrid host (no controllers): clone3 with
 * CLONE_INTO_CGROUP puts the init straight into the container's cgroup. */
static void test_v2_clone_into_cgroup(void)
{
	char *argv[] = { "/bin/sh", "-c", "cat /proc/self/cgroup; read x", NULL };
	struct rt_spec spec;
	struct rt_test_live live;
	struct rt_test_run r;
	struct mst_err err = { 0 };
	char line[256], path[64], procs[256], expected[PATH_MAX + 8];
	size_t len;

	make_spec(&spec, "v2-into", argv);
	CU_ASSERT_FATAL(start(&env_v2, &spec, true, &live));
	/* Inside, every hierarchy is at the namespace root, the cgroup2 one
	 * ("0::", the last line) included. */
	for (int i = 0; i < 16; i++) {
		if (rt_test_read_line(live.out_fd, line, sizeof(line), 5000) <= 0)
			break;
		CU_ASSERT_PTR_NOT_NULL(strstr(line, ":/\n"));
		if (strncmp(line, "0::", 3) == 0)
			break;
	}
	CU_ASSERT_STRING_EQUAL(line, "0::/\n");

	/* From the host, the init is in the container's cgroup. */
	snprintf(path, sizeof(path), "/proc/%d", (int)live.proc.pid);
	CU_ASSERT_EQUAL(cg_file_read(path, "cgroup", procs, sizeof(procs), &len), 0);
	snprintf(expected, sizeof(expected), "0::%s\n", live.cg->paths.path);
	CU_ASSERT_PTR_NOT_NULL(strstr(procs, expected));
	if (!strstr(procs, expected))
		printf("\n%s lacks %s", procs, expected);

	CU_ASSERT_EQUAL(env_v2.ops->kill_all(live.cg, SIGKILL, &err), 0);
	rt_test_finish(&live, RUN_TIMEOUT_MS, &r);
	CU_ASSERT_EQUAL(r.code, 137);
	CU_ASSERT_EQUAL(rt_test_remove(&env_v2, &live), 0);
}

int main(int argc, char **argv)
{
	struct cg_layout layout;
	struct mst_err err = { 0 };

	if (argc > 1 && strcmp(argv[1], "--helper") == 0)
		return run_helper(argc, argv);

	rt_test_require_root();
	alarm(600);
	if (!getenv("MSTAT_INIT_PATH"))
		setenv("MSTAT_INIT_PATH", MSTAT_TEST_INIT_PATH, 1);
	if (cg_layout_detect("/sys/fs/cgroup", "/proc", &layout, &err) < 0) {
		printf("SKIP: %s\n", err.msg);
		return 77;
	}
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;

	CU_pSuite s = CU_add_suite("spawn", setup_host, cleanup_host);
	CU_add_test(s, "init is PID 1 and parent", test_init_is_pid1_parent);
	CU_add_test(s, "hostname default and set", test_hostname_default_and_set);
	CU_add_test(s, "cgroup namespace root", test_cgroup_namespace_root);
	CU_add_test(s, "init in every controller", test_init_in_every_controller);
	CU_add_test(s, "namespaces differ", test_namespaces_differ);
	CU_add_test(s, "exit codes pass through", test_exit_codes_pass_through);
	CU_add_test(s, "kill -9 of host init", test_kill9_host_init);
	CU_add_test(s, "SIGTERM forwarded", test_sigterm_forwarded);
	CU_add_test(s, "OOM kill detected", test_oom_kill_detected);
	CU_add_test(s, "pids limit holds", test_pids_limit_holds);
	CU_add_test(s, "remove deletes dirs", test_remove_deletes_dirs);
	CU_add_test(s, "security defaults", test_security_defaults);
	CU_add_test(s, "env and cwd", test_env_and_cwd);
	CU_add_test(s, "rootfs busybox", test_rootfs_busybox);
	CU_add_test(s, "workdir created", test_workdir_created);
	CU_add_test(s, "blkio counts writes", test_blkio_counts_writes);
	CU_add_test(s, "setup error reported", test_setup_error_reported);
	CU_add_test(s, "missing init reported", test_missing_init_reported);

	if (layout.version == CG_V1 && layout.unified[0]) {
		CU_pSuite v2 = CU_add_suite("spawn_v2_unified_mount", setup_v2, cleanup_v2);
		CU_add_test(v2, "v2 clone into cgroup", test_v2_clone_into_cgroup);
	}

	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failed = CU_get_number_of_failures() + CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
