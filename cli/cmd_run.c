/* SPDX-License-Identifier: MIT */
/*
 * `mstat run`: create and start a container. Without -d, mstat then copies
 * the container's multiplexed output to stdout and stderr and exits with its
 * status, as `docker run` does. The wait request goes out before the start,
 * so --rm cannot remove a short-lived container before its status is known.
 * Signals that mstat receives meanwhile are sent on to the container.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/frames.h"
#include "cli/run_opts.h"
#include "cli/tty.h"

/* Maximum time for sending the wait request before the start goes out anyway. */
#define RUN_SEND_WAIT_NS (2 * 1000000000LL)
/* Maximum silence of the log stream after the exit before mstat stops
 * waiting for the stream to end. */
#define RUN_LOGS_DRAIN_NS (2 * 1000000000LL)
#define RUN_POLL_MS	  500

/* Signals sent on to the container, as docker's --sig-proxy does. Others,
 * such as SIGCHLD, SIGPIPE and SIGWINCH, keep their usual meaning in mstat. */
static const int run_forwarded_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };

struct run_session {
	struct cli *cli;
	const struct run_opts *opts;
	char id[65];
	struct api_multi multi;
	struct api_call *wait_call;
	struct api_call *logs_call;
	struct frame_demux demux;
	bool output_closed[3]; /* by fd: a failed write drops later output */
	int64_t last_output_ns;
	int signal_fd;
	struct mst_err logs_err;
	bool remove_at_end; /* --rm without -d: mstat removes the container */
	int start_status;   /* of run_start() in an interactive run */
};

static int64_t run_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Maps a failed start to docker's exit status: 127 when the command was not
 * found, 126 when it could not be executed, 125 otherwise. */
int run_start_status(const char *message)
{
	/* A missing working directory is a setup error, not a missing command. */
	if (strcasestr(message, "change to the working directory"))
		return CLI_EXIT_ERROR;
	if (strcasestr(message, "executable file not found") ||
	    strcasestr(message, "no such file or directory") ||
	    strcasestr(message, "not found in PATH"))
		return 127;
	if (strcasestr(message, "permission denied") || strcasestr(message, "is a directory"))
		return 126;
	return CLI_EXIT_ERROR;
}

static int run_create(struct run_session *s, struct mst_err *err)
{
	json_t *body = run_opts_create_body(s->opts), *reply = NULL, *warnings;
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	char *name = s->opts->name ? api_escape(s->opts->name) : NULL;
	char *path = NULL;
	struct strbuf answer;
	const char *id;
	int r;

	json_decref(body);
	strbuf_init(&answer);
	if (!text || (s->opts->name && !name) ||
	    asprintf(&path, "/v1/containers/create%s%s", name ? "?name=" : "", name ? name : "") <
		0) {
		path = NULL;
		r = err_set(err, ENOMEM, "building the create request failed");
		goto out;
	}

	r = api_request(&s->cli->api, "POST", path, text, &answer, NULL, err);
	if (r < 0)
		goto out;
	reply = cli_parse_json(strbuf_str(&answer), answer.len, err);
	id = json_string_value(json_object_get(reply, "Id"));
	if (!id || strlen(id) >= sizeof(s->id)) {
		r = err_setx(err, EPROTO, "invalid create response from mstatd: %.200s",
			     strbuf_str(&answer));
		goto out;
	}
	snprintf(s->id, sizeof(s->id), "%s", id);

	warnings = json_object_get(reply, "Warnings");
	for (size_t i = 0; i < json_array_size(warnings); i++)
		fprintf(stderr, "WARNING: %s\n", json_string_value(json_array_get(warnings, i)));
out:
	json_decref(reply);
	strbuf_free(&answer);
	free(text);
	free(name);
	free(path);
	return r;
}

/* POSTs to /v1/containers/ID/ACTION (action may carry a query). */
static int run_post(struct run_session *s, const char *action, struct mst_err *err)
{
	char *path = cli_container_path(s->id, action);
	int r;

	if (!path)
		return err_set(err, ENOMEM, "building the request %s failed", action);
	r = api_request(&s->cli->api, "POST", path, NULL, NULL, NULL, err);
	free(path);
	return r;
}

/* Removes the container (forced); reports a failure when report is set. */
static void run_remove(struct run_session *s, bool report)
{
	struct mst_err err = { 0 };
	char *path = cli_container_path(s->id, "?force=1");

	if (path && api_request(&s->cli->api, "DELETE", path, NULL, NULL, NULL, &err) < 0 && report)
		cli_print_error(&err);
	free(path);
}

/* Starts the container. On failure it prints the error, removes an --rm
 * container and returns docker's exit status. */
