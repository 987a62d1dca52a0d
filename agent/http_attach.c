/* SPDX-License-Identifier: MIT */
/*
 * POST /v1/containers/NAME/attach and /resize on the unix socket. Attach
 * upgrades the connection to a raw stream, as Docker's API does with
 * "Upgrade: tcp". The client's bytes go to the container's terminal or
 * stdin. The container's output comes back as it reaches the output log, as
 * it is with a terminal, else in Docker's multiplexed frames. The connection's
 * thread sends output and a second thread forwards input, so that neither
 * direction waits for the other.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent/api_json.h"
#include "agent/frame.h"
#include "agent/http.h"
#include "agent/logfile.h"
#include "common/parse.h"

/* How often both directions look for a closed client or a shutdown. */
#define ATTACH_POLL_MS	   200
#define ATTACH_INPUT_CHUNK 4096

struct attach_session {
	struct api_server *server;
	char id[65];
	bool tty;
	uint64_t since_ns; /* logs=1: the output of the current run; 0 = from now on */
	int input_fd;	   /* -1 without input */
	int out_fds[2];	   /* exec: its stdout and stderr (or pty), streamed instead of the log */
	MHD_socket sock;
	struct logfile_reader reader;
	pthread_t input_thread;
	bool input_started;
	atomic_bool stop;	 /* the output side ended: the input thread returns */
	atomic_bool client_gone; /* the client closed the connection */
	uint8_t frame[FRAME_HEADER_SIZE + LOGFILE_RECORD_MAX];
};

static void session_free(struct attach_session *as)
{
	if (as->input_fd >= 0)
		(void)close(as->input_fd);
	for (int i = 0; i < 2; i++)
		if (as->out_fds[i] >= 0)
			(void)close(as->out_fds[i]);
	logfile_reader_close(&as->reader);
	free(as);
}

/* Writes all of buf to fd, waiting while it is full. Returns 0 or a negative
 * errno. */
static int write_all(int fd, const uint8_t *buf, size_t len, bool is_socket,
		     const atomic_bool *stop)
{
	while (len > 0) {
		ssize_t n = is_socket ? send(fd, buf, len, MSG_NOSIGNAL) : write(fd, buf, len);

		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			return -errno;

		struct pollfd pfd = { .fd = fd, .events = POLLOUT };

		if (atomic_load(stop))
			return -ECANCELED;
		(void)poll(&pfd, 1, ATTACH_POLL_MS);
	}
	return 0;
}

/* Forwards the client's bytes to the container until the client's input
 * ends or the session stops. Without a terminal, the end of the client's
 * input closes the container's stdin. */
static void *input_main(void *arg)
{
	struct attach_session *as = arg;
	uint8_t buf[ATTACH_INPUT_CHUNK];

	while (!atomic_load(&as->stop)) {
		struct pollfd pfd = { .fd = as->sock, .events = POLLIN | POLLRDHUP };
		ssize_t n;

		if (poll(&pfd, 1, ATTACH_POLL_MS) <= 0)
			continue;
		n = recv(as->sock, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0) {
			if (n < 0 || (pfd.revents & POLLHUP))
				atomic_store(&as->client_gone, true);
			break;
		}
		if (write_all(as->input_fd, buf, (size_t)n, false, &as->stop) < 0)
			break;
	}
	if (!as->tty) {
		(void)close(as->input_fd);
		as->input_fd = -1;
	}
	return NULL;
}

/* True when the client closed its end of the connection. */
static bool client_closed(struct attach_session *as)
{
	struct pollfd pfd = { .fd = as->sock, .events = 0 };

	if (atomic_load(&as->client_gone))
		return true;
	return poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLHUP | POLLERR));
}

/* True when the container is gone, or has run and stopped and its output
 * is drained. A created container is waited for: its client attached before
 * the start. */
static bool source_ended(struct api_server *s, const char *id)
{
	struct ctr_view *v = pub_get_view(s->pub);
	const struct ctr_view_item *item;
	bool ended = true;
	int error;

	item = ctr_view_find(v, id, &error);
	if (item)
		ended = item->rec.status != CTR_STATUS_RUNNING &&
			item->rec.status != CTR_STATUS_CREATED && !item->output_open;
	ctr_view_unref(v);
	return ended;
}

/* Sends one record: its bytes as they are with a terminal, else a frame. */
static int send_record(struct attach_session *as, const struct logfile_record *rec)
{
	uint8_t *payload = as->frame + FRAME_HEADER_SIZE;

	if (as->tty)
		return write_all(as->sock, payload, rec->len, true, &as->stop);
	frame_header_encode(as->frame, rec->stream, rec->len);
	return write_all(as->sock, as->frame, FRAME_HEADER_SIZE + rec->len, true, &as->stop);
}

