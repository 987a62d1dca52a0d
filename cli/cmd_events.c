/* SPDX-License-Identifier: MIT */
/*
 * `mstat events`: container events from GET /v1/events, one line each, as
 * `docker events` prints them, or through a --format template. Without
 * --until it follows new events until interrupted.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/template.h"
#include "common/parse.h"

static const char events_usage[] =
    "Usage: mstat events [OPTIONS]\n"
    "\n"
    "Print container events (create, start, die, oom, kill, stop, destroy) as\n"
    "they happen. mstatd keeps the last 1024 events for --since.\n"
    "\n"
    "Options:\n"
    "  -f, --filter KEY=VALUE  Print only matching events: container=NAME,\n"
    "                          event=KIND (oom, die or exit, ...); repeat it to\n"
    "                          allow several values\n"
    "      --format TEMPLATE   Print each event with a Go template, e.g.\n"
    "                          '{{.Action}} {{.Actor.Attributes.name}}';\n"
    "                          \"json\" prints the JSON line\n"
    "      --since TIME        Print kept events from TIME on: Unix seconds,\n"
    "                          2026-01-02T15:04:05Z, or a duration ago (10m, 2h)\n"
    "      --until TIME        Stop at TIME (same forms as --since)\n"
    "      --help              Print this help\n";

enum { OPT_HELP = 256, OPT_SINCE, OPT_UNTIL, OPT_FORMAT };

static const struct option events_options[] = {
	{ "filter", required_argument, NULL, 'f' },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "until", required_argument, NULL, OPT_UNTIL },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

struct events_opts {
	char *query; /* "?since=...&filter=..." built from the options */
	const char *format;
	struct tpl *tpl;
	struct strbuf line; /* bytes of the current, incomplete line */
	struct mst_err err;
};

/* Shared with `mstat logs` through cli_util.h. */
int cli_parse_time(const char *s, char *ret, size_t size)
{
	static const struct {
		char suffix;
		uint64_t seconds;
	} units[] = { { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 } };
	size_t len = strlen(s);
	struct tm tm;
	uint64_t n;

	if (len > 0 && strspn(s, "0123456789.") == len) {
		snprintf(ret, size, "%s", s);
		return 0;
	}
	for (size_t i = 0; len > 1 && i < sizeof(units) / sizeof(units[0]); i++) {
		if (s[len - 1] != units[i].suffix || parse_u64(s, len - 1, &n) < 0)
			continue;
		if (n > (uint64_t)time(NULL) / units[i].seconds)
			return -ERANGE;
		snprintf(ret, size, "%lld",
			 (long long)time(NULL) - (long long)(n * units[i].seconds));
		return 0;
	}
	memset(&tm, 0, sizeof(tm));
	const char *end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!end || *end != '\0')
		return -EINVAL;
	snprintf(ret, size, "%lld", (long long)timegm(&tm));
	return 0;
}

static int add_param(struct strbuf *q, const char *key, const char *value)
{
	char *escaped = api_escape(value);

	if (!escaped)
		return -ENOMEM;
	strbuf_printf(q, "%c%s=%s", q->len == 0 ? '?' : '&', key, escaped);
	free(escaped);
	return 0;
}

static int events_option(struct events_opts *o, int c, struct strbuf *q)
{
	const char *name = c == OPT_SINCE ? "since" : "until";
	char when[32];

	switch (c) {
	case 'f':
		if (!strchr(optarg, '='))
			return cli_usage_error("events",
					       "invalid filter \"%s\": expected KEY=VALUE, such as "
					       "container=web or event=oom",
					       optarg);
		return add_param(q, "filter", optarg) < 0 ? CLI_EXIT_ERROR : 0;
	case OPT_FORMAT:
		o->format = optarg;
		return 0;
	case OPT_SINCE:
	case OPT_UNTIL:
		if (cli_parse_time(optarg, when, sizeof(when)) < 0)
			return cli_usage_error(
			    "events",
			    "invalid value \"%s\" for --%s: expected Unix seconds, "
			    "2026-01-02T15:04:05Z or a duration such as 10m",
			    optarg, name);
		return add_param(q, name, when) < 0 ? CLI_EXIT_ERROR : 0;
	}
	return CLI_EXIT_ERROR;
}

/* Parses argv. Returns -1 to go on, or the exit status. */
static int events_parse(int argc, char **argv, struct events_opts *o)
{
	struct strbuf q;
	int c, status;

	strbuf_init(&q);
	optind = 0; /* glibc: rescan from argv[1] with fresh state */
	while ((c = getopt_long(argc, argv, ":f:", events_options, NULL)) != -1) {
		if (c == OPT_HELP) {
			fputs(events_usage, stdout);
			strbuf_free(&q);
			return 0;
		}
		if (c == '?' || c == ':') {
			struct mst_err err = { 0 };

			(void)cli_getopt_error(c, argv, events_options, &err);
			strbuf_free(&q);
			return cli_usage_error("events", "%s", err.msg);
		}
		status = events_option(o, c, &q);
		if (status != 0) {
			strbuf_free(&q);
			return status;
		}
	}
	if (optind < argc) {
		strbuf_free(&q);
		return cli_usage_error("events", "\"events\" accepts no arguments, got \"%s\"",
				       argv[optind]);
	}
	o->query = strdup(strbuf_str(&q));
	strbuf_free(&q);
	return o->query ? -1 : CLI_EXIT_ERROR;
}

