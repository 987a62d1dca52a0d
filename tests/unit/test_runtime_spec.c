/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the runtime's pure parts: spec validation (every rule, with the
 * message checked to name the field and the value), docker's limit
 * conversions against runc's and dockerd's values, and the exit file format.
 * Needs no privileges.
 */
#include <CUnit/Basic.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/cgroup.h"
#include "runtime/cgroup_file.h"
#include "runtime/exit_status.h"
#include "runtime/runtime.h"
#include "runtime/spec.h"

#define VALID_ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define MIB	 (1024ULL * 1024)

static char *base_argv[] = { "/bin/true", NULL };
static char *base_env[] = { "A=b", NULL };
static char *argv_null_first[] = { NULL };
static char *argv_empty[] = { "", NULL };
static char *env_no_equals[] = { "A=b", "NOEQ", NULL };
static char *env_empty_key[] = { "=value", NULL };
static char long_hostname[70];

/* execve() strings around MAX_ARG_STRLEN (131072 bytes with the NUL), filled
 * by fill_arg_strings(). */
#define ARG_STRLEN_MAX 131072
static char env_at_max[ARG_STRLEN_MAX];
static char env_over_max[ARG_STRLEN_MAX + 1];
static char argv_over_max[ARG_STRLEN_MAX + 1];
static char env_part[9][120000];
static char *env_at_max_list[] = { env_at_max, NULL };
static char *env_over_max_list[] = { "A=b", env_over_max, NULL };
static char *argv_over_max_list[] = { "/bin/echo", argv_over_max, NULL };
static char *env_total_list[10];

static void fill_arg_strings(void)
{
	memset(env_at_max, 'x', sizeof(env_at_max) - 1);
	memcpy(env_at_max, "A=", 2);
	memset(env_over_max, 'x', sizeof(env_over_max) - 1);
	memcpy(env_over_max, "B=", 2);
	memset(argv_over_max, 'x', sizeof(argv_over_max) - 1);
	for (size_t i = 0; i < 9; i++) {
		memset(env_part[i], 'x', sizeof(env_part[i]) - 1);
		env_part[i][0] = (char)('A' + i);
		env_part[i][1] = '=';
		env_total_list[i] = env_part[i];
	}
}

static void base_spec(struct rt_spec *s)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "web-1");
	snprintf(s->id, sizeof(s->id), VALID_ID);
	s->argv = base_argv;
	s->env = base_env;
	s->network = RT_NET_NONE;
}

static long online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? n : 1;
}

