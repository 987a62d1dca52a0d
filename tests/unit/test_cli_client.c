/* SPDX-License-Identifier: MIT */
/* The HTTP client over a unix socket. It covers the messages when nothing
 * listens or the connection is refused, and an error body turned into
 * mstatd's message. It also covers chunked bodies split at awkward places,
 * Content-Length and read-until-close bodies, and streams read in pieces.
 * Malformed and cut responses, and several calls driven with an extra fd,
 * are covered too. The server is a small HTTP responder in a child process,
 * which forks once per connection, on a socket in a private directory. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/client.h"
#include "tests/unit/cunit_main.h"

#define TEST_TIMEOUT_S 20

static char dir[64];
static char sock_path[100];
static pid_t server_pid = -1;
/* In a server child: the body bytes that read_request() consumed. */
static size_t request_body_read;

static void send_all(int fd, const char *s, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, s, len);
		if (n <= 0)
			_exit(3);
		s += n;
		len -= (size_t)n;
	}
}

static void send_str(int fd, const char *s)
{
	send_all(fd, s, strlen(s));
}

/* Reads one request; returns its request line, body and whole head in the
 * buffers, and 1 when it was sent as JSON. */
static int read_request(int fd, char *line, size_t line_size, char *body, size_t body_size,
			char *head, size_t head_size)
{
	char buf[8192];
	size_t len = 0;
	char *end = NULL;

	while (!end) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			return -1;
		len += (size_t)n;
		buf[len] = '\0';
		end = strstr(buf, "\r\n\r\n");
	}
	snprintf(line, line_size, "%.*s", (int)strcspn(buf, "\r"), buf);
	snprintf(head, head_size, "%.*s", (int)(end + 4 - buf), buf);

	const char *cl = strcasestr(buf, "Content-Length:");
	size_t want = cl && cl < end ? strtoul(cl + 15, NULL, 10) : 0;
	size_t have = len - (size_t)(end + 4 - buf);
	while (have < want && len < sizeof(buf) - 1) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			return -1;
		len += (size_t)n;
		have += (size_t)n;
	}
	buf[len] = '\0';
	request_body_read = have;
	snprintf(body, body_size, "%s", end + 4);
	return strcasestr(buf, "Content-Type: application/json") ? 1 : 0;
}

static void send_error_body(int fd)
{
	const char *msg = "{\"message\": \"No such container: ghost\"}";
	char head[256];

	snprintf(head, sizeof(head),
		 "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
		 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
		 strlen(msg));
	send_str(fd, head);
	send_str(fd, msg);
}

/* Sends pieces as separate writes with a pause between them, so that the
 * client reads them apart. */
static void send_pieces(int fd, const char *const *pieces, useconds_t pause_us)
{
	for (size_t i = 0; pieces[i]; i++) {
		send_str(fd, pieces[i]);
		usleep(pause_us);
	}
}

static void send_stream(int fd)
{
	/* chunks that end inside lines, sent as separate writes */
	static const char *const pieces[] = {
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
		"5\r\n{\"a\":\r\n",
		"7\r\n1}\n{\"a\"\r\n",
		"4\r\n:2}\n\r\n",
		"8\r\n{\"a\":3}\n\r\n",
		"0\r\n\r\n",
		NULL
	};
	send_pieces(fd, pieces, 20000);
}

/* A chunked body split inside the size line, between CR and LF, inside a
 * chunk extension and inside the trailers. */
static void send_awkward_chunks(int fd)
{
	static const char *const pieces[] = { "HTTP/1.1 200 OK\r\nTransfer-",
					      "Encoding: chunked\r",
					      "\n\r",
					      "\n1",
					      "0;ext=\"a",
					      "b\"\r",
					      "\n0123456789",
					      "abcdef",
					      "\r",
					      "\n3\r\nxyz\r\n0\r\nTrail",
					      "er: 1\r\n\r",
					      "\n",
					      NULL };
	send_pieces(fd, pieces, 5000);
}

/* A stream whose second half comes only after a pause, so that a reader
 * sees the first half while the call still runs. */
static void send_slow_stream(int fd)
{
	static const char *const pieces[] = {
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nfirst\n\r\n", NULL
	};
	send_pieces(fd, pieces, 300000);
	send_str(fd, "7\r\nsecond\n\r\n0\r\n\r\n");
}