/* Sends the container's output until it ends, the client leaves or mstatd
 * shuts down. */
static void output_loop(struct attach_session *as)
{
	struct pub_marks marks;
	struct logfile_record rec;
	bool finishing = false;
	int k;

	pub_get_marks(as->server->pub, &marks);
	for (;;) {
		k = logfile_reader_next(&as->reader, &rec, as->frame + FRAME_HEADER_SIZE);
		if (k == 1) {
			if (rec.time_ns >= as->since_ns && send_record(as, &rec) < 0)
				return;
			continue;
		}
		if (k < 0 || finishing)
			return;
		if (logfile_reader_follow_rotation(&as->reader))
			continue;
		if (source_ended(as->server, as->id) || marks.closing) {
			finishing = true; /* one more pass sends the last records */
			continue;
		}
		if (client_closed(as))
			return;
		pub_wait(as->server->pub, &marks, ATTACH_POLL_MS, &marks);
	}
}

/* Sends what one output descriptor of an exec has. Returns false at its
 * end (EOF, or EIO from a pty master whose last slave closed) or when the
 * client is gone. */
static bool pump_fd(struct attach_session *as, int index)
{
	uint8_t *payload = as->frame + FRAME_HEADER_SIZE;
	ssize_t n = read(as->out_fds[index], payload, LOGFILE_RECORD_MAX);
	struct logfile_record rec = { .stream = index + 1 };

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0) {
		(void)close(as->out_fds[index]);
		as->out_fds[index] = -1;
		return true;
	}
	rec.len = (uint32_t)n;
	return send_record(as, &rec) == 0;
}

/* Streams an exec's output descriptors until both end, the client leaves
 * or mstatd shuts down. The command goes on when the client leaves. */
static void output_loop_fds(struct attach_session *as)
{
	struct pub_marks marks;

	while (as->out_fds[0] >= 0 || as->out_fds[1] >= 0) {
		struct pollfd pfd[2] = { { .fd = as->out_fds[0], .events = POLLIN },
					 { .fd = as->out_fds[1], .events = POLLIN } };

		pub_get_marks(as->server->pub, &marks);
		if (marks.closing || client_closed(as))
			return;
		if (poll(pfd, 2, ATTACH_POLL_MS) <= 0)
			continue;
		for (int i = 0; i < 2; i++) {
			if (pfd[i].revents && !pump_fd(as, i))
				return;
		}
	}
}

static void attach_upgraded(void *cls, struct MHD_Connection *conn, void *con_cls,
			    const char *extra_in, size_t extra_in_size, MHD_socket sock,
			    struct MHD_UpgradeResponseHandle *urh)
{
	struct attach_session *as = cls;

	as->sock = sock;
	if (as->input_fd >= 0 && extra_in_size > 0)
		(void)write_all(as->input_fd, (const uint8_t *)extra_in, extra_in_size, false,
				&as->stop);
	if (as->input_fd >= 0)
		as->input_started = pthread_create(&as->input_thread, NULL, input_main, as) == 0;

	/* Blocking here is allowed: the unix socket runs a thread per
	 * connection. */
	if (as->out_fds[0] >= 0)
		output_loop_fds(as);
	else
		output_loop(as);

	atomic_store(&as->stop, true);
	if (as->input_started)
		(void)pthread_join(as->input_thread, NULL);
	session_free(as);
	(void)MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
}

/* Asks the main loop for the input descriptor. Returns the HTTP status and,
 * for an error, the reply body. */
static int attach_command(struct api_server *s, const char *id, bool want_stdin, bool logs,
			  int *ret_fd, json_t **ret_reply)
{
	struct api_cmd cmd = { .type = API_CMD_ATTACH, .input_fd = -1 };
	int status;

	cmd.target = strdup(id);
	if (!cmd.target)
		return 500;
	cmd.attach_stdin = want_stdin;
	cmd.attach_logs = logs;
	cmdq_call(s->commands, &cmd);
	*ret_fd = cmd.status == 200 ? cmd.input_fd : -1;
	if (cmd.status != 200 && cmd.input_fd >= 0)
		(void)close(cmd.input_fd);
	*ret_reply = cmd.reply;
	cmd.reply = NULL;
	status = cmd.status;
	api_cmd_clear(&cmd);
	return status;
}

/* Builds the session for the container of item, its reader at the end of
 * the output (or, with logs, at the start of the current run). */
