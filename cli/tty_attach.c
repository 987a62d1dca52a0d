/* SPDX-License-Identifier: MIT */
/*
 * An attached session: POST .../attach with "Upgrade: tcp" on mstatd's unix
 * socket, apart from client.c because the connection turns into a raw
 * bidirectional stream after the 101 response. Then one poll loop copies stdin to the
 * socket (through the detach key matcher) and the socket to stdout, sends
 * the window size at the start and on SIGWINCH, and restores the terminal.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli/frames.h"
#include "cli/tty.h"

#define ATTACH_HEADER_MAX 16384
#define ATTACH_CHUNK	  8192

struct attach_state {
	struct cli *cli;
	const char *id;
	const struct tty_attach_opts *opts;
	struct tty_detach detach;
	int sock;
	int signal_fd;
	bool stdin_open;
	bool detached;
	struct frame_demux demux;
	bool out_closed[3];
};

/* The errno that api_call_finish() gives an HTTP status. */
static int status_errno(int status)
{
	if (status == 400)
		return EINVAL;
	if (status == 404)
		return ENOENT;
	if (status == 409)
		return EEXIST;
	return EIO;
}

/* Turns an error response into err: the server's message when the body
 * has one. */
static int response_error(const char *head, const char *body, size_t body_len, int status,
			  struct mst_err *err)
{
	json_error_t jerr;
	json_t *reply = json_loadb(body, body_len, 0, &jerr);
	const char *msg = json_string_value(json_object_get(reply, "message"));
	int code = status_errno(status);

	if (msg)
		err_setx(err, code, API_ERROR_PREFIX "%s", msg);
	else
		err_setx(err, code, "attach failed: mstatd replied %.*s",
			 (int)strcspn(head, "\r\n"), head);
	json_decref(reply);
	return -code;
}

/* Returns the path of the upgrade request, or NULL when out of memory. */
static char *attach_path(const char *id, const struct tty_attach_opts *o)
{
	char query[64];

	if (o->exec_id)
		return cli_exec_path(o->exec_id, "/start");
	snprintf(query, sizeof(query), "/attach?stream=1&stdin=%d&logs=%d", o->send_stdin, o->logs);
	return cli_container_path(id, query);
}

/* Sends the request and reads the response head. Bytes after the head are
 * stream output, returned in ret_extra. */
static int attach_handshake(struct attach_state *st, char *buf, size_t *ret_extra_off,
			    size_t *ret_len, struct mst_err *err)
{
	const struct tty_attach_opts *o = st->opts;
	char *path, *request = NULL;
	size_t len = 0;
	char *end = NULL;
	int status, r;

	path = attach_path(st->id, o);
	if (!path || asprintf(&request,
			      "POST %s HTTP/1.1\r\nHost: mstatd\r\nConnection: Upgrade\r\n"
			      "Upgrade: tcp\r\nContent-Length: 0\r\n\r\n",
			      path) < 0) {
		free(path);
		return err_set(err, ENOMEM, "building the attach request");
	}
	free(path);
	r = cli_write_all(st->sock, request, strlen(request));
	free(request);
	if (r < 0)
		return err_set(err, -r, "sending the attach request");

	while (!end) {
		ssize_t n;

		if (len == ATTACH_HEADER_MAX - 1)
			return err_setx(err, EPROTO, "the attach response head is too long");
		n = read(st->sock, buf + len, ATTACH_HEADER_MAX - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return err_setx(err, EPROTO, "mstatd closed the connection during attach");
		len += (size_t)n;
		buf[len] = '\0';
		end = strstr(buf, "\r\n\r\n");
	}
	if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1)
		return err_setx(err, EPROTO, "invalid attach response from mstatd: %.80s", buf);
	*ret_extra_off = (size_t)(end + 4 - buf);
	*ret_len = len;
	if (status != 101) {
		/* The error body is small and follows the head at once, unless
		 * it came with it. */
		struct pollfd pfd = { .fd = st->sock, .events = POLLIN };
		ssize_t n = 0;

		if (len == *ret_extra_off && poll(&pfd, 1, 1000) > 0)
			n = read(st->sock, buf + len, ATTACH_HEADER_MAX - 1 - len);
		if (n > 0)
			len += (size_t)n;
		return response_error(buf, buf + *ret_extra_off, len - *ret_extra_off, status, err);
	}
	return 0;
}

static int output_sink(enum frame_stream stream, const char *data, size_t len, void *userdata)
{
	struct attach_state *st = userdata;
	int fd = stream == FRAME_STDERR ? STDERR_FILENO : STDOUT_FILENO;

	if (!st->out_closed[fd] && cli_write_all(fd, data, len) < 0)
		st->out_closed[fd] = true;
	return 0;
}

/* Passes output from the socket on. Returns 0, or -EPROTO. */
static int handle_output(struct attach_state *st, const char *data, size_t len)
{
	if (st->opts->tty)
		return output_sink(FRAME_STDOUT, data, len, st);
	return frame_demux_feed(&st->demux, data, len);
}

/* POSTs to /v1/containers/ID/ACTION (or to the exec) and ignores the
 * reply body. */
static int post_action(struct attach_state *st, const char *action, struct mst_err *err)
{
	const char *exec_id = st->opts->exec_id;
	char *path = exec_id ? cli_exec_path(exec_id, action) : cli_container_path(st->id, action);

	int r;

	if (!path)
		return err_set(err, ENOMEM, "building the request %s", action);
	r = api_request(&st->cli->api, "POST", path, NULL, NULL, NULL, err);
	free(path);
	return r;
}

