/* SPDX-License-Identifier: MIT */
/*
 * GET /v1/events: container events as JSON lines, docker-events style. With
 * `since` the stream starts with the kept events from that time on; without
 * it, with the next event. With `until` it ends at that time, otherwise it
 * follows until the client leaves or mstatd shuts down.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent/http.h"
#include "exporters/prom.h"

#define EVENTS_BLOCK_SIZE (16 * 1024)
/* How long a stream sleeps before it checks for shutdown and `until`. */
#define EVENTS_WAIT_MS 500
#define EVENTS_BATCH   32

struct events_stream {
	struct api_server *server;
	struct event_filter filter;
	uint64_t cursor;
	char *pending; /* JSON lines not yet handed to libmicrohttpd */
	size_t pending_len, pending_off;
	struct event batch[EVENTS_BATCH];
};

struct filter_parse {
	struct event_filter *filter;
	const char *bad; /* the first filter that was rejected */
};

static enum MHD_Result collect_filter(void *cls, enum MHD_ValueKind kind, const char *key,
				      const char *value)
{
	struct filter_parse *p = cls;

	(void)kind;
	if (strcmp(key, "filter") != 0 || p->bad)
		return MHD_YES;
	if (!value || event_filter_add(p->filter, value) < 0)
		p->bad = value ? value : "";
	return MHD_YES;
}

/* Appends the JSON lines of the matching events in the batch to pending. */
static int render_batch(struct events_stream *st, size_t n)
{
	struct outbuf b;

	outbuf_init(&b);
	for (size_t i = 0; i < n; i++) {
		json_t *obj;
		char *text;

		if (!event_filter_match(&st->filter, &st->batch[i]))
			continue;
		obj = event_to_json(&st->batch[i]);
		text = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
		json_decref(obj);
		if (!text) {
			outbuf_free(&b);
			return -ENOMEM;
		}
		outbuf_append(&b, text, strlen(text));
		outbuf_append(&b, "\n", 1);
		free(text);
	}
	if (b.error < 0) {
		outbuf_free(&b);
		return b.error;
	}
	free(st->pending);
	st->pending = b.data;
	st->pending_len = b.len;
	st->pending_off = 0;
	return 0;
}

static bool stream_over(struct events_stream *st)
{
	struct pub_marks marks;

	pub_get_marks(st->server->pub, &marks);
	if (marks.closing)
		return true;
	return st->filter.until_ns && agent_now_real() > st->filter.until_ns;
}

static ssize_t events_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct events_stream *st = cls;
	struct event_ring *ring = st->server->events;

	(void)pos;
	for (;;) {
		size_t n;

		if (st->pending_off < st->pending_len) {
			n = st->pending_len - st->pending_off;
			if (n > max)
				n = max;
			memcpy(buf, st->pending + st->pending_off, n);
			st->pending_off += n;
			return (ssize_t)n;
		}

		/* NOTE: a client more than AGENT_EVENTS_KEPT events behind misses
		 * the overwritten ones, and nothing in the stream marks the gap. */
		n = event_ring_read(ring, &st->cursor, st->batch, EVENTS_BATCH, NULL);
		if (n > 0) {
			if (render_batch(st, n) < 0)
				return MHD_CONTENT_READER_END_WITH_ERROR;
			continue;
		}
		if (stream_over(st))
			return MHD_CONTENT_READER_END_OF_STREAM;
		if (event_ring_wait(ring, st->cursor, EVENTS_WAIT_MS))
			return MHD_CONTENT_READER_END_OF_STREAM;
	}
}

static void events_free(void *cls)
{
	struct events_stream *st = cls;

	free(st->pending);
	free(st);
}

/* Reads since, until and every filter. Returns NULL, or the name of the
 * first invalid parameter and its value in *ret_value. */
static const char *parse_query(struct MHD_Connection *conn, struct event_filter *f,
			       const char **ret_value)
{
	const char *since = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "since");
	const char *until = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "until");
	struct filter_parse p = { .filter = f };

	if (since && event_parse_time(since, &f->since_ns) < 0) {
		*ret_value = since;
		return "since";
	}
	if (until && event_parse_time(until, &f->until_ns) < 0) {
		*ret_value = until;
		return "until";
	}
	(void)MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_filter, &p);
	if (p.bad) {
		*ret_value = p.bad;
		return "filter";
	}
	return NULL;
}

enum MHD_Result api_events(struct api_server *s, struct MHD_Connection *conn)
{
	struct events_stream *st;
	struct MHD_Response *resp;
	enum MHD_Result ret;
	const char *bad, *value = "";

	if (!s->events)
		return http_reply_error(conn, 503, "the events ring is not ready");
	st = calloc(1, sizeof(*st));
	if (!st)
		return MHD_NO;
	st->server = s;
	bad = parse_query(conn, &st->filter, &value);
	if (bad) {
		free(st);
		if (strcmp(bad, "filter") == 0)
			return http_reply_error(
			    conn, 400,
			    "invalid query parameter 'filter': '%s'; expected container=NAME, "
			    "type=container or event=KIND with KIND one of create, start, die "
			    "(exit), oom, restart, stop, kill, destroy (remove), update "
			    "(limit-change); at most %d containers",
			    value, EVENT_FILTER_MAX);
		return http_reply_error(conn, 400,
					"invalid query parameter '%s': '%s' is not Unix seconds, "
					"such as 1700000000 or 1700000000.5",
					bad, value);
	}
	if (st->filter.since_ns && st->filter.until_ns &&
	    st->filter.since_ns > st->filter.until_ns) {
		free(st);
		return http_reply_reversed_times(conn);
	}
	/* Kept events are replayed only for `since`, as docker does. */
	st->cursor = st->filter.since_ns ? 1 : event_ring_tail(s->events);

	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, EVENTS_BLOCK_SIZE, events_read,
						 st, events_free);
	if (!resp) {
		events_free(st);
		return MHD_NO;
	}
	(void)MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	ret = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ret;
}