static struct attach_session *session_new(struct api_server *s, const struct ctr_view_item *item,
					  bool logs)
{
	struct attach_session *as = calloc(1, sizeof(*as));

	if (!as)
		return NULL;
	as->server = s;
	as->input_fd = as->out_fds[0] = as->out_fds[1] = -1;
	as->tty = item->rec.spec.tty;
	memcpy(as->id, item->rec.spec.id, sizeof(as->id));
	if (logfile_reader_open(&as->reader, item->state_dir) < 0) {
		free(as);
		return NULL;
	}
	if (logs)
		as->since_ns = item->rec.started_ns;
	else if (logfile_reader_tail(&as->reader, 0) < 0) {
		session_free(as);
		return NULL;
	}
	return as;
}

static bool wants_upgrade(struct MHD_Connection *conn)
{
	const char *upgrade =
	    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_UPGRADE);

	return upgrade && upgrade[0];
}

static enum MHD_Result queue_upgrade(struct MHD_Connection *conn, struct attach_session *as)
{
	struct MHD_Response *resp = MHD_create_response_for_upgrade(attach_upgraded, as);
	enum MHD_Result ret;

	if (!resp) {
		session_free(as);
		return MHD_NO;
	}
	(void)MHD_add_response_header(resp, MHD_HTTP_HEADER_UPGRADE, "tcp");
	(void)MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				      FRAME_CONTENT_TYPE(as->tty));
	/* NOTE: when the connection fails before the 101 is sent, libmicrohttpd
	 * never calls attach_upgraded() and the session leaks. */
	ret = MHD_queue_response(conn, MHD_HTTP_SWITCHING_PROTOCOLS, resp);
	MHD_destroy_response(resp);
	return ret;
}

enum MHD_Result api_attach(struct api_server *s, struct MHD_Connection *conn, const char *name)
{
	struct ctr_view *v = pub_get_view(s->pub);
	const struct ctr_view_item *item;
	struct attach_session *as;
	bool want_stdin, logs;
	json_t *reply = NULL;
	int error = 0, status, fd;

	item = ctr_view_find(v, name, &error);
	if (!item) {
		ctr_view_unref(v);
		return http_reply_lookup_error(conn, name, error);
	}
	if (http_query_bool(conn, "stdin", false, &want_stdin) < 0 ||
	    http_query_bool(conn, "logs", false, &logs) < 0) {
		ctr_view_unref(v);
		return http_reply_error(
		    conn, 400,
		    "invalid query parameter: stdin and logs take 1, 0, true or "
		    "false");
	}
	if (!wants_upgrade(conn)) {
		ctr_view_unref(v);
		return http_reply_error(conn, 400,
					"attach needs a protocol upgrade: send 'Connection: "
					"Upgrade' and 'Upgrade: tcp'");
	}
	/* The reader starts before the main loop hands out the input, so that
	 * no output of a running container is lost in between. */
	as = session_new(s, item, logs);
	ctr_view_unref(v);
	if (!as)
		return http_reply_error(conn, 500, "reading the output of %s failed", name);

	status = attach_command(s, as->id, want_stdin, logs, &fd, &reply);
	if (status != 200) {
		session_free(as);
		return http_reply_json(conn, (unsigned)status, reply);
	}
	json_decref(reply);
	as->input_fd = fd;
	/* A container that never ran has its output.log since the command. */
	if (as->reader.n == 0)
		(void)logfile_reader_follow_rotation(&as->reader);
	return queue_upgrade(conn, as);
}

enum MHD_Result api_resize(struct api_server *s, struct MHD_Connection *conn, const char *name)
{
	const char *h = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "h");
	const char *w = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "w");
	struct api_cmd cmd = { .type = API_CMD_RESIZE, .input_fd = -1 };
	uint64_t rows, cols;

	if (!h || !w || parse_u64_str(h, &rows) < 0 || parse_u64_str(w, &cols) < 0 || rows == 0 ||
	    cols == 0 || rows > 65535 || cols > 65535)
		return http_reply_error(conn, 400,
					"invalid query parameters 'h' and 'w': expected the rows "
					"and columns of the terminal, 1 to 65535");
	cmd.target = strdup(name);
	if (!cmd.target)
		return MHD_NO;
	cmd.rows = (unsigned)rows;
	cmd.cols = (unsigned)cols;
	return http_run_command(s, conn, &cmd);
}

