/* SPDX-License-Identifier: MIT */
/*
 * `mstat top`: the live view's command and event loop. One streaming request
 * to mstatd carries every container's stats as protobuf messages. The loop
 * waits on that stream and on the keyboard, redraws every interval, and
 * reconnects once a second while the agent is away. Batch mode prints text.
 */
#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/client.h"
#include "cli/commands.h"
#include "cli/top.h"
#include "common/parse.h"

#define TOP_STATS_PATH	  "/v1/stats?all=1"
#define TOP_ACCEPT_HEADER "Accept: application/vnd.mstat.stats+protobuf"
#define TOP_RECONNECT_MS  1000
/* The maximum wait for input, so that a resize is drawn promptly even when
 * SIGWINCH does not interrupt the wait. */
#define TOP_MAX_WAIT_MS 200
#define TOP_BATCH_WIDTH 4096

struct top_cmd {
	struct cli *cli;
	struct top_view view;
	struct top_stream stream;
	struct api_multi multi;
	struct api_call *call; /* the stats stream; NULL while disconnected */
	bool batch;
	uint64_t iterations; /* batch: screens to print, 0 for no limit */
	uint64_t printed;
	uint64_t next_connect_ms, next_draw_ms;
	int stream_error;
	struct mst_err err;
};

static volatile sig_atomic_t top_stop_signal;

static const char top_usage[] =
    "Usage: mstat top [OPTIONS]\n"
    "\n"
    "Display a live, full-screen view of the resource usage of every container.\n"
    "Plain `mstat` on a terminal opens it too. Press h in the view for its keys.\n"
    "\n"
    "Options:\n"
    "  -a, --all             Show all containers (default shows running ones)\n"
    "  -b, --batch           Print plain text screens instead (the default when\n"
    "                        stdout is not a terminal)\n"
    "  -d, --delay SECONDS   Time between screens (default 1; at least 0.25)\n"
    "  -n, --iterations N    Batch mode: exit after N screens (default: no limit)\n"
    "  -h, --help            Print this help\n";

static const struct option top_options_long[] = {
	{ "all", no_argument, NULL, 'a' },	   { "batch", no_argument, NULL, 'b' },
	{ "delay", required_argument, NULL, 'd' }, { "iterations", required_argument, NULL, 'n' },
	{ "help", no_argument, NULL, 'h' },	   { NULL, 0, NULL, 0 },
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void top_on_signal(int sig)
{
	top_stop_signal = sig;
}

static int top_parse_delay(const char *text, unsigned *ret_ms, struct mst_err *err)
{
	uint64_t nanos;

	if (parse_nano(text, &nanos) < 0 || nanos < (uint64_t)TOP_MIN_INTERVAL_MS * 1000000 ||
	    nanos > (uint64_t)TOP_MAX_INTERVAL_MS * 1000000)
		return err_setx(err, EINVAL,
				"invalid --delay \"%s\": expected seconds between 0.25 and 60",
				text);
	*ret_ms = (unsigned)(nanos / 1000000);
	return 0;
}

/* Returns 1 for --help, 0 to run, or a negative errno with err set. */
static int top_parse(struct top_cmd *t, int argc, char **argv, struct mst_err *err)
{
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":abd:n:h", top_options_long, NULL)) != -1) {
		switch (c) {
		case 'a':
			t->view.options.all = true;
			break;
		case 'b':
			t->batch = true;
			break;
		case 'd':
			if (top_parse_delay(optarg, &t->view.interval_ms, err) < 0)
				return -EINVAL;
			break;
		case 'n':
			if (parse_u64_str(optarg, &t->iterations) < 0 || t->iterations == 0)
				return err_setx(
				    err, EINVAL,
				    "invalid --iterations \"%s\": expected a positive integer",
				    optarg);
			break;
		case 'h':
			return 1;
		default:
			return cli_getopt_error(c, argv, top_options_long, err);
		}
	}
	if (optind < argc)
		return err_setx(err, EINVAL, "unexpected argument \"%s\"", argv[optind]);
	return 0;
}

static int top_sink(const char *data, size_t len, void *userdata)
{
	struct top_cmd *t = userdata;
	int r = top_stream_feed(&t->stream, data, len, &t->view.model);

	if (r < 0) {
		t->stream_error = r;
		return r;
	}
	t->view.connected = true;
	t->view.status[0] = '\0';
	return 0;
}

static int top_connect(struct top_cmd *t)
{
	int r = api_call_new(&t->cli->api, "GET", TOP_STATS_PATH, NULL, &t->call, &t->err);

	if (r < 0)
		return r;
	r = api_call_add_header(t->call, TOP_ACCEPT_HEADER);
	if (r < 0) {
		api_call_free(t->call);
		t->call = NULL;
		return err_set(&t->err, -r, "preparing the stats request failed");
	}
	api_call_set_sink(t->call, top_sink, t);
	top_stream_reset(&t->stream);
	t->stream_error = 0;
	r = api_multi_add(&t->multi, t->call, &t->err);
	if (r < 0) {
		api_call_free(t->call);
		t->call = NULL;
	}
	return r;
}

/* Ends a finished stream and records why, for the status line. Batch mode
 * fails (returns -1 with t->err set) when the first stream fails before any
 * data arrived, so that a script learns that mstatd is unreachable. */
