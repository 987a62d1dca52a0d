/* SPDX-License-Identifier: MIT */
/*
 * Rendering of `mstat stats` rows, as docker/cli's formatter_stats.go and
 * formatter.go render them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/stats_view.h"
#include "cli/tabwriter.h"
#include "cli/template.h"
#include "exporters/prom.h"

#define STATS_TABLE_KEY "table"

/* The placeholders and their column titles, in docker's order. */
static const char *const stats_fields[] = {
	"Container", "Name",  "ID",	 "CPUPerc", "MemUsage",
	"MemPerc",   "NetIO", "BlockIO", "PIDs",    NULL,
};
static const char *const stats_headers[] = {
	"CONTAINER", "NAME",	"CONTAINER ID", "CPU %", "MEM USAGE / LIMIT",
	"MEM %",     "NET I/O", "BLOCK I/O",	"PIDS",	 NULL,
};

/* Replaces the two-character sequences \t and \n with the characters. */
static void stats_unescape(char *s)
{
	char *out = s;

	for (const char *p = s; *p; p++) {
		if (p[0] == '\\' && (p[1] == 't' || p[1] == 'n')) {
			*out++ = p[1] == 't' ? '\t' : '\n';
			p++;
			continue;
		}
		*out++ = *p;
	}
	*out = '\0';
}

/* Strips leading and trailing spaces (only ' ', as docker's strings.Trim). */
static char *stats_trim_spaces(char *s)
{
	size_t len;

	while (*s == ' ')
		s++;
	len = strlen(s);
	while (len > 0 && s[len - 1] == ' ')
		s[--len] = '\0';
	return s;
}

int stats_view_init(struct stats_view *v, const char *format, bool no_trunc, struct mst_err *err)
{
	char *copy, *body;
	int r;

	*v = (struct stats_view){ .no_trunc = no_trunc, .table = true };
	if (!format || format[0] == '\0' || strcmp(format, STATS_TABLE_KEY) == 0)
		return 0;

	copy = strdup(format);
	if (!copy)
		return err_set(err, ENOMEM, "parsing --format failed");
	body = copy;
	v->table = strncmp(body, STATS_TABLE_KEY, strlen(STATS_TABLE_KEY)) == 0;
	if (v->table)
		body += strlen(STATS_TABLE_KEY);
	body = stats_trim_spaces(body);
	stats_unescape(body);

	r = tpl_parse(body, &v->tpl, err);
	if (r == 0)
		r = tpl_check_fields(v->tpl, stats_fields, err);
	free(copy);
	if (r < 0) {
		tpl_free(v->tpl);
		v->tpl = NULL;
		return err_prefix(err,
				  "invalid --format (placeholders: .Container .Name .ID .CPUPerc "
				  ".MemUsage .MemPerc .NetIO .BlockIO .PIDs)");
	}
	return 0;
}

void stats_view_free(struct stats_view *v)
{
	tpl_free(v->tpl);
	v->tpl = NULL;
}

/* Builds the object whose members the placeholders read, with the cells of
 * docker's statsContext methods. */
static json_t *stats_entry_object(const struct stats_entry *e, bool no_trunc)
{
	const struct dstats_row *r = &e->row;
	char id[sizeof(r->id)], cpu[32], mem[80], mem_perc[32], net[80], blk[80], pids[32];
	char a[32], b[32];

	snprintf(id, sizeof(id), "%.*s", no_trunc ? (int)sizeof(id) : 12, r->id);
	if (r->invalid) {
		snprintf(cpu, sizeof(cpu), "--");
		snprintf(mem, sizeof(mem), "-- / --");
		snprintf(mem_perc, sizeof(mem_perc), "--");
		snprintf(net, sizeof(net), "--");
		snprintf(blk, sizeof(blk), "--");
		snprintf(pids, sizeof(pids), "--");
	} else {
		snprintf(cpu, sizeof(cpu), "%.2f%%", r->cpu_percent);
		dstats_format_binary(r->mem_usage, a, sizeof(a));
		dstats_format_binary(r->mem_limit, b, sizeof(b));
		snprintf(mem, sizeof(mem), "%s / %s", a, b);
		snprintf(mem_perc, sizeof(mem_perc), "%.2f%%", r->mem_percent);
		dstats_format_io_pair(r->net_rx, r->net_tx, net, sizeof(net));
		dstats_format_io_pair(r->blk_read, r->blk_write, blk, sizeof(blk));
		snprintf(pids, sizeof(pids), "%llu", (unsigned long long)r->pids);
	}

	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "Container", e->container,
			 "Name", r->name, "ID", id, "CPUPerc", cpu, "MemUsage", mem, "MemPerc",
			 mem_perc, "NetIO", net, "BlockIO", blk, "PIDs", pids);
}

static json_t *stats_header_object(void)
{
	json_t *o = json_object();

	for (size_t i = 0; o && stats_fields[i]; i++) {
		if (json_object_set_new(o, stats_fields[i], json_string(stats_headers[i])) < 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

static int stats_render_default(const struct stats_view *v, const struct stats_entry *entries,
				size_t n, struct strbuf *out, struct mst_err *err)
{
	struct dstats_row *rows = calloc(n ? n : 1, sizeof(*rows));
	struct outbuf b;
	int r;

	if (!rows)
		return err_set(err, ENOMEM, "formatting the stats table failed");
	for (size_t i = 0; i < n; i++)
		rows[i] = entries[i].row;

	outbuf_init(&b);
	r = dstats_format_table(rows, n, v->no_trunc, &b);
	if (r == 0)
		strbuf_append(out, b.data ? b.data : "", b.len);
	outbuf_free(&b);
	free(rows);
	if (r < 0)
		return err_set(err, -r, "formatting the stats table failed");
	return 0;
}

/* Executes the template for the header (table formats only) and once per
 * entry, each output followed by a newline. */
static int stats_render_rows(const struct stats_view *v, const struct stats_entry *entries,
			     size_t n, struct strbuf *text, struct mst_err *err)
{
	int r = 0;

	if (v->table) {
		json_t *header = stats_header_object();
		if (!header)
			return err_set(err, ENOMEM, "formatting the stats header failed");
		r = tpl_execute(v->tpl, header, TPL_HEADER, text, err);
		json_decref(header);
		strbuf_putc(text, '\n');
	}
	for (size_t i = 0; i < n && r == 0; i++) {
		json_t *o = stats_entry_object(&entries[i], v->no_trunc);
		if (!o)
			return err_set(err, ENOMEM, "formatting the stats of %s failed",
				       entries[i].container);
		r = tpl_execute(v->tpl, o, 0, text, err);
		json_decref(o);
		strbuf_putc(text, '\n');
	}
	return r;
}

int stats_view_render(const struct stats_view *v, const struct stats_entry *entries, size_t n,
		      struct strbuf *out, struct mst_err *err)
{
	struct strbuf text;
	int r;

	if (!v->tpl)
		return stats_render_default(v, entries, n, out, err);

	strbuf_init(&text);
	r = stats_render_rows(v, entries, n, &text, err);
	if (r == 0 && v->table)
		r = tabwriter_format(strbuf_str(&text), text.len, TABWRITER_DOCKER_MINWIDTH,
				     TABWRITER_DOCKER_PADDING, out);
	else if (r == 0)
		strbuf_append(out, strbuf_str(&text), text.len);
	if (r == -ENOMEM || text.error)
		r = err_set(err, ENOMEM, "formatting the stats output failed");
	strbuf_free(&text);
	return r;
}
