/* SPDX-License-Identifier: MIT */
/*
 * HTTP/1.1 response parsing (RFC 9112) for the command line. Lines may end in
 * CRLF or a bare LF, as the RFC lets a recipient accept. A response is
 * rejected, never guessed at, when a line is too long or a length is invalid.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cli/http_client.h"
#include "common/parse.h"

void http_parser_init(struct http_parser *p, bool head_request)
{
	memset(p, 0, sizeof(*p));
	p->phase = HTTP_PHASE_STATUS;
	p->head_request = head_request;
}

bool http_parser_have_headers(const struct http_parser *p)
{
	return p->phase != HTTP_PHASE_STATUS && p->phase != HTTP_PHASE_HEADERS;
}

__attribute__((format(printf, 2, 3))) static int http_fail(struct http_parser *p, const char *fmt,
							   ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->error, sizeof(p->error), fmt, ap);
	va_end(ap);
	return -EPROTO;
}

/* Parses "HTTP/1.x SP 3DIGIT [SP reason]". */
static int http_parse_status(struct http_parser *p, const char *line)
{
	const char *s = line + 9;

	if (strncmp(line, "HTTP/1.", 7) != 0 || (line[7] != '0' && line[7] != '1') ||
	    line[8] != ' ')
		return http_fail(p, "the status line \"%.40s\" is not HTTP/1.0 or HTTP/1.1", line);
	if (s[0] < '1' || s[0] > '5' || s[1] < '0' || s[1] > '9' || s[2] < '0' || s[2] > '9' ||
	    (s[3] != '\0' && s[3] != ' '))
		return http_fail(p, "the status line \"%.40s\" has no valid status code", line);

	p->status = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
	p->have_length = false;
	p->have_encoding = false;
	p->chunked = false;
	p->section_len = 0;
	p->phase = HTTP_PHASE_HEADERS;
	return 0;
}

/* True when the last transfer coding of a Transfer-Encoding value is chunked. */
static bool http_last_coding_is_chunked(const char *value)
{
	const char *last = strrchr(value, ',');

	last = last ? last + 1 : value;
	while (*last == ' ' || *last == '\t')
		last++;
	return strcasecmp(last, "chunked") == 0;
}

static int http_parse_content_length(struct http_parser *p, const char *value)
{
	uint64_t length;

	if (value[0] < '0' || value[0] > '9' || parse_u64_str(value, &length) < 0)
		return http_fail(p, "the Content-Length \"%.40s\" is not a valid length", value);
	if (p->have_length && length != p->length)
		return http_fail(p, "the response has two different Content-Length values");
	p->have_length = true;
	p->length = length;
	return 0;
}