/* clang-format off */
/* Mutators, one per case. */
static void m_none(struct rt_spec *s) { (void)s; }
static void m_name_empty(struct rt_spec *s) { s->name[0] = '\0'; }
static void m_name_dash(struct rt_spec *s) { snprintf(s->name, sizeof(s->name), "-web"); }
static void m_name_slash(struct rt_spec *s) { snprintf(s->name, sizeof(s->name), "web/1"); }
static void m_name_one(struct rt_spec *s) { snprintf(s->name, sizeof(s->name), "a"); }
static void m_name_mixed(struct rt_spec *s) { snprintf(s->name, sizeof(s->name), "A.b_c-1"); }
static void m_name_unterminated(struct rt_spec *s) { memset(s->name, 'a', sizeof(s->name)); }
static void m_id_short(struct rt_spec *s) { snprintf(s->id, sizeof(s->id), "abc123"); }
static void m_id_upper(struct rt_spec *s) { s->id[5] = 'F'; }
static void m_id_nonhex(struct rt_spec *s) { s->id[63] = 'g'; }
static void m_argv_null(struct rt_spec *s) { s->argv = NULL; }
static void m_argv_no_entry(struct rt_spec *s) { s->argv = argv_null_first; }
static void m_argv_empty(struct rt_spec *s) { s->argv = argv_empty; }
static void m_env_noeq(struct rt_spec *s) { s->env = env_no_equals; }
static void m_env_empty_key(struct rt_spec *s) { s->env = env_empty_key; }
static void m_env_null(struct rt_spec *s) { s->env = NULL; }
static void m_env_at_max(struct rt_spec *s) { s->env = env_at_max_list; }
static void m_env_over_max(struct rt_spec *s) { s->env = env_over_max_list; }
static void m_argv_over_max(struct rt_spec *s) { s->argv = argv_over_max_list; }
static void m_env_total(struct rt_spec *s) { s->env = env_total_list; }
static void m_cwd_relative(struct rt_spec *s) { s->cwd = "srv/app"; }
static void m_cwd_absolute(struct rt_spec *s) { s->cwd = "/srv"; }
static void m_host_underscore(struct rt_spec *s) { s->hostname = "bad_host"; }
static void m_host_dash(struct rt_spec *s) { s->hostname = "-box"; }
static void m_host_label_end(struct rt_spec *s) { s->hostname = "box-.lan"; }
static void m_host_empty_label(struct rt_spec *s) { s->hostname = "box..lan"; }
static void m_host_long(struct rt_spec *s) { s->hostname = long_hostname; }
static void m_host_ok(struct rt_spec *s) { s->hostname = "db-1.lan"; }
static void m_rootfs_missing(struct rt_spec *s) { s->rootfs = "/nonexistent-mstat-rootfs"; }
static void m_rootfs_file(struct rt_spec *s) { s->rootfs = "/etc/hostname"; }
static void m_rootfs_relative(struct rt_spec *s) { s->rootfs = "rootfs"; }
static void m_rootfs_ok(struct rt_spec *s) { s->rootfs = "/tmp"; }
static void m_mem_small(struct rt_spec *s) { s->limits.memory = 4 * MIB; }
static void m_mem_min(struct rt_spec *s) { s->limits.memory = 6 * MIB; }
static void m_swap_no_mem(struct rt_spec *s) { s->limits.memory_swap = 64 * MIB; }
static void m_swap_below(struct rt_spec *s) { s->limits.memory = 64 * MIB; s->limits.memory_swap = 32 * MIB; }
static void m_swap_neg(struct rt_spec *s) { s->limits.memory = 64 * MIB; s->limits.memory_swap = -2; }
static void m_swap_unl(struct rt_spec *s) { s->limits.memory = 64 * MIB; s->limits.memory_swap = -1; }
static void m_swap_unl_alone(struct rt_spec *s) { s->limits.memory_swap = -1; }
static void m_swap_equal(struct rt_spec *s) { s->limits.memory = 64 * MIB; s->limits.memory_swap = 64 * MIB; }
static void m_cpus_tiny(struct rt_spec *s) { s->limits.nano_cpus = 1000; }
static void m_cpus_over(struct rt_spec *s) { s->limits.nano_cpus = (uint64_t)(online_cpus() + 1) * 1000000000ULL; }
static void m_cpus_all(struct rt_spec *s) { s->limits.nano_cpus = (uint64_t)online_cpus() * 1000000000ULL; }
static void m_cpus_min(struct rt_spec *s) { s->limits.nano_cpus = 10000000; }
static void m_shares_low(struct rt_spec *s) { s->limits.cpu_shares = 1; }
static void m_shares_high(struct rt_spec *s) { s->limits.cpu_shares = 262145; }
static void m_shares_min(struct rt_spec *s) { s->limits.cpu_shares = 2; }
static void m_shares_max(struct rt_spec *s) { s->limits.cpu_shares = 262144; }
static void m_pids_neg(struct rt_spec *s) { s->limits.pids_limit = -2; }
static void m_pids_huge(struct rt_spec *s) { s->limits.pids_limit = 4194305; }
static void m_pids_unl(struct rt_spec *s) { s->limits.pids_limit = -1; }
static void m_pids_ten(struct rt_spec *s) { s->limits.pids_limit = 10; }
static void m_network_bad(struct rt_spec *s) { s->network = (enum rt_network)7; }
static void m_network_host(struct rt_spec *s) { s->network = RT_NET_HOST; }
/* clang-format on */

