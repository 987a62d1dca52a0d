/* SPDX-License-Identifier: MIT */
/* The libcurl client over a unix socket: the message when nothing listens,
 * an error body turned into mstatd's message, a chunked streaming response
 * split inside lines, and a JSON request body. The server is a small HTTP
 * responder in a child process, on a socket in a private directory. */
#include <errno.h>
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

/* Reads one request; returns its request line and body in the buffers. */
static int read_request(int fd, char *line, size_t line_size, char *body, size_t body_size)
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
	snprintf(body, body_size, "%s", end + 4);
	return strcasestr(buf, "Content-Type: application/json") ? 1 : 0;
}

/* Sends the canned response for each request path, one connection at a time. */
static void serve(int listener)
{
	alarm(TEST_TIMEOUT_S);
	for (;;) {
		char line[512], body[4096];
		int fd = accept(listener, NULL, NULL);
		if (fd < 0)
			_exit(2);
		int json = read_request(fd, line, sizeof(line), body, sizeof(body));

		if (strstr(line, "/v1/containers/ghost/json")) {
			const char *msg = "{\"message\": \"No such container: ghost\"}";
			char head[256];
			snprintf(head, sizeof(head),
				 "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
				 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
				 strlen(msg));
			send_str(fd, head);
			send_str(fd, msg);
		} else if (strstr(line, "/stream")) {
			/* chunks that end inside lines, sent as separate writes */
			static const char *const chunks[] = { "{\"a\":", "1}\n{\"a\"", ":2}\n",
							      "{\"a\":3}\n" };
			send_str(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
				     "Connection: close\r\n\r\n");
			for (size_t i = 0; i < 4; i++) {
				char size[32];
				snprintf(size, sizeof(size), "%zx\r\n", strlen(chunks[i]));
				send_str(fd, size);
				send_str(fd, chunks[i]);
				send_str(fd, "\r\n");
				usleep(20000);
			}
			send_str(fd, "0\r\n\r\n");
		} else if (strstr(line, "POST /echo")) {
			char reply[4200];
			int n = snprintf(reply, sizeof(reply), "%s%s",
					 json == 1 ? "json:" : "plain:", body);
			char head[256];
			snprintf(
			    head, sizeof(head),
			    "HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n",
			    n);
			send_str(fd, head);
			send_str(fd, reply);
		} else {
			send_str(fd, "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n"
				     "Connection: close\r\n\r\n");
		}
		close(fd);
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

static const struct cunit_test tests[] = {
	{ "client without listener", test_no_listener },
	{ "client error body", test_error_body },
	{ "client chunked streaming", test_streaming },
	{ "client json request body", test_json_body },
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