static int top_disconnected(struct top_cmd *t, enum api_result code)
{
	struct mst_err err = { 0 };
	int r = api_call_finish(t->call, code, &err);

	if (t->stream_error == -EBADMSG)
		snprintf(err.msg, sizeof(err.msg), "the stats stream from mstatd was invalid");
	else if (r == 0)
		snprintf(err.msg, sizeof(err.msg), "mstatd closed the stats stream");
	snprintf(t->view.status, sizeof(t->view.status),
		 "disconnected, reconnecting every second: %s", err.msg);
	t->view.connected = false;
	api_multi_remove(&t->multi, t->call);
	api_call_free(t->call);
	t->call = NULL;
	t->next_connect_ms = mono_ms() + TOP_RECONNECT_MS;
	if (t->batch && t->view.model.updates == 0) {
		t->err = err;
		if (t->err.code == 0)
			t->err.code = EIO;
		return -1;
	}
	if (t->batch)
		fprintf(stderr, "mstat: %s\n", t->view.status);
	return 0;
}

int top_view_refresh_order(struct top_view *v)
{
	if (v->model.n_rows > 0) {
		struct top_row **order = realloc(v->order, v->model.n_rows * sizeof(*order));

		if (!order)
			return -ENOMEM;
		v->order = order;
	}
	v->n_order = top_select_rows(&v->model, &v->options, v->order);
	return 0;
}

static void top_print_batch(struct top_cmd *t)
{
	struct top_view *v = &t->view;
	enum top_column cols[_TOP_COL_MAX];
	unsigned name_width;
	size_t n_cols = top_layout_columns(&v->options, TOP_BATCH_WIDTH, cols, &name_width);
	static char line[TOP_BATCH_WIDTH + 1];
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	v->options.now_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	printf("mstat top - %zu containers, %zu shown\n", v->model.n_rows, v->n_order);
	top_format_header(cols, n_cols, name_width, &v->options, line, sizeof(line));
	printf("%s\n", line);
	for (size_t i = 0; i < v->n_order; i++) {
		top_format_line(v->order[i], cols, n_cols, name_width, &v->options, line,
				sizeof(line));
		printf("%s\n", line);
	}
	printf("\n");
	fflush(stdout);
	t->printed++;
}

/* Redraws or prints when the interval has passed (or force is set). */
static int top_update_output(struct top_cmd *t, bool force)
{
	uint64_t now = mono_ms();
	bool due = now >= t->next_draw_ms;

	if (!due && !force)
		return 0;
	if (due)
		t->next_draw_ms = now + t->view.interval_ms;
	if (t->view.paused && !force)
		return 0;
	if (top_view_refresh_order(&t->view) < 0)
		return err_set(&t->err, ENOMEM, "sorting the containers failed");
	if (!t->batch)
		top_screen_draw(&t->view);
	else if (due && t->view.model.updates > 0)
		top_print_batch(t);
	return 0;
}

static int top_wait_ms(const struct top_cmd *t)
{
	uint64_t now = mono_ms(), until = t->next_draw_ms;

	if (!t->call && t->next_connect_ms < until)
		until = t->next_connect_ms;
	if (until <= now)
		return 0;
	return until - now < TOP_MAX_WAIT_MS ? (int)(until - now) : TOP_MAX_WAIT_MS;
}

static int top_loop(struct top_cmd *t)
{
	while (!t->view.quit && !top_stop_signal) {
		struct api_call *done;
		enum api_result code;
		bool keys = false;
		int r;

		if (!t->call && mono_ms() >= t->next_connect_ms && top_connect(t) < 0)
			return -1;
		r = api_multi_step(&t->multi, t->batch ? -1 : STDIN_FILENO, top_wait_ms(t), NULL,
				   &t->err);
		if (r < 0)
			return -1;
		while (api_multi_next_done(&t->multi, &done, &code))
			if (done == t->call && top_disconnected(t, code) < 0)
				return -1;
		/* The stream may have added or removed rows, which moves them:
		 * re-point v->order before a key handler reads it. */
		if (top_view_refresh_order(&t->view) < 0)
			return err_set(&t->err, ENOMEM, "sorting the containers failed");
		if (!t->batch)
			keys = top_screen_handle_keys(&t->view);
		if (top_update_output(t, keys) < 0)
			return -1;
		if (t->batch && t->iterations && t->printed >= t->iterations)
			break;
	}
	return 0;
}

static void top_cleanup(struct top_cmd *t)
{
	if (t->call) {
		api_multi_remove(&t->multi, t->call);
		api_call_free(t->call);
	}
	api_multi_cleanup(&t->multi);
	top_stream_free(&t->stream);
	top_model_free(&t->view.model);
	free(t->view.order);
}

static int top_run(struct top_cmd *t)
{
	struct sigaction sa = { .sa_handler = top_on_signal };
	int r;

	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGHUP, &sa, NULL);

	if (!t->batch) {
		t->view.options.mark_sort = true;
		(void)setlocale(LC_ALL, "");
		t->view.unicode = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
		if (top_screen_start(&t->view) < 0) {
			err_setx(&t->err, ENOTTY,
				 "starting the terminal screen failed; try --batch");
			return -1;
		}
	}
	r = top_loop(t);
	if (!t->batch)
		top_screen_end();
	return r;
}

int cmd_top(struct cli *cli, int argc, char **argv)
{
	struct top_cmd t = { .cli = cli };
	struct mst_err err = { 0 };
	int r;

	top_options_init(&t.view.options);
	top_model_init(&t.view.model);
	top_stream_init(&t.stream);
	t.view.interval_ms = 1000;
	t.view.connected = false;
	snprintf(t.view.status, sizeof(t.view.status), "connecting to mstatd");
	t.batch = !isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO);

	r = top_parse(&t, argc, argv, &err);
	if (r == 1) {
		fputs(top_usage, stdout);
		return 0;
	}
	if (r < 0)
		return cli_usage_error("top", "%s", err.msg);

	r = api_multi_init(&t.multi, &t.err);
	if (r == 0)
		r = top_run(&t);
	top_cleanup(&t);
	if (r < 0) {
		cli_print_error(&t.err);
		return CLI_EXIT_ERROR;
	}
	return 0;
}
