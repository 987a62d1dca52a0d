/* SPDX-License-Identifier: MIT */
/*
 * Columns, cells, row order and width fitting of the live view. Every figure
 * is printed as mstatd sent it; the only arithmetic here is unit scaling.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/top_layout.h"
#include "exporters/stats_json.h"

#define TOP_NAME_MIN_WIDTH 12
#define NS_PER_SEC	   INT64_C(1000000000)

static const struct top_column_info top_columns[_TOP_COL_MAX];

const struct top_column_info *top_column_get(enum top_column c)
{
	return &top_columns[c];
}

void top_options_init(struct top_options *o)
{
	memset(o, 0, sizeof(*o));
	for (int c = 0; c < _TOP_COL_MAX; c++)
		o->enabled[c] = top_columns[c].default_on;
	o->sort = TOP_COL_NAME;
}

int top_column_by_key(int key)
{
	for (int c = 0; c < _TOP_COL_MAX; c++)
		if (top_columns[c].key && top_columns[c].key == key)
			return c;
	return -1;
}

/* Width of the line that the enabled columns (with the name at width
 * name_width) need, one space between cells. */
static unsigned line_width(const bool *on, unsigned name_width)
{
	unsigned w = 0;

	for (int c = 0; c < _TOP_COL_MAX; c++) {
		if (!on[c])
			continue;
		if (w > 0)
			w++;
		w += c == TOP_COL_NAME ? name_width : top_columns[c].width;
	}
	return w;
}

size_t top_layout_columns(const struct top_options *o, unsigned width,
			  enum top_column ret_cols[_TOP_COL_MAX], unsigned *ret_name_width)
{
	bool on[_TOP_COL_MAX];
	unsigned name_width = top_columns[TOP_COL_NAME].width;
	size_t n = 0;

	memcpy(on, o->enabled, sizeof(on));
	on[TOP_COL_NAME] = true;

	/* Narrow the name first, then drop columns by rank. */
	while (line_width(on, name_width) > width && name_width > TOP_NAME_MIN_WIDTH)
		name_width--;
	while (line_width(on, name_width) > width) {
		int victim = -1;

		for (int c = 0; c < _TOP_COL_MAX; c++)
			if (on[c] && c != TOP_COL_NAME &&
			    (victim < 0 ||
			     top_columns[c].drop_rank > top_columns[victim].drop_rank))
				victim = c;
		if (victim < 0)
			break;
		on[victim] = false;
	}
	/* Room left over goes to the name, up to its usual width. */
	while (name_width < top_columns[TOP_COL_NAME].width && line_width(on, name_width) < width)
		name_width++;

	for (int c = 0; c < _TOP_COL_MAX; c++)
		if (on[c])
			ret_cols[n++] = (enum top_column)c;
	*ret_name_width = name_width;
	return n;
}

void top_format_bytes(uint64_t bytes, bool binary, char *buf, size_t size)
{
	if (binary)
		dstats_format_binary((double)bytes, buf, size);
	else
		dstats_format_decimal((double)bytes, buf, size);
}

void top_format_age(int64_t ns, char *buf, size_t size)
{
	int64_t s = ns > 0 ? ns / NS_PER_SEC : 0;

	if (s >= 86400)
		snprintf(buf, size, "%" PRId64 "d", s / 86400);
	else if (s >= 3600)
		snprintf(buf, size, "%" PRId64 "h", s / 3600);
	else if (s >= 60)
		snprintf(buf, size, "%" PRId64 "m", s / 60);
	else
		snprintf(buf, size, "%" PRId64 "s", s);
}

static void format_pair(uint64_t a, uint64_t b, bool binary, char *buf, size_t size)
{
	char left[32], right[32];

	top_format_bytes(a, binary, left, sizeof(left));
	top_format_bytes(b, binary, right, sizeof(right));
	snprintf(buf, size, "%s / %s", left, right);
}

static void format_pressure(const Mstat__Stats__Pressure *p, char *buf, size_t size)
{
	if (!p || !p->has_some_percent)
		snprintf(buf, size, "--");
	else
		snprintf(buf, size, "%.1f/%.1f", p->some_percent, p->full_percent);
}