static int run_start(struct run_session *s)
{
	struct mst_err err = { 0 };
	int r = run_post(s, "/start", &err);

	if (r == 0)
		return 0;
	cli_print_error(&err);
	if (s->opts->auto_remove)
		run_remove(s, false);
	return api_error_is_remote(&err) ? run_start_status(err.msg) : CLI_EXIT_ERROR;
}

static int run_output_sink(enum frame_stream stream, const char *data, size_t len, void *userdata)
{
	struct run_session *s = userdata;
	int fd = stream == FRAME_STDERR ? STDERR_FILENO : STDOUT_FILENO;

	if (s->output_closed[fd])
		return 0;
	if (cli_write_all(fd, data, len) < 0)
		s->output_closed[fd] = true; /* e.g. `| head`: keep waiting for the exit */
	return 0;
}

static int run_logs_sink(const char *data, size_t len, void *userdata)
{
	struct run_session *s = userdata;
	int r = frame_demux_feed(&s->demux, data, len);

	s->last_output_ns = run_now_ns();
	if (r == -EPROTO)
		return err_setx(&s->logs_err, EPROTO,
				"invalid log stream from mstatd: a frame header has stream byte "
				"%u; the output of container %.12s is cut here",
				s->demux.header[0], s->id);
	return r;
}

/* Adds a call for /v1/containers/ID/SUFFIX to the multi handle. */
static int run_add_call(struct run_session *s, const char *method, const char *suffix,
			struct api_call **ret, struct mst_err *err)
{
	char *path = cli_container_path(s->id, suffix);
	int r;

	if (!path)
		return err_set(err, ENOMEM, "building the request %s failed", suffix);
	r = api_call_new(&s->cli->api, method, path, NULL, ret, err);
	free(path);
	if (r < 0)
		return r;
	r = api_multi_add(&s->multi, *ret, err);
	if (r < 0) {
		api_call_free(*ret);
		*ret = NULL;
	}
	return r;
}

/* Drives the multi handle until the wait request has gone out (bounded by
 * RUN_SEND_WAIT_NS), so that mstatd parks it before the start arrives. */
static int run_send_wait(struct run_session *s, struct mst_err *err)
{
	int64_t deadline = run_now_ns() + RUN_SEND_WAIT_NS;
	int timeout_ms = 0;

	/* The first step does not block: the request is usually sent by then,
	 * and a 10 ms poll for a response that only comes at exit cost every
	 * run 10 ms. */
	while (run_now_ns() < deadline) {
		int running = api_multi_step(&s->multi, -1, timeout_ms, NULL, err);
		if (running < 0)
			return running;
		if (api_call_sent(s->wait_call) || running == 0)
			return 0;
		timeout_ms = 1;
	}
	return 0;
}

/* Sends the wait request that the start must follow. Prints the error and
 * returns a negative errno on failure. */
static int run_begin_wait(struct run_session *s)
{
	struct mst_err err = { 0 };
	int r = api_multi_init(&s->multi, &err);

	if (r == 0)
		r = run_add_call(s, "POST", "/wait", &s->wait_call, &err);
	if (r == 0)
		r = run_send_wait(s, &err);
	if (r < 0)
		cli_print_error(&err);
	return r;
}

static void run_forward_signals(struct run_session *s)
{
	struct signalfd_siginfo info;

	while (read(s->signal_fd, &info, sizeof(info)) == (ssize_t)sizeof(info)) {
		struct mst_err err = { 0 };
		char action[48];

		snprintf(action, sizeof(action), "/kill?signal=%u", info.ssi_signo);
		if (run_post(s, action, &err) < 0 && err.code != EEXIST)
			fprintf(stderr, "mstat: sending signal %u to container %.12s failed: %s\n",
				info.ssi_signo, s->id, err.msg);
	}
}

/* Reads the wait response: the exit status, or CLI_EXIT_ERROR after
 * printing why there is none. */
static int run_wait_result(struct run_session *s, enum api_result code)
{
	struct mst_err err = { 0 };
	json_t *reply, *status, *error;
	int r = api_call_finish(s->wait_call, code, &err);

	if (r < 0) {
		cli_print_error(&err);
		return CLI_EXIT_ERROR;
	}
	reply = cli_parse_json(strbuf_str(&s->wait_call->body), s->wait_call->body.len, &err);
	status = json_object_get(reply, "StatusCode");
	error = json_object_get(reply, "Error");
	if (json_is_object(error))
		error = json_object_get(error, "Message");
	if (json_is_string(error) && json_string_length(error) > 0) {
		fprintf(stderr, "%s%s\n", API_ERROR_PREFIX, json_string_value(error));
		r = CLI_EXIT_ERROR;
	} else if (!json_is_integer(status)) {
		fprintf(stderr, "mstat: invalid wait response from mstatd: %.200s\n",
			strbuf_str(&s->wait_call->body));
		r = CLI_EXIT_ERROR;
	} else {
		r = (int)(json_integer_value(status) & 0xff);
	}
	json_decref(reply);
	return r;
}

