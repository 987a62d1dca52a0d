/* SPDX-License-Identifier: MIT */
/*
 * docker's --user: parsing USER[:GROUP], and the lookup in /etc/passwd and
 * /etc/group of a fixture root (comments, NIS lines, bad and huge ids,
 * missing fields, CRLF, duplicates). Also lines over the length limit, NUL
 * bytes, missing and non-regular files, and symlinks that leave the root.
 */
#include <CUnit/Basic.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cunit_main.h"
#include "runtime/spawn_child.h"
#include "runtime/user.h"

static char fixture_root[PATH_MAX];

static int resolve_fixture(const char *text, char *const *group_add, struct rt_user *ret,
			   struct mst_err *err)
{
	return rt_user_resolve_path(fixture_root, text, group_add, ret, err);
}

/* Checks uid, gid, home and the group list of a resolved user. */
static void check_user(const char *text, uint32_t uid, uint32_t gid, const char *home,
		       const uint32_t *groups, size_t n_groups)
{
	struct mst_err err = { 0 };
	struct rt_user u;

	CU_ASSERT_EQUAL_FATAL(resolve_fixture(text, NULL, &u, &err), 0);
	CU_ASSERT_EQUAL(u.uid, uid);
	CU_ASSERT_EQUAL(u.gid, gid);
	CU_ASSERT_STRING_EQUAL(u.home, home);
	CU_ASSERT_EQUAL(u.n_groups, n_groups);
	for (size_t i = 0; i < n_groups && i < u.n_groups; i++)
		CU_ASSERT_EQUAL(u.groups[i], groups[i]);
	rt_user_free(&u);
}

/* Checks that text fails to resolve with a message containing want. */
static void check_error(const char *text, char *const *group_add, const char *want)
{
	struct mst_err err = { 0 };
	struct rt_user u = { 0 };

	CU_ASSERT(resolve_fixture(text, group_add, &u, &err) < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, want));
	if (!strstr(err.msg, want))
		fprintf(stderr, "\n  %s: got \"%s\", want \"%s\"\n", text, err.msg, want);
	CU_ASSERT_PTR_NULL(u.groups);
}

static void test_parse_valid(void)
{
	struct mst_err err = { 0 };
	struct rt_user_arg a;

	CU_ASSERT_EQUAL_FATAL(rt_user_parse("1000:50", &a, &err), 0);
	CU_ASSERT(a.user.is_id);
	CU_ASSERT_EQUAL(a.user.id, 1000);
	CU_ASSERT(a.group.is_id);
	CU_ASSERT_EQUAL(a.group.id, 50);

	CU_ASSERT_EQUAL_FATAL(rt_user_parse("alice", &a, &err), 0);
	CU_ASSERT_FALSE(a.user.is_id);
	CU_ASSERT_EQUAL(a.user.len, 5);
	CU_ASSERT_PTR_NULL(a.group.name);

	CU_ASSERT_EQUAL_FATAL(rt_user_parse("alice:staff", &a, &err), 0);
	CU_ASSERT_EQUAL(a.user.len, 5);
	CU_ASSERT_FALSE(a.group.is_id);
	CU_ASSERT_EQUAL(strncmp(a.group.name, "staff", a.group.len), 0);

	CU_ASSERT_EQUAL_FATAL(rt_user_parse("2147483647", &a, &err), 0);
	CU_ASSERT_EQUAL(a.user.id, 2147483647U);
	/* A name may start with a digit. */
	CU_ASSERT_EQUAL_FATAL(rt_user_parse("1abc", &a, &err), 0);
	CU_ASSERT_FALSE(a.user.is_id);
}

static void test_parse_invalid(void)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "", "the user is empty" },
		{ ":", "the user is empty" },
		{ ":50", "the user is empty" },
		{ "alice:", "the group is empty" },
		{ "1:2:3", "one colon at most" },
		{ "a:b:c", "one colon at most" },
		{ "-5", "range 0-2147483647" },
		{ "+5", "range 0-2147483647" },
		{ "alice:-1", "range 0-2147483647" },
		{ "2147483648", "range 0-2147483647" },
		{ "4294967296", "range 0-2147483647" },
		{ "1:18446744073709551616", "range 0-2147483647" },
		{ "ali\nce", "control character" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mst_err err = { 0 };
		struct rt_user_arg a;
		char quoted[64];

		CU_ASSERT_EQUAL(rt_user_parse(cases[i].text, &a, &err), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, cases[i].want));
		snprintf(quoted, sizeof(quoted), "\"%s\"", cases[i].text);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, quoted));
	}
}