/* Cells of the columns that docker stats also shows. */
static bool format_docker_cell(const Mstat__Stats__ContainerStats *s, enum top_column c, char *buf,
			       size_t size)
{
	switch (c) {
	case TOP_COL_NAME:
		snprintf(buf, size, "%s", s->name ? s->name : "--");
		return true;
	case TOP_COL_STATE:
		snprintf(buf, size, "%s", s->state ? s->state : "--");
		return true;
	case TOP_COL_CPU:
		if (s->has_cpu_percent)
			snprintf(buf, size, "%.2f%%", s->cpu_percent);
		return true;
	case TOP_COL_MEM:
		if (s->has_mem_usage)
			format_pair(s->mem_usage, s->mem_limit, true, buf, size);
		return true;
	case TOP_COL_MEM_PERCENT:
		if (s->has_mem_percent)
			snprintf(buf, size, "%.2f%%", s->mem_percent);
		return true;
	case TOP_COL_NET:
		if (s->has_net_rx_bytes)
			format_pair(s->net_rx_bytes, s->net_tx_bytes, false, buf, size);
		return true;
	case TOP_COL_BLOCK:
		if (s->has_blk_read_bytes)
			format_pair(s->blk_read_bytes, s->blk_write_bytes, false, buf, size);
		return true;
	case TOP_COL_PIDS:
		if (s->has_pids)
			snprintf(buf, size, "%" PRIu64, s->pids);
		return true;
	default:
		return false;
	}
}

void top_format_cell(const struct top_row *r, enum top_column c, const struct top_options *o,
		     char *buf, size_t size)
{
	const Mstat__Stats__ContainerStats *s = r->stats;

	snprintf(buf, size, "--");
	if (format_docker_cell(s, c, buf, size))
		return;
	switch (c) {
	case TOP_COL_CPU_QUOTA:
		if (s->has_cpu_quota_percent)
			snprintf(buf, size, "%.1f%%", s->cpu_quota_percent);
		break;
	case TOP_COL_THROTTLED:
		if (s->has_cpu_throttled_ns)
			snprintf(buf, size, "%.1fs", (double)s->cpu_throttled_ns / 1e9);
		break;
	case TOP_COL_WORKING_SET:
		if (s->has_mem_working_set)
			top_format_bytes(s->mem_working_set, true, buf, size);
		break;
	case TOP_COL_SWAP:
		if (s->has_swap_usage)
			top_format_bytes(s->swap_usage, true, buf, size);
		break;
	case TOP_COL_PSI_CPU:
		format_pressure(s->cpu_pressure, buf, size);
		break;
	case TOP_COL_PSI_MEMORY:
		format_pressure(s->memory_pressure, buf, size);
		break;
	case TOP_COL_PSI_IO:
		format_pressure(s->io_pressure, buf, size);
		break;
	case TOP_COL_OOM_KILLS:
		if (s->has_mem_events_oom_kill)
			snprintf(buf, size, "%" PRIu64, s->mem_events_oom_kill);
		break;
	case TOP_COL_RESTARTS:
		if (s->has_restart_count)
			snprintf(buf, size, "%" PRIu64, s->restart_count);
		break;
	case TOP_COL_UPTIME:
		if (s->has_started_ns && s->state && strcmp(s->state, "running") == 0)
			top_format_age(o->now_ns - (int64_t)s->started_ns, buf, size);
		break;
	case TOP_COL_CGROUP:
		if (s->cgroup)
			snprintf(buf, size, "%s", s->cgroup);
		break;
	default:
		break;
	}
}

/* Appends text to buf at *pos, padded or cut to width; returns false once
 * buf is full. */
static void put_cell(char *buf, size_t size, size_t *pos, const char *text, unsigned width,
		     bool left)
{
	size_t len = strlen(text);
	int n;

	if (len > width)
		len = width;
	if (*pos >= size)
		return;
	if (left)
		n = snprintf(buf + *pos, size - *pos, "%-*.*s", (int)width, (int)len, text);
	else
		n = snprintf(buf + *pos, size - *pos, "%*.*s", (int)width, (int)len, text);
	*pos += n > 0 ? (size_t)n : 0;
	if (*pos > size - 1)
		*pos = size - 1;
}

static void format_cells(const char *const *cells, const enum top_column *cols, size_t n_cols,
			 unsigned name_width, char *buf, size_t size)
{
	size_t pos = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n_cols; i++) {
		const struct top_column_info *info = &top_columns[cols[i]];
		unsigned width = cols[i] == TOP_COL_NAME ? name_width : info->width;

		if (i > 0)
			put_cell(buf, size, &pos, " ", 1, true);
		put_cell(buf, size, &pos, cells[i], width, info->left_aligned);
	}
	/* Trailing blanks of the last left-aligned cell are noise in logs. */
	while (pos > 0 && buf[pos - 1] == ' ')
		buf[--pos] = '\0';
}

