/* SPDX-License-Identifier: MIT */
/*
 * mstatd's flag parsing: defaults, every flag with a valid value, and a
 * table of invalid values whose messages must name the flag and the value.
 */
#include <CUnit/Basic.h>
#include <stdlib.h>
#include <string.h>

#include "agent/config.h"

#define ARGC(v) ((int)(sizeof(v) / sizeof((v)[0])) - 1)

static void test_defaults(void)
{
	char *argv[] = { "mstatd", NULL };
	struct agent_config c;
	struct mst_err err = { 0 };

	CU_ASSERT_EQUAL_FATAL(agent_config_parse(ARGC(argv), argv, &c, &err), 0);
	CU_ASSERT_EQUAL(c.action, AGENT_ACTION_RUN);
	CU_ASSERT_STRING_EQUAL(c.socket_path, "/run/mstat/mstat.sock");
	CU_ASSERT_TRUE(c.listen_enabled);
	CU_ASSERT_STRING_EQUAL(c.listen_host, "127.0.0.1");
	CU_ASSERT_EQUAL(c.listen_port, 6782);
	CU_ASSERT_EQUAL(c.interval_ns, 1000000000ULL);
	CU_ASSERT_STRING_EQUAL(c.state_dir, "/run/mstat");
	CU_ASSERT_STRING_EQUAL(c.cgroup_root, "/sys/fs/cgroup");
	CU_ASSERT_STRING_EQUAL(c.proc_root, "/proc");
	CU_ASSERT_PTR_NULL(c.cgroup_parent);
	CU_ASSERT_EQUAL(c.n_watch, 0);
	CU_ASSERT_FALSE(c.once);
	CU_ASSERT_EQUAL(c.stop_timeout_s, 10);
	CU_ASSERT_FALSE(c.debug);
	agent_config_free(&c);
}

static void test_all_flags(void)
{
	char *argv[] = { "mstatd",
			 "--socket",
			 "/tmp/x.sock",
			 "--listen",
			 "[::1]:0",
			 "--interval",
			 "0.25",
			 "--state-dir",
			 "/tmp/state",
			 "--cgroup-root",
			 "/tmp/cg",
			 "--proc-root",
			 "/tmp/proc",
			 "--cgroup-parent",
			 "mstat-test",
			 "--watch",
			 "/system.slice",
			 "--watch=/user.slice",
			 "--once",
			 "--stop-timeout",
			 "0",
			 "--debug",
			 NULL };
	struct agent_config c;
	struct mst_err err = { 0 };

	CU_ASSERT_EQUAL_FATAL(agent_config_parse(ARGC(argv), argv, &c, &err), 0);
	CU_ASSERT_STRING_EQUAL(c.socket_path, "/tmp/x.sock");
	CU_ASSERT_STRING_EQUAL(c.listen_host, "::1");
	CU_ASSERT_EQUAL(c.listen_port, 0);
	CU_ASSERT_EQUAL(c.interval_ns, 250000000ULL);
	CU_ASSERT_STRING_EQUAL(c.state_dir, "/tmp/state");
	CU_ASSERT_STRING_EQUAL(c.cgroup_root, "/tmp/cg");
	CU_ASSERT_STRING_EQUAL(c.proc_root, "/tmp/proc");
	CU_ASSERT_STRING_EQUAL(c.cgroup_parent, "mstat-test");
	CU_ASSERT_EQUAL_FATAL(c.n_watch, 2);
	CU_ASSERT_STRING_EQUAL(c.watch[0], "/system.slice");
	CU_ASSERT_STRING_EQUAL(c.watch[1], "/user.slice");
	CU_ASSERT_TRUE(c.once);
	CU_ASSERT_EQUAL(c.stop_timeout_s, 0);
	CU_ASSERT_TRUE(c.debug);
	agent_config_free(&c);
}

static void test_listen_none_and_limits(void)
{
	char *argv[] = { "mstatd", "--listen",	     "none", "--interval",
			 "3600",   "--stop-timeout", "3600", NULL };
	char *argv_min[] = { "mstatd", "--interval", "0.1", NULL };
	struct agent_config c;
	struct mst_err err = { 0 };

	CU_ASSERT_EQUAL_FATAL(agent_config_parse(ARGC(argv), argv, &c, &err), 0);
	CU_ASSERT_FALSE(c.listen_enabled);
	CU_ASSERT_EQUAL(c.interval_ns, 3600000000000ULL);
	CU_ASSERT_EQUAL(c.stop_timeout_s, 3600);
	agent_config_free(&c);

	CU_ASSERT_EQUAL_FATAL(agent_config_parse(ARGC(argv_min), argv_min, &c, &err), 0);
	CU_ASSERT_EQUAL(c.interval_ns, 100000000ULL);
	agent_config_free(&c);
}

