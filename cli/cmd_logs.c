/* SPDX-License-Identifier: MIT */
/*
 * `mstat logs`: a container's stdout and stderr from mstatd's output log, as
 * `docker logs` prints them. The agent applies every filter; mstat only
 * builds the query and splits the multiplexed stream onto its own stdout and
 * stderr, or copies a terminal's raw stream to stdout.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/frames.h"
#include "common/parse.h"

static const char logs_usage[] =
    "Usage: mstat logs [OPTIONS] CONTAINER\n"
    "\n"
    "Print the output of a container, also after it exited.\n"
    "\n"
    "Options:\n"
    "  -f, --follow         Follow the output as it is written, until the\n"
    "                       container exits\n"
    "  -n, --tail N         Print only the last N lines (default \"all\")\n"
    "      --since TIME     Print output written from TIME on: Unix seconds,\n"
    "                       2026-01-02T15:04:05Z, or a duration ago (10m, 2h)\n"
    "      --until TIME     Print output written until TIME (same forms)\n"
    "  -t, --timestamps     Start each line with the time it was read (RFC 3339\n"
    "                       with nanoseconds, UTC)\n"
    "      --help           Print this help\n";

enum { OPT_HELP = 256, OPT_SINCE, OPT_UNTIL };

static const struct option logs_options[] = {
	{ "follow", no_argument, NULL, 'f' },
	{ "tail", required_argument, NULL, 'n' },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "until", required_argument, NULL, OPT_UNTIL },
	{ "timestamps", no_argument, NULL, 't' },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

struct logs_session {
	bool raw; /* the container has a terminal: no frames */
	struct frame_demux demux;
	bool closed[3]; /* by fd: a failed write drops later output of that fd */
};

static int logs_output(enum frame_stream stream, const char *data, size_t len, void *userdata)
{
	struct logs_session *s = userdata;
	int fd = stream == FRAME_STDERR ? STDERR_FILENO : STDOUT_FILENO;

	if (s->closed[fd])
		return 0;
	if (cli_write_all(fd, data, len) < 0)
		s->closed[fd] = true;
	/* `mstat logs -f | head` ends once the reader has closed the pipe. */
	return s->closed[STDOUT_FILENO] && stream == FRAME_STDOUT ? -EPIPE : 0;
}

static int logs_sink(const char *data, size_t len, void *userdata)
{
	struct logs_session *s = userdata;

	if (s->raw)
		return logs_output(FRAME_STDOUT, data, len, s);
	return frame_demux_feed(&s->demux, data, len);
}

static int add_param(struct strbuf *q, const char *key, const char *value)
{
	char *escaped = api_escape(value);

	if (!escaped)
		return -ENOMEM;
	strbuf_printf(q, "&%s=%s", key, escaped);
	free(escaped);
	return 0;
}

/* Parses one option into the query q. Returns -1 to go on, or the exit
 * status. */
static int logs_option(int c, struct strbuf *q)
{
	char when[32];
	uint64_t n;

	switch (c) {
	case 'f':
		strbuf_printf(q, "&follow=1");
		return -1;
	case 't':
		strbuf_printf(q, "&timestamps=1");
		return -1;
	case 'n':
		if (strcmp(optarg, "all") != 0 && parse_u64_str(optarg, &n) < 0)
			return cli_usage_error("logs",
					       "invalid value \"%s\" for --tail: expected a number "
					       "of lines or \"all\"",
					       optarg);
		return add_param(q, "tail", optarg) < 0 ? CLI_EXIT_ERROR : -1;
	case OPT_SINCE:
	case OPT_UNTIL:
		if (cli_parse_time(optarg, when, sizeof(when)) < 0)
			return cli_usage_error("logs",
					       "invalid value \"%s\" for --%s: expected Unix "
					       "seconds, 2026-01-02T15:04:05Z or a duration such "
					       "as 10m",
					       optarg, c == OPT_SINCE ? "since" : "until");
		return add_param(q, c == OPT_SINCE ? "since" : "until", when) < 0 ? CLI_EXIT_ERROR
										  : -1;
	case OPT_HELP:
		fputs(logs_usage, stdout);
		return 0;
	}
	return CLI_EXIT_ERROR;
}

static int logs_fetch(struct cli *cli, const char *name, const char *query)
{
	struct logs_session s = { 0 };
	struct mst_err err = { 0 };
	struct api_call *call = NULL;
	char id[65], *path = NULL;
	bool open_stdin;
	int r;

	/* As docker logs does, the terminal setting decides how the stream is
	 * read. The id keeps a container of the same name created meanwhile out. */
	r = cli_inspect_io(cli, name, id, &s.raw, &open_stdin, &err);
	if (r == 0) {
		path = cli_container_path(id, query);
		r = path ? 0 : err_set(&err, ENOMEM, "building the logs request");
	}
	frame_demux_init(&s.demux, logs_output, &s);
	if (r == 0)
		r = api_call_new(&cli->api, "GET", path, NULL, &call, &err);
	free(path);
	if (r == 0) {
		api_call_set_sink(call, logs_sink, &s);
		r = api_call_run(call, &err);
	}
	api_call_free(call);
	if (r == -EPIPE)
		return 0;
	if (r == -EPROTO)
		err_setx(&err, EPROTO, "invalid log stream from mstatd: bad frame header");
	if (r < 0) {
		cli_print_error(&err);
		return api_error_is_remote(&err) ? 1 : CLI_EXIT_ERROR;
	}
	if (!s.raw && !frame_demux_at_boundary(&s.demux))
		fprintf(stderr, "mstat: the log stream of %s ended inside a frame\n", name);
	return 0;
}

int cmd_logs(struct cli *cli, int argc, char **argv)
{
	struct strbuf q;
	int c, status = -1;

	strbuf_init(&q);
	strbuf_printf(&q, "/logs?stdout=1&stderr=1");
	optind = 0; /* glibc: rescan from argv[1] with fresh state */
	opterr = 0;
	while (status < 0 && (c = getopt_long(argc, argv, ":fn:t", logs_options, NULL)) != -1) {
		if (c == '?' || c == ':') {
			struct mst_err err = { 0 };

			cli_getopt_error(c, argv, logs_options, &err);
			status = cli_usage_error("logs", "%s", err.msg);
			break;
		}
		status = logs_option(c, &q);
	}
	if (status < 0 && optind != argc - 1)
		status = cli_usage_error("logs", "\"mstat logs\" requires exactly 1 argument");
	if (status < 0)
		status = logs_fetch(cli, argv[optind], strbuf_str(&q));
	strbuf_free(&q);
	return status;
}
