/* SPDX-License-Identifier: MIT */
/*
 * The HTTP/1.1 wire format on the client side: a response parser fed with
 * whatever bytes the socket returned, which decodes Content-Length, chunked
 * and read-until-close bodies. It does no I/O and keeps no body: body bytes
 * go to a callback as they are decoded. Every line and the header section
 * have a size limit, so a broken server cannot make it grow without bound.
 */
#ifndef MSTAT_CLI_HTTP_CLIENT_H
#define MSTAT_CLI_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Maximum length of the status line, a header line, a chunk size line or a
 * trailer line, without its line end. */
#define HTTP_LINE_MAX 8192
/* Maximum size of the whole header section (or of the trailer section). */
#define HTTP_HEADERS_MAX 65536
/* Maximum number of 1xx interim responses skipped before the final one. */
#define HTTP_INTERIM_MAX 8
#define HTTP_ERROR_MAX	 160

enum http_phase {
	HTTP_PHASE_STATUS,
	HTTP_PHASE_HEADERS,
	HTTP_PHASE_BODY_LENGTH,
	HTTP_PHASE_CHUNK_SIZE,
	HTTP_PHASE_CHUNK_DATA,
	HTTP_PHASE_CHUNK_END, /* the line end after a chunk's data */
	HTTP_PHASE_TRAILERS,
	HTTP_PHASE_BODY_CLOSE, /* the body ends when the server closes */
	HTTP_PHASE_DONE,
	_HTTP_PHASE_MAX
};

/* Receives decoded body bytes. Returns 0 or a negative errno, which
 * http_parser_feed() returns at once. */
typedef int (*http_body_fn)(const char *data, size_t len, void *userdata);

struct http_parser {
	enum http_phase phase;
	bool head_request; /* a response to HEAD has no body, whatever its headers */
	int status;	   /* the final status, valid from HTTP_PHASE_HEADERS on */
	bool have_length, have_encoding, chunked;
	uint64_t length;    /* the Content-Length value */
	uint64_t remaining; /* body or chunk bytes still to come */
	unsigned interim;   /* 1xx responses skipped so far */
	size_t section_len; /* bytes of the current header or trailer section */
	size_t line_len;
	char line[HTTP_LINE_MAX + 2]; /* a line, its CR and a NUL */
	char error[HTTP_ERROR_MAX];   /* what was wrong, once feed returned -EPROTO */
};

void http_parser_init(struct http_parser *p, bool head_request);

/* Parses len bytes of the response. Body bytes go to body_fn. Returns 1 once
 * the response is complete (with *ret_used, the bytes that belonged to it),
 * 0 when it needs more bytes, -EPROTO for a malformed response (p->error
 * describes the problem), or body_fn's negative errno. */
int http_parser_feed(struct http_parser *p, const char *data, size_t len, http_body_fn body_fn,
		     void *userdata, size_t *ret_used);

/* Tells the parser that the server closed the connection. Returns 1 when the
 * response is complete, or -ECONNRESET with p->error naming where the
 * response was cut. */
int http_parser_finish(struct http_parser *p);

/* True once the status line and headers of the final response were read. */
bool http_parser_have_headers(const struct http_parser *p);

#endif
