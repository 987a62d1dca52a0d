/* SPDX-License-Identifier: MIT */
/* Restart policies: parsing, formatting, the decision and the delay. */
#include <errno.h>
#include <stdint.h>

#include "common/restart.h"
#include "tests/unit/cunit_main.h"

static void test_parse_valid(void)
{
	struct restart_policy p = { .mode = RESTART_ALWAYS, .max_retries = 9 };

	CU_ASSERT_EQUAL(restart_policy_parse("no", &p), 0);
	CU_ASSERT_EQUAL(p.mode, RESTART_NO);
	CU_ASSERT_EQUAL(p.max_retries, 0);
	CU_ASSERT_EQUAL(restart_policy_parse("always", &p), 0);
	CU_ASSERT_EQUAL(p.mode, RESTART_ALWAYS);
	CU_ASSERT_EQUAL(restart_policy_parse("unless-stopped", &p), 0);
	CU_ASSERT_EQUAL(p.mode, RESTART_UNLESS_STOPPED);
	CU_ASSERT_EQUAL(restart_policy_parse("on-failure", &p), 0);
	CU_ASSERT_EQUAL(p.mode, RESTART_ON_FAILURE);
	CU_ASSERT_EQUAL(p.max_retries, 0);
	CU_ASSERT_EQUAL(restart_policy_parse("on-failure:3", &p), 0);
	CU_ASSERT_EQUAL(p.mode, RESTART_ON_FAILURE);
	CU_ASSERT_EQUAL(p.max_retries, 3);
}

static void test_parse_invalid(void)
{
	static const char *const bad[] = {
		"",
		"yes",
		"Always",
		"always:3",
		"no:1",
		"on-failure:",
		"on-failure:-1",
		"on-failure:x",
		"on-failure:3:4",
		"on-failure:1000001",
		"unless-stopped:2",
		"on-failure-long-name-over-limit-xx",
	};
	struct restart_policy p = { .mode = RESTART_ALWAYS, .max_retries = 7 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_EQUAL(restart_policy_parse(bad[i], &p), -EINVAL);
		CU_ASSERT_EQUAL(p.mode, RESTART_ALWAYS);
		CU_ASSERT_EQUAL(p.max_retries, 7);
	}
}

static void test_format(void)
{
	struct restart_policy p = { .mode = RESTART_ON_FAILURE, .max_retries = 5 };
	char buf[32];

	restart_policy_format(&p, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "on-failure:5");
	p.max_retries = 0;
	restart_policy_format(&p, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "on-failure");
	p.mode = RESTART_UNLESS_STOPPED;
	restart_policy_format(&p, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "unless-stopped");
}

static void test_should_restart(void)
{
	struct restart_policy no = { RESTART_NO, 0 }, always = { RESTART_ALWAYS, 0 };
	struct restart_policy unless = { RESTART_UNLESS_STOPPED, 0 };
	struct restart_policy failure = { RESTART_ON_FAILURE, 0 };
	struct restart_policy failure2 = { RESTART_ON_FAILURE, 2 };

	CU_ASSERT_FALSE(restart_should(&no, 1, false, 0));
	CU_ASSERT_TRUE(restart_should(&always, 0, false, 100));
	CU_ASSERT_FALSE(restart_should(&always, 0, true, 0));
	CU_ASSERT_TRUE(restart_should(&unless, 137, false, 0));
	CU_ASSERT_FALSE(restart_should(&unless, 137, true, 0));
	CU_ASSERT_FALSE(restart_should(&failure, 0, false, 0));
	CU_ASSERT_TRUE(restart_should(&failure, 1, false, 5000));
	CU_ASSERT_FALSE(restart_should(&failure, 1, true, 0));
	CU_ASSERT_TRUE(restart_should(&failure2, 1, false, 0));
	CU_ASSERT_TRUE(restart_should(&failure2, 1, false, 1));
	CU_ASSERT_FALSE(restart_should(&failure2, 1, false, 2));
}

static void test_delay(void)
{
	uint64_t d = restart_next_delay(0, 0);

	CU_ASSERT_EQUAL(d, RESTART_DELAY_FIRST_NS);
	d = restart_next_delay(d, 1000);
	CU_ASSERT_EQUAL(d, 2 * RESTART_DELAY_FIRST_NS);
	d = restart_next_delay(d, 1000);
	CU_ASSERT_EQUAL(d, 4 * RESTART_DELAY_FIRST_NS);
	for (int i = 0; i < 20; i++)
		d = restart_next_delay(d, 0);
	CU_ASSERT_EQUAL(d, RESTART_DELAY_MAX_NS);
	CU_ASSERT_EQUAL(restart_next_delay(d, RESTART_STABLE_RUN_NS), RESTART_DELAY_FIRST_NS);
	CU_ASSERT_EQUAL(restart_next_delay(d, RESTART_STABLE_RUN_NS - 1), RESTART_DELAY_MAX_NS);
}

static const struct cunit_test tests[] = {
	{ "parse valid policies", test_parse_valid },
	{ "parse invalid policies", test_parse_invalid },
	{ "format policies", test_format },
	{ "restart decision", test_should_restart },
	{ "restart delay backoff", test_delay },
	{ NULL, NULL },
};

int main(void)
{
	return cunit_run("restart", tests);
}
