/* SPDX-License-Identifier: MIT */
/* docker's human-readable formats: go-units HumanDuration, the ps STATUS
 * column, RFC 3339 times, Go string quoting and the ellipsis truncation. */
#include <errno.h>
#include <string.h>

#include "cli/humanize.h"
#include "tests/unit/cunit_main.h"

#define SEC   INT64_C(1000000000)
#define MIN   (60 * SEC)
#define HOUR  (60 * MIN)
#define DAY   (24 * HOUR)
#define WEEK  (7 * DAY)
#define MONTH (30 * DAY)
#define YEAR  (365 * DAY)

/* The expectations of go-units' own duration tests. */
static void test_human_duration(void)
{
	static const struct {
		int64_t ns;
		const char *text;
	} cases[] = {
		{ 450 * 1000000, "Less than a second" },
		{ -5 * SEC, "Less than a second" },
		{ 1 * SEC, "1 second" },
		{ 45 * SEC, "45 seconds" },
		{ 59 * SEC, "59 seconds" },
		{ 60 * SEC, "About a minute" },
		{ 119 * SEC, "About a minute" },
		{ 3 * MIN, "3 minutes" },
		{ 35 * MIN + 40 * SEC, "35 minutes" },
		{ 59 * MIN, "59 minutes" },
		{ 1 * HOUR, "About an hour" },
		{ 1 * HOUR + 29 * MIN, "About an hour" },
		{ 1 * HOUR + 31 * MIN, "2 hours" },
		{ 3 * HOUR + 29 * MIN, "3 hours" },
		{ 3 * HOUR + 31 * MIN, "4 hours" },
		{ 24 * HOUR, "24 hours" },
		{ 1 * DAY + 12 * HOUR, "36 hours" },
		{ 2 * DAY, "2 days" },
		{ 13 * DAY + 5 * HOUR, "13 days" },
		{ 2 * WEEK, "2 weeks" },
		{ 4 * WEEK + 3 * DAY, "4 weeks" },
		{ 1 * MONTH + 2 * WEEK, "6 weeks" },
		{ 2 * MONTH, "2 months" },
		{ 5 * MONTH + 2 * WEEK, "5 months" },
		{ 24 * MONTH, "24 months" },
		{ 24 * MONTH + 2 * WEEK, "2 years" },
		{ 3 * YEAR + 2 * MONTH, "3 years" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[64];

		human_duration(cases[i].ns, buf, sizeof(buf));
		CU_ASSERT_STRING_EQUAL(buf, cases[i].text);
	}
}

static void test_status_text(void)
{
	const int64_t now = 1700000000 * SEC;
	static const struct {
		struct container_times t;
		int64_t started_ago, finished_ago; /* 0 leaves the time unset */
		const char *text;
	} cases[] = {
		{ { .state = "running" }, 3 * SEC, 0, "Up 3 seconds" },
		{ { .state = "running" }, 1, 0, "Up Less than a second" },
		{ { .state = "running" }, 90 * MIN, 0, "Up 2 hours" },
		{ { .state = "paused" }, 5 * SEC, 0, "Up 5 seconds (Paused)" },
		{ { .state = "exited", .exit_code = 137 },
		  60 * SEC,
		  2 * SEC,
		  "Exited (137) 2 seconds ago" },
		{ { .state = "exited", .exit_code = 0 },
		  3 * HOUR,
		  70 * SEC,
		  "Exited (0) About a minute ago" },
		{ { .state = "created" }, 0, 0, "Created" },
		{ { .state = "removing" }, 5 * SEC, 1 * SEC, "Removal In Progress" },
		{ { .state = "dead" }, 5 * SEC, 1 * SEC, "Dead" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct container_times t = cases[i].t;
		char buf[128];

		t.started_ns = cases[i].started_ago ? now - cases[i].started_ago : 0;
		t.finished_ns = cases[i].finished_ago ? now - cases[i].finished_ago : 0;
		container_status_text(&t, now, buf, sizeof(buf));
		CU_ASSERT_STRING_EQUAL(buf, cases[i].text);
	}
}

static void test_rfc3339(void)
{
	int64_t ns = -1;

	CU_ASSERT_EQUAL(parse_rfc3339("1970-01-01T00:00:01Z", &ns), 0);
	CU_ASSERT_EQUAL(ns, SEC);
	CU_ASSERT_EQUAL(parse_rfc3339("2024-05-01T10:00:00.123456789Z", &ns), 0);
	CU_ASSERT_EQUAL(ns, INT64_C(1714557600) * SEC + 123456789);
	CU_ASSERT_EQUAL(parse_rfc3339("2024-05-01T12:00:00.5+02:00", &ns), 0);
	CU_ASSERT_EQUAL(ns, INT64_C(1714557600) * SEC + 500000000);
	CU_ASSERT_EQUAL(parse_rfc3339("0001-01-01T00:00:00Z", &ns), 0);
	CU_ASSERT_EQUAL(ns, 0);

	ns = 7;
	CU_ASSERT_EQUAL(parse_rfc3339("", &ns), -EINVAL);
	CU_ASSERT_EQUAL(parse_rfc3339("2024-05-01 10:00:00Z", &ns), -EINVAL);
	CU_ASSERT_EQUAL(parse_rfc3339("2024-05-01T10:00:00", &ns), -EINVAL);
	CU_ASSERT_EQUAL(parse_rfc3339("2024-13-01T10:00:00Z", &ns), -EINVAL);
	CU_ASSERT_EQUAL(parse_rfc3339("2024-05-01T10:00:00.Z", &ns), -EINVAL);
	CU_ASSERT_EQUAL(parse_rfc3339("2024-05-01T10:00:00Zjunk", &ns), -EINVAL);
	CU_ASSERT_EQUAL(ns, 7);
}

static void test_quote(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "sleep 100", "\"sleep 100\"" },
		{ "sh -c \"echo hi\"", "\"sh -c \\\"echo hi\\\"\"" },
		{ "a\\b", "\"a\\\\b\"" },
		{ "tab\there\n", "\"tab\\there\\n\"" },
		{ "\x01\x7f", "\"\\x01\\x7f\"" },
		{ "caf\xc3\xa9", "\"caf\xc3\xa9\"" },
		{ "bad\xff", "\"bad\\xff\"" },
		{ "", "\"\"" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf b;

		strbuf_init(&b);
		go_quote(cases[i].in, &b);
		CU_ASSERT_STRING_EQUAL(strbuf_str(&b), cases[i].out);
		strbuf_free(&b);
	}
}

static void test_ellipsis(void)
{
	static const struct {
		const char *in;
		size_t width;
		const char *out;
	} cases[] = {
		{ "sleep 1000", 20, "sleep 1000" },
		{ "12345678901234567890", 20, "12345678901234567890" },
		{ "sh -c 'while true; do sleep 1; done'", 20, "sh -c 'while true; \xe2\x80\xa6" },
		{ "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 3, "\xc3\xa9\xc3\xa9\xe2\x80\xa6" },
		{ "abc", 1, "a" },
		{ "abc", 0, "" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf b;

		strbuf_init(&b);
		ellipsis(cases[i].in, cases[i].width, &b);
		CU_ASSERT_STRING_EQUAL(strbuf_str(&b), cases[i].out);
		strbuf_free(&b);
	}
	CU_ASSERT_EQUAL(utf8_width("caf\xc3\xa9\xe2\x80\xa6", 8), 5);
	CU_ASSERT_EQUAL(utf8_width("\xff\xfe", 2), 2);
}

static const struct cunit_test tests[] = {
	{ "human duration", test_human_duration }, { "ps status text", test_status_text },
	{ "rfc3339 times", test_rfc3339 },	   { "go string quoting", test_quote },
	{ "ellipsis truncation", test_ellipsis },  { NULL, NULL },
};

int main(void)
{
	return cunit_run("cli humanize", tests);
}
