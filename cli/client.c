/* SPDX-License-Identifier: MIT */
/*
 * Requests to mstatd over its unix socket: connect, send the whole request,
 * parse the response as it arrives. Hand-written instead of libcurl because
 * loading libcurl and its 37 libraries cost about 4.4 ms at every start of
 * mstat, and the command line only needs HTTP/1.1 over one local socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli/client.h"

#ifndef MSTAT_VERSION
#define MSTAT_VERSION "unknown"
#endif

/* Maximum wait for mstatd to accept the connection while its backlog is full. */
#define API_CONNECT_TIMEOUT_S 10
#define API_READ_SIZE	      16384
/* Reads per call and step, so that one busy stream cannot starve the others. */
#define API_READS_PER_STEP 8

static bool api_is_token(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '-' ||
		      (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

/* True when s has no control byte, space or DEL, so it cannot end a line. */
static bool api_is_visible(const char *s, bool allow_space)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f || (c == ' ' && !allow_space))
			return false;
	}
	return true;
}

int api_call_new(const struct api_client *client, const char *method, const char *path,
		 const char *json_body, struct api_call **ret, struct mst_err *err)
{
	struct api_call *call;

	if (!api_is_token(method) || path[0] != '/' || !api_is_visible(path, false))
		return err_setx(err, EINVAL,
				"invalid request %.40s %.200s: the method must be a "
				"token and the path must start with / and have no "
				"spaces or control characters",
				method, path);

	call = calloc(1, sizeof(*call));
	if (!call)
		return err_set(err, ENOMEM, "preparing the request %s %s failed", method, path);
	call->fd = -1;
	call->socket_path = client->socket_path;
	strbuf_init(&call->headers);
	strbuf_init(&call->request);
	strbuf_init(&call->body);
	call->method = strdup(method);
	call->path = strdup(path);
	call->request_body = json_body ? strdup(json_body) : NULL;
	if (!call->method || !call->path || (json_body && !call->request_body)) {
		api_call_free(call);
		return err_set(err, ENOMEM, "preparing the request %s %s failed", method, path);
	}
	http_parser_init(&call->parser, strcmp(method, "HEAD") == 0);
	*ret = call;
	return 0;
}

void api_call_free(struct api_call *call)
{
	if (!call)
		return;
	if (call->fd >= 0)
		close(call->fd);
	free(call->method);
	free(call->path);
	free(call->request_body);
	strbuf_free(&call->headers);
	strbuf_free(&call->request);
	strbuf_free(&call->body);
	free(call);
}

void api_call_set_sink(struct api_call *call, api_sink_fn sink, void *userdata)
{
	call->sink = sink;
	call->userdata = userdata;
}

int api_call_add_header(struct api_call *call, const char *header)
{
	const char *colon = strchr(header, ':');

	if (call->state != API_CALL_NEW || !colon || colon == header ||
	    !api_is_visible(header, true) || memchr(header, ' ', (size_t)(colon - header)))
		return -EINVAL;
	strbuf_puts(&call->headers, header);
	strbuf_puts(&call->headers, "\r\n");
	return call->headers.error;
}

bool api_call_sent(const struct api_call *call)
{
	bool past_sending = call->state == API_CALL_RECEIVING || call->state == API_CALL_DONE;

	return past_sending && call->sent > 0 && call->sent == call->request.len;
}

static void api_call_end(struct api_call *call, enum api_result result)
{
	if (call->fd >= 0)
		close(call->fd);
	call->fd = -1;
	call->result = result;
	call->state = API_CALL_DONE;
}

/* Connects to the socket, blocking at most API_CONNECT_TIMEOUT_S while the
 * listener's backlog is full. Returns the socket or -errno. */