struct spec_case {
	const char *label;
	void (*mutate)(struct rt_spec *s);
	int expected;	   /* 0 or a negative errno */
	const char *field; /* the message must contain it */
	const char *value; /* ... and this rendering of the value */
};

static const struct spec_case spec_cases[] = {
	{ "base", m_none, 0, NULL, NULL },
	{ "name empty", m_name_empty, -EINVAL, "name", "''" },
	{ "name leading dash", m_name_dash, -EINVAL, "name", "-web" },
	{ "name slash", m_name_slash, -EINVAL, "name", "web/1" },
	{ "name one char", m_name_one, 0, NULL, NULL },
	{ "name mixed", m_name_mixed, 0, NULL, NULL },
	{ "name unterminated", m_name_unterminated, -EINVAL, "name", "aaaa" },
	{ "id short", m_id_short, -EINVAL, "id", "abc123" },
	{ "id uppercase", m_id_upper, -EINVAL, "id", "01234F" },
	{ "id not hex", m_id_nonhex, -EINVAL, "id", "cdeg" },
	{ "argv null", m_argv_null, -EINVAL, "Cmd", "empty" },
	{ "argv no entry", m_argv_no_entry, -EINVAL, "Cmd", "empty" },
	{ "argv empty string", m_argv_empty, -EINVAL, "Cmd", "empty" },
	{ "env without equals", m_env_noeq, -EINVAL, "Env", "NOEQ" },
	{ "env empty key", m_env_empty_key, -EINVAL, "Env", "=value" },
	{ "env null", m_env_null, 0, NULL, NULL },
	{ "env string at max", m_env_at_max, 0, NULL, NULL },
	{ "env string over max", m_env_over_max, -E2BIG, "Env[1]", "131072 bytes" },
	{ "argv string over max", m_argv_over_max, -E2BIG, "Cmd[1]", "131072 bytes" },
	{ "env total over 1 MiB", m_env_total, -E2BIG, "Env[8]", "1048576 bytes" },
	{ "cwd relative", m_cwd_relative, -EINVAL, "WorkingDir", "srv/app" },
	{ "cwd absolute", m_cwd_absolute, 0, NULL, NULL },
	{ "hostname underscore", m_host_underscore, -EINVAL, "Hostname", "bad_host" },
	{ "hostname leading dash", m_host_dash, -EINVAL, "Hostname", "-box" },
	{ "hostname label end dash", m_host_label_end, -EINVAL, "Hostname", "box-.lan" },
	{ "hostname empty label", m_host_empty_label, -EINVAL, "Hostname", "box..lan" },
	{ "hostname too long", m_host_long, -EINVAL, "Hostname", "hhhh" },
	{ "hostname valid", m_host_ok, 0, NULL, NULL },
	{ "rootfs missing", m_rootfs_missing, -ENOENT, "Rootfs", "/nonexistent-mstat-rootfs" },
	{ "rootfs a file", m_rootfs_file, -ENOTDIR, "Rootfs", "/etc/hostname" },
	{ "rootfs relative", m_rootfs_relative, -EINVAL, "Rootfs", "'rootfs'" },
	{ "rootfs directory", m_rootfs_ok, 0, NULL, NULL },
	{ "memory below 6 MiB", m_mem_small, -EINVAL, "Memory", "4194304" },
	{ "memory at 6 MiB", m_mem_min, 0, NULL, NULL },
	{ "swap without memory", m_swap_no_mem, -EINVAL, "MemorySwap", "67108864" },
	{ "swap below memory", m_swap_below, -EINVAL, "MemorySwap", "33554432" },
	{ "swap below -1", m_swap_neg, -EINVAL, "MemorySwap", "-2" },
	{ "swap unlimited", m_swap_unl, 0, NULL, NULL },
	{ "swap unlimited alone", m_swap_unl_alone, 0, NULL, NULL },
	{ "swap equal memory", m_swap_equal, 0, NULL, NULL },
	{ "cpus below 0.01", m_cpus_tiny, -EINVAL, "NanoCpus", "1000" },
	{ "cpus above online", m_cpus_over, -EINVAL, "NanoCpus", "000000000" },
	{ "cpus all online", m_cpus_all, 0, NULL, NULL },
	{ "cpus at 0.01", m_cpus_min, 0, NULL, NULL },
	{ "shares below 2", m_shares_low, -EINVAL, "CpuShares", "1:" },
	{ "shares above max", m_shares_high, -EINVAL, "CpuShares", "262145" },
	{ "shares at 2", m_shares_min, 0, NULL, NULL },
	{ "shares at max", m_shares_max, 0, NULL, NULL },
	{ "pids below -1", m_pids_neg, -EINVAL, "PidsLimit", "-2" },
	{ "pids above max", m_pids_huge, -EINVAL, "PidsLimit", "4194305" },
	{ "pids unlimited", m_pids_unl, 0, NULL, NULL },
	{ "pids ten", m_pids_ten, 0, NULL, NULL },
	{ "network unknown", m_network_bad, -EINVAL, "NetworkMode", "7" },
	{ "network host", m_network_host, 0, NULL, NULL },
};

