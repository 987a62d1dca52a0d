/* SPDX-License-Identifier: MIT */
/*
 * The two HTTP listeners of mstatd, with libmicrohttpd in thread-per-
 * connection mode: the unix socket serves the whole API, the TCP listener
 * only GET and HEAD of /metrics, / and /healthz. Request bodies are bounded.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent/api_json.h"
#include "agent/http.h"
#include "agent/state.h"

#define HTTP_BODY_MAX	      (1024 * 1024)
#define HTTP_CONNECTION_LIMIT 64
#define HTTP_IDLE_TIMEOUT_S   120
/* The TCP listener routes only /metrics, / and /healthz (full_api is false),
 * and none of them waits for the main loop. So one event-driven thread serves
 * them all, and an idle connection costs a descriptor, not a thread. */
#define HTTP_TCP_CONNECTION_LIMIT 1024
#define HTTP_TCP_IDLE_TIMEOUT_S	  30

struct http_listener {
	struct api_server *api;
	bool full_api; /* the unix socket */
	struct MHD_Daemon *daemon;
	int fd; /* until handed to the daemon */
};

struct agent_http {
	struct http_listener unix_socket;
	struct http_listener tcp;
	char *socket_path;
	bool socket_bound; /* socket_path is ours to unlink */
};

/* Per-request state kept across the calls of one request. */
struct http_request {
	char *body;
	size_t len;
	bool too_large;
};

static const char landing_page[] =
    "<!DOCTYPE html>\n<html><head><title>mstatd</title></head><body>\n"
    "<h1>mstatd</h1>\n<p><a href=\"/metrics\">Metrics</a></p>\n</body></html>\n";

enum MHD_Result http_reply_json(struct MHD_Connection *conn, unsigned status, json_t *body)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char *text = NULL;

	if (body) {
		text = json_dumps(body, JSON_COMPACT);
		json_decref(body);
		if (!text)
			return MHD_NO;
	}
	resp = MHD_create_response_from_buffer(
	    text ? strlen(text) : 0, text, text ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (!resp) {
		free(text);
		return MHD_NO;
	}
	if (text)
		(void)MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
					      "application/json");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

enum MHD_Result http_reply_error(struct MHD_Connection *conn, unsigned status, const char *fmt, ...)
{
	char msg[MST_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return http_reply_json(conn, status, api_json_message(msg));
}

int http_query_get(struct MHD_Connection *conn, const char *key, const char **ret)
{
	const char *v = NULL;
	size_t len = 0;

	if (MHD_lookup_connection_value_n(conn, MHD_GET_ARGUMENT_KIND, key, strlen(key), &v,
					  &len) != MHD_YES ||
	    !v) {
		*ret = NULL;
		return 0;
	}
	if (strlen(v) != len)
		return -EINVAL; /* "%00" decoded into the value */
	*ret = v;
	return 0;
}

enum MHD_Result http_reply_reversed_times(struct MHD_Connection *conn)
{
	const char *since = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "since");
	const char *until = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "until");

	return http_reply_error(conn, MHD_HTTP_BAD_REQUEST,
				"invalid query: since %s is after until %s; swap them",
				since ? since : "", until ? until : "");
}

int http_query_bool(struct MHD_Connection *conn, const char *key, bool def, bool *ret)
{
	const char *v;

	if (http_query_get(conn, key, &v) < 0)
		return -EINVAL;
	if (!v) {
		*ret = def;
		return 0;
	}
	if (strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0) {
		*ret = true;
		return 0;
	}
	if (v[0] == '\0' || strcmp(v, "0") == 0 || strcasecmp(v, "false") == 0) {
		*ret = false;
		return 0;
	}
	return -EINVAL;
}

static enum MHD_Result reply_static(struct MHD_Connection *conn, unsigned status,
				    const char *content_type, const char *text)
{
	struct MHD_Response *resp =
	    MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!resp)
		return MHD_NO;
	(void)MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result reply_not_allowed(struct MHD_Connection *conn, const char *allow)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	json_t *body = api_json_message("method not allowed");
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;

	json_decref(body);
	if (!text)
		return MHD_NO;
	resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(text);
		return MHD_NO;
	}
	(void)MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
	(void)MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	ret = MHD_queue_response(conn, MHD_HTTP_METHOD_NOT_ALLOWED, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* The read-only paths of both listeners. Sets *ret_handled when url is one. */
static enum MHD_Result serve_public(struct api_server *s, struct MHD_Connection *conn,
				    const char *method, const char *url, bool *ret_handled)
{
	bool read_method =
	    strcmp(method, MHD_HTTP_METHOD_GET) == 0 || strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;

	*ret_handled = true;
	if (strcmp(url, "/metrics") != 0 && strcmp(url, "/healthz") != 0 && strcmp(url, "/") != 0) {
		*ret_handled = false;
		return MHD_NO;
	}
	if (!read_method)
		return reply_not_allowed(conn, "GET, HEAD");
	if (strcmp(url, "/metrics") == 0)
		return api_metrics(s, conn);
	if (strcmp(url, "/healthz") == 0)
		return reply_static(conn, MHD_HTTP_OK, "text/plain; charset=utf-8", "ok\n");
	return reply_static(conn, MHD_HTTP_OK, "text/html; charset=utf-8", landing_page);
}

static enum MHD_Result accumulate_body(struct http_request *req, const char *data, size_t len)
{
	char *grown;

	if (req->too_large || req->len + len > HTTP_BODY_MAX) {
		req->too_large = true;
		return MHD_YES;
	}
	grown = realloc(req->body, req->len + len + 1);
	if (!grown)
		return MHD_NO;
	memcpy(grown + req->len, data, len);
	req->body = grown;
	req->len += len;
	req->body[req->len] = '\0';
	return MHD_YES;
}

static bool content_length_too_large(struct MHD_Connection *conn)
{
	const char *v =
	    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);

	return v && strtoull(v, NULL, 10) > HTTP_BODY_MAX;
}

