/* SPDX-License-Identifier: MIT */
/*
 * `mstat stats`: a live table of container resource usage. Without names it
 * reads GET /v1/stats, where mstatd sends one JSON line per container per
 * collection pass. With names it reads one stream per container. On a
 * terminal each new table replaces the previous one (clear screen and
 * cursor home, as docker does), and elsewhere tables are appended.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/stats_view.h"

/* A pass is complete once its lines stop arriving for this long. */
#define STATS_SETTLE_NS (100 * 1000000LL)
/* Without lines for this long (or three intervals, if longer) the shown
 * containers are taken to be gone. */
#define STATS_STALE_MIN_NS (3 * 1000000000LL)
#define STATS_POLL_MS	   100
#define STATS_CLEAR_SCREEN "\033[2J\033[H"

struct stats_cmd;

/* One streaming request and its unfinished line. */
struct stats_source {
	struct stats_cmd *owner;
	struct api_call *call;
	struct strbuf line;
	size_t name_index; /* with names: the position in the argument list */
	bool got_data;
	bool done;
};

struct stats_cmd {
	struct cli *cli;
	struct stats_view view;
	bool all, no_stream, no_trunc, tty;
	const char *format;
	char **names;
	size_t n_names;
	struct stats_source *sources;
	size_t n_sources;
	/* without names: the pass being received and the one on screen */
	struct stats_entry *batch, *shown;
	size_t n_batch, n_shown, cap;
	/* with names: the newest row of each, valid once has_row */
	struct stats_entry *named;
	bool *has_row;
	bool dirty;
	int64_t last_data_ns, last_pass_ns, interval_ns;
	bool output_closed;
	struct mst_err err;
};

static const char stats_usage[] =
    "Usage: mstat stats [OPTIONS] [CONTAINER...]\n"
    "\n"
    "Display a live stream of container resource usage (running containers unless\n"
    "-a is given, or the named ones).\n"
    "\n"
    "Options:\n"
    "  -a, --all            Show all containers, including stopped ones\n"
    "      --no-stream      Print one table and exit\n"
    "      --no-trunc       Print full container IDs\n"
    "      --format FORMAT  Go template over .Container .Name .ID .CPUPerc .MemUsage\n"
    "                       .MemPerc .NetIO .BlockIO .PIDs; a \"table \" prefix adds a\n"
    "                       header and aligns tab-separated columns; \"json\" prints\n"
    "                       each row as one JSON object per line\n"
    "      --help           Print this help\n";

enum { OPT_NO_STREAM = 256, OPT_NO_TRUNC, OPT_FORMAT, OPT_HELP };