static int compare_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Prints an event as docker does: time, type, action, id, then the
 * attributes sorted by key in brackets. */
static void print_default(json_t *ev, struct strbuf *out)
{
	json_t *attrs = json_object_get(json_object_get(ev, "Actor"), "Attributes");
	json_int_t ns = json_integer_value(json_object_get(ev, "timeNano"));
	time_t sec = (time_t)(ns / 1000000000);
	const char **keys;
	size_t n = json_object_size(attrs), i = 0;
	const char *key;
	json_t *value;
	char when[32];
	struct tm tm;

	gmtime_r(&sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	strbuf_printf(out, "%s.%09lldZ %s %s %s", when, (long long)(ns % 1000000000),
		      json_string_value(json_object_get(ev, "Type")),
		      json_string_value(json_object_get(ev, "Action")),
		      json_string_value(json_object_get(ev, "id")));

	keys = calloc(n ? n : 1, sizeof(*keys));
	if (!keys)
		return;
	json_object_foreach(attrs, key, value)
	{
		keys[i++] = key;
	}
	qsort(keys, n, sizeof(*keys), compare_keys);
	for (i = 0; i < n; i++)
		strbuf_printf(out, "%s%s=%s", i == 0 ? " (" : ", ", keys[i],
			      json_string_value(json_object_get(attrs, keys[i])));
	if (n)
		strbuf_putc(out, ')');
	free(keys);
}

/* Prints one JSON line of the stream. */
static int print_event(struct events_opts *o, const char *text, size_t len)
{
	struct strbuf out;
	json_t *ev;
	int r = 0;

	if (o->format && strcmp(o->format, "json") == 0) {
		r = cli_write_all(STDOUT_FILENO, text, len);
		return r < 0 ? r : cli_write_all(STDOUT_FILENO, "\n", 1);
	}
	ev = cli_parse_json(text, len, &o->err);
	if (!json_is_object(ev)) {
		json_decref(ev);
		return err_setx(&o->err, EPROTO, "invalid event from mstatd: %.*s", (int)len, text);
	}
	strbuf_init(&out);
	if (o->tpl)
		r = tpl_execute(o->tpl, ev, 0, &out, &o->err);
	else
		print_default(ev, &out);
	json_decref(ev);
	if (r == 0) {
		strbuf_putc(&out, '\n');
		r = out.error < 0 ? out.error : cli_write_all(STDOUT_FILENO, out.data, out.len);
	}
	strbuf_free(&out);
	return r;
}

/* Receives the stream and prints each complete line. */
static int events_sink(const char *data, size_t len, void *userdata)
{
	struct events_opts *o = userdata;
	const char *nl;
	int r;

	strbuf_append(&o->line, data, len);
	if (o->line.error < 0)
		return o->line.error;
	while ((nl = memchr(strbuf_str(&o->line), '\n', o->line.len))) {
		size_t n = (size_t)(nl - strbuf_str(&o->line));

		r = n > 0 ? print_event(o, strbuf_str(&o->line), n) : 0;
		if (r < 0)
			return r;
		strbuf_consume(&o->line, n + 1);
	}
	return 0;
}

int cmd_events(struct cli *cli, int argc, char **argv)
{
	struct events_opts o = { 0 };
	struct api_call *call = NULL;
	char *path = NULL;
	int status, r;

	status = events_parse(argc, argv, &o);
	if (status >= 0)
		return status;
	if (o.format && strcmp(o.format, "json") != 0 && tpl_parse(o.format, &o.tpl, &o.err) < 0) {
		free(o.query);
		return cli_usage_error("events", "%s", o.err.msg);
	}
	strbuf_init(&o.line);
	status = CLI_EXIT_ERROR;
	if (asprintf(&path, "/v1/events%s", o.query) < 0) {
		path = NULL;
		err_setx(&o.err, ENOMEM, "building the request failed");
		goto out;
	}
	r = api_call_new(&cli->api, "GET", path, NULL, &call, &o.err);
	if (r < 0)
		goto out;
	api_call_set_sink(call, events_sink, &o);
	r = api_call_run(call, &o.err);
	/* A reader that stopped early (| head) ends the stream quietly, as with
	 * docker events. */
	if (r == 0 || call->sink_error == -EPIPE)
		status = 0;
	else if (call->sink_error < 0 && o.err.code == 0)
		err_set(&o.err, -call->sink_error, "printing the events failed");
out:
	if (status != 0)
		cli_print_error(&o.err);
	api_call_free(call);
	free(path);
	free(o.query);
	tpl_free(o.tpl);
	strbuf_free(&o.line);
	return status;
}