static void send_large_length(int fd)
{
	static char body[200000];
	char head[128];

	for (size_t i = 0; i < sizeof(body); i++)
		body[i] = (char)('a' + i % 26);
	snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n",
		 sizeof(body));
	send_str(fd, head);
	send_all(fd, body, sizeof(body));
}

static void send_oversized_header(int fd)
{
	char line[HTTP_LINE_MAX + 64];

	send_str(fd, "HTTP/1.1 200 OK\r\nX-Big: ");
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	send_str(fd, line);
	send_str(fd, "\r\nContent-Length: 0\r\n\r\n");
}

/* Reads the rest of a large request body and reports its size. */
static void count_body(int fd, const char *head)
{
	const char *cl = strcasestr(head, "Content-Length:");
	size_t want = cl ? strtoul(cl + 15, NULL, 10) : 0;
	size_t have = request_body_read;
	char buf[65536], text[64], reply[128];

	while (have < want) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			_exit(4);
		have += (size_t)n;
	}
	snprintf(text, sizeof(text), "received %zu", have);
	snprintf(reply, sizeof(reply), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n%s",
		 strlen(text), text);
	send_str(fd, reply);
}

/* Sends the canned response for a request; the client closes or the
 * child exits afterwards. */
static void respond(int fd, const char *line, const char *body, int json, const char *head)
{
	if (strstr(line, "/v1/containers/ghost/json")) {
		send_error_body(fd);
	} else if (strstr(line, "/slow-stream")) {
		send_slow_stream(fd);
	} else if (strstr(line, "/stream")) {
		send_stream(fd);
	} else if (strstr(line, "/awkward")) {
		send_awkward_chunks(fd);
	} else if (strstr(line, "/large")) {
		send_large_length(fd);
	} else if (strstr(line, "/until-close")) {
		send_str(fd, "HTTP/1.0 200 OK\r\nServer: test\r\n\r\n");
		usleep(20000);
		send_str(fd, "no length, ends at close\n");
	} else if (strstr(line, "/bad-status")) {
		send_str(fd, "HTTP/1.1 OK\r\nContent-Length: 0\r\n\r\n");
	} else if (strstr(line, "/big-header")) {
		send_oversized_header(fd);
	} else if (strstr(line, "/early-close")) {
		send_str(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten..");
	} else if (strstr(line, "/no-response")) {
		/* closes without a byte */
	} else if (strstr(line, "POST /count")) {
		count_body(fd, head);
	} else if (strstr(line, "/head")) {
		char reply[256];
		snprintf(reply, sizeof(reply), "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n",
			 strlen(head));
		send_str(fd, reply);
		send_str(fd, head);
	} else if (strstr(line, "POST /echo")) {
		char reply[4200];
		int n =
		    snprintf(reply, sizeof(reply), "%s%s", json == 1 ? "json:" : "plain:", body);
		char reply_head[256];
		snprintf(reply_head, sizeof(reply_head),
			 "HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n", n);
		send_str(fd, reply_head);
		send_str(fd, reply);
	} else {
		send_str(fd, "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n"
			     "Connection: close\r\n\r\n");
	}
}

/* Accepts connections and responds to each in its own child process, so that
 * several calls can be open at once. */
static void serve(int listener)
{
	signal(SIGCHLD, SIG_IGN); /* children are reaped by the kernel */
	alarm(TEST_TIMEOUT_S);
	for (;;) {
		char line[512], body[4096], head[4096];
		int fd = accept(listener, NULL, NULL);
		if (fd < 0)
			_exit(2);
		if (fork() != 0) {
			close(fd);
			continue;
		}
		alarm(TEST_TIMEOUT_S);
		close(listener);
		int json =
		    read_request(fd, line, sizeof(line), body, sizeof(body), head, sizeof(head));
		if (json >= 0)
			respond(fd, line, body, json, head);
		close(fd);
		_exit(0);
	}
}

static int start_server(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd;

	snprintf(dir, sizeof(dir), "/tmp/mstat-cli-test-XXXXXX");
	if (!mkdtemp(dir))
		return -errno;
	snprintf(sock_path, sizeof(sock_path), "%s/api.sock", dir);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", sock_path);

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 8) < 0)
		return -errno;
	server_pid = fork();
	if (server_pid < 0)
		return -errno;
	if (server_pid == 0)
		serve(fd);
	close(fd);
	return 0;
}

static void stop_server(void)
{
	if (server_pid > 0) {
		kill(server_pid, SIGKILL);
		waitpid(server_pid, NULL, 0);
	}
	unlink(sock_path);
	rmdir(dir);
}

