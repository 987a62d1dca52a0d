/* SPDX-License-Identifier: MIT */
/*
 * Shared helpers of the `mstat` subcommands.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_util.h"

void cli_print_error(const struct mst_err *err)
{
	if (api_error_is_remote(err))
		fprintf(stderr, "%s\n", err->msg);
	else
		fprintf(stderr, "mstat: %s\n", err->msg[0] ? err->msg : strerror(err->code));
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("mstat: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nSee 'mstat %s%s--help'.\n", cmd ? cmd : "", cmd ? " " : "");
	return CLI_EXIT_ERROR;
}

static const struct option *cli_option_by_val(const struct option *longopts, int val)
{
	for (const struct option *o = longopts; o->name; o++)
		if (o->val == val)
			return o;
	return NULL;
}

int cli_getopt_error(int c, char **argv, const struct option *longopts, struct mst_err *err)
{
	const char *arg = argv[optind - 1];
	const struct option *o = optopt ? cli_option_by_val(longopts, optopt) : NULL;
	bool is_long = strncmp(arg, "--", 2) == 0;

	if (c == ':') {
		if (o && (is_long || optopt >= 256))
			return err_setx(err, EINVAL, "flag needs an argument: --%s", o->name);
		return err_setx(err, EINVAL, "flag needs an argument: '%c' in -%c", optopt, optopt);
	}
	if (is_long && o && o->has_arg == no_argument)
		return err_setx(err, EINVAL, "flag --%s does not take a value: %s", o->name, arg);
	if (!is_long && optopt)
		return err_setx(err, EINVAL, "unknown shorthand flag: '%c' in %s", optopt, arg);
	return err_setx(err, EINVAL, "unknown flag: %s", arg);
}

int cli_write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

char *cli_container_path(const char *name, const char *suffix)
{
	char *escaped = api_escape(name);
	char *path = NULL;

	if (!escaped)
		return NULL;
	if (asprintf(&path, "/v1/containers/%s%s", escaped, suffix) < 0)
		path = NULL;
	free(escaped);
	return path;
}

char *cli_exec_path(const char *id, const char *suffix)
{
	char *escaped = api_escape(id);
	char *path = NULL;

	if (!escaped)
		return NULL;
	if (asprintf(&path, "/v1/exec/%s%s", escaped, suffix) < 0)
		path = NULL;
	free(escaped);
	return path;
}

json_t *cli_parse_json(const char *text, size_t len, struct mst_err *err)
{
	json_error_t jerr;
	json_t *root = json_loadb(text, len, 0, &jerr);

	if (root)
		return root;
	if (json_error_code(&jerr) == json_error_numeric_overflow)
		root = json_loadb(text, len, JSON_DECODE_INT_AS_REAL, &jerr);
	if (!root)
		err_setx(err, EPROTO, "invalid JSON from mstatd at line %d: %s", jerr.line,
			 jerr.text);
	return root;
}

int cli_inspect_get(struct cli *cli, const char *name, json_t **ret_obj, struct strbuf *ret_body,
		    struct mst_err *err)
{
	char *path = cli_container_path(name, "/json");
	struct strbuf body;
	json_t *obj;
	int r;

	if (!path)
		return err_set(err, ENOMEM, "building the inspect request for %s failed", name);
	strbuf_init(&body);
	r = api_request(&cli->api, "GET", path, NULL, &body, NULL, err);
	free(path);
	obj = r == 0 ? cli_parse_json(strbuf_str(&body), body.len, err) : NULL;
	if (r == 0 && !json_is_object(obj)) {
		if (obj)
			err_setx(err, EPROTO, "invalid inspect object from mstatd for %s", name);
		json_decref(obj);
		r = -EPROTO;
	}
	if (r == 0 && ret_body)
		strbuf_append(ret_body, strbuf_str(&body), body.len);
	strbuf_free(&body);
	if (r < 0)
		return r;
	*ret_obj = obj;
	return 0;
}

int cli_inspect_io(struct cli *cli, const char *name, char ret_id[65], bool *ret_tty,
		   bool *ret_stdin, struct mst_err *err)
{
	json_t *root, *config;
	const char *id;
	int r = cli_inspect_get(cli, name, &root, NULL, err);

	if (r < 0)
		return r;
	config = json_object_get(root, "Config");
	id = json_string_value(json_object_get(root, "Id"));
	if (!id || strlen(id) != 64) {
		json_decref(root);
		return err_setx(err, EPROTO, "invalid inspect response from mstatd for %s", name);
	}
	memcpy(ret_id, id, 65);
	*ret_tty = json_is_true(json_object_get(config, "Tty"));
	*ret_stdin = json_is_true(json_object_get(config, "OpenStdin"));
	json_decref(root);
	return 0;
}
