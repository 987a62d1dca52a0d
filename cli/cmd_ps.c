/* SPDX-License-Identifier: MIT */
/*
 * `mstat ps`: the container list as `docker ps` prints it, newest first,
 * with the columns CONTAINER ID, COMMAND, CREATED, STATUS, PORTS and NAMES.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/commands.h"
#include "cli/humanize.h"
#include "cli/tabwriter.h"

#define PS_SHORT_ID_LEN	 12
#define PS_COMMAND_WIDTH 20

struct ps_opts {
	bool all;
	bool quiet;
	bool no_trunc;
};

static const char ps_usage[] = "Usage: mstat ps [OPTIONS]\n"
			       "\n"
			       "List containers (running ones unless -a is given).\n"
			       "\n"
			       "Options:\n"
			       "  -a, --all        Show all containers, including stopped ones\n"
			       "  -q, --quiet      Print only container IDs\n"
			       "      --no-trunc   Print full IDs and commands\n"
			       "      --help       Print this help\n";

enum { OPT_NO_TRUNC = 256, OPT_HELP };

static const struct option ps_options[] = {
	{ "all", no_argument, NULL, 'a' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "no-trunc", no_argument, NULL, OPT_NO_TRUNC },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static int64_t ps_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Reads "Created": Unix seconds in the list (as docker), or RFC 3339. */
static int64_t ps_created_ns(json_t *entry)
{
	json_t *created = json_object_get(entry, "Created");
	int64_t ns = 0;

	if (json_is_integer(created))
		return (int64_t)json_integer_value(created) * 1000000000;
	if (json_is_string(created) && parse_rfc3339(json_string_value(created), &ns) == 0)
		return ns;
	return 0;
}

/* Computes the STATUS text from the inspect object, for a list entry whose
 * Status is not already the human-readable text. */
static void ps_status_from_inspect(struct cli *cli, const char *id, int64_t now, char *buf,
				   size_t size)
{
	struct mst_err err = { 0 };
	struct strbuf body;
	char *path = cli_container_path(id, "/json");
	json_t *root = NULL, *state;

	snprintf(buf, size, "%s", "");
	strbuf_init(&body);
	if (path && api_request(&cli->api, "GET", path, NULL, &body, NULL, &err) == 0)
		root = cli_parse_json(strbuf_str(&body), body.len, &err);
	state = json_object_get(root, "State");
	if (json_is_object(state)) {
		struct container_times t = {
			.state = json_string_value(json_object_get(state, "Status")),
			.exit_code = (int)json_integer_value(json_object_get(state, "ExitCode")),
		};
		const char *started = json_string_value(json_object_get(state, "StartedAt"));
		const char *finished = json_string_value(json_object_get(state, "FinishedAt"));

		if (started)
			(void)parse_rfc3339(started, &t.started_ns);
		if (finished)
			(void)parse_rfc3339(finished, &t.finished_ns);
		container_status_text(&t, now, buf, size);
	}
	json_decref(root);
	strbuf_free(&body);
	free(path);
}

/* Writes docker's PORTS cell: "0.0.0.0:8080->80/tcp, [::1]:53->53/udp". */
static void ps_format_ports(json_t *ports, struct strbuf *out)
{
	for (size_t i = 0; i < json_array_size(ports); i++) {
		json_t *p = json_array_get(ports, i);
		const char *ip = json_string_value(json_object_get(p, "IP"));
		const char *type = json_string_value(json_object_get(p, "Type"));
		json_int_t private_port = json_integer_value(json_object_get(p, "PrivatePort"));
		json_int_t public_port = json_integer_value(json_object_get(p, "PublicPort"));

		strbuf_puts(out, i > 0 ? ", " : "");
		if (ip && public_port > 0)
			strbuf_printf(out, strchr(ip, ':') ? "[%s]:%lld->" : "%s:%lld->", ip,
				      (long long)public_port);
		strbuf_printf(out, "%lld/%s", (long long)private_port, type ? type : "tcp");
	}
}

static void ps_format_row(struct cli *cli, const struct ps_opts *o, json_t *entry, int64_t now,
			  struct strbuf *out)
{
	const char *id = json_string_value(json_object_get(entry, "Id"));
	const char *command = json_string_value(json_object_get(entry, "Command"));
	const char *state = json_string_value(json_object_get(entry, "State"));
	const char *status = json_string_value(json_object_get(entry, "Status"));
	json_t *names = json_object_get(entry, "Names");
	struct strbuf cmd;
	char since[64], status_buf[128];

	id = id ? id : "";
	strbuf_printf(out, "%.*s\t", o->no_trunc ? (int)strlen(id) : PS_SHORT_ID_LEN, id);

	strbuf_init(&cmd);
	if (o->no_trunc)
		strbuf_puts(&cmd, command ? command : "");
	else
		ellipsis(command ? command : "", PS_COMMAND_WIDTH, &cmd);
	go_quote(strbuf_str(&cmd), out);
	strbuf_free(&cmd);

