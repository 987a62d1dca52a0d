/* SPDX-License-Identifier: MIT */
/*
 * `mstat exec`: run a command inside a running container, as `docker exec`
 * does: create the exec instance, start it over an upgraded stream attached
 * to this terminal (or detached with -d), and exit with its exit code.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/run_opts.h"
#include "cli/tty.h"

/* How long mstat waits for an exec whose output ended to report its exit. */
#define EXEC_EXIT_WAIT_MS 10000
#define EXEC_POLL_MS	  50

static const char exec_usage[] =
    "Usage: mstat exec [OPTIONS] CONTAINER [--] COMMAND [ARG...]\n"
    "\n"
    "Run a command in a running container: in all of its namespaces and its\n"
    "cgroup, with its root, capabilities and limits. mstat exits with the\n"
    "command's exit code.\n"
    "\n"
    "Options:\n"
    "  -d, --detach             Run the command in the background\n"
    "  -e, --env KEY[=VALUE]    Set an environment variable; KEY alone copies it\n"
    "                           from this environment\n"
    "  -i, --interactive        Attach stdin\n"
    "  -t, --tty                Give the command a pseudo-terminal\n"
    "  -w, --workdir DIR        Working directory inside the container (absolute)\n"
    "  -u, --user USER[:GROUP]  Run as this user (names or numeric ids); default:\n"
    "                           the container's user\n"
    "      --detach-keys KEYS   Keys that detach and leave the command running\n"
    "                           (default ctrl-p,ctrl-q; \"\" for none)\n"
    "      --help               Print this help\n";

enum { OPT_HELP = 256, OPT_DETACH_KEYS };

static const struct option exec_options[] = {
	{ "detach", no_argument, NULL, 'd' },
	{ "env", required_argument, NULL, 'e' },
	{ "interactive", no_argument, NULL, 'i' },
	{ "tty", no_argument, NULL, 't' },
	{ "workdir", required_argument, NULL, 'w' },
	{ "user", required_argument, NULL, 'u' },
	{ "detach-keys", required_argument, NULL, OPT_DETACH_KEYS },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

struct exec_opts {
	bool detach, interactive, tty;
	const char *workdir;
	const char *user;
	const char *detach_keys;
	json_t *env; /* array of KEY=VALUE */
};

/* Adds -e KEY[=VALUE]; KEY alone takes this process's value, or nothing. */
static int exec_add_env(struct exec_opts *o, const char *arg)
{
	const char *value;
	char *entry;
	int r;

	if (arg[0] == '=' || arg[0] == '\0')
		return cli_usage_error("exec", "invalid value \"%s\" for --env: expected KEY=VALUE",
				       arg);
	if (strchr(arg, '='))
		return json_array_append_new(o->env, json_string(arg)) < 0 ? CLI_EXIT_ERROR : -1;
	value = getenv(arg);
	if (!value)
		return -1;
	if (asprintf(&entry, "%s=%s", arg, value) < 0)
		return CLI_EXIT_ERROR;
	r = json_array_append_new(o->env, json_string(entry));
	free(entry);
	return r < 0 ? CLI_EXIT_ERROR : -1;
}

/* Parses the options. Returns -1 to go on, or the exit status. */
static int exec_parse(int argc, char **argv, struct exec_opts *o)
{
	struct mst_err err = { 0 };
	int c, status;

	optind = 0; /* glibc: rescan from argv[1] with fresh state */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:de:itw:u:", exec_options, NULL)) != -1) {
		status = -1;
		if (c == OPT_HELP) {
			fputs(exec_usage, stdout);
			return 0;
		} else if (c == 'd') {
			o->detach = true;
		} else if (c == 'i') {
			o->interactive = true;
		} else if (c == 't') {
			o->tty = true;
		} else if (c == 'e') {
			status = exec_add_env(o, optarg);
		} else if (c == 'w') {
			if (optarg[0] != '/')
				return cli_usage_error("exec",
						       "invalid value \"%s\" for --workdir: the "
						       "working directory must be an absolute path",
						       optarg);
			o->workdir = optarg;
		} else if (c == 'u') {
			if (run_parse_user(optarg, "-u, --user", &err) < 0)
				return cli_usage_error("exec", "%s", err.msg);
			o->user = optarg;
		} else if (c == OPT_DETACH_KEYS) {
			o->detach_keys = optarg;
		} else {
			cli_getopt_error(c, argv, exec_options, &err);
			return cli_usage_error("exec", "%s", err.msg);
		}
		if (status >= 0)
			return status;
	}
	return -1;
}

static json_t *exec_body(const struct exec_opts *o, char **command, int n)
{
	json_t *cmd = json_array();

	for (int i = 0; cmd && i < n; i++)
		json_array_append_new(cmd, json_string(command[i]));
	return json_pack("{s:o, s:O, s:s?, s:s?, s:b, s:b, s:b, s:b}", "Cmd", cmd, "Env", o->env,
			 "WorkingDir", o->workdir, "User", o->user, "Tty", o->tty, "AttachStdin",
			 o->interactive, "AttachStdout", !o->detach, "AttachStderr", !o->detach);
}

