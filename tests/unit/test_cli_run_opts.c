/* SPDX-License-Identifier: MIT */
/* `mstat run` argument parsing: values, bad values with their messages, and
 * the create request body. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/run_opts.h"
#include "tests/unit/cunit_main.h"

#define MAX_ARGS 32

/* Parses a NULL-terminated argument list that follows "run". */
static int parse_args(const char *const *args, struct run_opts *o, struct mst_err *err)
{
	static char *argv[MAX_ARGS + 2];
	int argc = 0;

	argv[argc++] = (char *)"run";
	for (; args[argc - 1] && argc <= MAX_ARGS; argc++)
		argv[argc] = (char *)args[argc - 1];
	argv[argc] = NULL;
	err_clear(err);
	return run_opts_parse(argc, argv, o, err);
}

static void test_sizes(void)
{
	static const struct {
		const char *args[6];
		uint64_t memory;
		int64_t swap;
	} cases[] = {
		{ { "-m", "512m", "true", NULL }, 512ULL << 20, 0 },
		{ { "--memory=1.5g", "true", NULL }, 3ULL << 29, 0 },
		{ { "-m1G", "true", NULL }, 1ULL << 30, 0 },
		{ { "--memory", "64k", "true", NULL }, 64ULL << 10, 0 },
		{ { "-m", "100", "true", NULL }, 100, 0 },
		{ { "-m", "1g", "--memory-swap", "-1", "true", NULL }, 1ULL << 30, -1 },
		{ { "-m", "1g", "--memory-swap", "2g", "true", NULL }, 1ULL << 30, 2LL << 30 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct run_opts o;
		struct mst_err err;

		CU_ASSERT_EQUAL_FATAL(parse_args(cases[i].args, &o, &err), 0);
		CU_ASSERT_EQUAL(o.memory, cases[i].memory);
		CU_ASSERT_EQUAL(o.memory_swap, cases[i].swap);
		CU_ASSERT_EQUAL(o.n_command, 1);
		CU_ASSERT_STRING_EQUAL(o.command[0], "true");
		run_opts_free(&o);
	}
}

static void test_limits_and_flags(void)
{
	const char *args[] = { "-d", "--rm", "--name",	     "web",  "--cpus", "0.5",
			       "-c", "512",  "--pids-limit", "-1",   "-h",     "box",
			       "-w", "/tmp", "--network",    "host", "sh",     NULL };
	struct run_opts o;
	struct mst_err err;

	CU_ASSERT_EQUAL_FATAL(parse_args(args, &o, &err), 0);
	CU_ASSERT_TRUE(o.detach);
	CU_ASSERT_TRUE(o.auto_remove);
	CU_ASSERT_STRING_EQUAL(o.name, "web");
	CU_ASSERT_EQUAL(o.nano_cpus, 500000000ULL);
	CU_ASSERT_EQUAL(o.cpu_shares, 512);
	CU_ASSERT_EQUAL(o.pids_limit, -1);
	CU_ASSERT_STRING_EQUAL(o.hostname, "box");
	CU_ASSERT_STRING_EQUAL(o.workdir, "/tmp");
	CU_ASSERT_STRING_EQUAL(o.network, "host");
	run_opts_free(&o);
}

static void test_command_boundary(void)
{
	const char *after_command[] = { "sh", "-c", "echo hi", "-m", "5", NULL };
	const char *dashes[] = { "-m", "1m", "--", "-weird", "--memory", NULL };
	struct run_opts o;
	struct mst_err err;

	/* Options end at the command, so its own flags stay its arguments. */
	CU_ASSERT_EQUAL_FATAL(parse_args(after_command, &o, &err), 0);
	CU_ASSERT_EQUAL(o.memory, 0);
	CU_ASSERT_EQUAL_FATAL(o.n_command, 5);
	CU_ASSERT_STRING_EQUAL(o.command[2], "echo hi");
	CU_ASSERT_STRING_EQUAL(o.command[3], "-m");
	run_opts_free(&o);

	CU_ASSERT_EQUAL_FATAL(parse_args(dashes, &o, &err), 0);
	CU_ASSERT_EQUAL(o.memory, 1ULL << 20);
	CU_ASSERT_EQUAL_FATAL(o.n_command, 2);
	CU_ASSERT_STRING_EQUAL(o.command[0], "-weird");
	CU_ASSERT_STRING_EQUAL(o.command[1], "--memory");
	run_opts_free(&o);
}

static void test_env(void)
{
	const char *args[] = {
		"-e", "A=1",  "-e", "MSTAT_TEST_SET", "--env", "MSTAT_TEST_UNSET", "-e",
		"B=", "true", NULL
	};
	struct run_opts o;
	struct mst_err err;

	setenv("MSTAT_TEST_SET", "from caller", 1);
	unsetenv("MSTAT_TEST_UNSET");
	CU_ASSERT_EQUAL_FATAL(parse_args(args, &o, &err), 0);
	CU_ASSERT_EQUAL_FATAL(o.n_env, 3);
	CU_ASSERT_STRING_EQUAL(o.env[0], "A=1");
	CU_ASSERT_STRING_EQUAL(o.env[1], "MSTAT_TEST_SET=from caller");
	CU_ASSERT_STRING_EQUAL(o.env[2], "B=");
	run_opts_free(&o);
}

/* Each bad argument list and the message it must produce. */
static void test_errors(void)
{
	static const struct {
		const char *args[6];
		const char *message;
	} cases[] = {
		{ { "-m", "10x", "true", NULL },
		  "invalid value \"10x\" for -m, --memory: expected a size such as 512m or 1.5g" },
		{ { "--memory", "-5m", "true", NULL },
		  "invalid value \"-5m\" for -m, --memory: expected a size" },
		{ { "--memory-swap", "lots", "-m", "1g", "true", NULL },
		  "invalid value \"lots\" for --memory-swap: expected a size" },
		{ { "--cpus", "two", "true", NULL },
		  "invalid value \"two\" for --cpus: expected a number of CPUs" },
		{ { "--cpus", "0.001", "true", NULL },
		  "invalid value \"0.001\" for --cpus: --cpus must be at least 0.01" },
		{ { "-c", "1", "true", NULL },
		  "invalid value \"1\" for -c, --cpu-shares: --cpu-shares must be from 2 to "
		  "262144" },
		{ { "--cpu-shares", "262145", "true", NULL },
		  "for -c, --cpu-shares: --cpu-shares must be from 2 to 262144" },
		{ { "-m", "1g", "--memory-swap", "-2", "true", NULL },
		  "invalid value \"-2\" for --memory-swap: expected a size, or -1 for unlimited "
		  "swap" },
		{ { "--pids-limit", "-2", "true", NULL },
		  "invalid value \"-2\" for --pids-limit: expected a number of processes" },
		{ { "--network", "overlay", "true", NULL },
		  "invalid value \"overlay\" for --network: expected none, host or bridge" },
		{ { "-w", "relative", "true", NULL },
		  "invalid value \"relative\" for -w, --workdir: the working directory must be an "
		  "absolute path" },
		{ { "-e", "=x", "true", NULL },
		  "invalid value \"=x\" for -e, --env: expected KEY=VALUE" },
		{ { "-m", "1g", NULL }, "\"mstat run\" requires a command" },
		{ { NULL }, "\"mstat run\" requires a command" },
		{ { "--bogus", "true", NULL }, "unknown flag: --bogus" },
		{ { "-x", "true", NULL }, "unknown shorthand flag: 'x' in -x" },
		{ { "--rm=yes", "true", NULL }, "flag --rm does not take a value: --rm=yes" },
		{ { "--memory", NULL }, "flag needs an argument: --memory" },
		{ { "-m", NULL }, "flag needs an argument: 'm' in -m" },
		{ { "--memory-swap", "2g", "true", NULL }, "--memory-swap needs --memory" },
		{ { "-m", "2g", "--memory-swap", "1g", "true", NULL },
		  "--memory-swap (1073741824 bytes) must not be smaller than --memory" },
		{ { "--restart", "sometimes", "true", NULL },
		  "invalid value \"sometimes\" for --restart: expected no, always, unless-stopped, "
		  "on-failure or on-failure:MAX-RETRIES" },
		{ { "--restart", "always:3", "true", NULL },
		  "invalid value \"always:3\" for --restart" },
		{ { "--rm", "--restart", "always", "true", NULL },
		  "conflicting options --rm and --restart" },
		{ { "--rootfs", "/nonexistent/mstat-test", "true", NULL },
		  "invalid value \"/nonexistent/mstat-test\" for --rootfs: No such file or "
		  "directory" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct run_opts o;
		struct mst_err err;
		int r = parse_args(cases[i].args, &o, &err);

		CU_ASSERT_TRUE(r < 0);
		if (!strstr(err.msg, cases[i].message))
			fprintf(stderr, "\ncase %zu: got \"%s\", expected \"%s\"\n", i, err.msg,
				cases[i].message);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, cases[i].message));
	}
}