static void test_spec_validation_table(void)
{
	memset(long_hostname, 'h', 65);
	long_hostname[65] = '\0';
	fill_arg_strings();

	for (size_t i = 0; i < sizeof(spec_cases) / sizeof(spec_cases[0]); i++) {
		const struct spec_case *c = &spec_cases[i];
		struct mst_err err = { 0 };
		struct rt_spec spec;

		base_spec(&spec);
		c->mutate(&spec);
		int r = rt_spec_validate(&spec, &err);
		if (r != c->expected)
			printf("\ncase '%s': got %d (%s), expected %d\n", c->label, r, err.msg,
			       c->expected);
		CU_ASSERT_EQUAL(r, c->expected);
		if (c->expected == 0) {
			CU_ASSERT_EQUAL(err.code, 0);
			continue;
		}
		CU_ASSERT_EQUAL(err.code, -c->expected);
		if (!strstr(err.msg, c->field) || !strstr(err.msg, c->value))
			printf("\ncase '%s': message '%s' lacks '%s' or '%s'\n", c->label, err.msg,
			       c->field, c->value);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, c->field));
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, c->value));
	}
}

static void test_spec_name_rule(void)
{
	CU_ASSERT_TRUE(rt_name_is_valid("a"));
	CU_ASSERT_TRUE(rt_name_is_valid("9lives"));
	CU_ASSERT_TRUE(rt_name_is_valid("my_app.v2-3"));
	CU_ASSERT_FALSE(rt_name_is_valid(""));
	CU_ASSERT_FALSE(rt_name_is_valid("_x"));
	CU_ASSERT_FALSE(rt_name_is_valid(".x"));
	CU_ASSERT_FALSE(rt_name_is_valid("x y"));
	CU_ASSERT_FALSE(rt_name_is_valid("x:y"));
}

static void test_network_strings(void)
{
	enum rt_network n = RT_NET_HOST;

	CU_ASSERT_STRING_EQUAL(rt_network_to_string(RT_NET_NONE), "none");
	CU_ASSERT_STRING_EQUAL(rt_network_to_string(RT_NET_HOST), "host");
	CU_ASSERT_STRING_EQUAL(rt_network_to_string((enum rt_network)9), "unknown");
	CU_ASSERT_EQUAL(rt_network_from_string("none", &n), 0);
	CU_ASSERT_EQUAL(n, RT_NET_NONE);
	CU_ASSERT_EQUAL(rt_network_from_string("host", &n), 0);
	CU_ASSERT_EQUAL(n, RT_NET_HOST);
	CU_ASSERT_EQUAL(rt_network_from_string("bridge", &n), 0);
	CU_ASSERT_EQUAL(n, RT_NET_BRIDGE);
	CU_ASSERT_EQUAL(rt_network_from_string("overlay", &n), -EINVAL);
	CU_ASSERT_EQUAL(n, RT_NET_BRIDGE);
}

