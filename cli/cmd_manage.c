/* SPDX-License-Identifier: MIT */
/*
 * `mstat start`, `stop`, `restart`, `kill` and `rm`: one request per container.
 * As docker does, each name is printed when its request succeeds, every
 * container is tried, and the exit status is 1 when any of them failed.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "common/parse.h"

enum manage_action {
	MANAGE_START,
	MANAGE_STOP,
	MANAGE_RESTART,
	MANAGE_KILL,
	MANAGE_RM,
};

struct manage_opts {
	enum manage_action action;
	const char *command; /* "start", "stop", "restart", "kill" or "rm" */
	long long timeout_s; /* stop and restart: -1 leaves mstatd's default (10 s) */
	int signal;	     /* kill: 0 leaves mstatd's default (SIGKILL) */
	bool force;	     /* rm */
};

static const char stop_usage[] =
    "Usage: mstat stop [OPTIONS] CONTAINER...\n"
    "\n"
    "Stop running containers: send SIGTERM, then SIGKILL after a grace period.\n"
    "\n"
    "Options:\n"
    "  -t, --time SECONDS   Seconds to wait before killing the container (default 10)\n"
    "      --help           Print this help\n";

static const char start_usage[] = "Usage: mstat start CONTAINER...\n"
				  "\n"
				  "Start created or exited containers in the background.\n"
				  "\n"
				  "Options:\n"
				  "      --help           Print this help\n";

static const char restart_usage[] =
    "Usage: mstat restart [OPTIONS] CONTAINER...\n"
    "\n"
    "Stop containers as mstat stop does, then start them again. The restart count\n"
    "of the restart policy starts from zero.\n"
    "\n"
    "Options:\n"
    "  -t, --time SECONDS   Seconds to wait before killing the container (default 10)\n"
    "      --help           Print this help\n";

static const char kill_usage[] =
    "Usage: mstat kill [OPTIONS] CONTAINER...\n"
    "\n"
    "Send a signal to running containers.\n"
    "\n"
    "Options:\n"
    "  -s, --signal SIGNAL  Signal name or number to send (default KILL)\n"
    "      --help           Print this help\n";

static const char rm_usage[] = "Usage: mstat rm [OPTIONS] CONTAINER...\n"
			       "\n"
			       "Remove containers.\n"
			       "\n"
			       "Options:\n"
			       "  -f, --force          Kill and remove a running container\n"
			       "      --help           Print this help\n";

enum { OPT_HELP = 256 };

