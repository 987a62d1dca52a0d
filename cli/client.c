/* SPDX-License-Identifier: MIT */
/*
 * libcurl requests to mstatd over its unix socket. Proxies are disabled, so a
 * request never leaves the socket whatever the environment sets.
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli/client.h"

#ifndef MSTAT_VERSION
#define MSTAT_VERSION "unknown"
#endif

/* The host part is required by libcurl but never resolved: with
 * CURLOPT_UNIX_SOCKET_PATH the connection goes to the socket. */
#define API_URL_BASE "http://localhost"

int api_global_init(struct mst_err *err)
{
	CURLcode code = curl_global_init(CURL_GLOBAL_DEFAULT);

	if (code != CURLE_OK)
		return err_setx(err, EIO, "initializing libcurl failed: %s",
				curl_easy_strerror(code));
	return 0;
}

static size_t api_write_cb(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct api_call *call = userdata;
	size_t len = size * nmemb;

	if (call->status == 0)
		(void)curl_easy_getinfo(call->curl, CURLINFO_RESPONSE_CODE, &call->status);

	if (call->sink && call->status >= 200 && call->status < 300) {
		int r = call->sink(data, len, call->userdata);
		if (r < 0) {
			call->sink_error = r;
			return 0; /* any count other than len aborts the transfer */
		}
		return len;
	}

	strbuf_append(&call->body, data, len);
	return call->body.error ? 0 : len;
}