	human_duration(now - ps_created_ns(entry), since, sizeof(since));
	strbuf_printf(out, "\t%s ago\t", since);

	/* mstatd sends docker's text ("Up 3 seconds"); a bare state word means
	 * an agent that does not, so the text is computed here. */
	if (!status || !status[0] || (state && strcmp(status, state) == 0)) {
		ps_status_from_inspect(cli, id, now, status_buf, sizeof(status_buf));
		status = status_buf;
	}
	strbuf_printf(out, "%s\t", status);
	ps_format_ports(json_object_get(entry, "Ports"), out);
	strbuf_putc(out, '\t');

	for (size_t i = 0; i < json_array_size(names); i++) {
		const char *name = json_string_value(json_array_get(names, i));
		if (!name)
			continue;
		strbuf_printf(out, "%s%s", i > 0 ? "," : "", name[0] == '/' ? name + 1 : name);
		if (!o->no_trunc)
			break; /* docker prints one name unless --no-trunc */
	}
	strbuf_putc(out, '\n');
}

struct ps_item {
	json_t *entry;
	int64_t created_ns;
	size_t index; /* position in the server's list, to keep ties in order */
};

static int ps_compare_created(const void *a, const void *b)
{
	const struct ps_item *x = a, *y = b;

	if (x->created_ns != y->created_ns)
		return x->created_ns < y->created_ns ? 1 : -1;
	if (x->index != y->index)
		return x->index < y->index ? -1 : 1;
	return 0;
}

static int ps_parse(struct ps_opts *o, int argc, char **argv, struct mst_err *err)
{
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":aq", ps_options, NULL)) != -1) {
		switch (c) {
		case 'a':
			o->all = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case OPT_NO_TRUNC:
			o->no_trunc = true;
			break;
		case OPT_HELP:
			return 1;
		default:
			return cli_getopt_error(c, argv, ps_options, err);
		}
	}
	if (optind < argc)
		return err_setx(err, EINVAL, "\"mstat ps\" accepts no arguments, got \"%s\"",
				argv[optind]);
	return 0;
}

static int ps_print(struct cli *cli, const struct ps_opts *o, json_t *list)
{
	size_t n = json_array_size(list);
	struct ps_item *items = calloc(n ? n : 1, sizeof(*items));
	struct strbuf text, out;
	int64_t now = ps_now_ns();
	int r;

	if (!items)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		items[i].entry = json_array_get(list, i);
		items[i].created_ns = ps_created_ns(items[i].entry);
		items[i].index = i;
	}
	qsort(items, n, sizeof(*items), ps_compare_created);

	strbuf_init(&text);
	strbuf_init(&out);
	if (!o->quiet)
		strbuf_puts(&text, "CONTAINER ID\tCOMMAND\tCREATED\tSTATUS\tPORTS\tNAMES\n");
	for (size_t i = 0; i < n; i++) {
		if (o->quiet) {
			const char *id = json_string_value(json_object_get(items[i].entry, "Id"));
			id = id ? id : "";
			strbuf_printf(&text, "%.*s\n",
				      o->no_trunc ? (int)strlen(id) : PS_SHORT_ID_LEN, id);
			continue;
		}
		ps_format_row(cli, o, items[i].entry, now, &text);
	}
	r = tabwriter_format(strbuf_str(&text), text.len, TABWRITER_DOCKER_MINWIDTH,
			     TABWRITER_DOCKER_PADDING, &out);
	if (r == 0 && text.error)
		r = text.error;
	if (r == 0)
		r = cli_write_all(1, strbuf_str(&out), out.len);
	strbuf_free(&text);
	strbuf_free(&out);
	free(items);
	return r;
}

int cmd_ps(struct cli *cli, int argc, char **argv)
{
	struct ps_opts o = { 0 };
	struct mst_err err = { 0 };
	struct strbuf body;
	json_t *list;
	int r = ps_parse(&o, argc, argv, &err);

	if (r == 1) {
		fputs(ps_usage, stdout);
		return 0;
	}
	if (r < 0)
		return cli_usage_error("ps", "%s", err.msg);

	strbuf_init(&body);
	r = api_request(&cli->api, "GET", o.all ? "/v1/containers?all=1" : "/v1/containers", NULL,
			&body, NULL, &err);
	if (r < 0) {
		strbuf_free(&body);
		cli_print_error(&err);
		return api_error_is_remote(&err) ? 1 : CLI_EXIT_ERROR;
	}
	list = cli_parse_json(strbuf_str(&body), body.len, &err);
	strbuf_free(&body);
	if (!json_is_array(list)) {
		if (list)
			err_setx(&err, EPROTO, "invalid container list from mstatd: not an array");
		json_decref(list);
		cli_print_error(&err);
		return CLI_EXIT_ERROR;
	}

	r = ps_print(cli, &o, list);
	json_decref(list);
	if (r < 0) {
		fprintf(stderr, "mstat: writing the container list failed: %s\n", strerror(-r));
		return CLI_EXIT_ERROR;
	}
	return 0;
}