static void test_cpu_quota_from_nano_cpus(void)
{
	/* dockerd: quota = NanoCpus * 100000 / 1e9 over a 100000 us period. */
	CU_ASSERT_EQUAL(RT_CPU_PERIOD_US, 100000);
	CU_ASSERT_EQUAL(rt_cpu_quota_us(0), 0);
	CU_ASSERT_EQUAL(rt_cpu_quota_us(10000000), 1000);
	CU_ASSERT_EQUAL(rt_cpu_quota_us(500000000), 50000);
	CU_ASSERT_EQUAL(rt_cpu_quota_us(1000000000), 100000);
	CU_ASSERT_EQUAL(rt_cpu_quota_us(1500000000), 150000);
	CU_ASSERT_EQUAL(rt_cpu_quota_us(64000000000ULL), 6400000);
	CU_ASSERT_EQUAL(rt_cpu_quota_us(UINT64_MAX), UINT64_MAX / 10000);
}

static void test_cpu_shares_to_weight(void)
{
	/* Values of opencontainers/cgroups ConvertCPUSharesToCgroupV2Value; 2000
	 * -> 170 is what runc 1.4.0-rc.1 writes for --cpu-shares 2000. */
	CU_ASSERT_EQUAL(rt_cpu_shares_to_weight(0), 0);
	CU_ASSERT_EQUAL(rt_cpu_shares_to_weight(1), 1);
	CU_ASSERT_EQUAL(rt_cpu_shares_to_weight(2), 1);
	CU_ASSERT_EQUAL(rt_cpu_shares_to_weight(1024), 100);
	CU_ASSERT_EQUAL(rt_cpu_shares_to_weight(2000), 170);
	CU_ASSERT_EQUAL(rt_cpu_shares_to_weight(512), 59);
	CU_ASSERT_EQUAL(rt_cpu_shares_to_weight(262144), 10000);
	CU_ASSERT_EQUAL(rt_cpu_shares_to_weight(1000000), 10000);

	uint64_t prev = 1;
	for (uint64_t s = 2; s <= 262144; s += 7) {
		uint64_t w = rt_cpu_shares_to_weight(s);

		CU_ASSERT_TRUE(w >= prev && w <= 10000);
		prev = w;
	}
}

struct plan_case {
	uint64_t memory;
	int64_t swap;
	int expected;
	bool set_swap, unlimited;
	uint64_t total;
};

static void test_memory_plan_docker_rules(void)
{
	static const struct plan_case cases[] = {
		{ 0, 0, 0, false, false, 0 },			  /* nothing set */
		{ 32 * MIB, 0, 0, true, false, 64 * MIB },	  /* default: 2x memory */
		{ 32 * MIB, -1, 0, true, true, 0 },		  /* unlimited swap */
		{ 32 * MIB, 48 * MIB, 0, true, false, 48 * MIB }, /* explicit total */
		{ 32 * MIB, 32 * MIB, 0, true, false, 32 * MIB }, /* no swap at all */
		{ 0, -1, 0, true, true, 0 },			  /* unlimited, no memory */
		{ 0, 64 * MIB, -EINVAL, false, false, 0 },	  /* swap without memory */
		{ 64 * MIB, 32 * MIB, -EINVAL, false, false, 0 }, /* below memory */
		{ 64 * MIB, -5, -EINVAL, false, false, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct plan_case *c = &cases[i];
		struct rt_limits limits = { .memory = c->memory, .memory_swap = c->swap };
		struct cg_memory_plan plan = { .memory = 12345 };
		struct mst_err err = { 0 };
		int r = cg_memory_plan_from_limits(&limits, &plan, &err);

		CU_ASSERT_EQUAL(r, c->expected);
		if (r < 0) {
			CU_ASSERT_EQUAL(plan.memory, 12345); /* untouched on failure */
			CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "memory_swap"));
			continue;
		}
		CU_ASSERT_EQUAL(plan.memory, c->memory);
		CU_ASSERT_EQUAL(plan.set_swap, c->set_swap);
		CU_ASSERT_EQUAL(plan.swap_unlimited, c->unlimited);
		if (c->set_swap && !c->unlimited)
			CU_ASSERT_EQUAL(plan.memory_and_swap, c->total);
	}
}