void top_format_line(const struct top_row *r, const enum top_column *cols, size_t n_cols,
		     unsigned name_width, const struct top_options *o, char *buf, size_t size)
{
	char text[_TOP_COL_MAX][128];
	const char *cells[_TOP_COL_MAX];

	for (size_t i = 0; i < n_cols; i++) {
		top_format_cell(r, cols[i], o, text[i], sizeof(text[i]));
		cells[i] = text[i];
	}
	format_cells(cells, cols, n_cols, name_width, buf, size);
}

void top_format_header(const enum top_column *cols, size_t n_cols, unsigned name_width,
		       const struct top_options *o, char *buf, size_t size)
{
	char text[_TOP_COL_MAX][64];
	const char *cells[_TOP_COL_MAX];

	for (size_t i = 0; i < n_cols; i++) {
		const char *mark = "";

		if (o->mark_sort && cols[i] == o->sort)
			mark = o->reverse ? " ^" : " v";

		snprintf(text[i], sizeof(text[i]), "%s%s", top_columns[cols[i]].header, mark);
		cells[i] = text[i];
	}
	format_cells(cells, cols, n_cols, name_width, buf, size);
}

bool top_row_visible(const struct top_row *r, const struct top_options *o)
{
	const Mstat__Stats__ContainerStats *s = r->stats;

	/* As `docker ps`: restarting containers count as running. */
	if (!o->all && s->state && strcmp(s->state, "running") != 0 &&
	    strcmp(s->state, "restarting") != 0)
		return false;
	if (o->filter[0] && (!s->name || !strcasestr(s->name, o->filter)))
		return false;
	return true;
}

/* The value a numeric column sorts by; false when the row has none. */
static bool sort_value(const Mstat__Stats__ContainerStats *s, enum top_column c, double *ret)
{
	const Mstat__Stats__Pressure *p = NULL;

	switch (c) {
	case TOP_COL_CPU:
		*ret = s->cpu_percent;
		return s->has_cpu_percent;
	case TOP_COL_MEM:
		*ret = (double)s->mem_usage;
		return s->has_mem_usage;
	case TOP_COL_MEM_PERCENT:
		*ret = s->mem_percent;
		return s->has_mem_percent;
	case TOP_COL_NET:
		*ret = (double)s->net_rx_bytes + (double)s->net_tx_bytes;
		return s->has_net_rx_bytes;
	case TOP_COL_BLOCK:
		*ret = (double)s->blk_read_bytes + (double)s->blk_write_bytes;
		return s->has_blk_read_bytes;
	case TOP_COL_PIDS:
		*ret = (double)s->pids;
		return s->has_pids;
	case TOP_COL_CPU_QUOTA:
		*ret = s->cpu_quota_percent;
		return s->has_cpu_quota_percent;
	case TOP_COL_THROTTLED:
		*ret = (double)s->cpu_throttled_ns;
		return s->has_cpu_throttled_ns;
	case TOP_COL_WORKING_SET:
		*ret = (double)s->mem_working_set;
		return s->has_mem_working_set;
	case TOP_COL_SWAP:
		*ret = (double)s->swap_usage;
		return s->has_swap_usage;
	case TOP_COL_OOM_KILLS:
		*ret = (double)s->mem_events_oom_kill;
		return s->has_mem_events_oom_kill;
	case TOP_COL_RESTARTS:
		*ret = (double)s->restart_count;
		return s->has_restart_count;
	case TOP_COL_UPTIME:
		*ret = -(double)s->started_ns;
		return s->has_started_ns;
	case TOP_COL_PSI_CPU:
		p = s->cpu_pressure;
		break;
	case TOP_COL_PSI_MEMORY:
		p = s->memory_pressure;
		break;
	case TOP_COL_PSI_IO:
		p = s->io_pressure;
		break;
	default:
		return false;
	}
	*ret = p ? p->some_percent : 0;
	return p && p->has_some_percent;
}

static int compare_names(const Mstat__Stats__ContainerStats *a,
			 const Mstat__Stats__ContainerStats *b)
{
	return strcmp(a->name ? a->name : "", b->name ? b->name : "");
}

/* Orders rows for display: numeric columns largest first, text columns A to
 * Z; options->reverse flips the order. Rows without a value go last. */