static void test_help(void)
{
	const char *args[] = { "--help", NULL };
	struct run_opts o;
	struct mst_err err;

	CU_ASSERT_EQUAL(parse_args(args, &o, &err), 0);
	CU_ASSERT_TRUE(o.help);
	CU_ASSERT_EQUAL(o.n_command, 0);
}

static void test_create_body(void)
{
	const char *args[] = { "--rm", "-m",  "256m", "--pids-limit", "50",	"--rootfs", "/",
			       "-e",   "A=1", "sh",   "-c",	      "exit 3", NULL };
	struct run_opts o;
	struct mst_err err;

	CU_ASSERT_EQUAL_FATAL(parse_args(args, &o, &err), 0);
	json_t *body = run_opts_create_body(&o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);

	json_t *cmd = json_object_get(body, "Cmd");
	json_t *host = json_object_get(body, "HostConfig");
	CU_ASSERT_EQUAL(json_array_size(cmd), 3);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(cmd, 2)), "exit 3");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(json_object_get(body, "Env"), 0)),
			       "A=1");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(body, "Rootfs")), "/");
	CU_ASSERT_PTR_NULL(json_object_get(body, "WorkingDir"));
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(host, "Memory")), 256 << 20);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(host, "MemorySwap")), 0);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(host, "PidsLimit")), 50);
	CU_ASSERT_TRUE(json_is_true(json_object_get(host, "AutoRemove")));
	CU_ASSERT_PTR_NULL(json_object_get(host, "NetworkMode"));
	json_decref(body);
	run_opts_free(&o);
}

