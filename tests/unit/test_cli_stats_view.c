/* SPDX-License-Identifier: MIT */
/* The `mstat stats` output: --format templates with and without "table",
 * docker's cell formats, the tabwriter alignment, and JSON re-indentation. */
#include <errno.h>
#include <string.h>

#include "cli/jsonfmt.h"
#include "cli/stats_view.h"
#include "cli/tabwriter.h"
#include "exporters/prom.h"
#include "tests/unit/cunit_main.h"

#define ID "3f9c2a7d41b85e6f0a1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6"

static struct stats_entry entries[2];

static void make_entries(void)
{
	struct dstats_row *web = &entries[0].row, *db = &entries[1].row;

	memset(entries, 0, sizeof(entries));
	snprintf(entries[0].container, sizeof(entries[0].container), "web");
	snprintf(web->name, sizeof(web->name), "web");
	snprintf(web->id, sizeof(web->id), "%s", ID);
	web->cpu_percent = 12.5;
	web->valid_cpu = 1;
	web->mem_usage = 1572864.0;
	web->mem_limit = 1073741824.0;
	web->mem_percent = 0.146484375;
	web->net_rx = 1234567.0;
	web->blk_read = 4096.0;
	web->blk_write = 1e9;
	web->pids = 3;

	snprintf(entries[1].container, sizeof(entries[1].container), "db");
	snprintf(db->name, sizeof(db->name), "db");
	snprintf(db->id, sizeof(db->id), "0123456789abcdef");
	db->invalid = 1;
}

/* Renders the entries with format; returns the output or "ERROR: msg". */
static const char *render(const char *format, bool no_trunc)
{
	static char result[4096];
	struct stats_view v;
	struct mst_err err = { 0 };
	struct strbuf out;

	if (stats_view_init(&v, format, no_trunc, &err) < 0) {
		snprintf(result, sizeof(result), "ERROR: %s", err.msg);
		return result;
	}
	strbuf_init(&out);
	if (stats_view_render(&v, entries, 2, &out, &err) < 0)
		snprintf(result, sizeof(result), "ERROR: %s", err.msg);
	else
		snprintf(result, sizeof(result), "%s", strbuf_str(&out));
	strbuf_free(&out);
	stats_view_free(&v);
	return result;
}

static void test_table_format(void)
{
	CU_ASSERT_STRING_EQUAL(render("table {{.Name}}\\t{{.CPUPerc}}\\t{{.NetIO}}", false),
			       "NAME      CPU %     NET I/O\n"
			       "web       12.50%    1.23MB / 0B\n"
			       "db        --        --\n");
	CU_ASSERT_STRING_EQUAL(render("table {{.ID}}\t{{.MemUsage}}\t{{.PIDs}}", false),
			       "CONTAINER ID   MEM USAGE / LIMIT   PIDS\n"
			       "3f9c2a7d41b8   1.5MiB / 1GiB       3\n"
			       "0123456789ab   -- / --             --\n");
}

static void test_plain_format(void)
{
	CU_ASSERT_STRING_EQUAL(render("{{.Container}}: {{.BlockIO}} {{.MemPerc}}", false),
			       "web: 4.1kB / 1GB 0.15%\n"
			       "db: -- --\n");
	/* Without "table" there is no header and tabs stay tabs. */
	CU_ASSERT_STRING_EQUAL(render("{{.Name}}\\t{{.ID}}", true), "web\t" ID "\n"
								    "db\t0123456789abcdef\n");
	CU_ASSERT_STRING_EQUAL(render("{{json .Name}}", false), "\"web\"\n\"db\"\n");
}