static void test_no_listener(void)
{
	struct api_client client = { .socket_path = "/nonexistent/mstat-test.sock" };
	struct mst_err err = { 0 };

	CU_ASSERT_EQUAL(api_request(&client, "GET", "/v1/containers", NULL, NULL, NULL, &err),
			-ENOENT);
	CU_ASSERT_STRING_EQUAL(
	    err.msg, "cannot connect to mstatd at /nonexistent/mstat-test.sock: No such file "
		     "or directory; is mstatd running? (choose another socket with "
		     "--socket or MSTAT_SOCKET)");
	CU_ASSERT_FALSE(api_error_is_remote(&err));
}

static void test_error_body(void)
{
	struct api_client client = { .socket_path = sock_path };
	struct mst_err err = { 0 };
	long status = 0;

	CU_ASSERT_EQUAL(
	    api_request(&client, "GET", "/v1/containers/ghost/json", NULL, NULL, &status, &err),
	    -ENOENT);
	CU_ASSERT_EQUAL(status, 404);
	CU_ASSERT_STRING_EQUAL(err.msg, "Error response from mstatd: No such container: ghost");
	CU_ASSERT_TRUE(api_error_is_remote(&err));

	CU_ASSERT_EQUAL(api_request(&client, "GET", "/other", NULL, NULL, &status, &err), -EIO);
	CU_ASSERT_EQUAL(status, 500);
	CU_ASSERT_STRING_EQUAL(err.msg, "Error response from mstatd: HTTP 500 for GET /other");
}

struct collected {
	struct strbuf data;
	unsigned pieces;
};

static int collect(const char *data, size_t len, void *userdata)
{
	struct collected *c = userdata;

	strbuf_append(&c->data, data, len);
	c->pieces++;
	return 0;
}

static void test_streaming(void)
{
	struct api_client client = { .socket_path = sock_path };
	struct collected c = { .pieces = 0 };
	struct mst_err err = { 0 };
	struct api_call *call;

	strbuf_init(&c.data);
	CU_ASSERT_EQUAL_FATAL(api_call_new(&client, "GET", "/stream", NULL, &call, &err), 0);
	api_call_set_sink(call, collect, &c);
	CU_ASSERT_EQUAL(api_call_run(call, &err), 0);
	CU_ASSERT_EQUAL(call->status, 200);
	CU_ASSERT_STRING_EQUAL(strbuf_str(&c.data), "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n");
	CU_ASSERT_TRUE(c.pieces >= 2); /* delivered as it arrived, not at the end */
	CU_ASSERT_EQUAL(call->body.len, 0);
	api_call_free(call);
	strbuf_free(&c.data);
}

static void test_json_body(void)
{
	struct api_client client = { .socket_path = sock_path };
	struct mst_err err = { 0 };
	struct strbuf body;

	strbuf_init(&body);
	CU_ASSERT_EQUAL(
	    api_request(&client, "POST", "/echo", "{\"Cmd\":[\"true\"]}", &body, NULL, &err), 0);
	CU_ASSERT_STRING_EQUAL(strbuf_str(&body), "json:{\"Cmd\":[\"true\"]}");
	CU_ASSERT_EQUAL(api_request(&client, "POST", "/echo", NULL, &body, NULL, &err), 0);
	CU_ASSERT_STRING_EQUAL(strbuf_str(&body), "plain:");
	strbuf_free(&body);
}

static void test_escape(void)
{
	char *s = api_escape("a b/c?d");

	CU_ASSERT_STRING_EQUAL(s, "a%20b%2Fc%3Fd");
	free(s);
}

static void test_refused(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct api_client client = { .socket_path = addr.sun_path };
	struct mst_err err = { 0 };
	char expected[400];
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	/* A socket bound but not listening refuses connections. */
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/refused.sock", dir);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL_FATAL(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	CU_ASSERT_EQUAL(api_request(&client, "GET", "/v1/containers", NULL, NULL, NULL, &err),
			-ECONNREFUSED);
	snprintf(expected, sizeof(expected),
		 "cannot connect to mstatd at %s: Connection refused; is mstatd running? "
		 "(choose another socket with --socket or MSTAT_SOCKET)",
		 addr.sun_path);
	CU_ASSERT_STRING_EQUAL(err.msg, expected);
	close(fd);
	unlink(addr.sun_path);
}