static int api_connect_fd(const char *socket_path, bool nonblock)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct timeval timeout = { .tv_sec = API_CONNECT_TIMEOUT_S };
	int fd, r = 0;

	if (strlen(socket_path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	memcpy(addr.sun_path, socket_path, strlen(socket_path));

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* On a unix socket, connect() waits for the backlog with the send timeout. */
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
	for (int tries = 0; tries < 3; tries++) {
		r = connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ? -errno : 0;
		if (r != -EINTR)
			break;
	}
	if (r == 0 && nonblock && fcntl(fd, F_SETFL, O_NONBLOCK) < 0)
		r = -errno;
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

/* Builds the request. Connection: close makes the server end the
 * connection after the response, which is also how a body without length
 * ends. */
static int api_build_request(struct api_call *call)
{
	struct strbuf *b = &call->request;
	bool with_length = call->request_body || strcmp(call->method, "POST") == 0 ||
			   strcmp(call->method, "PUT") == 0 || strcmp(call->method, "PATCH") == 0;

	strbuf_printf(b, "%s %s HTTP/1.1\r\nHost: localhost\r\nUser-Agent: mstat/%s\r\n",
		      call->method, call->path, MSTAT_VERSION);
	if (call->request_body)
		strbuf_puts(b, "Content-Type: application/json\r\n");
	if (with_length)
		strbuf_printf(b, "Content-Length: %zu\r\n",
			      call->request_body ? strlen(call->request_body) : 0);
	strbuf_append(b, strbuf_str(&call->headers), call->headers.len);
	strbuf_puts(b, "Connection: close\r\n\r\n");
	if (call->request_body)
		strbuf_puts(b, call->request_body);
	return b->error;
}

/* Writes what the socket takes of the rest of the request. */
static void api_call_send(struct api_call *call)
{
	while (call->sent < call->request.len) {
		ssize_t n = send(call->fd, call->request.data + call->sent,
				 call->request.len - call->sent, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0) {
			/* The server may have replied before it stopped reading, as
			 * with an error for a request it rejects early: read that. */
			call->os_errno = errno;
			call->send_failed = true;
			break;
		}
		call->sent += (size_t)n;
	}
	call->state = API_CALL_RECEIVING;
}

/* Connects and sends as much of the request as the socket takes. */
static void api_call_start(struct api_call *call)
{
	int fd;

	if (api_build_request(call) < 0) {
		api_call_end(call, API_RESULT_NOMEM);
		return;
	}
	fd = api_connect_fd(call->socket_path, true);
	if (fd < 0) {
		call->os_errno = -fd;
		api_call_end(call, API_RESULT_CONNECT);
		return;
	}
	call->fd = fd;
	call->state = API_CALL_SENDING;
	api_call_send(call);
}

static int api_body_cb(const char *data, size_t len, void *userdata)
{
	struct api_call *call = userdata;

	call->status = call->parser.status;
	if (call->sink && call->status >= 200 && call->status < 300) {
		int r = call->sink(data, len, call->userdata);

		if (r < 0)
			call->sink_error = r;
		return r;
	}
	strbuf_append(&call->body, data, len);
	return call->body.error;
}

/* Ends the call after the parser or the body callback failed. */
static void api_call_fail(struct api_call *call, int r)
{
	if (call->sink_error < 0) {
		api_call_end(call, API_RESULT_SINK);
	} else if (r == -EPROTO) {
		snprintf(call->error, sizeof(call->error), "%s", call->parser.error);
		api_call_end(call, API_RESULT_MALFORMED);
	} else if (r == -ECONNRESET) {
		snprintf(call->error, sizeof(call->error), "%s", call->parser.error);
		api_call_end(call, API_RESULT_CLOSED);
	} else {
		api_call_end(call, API_RESULT_NOMEM);
	}
}

/* Handles the end of the stream: a complete response, or a cut one. */
static void api_call_eof(struct api_call *call, int read_errno)
{
	int r = read_errno ? -ECONNRESET : http_parser_finish(&call->parser);

	if (r == 1) {
		call->status = call->parser.status;
		api_call_end(call, API_RESULT_OK);
		return;
	}
	if (read_errno)
		snprintf(call->parser.error, sizeof(call->parser.error),
			 "receiving the response failed: %s", strerror(read_errno));
	else if (call->send_failed && call->parser.phase == HTTP_PHASE_STATUS)
		snprintf(call->parser.error, sizeof(call->parser.error),
			 "sending the request failed: %s", strerror(call->os_errno));
	api_call_fail(call, -ECONNRESET);
}

/* Reads what arrived and feeds it to the parser, at most max_reads times. */
static void api_call_receive(struct api_call *call, int max_reads)
{
	char buf[API_READ_SIZE];

	for (int i = 0; i < max_reads && call->state == API_CALL_RECEIVING; i++) {
		ssize_t n = read(call->fd, buf, sizeof(buf));
		size_t used;
		int r;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			api_call_eof(call, n < 0 ? errno : 0);
			return;
		}
		r = http_parser_feed(&call->parser, buf, (size_t)n, api_body_cb, call, &used);
		if (http_parser_have_headers(&call->parser))
			call->status = call->parser.status;
		if (r < 0)
			api_call_fail(call, r);
		else if (r == 1)
			api_call_end(call, API_RESULT_OK);
	}
}

/* Advances the call after poll() reported revents on its socket. */
static void api_call_progress(struct api_call *call, short revents)
{
	if (call->state == API_CALL_SENDING && revents)
		api_call_send(call);
	else if (call->state == API_CALL_RECEIVING && revents)
		api_call_receive(call, API_READS_PER_STEP);
}

static short api_call_events(const struct api_call *call)
{
	return call->state == API_CALL_SENDING ? POLLOUT : POLLIN;
}

int api_call_run(struct api_call *call, struct mst_err *err)
{
	if (call->state == API_CALL_NEW)
		api_call_start(call);
	while (call->state != API_CALL_DONE) {
		struct pollfd pfd = { .fd = call->fd, .events = api_call_events(call) };

		if (poll(&pfd, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return err_set(err, errno, "waiting for mstatd at %s failed",
				       call->socket_path);
		}
		api_call_progress(call, pfd.revents);
	}
	return api_call_finish(call, call->result, err);
}

/* Maps a failed connect to a message that names the socket. */
static int api_connect_error(const char *socket_path, int code, struct mst_err *err)
{
	if (code == EACCES)
		return err_set(err, EACCES,
			       "cannot connect to mstatd at %s; run mstat as root or as a "
			       "member of the socket's group",
			       socket_path);
	if (code == EAGAIN)
		return err_setx(err, ETIMEDOUT,
				"connecting to mstatd at %s timed out after %d s: mstatd is not "
				"accepting connections; check the mstatd log",
				socket_path, API_CONNECT_TIMEOUT_S);
	if (code == ENAMETOOLONG)
		return err_setx(err, ENAMETOOLONG,
				"the socket path %s is longer than a unix socket address allows; "
				"choose a shorter one with --socket or MSTAT_SOCKET",
				socket_path);
	struct stat st;
	if (code == ECONNREFUSED && stat(socket_path, &st) == 0 && !S_ISSOCK(st.st_mode))
		return err_setx(err, ENOTSOCK,
				"cannot connect to mstatd at %s: it is no socket; point --socket "
				"or MSTAT_SOCKET at the socket mstatd listens on",
				socket_path);
	/* err_set() would put strerror() last; here the hint comes after it. */
	return err_setx(err, code,
			"cannot connect to mstatd at %s: %s; is mstatd running? "
			"(choose another socket with --socket or MSTAT_SOCKET)",
			socket_path, strerror(code));
}

int api_connect(const struct api_client *client, int *ret_fd, struct mst_err *err)
{
	int fd = api_connect_fd(client->socket_path, false);

	if (fd < 0)
		return api_connect_error(client->socket_path, -fd, err);
	*ret_fd = fd;
	return 0;
}

/* Builds the error for an HTTP status of 400 or more from the {"message"}
 * body that mstatd sends, or from the raw body when it is not that JSON. */
static int api_status_error(struct api_call *call, struct mst_err *err)
{
	int code = call->status == 400	 ? EINVAL
		   : call->status == 404 ? ENOENT
		   : call->status == 409 ? EEXIST
					 : EIO;
	json_t *root = json_loadb(strbuf_str(&call->body), call->body.len, 0, NULL);
	const char *message = NULL;

	if (root)
		message = json_string_value(json_object_get(root, "message"));

	int r;
	if (message)
		r = err_setx(err, code, API_ERROR_PREFIX "%s", message);
	else if (call->body.len > 0)
		r = err_setx(err, code, API_ERROR_PREFIX "HTTP %ld: %.200s", call->status,
			     strbuf_str(&call->body));
	else
		r = err_setx(err, code, API_ERROR_PREFIX "HTTP %ld for %s %s", call->status,
			     call->method, call->path);
	json_decref(root);
	return r;
}

int api_call_finish(struct api_call *call, enum api_result result, struct mst_err *err)
{
	if (call->sink_error < 0)
		return call->sink_error;

	switch (result) {
	case API_RESULT_OK:
		break;
	case API_RESULT_CONNECT:
		return api_connect_error(call->socket_path, call->os_errno, err);
	case API_RESULT_CLOSED:
		return err_setx(err, ECONNRESET,
				"connection to mstatd at %s closed during %s %s (%s); check the "
				"mstatd log",
				call->socket_path, call->method, call->path, call->error);
	case API_RESULT_MALFORMED:
		return err_setx(err, EPROTO, "invalid response from mstatd at %s to %s %s: %s",
				call->socket_path, call->method, call->path, call->error);
	case API_RESULT_SINK: /* sink_error is set, so not reached */
	case API_RESULT_NOMEM:
	default:
		return err_set(err, ENOMEM, "reading the response to %s %s failed", call->method,
			       call->path);
	}

	if (call->status >= 400)
		return api_status_error(call, err);
	return 0;
}

int api_request(const struct api_client *client, const char *method, const char *path,
		const char *json_body, struct strbuf *ret_body, long *ret_status,
		struct mst_err *err)
{
	struct api_call *call;
	int r = api_call_new(client, method, path, json_body, &call, err);

	if (r < 0)
		return r;

	r = api_call_run(call, err);
	if (ret_status)
		*ret_status = call->status;
	if (r >= 0 && ret_body) {
		strbuf_free(ret_body);
		*ret_body = call->body;
		strbuf_init(&call->body);
	}
	api_call_free(call);
	return r;
}

char *api_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *escaped = malloc(strlen(s) * 3 + 1);
	char *out = escaped;

	if (!escaped)
		return NULL;
	/* Everything but RFC 3986's unreserved characters is percent-encoded. */
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			*out++ = (char)c;
		} else {
			*out++ = '%';
			*out++ = hex[c >> 4];
			*out++ = hex[c & 0xf];
		}
	}
	*out = '\0';
	return escaped;
}