/* Reads one "Name: value" line; only the framing headers matter here. */
static int http_parse_header(struct http_parser *p, char *line)
{
	char *colon = strchr(line, ':');
	char *value, *end;

	if (line[0] == ' ' || line[0] == '\t')
		return http_fail(p, "a header is folded over several lines, which HTTP/1.1 "
				    "no longer allows");
	if (!colon || colon == line || memchr(line, ' ', (size_t)(colon - line)) ||
	    memchr(line, '\t', (size_t)(colon - line)))
		return http_fail(p, "the header line \"%.40s\" has no valid name", line);

	*colon = '\0';
	value = colon + 1;
	while (*value == ' ' || *value == '\t')
		value++;
	end = value + strlen(value);
	while (end > value && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';

	if (strcasecmp(line, "Content-Length") == 0)
		return http_parse_content_length(p, value);
	if (strcasecmp(line, "Transfer-Encoding") == 0) {
		p->have_encoding = true;
		p->chunked = http_last_coding_is_chunked(value);
	}
	return 0;
}

/* Picks how the body is delimited once the headers ended (RFC 9112, 6.3):
 * a Transfer-Encoding overrides Content-Length, and one that does not end in
 * chunked is read until the server closes. */
static void http_start_body(struct http_parser *p)
{
	if (p->head_request || p->status == 204 || p->status == 304) {
		p->phase = HTTP_PHASE_DONE;
	} else if (p->chunked) {
		p->phase = HTTP_PHASE_CHUNK_SIZE;
	} else if (p->have_length && !p->have_encoding) {
		p->remaining = p->length;
		p->phase = p->length > 0 ? HTTP_PHASE_BODY_LENGTH : HTTP_PHASE_DONE;
	} else {
		p->phase = HTTP_PHASE_BODY_CLOSE;
	}
}

/* Ends the header section: a 1xx interim response is skipped, except 101,
 * after which the connection no longer speaks HTTP. */
static int http_end_headers(struct http_parser *p)
{
	if (p->status >= 200 || p->status == 101) {
		http_start_body(p);
		if (p->status == 101)
			p->phase = HTTP_PHASE_DONE;
		return 0;
	}
	if (++p->interim > HTTP_INTERIM_MAX)
		return http_fail(p, "the server sent more than %d interim 1xx responses",
				 HTTP_INTERIM_MAX);
	p->phase = HTTP_PHASE_STATUS;
	return 0;
}

/* Parses "HEX [; extensions]" of a chunk size line. */
static int http_parse_chunk_size(struct http_parser *p, const char *line)
{
	uint64_t size = 0;
	const char *s = line;

	for (; *s; s++) {
		int digit;

		if (*s >= '0' && *s <= '9')
			digit = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			digit = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			digit = *s - 'A' + 10;
		else
			break;
		if (size > (UINT64_MAX >> 4))
			return http_fail(p, "the chunk size \"%.40s\" is too large", line);
		size = size << 4 | (uint64_t)digit;
	}
	while (*s == ' ' || *s == '\t')
		s++;
	if (s == line || (*s != '\0' && *s != ';'))
		return http_fail(p, "the chunk size line \"%.40s\" is not a hexadecimal size",
				 line);

	p->remaining = size;
	p->section_len = 0;
	p->phase = size > 0 ? HTTP_PHASE_CHUNK_DATA : HTTP_PHASE_TRAILERS;
	return 0;
}

/* Handles one complete line of the phase that reads lines. */
static int http_handle_line(struct http_parser *p, char *line)
{
	switch (p->phase) {
	case HTTP_PHASE_STATUS:
		return http_parse_status(p, line);
	case HTTP_PHASE_HEADERS:
		return line[0] ? http_parse_header(p, line) : http_end_headers(p);
	case HTTP_PHASE_CHUNK_SIZE:
		return http_parse_chunk_size(p, line);
	case HTTP_PHASE_CHUNK_END:
		if (line[0])
			return http_fail(p, "a chunk is longer than its size line says");
		p->phase = HTTP_PHASE_CHUNK_SIZE;
		return 0;
	case HTTP_PHASE_TRAILERS:
		if (!line[0])
			p->phase = HTTP_PHASE_DONE;
		return 0;
	default:
		return http_fail(p, "internal error: no line expected in phase %d", p->phase);
	}
}

static const char *http_line_name(enum http_phase phase)
{
	switch (phase) {
	case HTTP_PHASE_STATUS:
		return "the status line";
	case HTTP_PHASE_HEADERS:
		return "a header line";
	case HTTP_PHASE_TRAILERS:
		return "a trailer line";
	default:
		return "a chunk size line";
	}
}

/* Collects bytes into p->line up to a line end. Returns the bytes used, or
 * -EPROTO when the line or its section outgrows its limit. */
static int http_take_line(struct http_parser *p, const char *data, size_t len, size_t *ret_used)
{
	const char *nl = memchr(data, '\n', len);
	size_t take = nl ? (size_t)(nl - data) : len;
	bool section = p->phase == HTTP_PHASE_HEADERS || p->phase == HTTP_PHASE_TRAILERS;

	/* One byte more than the limit for the CR of the line end. */
	if (p->line_len + take > HTTP_LINE_MAX + 1)
		return http_fail(p, "%s is longer than %d bytes", http_line_name(p->phase),
				 HTTP_LINE_MAX);
	if (section && p->section_len + take + 1 > HTTP_HEADERS_MAX)
		return http_fail(p, "the header section is longer than %d bytes", HTTP_HEADERS_MAX);

	memcpy(p->line + p->line_len, data, take);
	p->line_len += take;
	if (section)
		p->section_len += take + (nl ? 1 : 0);
	*ret_used = take + (nl ? 1 : 0);
	if (!nl)
		return 0;

	if (p->line_len > 0 && p->line[p->line_len - 1] == '\r')
		p->line_len--;
	if (p->line_len > HTTP_LINE_MAX)
		return http_fail(p, "%s is longer than %d bytes", http_line_name(p->phase),
				 HTTP_LINE_MAX);
	p->line[p->line_len] = '\0';
	if (memchr(p->line, '\r', p->line_len) || strlen(p->line) != p->line_len)
		return http_fail(p, "%s contains a stray CR or NUL byte", http_line_name(p->phase));
	p->line_len = 0;
	return 1;
}

/* Passes up to len body bytes on; returns the count used or a negative errno. */
static long http_take_body(struct http_parser *p, const char *data, size_t len,
			   http_body_fn body_fn, void *userdata)
{
	size_t take = len;
	int r;

	if (p->phase != HTTP_PHASE_BODY_CLOSE && take > p->remaining)
		take = (size_t)p->remaining;
	r = body_fn(data, take, userdata);
	if (r < 0)
		return r;
	if (p->phase == HTTP_PHASE_BODY_CLOSE)
		return (long)take;

	p->remaining -= take;
	if (p->remaining == 0)
		p->phase =
		    p->phase == HTTP_PHASE_CHUNK_DATA ? HTTP_PHASE_CHUNK_END : HTTP_PHASE_DONE;
	return (long)take;
}

int http_parser_feed(struct http_parser *p, const char *data, size_t len, http_body_fn body_fn,
		     void *userdata, size_t *ret_used)
{
	size_t used = 0;

	while (used < len && p->phase != HTTP_PHASE_DONE) {
		const char *at = data + used;
		size_t n = 0;
		long consumed;
		int r;

		switch (p->phase) {
		case HTTP_PHASE_BODY_LENGTH:
		case HTTP_PHASE_CHUNK_DATA:
		case HTTP_PHASE_BODY_CLOSE:
			consumed = http_take_body(p, at, len - used, body_fn, userdata);
			if (consumed < 0)
				return (int)consumed;
			used += (size_t)consumed;
			break;
		default:
			r = http_take_line(p, at, len - used, &n);
			if (r < 0)
				return r;
			used += n;
			if (r == 1 && (r = http_handle_line(p, p->line)) < 0)
				return r;
			break;
		}
	}
	if (p->phase != HTTP_PHASE_DONE)
		return 0;
	*ret_used = used;
	return 1;
}

int http_parser_finish(struct http_parser *p)
{
	const char *where;

	switch (p->phase) {
	case HTTP_PHASE_DONE:
	case HTTP_PHASE_BODY_CLOSE:
		p->phase = HTTP_PHASE_DONE;
		return 1;
	case HTTP_PHASE_STATUS:
		where = p->line_len == 0 && p->interim == 0 ? "before sending a response"
							    : "inside the status line";
		break;
	case HTTP_PHASE_HEADERS:
		where = "inside the response headers";
		break;
	case HTTP_PHASE_BODY_LENGTH:
		snprintf(p->error, sizeof(p->error),
			 "the server closed the connection %llu bytes before the end of the "
			 "body",
			 (unsigned long long)p->remaining);
		return -ECONNRESET;
	default:
		where = "inside the chunked body";
		break;
	}
	snprintf(p->error, sizeof(p->error), "the server closed the connection %s", where);
	return -ECONNRESET;
}