/* Creates the exec instance; ret_id gets its id. */
static int exec_create(struct cli *cli, const char *name, json_t *body, char ret_id[65],
		       struct mst_err *err)
{
	char *text = json_dumps(body, JSON_COMPACT), *path = cli_container_path(name, "/exec");
	struct strbuf answer;
	json_t *reply;
	const char *id;
	int r;

	strbuf_init(&answer);
	if (!text || !path) {
		r = err_set(err, ENOMEM, "building the exec request");
		goto out;
	}
	r = api_request(&cli->api, "POST", path, text, &answer, NULL, err);
	if (r < 0)
		goto out;
	reply = cli_parse_json(strbuf_str(&answer), answer.len, err);
	id = json_string_value(json_object_get(reply, "Id"));
	if (!id || strlen(id) != 64)
		r = err_setx(err, EPROTO, "invalid exec create response from mstatd: %.200s",
			     strbuf_str(&answer));
	else
		memcpy(ret_id, id, 65);
	json_decref(reply);
out:
	free(text);
	free(path);
	strbuf_free(&answer);
	return r;
}

/* Waits, bounded, until the exec is no longer running; returns its exit
 * code. */
static int exec_exit_code(struct cli *cli, const char *id)
{
	char *path = cli_exec_path(id, "/json");
	struct timespec pause = { .tv_nsec = EXEC_POLL_MS * 1000000L };
	struct mst_err err = { 0 };
	int status = CLI_EXIT_ERROR;

	for (int waited = 0; path && waited < EXEC_EXIT_WAIT_MS; waited += EXEC_POLL_MS) {
		struct strbuf body;
		json_t *reply;
		bool running;

		strbuf_init(&body);
		if (api_request(&cli->api, "GET", path, NULL, &body, NULL, &err) < 0) {
			strbuf_free(&body);
			free(path);
			if (!api_error_is_remote(&err))
				err_prefix(&err, "reading the exit code of exec %.12s", id);
			cli_print_error(&err);
			return CLI_EXIT_ERROR;
		}
		reply = cli_parse_json(strbuf_str(&body), body.len, &err);
		strbuf_free(&body);
		running = json_is_true(json_object_get(reply, "Running"));
		status = (int)(json_integer_value(json_object_get(reply, "ExitCode")) & 0xff);
		json_decref(reply);
		if (!running) {
			free(path);
			return status;
		}
		nanosleep(&pause, NULL);
	}
	free(path);
	fprintf(stderr, "mstat: exec %.12s did not report its exit code\n", id);
	return CLI_EXIT_ERROR;
}

static int exec_run(struct cli *cli, const char *name, struct exec_opts *o, char **command, int n)
{
	struct tty_attach_opts ao = { .tty = o->tty, .send_stdin = o->interactive };
	json_t *body = exec_body(o, command, n);
	struct mst_err err = { 0 };
	char id[65], *path;
	int r;

	if (tty_detach_parse(o->detach_keys ? o->detach_keys : TTY_DEFAULT_DETACH_KEYS, &ao.detach,
			     &err) < 0) {
		json_decref(body);
		return cli_usage_error("exec", "%s", err.msg);
	}
	r = body ? exec_create(cli, name, body, id, &err) : -ENOMEM;
	json_decref(body);
	if (r < 0) {
		cli_print_error(&err);
		return api_error_is_remote(&err) ? 1 : CLI_EXIT_ERROR;
	}
	if (o->detach) {
		path = cli_exec_path(id, "/start");
		r = path ? api_request(&cli->api, "POST", path, NULL, NULL, NULL, &err) : -ENOMEM;
		free(path);
	} else {
		ao.exec_id = id;
		r = tty_attach(cli, name, &ao, &err);
	}
	if (r < 0) {
		cli_print_error(&err);
		return api_error_is_remote(&err) ? run_start_status(err.msg) : CLI_EXIT_ERROR;
	}
	if (o->detach)
		return 0;
	if (r == TTY_ATTACH_DETACHED) {
		fprintf(stderr, "read escape sequence\n");
		return 0;
	}
	return exec_exit_code(cli, id);
}

int cmd_exec(struct cli *cli, int argc, char **argv)
{
	struct exec_opts o = { .env = json_array() };
	int status = o.env ? exec_parse(argc, argv, &o) : CLI_EXIT_ERROR;
	int first;

	if (status >= 0) {
		json_decref(o.env);
		return status;
	}
	first = optind + 1;
	if (first < argc && strcmp(argv[first], "--") == 0)
		first++;
	if (optind >= argc || first >= argc) {
		json_decref(o.env);
		return cli_usage_error("exec",
				       "\"mstat exec\" requires a container and a command: "
				       "mstat exec [OPTIONS] CONTAINER [--] COMMAND [ARG...]");
	}
	if (o.tty && o.interactive && !o.detach && !isatty(STDIN_FILENO)) {
		json_decref(o.env);
		return cli_usage_error("exec", "the input device is not a TTY: run mstat from a "
					       "terminal, or drop -t");
	}
	status = exec_run(cli, argv[optind], &o, argv + first, argc - first);
	json_decref(o.env);
	return status;
}