static void test_awkward_chunks(void)
{
	struct api_client client = { .socket_path = sock_path };
	struct mst_err err = { 0 };
	struct strbuf body;
	long status = 0;

	strbuf_init(&body);
	CU_ASSERT_EQUAL(api_request(&client, "GET", "/awkward", NULL, &body, &status, &err), 0);
	CU_ASSERT_EQUAL(status, 200);
	CU_ASSERT_STRING_EQUAL(strbuf_str(&body), "0123456789abcdefxyz");
	strbuf_free(&body);
}

static void test_content_length(void)
{
	struct api_client client = { .socket_path = sock_path };
	struct mst_err err = { 0 };
	struct strbuf body;
	bool pattern_ok = true;

	strbuf_init(&body);
	CU_ASSERT_EQUAL(api_request(&client, "GET", "/large", NULL, &body, NULL, &err), 0);
	CU_ASSERT_EQUAL(body.len, 200000);
	for (size_t i = 0; i < body.len; i++)
		if (body.data[i] != (char)('a' + i % 26))
			pattern_ok = false;
	CU_ASSERT_TRUE(pattern_ok);
	strbuf_free(&body);
}

static void test_body_until_close(void)
{
	struct api_client client = { .socket_path = sock_path };
	struct mst_err err = { 0 };
	struct strbuf body;

	strbuf_init(&body);
	CU_ASSERT_EQUAL(api_request(&client, "GET", "/until-close", NULL, &body, NULL, &err), 0);
	CU_ASSERT_STRING_EQUAL(strbuf_str(&body), "no length, ends at close\n");
	strbuf_free(&body);
}

/* Steps the set until call is done, at most 100 steps of 100 ms. */
static bool step_until_done(struct api_multi *m, struct api_call *call)
{
	struct mst_err err = { 0 };

	for (int i = 0; i < 100 && call->state != API_CALL_DONE; i++)
		if (api_multi_step(m, -1, 100, NULL, &err) < 0)
			return false;
	return call->state == API_CALL_DONE;
}

static void test_stream_in_pieces(void)
{
	struct api_client client = { .socket_path = sock_path };
	struct collected c = { .pieces = 0 };
	struct api_multi m = { 0 };
	struct mst_err err = { 0 };
	struct api_call *call, *done;
	enum api_result result;
	int running = 1;

	strbuf_init(&c.data);
	CU_ASSERT_EQUAL_FATAL(api_call_new(&client, "GET", "/slow-stream", NULL, &call, &err), 0);
	api_call_set_sink(call, collect, &c);
	CU_ASSERT_EQUAL(api_multi_add(&m, call, &err), 0);

	/* The first half arrives while the server still waits to send the second. */
	for (int i = 0; i < 100 && c.data.len == 0 && running > 0; i++)
		running = api_multi_step(&m, -1, 100, NULL, &err);
	CU_ASSERT_STRING_EQUAL(strbuf_str(&c.data), "first\n");
	CU_ASSERT_EQUAL(running, 1);
	CU_ASSERT_EQUAL(call->status, 200);
	CU_ASSERT_FALSE(api_multi_next_done(&m, &done, &result));

	CU_ASSERT_TRUE(step_until_done(&m, call));
	CU_ASSERT_STRING_EQUAL(strbuf_str(&c.data), "first\nsecond\n");
	CU_ASSERT_TRUE(api_multi_next_done(&m, &done, &result));
	CU_ASSERT_PTR_EQUAL(done, call);
	CU_ASSERT_EQUAL(result, API_RESULT_OK);
	CU_ASSERT_EQUAL(api_call_finish(call, result, &err), 0);

	api_multi_remove(&m, call);
	api_multi_cleanup(&m);
	api_call_free(call);
	strbuf_free(&c.data);
}

/* Runs GET path and checks the error code and message. */
static void check_failure(const char *path, int code, const char *detail)
{
	struct api_client client = { .socket_path = sock_path };
	struct mst_err err = { 0 };
	char expected[600];

	CU_ASSERT_EQUAL(api_request(&client, "GET", path, NULL, NULL, NULL, &err), -code);
	if (code == EPROTO)
		snprintf(expected, sizeof(expected),
			 "invalid response from mstatd at %s to GET %s: %s", sock_path, path,
			 detail);
	else
		snprintf(expected, sizeof(expected),
			 "connection to mstatd at %s closed during GET %s (%s); check the "
			 "mstatd log",
			 sock_path, path, detail);
	CU_ASSERT_STRING_EQUAL(err.msg, expected);
	CU_ASSERT_FALSE(api_error_is_remote(&err));
}

