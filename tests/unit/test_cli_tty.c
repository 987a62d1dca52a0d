/* SPDX-License-Identifier: MIT */
/*
 * The detach key sequence: docker's --detach-keys syntax, and the matcher
 * that holds back a partial sequence across reads.
 */
#include <CUnit/Basic.h>
#include <string.h>

#include "cli/tty.h"
#include "cunit_main.h"

static void test_parse_default(void)
{
	struct tty_detach d;
	struct mst_err err = { 0 };

	CU_ASSERT_EQUAL_FATAL(tty_detach_parse(TTY_DEFAULT_DETACH_KEYS, &d, &err), 0);
	CU_ASSERT_EQUAL(d.n, 2);
	CU_ASSERT_EQUAL(d.keys[0], 0x10);
	CU_ASSERT_EQUAL(d.keys[1], 0x11);
	CU_ASSERT_EQUAL(d.matched, 0);
}

static void test_parse_forms(void)
{
	struct tty_detach d;
	struct mst_err err = { 0 };

	CU_ASSERT_EQUAL_FATAL(tty_detach_parse("ctrl-a,x,ctrl-@,ctrl-[,ctrl-_,ctrl-\\", &d, &err),
			      0);
	CU_ASSERT_EQUAL(d.n, 6);
	CU_ASSERT_EQUAL(d.keys[0], 0x01);
	CU_ASSERT_EQUAL(d.keys[1], 'x');
	CU_ASSERT_EQUAL(d.keys[2], 0x00);
	CU_ASSERT_EQUAL(d.keys[3], 0x1b);
	CU_ASSERT_EQUAL(d.keys[4], 0x1f);
	CU_ASSERT_EQUAL(d.keys[5], 0x1c);

	CU_ASSERT_EQUAL_FATAL(tty_detach_parse("", &d, &err), 0);
	CU_ASSERT_EQUAL(d.n, 0);
}

static void test_parse_invalid(void)
{
	static const char *const bad[] = { "ctrl-",   "ctrl-1", "ctrl-A",  "ab",
					   "ctrl-p,", ",",	"ctrl-pp", "a,,b" };
	struct tty_detach d = { .n = 99 };
	struct mst_err err = { 0 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_clear(&err);
		CU_ASSERT_EQUAL(tty_detach_parse(bad[i], &d, &err), -EINVAL);
		CU_ASSERT_TRUE(strlen(err.msg) > 0);
	}
	CU_ASSERT_EQUAL(d.n, 99); /* untouched on failure */
	CU_ASSERT_EQUAL(tty_detach_parse("a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a", &d, &err), -EINVAL);
}

/* Feeds s in pieces of step bytes and returns what passed through. */
static size_t feed_all(struct tty_detach *d, const char *s, size_t step, char *out,
		       bool *ret_detached)
{
	size_t len = strlen(s), written = 0;

	*ret_detached = false;
	for (size_t i = 0; i < len && !*ret_detached; i += step) {
		size_t n = len - i < step ? len - i : step;

		written += tty_detach_feed(d, (const uint8_t *)s + i, n, (uint8_t *)out + written,
					   ret_detached);
	}
	out[written] = '\0';
	return written;
}

static void test_feed_detaches(void)
{
	struct mst_err err = { 0 };
	char out[64];
	bool detached;

	for (size_t step = 1; step <= 8; step++) {
		struct tty_detach d;

		CU_ASSERT_EQUAL_FATAL(tty_detach_parse("ctrl-p,ctrl-q", &d, &err), 0);
		feed_all(&d,
			 "ls\x10\x11"
			 "after",
			 step, out, &detached);
		CU_ASSERT_TRUE(detached);
		CU_ASSERT_STRING_EQUAL(out, "ls");
	}
}

static void test_feed_releases_partial(void)
{
	struct mst_err err = { 0 };
	struct tty_detach d;
	char out[64];
	bool detached;

	CU_ASSERT_EQUAL_FATAL(tty_detach_parse("ctrl-p,ctrl-q", &d, &err), 0);
	/* ^P alone is held back until the next byte shows it is not a detach. */
	CU_ASSERT_EQUAL(feed_all(&d, "a\x10", 8, out, &detached), 1);
	CU_ASSERT_FALSE(detached);
	CU_ASSERT_EQUAL(d.matched, 1);
	CU_ASSERT_EQUAL(feed_all(&d, "b", 8, out, &detached), 2);
	CU_ASSERT_EQUAL(memcmp(out,
			       "\x10"
			       "b",
			       2),
			0);
	CU_ASSERT_FALSE(detached);

	/* ^P ^P ^Q: the first ^P passes, the second starts the sequence. */
	CU_ASSERT_EQUAL(feed_all(&d, "\x10\x10\x11", 1, out, &detached), 1);
	CU_ASSERT_TRUE(detached);
	CU_ASSERT_EQUAL(out[0], 0x10);
}

static void test_feed_disabled(void)
{
	struct mst_err err = { 0 };
	struct tty_detach d;
	char out[64];
	bool detached;

	CU_ASSERT_EQUAL_FATAL(tty_detach_parse("", &d, &err), 0);
	CU_ASSERT_EQUAL(feed_all(&d, "\x10\x11x", 2, out, &detached), 3);
	CU_ASSERT_FALSE(detached);

	CU_ASSERT_EQUAL_FATAL(tty_detach_parse("q", &d, &err), 0);
	CU_ASSERT_EQUAL(feed_all(&d, "abq", 1, out, &detached), 2);
	CU_ASSERT_TRUE(detached);
}

static const struct cunit_test tests[] = {
	{ "detach keys default", test_parse_default },
	{ "detach keys all forms", test_parse_forms },
	{ "detach keys invalid", test_parse_invalid },
	{ "feed detaches at every cut", test_feed_detaches },
	{ "feed releases partial match", test_feed_releases_partial },
	{ "feed without sequence", test_feed_disabled },
	{ NULL, NULL },
};

int main(void)
{
	return cunit_run("cli_tty", tests);
}