static void test_default_table(void)
{
	struct dstats_row rows[2] = { entries[0].row, entries[1].row };
	struct outbuf expected;
	const char *out = render(NULL, false);

	outbuf_init(&expected);
	CU_ASSERT_EQUAL(dstats_format_table(rows, 2, 0, &expected), 0);
	CU_ASSERT_STRING_EQUAL(out, expected.data);
	CU_ASSERT_EQUAL(strncmp(out, "CONTAINER ID   NAME", 19), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\n3f9c2a7d41b8   web "));
	CU_ASSERT_STRING_EQUAL(render("table", false), out);
	outbuf_free(&expected);
}

static void test_bad_formats(void)
{
	const char *out = render("table {{.Name}}\t{{.Nope}}", false);

	CU_ASSERT_PTR_NOT_NULL(strstr(out, "ERROR: invalid --format"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "unknown field .Nope"));
	out = render("{{range .Name}}", false);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "the action is not supported: \"range\""));
}

static const char *tabwrite(const char *text, size_t minwidth, size_t padding)
{
	static char result[1024];
	struct strbuf out;

	strbuf_init(&out);
	CU_ASSERT_EQUAL(tabwriter_format(text, strlen(text), minwidth, padding, &out), 0);
	snprintf(result, sizeof(result), "%s", strbuf_str(&out));
	strbuf_free(&out);
	return result;
}

static void test_tabwriter(void)
{
	/* The column blocks of Go's text/tabwriter documentation: column 1 of
	 * the first two lines is sized apart from that of the last line. */
	CU_ASSERT_STRING_EQUAL(tabwrite("aaaa\tbbb\td\naa\tb\tdd\na\t\naa\tcccc\teee\n", 0, 1),
			       "aaaa bbb d\naa   b   dd\na    \naa   cccc eee\n");
	/* A line without a tab ends the block of aligned lines. */
	CU_ASSERT_STRING_EQUAL(tabwrite("a\tb\nno tabs here\nccc\td\n", 10, 3),
			       "a         b\nno tabs here\nccc       d\n");
	/* Widths count characters, not bytes; the last line has no newline. */
	CU_ASSERT_STRING_EQUAL(tabwrite("caf\xc3\xa9\tx\nab\ty", 0, 2), "caf\xc3\xa9  x\nab    y");
	CU_ASSERT_STRING_EQUAL(tabwrite("", 10, 3), "");
	CU_ASSERT_STRING_EQUAL(tabwrite("\n\n", 10, 3), "\n\n");
}

static const char *indent(const char *json)
{
	static char result[1024];
	struct strbuf out;

	strbuf_init(&out);
	json_indent(json, strlen(json), "    ", &out);
	snprintf(result, sizeof(result), "%s", strbuf_str(&out));
	strbuf_free(&out);
	return result;
}

static void test_json_indent(void)
{
	CU_ASSERT_STRING_EQUAL(indent("[{\"Id\":\"a\",\"N\":[1,2],\"E\":{},\"L\":[ ]}]"),
			       "[\n"
			       "    {\n"
			       "        \"Id\": \"a\",\n"
			       "        \"N\": [\n"
			       "            1,\n"
			       "            2\n"
			       "        ],\n"
			       "        \"E\": {},\n"
			       "        \"L\": []\n"
			       "    }\n"
			       "]");
	/* Bytes inside strings, escapes and number spellings are kept. */
	CU_ASSERT_STRING_EQUAL(indent(" {\"s\" : \"a, b: {\\\"c\\\"}\", \"n\":1.50e3}"),
			       "{\n    \"s\": \"a, b: {\\\"c\\\"}\",\n    \"n\": 1.50e3\n}");
	CU_ASSERT_STRING_EQUAL(indent("[]"), "[]");
}

static const struct cunit_test tests[] = {
	{ "stats table format", test_table_format },
	{ "stats plain format", test_plain_format },
	{ "stats default table", test_default_table },
	{ "stats bad formats", test_bad_formats },
	{ "tabwriter column blocks", test_tabwriter },
	{ "json indent", test_json_indent },
	{ NULL, NULL },
};

int main(void)
{
	make_entries();
	return cunit_run("cli stats view", tests);
}
