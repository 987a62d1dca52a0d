/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the live view's table: columns dropped by width, sort
 * orders, name and state filters, cell formats and sparklines.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

#include "cli/top.h"
#include "cli/top_layout.h"
#include "cunit_main.h"
#include "test_cli_top_support.h"

/* True when cols[0..n) contains c. */
static bool has_column(const enum top_column *cols, size_t n, enum top_column c)
{
	for (size_t i = 0; i < n; i++)
		if (cols[i] == c)
			return true;
	return false;
}

static void test_layout_wide_keeps_defaults(void)
{
	struct top_options o;
	enum top_column cols[_TOP_COL_MAX];
	unsigned name_width;
	size_t n;

	top_options_init(&o);
	n = top_layout_columns(&o, 200, cols, &name_width);
	CU_ASSERT_EQUAL(n, 8);
	CU_ASSERT_EQUAL(cols[0], TOP_COL_NAME);
	CU_ASSERT_EQUAL(cols[7], TOP_COL_PIDS);
	CU_ASSERT_EQUAL(name_width, 20);
	CU_ASSERT_FALSE(has_column(cols, n, TOP_COL_CGROUP));
}

static void test_layout_narrow_drops_in_order(void)
{
	struct top_options o;
	enum top_column cols[_TOP_COL_MAX];
	unsigned name_width;
	size_t n;

	top_options_init(&o);
	/* 60 columns: block I/O, network and state go; CPU and memory stay. */
	n = top_layout_columns(&o, 60, cols, &name_width);
	CU_ASSERT_FALSE(has_column(cols, n, TOP_COL_BLOCK));
	CU_ASSERT_FALSE(has_column(cols, n, TOP_COL_NET));
	CU_ASSERT_FALSE(has_column(cols, n, TOP_COL_STATE));
	CU_ASSERT_TRUE(has_column(cols, n, TOP_COL_CPU));
	CU_ASSERT_TRUE(has_column(cols, n, TOP_COL_MEM));
	CU_ASSERT_TRUE(has_column(cols, n, TOP_COL_PIDS));

	/* Too narrow for anything but the name: it stays at 12 characters. */
	n = top_layout_columns(&o, 8, cols, &name_width);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(cols[0], TOP_COL_NAME);
	CU_ASSERT_EQUAL(name_width, 12);
}

static void test_layout_optional_columns_go_first(void)
{
	struct top_options o;
	enum top_column cols[_TOP_COL_MAX];
	unsigned name_width;
	size_t n;

	top_options_init(&o);
	o.enabled[TOP_COL_CGROUP] = true;
	o.enabled[TOP_COL_CPU_QUOTA] = true;
	n = top_layout_columns(&o, 140, cols, &name_width);
	CU_ASSERT_FALSE(has_column(cols, n, TOP_COL_CGROUP));
	CU_ASSERT_TRUE(has_column(cols, n, TOP_COL_CPU_QUOTA));
	CU_ASSERT_TRUE(has_column(cols, n, TOP_COL_BLOCK));
}

static void test_layout_lines_fit_width(void)
{
	Mstat__Stats__ContainerStats s =
	    make_stats("a-rather-long-container-name", 1, 0, 1, 99.5, 123456789);
	struct top_row row = { .stats = &s };
	struct top_options o;
	enum top_column cols[_TOP_COL_MAX];
	unsigned name_width;
	char line[1024];

	top_options_init(&o);
	for (int c = 0; c < _TOP_COL_MAX; c++)
		o.enabled[c] = true;
	for (unsigned width = 12; width <= 300; width++) {
		size_t n = top_layout_columns(&o, width, cols, &name_width);

		top_format_header(cols, n, name_width, &o, line, sizeof(line));
		CU_ASSERT(strlen(line) <= width);
		top_format_line(&row, cols, n, name_width, &o, line, sizeof(line));
		CU_ASSERT(strlen(line) <= width);
	}
}

static void test_sort_by_memory_and_reverse(void)
{
	Mstat__Stats__ContainerStats msgs[3] = {
		make_stats("small", 1, 0, 3, 50, 1000),
		make_stats("big", 1, 1, 3, 10, 9000),
		make_stats("mid", 1, 2, 3, 90, 5000),
	};
	struct top_row *order[3];
	struct top_options o;
	struct top_model m;
	size_t n;

	top_model_init(&m);
	CU_ASSERT_EQUAL_FATAL(feed_snapshot(&m, msgs, 3), 0);
	top_options_init(&o);
	o.sort = TOP_COL_MEM;
	n = top_select_rows(&m, &o, order);
	CU_ASSERT_EQUAL_FATAL(n, 3);
	CU_ASSERT_STRING_EQUAL(order[0]->stats->name, "big");
	CU_ASSERT_STRING_EQUAL(order[1]->stats->name, "mid");
	CU_ASSERT_STRING_EQUAL(order[2]->stats->name, "small");

	o.reverse = true;
	n = top_select_rows(&m, &o, order);
	CU_ASSERT_STRING_EQUAL(order[0]->stats->name, "small");
	CU_ASSERT_STRING_EQUAL(order[2]->stats->name, "big");

	o.reverse = false;
	o.sort = TOP_COL_NAME;
	n = top_select_rows(&m, &o, order);
	CU_ASSERT_STRING_EQUAL(order[0]->stats->name, "big");
	CU_ASSERT_STRING_EQUAL(order[1]->stats->name, "mid");
	CU_ASSERT_STRING_EQUAL(order[2]->stats->name, "small");
	top_model_free(&m);
}

