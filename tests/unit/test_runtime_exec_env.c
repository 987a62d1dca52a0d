/* SPDX-License-Identifier: MIT */
/*
 * The environment of a container's command and of an exec: the order of the
 * two lists, an exec entry that overrides the container's, and docker's
 * PATH, HOSTNAME and HOME defaults.
 */
#include <CUnit/Basic.h>
#include <string.h>

#include "cunit_main.h"
#include "runtime/spawn_child.h"

static size_t count(char *const *v)
{
	size_t n = 0;

	while (v[n])
		n++;
	return n;
}

static void test_defaults(void)
{
	char *env[] = { "A=1", NULL };
	struct rt_env e;

	CU_ASSERT_EQUAL_FATAL(rt_env_build(env, NULL, "box", false, &e), 0);
	CU_ASSERT_EQUAL(count(e.envp), 4);
	CU_ASSERT_STRING_EQUAL(e.envp[0], "A=1");
	CU_ASSERT_STRING_EQUAL(rt_env_get(e.envp, "HOSTNAME"), "box");
	CU_ASSERT_STRING_EQUAL(rt_env_get(e.envp, "HOME"), "/root");
	CU_ASSERT_PTR_NOT_NULL(strstr(rt_env_get(e.envp, "PATH"), "/usr/bin"));
	CU_ASSERT_PTR_NULL(rt_env_get(e.envp, "B"));
	CU_ASSERT_PTR_NULL(rt_env_get(e.envp, "TERM"));
	rt_env_free(&e);
}

/* With a terminal, TERM=xterm as docker sets it, unless the caller set TERM. */
static void test_terminal_type(void)
{
	char *plain[] = { "A=1", NULL };
	char *own[] = { "TERM=vt100", NULL };
	struct rt_env e;

	CU_ASSERT_EQUAL_FATAL(rt_env_build(plain, NULL, "box", true, &e), 0);
	CU_ASSERT_STRING_EQUAL(rt_env_get(e.envp, "TERM"), "xterm");
	CU_ASSERT_EQUAL(count(e.envp), 5);
	rt_env_free(&e);
	CU_ASSERT_EQUAL_FATAL(rt_env_build(NULL, own, "box", true, &e), 0);
	CU_ASSERT_STRING_EQUAL(rt_env_get(e.envp, "TERM"), "vt100");
	CU_ASSERT_EQUAL(count(e.envp), 4);
	rt_env_free(&e);
}

static void test_override(void)
{
	char *exec_env[] = { "A=exec", "PATH=/opt/bin", NULL };
	char *ctr_env[] = { "A=container", "B=2", "HOME=/home/x", NULL };
	struct rt_env e;

	CU_ASSERT_EQUAL_FATAL(rt_env_build(exec_env, ctr_env, "box", false, &e), 0);
	CU_ASSERT_STRING_EQUAL(rt_env_get(e.envp, "A"), "exec");
	CU_ASSERT_STRING_EQUAL(rt_env_get(e.envp, "B"), "2");
	CU_ASSERT_STRING_EQUAL(rt_env_get(e.envp, "PATH"), "/opt/bin");
	CU_ASSERT_STRING_EQUAL(rt_env_get(e.envp, "HOME"), "/home/x");
	CU_ASSERT_STRING_EQUAL(rt_env_get(e.envp, "HOSTNAME"), "box");
	/* A=container is dropped: one A, one PATH, B, HOME, HOSTNAME. */
	CU_ASSERT_EQUAL(count(e.envp), 5);
	rt_env_free(&e);
}

static void test_empty(void)
{
	struct rt_env e;

	CU_ASSERT_EQUAL_FATAL(rt_env_build(NULL, NULL, "h", false, &e), 0);
	CU_ASSERT_EQUAL(count(e.envp), 3);
	rt_env_free(&e);
	rt_env_free(&e); /* a freed environment can be freed again */
}

static const struct cunit_test tests[] = {
	{ "env defaults added", test_defaults },
	{ "exec env overrides", test_override },
	{ "env from nothing", test_empty },
	{ "terminal sets TERM", test_terminal_type },
	{ NULL, NULL },
};

int main(void)
{
	return cunit_run("runtime_exec_env", tests);
}
