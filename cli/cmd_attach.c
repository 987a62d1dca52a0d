/* SPDX-License-Identifier: MIT */
/*
 * `mstat attach`: attach this terminal (or stdin, stdout and stderr) to a
 * running container, as `docker attach` does. The detach keys leave the
 * container running; when the container exits, mstat exits with its status.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/tty.h"

static const char attach_usage[] =
    "Usage: mstat attach [OPTIONS] CONTAINER\n"
    "\n"
    "Attach this terminal to a running container: its output from now on, and\n"
    "with a container started with -i, this terminal's input.\n"
    "\n"
    "Options:\n"
    "      --detach-keys KEYS  Keys that detach and leave the container running\n"
    "                          (default ctrl-p,ctrl-q; \"\" for none)\n"
    "      --no-stdin          Do not attach stdin\n"
    "      --help              Print this help\n";

enum { OPT_HELP = 256, OPT_DETACH_KEYS, OPT_NO_STDIN };

static const struct option attach_options[] = {
	{ "detach-keys", required_argument, NULL, OPT_DETACH_KEYS },
	{ "no-stdin", no_argument, NULL, OPT_NO_STDIN },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

/* The exit status of a container whose output ended. */
static int attach_exit_status(struct cli *cli, const char *id)
{
	char *path = cli_container_path(id, "/wait");
	struct mst_err err = { 0 };
	struct strbuf body;
	json_t *reply;
	int status = CLI_EXIT_ERROR;

	strbuf_init(&body);
	if (path && api_request(&cli->api, "POST", path, NULL, &body, NULL, &err) == 0) {
		reply = cli_parse_json(strbuf_str(&body), body.len, &err);
		if (json_is_integer(json_object_get(reply, "StatusCode")))
			status =
			    (int)(json_integer_value(json_object_get(reply, "StatusCode")) & 0xff);
		json_decref(reply);
	} else if (err.code == ENOENT) {
		status = 0; /* removed at exit (--rm): the status is gone */
	} else {
		cli_print_error(&err);
	}
	free(path);
	strbuf_free(&body);
	return status;
}

int cmd_attach(struct cli *cli, int argc, char **argv)
{
	struct tty_attach_opts ao = { .proxy_signals = true };
	const char *keys = TTY_DEFAULT_DETACH_KEYS;
	struct mst_err err = { 0 };
	bool no_stdin = false, open_stdin = false;
	char id[65];
	int c, r;

	optind = 0; /* glibc: rescan from argv[1] with fresh state */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", attach_options, NULL)) != -1) {
		if (c == OPT_HELP) {
			fputs(attach_usage, stdout);
			return 0;
		}
		if (c == OPT_DETACH_KEYS)
			keys = optarg;
		else if (c == OPT_NO_STDIN)
			no_stdin = true;
		else {
			cli_getopt_error(c, argv, attach_options, &err);
			return cli_usage_error("attach", "%s", err.msg);
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("attach", "\"mstat attach\" requires exactly 1 argument");
	if (tty_detach_parse(keys, &ao.detach, &err) < 0)
		return cli_usage_error("attach", "%s", err.msg);

	r = cli_inspect_io(cli, argv[optind], id, &ao.tty, &open_stdin, &err);
	if (r < 0) {
		cli_print_error(&err);
		return api_error_is_remote(&err) ? 1 : CLI_EXIT_ERROR;
	}
	ao.send_stdin = open_stdin && !no_stdin;
	if (ao.tty && ao.send_stdin && !isatty(STDIN_FILENO)) {
		fprintf(stderr, "mstat: the input device is not a TTY: attach from a terminal, or "
				"use --no-stdin\n");
		return 1;
	}
	r = tty_attach(cli, id, &ao, &err);
	if (r < 0) {
		cli_print_error(&err);
		return api_error_is_remote(&err) ? 1 : CLI_EXIT_ERROR;
	}
	if (r == TTY_ATTACH_DETACHED) {
		fprintf(stderr, "read escape sequence\n");
		return 0;
	}
	return attach_exit_status(cli, id);
}
