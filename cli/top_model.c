/* SPDX-License-Identifier: MIT */
/*
 * Decoding of the protobuf stats stream into the live view's rows. Rows are
 * matched by container id across snapshots so that their history survives;
 * a snapshot's last message removes the rows it no longer lists.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/top_model.h"

void top_model_init(struct top_model *m)
{
	memset(m, 0, sizeof(*m));
}

static void top_row_clear(struct top_row *r)
{
	mstat__stats__container_stats__free_unpacked(r->stats, NULL);
	r->stats = NULL;
}

void top_model_free(struct top_model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_rows; i++)
		top_row_clear(&m->rows[i]);
	free(m->rows);
	memset(m, 0, sizeof(*m));
}

static bool str_eq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

struct top_row *top_model_find(struct top_model *m, const char *id, const char *name)
{
	for (size_t i = 0; i < m->n_rows; i++) {
		const Mstat__Stats__ContainerStats *s = m->rows[i].stats;

		if (id && id[0] ? str_eq(s->container_id, id) : str_eq(s->name, name))
			return &m->rows[i];
	}
	return NULL;
}

static struct top_row *top_model_add(struct top_model *m)
{
	if (m->n_rows == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 32;
		struct top_row *rows = realloc(m->rows, cap * sizeof(*rows));

		if (!rows)
			return NULL;
		m->rows = rows;
		m->cap = cap;
	}
	memset(&m->rows[m->n_rows], 0, sizeof(m->rows[0]));
	return &m->rows[m->n_rows++];
}

static void push_history(double *history, unsigned len, double value)
{
	if (len == TOP_HISTORY)
		memmove(history, history + 1, (TOP_HISTORY - 1) * sizeof(*history));
	history[len == TOP_HISTORY ? TOP_HISTORY - 1 : len] = value;
}

/* Records the new message's figures in the row's history and OOM marks. */
static void top_row_update(struct top_row *r, Mstat__Stats__ContainerStats *s, bool is_new)
{
	uint64_t oom = s->has_mem_events_oom_kill ? s->mem_events_oom_kill : 0;

	if (is_new)
		r->oom_kills_seen = oom;
	else if (oom > r->oom_kills_seen) {
		r->oom_kills_seen = oom;
		r->oom_kill_ns = s->has_read_time_ns ? s->read_time_ns : 1;
	}
	if (r->generation != s->generation && (s->has_cpu_percent || s->has_mem_usage)) {
		push_history(r->cpu_history, r->history_len,
			     s->has_cpu_percent ? s->cpu_percent : 0);
		push_history(r->mem_history, r->history_len,
			     s->has_mem_usage ? (double)s->mem_usage : 0);
		if (r->history_len < TOP_HISTORY)
			r->history_len++;
	}
	top_row_clear(r);
	r->stats = s;
	r->generation = s->generation;
}

/* Drops the rows that the snapshot `generation` did not list. */
static void top_model_prune(struct top_model *m, uint64_t generation)
{
	size_t kept = 0;

	for (size_t i = 0; i < m->n_rows; i++) {
		if (m->rows[i].generation != generation) {
			top_row_clear(&m->rows[i]);
			continue;
		}
		m->rows[kept++] = m->rows[i];
	}
	m->n_rows = kept;
	m->updates++;
}

int top_model_apply(struct top_model *m, const uint8_t *data, size_t len)
{
	Mstat__Stats__ContainerStats *s = mstat__stats__container_stats__unpack(NULL, len, data);
	struct top_row *r;
	bool is_new = false;

	if (!s)
		return -EBADMSG;
	m->generation = s->generation;

	/* An empty snapshot sends one message without a container. */
	if (s->count == 0 || (!s->name && !s->container_id)) {
		mstat__stats__container_stats__free_unpacked(s, NULL);
		top_model_prune(m, m->generation);
		return 0;
	}

	r = top_model_find(m, s->container_id, s->name);
	if (!r) {
		r = top_model_add(m);
		if (!r) {
			mstat__stats__container_stats__free_unpacked(s, NULL);
			return -ENOMEM;
		}
		is_new = true;
	}
	top_row_update(r, s, is_new);
	if (s->index + 1 >= s->count)
		top_model_prune(m, s->generation);
	return 0;
}

void top_stream_init(struct top_stream *s)
{
	memset(s, 0, sizeof(*s));
}

void top_stream_free(struct top_stream *s)
{
	free(s->buf);
	memset(s, 0, sizeof(*s));
}

void top_stream_reset(struct top_stream *s)
{
	s->len = 0;
}

/* Reads a varint at p. Returns its length in bytes, 0 when more bytes are
 * needed, or -EBADMSG when it is longer than a 32-bit length allows. */
static int read_varint(const uint8_t *p, size_t avail, uint64_t *ret)
{
	uint64_t v = 0;

	for (size_t i = 0; i < avail; i++) {
		if (i == 5)
			return -EBADMSG;
		v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80)) {
			*ret = v;
			return (int)i + 1;
		}
	}
	return avail >= 5 ? -EBADMSG : 0;
}

static int top_stream_append(struct top_stream *s, const void *data, size_t len)
{
	if (s->len + len > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		uint8_t *buf;

		while (cap < s->len + len)
			cap *= 2;
		buf = realloc(s->buf, cap);
		if (!buf)
			return -ENOMEM;
		s->buf = buf;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, data, len);
	s->len += len;
	return 0;
}

int top_stream_feed(struct top_stream *s, const void *data, size_t len, struct top_model *m)
{
	size_t off = 0;
	int r = top_stream_append(s, data, len);

	while (r == 0) {
		uint64_t size;
		int n = read_varint(s->buf + off, s->len - off, &size);

		if (n <= 0) {
			r = n;
			break;
		}
		if (size > TOP_MAX_MESSAGE) {
			r = -EBADMSG;
			break;
		}
		if (s->len - off - (size_t)n < size)
			break;
		r = top_model_apply(m, s->buf + off + n, (size_t)size);
		off += (size_t)n + (size_t)size;
	}
	if (r < 0) {
		s->len = 0;
		return r;
	}
	memmove(s->buf, s->buf + off, s->len - off);
	s->len -= off;
	return 0;
}
