/* SPDX-License-Identifier: MIT */
/* The HTTP/1.1 response parser fed from strings: every split point of a
 * chunked response, Content-Length and read-until-close bodies, interim
 * responses, and each malformed case with the error it names. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/http_client.h"
#include "cli/strbuf.h"
#include "tests/unit/cunit_main.h"

static int collect(const char *data, size_t len, void *userdata)
{
	strbuf_append(userdata, data, len);
	return 0;
}

static int fail_sink(const char *data, size_t len, void *userdata)
{
	(void)data;
	(void)len;
	(void)userdata;
	return -EPIPE;
}

/* Feeds text in two pieces split at `split`. Returns the last feed result,
 * or http_parser_finish() when eof is set and the response is not done. */
static int feed_split(struct http_parser *p, const char *text, size_t split, bool eof,
		      struct strbuf *body)
{
	size_t len = strlen(text), used = 0;
	int r;

	http_parser_init(p, false);
	strbuf_reset(body);
	r = http_parser_feed(p, text, split, collect, body, &used);
	if (r == 0 && split < len)
		r = http_parser_feed(p, text + split, len - split, collect, body, &used);
	if (r == 0 && eof)
		r = http_parser_finish(p);
	return r;
}

static const char chunked_response[] = "HTTP/1.1 200 OK\r\n"
				       "Content-Type: application/json\r\n"
				       "Transfer-Encoding: chunked\r\n"
				       "\r\n"
				       "5;name=value\r\n"
				       "{\"a\":\r\n"
				       "B\r\n"
				       "1}\n{\"b\":22}\r\n"
				       "1\r\n"
				       "\n\r\n"
				       "0\r\n"
				       "Trailer-Field: x\r\n"
				       "\r\n";

static void test_chunked_every_split(void)
{
	struct http_parser p;
	struct strbuf body;

	strbuf_init(&body);
	for (size_t split = 0; split <= strlen(chunked_response); split++) {
		int r = feed_split(&p, chunked_response, split, false, &body);

		CU_ASSERT_EQUAL(r, 1);
		CU_ASSERT_EQUAL(p.status, 200);
		CU_ASSERT_STRING_EQUAL(strbuf_str(&body), "{\"a\":1}\n{\"b\":22}\n");
	}
	strbuf_free(&body);
}

static void test_chunked_byte_by_byte(void)
{
	struct http_parser p;
	struct strbuf body;
	size_t used = 0;
	int r = 0;

	strbuf_init(&body);
	http_parser_init(&p, false);
	for (size_t i = 0; i < strlen(chunked_response) && r == 0; i++)
		r = http_parser_feed(&p, chunked_response + i, 1, collect, &body, &used);
	CU_ASSERT_EQUAL(r, 1);
	CU_ASSERT_STRING_EQUAL(strbuf_str(&body), "{\"a\":1}\n{\"b\":22}\n");
	strbuf_free(&body);
}

static void test_content_length(void)
{
	const char *text = "HTTP/1.1 201 Created\r\ncontent-length: 7\r\n\r\n{\"x\":1}extra";
	struct http_parser p;
	struct strbuf body;
	size_t used = 0;

	strbuf_init(&body);
	http_parser_init(&p, false);
	CU_ASSERT_EQUAL(http_parser_feed(&p, text, strlen(text), collect, &body, &used), 1);
	CU_ASSERT_EQUAL(p.status, 201);
	CU_ASSERT_STRING_EQUAL(strbuf_str(&body), "{\"x\":1}");
	CU_ASSERT_EQUAL(used, strlen(text) - strlen("extra"));
	strbuf_free(&body);
}

static void test_body_until_close(void)
{
	const char *text = "HTTP/1.0 200 OK\nServer: test\n\nline one\nline two\n";
	struct http_parser p;
	struct strbuf body;

	strbuf_init(&body);
	for (size_t split = 0; split <= strlen(text); split += 7) {
		CU_ASSERT_EQUAL(feed_split(&p, text, split, true, &body), 1);
		CU_ASSERT_STRING_EQUAL(strbuf_str(&body), "line one\nline two\n");
	}
	strbuf_free(&body);
}

static void test_no_body_statuses(void)
{
	const char *no_content = "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n";
	const char *interim = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"
			      "Content-Length: 2\r\n\r\nok";
	struct http_parser p;
	struct strbuf body;

	strbuf_init(&body);
	CU_ASSERT_EQUAL(feed_split(&p, no_content, 10, false, &body), 1);
	CU_ASSERT_EQUAL(p.status, 204);
	CU_ASSERT_EQUAL(body.len, 0);

	CU_ASSERT_EQUAL(feed_split(&p, interim, 20, false, &body), 1);
	CU_ASSERT_EQUAL(p.status, 200);
	CU_ASSERT_STRING_EQUAL(strbuf_str(&body), "ok");

	/* Transfer-Encoding wins over Content-Length. */
	CU_ASSERT_EQUAL(feed_split(&p,
				   "HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: "
				   "chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
				   30, false, &body),
			1);
	CU_ASSERT_STRING_EQUAL(strbuf_str(&body), "hi");
	strbuf_free(&body);
}

