/* SPDX-License-Identifier: MIT */
/* Strict number, limit, size, signal and keyed-line parsing. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>

#include "common/parse.h"
#include "tests/unit/cunit_main.h"

static int u64(const char *s, uint64_t *v)
{
	return parse_u64(s, strlen(s), v);
}

static void test_u64_valid(void)
{
	uint64_t v = 7;

	CU_ASSERT_EQUAL(u64("0", &v), 0);
	CU_ASSERT_EQUAL(v, 0);
	CU_ASSERT_EQUAL(u64("42\n", &v), 0);
	CU_ASSERT_EQUAL(v, 42);
	CU_ASSERT_EQUAL(u64("18446744073709551615", &v), 0);
	CU_ASSERT_EQUAL(v, UINT64_MAX);
	CU_ASSERT_EQUAL(u64("18446744073709551614\n", &v), 0);
	CU_ASSERT_EQUAL(v, UINT64_MAX - 1);
}

static void test_u64_invalid(void)
{
	uint64_t v = 7;

	CU_ASSERT_EQUAL(u64("", &v), -EINVAL);
	CU_ASSERT_EQUAL(u64("\n", &v), -EINVAL);
	CU_ASSERT_EQUAL(u64("-1", &v), -EINVAL);
	CU_ASSERT_EQUAL(u64("+1", &v), -EINVAL);
	CU_ASSERT_EQUAL(u64("12a", &v), -EINVAL);
	CU_ASSERT_EQUAL(u64("12\n\n", &v), -EINVAL);
	CU_ASSERT_EQUAL(u64(" 12", &v), -EINVAL);
	CU_ASSERT_EQUAL(u64("18446744073709551616", &v), -ERANGE);
	CU_ASSERT_EQUAL(u64("99999999999999999999999", &v), -ERANGE);
	CU_ASSERT_EQUAL(v, 7); /* untouched on failure */
}

static void test_i64(void)
{
	int64_t v = 0;

	CU_ASSERT_EQUAL(parse_i64("-1\n", 3, &v), 0);
	CU_ASSERT_EQUAL(v, -1);
	CU_ASSERT_EQUAL(parse_i64("9223372036854775807", 19, &v), 0);
	CU_ASSERT_EQUAL(v, INT64_MAX);
	CU_ASSERT_EQUAL(parse_i64("-9223372036854775808", 20, &v), 0);
	CU_ASSERT_EQUAL(v, INT64_MIN);
	CU_ASSERT_EQUAL(parse_i64("9223372036854775808", 19, &v), -ERANGE);
	CU_ASSERT_EQUAL(parse_i64("-", 1, &v), -EINVAL);
	CU_ASSERT_EQUAL(parse_i64("--1", 3, &v), -EINVAL);
}

static void test_limit(void)
{
	uint64_t v = 0;

	CU_ASSERT_EQUAL(parse_limit("max\n", 4, &v), 0);
	CU_ASSERT_EQUAL(v, MST_UNLIMITED);
	CU_ASSERT_EQUAL(parse_limit("max", 3, &v), 0);
	CU_ASSERT_EQUAL(v, MST_UNLIMITED);
	CU_ASSERT_EQUAL(parse_limit("9223372036854771712\n", 20, &v), 0);
	CU_ASSERT_EQUAL(v, MST_UNLIMITED);
	CU_ASSERT_EQUAL(parse_limit("104857600\n", 10, &v), 0);
	CU_ASSERT_EQUAL(v, 104857600);
	CU_ASSERT_EQUAL(parse_limit("0\n", 2, &v), 0);
	CU_ASSERT_EQUAL(v, 0);
	CU_ASSERT_EQUAL(parse_limit("maximum", 7, &v), -EINVAL);
	CU_ASSERT_EQUAL(parse_limit("", 0, &v), -EINVAL);
}

static void test_size(void)
{
	static const struct {
		const char *in;
		uint64_t out;
	} ok[] = {
		{ "0", 0 },
		{ "100", 100 },
		{ "100b", 100 },
		{ "1k", 1024 },
		{ "1K", 1024 },
		{ "100m", 104857600 },
		{ "100M", 104857600 },
		{ "100mb", 104857600 },
		{ "100MiB", 104857600 },
		{ "1.5g", 1610612736 },
		{ "1 g", 1073741824 },
		{ "2t", UINT64_C(2) << 40 },
		{ "1p", UINT64_C(1) << 50 },
		{ "0.5k", 512 },
	};
	static const char *const bad[] = { "",	    "m",       "-5m", "10x", "1.m",
					   "1..5m", "5 m b x", ".5m", "1e6", "10mm" };
	uint64_t v;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		v = 7;
		CU_ASSERT_EQUAL(parse_size(ok[i].in, &v), 0);
		CU_ASSERT_EQUAL(v, ok[i].out);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_NOT_EQUAL(parse_size(bad[i], &v), 0);
	CU_ASSERT_EQUAL(parse_size("20000000p", &v), -ERANGE);
}