static void test_device_rates(void)
{
	const char *args[] = { "--device-write-bps",
			       "/dev/vda:5mb",
			       "--device-read-bps",
			       "/dev/sda:1024",
			       "--device-write-bps=/dev/sdb:1.5k",
			       "true",
			       NULL };
	struct run_opts o;
	struct mst_err err;

	CU_ASSERT_EQUAL_FATAL(parse_args(args, &o, &err), 0);
	CU_ASSERT_EQUAL_FATAL(o.n_device_write_bps, 2);
	CU_ASSERT_EQUAL_FATAL(o.n_device_read_bps, 1);
	CU_ASSERT_STRING_EQUAL(o.device_write_bps[0].path, "/dev/vda");
	CU_ASSERT_EQUAL(o.device_write_bps[0].rate, 5ULL << 20);
	CU_ASSERT_STRING_EQUAL(o.device_write_bps[1].path, "/dev/sdb");
	CU_ASSERT_EQUAL(o.device_write_bps[1].rate, 1536);
	CU_ASSERT_STRING_EQUAL(o.device_read_bps[0].path, "/dev/sda");
	CU_ASSERT_EQUAL(o.device_read_bps[0].rate, 1024);

	json_t *body = run_opts_create_body(&o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	json_t *host = json_object_get(body, "HostConfig");
	json_t *writes = json_object_get(host, "BlkioDeviceWriteBps");
	json_t *reads = json_object_get(host, "BlkioDeviceReadBps");
	CU_ASSERT_EQUAL(json_array_size(writes), 2);
	CU_ASSERT_EQUAL(json_array_size(reads), 1);
	CU_ASSERT_STRING_EQUAL(
	    json_string_value(json_object_get(json_array_get(writes, 1), "Path")), "/dev/sdb");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_array_get(writes, 0), "Rate")),
			5 << 20);
	json_decref(body);
	run_opts_free(&o);
	CU_ASSERT_EQUAL(o.n_device_write_bps, 0);
	CU_ASSERT_PTR_NULL(o.device_write_bps);
}