static void run_logs_result(struct run_session *s, enum api_result code)
{
	struct mst_err err = { 0 };
	int r = api_call_finish(s->logs_call, code, &err);

	if (s->logs_err.code)
		cli_print_error(&s->logs_err);
	else if (r == -ENOENT)
		return; /* --rm removed a container that ended before the request */
	else if (r < 0)
		cli_print_error(&err);
	else if (!frame_demux_at_boundary(&s->demux))
		fprintf(stderr, "mstat: the log stream of container %.12s ended inside a frame\n",
			s->id);
}

/* Follows output and signals until the container has exited and its output
 * has ended. Returns the exit status. */
static int run_follow(struct run_session *s)
{
	bool wait_done = false, logs_done = false;
	int64_t wait_done_ns = 0;
	int status = CLI_EXIT_ERROR;
	struct mst_err err = { 0 };

	while (!wait_done || !logs_done) {
		struct api_call *call;
		enum api_result code;
		bool signaled = false;

		if (api_multi_step(&s->multi, s->signal_fd, RUN_POLL_MS, &signaled, &err) < 0) {
			cli_print_error(&err);
			return CLI_EXIT_ERROR;
		}
		if (signaled)
			run_forward_signals(s);
		while (api_multi_next_done(&s->multi, &call, &code)) {
			if (call == s->wait_call) {
				wait_done = true;
				wait_done_ns = run_now_ns();
				status = run_wait_result(s, code);
			} else if (call == s->logs_call) {
				logs_done = true;
				run_logs_result(s, code);
			}
		}

		/* NOTE: a log stream that stays open after the exit is given up
		 * once it is silent; mstatd ends it when the output is drained. */
		int64_t now = run_now_ns();
		if (wait_done && !logs_done && now - wait_done_ns > RUN_LOGS_DRAIN_NS &&
		    now - s->last_output_ns > RUN_LOGS_DRAIN_NS)
			break;
	}
	return status;
}

static int run_open_signals(struct run_session *s)
{
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(run_forwarded_signals) / sizeof(run_forwarded_signals[0]);
	     i++)
		sigaddset(&set, run_forwarded_signals[i]);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	/* An ignored signal is discarded even while blocked, and shells start
	 * background jobs with SIGINT ignored. Like docker's signal proxy, mstat
	 * resets them. While they are blocked, their default action never runs. */
	for (size_t i = 0; i < sizeof(run_forwarded_signals) / sizeof(run_forwarded_signals[0]);
	     i++)
		signal(run_forwarded_signals[i], SIG_DFL);
	s->signal_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return s->signal_fd < 0 ? -errno : 0;
}

static int run_attached(struct run_session *s)
{
	struct mst_err err = { 0 };
	int status;
	int r = run_open_signals(s);

	if (r < 0) {
		fprintf(stderr, "mstat: setting up signal forwarding failed: %s\n", strerror(-r));
		return CLI_EXIT_ERROR;
	}
	if (run_begin_wait(s) < 0)
		return CLI_EXIT_ERROR;

	status = run_start(s);
	if (status != 0)
		return status;

	frame_demux_init(&s->demux, run_output_sink, s);
	s->last_output_ns = run_now_ns();
	r = run_add_call(s, "GET", "/logs?follow=1&stdout=1&stderr=1", &s->logs_call, &err);
	if (r < 0) {
		cli_print_error(&err);
		return CLI_EXIT_ERROR;
	}
	api_call_set_sink(s->logs_call, run_logs_sink, s);
	return run_follow(s);
}

/* Waits, bounded, for the parked wait request once the attached stream
 * ended. Returns the exit status. */
static int run_collect_wait(struct run_session *s)
{
	int64_t deadline = run_now_ns() + RUN_LOGS_DRAIN_NS * 15;
	struct mst_err err = { 0 };

	while (run_now_ns() < deadline) {
		struct api_call *call;
		enum api_result code;

		if (api_multi_step(&s->multi, -1, RUN_POLL_MS, NULL, &err) < 0) {
			cli_print_error(&err);
			return CLI_EXIT_ERROR;
		}
		while (api_multi_next_done(&s->multi, &call, &code))
			if (call == s->wait_call)
				return run_wait_result(s, code);
	}
	fprintf(stderr, "mstat: container %.12s did not report its exit status within 30 s\n",
		s->id);
	return CLI_EXIT_ERROR;
}

