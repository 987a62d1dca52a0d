/* SPDX-License-Identifier: MIT */
/* Demultiplexing of docker's log stream frames, fed in every possible pair
 * of chunks and in one-byte pieces. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/frames.h"
#include "cli/strbuf.h"
#include "tests/unit/cunit_main.h"

struct outputs {
	struct strbuf out, err, in;
	size_t calls;
};

static int collect(enum frame_stream stream, const char *data, size_t len, void *userdata)
{
	struct outputs *o = userdata;

	o->calls++;
	CU_ASSERT_TRUE(len > 0);
	if (stream == FRAME_STDOUT)
		strbuf_append(&o->out, data, len);
	else if (stream == FRAME_STDERR)
		strbuf_append(&o->err, data, len);
	else
		strbuf_append(&o->in, data, len);
	return 0;
}

static void add_frame(struct strbuf *b, unsigned char stream, const char *payload, size_t len)
{
	unsigned char h[8] = { stream,
			       0,
			       0,
			       0,
			       (unsigned char)(len >> 24),
			       (unsigned char)(len >> 16),
			       (unsigned char)(len >> 8),
			       (unsigned char)len };

	strbuf_append(b, (const char *)h, sizeof(h));
	strbuf_append(b, payload, len);
}

static void outputs_init(struct outputs *o)
{
	strbuf_init(&o->out);
	strbuf_init(&o->err);
	strbuf_init(&o->in);
	o->calls = 0;
}

static void outputs_free(struct outputs *o)
{
	strbuf_free(&o->out);
	strbuf_free(&o->err);
	strbuf_free(&o->in);
}

/* A stream with text on both outputs, an empty frame and binary bytes. */
static void build_stream(struct strbuf *s)
{
	strbuf_init(s);
	add_frame(s, 1, "hello\n", 6);
	add_frame(s, 2, "oops: ", 6);
	add_frame(s, 1, "", 0);
	add_frame(s, 2, "failed\n", 7);
	add_frame(s, 1, "\0\x01\xff\n", 4);
	add_frame(s, 0, "in", 2);
}

static void check_outputs(const struct outputs *o)
{
	CU_ASSERT_EQUAL(o->out.len, 10);
	CU_ASSERT_EQUAL(memcmp(o->out.data, "hello\n\0\x01\xff\n", 10), 0);
	CU_ASSERT_STRING_EQUAL(strbuf_str(&o->err), "oops: failed\n");
	CU_ASSERT_STRING_EQUAL(strbuf_str(&o->in), "in");
}

static void test_two_chunks_every_split(void)
{
	struct strbuf s;

	build_stream(&s);
	for (size_t split = 0; split <= s.len; split++) {
		struct frame_demux d;
		struct outputs o;

		outputs_init(&o);
		frame_demux_init(&d, collect, &o);
		CU_ASSERT_EQUAL(frame_demux_feed(&d, s.data, split), 0);
		CU_ASSERT_EQUAL(frame_demux_feed(&d, s.data + split, s.len - split), 0);
		CU_ASSERT_TRUE(frame_demux_at_boundary(&d));
		check_outputs(&o);
		outputs_free(&o);
	}
	strbuf_free(&s);
}

static void test_byte_by_byte(void)
{
	struct strbuf s;
	struct frame_demux d;
	struct outputs o;

	build_stream(&s);
	outputs_init(&o);
	frame_demux_init(&d, collect, &o);
	for (size_t i = 0; i < s.len; i++) {
		CU_ASSERT_EQUAL(frame_demux_feed(&d, s.data + i, 1), 0);
		/* inside a header or payload until the last byte */
		if (i + 1 < s.len && i == 3)
			CU_ASSERT_FALSE(frame_demux_at_boundary(&d));
	}
	CU_ASSERT_TRUE(frame_demux_at_boundary(&d));
	check_outputs(&o);
	CU_ASSERT_EQUAL(o.calls, 25); /* one call per payload byte */
	outputs_free(&o);
	strbuf_free(&s);
}

static void test_large_frame(void)
{
	const size_t size = 200000;
	char *payload = malloc(size);
	struct strbuf s;
	struct frame_demux d;
	struct outputs o;

	CU_ASSERT_PTR_NOT_NULL_FATAL(payload);
	for (size_t i = 0; i < size; i++)
		payload[i] = (char)('a' + i % 26);
	strbuf_init(&s);
	add_frame(&s, 1, payload, size);
	add_frame(&s, 2, "end", 3);

	outputs_init(&o);
	frame_demux_init(&d, collect, &o);
	/* chunks of 16 KiB plus 3 bytes, so that boundaries drift */
	for (size_t at = 0; at < s.len; at += 16387) {
		size_t n = s.len - at < 16387 ? s.len - at : 16387;
		CU_ASSERT_EQUAL(frame_demux_feed(&d, s.data + at, n), 0);
	}
	CU_ASSERT_EQUAL(o.out.len, size);
	CU_ASSERT_EQUAL(memcmp(o.out.data, payload, size), 0);
	CU_ASSERT_STRING_EQUAL(strbuf_str(&o.err), "end");
	outputs_free(&o);
	strbuf_free(&s);
	free(payload);
}

static int failing_sink(enum frame_stream stream, const char *data, size_t len, void *userdata)
{
	return -EPIPE;
}

static void test_invalid_and_errors(void)
{
	static const unsigned char bad_stream[8] = { 3, 0, 0, 0, 0, 0, 0, 1 };
	static const unsigned char bad_padding[8] = { 1, 0, 7, 0, 0, 0, 0, 1 };
	struct frame_demux d;
	struct outputs o;
	struct strbuf s;

	outputs_init(&o);
	frame_demux_init(&d, collect, &o);
	CU_ASSERT_EQUAL(frame_demux_feed(&d, (const char *)bad_stream, 8), -EPROTO);
	frame_demux_init(&d, collect, &o);
	CU_ASSERT_EQUAL(frame_demux_feed(&d, (const char *)bad_padding, 8), -EPROTO);
	CU_ASSERT_EQUAL(o.calls, 0);

	/* A stream cut inside a header or a payload is not at a boundary. */
	frame_demux_init(&d, collect, &o);
	CU_ASSERT_EQUAL(frame_demux_feed(&d, "\x01\0\0\0\0\0\0\x05hel", 11), 0);
	CU_ASSERT_FALSE(frame_demux_at_boundary(&d));
	outputs_free(&o);

	strbuf_init(&s);
	add_frame(&s, 1, "x", 1);
	frame_demux_init(&d, failing_sink, NULL);
	CU_ASSERT_EQUAL(frame_demux_feed(&d, s.data, s.len), -EPIPE);
	strbuf_free(&s);
}

static const struct cunit_test tests[] = {
	{ "frames split in two anywhere", test_two_chunks_every_split },
	{ "frames byte by byte", test_byte_by_byte },
	{ "frames large payload", test_large_frame },
	{ "frames invalid input", test_invalid_and_errors },
	{ NULL, NULL },
};

int main(void)
{
	return cunit_run("cli frames", tests);
}