bool api_error_is_remote(const struct mst_err *err)
{
	return strncmp(err->msg, API_ERROR_PREFIX, strlen(API_ERROR_PREFIX)) == 0;
}

int api_multi_init(struct api_multi *m, struct mst_err *err)
{
	(void)err;
	memset(m, 0, sizeof(*m));
	return 0;
}

void api_multi_cleanup(struct api_multi *m)
{
	free(m->calls);
	free(m->pollfds);
	memset(m, 0, sizeof(*m));
}

int api_multi_add(struct api_multi *m, struct api_call *call, struct mst_err *err)
{
	if (m->n_calls == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 4;
		struct api_call **calls = realloc(m->calls, cap * sizeof(*calls));
		struct pollfd *pollfds;

		if (!calls)
			return err_set(err, ENOMEM, "starting %s %s failed", call->method,
				       call->path);
		m->calls = calls;
		/* One more for the extra fd of api_multi_step(). */
		pollfds = realloc(m->pollfds, (cap + 1) * sizeof(*pollfds));
		if (!pollfds)
			return err_set(err, ENOMEM, "starting %s %s failed", call->method,
				       call->path);
		m->pollfds = pollfds;
		m->cap = cap;
	}
	m->calls[m->n_calls++] = call;
	return 0;
}