struct malformed_case {
	const char *text;
	bool eof;
	int result;
	const char *error;
};

static const struct malformed_case malformed_cases[] = {
	{ "HTTP/1.1 OK\r\n\r\n", false, -EPROTO, "has no valid status code" },
	{ "HTTP/2 200 OK\r\n\r\n", false, -EPROTO, "is not HTTP/1.0 or HTTP/1.1" },
	{ "SSH-2.0-OpenSSH\r\n", false, -EPROTO, "is not HTTP/1.0 or HTTP/1.1" },
	{ "HTTP/1.1 2000 OK\r\n\r\n", false, -EPROTO, "has no valid status code" },
	{ "HTTP/1.1 200 OK\r\nno colon\r\n\r\n", false, -EPROTO, "has no valid name" },
	{ "HTTP/1.1 200 OK\r\nA: b\r\n folded\r\n\r\n", false, -EPROTO, "folded" },
	{ "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", false, -EPROTO,
	  "is not a valid length" },
	{ "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", false, -EPROTO,
	  "is not a valid length" },
	{ "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", false, -EPROTO,
	  "two different Content-Length" },
	{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", false, -EPROTO,
	  "is not a hexadecimal size" },
	{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n", false,
	  -EPROTO, "is too large" },
	{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n", false, -EPROTO,
	  "longer than its size line" },
	{ "HTTP/1.1 200 OK\r\nA: b\rc\r\n\r\n", false, -EPROTO, "stray CR" },
	{ "", true, -ECONNRESET, "before sending a response" },
	{ "HTTP/1.1 200", true, -ECONNRESET, "inside the status line" },
	{ "HTTP/1.1 200 OK\r\nContent-Le", true, -ECONNRESET, "inside the response headers" },
	{ "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", true, -ECONNRESET,
	  "7 bytes before the end of the body" },
	{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", true, -ECONNRESET,
	  "inside the chunked body" },
	{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n", true, -ECONNRESET,
	  "inside the chunked body" },
};

static void test_malformed(void)
{
	struct http_parser p;
	struct strbuf body;

	strbuf_init(&body);
	for (size_t i = 0; i < sizeof(malformed_cases) / sizeof(malformed_cases[0]); i++) {
		const struct malformed_case *c = &malformed_cases[i];
		int r = feed_split(&p, c->text, strlen(c->text), c->eof, &body);

		CU_ASSERT_EQUAL(r, c->result);
		CU_ASSERT_PTR_NOT_NULL(strstr(p.error, c->error));
		if (r != c->result || !strstr(p.error, c->error))
			fprintf(stderr, "case %zu: result %d, error \"%s\"\n", i, r, p.error);
	}
	strbuf_free(&body);
}

/* Builds a response with `lines` header lines of line_len bytes each. */
static char *response_with_header(size_t line_len, size_t lines)
{
	struct strbuf b;

	strbuf_init(&b);
	strbuf_puts(&b, "HTTP/1.1 200 OK\r\n");
	for (size_t i = 0; i < lines; i++) {
		strbuf_puts(&b, "X-Long: ");
		for (size_t j = strlen("X-Long: "); j < line_len; j++)
			strbuf_putc(&b, 'v');
		strbuf_puts(&b, "\r\n");
	}
	strbuf_puts(&b, "Content-Length: 0\r\n\r\n");
	return b.data;
}

static void test_header_limits(void)
{
	struct http_parser p;
	struct strbuf body;
	char *text;

	strbuf_init(&body);
	text = response_with_header(HTTP_LINE_MAX, 1);
	CU_ASSERT_EQUAL(feed_split(&p, text, 100, false, &body), 1);
	free(text);

	text = response_with_header(HTTP_LINE_MAX + 1, 1);
	CU_ASSERT_EQUAL(feed_split(&p, text, 100, false, &body), -EPROTO);
	CU_ASSERT_STRING_EQUAL(p.error, "a header line is longer than 8192 bytes");
	free(text);

	text = response_with_header(1000, HTTP_HEADERS_MAX / 1000 + 1);
	CU_ASSERT_EQUAL(feed_split(&p, text, 5000, false, &body), -EPROTO);
	CU_ASSERT_STRING_EQUAL(p.error, "the header section is longer than 65536 bytes");
	free(text);
	strbuf_free(&body);
}

static void test_body_callback_error(void)
{
	const char *text = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc";
	struct http_parser p;
	size_t used = 0;

	http_parser_init(&p, false);
	CU_ASSERT_EQUAL(http_parser_feed(&p, text, strlen(text), fail_sink, NULL, &used), -EPIPE);
}

static const struct cunit_test tests[] = {
	{ "parser chunked every split", test_chunked_every_split },
	{ "parser chunked byte by byte", test_chunked_byte_by_byte },
	{ "parser content length", test_content_length },
	{ "parser body until close", test_body_until_close },
	{ "parser statuses without body", test_no_body_statuses },
	{ "parser malformed responses", test_malformed },
	{ "parser header limits", test_header_limits },
	{ "parser body callback error", test_body_callback_error },
	{ NULL, NULL },
};

int main(void)
{
	return cunit_run("cli http parser", tests);
}