static void send_window_size(struct attach_state *st)
{
	struct mst_err err = { 0 };
	unsigned rows, cols;
	char action[64];

	if (!st->opts->tty || tty_window_size(STDIN_FILENO, &rows, &cols) < 0)
		return;
	snprintf(action, sizeof(action), "/resize?h=%u&w=%u", rows, cols);
	/* A container that just exited cannot be resized; that is no error. */
	(void)post_action(st, action, &err);
}

/* Handles the signals mstat watches. Returns true when the session ends. */
static bool handle_signals(struct attach_state *st)
{
	struct signalfd_siginfo info;
	bool end = false;

	while (read(st->signal_fd, &info, sizeof(info)) == (ssize_t)sizeof(info)) {
		struct mst_err err = { 0 };
		char action[48];

		if (info.ssi_signo == SIGWINCH) {
			send_window_size(st);
			continue;
		}
		if (st->opts->tty || !st->opts->proxy_signals) {
			end = true; /* leave the container running, as a detach */
			continue;
		}
		snprintf(action, sizeof(action), "/kill?signal=%u", info.ssi_signo);
		if (post_action(st, action, &err) < 0 && err.code != EEXIST)
			fprintf(stderr, "mstat: sending signal %u to %.12s failed: %s\n",
				info.ssi_signo, st->id, err.msg);
	}
	return end;
}

/* Copies stdin to the socket. Returns -1 when the user detached, else 0. */
static int handle_stdin(struct attach_state *st)
{
	uint8_t in[ATTACH_CHUNK], out[ATTACH_CHUNK + TTY_DETACH_KEYS_MAX];
	ssize_t n = read(STDIN_FILENO, in, sizeof(in));
	bool detached = false;
	size_t len;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0) {
		/* End of input: the container's stdin closes, output goes on. */
		st->stdin_open = false;
		(void)shutdown(st->sock, SHUT_WR);
		return 0;
	}
	len = tty_detach_feed(&st->detach, in, (size_t)n, out, &detached);
	if (len > 0 && cli_write_all(st->sock, (const char *)out, len) < 0)
		st->stdin_open = false;
	return detached ? -1 : 0;
}

static int open_signals(struct attach_state *st, sigset_t *ret_old)
{
	static const int watched[] = { SIGWINCH, SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(watched) / sizeof(watched[0]); i++)
		sigaddset(&set, watched[i]);
	if (sigprocmask(SIG_BLOCK, &set, ret_old) < 0)
		return -errno;
	st->signal_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return st->signal_fd < 0 ? -errno : 0;
}

/* The poll loop. Returns an enum tty_attach_end or a negative errno. */
static int attach_loop(struct attach_state *st, struct mst_err *err)
{
	char buf[ATTACH_CHUNK];

	for (;;) {
		struct pollfd pfd[3] = {
			{ .fd = st->sock, .events = POLLIN },
			{ .fd = st->signal_fd, .events = POLLIN },
			{ .fd = st->stdin_open ? STDIN_FILENO : -1, .events = POLLIN },
		};
		ssize_t n;

		if (poll(pfd, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			return err_set(err, errno, "waiting for the attached streams");
		}
		if (pfd[1].revents && handle_signals(st))
			return TTY_ATTACH_DETACHED;
		if (pfd[2].revents && handle_stdin(st) < 0)
			return TTY_ATTACH_DETACHED;
		if (!pfd[0].revents)
			continue;
		n = read(st->sock, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		/* mstatd resets a connection that it closes with input unread,
		 * such as keys typed after the command exited. */
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			return TTY_ATTACH_ENDED;
		if (n < 0)
			return err_set(err, errno, "reading the attached stream");
		if (handle_output(st, buf, (size_t)n) < 0)
			return err_setx(err, EPROTO, "invalid frame in the attached stream");
	}
}

int tty_attach(struct cli *cli, const char *id, const struct tty_attach_opts *o,
	       struct mst_err *err)
{
	struct attach_state st = { .cli = cli,
				   .id = id,
				   .opts = o,
				   .detach = o->detach,
				   .sock = -1,
				   .signal_fd = -1,
				   .stdin_open = o->send_stdin };
	char *buf = malloc(ATTACH_HEADER_MAX);
	size_t extra = 0, len = 0;
	struct termios saved;
	bool raw = false;
	sigset_t old_mask;
	int r;

	if (!buf)
		return err_set(err, ENOMEM, "attaching");
	frame_demux_init(&st.demux, output_sink, &st);
	r = api_connect(&cli->api, &st.sock, err);
	if (r == 0)
		r = attach_handshake(&st, buf, &extra, &len, err);
	if (r == 0 && o->on_attached && o->on_attached(o->userdata) != 0)
		r = TTY_ATTACH_ABORTED;
	if (r == 0 && open_signals(&st, &old_mask) < 0)
		r = err_set(err, errno, "watching signals");
	if (r == 0 && o->tty && o->send_stdin && isatty(STDIN_FILENO))
		raw = tty_raw_enter(STDIN_FILENO, &saved) == 0;
	if (r == 0) {
		send_window_size(&st);
		if (len > extra && handle_output(&st, buf + extra, len - extra) < 0)
			r = err_setx(err, EPROTO, "invalid frame in the attached stream");
	}
	if (r == 0)
		r = attach_loop(&st, err);

	if (raw)
		tty_raw_leave(STDIN_FILENO, &saved);
	if (st.signal_fd >= 0) {
		close(st.signal_fd);
		(void)sigprocmask(SIG_SETMASK, &old_mask, NULL);
	}
	if (st.sock >= 0)
		close(st.sock);
	free(buf);
	return r;
}