static void test_nano(void)
{
	uint64_t v = 0;

	CU_ASSERT_EQUAL(parse_nano("0.5", &v), 0);
	CU_ASSERT_EQUAL(v, 500000000);
	CU_ASSERT_EQUAL(parse_nano("2", &v), 0);
	CU_ASSERT_EQUAL(v, 2000000000);
	CU_ASSERT_EQUAL(parse_nano("1.000000001", &v), 0);
	CU_ASSERT_EQUAL(v, 1000000001);
	CU_ASSERT_EQUAL(parse_nano("1.0000000001", &v), -ERANGE);
	CU_ASSERT_EQUAL(parse_nano("-1", &v), -EINVAL);
	CU_ASSERT_EQUAL(parse_nano("1.5x", &v), -EINVAL);
	CU_ASSERT_EQUAL(parse_nano("", &v), -EINVAL);
}

static void test_signal(void)
{
	int s = 0;

	CU_ASSERT_EQUAL(parse_signal("TERM", &s), 0);
	CU_ASSERT_EQUAL(s, SIGTERM);
	CU_ASSERT_EQUAL(parse_signal("SIGKILL", &s), 0);
	CU_ASSERT_EQUAL(s, SIGKILL);
	CU_ASSERT_EQUAL(parse_signal("hup", &s), 0);
	CU_ASSERT_EQUAL(s, SIGHUP);
	CU_ASSERT_EQUAL(parse_signal("9", &s), 0);
	CU_ASSERT_EQUAL(s, 9);
	CU_ASSERT_EQUAL(parse_signal("0", &s), -EINVAL);
	CU_ASSERT_EQUAL(parse_signal("65", &s), -EINVAL);
	CU_ASSERT_EQUAL(parse_signal("SIGFOO", &s), -EINVAL);
	CU_ASSERT_EQUAL(parse_signal("", &s), -EINVAL);
}

struct kv_seen {
	int n;
	char keys[8][32];
	char values[8][32];
};

static int kv_collect(const char *key, size_t klen, const char *value, size_t vlen, void *ud)
{
	struct kv_seen *seen = ud;

	if (seen->n >= 8)
		return -E2BIG;
	snprintf(seen->keys[seen->n], 32, "%.*s", (int)klen, key);
	snprintf(seen->values[seen->n], 32, "%.*s", (int)vlen, value);
	seen->n++;
	return 0;
}

static void test_kv_lines(void)
{
	static const char buf[] = "cache 4096\nrss 8192\nnospace\nlast 1";
	struct kv_seen seen = { 0 };

	CU_ASSERT_EQUAL(parse_kv_lines(buf, sizeof(buf) - 1, kv_collect, &seen), 0);
	CU_ASSERT_EQUAL(seen.n, 3);
	CU_ASSERT_STRING_EQUAL(seen.keys[0], "cache");
	CU_ASSERT_STRING_EQUAL(seen.values[0], "4096");
	CU_ASSERT_STRING_EQUAL(seen.keys[1], "rss");
	CU_ASSERT_STRING_EQUAL(seen.keys[2], "last");
	CU_ASSERT_STRING_EQUAL(seen.values[2], "1");
	CU_ASSERT_TRUE(key_eq("rss", 3, "rss"));
	CU_ASSERT_FALSE(key_eq("rss", 3, "rss_huge"));

	struct kv_seen empty = { 0 };
	CU_ASSERT_EQUAL(parse_kv_lines("", 0, kv_collect, &empty), 0);
	CU_ASSERT_EQUAL(empty.n, 0);
}

static const struct cunit_test tests[] = {
	{ "u64 valid values", test_u64_valid },
	{ "u64 invalid values", test_u64_invalid },
	{ "i64 range", test_i64 },
	{ "limit max and v1 unlimited", test_limit },
	{ "size suffixes", test_size },
	{ "nano cpus", test_nano },
	{ "signal names", test_signal },
	{ "keyed lines", test_kv_lines },
	{ NULL, NULL },
};

int main(void)
{
	return cunit_run("parse", tests);
}
