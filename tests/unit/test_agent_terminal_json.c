/* SPDX-License-Identifier: MIT */
/*
 * The terminal fields of the create body (Tty, OpenStdin,
 * HostConfig.ConsoleSize) through the state file's round trip, and the exec
 * create body.
 */
#include <CUnit/Basic.h>
#include <string.h>

#include "agent/api_json.h"
#include "agent/record.h"
#include "cunit_main.h"

static json_t *parse(const char *text)
{
	json_error_t jerr;
	json_t *v = json_loads(text, 0, &jerr);

	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	return v;
}

static void test_terminal_fields(void)
{
	json_t *body = parse("{\"Cmd\":[\"sh\"],\"Tty\":true,\"OpenStdin\":true,"
			     "\"HostConfig\":{\"ConsoleSize\":[40,120]}}");
	struct mst_err err = { 0 };
	struct rt_spec spec, back;
	struct ctr_options options;
	json_t *saved;

	CU_ASSERT_EQUAL_FATAL(api_spec_from_json(body, &spec, &options, &err), 0);
	CU_ASSERT_TRUE(spec.tty);
	CU_ASSERT_TRUE(spec.open_stdin);
	CU_ASSERT_EQUAL(spec.console_rows, 40);
	CU_ASSERT_EQUAL(spec.console_cols, 120);

	/* The state file keeps them. */
	saved = api_spec_to_json(&spec, &options);
	CU_ASSERT_PTR_NOT_NULL_FATAL(saved);
	CU_ASSERT_EQUAL_FATAL(api_spec_from_json(saved, &back, &options, &err), 0);
	CU_ASSERT_TRUE(back.tty);
	CU_ASSERT_TRUE(back.open_stdin);
	CU_ASSERT_EQUAL(back.console_rows, 40);
	CU_ASSERT_EQUAL(back.console_cols, 120);
	ctr_spec_free(&back);
	ctr_spec_free(&spec);
	json_decref(saved);
	json_decref(body);
}

static void test_terminal_defaults(void)
{
	json_t *body = parse("{\"Cmd\":[\"true\"]}");
	struct mst_err err = { 0 };
	struct rt_spec spec;
	struct ctr_options options;

	CU_ASSERT_EQUAL_FATAL(api_spec_from_json(body, &spec, &options, &err), 0);
	CU_ASSERT_FALSE(spec.tty);
	CU_ASSERT_FALSE(spec.open_stdin);
	CU_ASSERT_EQUAL(spec.console_rows, 0);
	CU_ASSERT_EQUAL(spec.console_cols, 0);
	ctr_spec_free(&spec);
	json_decref(body);
}

static void test_terminal_invalid(void)
{
	static const char *const bad[] = {
		"{\"Cmd\":[\"sh\"],\"Tty\":1}",
		"{\"Cmd\":[\"sh\"],\"OpenStdin\":\"yes\"}",
		"{\"Cmd\":[\"sh\"],\"HostConfig\":{\"ConsoleSize\":[40]}}",
		"{\"Cmd\":[\"sh\"],\"HostConfig\":{\"ConsoleSize\":[-1,80]}}",
		"{\"Cmd\":[\"sh\"],\"HostConfig\":{\"ConsoleSize\":[24,70000]}}",
		"{\"Cmd\":[\"sh\"],\"HostConfig\":{\"ConsoleSize\":\"24x80\"}}",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *body = parse(bad[i]);
		struct mst_err err = { 0 };
		struct rt_spec spec;
		struct ctr_options options;

		CU_ASSERT_EQUAL(api_spec_from_json(body, &spec, &options, &err), -EINVAL);
		CU_ASSERT_TRUE(strlen(err.msg) > 0);
		json_decref(body);
	}
}

static void test_exec_body(void)
{
	json_t *body = parse("{\"Cmd\":[\"sh\",\"-c\",\"exit 3\"],\"Env\":[\"A=1\"],"
			     "\"WorkingDir\":\"/tmp\",\"Tty\":true,\"AttachStdin\":true}");
	struct mst_err err = { 0 };
	struct rt_spec spec;

	CU_ASSERT_EQUAL_FATAL(api_exec_from_json(body, &spec, &err), 0);
	CU_ASSERT_STRING_EQUAL(spec.argv[0], "sh");
	CU_ASSERT_STRING_EQUAL(spec.argv[2], "exit 3");
	CU_ASSERT_PTR_NULL(spec.argv[3]);
	CU_ASSERT_STRING_EQUAL(spec.env[0], "A=1");
	CU_ASSERT_STRING_EQUAL(spec.cwd, "/tmp");
	CU_ASSERT_TRUE(spec.tty);
	CU_ASSERT_TRUE(spec.open_stdin);
	ctr_spec_free(&spec);
	json_decref(body);
}

static void test_exec_body_invalid(void)
{
	static const char *const bad[] = {
		"{}",
		"{\"Cmd\":[]}",
		"{\"Cmd\":[\"\"]}",
		"{\"Cmd\":\"sh\"}",
		"{\"Cmd\":[\"sh\"],\"WorkingDir\":\"tmp\"}",
		"{\"Cmd\":[\"sh\"],\"AttachStdin\":\"1\"}",
		"[\"sh\"]",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *body = parse(bad[i]);
		struct mst_err err = { 0 };
		struct rt_spec spec;

		CU_ASSERT_EQUAL(api_exec_from_json(body, &spec, &err), -EINVAL);
		CU_ASSERT_TRUE(strlen(err.msg) > 0);
		json_decref(body);
	}
}

static const struct cunit_test tests[] = {
	{ "terminal fields round trip", test_terminal_fields },
	{ "terminal fields default off", test_terminal_defaults },
	{ "terminal fields invalid", test_terminal_invalid },
	{ "exec body fields", test_exec_body },
	{ "exec body invalid", test_exec_body_invalid },
	{ NULL, NULL },
};

int main(void)
{
	return cunit_run("agent_terminal_json", tests);
}