static void test_device_rate_errors(void)
{
	static const struct {
		const char *args[4];
		const char *message;
	} cases[] = {
		{ { "--device-read-bps", "/dev/sda", "true", NULL },
		  "invalid value \"/dev/sda\" for --device-read-bps: expected DEVICE:RATE" },
		{ { "--device-read-bps", ":5mb", "true", NULL },
		  "invalid value \":5mb\" for --device-read-bps: expected DEVICE:RATE" },
		{ { "--device-write-bps", "sda:5mb", "true", NULL },
		  "invalid value \"sda:5mb\" for --device-write-bps: the device path must start "
		  "with /dev/" },
		{ { "--device-write-bps", "/dev/sda:fast", "true", NULL },
		  "invalid value \"/dev/sda:fast\" for --device-write-bps: expected a rate" },
		{ { "--device-write-bps", "/dev/sda:-1", "true", NULL },
		  "invalid value \"/dev/sda:-1\" for --device-write-bps: expected a rate" },
		{ { "--device-write-bps", "/dev/sda:", "true", NULL },
		  "invalid value \"/dev/sda:\" for --device-write-bps: expected a rate" },
		{ { "--device-write-bps", "/dev/sda:99999999999t", "true", NULL },
		  "for --device-write-bps: expected a rate" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct run_opts o;
		struct mst_err err;
		int r = parse_args(cases[i].args, &o, &err);

		CU_ASSERT_EQUAL(r, -EINVAL);
		if (!strstr(err.msg, cases[i].message))
			fprintf(stderr, "\ncase %zu: got \"%s\", expected \"%s\"\n", i, err.msg,
				cases[i].message);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, cases[i].message));
	}
}

static void test_restart_policy_body(void)
{
	const char *args[] = { "--restart", "on-failure:4", "true", NULL };
	const char *plain[] = { "true", NULL };
	struct run_opts o;
	struct mst_err err;
	json_t *body, *policy;

	CU_ASSERT_EQUAL_FATAL(parse_args(args, &o, &err), 0);
	body = run_opts_create_body(&o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	policy = json_object_get(json_object_get(body, "HostConfig"), "RestartPolicy");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(policy, "Name")), "on-failure");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(policy, "MaximumRetryCount")), 4);
	json_decref(body);
	run_opts_free(&o);

	CU_ASSERT_EQUAL_FATAL(parse_args(plain, &o, &err), 0);
	body = run_opts_create_body(&o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	policy = json_object_get(json_object_get(body, "HostConfig"), "RestartPolicy");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(policy, "Name")), "no");
	json_decref(body);
	run_opts_free(&o);
}

/* Parses a NULL-terminated argument list that follows "update". */
static int parse_update(const char *const *args, struct update_opts *o, struct mst_err *err)
{
	static char *argv[MAX_ARGS + 2];
	int argc = 0;

	argv[argc++] = (char *)"update";
	for (; args[argc - 1] && argc <= MAX_ARGS; argc++)
		argv[argc] = (char *)args[argc - 1];
	argv[argc] = NULL;
	err_clear(err);
	return update_opts_parse(argc, argv, o, err);
}

