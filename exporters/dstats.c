/* SPDX-License-Identifier: MIT */
/*
 * The `docker stats` figures and table, shared by the command line and the
 * agent: the arithmetic of docker/cli stats_helpers.go, the cells of its
 * formatter_stats.go, go-units' size formats, and the column layout of the
 * CLI's tab writer (minimum width 10, padding 3). Nothing here does I/O.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "exporters/stats_json.h"

enum dstats_column {
	DSTATS_COL_ID,
	DSTATS_COL_NAME,
	DSTATS_COL_CPU,
	DSTATS_COL_MEM_USAGE,
	DSTATS_COL_MEM_PERC,
	DSTATS_COL_NET_IO,
	DSTATS_COL_BLOCK_IO,
	DSTATS_COL_PIDS,
	_DSTATS_COL_MAX,
};

/* The text of every cell of one line. */
struct dstats_cells {
	char cell[_DSTATS_COL_MAX][176];
};

/* The tab writer settings of docker/cli's table formatter. */
#define DSTATS_MIN_WIDTH 10
#define DSTATS_PADDING	 3

/* docker's stringid.TruncateID keeps 12 characters. */
#define DSTATS_SHORT_ID_LEN 12

static const char *const dstats_binary_units[] = { "B",	  "KiB", "MiB", "GiB", "TiB",
						   "PiB", "EiB", "ZiB", "YiB" };
static const char *const dstats_decimal_units[] = { "B",  "kB", "MB", "GB", "TB",
						    "PB", "EB", "ZB", "YB" };

/* An unsigned field of a JSON object. It is 0 when missing, negative or not
 * a number, as Go leaves a field it cannot fill at its zero value. */
static uint64_t json_field_u64(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (json_is_integer(v))
		return json_integer_value(v) > 0 ? (uint64_t)json_integer_value(v) : 0;
	if (json_is_real(v) && json_real_value(v) > 0) {
		if (json_real_value(v) >= 18446744073709551616.0)
			return UINT64_MAX;
		return (uint64_t)json_real_value(v);
	}
	return 0;
}

/* An object member, or NULL when it is missing or not an object. */
static json_t *json_field_object(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_object(v) ? v : NULL;
}

/* calculateCPUPercentUnix: the container's CPU time delta over the host's,
 * times the online CPUs (or the per-CPU list length when online_cpus is 0),
 * times 100. The result is 0 unless both deltas are positive. */
static double dstats_cpu_percent(json_t *cpu, json_t *precpu)
{
	json_t *usage = json_field_object(cpu, "cpu_usage");
	json_t *preusage = json_field_object(precpu, "cpu_usage");
	double cpu_delta = (double)json_field_u64(usage, "total_usage") -
			   (double)json_field_u64(preusage, "total_usage");
	double system_delta = (double)json_field_u64(cpu, "system_cpu_usage") -
			      (double)json_field_u64(precpu, "system_cpu_usage");
	double online = (double)json_field_u64(cpu, "online_cpus");

	if (online == 0.0) {
		json_t *percpu = json_object_get(usage, "percpu_usage");

		online = json_is_array(percpu) ? (double)json_array_size(percpu) : 0.0;
	}
	if (system_delta > 0.0 && cpu_delta > 0.0)
		return cpu_delta / system_delta * online * 100.0;
	return 0.0;
}

/* calculateMemUsageUnixNoCache: usage minus total_inactive_file (v1) or
 * inactive_file (v2), each only when smaller than usage. The v1 check falls
 * through to the v2 key as docker's does. */
static double dstats_mem_usage(json_t *mem)
{
	json_t *stats = json_field_object(mem, "stats");
	uint64_t usage = json_field_u64(mem, "usage");
	uint64_t v;

	if (json_object_get(stats, "total_inactive_file")) {
		v = json_field_u64(stats, "total_inactive_file");
		if (v < usage)
			return (double)(usage - v);
	}
	v = json_field_u64(stats, "inactive_file");
	if (v < usage)
		return (double)(usage - v);
	return (double)usage;
}

/* calculateBlockIO: io_service_bytes_recursive entries whose op starts with
 * r/R count as read and w/W as write. */
static void dstats_block_io(json_t *blkio, double *ret_read, double *ret_write)
{
	json_t *list = json_object_get(blkio, "io_service_bytes_recursive");
	uint64_t rd = 0, wr = 0;
	size_t i;
	json_t *entry;

	json_array_foreach(list, i, entry)
	{
		const char *op = json_string_value(json_object_get(entry, "op"));

		if (!op || !op[0])
			continue;
		if (op[0] == 'r' || op[0] == 'R')
			rd += json_field_u64(entry, "value");
		else if (op[0] == 'w' || op[0] == 'W')
			wr += json_field_u64(entry, "value");
	}
	*ret_read = (double)rd;
	*ret_write = (double)wr;
}