static enum MHD_Result handle_request(void *cls, struct MHD_Connection *conn, const char *url,
				      const char *method, const char *version,
				      const char *upload_data, size_t *upload_data_size,
				      void **con_cls)
{
	struct http_listener *l = cls;
	struct http_request *req = *con_cls;
	enum MHD_Result ret;
	bool handled;

	if (!req) {
		req = calloc(1, sizeof(*req));
		if (!req)
			return MHD_NO;
		*con_cls = req;
		if (content_length_too_large(conn))
			return http_reply_error(conn, MHD_HTTP_CONTENT_TOO_LARGE,
						"request body larger than %d bytes", HTTP_BODY_MAX);
		return MHD_YES;
	}
	if (*upload_data_size) {
		ret = accumulate_body(req, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return ret;
	}
	if (req->too_large)
		return http_reply_error(conn, MHD_HTTP_CONTENT_TOO_LARGE,
					"request body larger than %d bytes", HTTP_BODY_MAX);

	ret = serve_public(l->api, conn, method, url, &handled);
	if (handled)
		return ret;
	if (l->full_api) {
		ret = api_route(l->api, conn, method, url, req->body, req->len, &handled);
		if (handled)
			return ret;
	}
	return http_reply_error(conn, MHD_HTTP_NOT_FOUND, "page not found: %s", url);
}

static void request_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			      enum MHD_RequestTerminationCode toe)
{
	struct http_request *req = *con_cls;

	if (!req)
		return;
	free(req->body);
	free(req);
	*con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_debug("libmicrohttpd: %s", msg);
}

/* Connects to path to tell a live mstatd from a stale socket file. */
static bool socket_in_use(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool in_use;

	if (fd < 0)
		return false;
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	in_use = connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0;
	close(fd);
	return in_use;
}

static int open_unix_socket(const char *path, int *ret_fd, struct mst_err *err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char parent[PATH_MAX];
	struct stat st;
	int fd, r;

	if (strlen(path) >= sizeof(addr.sun_path))
		return err_setx(err, ENAMETOOLONG, "socket path %s is longer than %zu bytes", path,
				sizeof(addr.sun_path) - 1);
	memcpy(addr.sun_path, path, strlen(path) + 1);

	/* Only the last level is created (e.g. /run/mstat): a mistyped path
	 * must not leave a tree of directories behind. */
	snprintf(parent, sizeof(parent), "%s", path);
	if (mkdir(dirname(parent), 0755) < 0 && errno != EEXIST)
		return err_set(err, errno,
			       "creating the directory %s for the socket (create its "
			       "parent or choose another --socket)",
			       parent);

	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return err_setx(err, EEXIST, "%s exists and is not a socket", path);
		if (socket_in_use(path))
			return err_setx(err, EADDRINUSE,
					"another process serves %s: stop it, or give this mstatd "
					"another --socket",
					path);
		(void)unlink(path);
	}

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_set(err, errno, "creating a unix socket");
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		/* Not ours: another process may have bound the path meanwhile. */
		r = err_set(err, errno, "binding %s", path);
		close(fd);
		return r;
	}
	if (chmod(path, 0660) < 0) {
		r = err_set(err, errno, "setting the mode of %s", path);
		goto fail;
	}
	if (listen(fd, 64) < 0) {
		r = err_set(err, errno, "listening on %s", path);
		goto fail;
	}
	*ret_fd = fd;
	return 0;

fail:
	close(fd);
	(void)unlink(path);
	return r;
}

static void log_bound_address(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return;
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		port = ntohs(in->sin_port);
		log_info("listening on %s:%u", host, port);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		port = ntohs(in6->sin6_port);
		log_info("listening on [%s]:%u", host, port);
	}
}

