/* SPDX-License-Identifier: MIT */
/*
 * `mstat inspect`: the inspect objects of the named containers as one JSON
 * array indented by 4 spaces, or each rendered with a --format template.
 * As docker does, the containers that exist are printed, the errors follow
 * on stderr, and the exit status is then 1.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/jsonfmt.h"
#include "cli/template.h"

static const char inspect_usage[] =
    "Usage: mstat inspect [OPTIONS] CONTAINER...\n"
    "\n"
    "Print detailed information on containers as a JSON array.\n"
    "\n"
    "Options:\n"
    "  -f, --format TEMPLATE  Print each container with a Go template, e.g.\n"
    "                         '{{.State.Pid}}', '{{json .State}}',\n"
    "                         '{{index .Config.Env 0}}'; \"json\" prints compact JSON\n"
    "      --help             Print this help\n";

enum { OPT_HELP = 256 };

static const struct option inspect_options[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

struct inspect_result {
	struct strbuf raw;    /* every object's bytes, comma-separated */
	json_t *objects;      /* the same objects, parsed */
	struct strbuf errors; /* one line per failed container */
};

/* Fetches one container's inspect object and adds it to res. */
static int inspect_fetch(struct cli *cli, const char *name, struct inspect_result *res,
			 struct mst_err *err)
{
	struct strbuf body;
	json_t *obj;

	strbuf_init(&body);
	int r = cli_inspect_get(cli, name, &obj, &body, err);
	if (r < 0) {
		strbuf_free(&body);
		return r;
	}
	if (res->raw.len > 1) /* more than the opening '[' */
		strbuf_putc(&res->raw, ',');
	strbuf_append(&res->raw, strbuf_str(&body), body.len);
	json_array_append_new(res->objects, obj);
	strbuf_free(&body);
	return 0;
}

/* Renders the collected objects: an indented JSON array without a format,
 * compact JSON for "json", otherwise one template output per object. */
static int inspect_render(const char *format, struct tpl *tpl, struct inspect_result *res,
			  struct strbuf *out)
{
	struct mst_err err = { 0 };
	size_t i;
	json_t *obj;

	if (!format) {
		strbuf_putc(&res->raw, ']');
		json_indent(strbuf_str(&res->raw), res->raw.len, "    ", out);
		strbuf_putc(out, '\n');
		return 0;
	}
	if (strcmp(format, "json") == 0) {
		char *text = json_dumps(res->objects, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (!text)
			return -ENOMEM;
		strbuf_printf(out, "%s\n", text);
		free(text);
		return 0;
	}

	json_array_foreach(res->objects, i, obj)
	{
		size_t mark = out->len;
		if (tpl_execute(tpl, obj, 0, out, &err) < 0) {
			out->len = mark; /* docker drops the partial output */
			if (out->data)
				out->data[mark] = '\0';
			strbuf_printf(&res->errors, "mstat: %s\n", err.msg);
			continue;
		}
		strbuf_putc(out, '\n');
	}
	/* docker's template inspector prints one empty line when nothing rendered */
	if (out->len == 0)
		strbuf_putc(out, '\n');
	return 0;
}

static int inspect_parse(int argc, char **argv, const char **ret_format, struct mst_err *err)
{
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:", inspect_options, NULL)) != -1) {
		if (c == OPT_HELP)
			return 1;
		if (c != 'f')
			return cli_getopt_error(c, argv, inspect_options, err);
		*ret_format = optarg[0] ? optarg : NULL;
	}
	if (optind >= argc)
		return err_setx(err, EINVAL,
				"\"mstat inspect\" requires at least 1 container name");
	return 0;
}

int cmd_inspect(struct cli *cli, int argc, char **argv)
{
	struct inspect_result res = { .objects = json_array() };
	struct mst_err err = { 0 };
	const char *format = NULL;
	struct tpl *tpl = NULL;
	struct strbuf out;
	int status = 0;
	int r = inspect_parse(argc, argv, &format, &err);

	if (r == 1) {
		json_decref(res.objects);
		fputs(inspect_usage, stdout);
		return 0;
	}
	if (r == 0 && format && strcmp(format, "json") != 0)
		r = tpl_parse(format, &tpl, &err);
	if (r < 0 || !res.objects) {
		json_decref(res.objects);
		return cli_usage_error("inspect", "%s", r < 0 ? err.msg : "out of memory");
	}

	strbuf_init(&res.raw);
	strbuf_init(&res.errors);
	strbuf_init(&out);
	strbuf_putc(&res.raw, '[');
	for (int i = optind; i < argc; i++) {
		r = inspect_fetch(cli, argv[i], &res, &err);
		if (r < 0 && !api_error_is_remote(&err)) {
			/* mstatd unreachable or not speaking its API: stop here */
			cli_print_error(&err);
			status = CLI_EXIT_ERROR;
			goto out;
		}
		if (r < 0)
			strbuf_printf(&res.errors, "%s\n", err.msg);
	}
	/* The opening '[' counts, so 1 means that no object was collected. */
	if (res.raw.len == 1 && !format)
		strbuf_puts(&out, "[]\n");
	else if (inspect_render(format, tpl, &res, &out) < 0)
		strbuf_puts(&res.errors, "mstat: formatting the output failed: out of memory\n");

	(void)cli_write_all(1, strbuf_str(&out), out.len);
	(void)cli_write_all(2, strbuf_str(&res.errors), res.errors.len);
	status = res.errors.len > 0 ? 1 : 0;
out:
	tpl_free(tpl);
	json_decref(res.objects);
	strbuf_free(&res.raw);
	strbuf_free(&res.errors);
	strbuf_free(&out);
	return status;
}