void api_multi_remove(struct api_multi *m, struct api_call *call)
{
	for (size_t i = 0; i < m->n_calls; i++) {
		if (m->calls[i] != call)
			continue;
		memmove(&m->calls[i], &m->calls[i + 1], (m->n_calls - i - 1) * sizeof(*m->calls));
		m->n_calls--;
		return;
	}
}

/* Starts new calls. Returns true when a finished call waits to be returned. */
static bool api_multi_start(struct api_multi *m)
{
	bool done_waiting = false;

	for (size_t i = 0; i < m->n_calls; i++) {
		struct api_call *call = m->calls[i];

		if (call->state == API_CALL_NEW)
			api_call_start(call);
		if (call->state == API_CALL_DONE && !call->reported)
			done_waiting = true;
	}
	return done_waiting;
}

int api_multi_step(struct api_multi *m, int extra_fd, int timeout_ms, bool *ret_fd_ready,
		   struct mst_err *err)
{
	size_t n = m->n_calls;
	struct pollfd extra = { .fd = extra_fd, .events = POLLIN };
	struct pollfd *fds = n > 0 ? m->pollfds : &extra;
	int running = 0;

	if (api_multi_start(m))
		timeout_ms = 0;
	for (size_t i = 0; i < n; i++) {
		const struct api_call *call = m->calls[i];
		bool active = call->state == API_CALL_SENDING || call->state == API_CALL_RECEIVING;

		fds[i] = (struct pollfd){ .fd = active ? call->fd : -1,
					  .events = api_call_events(call) };
	}
	if (n > 0)
		fds[n] = extra;

	if (poll(fds, n + 1, timeout_ms) < 0) {
		if (errno != EINTR)
			return err_set(err, errno, "waiting for mstatd failed");
		for (size_t i = 0; i <= n; i++)
			fds[i].revents = 0;
	}

	for (size_t i = 0; i < n; i++) {
		if (fds[i].fd >= 0)
			api_call_progress(m->calls[i], fds[i].revents);
		if (m->calls[i]->state != API_CALL_DONE)
			running++;
	}
	if (ret_fd_ready)
		*ret_fd_ready = extra_fd >= 0 && (fds[n].revents & POLLIN);
	return running;
}

bool api_multi_next_done(struct api_multi *m, struct api_call **ret_call,
			 enum api_result *ret_result)
{
	for (size_t i = 0; i < m->n_calls; i++) {
		struct api_call *call = m->calls[i];

		if (call->state != API_CALL_DONE || call->reported)
			continue;
		call->reported = true;
		*ret_call = call;
		*ret_result = call->result;
		return true;
	}
	return false;
}