static int run_start_attached(void *userdata)
{
	struct run_session *s = userdata;

	s->start_status = run_start(s);
	return s->start_status;
}

/* -i or -t: the wait request is parked first, as in run_attached(), then
 * the terminal or stdin is attached, and the container starts once the
 * attached stream is set up. */
static int run_interactive(struct run_session *s, const struct tty_detach *detach)
{
	struct tty_attach_opts ao = { .tty = s->opts->tty,
				      .send_stdin = s->opts->interactive,
				      .proxy_signals = true,
				      .detach = *detach,
				      .on_attached = run_start_attached,
				      .userdata = s };
	struct mst_err err = { 0 };
	int r;

	if (run_begin_wait(s) < 0)
		return CLI_EXIT_ERROR;
	/* Attached before the start, as docker does, so that no output is
	 * missed however fast the command ends. */
	r = tty_attach(s->cli, s->id, &ao, &err);
	if (r == TTY_ATTACH_ABORTED)
		return s->start_status;
	if (r < 0) {
		cli_print_error(&err);
		return CLI_EXIT_ERROR;
	}
	if (r == TTY_ATTACH_DETACHED) {
		fprintf(stderr, "read escape sequence\n");
		return 0;
	}
	return run_collect_wait(s);
}

/* Checks -i and -t against this process's stdin and reads the window size
 * for ConsoleSize. Returns -1 to go on, or the exit status. */
static int run_check_terminal(struct run_opts *o, struct tty_detach *ret_detach)
{
	struct mst_err err = { 0 };

	if (tty_detach_parse(o->detach_keys ? o->detach_keys : TTY_DEFAULT_DETACH_KEYS, ret_detach,
			     &err) < 0)
		return cli_usage_error("run", "%s", err.msg);
	if (!o->tty)
		return -1;
	if (o->interactive && !o->detach && !isatty(STDIN_FILENO))
		return cli_usage_error("run", "the input device is not a TTY: run mstat from a "
					      "terminal, or drop -t");
	(void)tty_window_size(STDIN_FILENO, &o->console_rows, &o->console_cols);
	return -1;
}

static void run_session_cleanup(struct run_session *s)
{
	if (s->wait_call)
		api_multi_remove(&s->multi, s->wait_call);
	if (s->logs_call)
		api_multi_remove(&s->multi, s->logs_call);
	api_call_free(s->wait_call);
	api_call_free(s->logs_call);
	api_multi_cleanup(&s->multi);
	/* Signals stay blocked: mstat exits next, and a late SIGINT must not
	 * kill it before it reports the container's status. */
	if (s->signal_fd >= 0)
		close(s->signal_fd);
}

int cmd_run(struct cli *cli, int argc, char **argv)
{
	struct run_opts opts;
	struct mst_err err = { 0 };
	struct run_session s = { .cli = cli, .opts = &opts, .signal_fd = -1 };
	struct tty_detach detach;
	bool interactive;
	int status;

	if (run_opts_parse(argc, argv, &opts, &err) < 0)
		return cli_usage_error("run", "%s", err.msg);
	if (opts.help) {
		fputs(run_usage, stdout);
		return 0;
	}
	status = run_check_terminal(&opts, &detach);
	if (status >= 0) {
		run_opts_free(&opts);
		return status;
	}
	interactive = !opts.detach && (opts.interactive || opts.tty);

	/* With --rm in the foreground, mstat removes the container once it has
	 * read all of the output: an agent-side auto-remove could delete the
	 * output before the logs request reaches it. NOTE: if mstat itself is
	 * killed first, the exited container stays until `mstat rm`. -i and -t
	 * keep the agent's auto-remove: the attached stream keeps the output
	 * open, and a container left with the detach keys is removed at exit. */
	if (opts.auto_remove && !opts.detach && !interactive) {
		opts.auto_remove = false;
		s.remove_at_end = true;
	}

	if (run_create(&s, &err) < 0) {
		cli_print_error(&err);
		run_opts_free(&opts);
		return CLI_EXIT_ERROR;
	}

	if (opts.detach) {
		status = run_start(&s);
		if (status == 0)
			printf("%s\n", s.id);
	} else if (interactive) {
		status = run_interactive(&s, &detach);
	} else {
		status = run_attached(&s);
		if (s.remove_at_end && s.id[0])
			run_remove(&s, true);
	}

	run_session_cleanup(&s);
	run_opts_free(&opts);
	return status;
}
