/* SPDX-License-Identifier: MIT */
/*
 * Demultiplexer for Docker's log stream format. Each frame is an 8-byte
 * header followed by the payload. Header byte 0 is the stream (0 stdin,
 * 1 stdout, 2 stderr), bytes 1-3 are zero and bytes 4-7 are the payload
 * length, big endian. Input may be split at any byte, so the decoder keeps
 * a partial header between calls.
 */
#ifndef MSTAT_CLI_FRAMES_H
#define MSTAT_CLI_FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum frame_stream {
	FRAME_STDIN = 0,
	FRAME_STDOUT = 1,
	FRAME_STDERR = 2,
};

/* Receives a piece of one frame's payload; a frame may arrive in several
 * pieces. Returns 0, or a negative errno that stops the decoder. */
typedef int (*frame_sink_fn)(enum frame_stream stream, const char *data, size_t len,
			     void *userdata);

struct frame_demux {
	unsigned char header[8];
	size_t header_len;  /* header bytes received of the current frame */
	uint32_t remaining; /* payload bytes still to come in the current frame */
	enum frame_stream stream;
	frame_sink_fn sink;
	void *userdata;
};

void frame_demux_init(struct frame_demux *d, frame_sink_fn sink, void *userdata);

/* Feeds len bytes. Returns 0, -EPROTO on a stream byte other than 0, 1 or 2
 * or nonzero padding bytes, or the sink's error. */
int frame_demux_feed(struct frame_demux *d, const char *data, size_t len);

/* True when the input ended between frames, false inside a header or payload. */
bool frame_demux_at_boundary(const struct frame_demux *d);

#endif