static int api_call_setopts(struct api_call *call, const char *url)
{
	CURL *c = call->curl;
	CURLcode code = CURLE_OK;

#define SETOPT(opt, val)                                                                           \
	do {                                                                                       \
		if (code == CURLE_OK)                                                              \
			code = curl_easy_setopt(c, opt, val);                                      \
	} while (0)

	SETOPT(CURLOPT_URL, url);
	SETOPT(CURLOPT_UNIX_SOCKET_PATH, call->socket_path);
	SETOPT(CURLOPT_NOPROXY, "*");
	SETOPT(CURLOPT_PROXY, "");
	SETOPT(CURLOPT_NOSIGNAL, 1L);
	SETOPT(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	SETOPT(CURLOPT_USERAGENT, "mstat/" MSTAT_VERSION);
	SETOPT(CURLOPT_ERRORBUFFER, call->curl_error);
	SETOPT(CURLOPT_WRITEFUNCTION, api_write_cb);
	SETOPT(CURLOPT_WRITEDATA, call);
	SETOPT(CURLOPT_PRIVATE, call);
	SETOPT(CURLOPT_CONNECTTIMEOUT_MS, 10000L);

	if (strcmp(call->method, "GET") == 0) {
		SETOPT(CURLOPT_HTTPGET, 1L);
	} else if (strcmp(call->method, "POST") == 0) {
		SETOPT(CURLOPT_POST, 1L);
		SETOPT(CURLOPT_POSTFIELDS, call->request_body ? call->request_body : "");
	} else {
		SETOPT(CURLOPT_CUSTOMREQUEST, call->method);
	}
	SETOPT(CURLOPT_HTTPHEADER, call->headers);
#undef SETOPT

	return code == CURLE_OK ? 0 : -EINVAL;
}

static int api_call_headers(struct api_call *call)
{
	/* An empty Expect header stops libcurl from waiting for "100 Continue". */
	struct curl_slist *h = curl_slist_append(NULL, "Expect:");

	if (h && call->request_body) {
		struct curl_slist *more = curl_slist_append(h, "Content-Type: application/json");
		if (!more) {
			curl_slist_free_all(h);
			h = NULL;
		} else {
			h = more;
		}
	}
	if (!h)
		return -ENOMEM;
	call->headers = h;
	return 0;
}

int api_call_new(const struct api_client *client, const char *method, const char *path,
		 const char *json_body, struct api_call **ret, struct mst_err *err)
{
	struct api_call *call = calloc(1, sizeof(*call));
	char *url = NULL;
	int r = -ENOMEM;

	if (!call)
		goto fail;
	strbuf_init(&call->body);
	call->socket_path = client->socket_path;
	call->method = strdup(method);
	call->path = strdup(path);
	call->request_body = json_body ? strdup(json_body) : NULL;
	call->curl = curl_easy_init();
	if (!call->method || !call->path || (json_body && !call->request_body) || !call->curl)
		goto fail;
	if (asprintf(&url, "%s%s", API_URL_BASE, path) < 0) {
		url = NULL;
		goto fail;
	}

	r = api_call_headers(call);
	if (r < 0)
		goto fail;
	r = api_call_setopts(call, url);
	if (r < 0) {
		free(url);
		api_call_free(call);
		return err_setx(err, EINVAL, "configuring the request %s %s failed", method, path);
	}

	free(url);
	*ret = call;
	return 0;

fail:
	free(url);
	api_call_free(call);
	return err_set(err, -r, "preparing the request %s %s failed", method, path);
}

void api_call_free(struct api_call *call)
{
	if (!call)
		return;
	if (call->curl)
		curl_easy_cleanup(call->curl);
	curl_slist_free_all(call->headers);
	free(call->method);
	free(call->path);
	free(call->request_body);
	strbuf_free(&call->body);
	free(call);
}

void api_call_set_sink(struct api_call *call, api_sink_fn sink, void *userdata)
{
	call->sink = sink;
	call->userdata = userdata;
}

int api_call_run(struct api_call *call, struct mst_err *err)
{
	return api_call_finish(call, curl_easy_perform(call->curl), err);
}

/* Maps a transport failure to a message that names the socket. */
static int api_transport_error(struct api_call *call, CURLcode code, struct mst_err *err)
{
	const char *detail = call->curl_error[0] ? call->curl_error : curl_easy_strerror(code);
	long os_errno = 0;

	if (code == CURLE_COULDNT_CONNECT) {
		(void)curl_easy_getinfo(call->curl, CURLINFO_OS_ERRNO, &os_errno);
		if (os_errno == EACCES)
			return err_set(err, EACCES,
				       "cannot connect to mstatd at %s; run mstat as root or as a "
				       "member of the socket's group",
				       call->socket_path);
		if (os_errno == 0)
			os_errno = ECONNREFUSED;
		/* err_set() would put strerror() last; here the hint comes after it. */
		return err_setx(err, (int)os_errno,
				"cannot connect to mstatd at %s: %s; is mstatd running? "
				"(choose another socket with --socket or MSTAT_SOCKET)",
				call->socket_path, strerror((int)os_errno));
	}
	if (code == CURLE_OPERATION_TIMEDOUT)
		return err_setx(err, ETIMEDOUT, "request %s %s to mstatd at %s timed out",
				call->method, call->path, call->socket_path);
	if (code == CURLE_GOT_NOTHING || code == CURLE_RECV_ERROR || code == CURLE_PARTIAL_FILE ||
	    code == CURLE_SEND_ERROR)
		return err_setx(err, ECONNRESET,
				"connection to mstatd at %s closed during %s %s (%s); check the "
				"mstatd log",
				call->socket_path, call->method, call->path, detail);
	return err_setx(err, EIO, "request %s %s to mstatd at %s failed: %s", call->method,
			call->path, call->socket_path, detail);
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

int api_call_finish(struct api_call *call, CURLcode code, struct mst_err *err)
{
	if (call->sink_error < 0)
		return call->sink_error;
	if (code == CURLE_WRITE_ERROR && call->body.error)
		return err_set(err, ENOMEM, "reading the response to %s %s failed", call->method,
			       call->path);
	if (code != CURLE_OK)
		return api_transport_error(call, code, err);

	(void)curl_easy_getinfo(call->curl, CURLINFO_RESPONSE_CODE, &call->status);
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
	char *escaped = curl_easy_escape(NULL, s, 0);
	char *copy;

	if (!escaped)
		return NULL;
	copy = strdup(escaped);
	curl_free(escaped);
	return copy;
}

bool api_error_is_remote(const struct mst_err *err)
{
	return strncmp(err->msg, API_ERROR_PREFIX, strlen(API_ERROR_PREFIX)) == 0;
}

int api_multi_init(struct api_multi *m, struct mst_err *err)
{
	m->multi = curl_multi_init();
	if (!m->multi)
		return err_set(err, ENOMEM, "initializing libcurl's multi interface failed");
	return 0;
}

void api_multi_cleanup(struct api_multi *m)
{
	if (m->multi)
		curl_multi_cleanup(m->multi);
	m->multi = NULL;
}

int api_multi_add(struct api_multi *m, struct api_call *call, struct mst_err *err)
{
	CURLMcode code = curl_multi_add_handle(m->multi, call->curl);

	if (code != CURLM_OK)
		return err_setx(err, EIO, "starting %s %s failed: %s", call->method, call->path,
				curl_multi_strerror(code));
	return 0;
}

void api_multi_remove(struct api_multi *m, struct api_call *call)
{
	(void)curl_multi_remove_handle(m->multi, call->curl);
}

int api_multi_step(struct api_multi *m, int extra_fd, int timeout_ms, bool *ret_fd_ready,
		   struct mst_err *err)
{
	struct curl_waitfd wait_fd = { .fd = extra_fd, .events = CURL_WAIT_POLLIN };
	int running = 0;
	CURLMcode code = curl_multi_perform(m->multi, &running);

	if (code == CURLM_OK)
		code = curl_multi_poll(m->multi, extra_fd >= 0 ? &wait_fd : NULL,
				       extra_fd >= 0 ? 1 : 0, timeout_ms, NULL);
	if (code == CURLM_OK)
		code = curl_multi_perform(m->multi, &running);
	if (code != CURLM_OK)
		return err_setx(err, EIO, "waiting for mstatd failed: %s",
				curl_multi_strerror(code));

	if (ret_fd_ready)
		*ret_fd_ready = extra_fd >= 0 && (wait_fd.revents & CURL_WAIT_POLLIN);
	return running;
}

bool api_multi_next_done(struct api_multi *m, struct api_call **ret_call, CURLcode *ret_code)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(m->multi, &left))) {
		char *private = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		(void)curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &private);
		if (!private)
			continue;
		*ret_call = (struct api_call *)(void *)private;
		*ret_code = msg->data.result;
		return true;
	}
	return false;
}
