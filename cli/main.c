/* SPDX-License-Identifier: MIT */
/*
 * mstat, the command line of mstatd: global options, then one subcommand
 * that talks to the agent's HTTP API on its unix socket.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"

#ifndef MSTAT_VERSION
#define MSTAT_VERSION "unknown"
#endif

#define MSTAT_DEFAULT_SOCKET "/run/mstat/mstat.sock"

struct cli_command {
	const char *name;
	int (*run)(struct cli *cli, int argc, char **argv);
	const char *summary;
};

static const struct cli_command cli_commands[] = {
	{ "run", cmd_run, "Create and run a container" },
	{ "ps", cmd_ps, "List containers" },
	{ "stats", cmd_stats, "Display a live stream of container resource usage" },
	{ "inspect", cmd_inspect, "Print detailed information on containers" },
	{ "start", cmd_start, "Start stopped containers" },
	{ "stop", cmd_stop, "Stop running containers" },
	{ "restart", cmd_restart, "Restart containers" },
	{ "kill", cmd_kill, "Send a signal to running containers" },
	{ "rm", cmd_rm, "Remove containers" },
	{ "update", cmd_update, "Change the limits and restart policy of containers" },
	{ "logs", cmd_logs, "Print the output of a container" },
	{ "attach", cmd_attach, "Attach this terminal to a running container" },
	{ "exec", cmd_exec, "Run a command in a running container" },
	{ "events", cmd_events, "Print container events as they happen" },
	{ "top", cmd_top, "Display a live view of every container's resource usage" },
	{ NULL, NULL, NULL },
};

static void cli_print_usage(FILE *f)
{
	fprintf(f, "Usage: mstat [OPTIONS] COMMAND [ARG...]\n"
		   "\n"
		   "Command line of mstatd, the mstat container supervisor.\n"
		   "\n"
		   "Options:\n"
		   "      --socket PATH  Unix socket of mstatd (default $MSTAT_SOCKET, else\n"
		   "                     " MSTAT_DEFAULT_SOCKET ")\n"
		   "  -h, --help         Print this help\n"
		   "  -v, --version      Print the version\n"
		   "\n"
		   "Commands:\n");
	for (const struct cli_command *c = cli_commands; c->name; c++)
		fprintf(f, "  %-9s%s\n", c->name, c->summary);
	fprintf(f, "\nRun 'mstat COMMAND --help' for the options of a command.\n");
}

enum { OPT_SOCKET = 256 };

static const struct option cli_global_options[] = {
	{ "socket", required_argument, NULL, OPT_SOCKET },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'v' },
	{ NULL, 0, NULL, 0 },
};

/* Parses the global options. Returns -1 to go on with the command at
 * optind, or the exit status. */
static int cli_parse_global(int argc, char **argv, struct cli *cli)
{
	struct mst_err err = { 0 };
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:hv", cli_global_options, NULL)) != -1) {
		switch (c) {
		case OPT_SOCKET:
			if (optarg[0] == '\0')
				return cli_usage_error(NULL, "--socket needs a path, got \"\"");
			cli->api.socket_path = optarg;
			break;
		case 'h':
			cli_print_usage(stdout);
			return 0;
		case 'v':
			printf("mstat version %s\n", MSTAT_VERSION);
			return 0;
		default:
			cli_getopt_error(c, argv, cli_global_options, &err);
			return cli_usage_error(NULL, "%s", err.msg);
		}
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct cli cli = { .api.socket_path = getenv("MSTAT_SOCKET") };
	const char *name;
	int status;

	if (!cli.api.socket_path || cli.api.socket_path[0] == '\0')
		cli.api.socket_path = MSTAT_DEFAULT_SOCKET;

	status = cli_parse_global(argc, argv, &cli);
	if (status >= 0)
		return status;
	/* `mstat` alone on a terminal opens the live view. */
	if (optind >= argc && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
		name = "top";
	else if (optind >= argc) {
		cli_print_usage(stdout);
		return 0;
	} else {
		name = argv[optind];
	}
	if (strcmp(name, "help") == 0) {
		cli_print_usage(stdout);
		return 0;
	}
	for (const struct cli_command *c = cli_commands; c->name; c++) {
		if (strcmp(c->name, name) != 0)
			continue;
		/* A closed stdout (`mstat ps | head -1`) is a write error, not a kill. */
		signal(SIGPIPE, SIG_IGN);
		if (optind >= argc) /* the live view, with no arguments of its own */
			status = c->run(&cli, 1, (char *[]){ (char *)c->name, NULL });
		else
			status = c->run(&cli, argc - optind, argv + optind);
		fflush(stdout);
		return status;
	}
	return cli_usage_error(NULL, "'%s' is not a mstat command", name);
}
