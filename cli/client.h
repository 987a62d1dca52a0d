/* SPDX-License-Identifier: MIT */
/*
 * HTTP/1.1 client for the mstatd API over its unix socket, built on libcurl
 * because libcurl handles chunked and long-lived streaming responses. A call
 * either collects its whole body or, for 2xx responses, passes the body to a
 * sink as it arrives. Error bodies are always collected so that the server's
 * message can be shown.
 */
#ifndef MSTAT_CLI_CLIENT_H
#define MSTAT_CLI_CLIENT_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

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

struct api_call {
	CURL *curl;
	struct curl_slist *headers;
	const char *socket_path;
	char *method;
	char *path;
	char *request_body;
	long status;	    /* HTTP status; 0 until the response headers arrived */
	struct strbuf body; /* the body, or only the error body when a sink is set */
	api_sink_fn sink;
	void *userdata;
	int sink_error; /* the sink's negative errno, 0 when it never failed */
	char curl_error[CURL_ERROR_SIZE];
};

/* Initializes libcurl once per process. */
int api_global_init(struct mst_err *err);

/* Prepares a request. path starts with "/" and is already URL-escaped (see
 * api_escape()); json_body is sent as application/json when not NULL. */
int api_call_new(const struct api_client *client, const char *method, const char *path,
		 const char *json_body, struct api_call **ret, struct mst_err *err);
void api_call_free(struct api_call *call); /* accepts NULL */

/* Streams a 2xx body to sink instead of collecting it. */
void api_call_set_sink(struct api_call *call, api_sink_fn sink, void *userdata);

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
int api_call_finish(struct api_call *call, CURLcode code, struct mst_err *err);

/* Runs one request and collects the body (may be NULL). ret_status may be
 * NULL. Returns as api_call_finish(). */
int api_request(const struct api_client *client, const char *method, const char *path,
		const char *json_body, struct strbuf *ret_body, long *ret_status,
		struct mst_err *err);

/* URL-escapes s for a path segment or query value. Returns NULL when out of
 * memory; free() the result. */
char *api_escape(const char *s);

/* True when err contains a message that mstatd sent. */
bool api_error_is_remote(const struct mst_err *err);

/* Several calls at once, driven from one thread. */
struct api_multi {
	CURLM *multi;
};

int api_multi_init(struct api_multi *m, struct mst_err *err);
void api_multi_cleanup(struct api_multi *m); /* does not free the calls */
int api_multi_add(struct api_multi *m, struct api_call *call, struct mst_err *err);
void api_multi_remove(struct api_multi *m, struct api_call *call);

/* Performs pending transfers and waits up to timeout_ms for progress or for
 * extra_fd (ignored when negative) to become readable. Returns the number of
 * running transfers, or a negative errno. */
int api_multi_step(struct api_multi *m, int extra_fd, int timeout_ms, bool *ret_fd_ready,
		   struct mst_err *err);

/* Returns true and the next finished call with its transfer result, once per
 * call; the call stays added until api_multi_remove(). */
bool api_multi_next_done(struct api_multi *m, struct api_call **ret_call, CURLcode *ret_code);

#endif