/* calculateNetwork: rx_bytes and tx_bytes summed over every interface. */
static void dstats_network(json_t *networks, double *ret_rx, double *ret_tx)
{
	const char *name;
	json_t *nif;
	double rx = 0.0, tx = 0.0;

	json_object_foreach(networks, name, nif)
	{
		rx += (double)json_field_u64(nif, "rx_bytes");
		tx += (double)json_field_u64(nif, "tx_bytes");
	}
	*ret_rx = rx;
	*ret_tx = tx;
}

int dstats_row_from_json(json_t *stats, struct dstats_row *ret)
{
	struct dstats_row r;
	json_t *cpu, *precpu, *mem;
	const char *name, *id;

	if (!json_is_object(stats))
		return -EINVAL;

	memset(&r, 0, sizeof(r));
	name = json_string_value(json_object_get(stats, "name"));
	id = json_string_value(json_object_get(stats, "id"));
	/* The CLI drops the leading '/' and shows "--" for an empty name. */
	snprintf(r.name, sizeof(r.name), "%s", name && strlen(name) > 1 ? name + 1 : "--");
	snprintf(r.id, sizeof(r.id), "%s", id ? id : "");

	cpu = json_field_object(stats, "cpu_stats");
	precpu = json_field_object(stats, "precpu_stats");
	r.cpu_percent = dstats_cpu_percent(cpu, precpu);
	r.valid_cpu = json_field_u64(precpu, "system_cpu_usage") != 0;

	mem = json_field_object(stats, "memory_stats");
	r.mem_usage = dstats_mem_usage(mem);
	r.mem_limit = (double)json_field_u64(mem, "limit");
	r.mem_percent = r.mem_limit != 0.0 ? r.mem_usage / r.mem_limit * 100.0 : 0.0;

	dstats_network(json_object_get(stats, "networks"), &r.net_rx, &r.net_tx);
	dstats_block_io(json_object_get(stats, "blkio_stats"), &r.blk_read, &r.blk_write);
	r.pids = json_field_u64(json_field_object(stats, "pids_stats"), "current");

	*ret = r;
	return 0;
}

/* go-units getSizeAndUnit plus "%.*g%s". */
static void dstats_format_size(double size, double base, const char *const *units, size_t n_units,
			       int precision, char *buf, size_t buf_size)
{
	size_t i = 0;

	while (size >= base && i < n_units - 1) {
		size /= base;
		i++;
	}
	snprintf(buf, buf_size, "%.*g%s", precision, size, units[i]);
}

void dstats_format_binary(double bytes, char *buf, size_t size)
{
	dstats_format_size(bytes, 1024.0, dstats_binary_units,
			   sizeof(dstats_binary_units) / sizeof(dstats_binary_units[0]), 4, buf,
			   size);
}

void dstats_format_decimal(double bytes, char *buf, size_t size)
{
	dstats_format_size(bytes, 1000.0, dstats_decimal_units,
			   sizeof(dstats_decimal_units) / sizeof(dstats_decimal_units[0]), 4, buf,
			   size);
}

void dstats_format_io_pair(double a, double b, char *buf, size_t size)
{
	const size_t n_units = sizeof(dstats_decimal_units) / sizeof(dstats_decimal_units[0]);
	char left[32], right[32];

	dstats_format_size(a, 1000.0, dstats_decimal_units, n_units, 3, left, sizeof(left));
	dstats_format_size(b, 1000.0, dstats_decimal_units, n_units, 3, right, sizeof(right));
	snprintf(buf, size, "%s / %s", left, right);
}

/* stringid.TruncateID: drop everything up to a ':' and keep 12 characters. */
static void dstats_short_id(const char *id, char *buf, size_t size)
{
	const char *colon = strchr(id, ':');

	if (colon)
		id = colon + 1;
	snprintf(buf, size, "%.*s", DSTATS_SHORT_ID_LEN, id);
}

static void dstats_row_cells(const struct dstats_row *r, int no_trunc, struct dstats_cells *c)
{
	const size_t size = sizeof(c->cell[0]);
	char used[32], limit[32];

	if (no_trunc)
		snprintf(c->cell[DSTATS_COL_ID], size, "%s", r->id);
	else
		dstats_short_id(r->id, c->cell[DSTATS_COL_ID], size);
	snprintf(c->cell[DSTATS_COL_NAME], size, "%s", r->name);

	if (r->invalid) {
		snprintf(c->cell[DSTATS_COL_CPU], size, "--");
		snprintf(c->cell[DSTATS_COL_MEM_USAGE], size, "-- / --");
		snprintf(c->cell[DSTATS_COL_MEM_PERC], size, "--");
		snprintf(c->cell[DSTATS_COL_NET_IO], size, "--");
		snprintf(c->cell[DSTATS_COL_BLOCK_IO], size, "--");
		snprintf(c->cell[DSTATS_COL_PIDS], size, "--");
		return;
	}

	snprintf(c->cell[DSTATS_COL_CPU], size, "%.2f%%", r->cpu_percent);
	dstats_format_binary(r->mem_usage, used, sizeof(used));
	dstats_format_binary(r->mem_limit, limit, sizeof(limit));
	snprintf(c->cell[DSTATS_COL_MEM_USAGE], size, "%s / %s", used, limit);
	snprintf(c->cell[DSTATS_COL_MEM_PERC], size, "%.2f%%", r->mem_percent);
	dstats_format_io_pair(r->net_rx, r->net_tx, c->cell[DSTATS_COL_NET_IO], size);
	dstats_format_io_pair(r->blk_read, r->blk_write, c->cell[DSTATS_COL_BLOCK_IO], size);
	snprintf(c->cell[DSTATS_COL_PIDS], size, "%llu", (unsigned long long)r->pids);
}

