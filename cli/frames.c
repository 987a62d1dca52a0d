/* SPDX-License-Identifier: MIT */
/*
 * Docker log stream demultiplexing, incremental over arbitrary chunks.
 */
#include <errno.h>
#include <string.h>

#include "cli/frames.h"

void frame_demux_init(struct frame_demux *d, frame_sink_fn sink, void *userdata)
{
	memset(d, 0, sizeof(*d));
	d->sink = sink;
	d->userdata = userdata;
}

/* Interprets a complete header; the payload may be empty. */
static int frame_demux_parse_header(struct frame_demux *d)
{
	const unsigned char *h = d->header;

	if (h[0] > FRAME_STDERR || h[1] != 0 || h[2] != 0 || h[3] != 0)
		return -EPROTO;

	d->stream = (enum frame_stream)h[0];
	d->remaining =
	    (uint32_t)h[4] << 24 | (uint32_t)h[5] << 16 | (uint32_t)h[6] << 8 | (uint32_t)h[7];
	d->header_len = 0;
	return 0;
}

int frame_demux_feed(struct frame_demux *d, const char *data, size_t len)
{
	while (len > 0) {
		if (d->remaining == 0) {
			size_t take = sizeof(d->header) - d->header_len;
			if (take > len)
				take = len;
			memcpy(d->header + d->header_len, data, take);
			d->header_len += take;
			data += take;
			len -= take;
			if (d->header_len < sizeof(d->header))
				return 0;

			int r = frame_demux_parse_header(d);
			if (r < 0)
				return r;
			continue;
		}

		size_t take = d->remaining < len ? d->remaining : len;
		int r = d->sink(d->stream, data, take, d->userdata);
		if (r < 0)
			return r;
		d->remaining -= (uint32_t)take;
		data += take;
		len -= take;
	}
	return 0;
}

bool frame_demux_at_boundary(const struct frame_demux *d)
{
	return d->header_len == 0 && d->remaining == 0;
}
