/* SPDX-License-Identifier: MIT */
/*
 * Docker's multiplexed stream format for container output: an 8-byte header
 * (stream, three zero bytes, payload length big endian) before each payload.
 * mstatd stores output.log in this format and serves it unchanged, or
 * filtered by stream.
 */
#ifndef MSTAT_AGENT_FRAME_H
#define MSTAT_AGENT_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FRAME_HEADER_SIZE   8
#define FRAME_STREAM_STDOUT 1
#define FRAME_STREAM_STDERR 2

/* The Content-Type of an output stream, as Docker's API names it: raw bytes
 * for a container with a terminal, else multiplexed frames. */
#define FRAME_CONTENT_TYPE(raw)                                                                    \
	((raw) ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream")

/* Writes the header of a frame of len payload bytes on stream (1 or 2). */
void frame_header_encode(uint8_t header[FRAME_HEADER_SIZE], int stream, uint32_t len);

/* Decodes a header. Returns 0, or -EINVAL when the stream byte is not 0, 1
 * or 2, or a reserved byte is not zero. */
int frame_header_decode(const uint8_t header[FRAME_HEADER_SIZE], int *ret_stream,
			uint32_t *ret_len);

/* Appends one frame (header and payload) to fd with a single writev. Returns
 * 0 or a negative errno; a short write returns -EIO. */
int frame_append(int fd, int stream, const void *data, size_t len);

/*
 * Keeps the frames of selected streams from a byte stream of frames cut at
 * arbitrary points. State carries a partial header or payload from one call
 * to the next.
 */
struct frame_filter {
	bool want_stdout, want_stderr;
	uint8_t header[FRAME_HEADER_SIZE];
	size_t header_have;
	uint32_t payload_left;
	bool keep_payload;
	bool corrupt; /* a bad header was seen; everything after it is dropped */
};

void frame_filter_init(struct frame_filter *f, bool want_stdout, bool want_stderr);

/* Copies the selected frames of in[0..in_len) to out and returns the number of
 * bytes written. out must have room for in_len + FRAME_HEADER_SIZE bytes,
 * because a header split across calls is emitted whole. */
size_t frame_filter_feed(struct frame_filter *f, const uint8_t *in, size_t in_len, uint8_t *out);

#endif