static void test_group_parse(void)
{
	struct mst_err err = { 0 };

	CU_ASSERT_EQUAL(rt_group_parse("audio", &err), 0);
	CU_ASSERT_EQUAL(rt_group_parse("29", &err), 0);
	CU_ASSERT_EQUAL(rt_group_parse("", &err), -EINVAL);
	CU_ASSERT_EQUAL(rt_group_parse("a:b", &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "invalid group \"a:b\""));
	CU_ASSERT_EQUAL(rt_group_parse("-3", &err), -EINVAL);
}

static void test_names(void)
{
	static const uint32_t root_groups[] = { 0 };
	static const uint32_t alice_groups[] = { 1000, 29, 50, 60 };
	static const uint32_t nobody_groups[] = { 65534 };
	static const uint32_t staff[] = { 50 };

	check_user("root", 0, 0, "/root", root_groups, 1);
	check_user("nobody", 65534, 65534, "/nonexistent", nobody_groups, 1);
	check_user("alice", 1000, 1000, "/home/alice", alice_groups, 4);
	/* A uid with an entry gets the entry's name and memberships. */
	check_user("1000", 1000, 1000, "/home/alice", alice_groups, 4);
	/* With :GROUP there are no memberships, as with runc. */
	check_user("alice:staff", 1000, 50, "/home/alice", staff, 1);
	check_user("alice:50", 1000, 50, "/home/alice", staff, 1);
}

static void test_numeric_without_entry(void)
{
	static const uint32_t gid0[] = { 0 };
	static const uint32_t gid4242[] = { 4242 };
	static const uint32_t alice[] = { 1000 };

	check_user("4242", 4242, 0, "/", gid0, 1);
	check_user("4242:4242", 4242, 4242, "/", gid4242, 1);
	check_user("alice:4242", 1000, 4242, "/home/alice", gid4242, 1);
	check_user("4242:alice", 4242, 1000, "/", alice, 1);
	check_user("2147483647:2147483647", 2147483647U, 2147483647U, "/",
		   (const uint32_t[]){ 2147483647U }, 1);
}

static void test_odd_lines(void)
{
	static const uint32_t g3000[] = { 3000 };
	static const uint32_t g2001[] = { 2001, 70 };
	static const uint32_t g3001[] = { 3001 };

	/* An empty home field gives "/". */
	check_user("nohome", 3000, 3000, "/", g3000, 1);
	check_user("fields4", 3002, 3002, "/", (const uint32_t[]){ 3002 }, 1);
	/* The first of two entries wins, for users and :GROUP alike. */
	check_user("dup:dup", 2001, 70, "/home/dup1", g2001 + 1, 1);
	check_user("dup", 2001, 2001, "/home/dup1", g2001, 1);
	/* CRLF and surrounding blanks are trimmed. */
	check_user("crlf", 3001, 3001, "/home/crlf", g3001, 1);
	check_user("spaced", 3003, 3003, "/home/spaced", (const uint32_t[]){ 3003 }, 1);
	/* Extra colons stay in the last field, the shell, as glibc reads them. */
	check_user("colon", 3004, 3004, "b", (const uint32_t[]){ 3004 }, 1);
	/* Lines that name no local user are not users. */
	check_error("@netgroup", NULL, "unable to find user @netgroup");
	check_error("excluded", NULL, "unable to find user excluded");
}

static void test_invalid_entries(void)
{
	check_error("badid", NULL, "line 12, the entry of user badid, is invalid");
	check_error("huge", NULL, "line 13, the entry of user huge, is invalid");
	check_error("negative", NULL, "the entry of user negative, is invalid");
	check_error("short", NULL, "the entry of user short, is invalid");
	check_error("alice:badgid", NULL, "the entry of group badgid, is invalid");
	check_error("alice:biggid", NULL, "the entry of group biggid, is invalid");
	check_error("alice:short", NULL, "the entry of group short, is invalid");
	/* The numbers of invalid lines match nothing. */
	check_user("12", 12, 0, "/", (const uint32_t[]){ 0 }, 1);
}

static void test_unknown_names(void)
{
	check_error("nosuch", NULL,
		    "unable to find user nosuch: no matching entries in passwd file");
	check_error("alice:nogrp", NULL,
		    "unable to find group nogrp: no matching entries in group file");
	/* A name is not a prefix match. */
	check_error("alic", NULL, "unable to find user alic");
}