static int compare_rows(const void *pa, const void *pb, void *arg)
{
	const struct top_options *o = arg;
	const Mstat__Stats__ContainerStats *a = (*(struct top_row *const *)pa)->stats;
	const Mstat__Stats__ContainerStats *b = (*(struct top_row *const *)pb)->stats;
	double va = 0, vb = 0;
	bool ha, hb;
	int r;

	if (o->sort == TOP_COL_NAME || o->sort == TOP_COL_STATE || o->sort == TOP_COL_CGROUP) {
		const char *ta = o->sort == TOP_COL_STATE ? a->state : a->cgroup;
		const char *tb = o->sort == TOP_COL_STATE ? b->state : b->cgroup;

		r = o->sort == TOP_COL_NAME ? 0 : strcmp(ta ? ta : "", tb ? tb : "");
		if (r == 0)
			r = compare_names(a, b);
		return o->reverse ? -r : r;
	}
	ha = sort_value(a, o->sort, &va);
	hb = sort_value(b, o->sort, &vb);
	if (ha != hb)
		return ha ? -1 : 1;
	r = 0;
	if (va > vb)
		r = -1;
	else if (va < vb)
		r = 1;
	if (o->reverse)
		r = -r;
	return r ? r : compare_names(a, b);
}

size_t top_select_rows(struct top_model *m, const struct top_options *o, struct top_row **ret)
{
	size_t n = 0;

	for (size_t i = 0; i < m->n_rows; i++)
		if (top_row_visible(&m->rows[i], o))
			ret[n++] = &m->rows[i];
	if (n > 1)
		qsort_r(ret, n, sizeof(*ret), compare_rows, (void *)o);
	return n;
}

void top_format_sparkline(const double *values, unsigned n, bool unicode, char *buf, size_t size)
{
	static const char *const blocks[] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
	static const char ascii[] = "_.,-~=*#";
	size_t step = unicode ? 3 : 1, pos = 0;
	double max = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < n; i++)
		if (values[i] > max)
			max = values[i];
	for (unsigned i = 0; i < n && pos + step < size; i++) {
		int level = max > 0 && values[i] > 0 ? (int)(values[i] / max * 7.0 + 0.5) : 0;

		if (unicode)
			memcpy(buf + pos, blocks[level], step);
		else
			buf[pos] = ascii[level];
		pos += step;
	}
	buf[pos] = '\0';
}

/* clang-format off */
static const struct top_column_info top_columns[_TOP_COL_MAX] = {
	[TOP_COL_NAME]        = { "NAME",              20,  0, true,  true,  'n' },
	[TOP_COL_STATE]       = { "STATE",             10,  6, true,  true,  's' },
	[TOP_COL_CPU]         = { "CPU %",              8,  2, false, true,  'c' },
	[TOP_COL_MEM]         = { "MEM USAGE / LIMIT", 21,  3, false, true,  'm' },
	[TOP_COL_MEM_PERCENT] = { "MEM %",              7,  4, false, true,  '%' },
	[TOP_COL_NET]         = { "NET I/O",           19,  7, false, true,  'i' },
	[TOP_COL_BLOCK]       = { "BLOCK I/O",         19,  8, false, true,  'b' },
	[TOP_COL_PIDS]        = { "PIDS",               5,  5, false, true,  'p' },
	[TOP_COL_CPU_QUOTA]   = { "CPU %QUOTA",        10,  9, false, false, 'Q' },
	[TOP_COL_THROTTLED]   = { "THROTTLED",          9, 10, false, false, 't' },
	[TOP_COL_WORKING_SET] = { "WSET",               9, 13, false, false, 'w' },
	[TOP_COL_SWAP]        = { "SWAP",               9, 14, false, false, 'S' },
	[TOP_COL_PSI_CPU]     = { "PSI CPU",           11, 15, false, false, '1' },
	[TOP_COL_PSI_MEMORY]  = { "PSI MEM",           11, 16, false, false, '2' },
	[TOP_COL_PSI_IO]      = { "PSI IO",            11, 17, false, false, '3' },
	[TOP_COL_OOM_KILLS]   = { "OOM",                4, 11, false, false, 'o' },
	[TOP_COL_RESTARTS]    = { "RESTARTS",          10, 19, false, false, 'R' },
	[TOP_COL_UPTIME]      = { "UPTIME",             6, 12, false, false, 'u' },
	[TOP_COL_CGROUP]      = { "CGROUP",            40, 18, true,  false, 'g' },
};
/* clang-format on */