static void test_update_given_flags_only(void)
{
	const char *args[] = { "-m",	 "128m", "--pids-limit", "0", "--restart",
			       "always", "web",	 "db",		 NULL };
	struct update_opts o;
	struct mst_err err;
	json_t *body;

	CU_ASSERT_EQUAL_FATAL(parse_update(args, &o, &err), 0);
	CU_ASSERT_EQUAL(o.given, UPDATE_MEMORY | UPDATE_PIDS_LIMIT | UPDATE_RESTART);
	CU_ASSERT_EQUAL_FATAL(o.n_names, 2);
	CU_ASSERT_STRING_EQUAL(o.names[1], "db");
	body = update_opts_body(&o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	CU_ASSERT_EQUAL(json_object_size(body), 3);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(body, "Memory")), 128 << 20);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(body, "PidsLimit")), 0);
	CU_ASSERT_STRING_EQUAL(
	    json_string_value(json_object_get(json_object_get(body, "RestartPolicy"), "Name")),
	    "always");
	CU_ASSERT_PTR_NULL(json_object_get(body, "NanoCpus"));
	json_decref(body);
	update_opts_free(&o);
}

static void test_update_errors(void)
{
	static const struct {
		const char *args[5];
		const char *message;
	} cases[] = {
		{ { "web", NULL }, "\"mstat update\" needs at least one flag" },
		{ { "-m", "1g", NULL }, "\"mstat update\" requires at least 1 container name" },
		{ { "-m", "ten", "web", NULL }, "invalid value \"ten\" for -m, --memory" },
		{ { "--name", "x", "web", NULL }, "unknown flag: --name" },
		{ { "--restart", "on-failure:x", "web", NULL },
		  "invalid value \"on-failure:x\" for --restart" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct update_opts o;
		struct mst_err err;
		int r = parse_update(cases[i].args, &o, &err);

		CU_ASSERT_EQUAL(r, -EINVAL);
		if (!strstr(err.msg, cases[i].message))
			fprintf(stderr, "\nupdate case %zu: got \"%s\", expected \"%s\"\n", i,
				err.msg, cases[i].message);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, cases[i].message));
	}
}

static void test_user(void)
{
	const char *args[] = { "-u",	      "alice:staff", "--group-add", "audio",
			       "--group-add", "777",	     "id",	    NULL };
	static const char *const bad[] = { "", ":", "alice:", "1:2:3", "-5", "4294967296" };
	struct run_opts o;
	struct mst_err err;

	CU_ASSERT_EQUAL_FATAL(parse_args(args, &o, &err), 0);
	json_t *body = run_opts_create_body(&o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(body, "User")), "alice:staff");
	json_t *groups = json_object_get(json_object_get(body, "HostConfig"), "GroupAdd");
	CU_ASSERT_EQUAL(json_array_size(groups), 2);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(groups, 1)), "777");
	json_decref(body);
	run_opts_free(&o);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *bad_args[] = { "--user", bad[i], "id", NULL };
		char want[64];

		snprintf(want, sizeof(want), "invalid value \"%s\" for -u, --user", bad[i]);
		CU_ASSERT_EQUAL(parse_args(bad_args, &o, &err), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, want));
	}
	const char *bad_group[] = { "--group-add", "a:b", "id", NULL };
	CU_ASSERT_EQUAL(parse_args(bad_group, &o, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "invalid value \"a:b\" for --group-add"));
}

static const struct cunit_test tests[] = {
	{ "run sizes and swap", test_sizes },
	{ "run limits and flags", test_limits_and_flags },
	{ "run command boundary", test_command_boundary },
	{ "run env from caller", test_env },
	{ "run bad arguments", test_errors },
	{ "run help", test_help },
	{ "run create body", test_create_body },
	{ "run device rates", test_device_rates },
	{ "run device rate errors", test_device_rate_errors },
	{ "run restart policy body", test_restart_policy_body },
	{ "update sends given flags only", test_update_given_flags_only },
	{ "update bad arguments", test_update_errors },
	{ "run user and group-add", test_user },
	{ NULL, NULL },
};

int main(void)
{
	return cunit_run("cli run options", tests);
}