static void test_group_add(void)
{
	char *add[] = { "audio", "777", "nogroup", NULL };
	char *missing[] = { "nogrp", NULL };
	char *bad[] = { "1:2", NULL };
	struct mst_err err = { 0 };
	struct rt_user u;

	CU_ASSERT_EQUAL_FATAL(resolve_fixture("alice:alice", add, &u, &err), 0);
	CU_ASSERT_EQUAL_FATAL(u.n_groups, 4);
	CU_ASSERT_EQUAL(u.groups[0], 1000);
	CU_ASSERT_EQUAL(u.groups[1], 29);
	CU_ASSERT_EQUAL(u.groups[2], 777);
	CU_ASSERT_EQUAL(u.groups[3], 65534);
	rt_user_free(&u);
	check_error("alice", missing, "unable to find group nogrp");
	check_error("alice", bad, "invalid group \"1:2\"");
}

/* Resolves text against passwd and group held in memory. */
static int resolve_text(const char *text, const char *passwd, const char *group,
			struct rt_user *ret, struct mst_err *err)
{
	return rt_user_resolve_text(text, NULL, passwd, passwd ? strlen(passwd) : 0, group,
				    group ? strlen(group) : 0, ret, err);
}

static void test_missing_files(void)
{
	struct mst_err err = { 0 };
	struct rt_user u;

	CU_ASSERT_EQUAL_FATAL(resolve_text("1000:1000", NULL, NULL, &u, &err), 0);
	CU_ASSERT_EQUAL(u.uid, 1000);
	CU_ASSERT_EQUAL(u.gid, 1000);
	CU_ASSERT_STRING_EQUAL(u.home, "/");
	rt_user_free(&u);
	CU_ASSERT_EQUAL(resolve_text("nobody", NULL, NULL, &u, &err), -ENOENT);
	CU_ASSERT_STRING_EQUAL(err.msg,
			       "unable to find user nobody: no matching entries in passwd file");
	CU_ASSERT_EQUAL(resolve_text("1:staff", NULL, NULL, &u, &err), -ENOENT);
	/* An empty file, and one without a final newline. */
	CU_ASSERT_EQUAL(resolve_text("x", "", "", &u, &err), -ENOENT);
	CU_ASSERT_EQUAL_FATAL(resolve_text("x", "x:x:5:6::/h:/bin/sh", NULL, &u, &err), 0);
	CU_ASSERT_STRING_EQUAL(u.home, "/h");
	rt_user_free(&u);
}

/* Builds "pad...pad\nalice:x:1:1::/a:/bin/sh\n" with a first line of len bytes. */
static char *long_line_file(size_t len)
{
	const char *entry = "\nalice:x:1:1::/a:/bin/sh\n";
	char *buf = malloc(len + strlen(entry) + 1);

	if (!buf)
		return NULL;
	memset(buf, 'p', len);
	strcpy(buf + len, entry);
	return buf;
}

static void test_long_lines(void)
{
	struct mst_err err = { 0 };
	struct rt_user u;
	char *at_limit = long_line_file(RT_USER_LINE_MAX);
	char *over = long_line_file(RT_USER_LINE_MAX + 1);

	CU_ASSERT_PTR_NOT_NULL_FATAL(at_limit);
	CU_ASSERT_PTR_NOT_NULL_FATAL(over);
	CU_ASSERT_EQUAL_FATAL(resolve_text("alice", at_limit, NULL, &u, &err), 0);
	CU_ASSERT_EQUAL(u.uid, 1);
	rt_user_free(&u);
	CU_ASSERT_EQUAL(resolve_text("alice", over, NULL, &u, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "/etc/passwd of the container: line 1 is longer"));
	/* The group file is held to the same limit. */
	CU_ASSERT_EQUAL(resolve_text("1:staff", "", over, &u, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "/etc/group of the container: line 1"));
	free(at_limit);
	free(over);
}

static void test_nul_byte(void)
{
	static const char passwd[] = "root:x:0:0::/root:/bin/sh\nal\0ice:x:1:1::/:/bin/sh\n";
	struct mst_err err = { 0 };
	struct rt_user u;

	CU_ASSERT_EQUAL(
	    rt_user_resolve_text("alice", NULL, passwd, sizeof(passwd) - 1, NULL, 0, &u, &err),
	    -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "line 2 contains a NUL byte"));
}

