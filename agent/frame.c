/* SPDX-License-Identifier: MIT */
/*
 * Encoding, decoding and filtering of Docker's multiplexed output frames.
 * Pure functions apart from frame_append(), which writes to a descriptor.
 */
#include <errno.h>
#include <string.h>
#include <sys/uio.h>

#include "agent/frame.h"

void frame_header_encode(uint8_t header[FRAME_HEADER_SIZE], int stream, uint32_t len)
{
	header[0] = (uint8_t)stream;
	header[1] = 0;
	header[2] = 0;
	header[3] = 0;
	header[4] = (uint8_t)(len >> 24);
	header[5] = (uint8_t)(len >> 16);
	header[6] = (uint8_t)(len >> 8);
	header[7] = (uint8_t)len;
}

int frame_header_decode(const uint8_t header[FRAME_HEADER_SIZE], int *ret_stream, uint32_t *ret_len)
{
	if (header[0] > FRAME_STREAM_STDERR || header[1] || header[2] || header[3])
		return -EINVAL;

	*ret_stream = header[0];
	*ret_len = (uint32_t)header[4] << 24 | (uint32_t)header[5] << 16 |
		   (uint32_t)header[6] << 8 | (uint32_t)header[7];
	return 0;
}

int frame_append(int fd, int stream, const void *data, size_t len)
{
	uint8_t header[FRAME_HEADER_SIZE];
	struct iovec iov[2];
	ssize_t n;

	if (len > UINT32_MAX)
		return -EINVAL;
	frame_header_encode(header, stream, (uint32_t)len);
	iov[0] = (struct iovec){ .iov_base = header, .iov_len = sizeof(header) };
	iov[1] = (struct iovec){ .iov_base = (void *)data, .iov_len = len };

	n = writev(fd, iov, 2);
	if (n < 0)
		return -errno;
	if ((size_t)n != sizeof(header) + len)
		return -EIO;
	return 0;
}

void frame_filter_init(struct frame_filter *f, bool want_stdout, bool want_stderr)
{
	memset(f, 0, sizeof(*f));
	f->want_stdout = want_stdout;
	f->want_stderr = want_stderr;
}

/* Called once a full header is buffered: decides whether its payload is kept
 * and emits the header when it is. Returns the bytes written to out. */
static size_t filter_start_frame(struct frame_filter *f, uint8_t *out)
{
	int stream;
	uint32_t len;

	f->header_have = 0;
	if (frame_header_decode(f->header, &stream, &len) < 0) {
		f->corrupt = true;
		return 0;
	}

	f->payload_left = len;
	f->keep_payload = (stream == FRAME_STREAM_STDOUT && f->want_stdout) ||
			  (stream == FRAME_STREAM_STDERR && f->want_stderr);
	if (!f->keep_payload)
		return 0;
	memcpy(out, f->header, FRAME_HEADER_SIZE);
	return FRAME_HEADER_SIZE;
}

size_t frame_filter_feed(struct frame_filter *f, const uint8_t *in, size_t in_len, uint8_t *out)
{
	size_t pos = 0, written = 0;

	while (pos < in_len && !f->corrupt) {
		if (f->payload_left == 0) {
			size_t take = FRAME_HEADER_SIZE - f->header_have;

			if (take > in_len - pos)
				take = in_len - pos;
			memcpy(f->header + f->header_have, in + pos, take);
			f->header_have += take;
			pos += take;
			if (f->header_have == FRAME_HEADER_SIZE)
				written += filter_start_frame(f, out + written);
			continue;
		}

		size_t take = f->payload_left;

		if (take > in_len - pos)
			take = in_len - pos;
		if (f->keep_payload) {
			memcpy(out + written, in + pos, take);
			written += take;
		}
		pos += take;
		f->payload_left -= (uint32_t)take;
	}
	return written;
}
