/* SPDX-License-Identifier: MIT */
/*
 * Docker's multiplexed frames: header bytes, frames appended to a file, and
 * the stream filter fed in pieces cut at every possible position.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/frame.h"

static void test_header(void)
{
	uint8_t h[FRAME_HEADER_SIZE];
	int stream = 0;
	uint32_t len = 0;

	frame_header_encode(h, FRAME_STREAM_STDERR, 0x01020304);
	CU_ASSERT_EQUAL(h[0], 2);
	CU_ASSERT_EQUAL(h[1], 0);
	CU_ASSERT_EQUAL(h[2], 0);
	CU_ASSERT_EQUAL(h[3], 0);
	CU_ASSERT_EQUAL(h[4], 0x01);
	CU_ASSERT_EQUAL(h[5], 0x02);
	CU_ASSERT_EQUAL(h[6], 0x03);
	CU_ASSERT_EQUAL(h[7], 0x04);
	CU_ASSERT_EQUAL(frame_header_decode(h, &stream, &len), 0);
	CU_ASSERT_EQUAL(stream, 2);
	CU_ASSERT_EQUAL(len, 0x01020304);

	frame_header_encode(h, FRAME_STREAM_STDOUT, UINT32_MAX);
	CU_ASSERT_EQUAL(frame_header_decode(h, &stream, &len), 0);
	CU_ASSERT_EQUAL(len, UINT32_MAX);

	h[0] = 3;
	CU_ASSERT_EQUAL(frame_header_decode(h, &stream, &len), -EINVAL);
	h[0] = 1;
	h[2] = 1;
	CU_ASSERT_EQUAL(frame_header_decode(h, &stream, &len), -EINVAL);
}

static void test_append(void)
{
	FILE *f = tmpfile();
	uint8_t buf[64];
	size_t n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(frame_append(fileno(f), FRAME_STREAM_STDOUT, "hello\n", 6), 0);
	CU_ASSERT_EQUAL(frame_append(fileno(f), FRAME_STREAM_STDERR, "", 0), 0);
	rewind(f);
	n = fread(buf, 1, sizeof(buf), f);
	CU_ASSERT_EQUAL(n, 8 + 6 + 8);
	CU_ASSERT_EQUAL(memcmp(buf, "\1\0\0\0\0\0\0\6hello\n\2\0\0\0\0\0\0\0", 22), 0);
	fclose(f);

	CU_ASSERT_EQUAL(frame_append(-1, FRAME_STREAM_STDOUT, "x", 1), -EBADF);
}

/* Three frames: "out1" on stdout, "err" on stderr, "o2" on stdout. */
static size_t build_stream(uint8_t *buf)
{
	size_t len = 0;

	frame_header_encode(buf + len, FRAME_STREAM_STDOUT, 4);
	memcpy(buf + len + 8, "out1", 4);
	len += 12;
	frame_header_encode(buf + len, FRAME_STREAM_STDERR, 3);
	memcpy(buf + len + 8, "err", 3);
	len += 11;
	frame_header_encode(buf + len, FRAME_STREAM_STDOUT, 2);
	memcpy(buf + len + 8, "o2", 2);
	len += 10;
	return len;
}

/* Feeds in[] in two pieces split at cut and returns the concatenated output. */
static size_t filter_split(bool want_out, bool want_err, const uint8_t *in, size_t len, size_t cut,
			   uint8_t *out)
{
	struct frame_filter f;
	size_t n;

	frame_filter_init(&f, want_out, want_err);
	n = frame_filter_feed(&f, in, cut, out);
	n += frame_filter_feed(&f, in + cut, len - cut, out + n);
	return n;
}

static void test_filter_every_cut(void)
{
	uint8_t in[64], out[64 + FRAME_HEADER_SIZE * 2];
	size_t len = build_stream(in);

	for (size_t cut = 0; cut <= len; cut++) {
		size_t n = filter_split(true, true, in, len, cut, out);

		CU_ASSERT_EQUAL(n, len);
		CU_ASSERT_EQUAL(memcmp(out, in, len), 0);

		n = filter_split(true, false, in, len, cut, out);
		CU_ASSERT_EQUAL(n, 12 + 10);
		CU_ASSERT_EQUAL(memcmp(out, in, 12), 0);
		CU_ASSERT_EQUAL(memcmp(out + 12, in + 23, 10), 0);

		n = filter_split(false, true, in, len, cut, out);
		CU_ASSERT_EQUAL(n, 11);
		CU_ASSERT_EQUAL(memcmp(out, in + 12, 11), 0);
	}
}

static void test_filter_byte_by_byte(void)
{
	uint8_t in[64], out[64 + FRAME_HEADER_SIZE];
	size_t len = build_stream(in), n = 0;
	struct frame_filter f;

	frame_filter_init(&f, false, true);
	for (size_t i = 0; i < len; i++)
		n += frame_filter_feed(&f, in + i, 1, out + n);
	CU_ASSERT_EQUAL(n, 11);
	CU_ASSERT_EQUAL(memcmp(out + 8, "err", 3), 0);
}

static void test_filter_corrupt(void)
{
	uint8_t in[64], out[64 + FRAME_HEADER_SIZE];
	size_t len = build_stream(in);
	struct frame_filter f;

	in[12] = 7; /* the second header's stream byte */
	frame_filter_init(&f, true, true);
	CU_ASSERT_EQUAL(frame_filter_feed(&f, in, len, out), 12);
	CU_ASSERT_TRUE(f.corrupt);
}

int main(void)
{
	CU_pSuite suite;
	unsigned failures;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("agent_frame", NULL, NULL);
	CU_add_test(suite, "header encode and decode", test_header);
	CU_add_test(suite, "frames appended to a file", test_append);
	CU_add_test(suite, "filter at every cut", test_filter_every_cut);
	CU_add_test(suite, "filter byte by byte", test_filter_byte_by_byte);
	CU_add_test(suite, "filter stops at corrupt header", test_filter_corrupt);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failures ? 1 : 0;
}