static void test_exit_status_format(void)
{
	char buf[32];

	CU_ASSERT_EQUAL(rt_exit_status_format(W_EXITCODE(3, 0), buf, sizeof(buf)), 9);
	CU_ASSERT_STRING_EQUAL(buf, "exited 3\n");
	CU_ASSERT_EQUAL(rt_exit_status_format(W_EXITCODE(0, 0), buf, sizeof(buf)), 9);
	CU_ASSERT_STRING_EQUAL(buf, "exited 0\n");
	CU_ASSERT_EQUAL(rt_exit_status_format(W_EXITCODE(0, SIGKILL), buf, sizeof(buf)), 11);
	CU_ASSERT_STRING_EQUAL(buf, "signaled 9\n");
	CU_ASSERT_EQUAL(rt_exit_status_format(W_STOPCODE(SIGSTOP), buf, sizeof(buf)), -EINVAL);
	CU_ASSERT_EQUAL(rt_exit_status_format(W_EXITCODE(255, 0), buf, 4), -ENOSPC);

	CU_ASSERT_EQUAL(rt_exit_code_from_wait_status(W_EXITCODE(3, 0)), 3);
	CU_ASSERT_EQUAL(rt_exit_code_from_wait_status(W_EXITCODE(0, SIGKILL)), 137);
	CU_ASSERT_EQUAL(rt_exit_code_from_wait_status(W_EXITCODE(0, SIGTERM)), 143);
}

struct parse_case {
	const char *text;
	int expected;
	int code;
};

