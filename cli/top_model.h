/* SPDX-License-Identifier: MIT */
/*
 * The live view's model: the containers of the newest stats snapshot, decoded
 * from the agent's length-delimited protobuf stream (proto/stats.proto), with
 * a short history per container. It stores what mstatd computed and derives
 * no rates of its own.
 */
#ifndef MSTAT_CLI_TOP_MODEL_H
#define MSTAT_CLI_TOP_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/stats.pb-c.h"

/* Samples of CPU % and memory usage kept for the detail pane's sparklines. */
#define TOP_HISTORY 32

/* Largest message accepted from the stream; a longer length prefix means the
 * stream is corrupt. */
#define TOP_MAX_MESSAGE (1u << 20)

struct top_row {
	Mstat__Stats__ContainerStats *stats; /* owned; protobuf_c unpacked */
	uint64_t generation;		     /* snapshot that last listed the row */
	double cpu_history[TOP_HISTORY];
	double mem_history[TOP_HISTORY];
	unsigned history_len;	 /* valid samples, the newest last */
	uint64_t oom_kills_seen; /* oom_kill count when the row was first listed */
	uint64_t oom_kill_ns;	 /* read_time_ns of the sample in which oom_kill grew; 0 never */
};

struct top_model {
	struct top_row *rows;
	size_t n_rows, cap;
	uint64_t generation; /* the newest snapshot seen */
	uint64_t updates;    /* snapshots completed, for "data arrived" checks */
};

void top_model_init(struct top_model *m);
void top_model_free(struct top_model *m); /* accepts NULL */

/* Decodes one ContainerStats message and updates its row. When the message
 * is the last of its snapshot, removes the rows the snapshot did not list.
 * Returns 0, -EBADMSG for an undecodable message or -ENOMEM. */
int top_model_apply(struct top_model *m, const uint8_t *data, size_t len);

/* Finds a row by container id or, for a row without one, by name. */
struct top_row *top_model_find(struct top_model *m, const char *id, const char *name);

/* Splits a stream of varint-length-prefixed messages. */
struct top_stream {
	uint8_t *buf;
	size_t len, cap;
};

void top_stream_init(struct top_stream *s);
void top_stream_free(struct top_stream *s);
void top_stream_reset(struct top_stream *s); /* drops a partial message */

/* Appends data and applies every complete message to m. Returns 0, or a
 * negative errno: -EBADMSG for a corrupt stream (the caller reconnects). */
int top_stream_feed(struct top_stream *s, const void *data, size_t len, struct top_model *m);

#endif