static void dstats_header_cells(struct dstats_cells *c)
{
	static const char *const headers[_DSTATS_COL_MAX] = {
		[DSTATS_COL_ID] = "CONTAINER ID",    [DSTATS_COL_NAME] = "NAME",
		[DSTATS_COL_CPU] = "CPU %",	     [DSTATS_COL_MEM_USAGE] = "MEM USAGE / LIMIT",
		[DSTATS_COL_MEM_PERC] = "MEM %",     [DSTATS_COL_NET_IO] = "NET I/O",
		[DSTATS_COL_BLOCK_IO] = "BLOCK I/O", [DSTATS_COL_PIDS] = "PIDS",
	};

	for (size_t i = 0; i < _DSTATS_COL_MAX; i++)
		snprintf(c->cell[i], sizeof(c->cell[i]), "%s", headers[i]);
}

/* The tab writer measures cells in UTF-8 characters, not bytes. */
static size_t utf8_width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/* Widens widths[] so that every cell of c fits with its padding. */
static void dstats_fit_widths(const struct dstats_cells *c, size_t widths[_DSTATS_COL_MAX])
{
	for (size_t i = 0; i < _DSTATS_COL_MAX; i++) {
		size_t w = utf8_width(c->cell[i]) + DSTATS_PADDING;

		if (w > widths[i])
			widths[i] = w;
	}
}

/* Writes one line without the newline. The last cell is not padded. */
static void dstats_write_line(struct outbuf *b, const struct dstats_cells *c,
			      const size_t widths[_DSTATS_COL_MAX])
{
	for (size_t i = 0; i < _DSTATS_COL_MAX; i++) {
		size_t w = utf8_width(c->cell[i]);

		outbuf_append(b, c->cell[i], strlen(c->cell[i]));
		if (i + 1 == _DSTATS_COL_MAX)
			break;
		for (; w < widths[i]; w++)
			outbuf_append(b, " ", 1);
	}
}

static void dstats_init_widths(size_t widths[_DSTATS_COL_MAX])
{
	for (size_t i = 0; i < _DSTATS_COL_MAX; i++)
		widths[i] = DSTATS_MIN_WIDTH;
}

/* Lays out one line on its own and copies it into buf. */
static void dstats_format_single(const struct dstats_cells *c, char *buf, size_t size)
{
	size_t widths[_DSTATS_COL_MAX];
	struct outbuf b;

	if (size == 0)
		return;
	dstats_init_widths(widths);
	dstats_fit_widths(c, widths);
	outbuf_init(&b);
	dstats_write_line(&b, c, widths);
	snprintf(buf, size, "%s", b.error || !b.data ? "" : b.data);
	outbuf_free(&b);
}

void dstats_format_row(const struct dstats_row *r, int no_trunc, char *buf, size_t size)
{
	struct dstats_cells c;

	dstats_row_cells(r, no_trunc, &c);
	dstats_format_single(&c, buf, size);
}

void dstats_format_header(char *buf, size_t size)
{
	struct dstats_cells c;

	dstats_header_cells(&c);
	dstats_format_single(&c, buf, size);
}

int dstats_format_table(const struct dstats_row *rows, size_t n, int no_trunc, struct outbuf *b)
{
	size_t widths[_DSTATS_COL_MAX];
	struct dstats_cells c;

	dstats_init_widths(widths);
	dstats_header_cells(&c);
	dstats_fit_widths(&c, widths);
	for (size_t i = 0; i < n; i++) {
		dstats_row_cells(&rows[i], no_trunc, &c);
		dstats_fit_widths(&c, widths);
	}

	/* Cells are rebuilt on the second pass to keep the stack small. */
	dstats_header_cells(&c);
	dstats_write_line(b, &c, widths);
	outbuf_append(b, "\n", 1);
	for (size_t i = 0; i < n; i++) {
		dstats_row_cells(&rows[i], no_trunc, &c);
		dstats_write_line(b, &c, widths);
		outbuf_append(b, "\n", 1);
	}
	return b->error;
}