static void test_too_many_groups(void)
{
	size_t n = RT_USER_GROUPS_MAX + 1, len = 0;
	char *group = malloc(n * 32);
	struct mst_err err = { 0 };
	struct rt_user u;

	CU_ASSERT_PTR_NOT_NULL_FATAL(group);
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(group + len, "g%zu:x:%zu:alice\n", i, i + 1);
	CU_ASSERT_EQUAL(rt_user_resolve_text("alice", NULL, "alice:x:1:1::/:/bin/sh\n", 23, group,
					     len, &u, &err),
			-E2BIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "more than 65536 groups"));
	free(group);
}

/* A root whose etc/passwd is a directory, a FIFO, or a symlink out of it. */
static void test_odd_files(void)
{
	char dir[] = "/tmp/mstat-user-XXXXXX", path[PATH_MAX];
	struct mst_err err = { 0 };
	struct rt_user u;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/etc", dir);
	CU_ASSERT_EQUAL_FATAL(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/etc/passwd", dir);

	CU_ASSERT_EQUAL_FATAL(mkdir(path, 0755), 0);
	CU_ASSERT(rt_user_resolve_path(dir, "alice", NULL, &u, &err) < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "/etc/passwd of the container is not a regular"));
	(void)rmdir(path);

	CU_ASSERT_EQUAL_FATAL(mkfifo(path, 0644), 0);
	CU_ASSERT(rt_user_resolve_path(dir, "alice", NULL, &u, &err) < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not a regular file"));
	(void)unlink(path);

	/* Resolved inside the root, the link points at a file that is not
	 * there, so the host's /etc/shadow stays unread. */
	CU_ASSERT_EQUAL_FATAL(symlink("/../../../../../etc/shadow", path), 0);
	CU_ASSERT_EQUAL(rt_user_resolve_path(dir, "root", NULL, &u, &err), -ENOENT);
	CU_ASSERT_EQUAL_FATAL(rt_user_resolve_path(dir, "0", NULL, &u, &err), 0);
	CU_ASSERT_STRING_EQUAL(u.home, "/");
	rt_user_free(&u);
	(void)unlink(path);

	CU_ASSERT(rt_user_resolve_path("/nonexistent-root", "0", NULL, &u, &err) < 0);
	snprintf(path, sizeof(path), "%s/etc", dir);
	(void)rmdir(path);
	(void)rmdir(dir);
}

static void test_home_in_env(void)
{
	char *own[] = { "HOME=/mine", NULL };
	struct mst_err err = { 0 };
	struct rt_user u;
	struct rt_env e;

	CU_ASSERT_EQUAL_FATAL(rt_env_build(NULL, NULL, "h", false, &e), 0);
	CU_ASSERT_EQUAL_FATAL(rt_user_prepare(fixture_root, "alice", NULL, &e, &u, &err), 0);
	CU_ASSERT_STRING_EQUAL(rt_env_get(e.envp, "HOME"), "/home/alice");
	rt_user_free(&u);
	rt_env_free(&e);

	CU_ASSERT_EQUAL_FATAL(rt_env_build(own, NULL, "h", false, &e), 0);
	CU_ASSERT_EQUAL_FATAL(rt_user_prepare(fixture_root, "alice", NULL, &e, &u, &err), 0);
	CU_ASSERT_STRING_EQUAL(rt_env_get(e.envp, "HOME"), "/mine");
	rt_user_free(&u);
	rt_user_free(&u); /* a freed user can be freed again */
	rt_env_free(&e);
}

static const struct cunit_test tests[] = {
	{ "parse valid values", test_parse_valid },
	{ "parse invalid values", test_parse_invalid },
	{ "parse group-add values", test_group_parse },
	{ "resolve names", test_names },
	{ "numeric ids without entries", test_numeric_without_entry },
	{ "odd but valid lines", test_odd_lines },
	{ "invalid entries named", test_invalid_entries },
	{ "unknown names rejected", test_unknown_names },
	{ "group-add resolved", test_group_add },
	{ "missing files", test_missing_files },
	{ "long lines rejected", test_long_lines },
	{ "NUL byte rejected", test_nul_byte },
	{ "too many groups", test_too_many_groups },
	{ "odd files in the root", test_odd_files },
	{ "home goes to HOME", test_home_in_env },
	{ NULL, NULL },
};

int main(void)
{
	const char *fixtures = getenv("MSTAT_FIXTURES");

	if (!fixtures) {
		printf("MSTAT_FIXTURES is not set: run this test through ctest\n");
		return 77;
	}
	snprintf(fixture_root, sizeof(fixture_root), "%s/runtime/user/debian", fixtures);
	return cunit_run("runtime_user", tests);
}