static void test_malformed_status(void)
{
	check_failure("/bad-status", EPROTO,
		      "the status line \"HTTP/1.1 OK\" has no valid status code");
}

static void test_oversized_header(void)
{
	check_failure("/big-header", EPROTO, "a header line is longer than 8192 bytes");
}

static void test_early_close(void)
{
	check_failure("/early-close", ECONNRESET,
		      "the server closed the connection 90 bytes before the end of the body");
	check_failure("/no-response", ECONNRESET,
		      "the server closed the connection before sending a response");
}

static void test_request_head(void)
{
	struct api_client client = { .socket_path = sock_path };
	struct mst_err err = { 0 };
	struct strbuf body;
	struct api_call *call;

	strbuf_init(&body);
	CU_ASSERT_EQUAL(api_request(&client, "DELETE", "/head?force=1", NULL, &body, NULL, &err),
			0);
	CU_ASSERT_PTR_NOT_NULL(strstr(strbuf_str(&body), "DELETE /head?force=1 HTTP/1.1\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(strbuf_str(&body), "\r\nHost: localhost\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(strbuf_str(&body), "\r\nConnection: close\r\n"));
	CU_ASSERT_PTR_NULL(strstr(strbuf_str(&body), "Content-Length"));

	CU_ASSERT_EQUAL_FATAL(api_call_new(&client, "POST", "/head", NULL, &call, &err), 0);
	CU_ASSERT_EQUAL(api_call_add_header(call, "Accept: application/x-test"), 0);
	CU_ASSERT_EQUAL(api_call_run(call, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(strbuf_str(&call->body), "POST /head HTTP/1.1\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(strbuf_str(&call->body), "\r\nContent-Length: 0\r\n"));
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(strbuf_str(&call->body), "\r\nAccept: application/x-test\r\n"));
	CU_ASSERT_TRUE(api_call_sent(call));
	api_call_free(call);
	strbuf_free(&body);
}

static void test_invalid_request(void)
{
	struct api_client client = { .socket_path = sock_path };
	struct mst_err err = { 0 };
	struct api_call *call;

	CU_ASSERT_EQUAL(api_call_new(&client, "GET", "/a\r\nX: y", NULL, &call, &err), -EINVAL);
	CU_ASSERT_EQUAL(api_call_new(&client, "GET", "/a b", NULL, &call, &err), -EINVAL);
	CU_ASSERT_EQUAL(api_call_new(&client, "GET", "relative", NULL, &call, &err), -EINVAL);
	CU_ASSERT_EQUAL(api_call_new(&client, "GE T", "/", NULL, &call, &err), -EINVAL);

	CU_ASSERT_EQUAL_FATAL(api_call_new(&client, "GET", "/", NULL, &call, &err), 0);
	CU_ASSERT_EQUAL(api_call_add_header(call, "X: a\r\nY: b"), -EINVAL);
	CU_ASSERT_EQUAL(api_call_add_header(call, "no colon"), -EINVAL);
	CU_ASSERT_EQUAL(api_call_add_header(call, ": empty name"), -EINVAL);
	api_call_free(call);
}

static void test_multi_extra_fd(void)
{
	struct api_client client = { .socket_path = sock_path };
	struct collected c = { .pieces = 0 };
	struct api_multi m = { 0 };
	struct mst_err err = { 0 };
	struct api_call *slow, *large, *done;
	enum api_result result;
	bool fd_ready = true;
	int pipe_fds[2], running = 2;
	unsigned slow_done = 0, large_done = 0;

	strbuf_init(&c.data);
	CU_ASSERT_EQUAL_FATAL(pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK), 0);
	CU_ASSERT_EQUAL_FATAL(api_call_new(&client, "GET", "/slow-stream", NULL, &slow, &err), 0);
	CU_ASSERT_EQUAL_FATAL(api_call_new(&client, "GET", "/large", NULL, &large, &err), 0);
	api_call_set_sink(slow, collect, &c);
	CU_ASSERT_EQUAL(api_multi_add(&m, slow, &err), 0);
	CU_ASSERT_EQUAL(api_multi_add(&m, large, &err), 0);

	/* A step without waiting sends both requests. */
	CU_ASSERT_EQUAL(api_multi_step(&m, pipe_fds[0], 0, &fd_ready, &err), 2);
	CU_ASSERT_FALSE(fd_ready);
	CU_ASSERT_TRUE(api_call_sent(slow));
	CU_ASSERT_TRUE(api_call_sent(large));

	CU_ASSERT_EQUAL(write(pipe_fds[1], "x", 1), 1);
	CU_ASSERT(api_multi_step(&m, pipe_fds[0], 1000, &fd_ready, &err) >= 0);
	CU_ASSERT_TRUE(fd_ready);

	for (int i = 0; i < 100 && (running > 0 || slow_done + large_done < 2); i++) {
		running = api_multi_step(&m, -1, 100, NULL, &err);
		CU_ASSERT_FATAL(running >= 0);
		while (api_multi_next_done(&m, &done, &result)) {
			CU_ASSERT_EQUAL(result, API_RESULT_OK);
			slow_done += done == slow;
			large_done += done == large;
		}
	}
	CU_ASSERT_EQUAL(slow_done, 1);
	CU_ASSERT_EQUAL(large_done, 1);
	CU_ASSERT_STRING_EQUAL(strbuf_str(&c.data), "first\nsecond\n");
	CU_ASSERT_EQUAL(large->body.len, 200000);

	api_multi_remove(&m, slow);
	api_multi_remove(&m, large);
	CU_ASSERT_EQUAL(m.n_calls, 0);
	api_multi_cleanup(&m);
	api_call_free(slow);
	api_call_free(large);
	close(pipe_fds[0]);
	close(pipe_fds[1]);
	strbuf_free(&c.data);
}

static int refuse_data(const char *data, size_t len, void *userdata)
{
	(void)data;
	(void)len;
	(void)userdata;
	return -EPIPE;
}

static void test_sink_error(void)
{
	struct api_client client = { .socket_path = sock_path };
	struct mst_err err = { 0 };
	struct api_call *call;

	CU_ASSERT_EQUAL_FATAL(api_call_new(&client, "GET", "/stream", NULL, &call, &err), 0);
	api_call_set_sink(call, refuse_data, NULL);
	CU_ASSERT_EQUAL(api_call_run(call, &err), -EPIPE);
	CU_ASSERT_EQUAL(call->sink_error, -EPIPE);
	CU_ASSERT_EQUAL(call->fd, -1);
	api_call_free(call);
}

/* A body larger than the socket buffer needs several writes and waits. */
static void test_large_request(void)
{
	struct api_client client = { .socket_path = sock_path };
	struct mst_err err = { 0 };
	struct strbuf body;
	size_t size = 4 * 1024 * 1024;
	char *json = malloc(size + 1);

	CU_ASSERT_PTR_NOT_NULL_FATAL(json);
	memset(json, ' ', size);
	json[0] = '[';
	json[size - 1] = ']';
	json[size] = '\0';
	strbuf_init(&body);
	CU_ASSERT_EQUAL(api_request(&client, "POST", "/count", json, &body, NULL, &err), 0);
	CU_ASSERT_STRING_EQUAL(strbuf_str(&body), "received 4194304");
	strbuf_free(&body);
	free(json);
}

static const struct cunit_test tests[] = {
	{ "client without listener", test_no_listener },
	{ "client refused connection", test_refused },
	{ "client error body", test_error_body },
	{ "client chunked streaming", test_streaming },
	{ "client chunks split awkwardly", test_awkward_chunks },
	{ "client content length", test_content_length },
	{ "client body until close", test_body_until_close },
	{ "client stream in pieces", test_stream_in_pieces },
	{ "client malformed status line", test_malformed_status },
	{ "client oversized header", test_oversized_header },
	{ "client server closes early", test_early_close },
	{ "client request head", test_request_head },
	{ "client invalid request", test_invalid_request },
	{ "client multi with extra fd", test_multi_extra_fd },
	{ "client sink error", test_sink_error },
	{ "client json request body", test_json_body },
	{ "client large request body", test_large_request },
	{ "client escaping", test_escape },
	{ NULL, NULL },
};

int main(void)
{
	int r;

	alarm(TEST_TIMEOUT_S);
	r = start_server();
	if (r < 0) {
		fprintf(stderr, "starting the test server failed: %s\n", strerror(-r));
		stop_server();
		return 1;
	}
	r = cunit_run("cli client", tests);
	stop_server();
	return r;
}