static void test_sort_missing_values_last(void)
{
	Mstat__Stats__ContainerStats msgs[3] = {
		make_stats("b-none", 1, 0, 3, 0, 0),
		make_stats("a-none", 1, 1, 3, 0, 0),
		make_stats("c-low", 1, 2, 3, 1, 0),
	};
	struct top_row *order[3];
	struct top_options o;
	struct top_model m;

	msgs[0].has_cpu_percent = false;
	msgs[1].has_cpu_percent = false;
	top_model_init(&m);
	CU_ASSERT_EQUAL_FATAL(feed_snapshot(&m, msgs, 3), 0);
	top_options_init(&o);
	o.sort = TOP_COL_CPU;
	CU_ASSERT_EQUAL_FATAL(top_select_rows(&m, &o, order), 3);
	CU_ASSERT_STRING_EQUAL(order[0]->stats->name, "c-low");
	CU_ASSERT_STRING_EQUAL(order[1]->stats->name, "a-none");
	CU_ASSERT_STRING_EQUAL(order[2]->stats->name, "b-none");
	o.reverse = true;
	CU_ASSERT_EQUAL_FATAL(top_select_rows(&m, &o, order), 3);
	CU_ASSERT_STRING_EQUAL(order[0]->stats->name, "c-low");
	top_model_free(&m);
}

static void test_filter_name_and_state(void)
{
	Mstat__Stats__ContainerStats msgs[3] = {
		make_stats("Web-1", 1, 0, 3, 0, 0),
		make_stats("web-2", 1, 1, 3, 0, 0),
		make_stats("db", 1, 2, 3, 0, 0),
	};
	struct top_row *order[3];
	struct top_options o;
	struct top_model m;

	msgs[1].state = (char *)"exited";
	top_model_init(&m);
	CU_ASSERT_EQUAL_FATAL(feed_snapshot(&m, msgs, 3), 0);
	top_options_init(&o);
	CU_ASSERT_EQUAL(top_select_rows(&m, &o, order), 2);

	snprintf(o.filter, sizeof(o.filter), "WEB");
	CU_ASSERT_EQUAL_FATAL(top_select_rows(&m, &o, order), 1);
	CU_ASSERT_STRING_EQUAL(order[0]->stats->name, "Web-1");
	o.all = true;
	CU_ASSERT_EQUAL(top_select_rows(&m, &o, order), 2);
	snprintf(o.filter, sizeof(o.filter), "nothing");
	CU_ASSERT_EQUAL(top_select_rows(&m, &o, order), 0);
	top_model_free(&m);
}

static void test_format_cells(void)
{
	Mstat__Stats__ContainerStats s = make_stats("web", 1, 0, 1, 12.345, 1048576);
	Mstat__Stats__Pressure psi = MSTAT__STATS__PRESSURE__INIT;
	struct top_row row = { .stats = &s };
	struct top_options o;
	char buf[128];

	top_options_init(&o);
	s.net_rx_bytes = 1500;
	s.net_tx_bytes = 2000000;
	s.has_net_rx_bytes = s.has_net_tx_bytes = true;
	s.pids = 7;
	s.has_pids = true;
	psi.some_percent = 12.34;
	psi.full_percent = 1.5;
	psi.has_some_percent = psi.has_full_percent = true;
	s.io_pressure = &psi;
	s.started_ns = 1000000000;
	s.has_started_ns = true;
	o.now_ns = INT64_C(1000000000) + INT64_C(7200) * 1000000000;

	top_format_cell(&row, TOP_COL_CPU, &o, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "12.35%");
	top_format_cell(&row, TOP_COL_MEM, &o, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "1MiB / 1GiB");
	top_format_cell(&row, TOP_COL_MEM_PERCENT, &o, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "0.10%");
	top_format_cell(&row, TOP_COL_NET, &o, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "1.5kB / 2MB");
	top_format_cell(&row, TOP_COL_BLOCK, &o, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "--");
	top_format_cell(&row, TOP_COL_PIDS, &o, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "7");
	top_format_cell(&row, TOP_COL_PSI_IO, &o, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "12.3/1.5");
	top_format_cell(&row, TOP_COL_PSI_CPU, &o, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "--");
	top_format_cell(&row, TOP_COL_UPTIME, &o, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "2h");
	top_format_cell(&row, TOP_COL_CPU_QUOTA, &o, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "--");
	top_format_cell(&row, TOP_COL_RESTARTS, &o, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "--");
	s.restart_count = 12;
	s.has_restart_count = true;
	top_format_cell(&row, TOP_COL_RESTARTS, &o, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "12");
}