static int open_tcp_socket(const char *host, unsigned port, int *ret_fd, struct mst_err *err)
{
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port) };
	struct sockaddr *addr = (struct sockaddr *)&in;
	socklen_t addr_len = sizeof(in);
	int family = AF_INET, one = 1, fd, r;

	if (inet_pton(AF_INET, host, &in.sin_addr) != 1) {
		if (inet_pton(AF_INET6, host, &in6.sin6_addr) != 1)
			return err_setx(err, EINVAL, "invalid listen address %s", host);
		family = AF_INET6;
		addr = (struct sockaddr *)&in6;
		addr_len = sizeof(in6);
	}

	fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_set(err, errno, "creating a TCP socket");
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, addr, addr_len) < 0 || listen(fd, 64) < 0) {
		int code = errno;

		r = err_setx(err, code,
			     "listening on %s port %u failed: %s; choose another --listen "
			     "ADDR:PORT (port 0 lets the kernel pick one), or --listen none",
			     host, port, strerror(code));
		close(fd);
		return r;
	}
	log_bound_address(fd);
	*ret_fd = fd;
	return 0;
}

static int start_daemon(struct http_listener *l, struct mst_err *err)
{
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
	unsigned limit = HTTP_TCP_CONNECTION_LIMIT, timeout = HTTP_TCP_IDLE_TIMEOUT_S;

	/* The unix socket serves blocking requests (wait, logs follow, stats
	 * streams), which need a thread each. */
	if (l->full_api) {
		/* Attach upgrades the connection to a raw stream. poll(), not
		 * select(): with hundreds of containers the agent keeps thousands
		 * of descriptors, and select() rejects any connection numbered
		 * FD_SETSIZE (1024) or higher. */
		flags |= MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL | MHD_ALLOW_UPGRADE;
		limit = HTTP_CONNECTION_LIMIT;
		timeout = HTTP_IDLE_TIMEOUT_S;
	} else {
		flags |= MHD_USE_EPOLL;
	}

	l->daemon = MHD_start_daemon(flags, 0, NULL, NULL, handle_request, l,
				     MHD_OPTION_LISTEN_SOCKET, l->fd, MHD_OPTION_CONNECTION_LIMIT,
				     limit, MHD_OPTION_CONNECTION_TIMEOUT, timeout,
				     MHD_OPTION_NOTIFY_COMPLETED, request_completed, NULL,
				     MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_END);
	if (!l->daemon)
		return err_setx(err, EIO, "starting the HTTP server failed");
	return 0;
}

int agent_http_start(struct agent *a, struct mst_err *err)
{
	const struct agent_config *cfg = a->config;
	struct agent_http *h = calloc(1, sizeof(*h));
	int r;

	if (!h)
		return err_set(err, ENOMEM, "starting HTTP");
	h->unix_socket = (struct http_listener){ .api = &a->api, .full_api = true, .fd = -1 };
	h->tcp = (struct http_listener){ .api = &a->api, .full_api = false, .fd = -1 };
	a->http = h;

	h->socket_path = strdup(cfg->socket_path);
	if (!h->socket_path)
		return err_set(err, ENOMEM, "starting HTTP");
	r = open_unix_socket(cfg->socket_path, &h->unix_socket.fd, err);
	if (r < 0)
		return r;
	h->socket_bound = true;
	r = start_daemon(&h->unix_socket, err);
	if (r < 0)
		return err_prefix(err, "on %s", cfg->socket_path);
	log_info("listening on %s", cfg->socket_path);

	if (!cfg->listen_enabled)
		return 0;
	r = open_tcp_socket(cfg->listen_host, cfg->listen_port, &h->tcp.fd, err);
	if (r < 0)
		return r;
	r = start_daemon(&h->tcp, err);
	if (r < 0)
		return err_prefix(err, "on %s port %u", cfg->listen_host, cfg->listen_port);
	return 0;
}

static void quiesce(struct http_listener *l)
{
	MHD_socket fd;

	if (!l->daemon)
		return;
	fd = MHD_quiesce_daemon(l->daemon);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	l->fd = -1;
}

void agent_http_quiesce(struct agent *a)
{
	if (!a->http)
		return;
	quiesce(&a->http->unix_socket);
	quiesce(&a->http->tcp);
	/* New clients now fail to connect instead of waiting. */
	if (a->http->socket_bound)
		(void)unlink(a->http->socket_path);
}

static void stop_listener(struct http_listener *l)
{
	if (l->daemon)
		MHD_stop_daemon(l->daemon);
	else if (l->fd >= 0)
		close(l->fd);
	l->daemon = NULL;
	l->fd = -1;
}

void agent_http_stop(struct agent *a)
{
	struct agent_http *h = a->http;

	if (!h)
		return;
	stop_listener(&h->unix_socket);
	stop_listener(&h->tcp);
	if (h->socket_bound)
		(void)unlink(h->socket_path);
	free(h->socket_path);
	free(h);
	a->http = NULL;
}