static void test_exit_status_parse(void)
{
	static const struct parse_case cases[] = {
		{ "exited 0\n", 0, 0 },
		{ "exited 3\n", 0, 3 },
		{ "exited 255\n", 0, 255 },
		{ "exited 3", 0, 3 },
		{ "signaled 9\n", 0, 137 },
		{ "signaled 15\n", 0, 143 },
		{ "signaled 64\n", 0, 192 },
		{ "", -ENOENT, 0 },
		{ "exited 256\n", -EINVAL, 0 },
		{ "exited -1\n", -EINVAL, 0 },
		{ "exited 3\n\n", -EINVAL, 0 },
		{ "exited\n", -EINVAL, 0 },
		{ "signaled 0\n", -EINVAL, 0 },
		{ "signaled 65\n", -EINVAL, 0 },
		{ "exit 3\n", -EINVAL, 0 },
		{ "exited 3x\n", -EINVAL, 0 },
		{ "exited 18446744073709551616\n", -EINVAL, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int code = -1000;
		int r = rt_exit_status_parse(cases[i].text, strlen(cases[i].text), &code);

		if (r != cases[i].expected)
			printf("\n'%s': got %d, expected %d\n", cases[i].text, r,
			       cases[i].expected);
		CU_ASSERT_EQUAL(r, cases[i].expected);
		CU_ASSERT_EQUAL(code, r == 0 ? cases[i].code : -1000);
	}
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void test_read_exit_file(void)
{
	char dir[] = "/tmp/mstat-rt-exit-XXXXXX";
	char path[512];
	int code = -1000;

	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	CU_ASSERT_EQUAL(rt_read_exit(dir, &code), -ENOENT);
	write_file(dir, RT_EXIT_FILE, "");
	CU_ASSERT_EQUAL(rt_read_exit(dir, &code), -ENOENT);
	write_file(dir, RT_EXIT_FILE, "exited 7\n");
	CU_ASSERT_EQUAL(rt_read_exit(dir, &code), 0);
	CU_ASSERT_EQUAL(code, 7);
	write_file(dir, RT_EXIT_FILE, "signaled 15\n");
	CU_ASSERT_EQUAL(rt_read_exit(dir, &code), 0);
	CU_ASSERT_EQUAL(code, 143);
	write_file(dir, RT_EXIT_FILE, "garbage\n");
	CU_ASSERT_EQUAL(rt_read_exit(dir, &code), -EINVAL);
	CU_ASSERT_EQUAL(code, 143);

	snprintf(path, sizeof(path), "%s/%s", dir, RT_EXIT_FILE);
	unlink(path);
	rmdir(dir);
}

/* Validates base_spec with one write rate on path; returns the result. */
static int validate_with_device(const char *path, struct mst_err *err)
{
	struct rt_device_rate rate = { .path = (char *)path, .rate = 5 * MIB };
	struct rt_spec spec;

	base_spec(&spec);
	spec.limits.device_write_bps = &rate;
	spec.limits.n_device_write_bps = 1;
	err_clear(err);
	return rt_spec_validate(&spec, err);
}

static void test_device_rate_paths(void)
{
	struct mst_err err;

	CU_ASSERT_EQUAL(validate_with_device("/dev/null", &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "BlkioDeviceWriteBps"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "'/dev/null': it is not a block device"));

	CU_ASSERT_EQUAL(validate_with_device("/nonexistent/mstat-disk", &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "'/nonexistent/mstat-disk': No such file"));

	CU_ASSERT_EQUAL(validate_with_device("dev/sda", &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "'dev/sda'"));

	CU_ASSERT_EQUAL(validate_with_device("", &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "invalid device path ''"));
}

static void test_device_rate_count(void)
{
	struct rt_device_rate rates[RT_DEVICE_RATES_MAX + 1];
	struct mst_err err = { 0 };
	struct rt_spec spec;

	for (size_t i = 0; i < RT_DEVICE_RATES_MAX + 1; i++)
		rates[i] = (struct rt_device_rate){ .path = (char *)"/dev/null", .rate = 1 };
	base_spec(&spec);
	spec.limits.device_read_bps = rates;
	spec.limits.n_device_read_bps = RT_DEVICE_RATES_MAX + 1;
	CU_ASSERT_EQUAL(rt_spec_validate(&spec, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "BlkioDeviceReadBps: 65 devices"));
}

/* A block device node made with mknod(2) in a temporary directory; it needs
 * root (CAP_MKNOD) but no real device behind the number. */
static void test_block_device_number(void)
{
	char dir[] = "/tmp/mstat-rt-blk-XXXXXX";
	char node[64];
	unsigned major_number = 0, minor_number = 0;
	struct mst_err err = { 0 };

	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	snprintf(node, sizeof(node), "%s/disk", dir);
	if (mknod(node, S_IFBLK | 0600, makedev(7, 200)) < 0) {
		printf("\nmknod %s: %s; block device check skipped\n", node, strerror(errno));
		rmdir(dir);
		return;
	}

	CU_ASSERT_EQUAL(rt_block_device_number(node, &major_number, &minor_number, &err), 0);
	CU_ASSERT_EQUAL(major_number, 7);
	CU_ASSERT_EQUAL(minor_number, 200);
	CU_ASSERT_EQUAL(validate_with_device(node, &err), 0);
	CU_ASSERT_EQUAL(err.code, 0);

	unlink(node);
	rmdir(dir);
}

int main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	CU_pSuite s = CU_add_suite("runtime_spec", NULL, NULL);
	CU_add_test(s, "spec validation table", test_spec_validation_table);
	CU_add_test(s, "spec name rule", test_spec_name_rule);
	CU_add_test(s, "network mode strings", test_network_strings);
	CU_add_test(s, "cpu quota from nano_cpus", test_cpu_quota_from_nano_cpus);
	CU_add_test(s, "cpu shares to weight", test_cpu_shares_to_weight);
	CU_add_test(s, "memory plan docker rules", test_memory_plan_docker_rules);
	CU_add_test(s, "exit status format", test_exit_status_format);
	CU_add_test(s, "exit status parse", test_exit_status_parse);
	CU_add_test(s, "read exit file", test_read_exit_file);
	CU_add_test(s, "device rate paths", test_device_rate_paths);
	CU_add_test(s, "device rate count", test_device_rate_count);
	CU_add_test(s, "block device number", test_block_device_number);

	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failed = CU_get_number_of_failures() + CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