static enum MHD_Result exec_create(struct api_server *s, struct MHD_Connection *conn,
				   const char *name, const char *body, size_t body_len)
{
	struct api_cmd cmd = { .type = API_CMD_EXEC_CREATE, .input_fd = -1 };
	struct mst_err err = { 0 };
	json_error_t jerr;
	json_t *root;
	int r;

	root = body && body_len ? json_loadb(body, body_len, JSON_REJECT_DUPLICATES, &jerr) : NULL;
	if (!root)
		return http_reply_error(conn, 400,
					"invalid or missing body: send the exec as JSON, such as "
					"{\"Cmd\": [\"sh\"]}");
	r = api_exec_from_json(root, &cmd.spec, &err);
	json_decref(root);
	if (r < 0)
		return http_reply_error(conn, 400, "%s", err.msg);
	cmd.target = strdup(name);
	if (!cmd.target) {
		api_cmd_clear(&cmd);
		return MHD_NO;
	}
	return http_run_command(s, conn, &cmd);
}

/* Starts the exec and, with an upgrade, streams it like an attach; without
 * one it runs detached, its stdio /dev/null. */
static enum MHD_Result exec_start(struct api_server *s, struct MHD_Connection *conn, const char *id)
{
	struct api_cmd cmd = { .type = API_CMD_EXEC_START, .input_fd = -1 };
	struct attach_session *as;

	cmd.target = strdup(id);
	if (!cmd.target)
		return MHD_NO;
	cmd.attach_detached = !wants_upgrade(conn);
	if (cmd.attach_detached)
		return http_run_command(s, conn, &cmd);

	as = calloc(1, sizeof(*as));
	if (!as) {
		api_cmd_clear(&cmd);
		return MHD_NO;
	}
	as->server = s;
	cmdq_call(s->commands, &cmd);
	if (cmd.status != 200) {
		json_t *reply = cmd.reply;

		free(as);
		cmd.reply = NULL;
		api_cmd_clear(&cmd);
		return http_reply_json(conn, (unsigned)cmd.status, reply);
	}
	as->tty = json_is_true(json_object_get(cmd.reply, "Tty"));
	as->input_fd = cmd.input_fd;
	as->out_fds[0] = cmd.output_fds[0];
	as->out_fds[1] = cmd.output_fds[1];
	api_cmd_clear(&cmd);
	return queue_upgrade(conn, as);
}

static enum MHD_Result exec_simple(struct api_server *s, struct MHD_Connection *conn,
				   enum api_cmd_type type, const char *id)
{
	struct api_cmd cmd = { .type = type, .input_fd = -1 };
	const char *h = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "h");
	const char *w = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "w");
	uint64_t rows = 0, cols = 0;

	if (type == API_CMD_EXEC_RESIZE &&
	    (!h || !w || parse_u64_str(h, &rows) < 0 || parse_u64_str(w, &cols) < 0 || rows == 0 ||
	     cols == 0 || rows > 65535 || cols > 65535))
		return http_reply_error(conn, 400,
					"invalid query parameters 'h' and 'w': expected the rows "
					"and columns of the terminal, 1 to 65535");
	cmd.rows = (unsigned)rows;
	cmd.cols = (unsigned)cols;
	cmd.target = strdup(id);
	if (!cmd.target)
		return MHD_NO;
	return http_run_command(s, conn, &cmd);
}

enum MHD_Result api_exec_route(struct api_server *s, struct MHD_Connection *conn,
			       const char *method, const char *url, const char *body,
			       size_t body_len, bool *ret_handled)
{
	static const char containers[] = "/v1/containers/", execs[] = "/v1/exec/";
	bool post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
	bool get = strcmp(method, MHD_HTTP_METHOD_GET) == 0;
	char id[RT_NAME_MAX + 8];
	const char *rest, *slash;
	bool create = false;
	size_t len;

	*ret_handled = false;
	if (strncmp(url, containers, sizeof(containers) - 1) == 0) {
		create = true;
		rest = url + sizeof(containers) - 1;
		slash = strchr(rest, '/');
		if (!post || !slash || strcmp(slash, "/exec") != 0)
			return MHD_NO;
	} else if (strncmp(url, execs, sizeof(execs) - 1) == 0) {
		rest = url + sizeof(execs) - 1;
		slash = strchr(rest, '/');
		if (!slash || strchr(slash + 1, '/'))
			return MHD_NO;
	} else {
		return MHD_NO;
	}
	len = (size_t)(slash - rest);
	if (len == 0 || len >= sizeof(id))
		return MHD_NO;
	memcpy(id, rest, len);
	id[len] = '\0';

	*ret_handled = true;
	if (create)
		return exec_create(s, conn, id, body, body_len);
	if (strcmp(slash, "/start") == 0 && post)
		return exec_start(s, conn, id);
	if (strcmp(slash, "/json") == 0 && get)
		return exec_simple(s, conn, API_CMD_EXEC_INSPECT, id);
	if (strcmp(slash, "/resize") == 0 && post)
		return exec_simple(s, conn, API_CMD_EXEC_RESIZE, id);
	*ret_handled = false;
	return MHD_NO;
}