static const struct option stats_options[] = {
	{ "all", no_argument, NULL, 'a' },
	{ "no-stream", no_argument, NULL, OPT_NO_STREAM },
	{ "no-trunc", no_argument, NULL, OPT_NO_TRUNC },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static int64_t stats_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void stats_render(struct stats_cmd *s, const struct stats_entry *entries, size_t n)
{
	struct strbuf out;
	struct mst_err err = { 0 };

	s->dirty = false;
	if (s->output_closed)
		return;
	strbuf_init(&out);
	if (s->tty && !s->no_stream)
		strbuf_puts(&out, STATS_CLEAR_SCREEN);
	if (stats_view_render(&s->view, entries, n, &out, &err) < 0)
		fprintf(stderr, "mstat: %s\n", err.msg);
	else if (cli_write_all(1, strbuf_str(&out), out.len) < 0)
		s->output_closed = true; /* e.g. a closed pipe: stop drawing */
	strbuf_free(&out);
}

static void stats_render_named(struct stats_cmd *s)
{
	struct stats_entry *rows = calloc(s->n_names ? s->n_names : 1, sizeof(*rows));
	size_t n = 0;

	if (!rows)
		return;
	for (size_t i = 0; i < s->n_names; i++)
		if (s->has_row[i])
			rows[n++] = s->named[i];
	stats_render(s, rows, n);
	free(rows);
}

/* Shows the pass received so far and starts the next one. */
static void stats_commit_pass(struct stats_cmd *s, int64_t now)
{
	struct stats_entry *swap = s->shown;

	s->shown = s->batch;
	s->n_shown = s->n_batch;
	s->batch = swap;
	s->n_batch = 0;
	if (s->last_pass_ns > 0)
		s->interval_ns = now - s->last_pass_ns;
	s->last_pass_ns = now;
	stats_render(s, s->shown, s->n_shown);
}

static int stats_add_to_pass(struct stats_cmd *s, const struct stats_entry *e, int64_t now)
{
	for (size_t i = 0; i < s->n_batch; i++) {
		if (strcmp(s->batch[i].row.id, e->row.id) == 0) {
			/* A container seen twice means the next pass began. */
			if (!s->no_stream)
				stats_commit_pass(s, now);
			break;
		}
	}
	if (s->n_batch == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct stats_entry *b = realloc(s->batch, cap * sizeof(*b));
		struct stats_entry *v = realloc(s->shown, cap * sizeof(*v));
		if (b)
			s->batch = b;
		if (v)
			s->shown = v;
		if (!b || !v)
			return -ENOMEM;
		s->cap = cap;
	}
	s->batch[s->n_batch++] = *e;
	return 0;
}

static int stats_handle_line(struct stats_source *src, const char *line, size_t len)
{
	struct stats_cmd *s = src->owner;
	struct stats_entry e = { 0 };
	int64_t now = stats_now_ns();
	json_t *obj;

	if (len == 0)
		return 0;
	obj = cli_parse_json(line, len, &s->err);
	if (!obj || dstats_row_from_json(obj, &e.row) < 0) {
		json_decref(obj);
		err_setx(&s->err, EPROTO, "invalid stats line from mstatd: %.80s", line);
		return -EPROTO;
	}
	json_decref(obj);

	src->got_data = true;
	s->last_data_ns = now;
	s->dirty = true;
	if (s->names) {
		snprintf(e.container, sizeof(e.container), "%s", s->names[src->name_index]);
		s->named[src->name_index] = e;
		s->has_row[src->name_index] = true;
		return 0;
	}
	/* docker names a listed container by its short ID */
	snprintf(e.container, sizeof(e.container), "%.12s", e.row.id);
	if (stats_add_to_pass(s, &e, now) < 0)
		return err_set(&s->err, ENOMEM, "storing stats failed");
	return 0;
}

static int stats_sink(const char *data, size_t len, void *userdata)
{
	struct stats_source *src = userdata;
	char *nl;

	strbuf_append(&src->line, data, len);
	if (src->line.error)
		return err_set(&src->owner->err, ENOMEM, "reading stats failed");
	while ((nl = memchr(src->line.data, '\n', src->line.len))) {
		size_t n = (size_t)(nl - src->line.data);
		*nl = '\0';
		int r = stats_handle_line(src, src->line.data, n);
		strbuf_consume(&src->line, n + 1);
		if (r < 0)
			return r;
	}
	return 0;
}

static int stats_open_source(struct stats_cmd *s, struct stats_source *src, const char *path,
			     struct api_multi *m)
{
	int r = api_call_new(&s->cli->api, "GET", path, NULL, &src->call, &s->err);

	if (r < 0)
		return r;
	api_call_set_sink(src->call, stats_sink, src);
	return api_multi_add(m, src->call, &s->err);
}

static int stats_open_sources(struct stats_cmd *s, struct api_multi *m)
{
	const char *stream = s->no_stream ? "stream=false" : "stream=true";
	char path[64];

	s->n_sources = s->names ? s->n_names : 1;
	s->sources = calloc(s->n_sources, sizeof(*s->sources));
	if (!s->sources)
		return err_set(&s->err, ENOMEM, "preparing the stats requests failed");

	for (size_t i = 0; i < s->n_sources; i++) {
		struct stats_source *src = &s->sources[i];
		char suffix[32];
		char *named_path;
		int r;

		src->owner = s;
		src->name_index = i;
		strbuf_init(&src->line);
		if (!s->names) {
			snprintf(path, sizeof(path), "/v1/stats?%s%s", stream,
				 s->all ? "&all=1" : "");
			r = stats_open_source(s, src, path, m);
		} else {
			snprintf(suffix, sizeof(suffix), "/stats?%s", stream);
			named_path = cli_container_path(s->names[i], suffix);
			if (!named_path)
				return err_set(&s->err, ENOMEM,
					       "preparing the stats requests failed");
			r = stats_open_source(s, src, named_path, m);
			free(named_path);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* Handles a finished request. Returns 0 to go on, or the exit status. */
static int stats_source_done(struct stats_cmd *s, struct stats_source *src, enum api_result code)
{
	struct mst_err err = { 0 };
	int r = api_call_finish(src->call, code, &err);

	src->done = true;
	if (src->call->sink_error < 0) {
		cli_print_error(&s->err); /* the sink stored its message there */
		return CLI_EXIT_ERROR;
	}
	if (r < 0) {
		cli_print_error(&err);
		/* docker stops when a named container cannot be read at all */
		return api_error_is_remote(&err) ? 1 : CLI_EXIT_ERROR;
	}
	if (s->names && src->got_data && !s->no_stream) {
		s->named[src->name_index].row.invalid = 1; /* shows "--" as docker */
		s->dirty = true;
	}
	return 0;
}

/* Renders what is due after a poll: a settled pass or stale rows. */
static void stats_tick(struct stats_cmd *s)
{
	int64_t now = stats_now_ns();
	int64_t stale =
	    3 * s->interval_ns > STATS_STALE_MIN_NS ? 3 * s->interval_ns : STATS_STALE_MIN_NS;

	if (s->no_stream)
		return;
	if (s->names) {
		if (s->dirty && now - s->last_data_ns >= STATS_SETTLE_NS)
			stats_render_named(s);
		return;
	}
	if (s->n_batch > 0 && now - s->last_data_ns >= STATS_SETTLE_NS)
		stats_commit_pass(s, now);
	else if (s->n_batch == 0 && s->n_shown > 0 && now - s->last_data_ns > stale)
		stats_commit_pass(s, now); /* every container went away */
}

static int stats_loop(struct stats_cmd *s, struct api_multi *m)
{
	int running = 1;

	if (s->tty && !s->no_stream && !s->names)
		stats_render(s, NULL, 0); /* the header, until the first pass arrives */

	while (running > 0) {
		struct api_call *call;
		enum api_result code;

		running = api_multi_step(m, -1, STATS_POLL_MS, NULL, &s->err);
		if (running < 0) {
			cli_print_error(&s->err);
			return CLI_EXIT_ERROR;
		}
		while (api_multi_next_done(m, &call, &code)) {
			for (size_t i = 0; i < s->n_sources; i++) {
				if (s->sources[i].call != call)
					continue;
				int status = stats_source_done(s, &s->sources[i], code);
				if (status != 0)
					return status;
			}
		}
		stats_tick(s);
	}

	/* The streams ended: show what the last pass or the one-shot request gave. */
	if (s->names)
		stats_render_named(s);
	else if (s->n_batch > 0 || s->no_stream)
		stats_commit_pass(s, stats_now_ns());
	return 0;
}

static int stats_parse(struct stats_cmd *s, int argc, char **argv, struct mst_err *err)
{
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":a", stats_options, NULL)) != -1) {
		switch (c) {
		case 'a':
			s->all = true;
			break;
		case OPT_NO_STREAM:
			s->no_stream = true;
			break;
		case OPT_NO_TRUNC:
			s->no_trunc = true;
			break;
		case OPT_FORMAT:
			/* docker 23 and later read "json" as {{json .}}, one object per
			 * line. */
			s->format = strcmp(optarg, "json") == 0 ? "{{json .}}" : optarg;
			break;
		case OPT_HELP:
			return 1;
		default:
			return cli_getopt_error(c, argv, stats_options, err);
		}
	}
	if (optind < argc) {
		s->names = argv + optind;
		s->n_names = (size_t)(argc - optind);
	}
	return 0;
}

static void stats_cleanup(struct stats_cmd *s, struct api_multi *m)
{
	for (size_t i = 0; i < s->n_sources; i++) {
		if (s->sources[i].call)
			api_multi_remove(m, s->sources[i].call);
		api_call_free(s->sources[i].call);
		strbuf_free(&s->sources[i].line);
	}
	api_multi_cleanup(m);
	free(s->sources);
	free(s->batch);
	free(s->shown);
	free(s->named);
	free(s->has_row);
	stats_view_free(&s->view);
}

int cmd_stats(struct cli *cli, int argc, char **argv)
{
	struct stats_cmd s = { .cli = cli, .tty = isatty(STDOUT_FILENO) };
	struct api_multi m = { 0 };
	struct mst_err err = { 0 };
	int status;
	int r = stats_parse(&s, argc, argv, &err);

	if (r == 1) {
		fputs(stats_usage, stdout);
		return 0;
	}
	if (r == 0)
		r = stats_view_init(&s.view, s.format, s.no_trunc, &err);
	if (r < 0)
		return cli_usage_error("stats", "%s", err.msg);

	if (s.names) {
		s.named = calloc(s.n_names, sizeof(*s.named));
		s.has_row = calloc(s.n_names, sizeof(*s.has_row));
	}
	r = (s.names && (!s.named || !s.has_row))
		? err_set(&s.err, ENOMEM, "preparing stats failed")
		: api_multi_init(&m, &s.err);
	if (r == 0)
		r = stats_open_sources(&s, &m);
	if (r < 0) {
		cli_print_error(&s.err);
		stats_cleanup(&s, &m);
		return CLI_EXIT_ERROR;
	}

	status = stats_loop(&s, &m);
	stats_cleanup(&s, &m);
	return status;
}