static void test_help_and_version(void)
{
	char *help[] = { "mstatd", "--help", NULL };
	char *version[] = { "mstatd", "--version", NULL };
	struct agent_config c;
	struct mst_err err = { 0 };

	CU_ASSERT_EQUAL_FATAL(agent_config_parse(ARGC(help), help, &c, &err), 0);
	CU_ASSERT_EQUAL(c.action, AGENT_ACTION_HELP);
	agent_config_free(&c);
	CU_ASSERT_EQUAL_FATAL(agent_config_parse(ARGC(version), version, &c, &err), 0);
	CU_ASSERT_EQUAL(c.action, AGENT_ACTION_VERSION);
	agent_config_free(&c);
}

static const struct {
	const char *flag;
	const char *value;   /* NULL: the flag is given without a value */
	const char *message; /* expected part of the error */
} bad_values[] = {
	{ "--interval", "0.05", "invalid --interval '0.05'" },
	{ "--interval", "0", "invalid --interval '0'" },
	{ "--interval", "3600.5", "invalid --interval '3600.5'" },
	{ "--interval", "1s", "invalid --interval '1s'" },
	{ "--interval", "-1", "invalid --interval '-1'" },
	{ "--interval", "", "invalid --interval ''" },
	{ "--stop-timeout", "3601", "invalid --stop-timeout '3601'" },
	{ "--stop-timeout", "1.5", "invalid --stop-timeout '1.5'" },
	{ "--stop-timeout", "ten", "invalid --stop-timeout 'ten'" },
	{ "--listen", "localhost:6782", "invalid --listen 'localhost:6782'" },
	{ "--listen", "127.0.0.1", "invalid --listen '127.0.0.1'" },
	{ "--listen", "127.0.0.1:65536", "invalid --listen '127.0.0.1:65536'" },
	{ "--listen", "127.0.0.1:", "invalid --listen '127.0.0.1:'" },
	{ "--listen", "::1:80", "invalid --listen '::1:80'" },
	{ "--socket", "relative.sock", "invalid --socket 'relative.sock'" },
	{ "--state-dir", "", "invalid --state-dir ''" },
	{ "--cgroup-root", "sys/fs/cgroup", "invalid --cgroup-root 'sys/fs/cgroup'" },
	{ "--proc-root", "proc", "invalid --proc-root 'proc'" },
	{ "--cgroup-parent", "../escape", "invalid --cgroup-parent '../escape'" },
	{ "--watch", "system.slice", "invalid --watch 'system.slice'" },
	{ "--interval", NULL, "'--interval' requires a value" },
	{ "--frobnicate", NULL, "unknown option '--frobnicate'" },
	{ "-x", NULL, "unknown option '-x'" },
	{ "stray", NULL, "unexpected argument 'stray'" },
};

static void test_bad_values(void)
{
	for (size_t i = 0; i < sizeof(bad_values) / sizeof(bad_values[0]); i++) {
		char *argv[] = { "mstatd", (char *)bad_values[i].flag, (char *)bad_values[i].value,
				 NULL };
		int argc = bad_values[i].value ? 3 : 2;
		struct agent_config c;
		struct mst_err err = { 0 };
		int r = agent_config_parse(argc, argv, &c, &err);

		CU_ASSERT_EQUAL(r, -EINVAL);
		if (r == 0) {
			fprintf(stderr, "\naccepted: %s %s\n", bad_values[i].flag,
				bad_values[i].value ? bad_values[i].value : "");
			agent_config_free(&c);
			continue;
		}
		if (!strstr(err.msg, bad_values[i].message)) {
			fprintf(stderr, "\nmessage '%s' lacks '%s'\n", err.msg,
				bad_values[i].message);
			CU_FAIL("error message does not name the flag and value");
		}
	}
}

static void test_parse_listen(void)
{
	char *host = NULL;
	unsigned port = 1;

	CU_ASSERT_EQUAL(agent_parse_listen("0.0.0.0:9", &host, &port), 0);
	CU_ASSERT_STRING_EQUAL(host, "0.0.0.0");
	CU_ASSERT_EQUAL(port, 9);
	free(host);
	CU_ASSERT_EQUAL(agent_parse_listen("[::]:65535", &host, &port), 0);
	CU_ASSERT_STRING_EQUAL(host, "::");
	CU_ASSERT_EQUAL(port, 65535);
	free(host);

	host = NULL;
	port = 1;
	CU_ASSERT_EQUAL(agent_parse_listen("[::1]", &host, &port), -EINVAL);
	CU_ASSERT_EQUAL(agent_parse_listen(":80", &host, &port), -EINVAL);
	CU_ASSERT_EQUAL(agent_parse_listen("1.2.3.4:+80", &host, &port), -EINVAL);
	CU_ASSERT_PTR_NULL(host);
	CU_ASSERT_EQUAL(port, 1);
}

int main(void)
{
	CU_pSuite suite;
	unsigned failures;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("agent_config", NULL, NULL);
	CU_add_test(suite, "defaults", test_defaults);
	CU_add_test(suite, "every flag", test_all_flags);
	CU_add_test(suite, "listen none and range limits", test_listen_none_and_limits);
	CU_add_test(suite, "help and version", test_help_and_version);
	CU_add_test(suite, "bad values name flag and value", test_bad_values);
	CU_add_test(suite, "listen address parsing", test_parse_listen);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failures ? 1 : 0;
}
