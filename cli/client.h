/* SPDX-License-Identifier: MIT */
/*
 * HTTP/1.1 client for the mstatd API over its unix socket, written for this
 * one purpose: one request per connection, no TLS, proxy, DNS or redirects.
 * A call either collects its whole body or, for 2xx responses, passes the
 * body to a sink as it arrives. Error bodies are always collected so that
 * the server's message can be shown.
 */
#ifndef MSTAT_CLI_CLIENT_H
#define MSTAT_CLI_CLIENT_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#include "cli/http_client.h"
#include "cli/strbuf.h"
#include "common/err.h"

/* Every error that mstatd sent starts with this text, so that it is printed
 * as the server's message rather than as an error of mstat itself. */
#define API_ERROR_PREFIX "Error response from mstatd: "

struct api_client {
	const char *socket_path;
};

/* Receives a piece of a 2xx response body. Returns 0 or a negative errno,
 * which aborts the transfer. */
typedef int (*api_sink_fn)(const char *data, size_t len, void *userdata);

/* The outcome of a transfer, before its HTTP status is looked at. */
enum api_result {
	API_RESULT_OK,
	API_RESULT_CONNECT,   /* connecting failed with errno os_errno */
	API_RESULT_CLOSED,    /* the connection failed or ended before the response did */
	API_RESULT_MALFORMED, /* the response broke HTTP/1.1, as error describes */
	API_RESULT_NOMEM,
	API_RESULT_SINK, /* the sink failed; sink_error is its errno */
	_API_RESULT_MAX
};

enum api_call_state {
	API_CALL_NEW,
	API_CALL_SENDING,
	API_CALL_RECEIVING,
	API_CALL_DONE,
	_API_CALL_STATE_MAX
};

struct api_call {
	const char *socket_path;
	char *method;
	char *path;
	char *request_body;    /* NULL for none */
	struct strbuf headers; /* extra header lines, each ending in CRLF */
	struct strbuf request; /* the request head and body, built at the start */
	size_t sent;	       /* bytes of request written so far */
	int fd;		       /* -1 unless connected */
	enum api_call_state state;
	enum api_result result; /* valid in API_CALL_DONE */
	bool reported;		/* api_multi_next_done() returned it */
	bool send_failed;	/* the server stopped reading the request */
	int os_errno;		/* of a failed connect, send or receive */
	struct http_parser parser;
	long status;	    /* HTTP status; 0 until the response headers arrived */
	struct strbuf body; /* the body, or only the error body when a sink is set */
	api_sink_fn sink;
	void *userdata;
	int sink_error;		    /* the sink's negative errno, 0 when it never failed */
	char error[HTTP_ERROR_MAX]; /* what was wrong with a malformed response */
};

/* Prepares a request. path starts with "/" and is already URL-escaped (see
 * api_escape()); json_body is sent as application/json when not NULL. */
int api_call_new(const struct api_client *client, const char *method, const char *path,
		 const char *json_body, struct api_call **ret, struct mst_err *err);
void api_call_free(struct api_call *call); /* accepts NULL */

/* Streams a 2xx body to sink instead of collecting it. */
void api_call_set_sink(struct api_call *call, api_sink_fn sink, void *userdata);

/* Adds a request header line "Name: value" (without line end) before the
 * call starts. Returns 0, -EINVAL for a line that is no valid header, or
 * -ENOMEM. */
int api_call_add_header(struct api_call *call, const char *header);

/* True once the whole request has been written to the socket. */
bool api_call_sent(const struct api_call *call);

/* Runs the request to completion, then api_call_finish(). */
int api_call_run(struct api_call *call, struct mst_err *err);

/*
 * Turns the transfer result into the call's result: 0 for a 1xx-3xx status,
 * otherwise a negative errno and a message. The message for a refused or
 * missing socket names the socket and suggests checking that mstatd runs.
 * An HTTP error gives the server's "message" after API_ERROR_PREFIX, with
 * -EINVAL for 400, -ENOENT for 404, -EEXIST for 409 and -EIO for other
 * statuses. A failed sink returns its errno and leaves err alone.
 */
int api_call_finish(struct api_call *call, enum api_result result, struct mst_err *err);

/* Runs one request and collects the body (may be NULL). ret_status may be
 * NULL. Returns as api_call_finish(). */
int api_request(const struct api_client *client, const char *method, const char *path,
		const char *json_body, struct strbuf *ret_body, long *ret_status,
		struct mst_err *err);

/* Connects a blocking socket to mstatd, for a request that upgrades the
 * connection. Fails with the same messages as a call. */
int api_connect(const struct api_client *client, int *ret_fd, struct mst_err *err);

/* URL-escapes s for a path segment or query value. Returns NULL when out of
 * memory; free() the result. */
char *api_escape(const char *s);

/* True when err contains a message that mstatd sent. */
bool api_error_is_remote(const struct mst_err *err);

/* Several calls at once, driven from one thread with poll(). */
struct api_multi {
	struct api_call **calls;
	struct pollfd *pollfds; /* one per call, and one for the extra fd */
	size_t n_calls, cap;
};

/* Prepares an empty set; a zeroed struct api_multi is empty too. */
int api_multi_init(struct api_multi *m, struct mst_err *err);
void api_multi_cleanup(struct api_multi *m); /* does not free the calls */
int api_multi_add(struct api_multi *m, struct api_call *call, struct mst_err *err);
void api_multi_remove(struct api_multi *m, struct api_call *call);

/* Connects and sends new calls, then waits up to timeout_ms (no wait when a
 * call is already done and not yet returned) for socket progress or for
 * extra_fd (ignored when negative) to become readable, and reads what
 * arrived. Returns the number of unfinished calls, or a negative errno. */
int api_multi_step(struct api_multi *m, int extra_fd, int timeout_ms, bool *ret_fd_ready,
		   struct mst_err *err);

/* Returns true and the next finished call with its transfer result, once per
 * call; the call stays added until api_multi_remove(). */
bool api_multi_next_done(struct api_multi *m, struct api_call **ret_call,
			 enum api_result *ret_result);

#endif