/* The detail pane lists every device with its rates and configured limits. */
static void test_detail_device_limits(void)
{
	Mstat__Stats__ContainerStats s = make_stats("db", 1, 0, 1, 5.0, 1048576);
	Mstat__Stats__BlockDevice limited = MSTAT__STATS__BLOCK_DEVICE__INIT;
	Mstat__Stats__BlockDevice plain = MSTAT__STATS__BLOCK_DEVICE__INIT;
	Mstat__Stats__BlockDevice *devices[] = { &limited, &plain };
	struct top_row row = { .stats = &s };
	struct top_view v;
	static char lines[32][256];
	bool seen_limited = false, seen_plain = false;
	size_t n;

	memset(&v, 0, sizeof(v));
	limited.major = 254;
	limited.minor = 0;
	limited.has_read_bytes_per_sec = limited.has_write_bytes_per_sec = true;
	limited.read_bytes_per_sec = 1048576;
	limited.write_bytes_per_sec = 0;
	limited.write_bps_limit = 5 * 1048576;
	limited.has_write_bps_limit = true;
	plain.major = 8;
	plain.minor = 16;
	s.devices = devices;
	s.n_devices = 2;

	n = top_format_detail(&v, &row, lines, 32);
	for (size_t i = 0; i < n; i++) {
		if (strstr(lines[i], "254:0") &&
		    strstr(lines[i], "read 1.049MB/s  write 0B/s (limit 5.243MB/s)"))
			seen_limited = true;
		if (strstr(lines[i], "8:16") && strstr(lines[i], "read --  write --") &&
		    !strstr(lines[i], "limit"))
			seen_plain = true;
	}
	if (!seen_limited || !seen_plain)
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, "\n%s", lines[i]);
	CU_ASSERT_TRUE(seen_limited);
	CU_ASSERT_TRUE(seen_plain);
}

static void test_format_header_marks_sort(void)
{
	enum top_column cols[] = { TOP_COL_NAME, TOP_COL_CPU };
	struct top_options o;
	char buf[128];

	top_options_init(&o);
	o.sort = TOP_COL_CPU;
	top_format_header(cols, 2, 12, &o, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "NAME            CPU %");
	o.mark_sort = true;
	o.reverse = true;
	top_format_header(cols, 2, 12, &o, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "NAME          CPU % ^");
}

static void test_format_age_and_sparkline(void)
{
	const double values[] = { 0, 1, 2, 4, 8 };
	char buf[64];

	top_format_age(INT64_C(59) * 1000000000, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "59s");
	top_format_age(INT64_C(61) * 1000000000, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "1m");
	top_format_age(INT64_C(3) * 86400 * 1000000000, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "3d");
	top_format_age(-5, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "0s");

	top_format_sparkline(values, 5, false, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "_.,~#");
	top_format_sparkline(values, 0, false, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "");
	top_format_sparkline(values + 4, 1, true, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "█");
}

static void test_column_keys(void)
{
	CU_ASSERT_EQUAL(top_column_by_key('m'), TOP_COL_MEM);
	CU_ASSERT_EQUAL(top_column_by_key('c'), TOP_COL_CPU);
	CU_ASSERT_EQUAL(top_column_by_key('n'), TOP_COL_NAME);
	CU_ASSERT_EQUAL(top_column_by_key('q'), -1);
	/* Every sort key is unique. */
	for (int a = 0; a < _TOP_COL_MAX; a++)
		for (int b = a + 1; b < _TOP_COL_MAX; b++)
			CU_ASSERT_NOT_EQUAL(top_column_get(a)->key, top_column_get(b)->key);
}

static const struct cunit_test tests[] = {
	{ "layout wide keeps defaults", test_layout_wide_keeps_defaults },
	{ "layout narrow drops in order", test_layout_narrow_drops_in_order },
	{ "layout optional columns go first", test_layout_optional_columns_go_first },
	{ "layout lines fit width", test_layout_lines_fit_width },
	{ "sort by memory and reverse", test_sort_by_memory_and_reverse },
	{ "sort missing values last", test_sort_missing_values_last },
	{ "filter name and state", test_filter_name_and_state },
	{ "format cells", test_format_cells },
	{ "format header marks sort", test_format_header_marks_sort },
	{ "detail pane device limits", test_detail_device_limits },
	{ "format age and sparkline", test_format_age_and_sparkline },
	{ "column keys unique", test_column_keys },
	{ NULL, NULL },
};

int main(void)
{
	return cunit_run("cli_top_layout", tests);
}