static const struct option stop_options[] = {
	{ "time", required_argument, NULL, 't' },
	{ "timeout", required_argument, NULL, 't' },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static const struct option start_options[] = {
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static const struct option kill_options[] = {
	{ "signal", required_argument, NULL, 's' },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static const struct option rm_options[] = {
	{ "force", no_argument, NULL, 'f' },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

/* Builds the request path for one container. */
static char *manage_path(const struct manage_opts *o, const char *name)
{
	char suffix[64] = "";

	switch (o->action) {
	case MANAGE_START:
		snprintf(suffix, sizeof(suffix), "/start");
		break;
	case MANAGE_STOP:
	case MANAGE_RESTART:
		if (o->timeout_s >= 0)
			snprintf(suffix, sizeof(suffix), "/%s?t=%lld", o->command, o->timeout_s);
		else
			snprintf(suffix, sizeof(suffix), "/%s", o->command);
		break;
	case MANAGE_KILL:
		if (o->signal > 0)
			snprintf(suffix, sizeof(suffix), "/kill?signal=%d", o->signal);
		else
			snprintf(suffix, sizeof(suffix), "/kill");
		break;
	case MANAGE_RM:
		snprintf(suffix, sizeof(suffix), "%s", o->force ? "?force=1" : "");
		break;
	}
	return cli_container_path(name, suffix);
}

/* Runs the request for one container. Returns 0, or a negative errno with
 * the message in err. */
static int manage_one(struct cli *cli, const struct manage_opts *o, const char *name,
		      struct mst_err *err)
{
	const char *method = o->action == MANAGE_RM ? "DELETE" : "POST";
	char *path;
	int r;

	if (name[0] == '\0')
		return err_setx(err, EINVAL, "container name must not be empty");
	path = manage_path(o, name);
	if (!path)
		return err_set(err, ENOMEM, "building the request for %s failed", name);
	r = api_request(&cli->api, method, path, NULL, NULL, NULL, err);
	free(path);
	return r;
}

static int manage_parse_value(struct manage_opts *o, int c, const char *arg, struct mst_err *err)
{
	int64_t seconds;

	if (c == 't') {
		if (parse_i64(arg, strlen(arg), &seconds) < 0 || seconds < 0 || strchr(arg, '\n'))
			return err_setx(err, EINVAL,
					"invalid value \"%s\" for -t, --time: expected a number of "
					"seconds",
					arg);
		o->timeout_s = seconds;
		return 0;
	}
	if (parse_signal(arg, &o->signal) < 0 || o->signal <= 0)
		return err_setx(
		    err, EINVAL,
		    "invalid value \"%s\" for -s, --signal: expected a signal name such as "
		    "TERM or a number such as 15",
		    arg);
	return 0;
}

/* Parses the options; returns 1 after printing help, 0, or a negative errno. */
static int manage_parse(struct manage_opts *o, int argc, char **argv, struct mst_err *err)
{
	bool timed = o->action == MANAGE_STOP || o->action == MANAGE_RESTART;
	const char *shorts = timed			? ":t:"
			     : o->action == MANAGE_KILL ? ":s:"
			     : o->action == MANAGE_RM	? ":f"
							: ":";
	const struct option *longs = timed			? stop_options
				     : o->action == MANAGE_KILL ? kill_options
				     : o->action == MANAGE_RM	? rm_options
								: start_options;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		int r = 0;

		if (c == '?' || c == ':')
			r = cli_getopt_error(c, argv, longs, err);
		else if (c == OPT_HELP)
			return 1;
		else if (c == 'f')
			o->force = true;
		else
			r = manage_parse_value(o, c, optarg, err);
		if (r < 0)
			return r;
	}
	if (optind >= argc)
		return err_setx(err, EINVAL, "\"mstat %s\" requires at least 1 container name",
				o->command);
	return 0;
}

static int manage_run(struct cli *cli, struct manage_opts *o, const char *usage, int argc,
		      char **argv)
{
	struct mst_err err = { 0 };
	bool failed = false;
	int r = manage_parse(o, argc, argv, &err);

	if (r == 1) {
		fputs(usage, stdout);
		return 0;
	}
	if (r < 0)
		return cli_usage_error(o->command, "%s", err.msg);

	for (int i = optind; i < argc; i++) {
		r = manage_one(cli, o, argv[i], &err);
		if (r == 0) {
			printf("%s\n", argv[i]);
			fflush(stdout);
			continue;
		}
		cli_print_error(&err);
		/* mstatd unreachable: the other names would fail the same way */
		if (!api_error_is_remote(&err) && r != -EINVAL)
			return CLI_EXIT_ERROR;
		/* docker rm -f reports a missing container without failing */
		if (!(o->action == MANAGE_RM && o->force && r == -ENOENT))
			failed = true;
	}
	return failed ? 1 : 0;
}

int cmd_stop(struct cli *cli, int argc, char **argv)
{
	struct manage_opts o = { .action = MANAGE_STOP, .command = "stop", .timeout_s = -1 };

	return manage_run(cli, &o, stop_usage, argc, argv);
}

int cmd_start(struct cli *cli, int argc, char **argv)
{
	struct manage_opts o = { .action = MANAGE_START, .command = "start", .timeout_s = -1 };

	return manage_run(cli, &o, start_usage, argc, argv);
}

int cmd_restart(struct cli *cli, int argc, char **argv)
{
	struct manage_opts o = { .action = MANAGE_RESTART, .command = "restart", .timeout_s = -1 };

	return manage_run(cli, &o, restart_usage, argc, argv);
}

int cmd_kill(struct cli *cli, int argc, char **argv)
{
	struct manage_opts o = { .action = MANAGE_KILL, .command = "kill" };

	return manage_run(cli, &o, kill_usage, argc, argv);
}

int cmd_rm(struct cli *cli, int argc, char **argv)
{
	struct manage_opts o = { .action = MANAGE_RM, .command = "rm" };

	return manage_run(cli, &o, rm_usage, argc, argv);
}
