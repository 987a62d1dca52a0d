/* SPDX-License-Identifier: MIT */
/*
 * Streaming responses: container logs (with follow) and stats as JSON lines.
 * Each runs in its connection's thread and blocks on the published state's
 * condition variable between chunks; shutdown wakes it and ends the stream.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/frame.h"
#include "agent/http.h"
#include "agent/state.h"
#include "exporters/stats_json.h"

#define STREAM_BLOCK_SIZE (32 * 1024)
/* How long a stream sleeps before it checks again for a change it missed. */
#define STREAM_WAIT_MS 1000

struct logs_stream {
	struct api_server *server;
	char id[65];
	int fd;
	bool follow;
	bool finishing; /* the container ended: read to end of file, then stop */
	struct frame_filter filter;
	struct pub_marks marks;
	uint8_t in[STREAM_BLOCK_SIZE];
};

/* True when the container is gone, or stopped and its output drained. */
static bool logs_source_ended(struct api_server *s, const char *id)
{
	struct ctr_view *v = pub_get_view(s->pub);
	const struct ctr_view_item *item;
	bool ended = true;
	int error;

	item = ctr_view_find(v, id, &error);
	if (item)
		ended = item->rec.status != CTR_STATUS_RUNNING && !item->output_open;
	ctr_view_unref(v);
	return ended;
}

static ssize_t logs_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct logs_stream *ls = cls;
	size_t want;

	if (max <= FRAME_HEADER_SIZE)
		return 0;
	want = max - FRAME_HEADER_SIZE;
	if (want > sizeof(ls->in))
		want = sizeof(ls->in);

	for (;;) {
		ssize_t n = read(ls->fd, ls->in, want);

		if (n < 0)
			return errno == EINTR ? 0 : MHD_CONTENT_READER_END_WITH_ERROR;
		if (n > 0) {
			size_t out =
			    frame_filter_feed(&ls->filter, ls->in, (size_t)n, (uint8_t *)buf);

			if (out > 0)
				return (ssize_t)out;
			continue;
		}

		/* End of file: done, or wait for more output. */
		if (!ls->follow || ls->finishing)
			return MHD_CONTENT_READER_END_OF_STREAM;
		if (logs_source_ended(ls->server, ls->id) || ls->marks.closing) {
			ls->finishing = true; /* one more read catches the last bytes */
			continue;
		}
		pub_wait(ls->server->pub, &ls->marks, STREAM_WAIT_MS, &ls->marks);
	}
}

static void logs_free(void *cls)
{
	struct logs_stream *ls = cls;

	if (ls->fd >= 0)
		close(ls->fd);
	free(ls);
}

static int logs_options(struct MHD_Connection *conn, bool *follow, bool *out, bool *err)
{
	if (http_query_bool(conn, "follow", false, follow) < 0 ||
	    http_query_bool(conn, "stdout", false, out) < 0 ||
	    http_query_bool(conn, "stderr", false, err) < 0)
		return -EINVAL;
	/* Docker rejects a request for neither stream; mstat serves both. */
	if (!*out && !*err)
		*out = *err = true;
	return 0;
}

enum MHD_Result api_logs(struct api_server *s, struct MHD_Connection *conn, const char *name)
{
	struct ctr_view *v = pub_get_view(s->pub);
	const struct ctr_view_item *item;
	struct logs_stream *ls;
	struct MHD_Response *resp;
	char path[PATH_MAX];
	bool follow, want_out, want_err;
	enum MHD_Result ret;
	int error = 0;

	item = ctr_view_find(v, name, &error);
	if (!item) {
		ctr_view_unref(v);
		return http_reply_error(conn, error == -ENOTUNIQ ? 400 : 404,
					"no such container: %s", name);
	}
	if (logs_options(conn, &follow, &want_out, &want_err) < 0) {
		ctr_view_unref(v);
		return http_reply_error(conn, 400,
					"invalid query parameter: follow, stdout and stderr take "
					"1, 0, true or false");
	}

	ls = calloc(1, sizeof(*ls));
	if (!ls) {
		ctr_view_unref(v);
		return MHD_NO;
	}
	ls->server = s;
	ls->follow = follow;
	memcpy(ls->id, item->rec.spec.id, sizeof(ls->id));
	frame_filter_init(&ls->filter, want_out, want_err);
	pub_get_marks(s->pub, &ls->marks);
	snprintf(path, sizeof(path), "%s/%s", item->state_dir, STATE_OUTPUT_FILE);
	ctr_view_unref(v);

	/* A container that never ran has no output file yet: an empty log. */
	ls->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (ls->fd < 0 && errno == ENOENT)
		ls->fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (ls->fd < 0) {
		logs_free(ls);
		return http_reply_error(conn, 500, "opening the output of %s failed", name);
	}

	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_BLOCK_SIZE, logs_read, ls,
						 logs_free);
	if (!resp) {
		logs_free(ls);
		return MHD_NO;
	}
	(void)MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				      "application/vnd.docker.multiplexed-stream");
	ret = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ret;
}

struct stats_stream {
	struct api_server *server;
	char id[65];	     /* one container; "" for GET /v1/stats */
	bool include_exited; /* all=1 of GET /v1/stats */
	bool stream;
	bool need_prev; /* stream=false: wait one pass for precpu_stats */
	bool done;
	unsigned waits; /* passes waited for a first sample or for precpu_stats */
	uint64_t sent_generation;
	struct pub_marks marks;
	char *pending; /* JSON lines not yet handed to libmicrohttpd */
	size_t pending_len, pending_off;
};

static json_t *zeroed_stats(const struct snapshot *snap, const struct ctr_record *r)
{
	struct snapshot_entry e;

	memset(&e, 0, sizeof(e));
	e.meta.id = (char *)"";
	e.meta.name = (char *)r->spec.name;
	e.meta.container_id = (char *)r->spec.id;
	e.meta.state = (char *)ctr_status_to_string(r->status);
	return stats_json_entry(snap, &e);
}

static const struct snapshot_entry *entry_of(const struct snapshot *snap, const char *id)
{
	for (size_t i = 0; i < snap->n_entries; i++) {
		const char *cid = snap->entries[i].meta.container_id;

		if (cid && strcmp(cid, id) == 0)
			return &snap->entries[i];
	}
	return NULL;
}

static void append_line(struct outbuf *b, json_t *obj)
{
	char *text;

	if (!obj) {
		b->error = -ENOMEM;
		return;
	}
	text = json_dumps(obj, JSON_COMPACT);
	json_decref(obj);
	if (!text) {
		b->error = -ENOMEM;
		return;
	}
	outbuf_append(b, text, strlen(text));
	outbuf_append(b, "\n", 1);
	free(text);
}

enum render_result {
	RENDER_DONE,
	RENDER_WAIT, /* nothing to send for this pass; wait for the next one */
	RENDER_GONE, /* the container was removed */
};

/* The line of one container: its entry, or zeros when it is not running. */
static enum render_result render_one(struct stats_stream *st, const struct snapshot *snap,
				     const struct ctr_view *v, struct outbuf *b)
{
	const struct snapshot_entry *e = entry_of(snap, st->id);
	const struct ctr_view_item *item;
	int error;

	item = ctr_view_find(v, st->id, &error);
	if (!item && !e)
		return RENDER_GONE;
	/* A container that just started has no sample yet, and its first
	 * sample has no precpu_stats: wait up to two passes for them. */
	if (!e && item->rec.status == CTR_STATUS_RUNNING && st->waits < 2) {
		st->waits++;
		return RENDER_WAIT;
	}
	if (e && st->need_prev && !e->has_prev && st->waits < 2) {
		st->waits++;
		return RENDER_WAIT;
	}
	append_line(b, e ? stats_json_entry(snap, e) : zeroed_stats(snap, &item->rec));
	return RENDER_DONE;
}

static void render_all(struct stats_stream *st, const struct snapshot *snap,
		       const struct ctr_view *v, struct outbuf *b)
{
	for (size_t i = 0; i < snap->n_entries; i++) {
		const struct snapshot_entry *e = &snap->entries[i];
		bool running = !e->meta.state || strcmp(e->meta.state, "running") == 0;

		/* An exited container keeps its final sample, shown with all=1. */
		if (running || st->include_exited)
			append_line(b, stats_json_entry(snap, e));
	}
	if (!st->include_exited || !v)
		return;
	for (size_t i = 0; i < v->n; i++)
		if (!entry_of(snap, v->items[i].rec.spec.id))
			append_line(b, zeroed_stats(snap, &v->items[i].rec));
}

/* Renders the newest snapshot into st->pending when it is one not yet sent. */
static void stats_refill(struct stats_stream *st)
{
	uint64_t generation;
	struct snapshot *snap = pub_get_snapshot(st->server->pub, NULL, &generation);
	enum render_result result = RENDER_DONE;
	struct ctr_view *v;
	struct outbuf b;

	if (!snap || generation == st->sent_generation) {
		snapshot_unref(snap);
		return;
	}
	v = pub_get_view(st->server->pub);
	outbuf_init(&b);
	if (st->id[0] == '\0')
		render_all(st, snap, v, &b);
	else
		result = render_one(st, snap, v, &b);
	ctr_view_unref(v);
	snapshot_unref(snap);

	st->sent_generation = generation;
	if (b.error < 0 || result == RENDER_GONE || (result == RENDER_DONE && !st->stream))
		st->done = true;
	if (b.error < 0) {
		outbuf_free(&b);
		return;
	}
	free(st->pending);
	st->pending = b.data;
	st->pending_len = b.len;
	st->pending_off = 0;
}

static ssize_t stats_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stats_stream *st = cls;

	for (;;) {
		if (st->pending_off < st->pending_len) {
			size_t n = st->pending_len - st->pending_off;

			if (n > max)
				n = max;
			memcpy(buf, st->pending + st->pending_off, n);
			st->pending_off += n;
			return (ssize_t)n;
		}
		if (st->done || st->marks.closing)
			return MHD_CONTENT_READER_END_OF_STREAM;

		stats_refill(st);
		if (st->pending_off < st->pending_len || st->done)
			continue;
		pub_wait(st->server->pub, &st->marks, STREAM_WAIT_MS, &st->marks);
	}
}

static void stats_free(void *cls)
{
	struct stats_stream *st = cls;

	free(st->pending);
	free(st);
}

static enum MHD_Result start_stats(struct MHD_Connection *conn, struct stats_stream *st)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	pub_get_marks(st->server->pub, &st->marks);
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_BLOCK_SIZE, stats_read,
						 st, stats_free);
	if (!resp) {
		stats_free(st);
		return MHD_NO;
	}
	(void)MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	ret = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ret;
}

static struct stats_stream *stats_new(struct api_server *s, struct MHD_Connection *conn,
				      bool *ret_bad_query)
{
	struct stats_stream *st;
	bool stream;

	*ret_bad_query = http_query_bool(conn, "stream", true, &stream) < 0;
	if (*ret_bad_query)
		return NULL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	st->server = s;
	st->stream = stream;
	st->need_prev = !stream;
	return st;
}

enum MHD_Result api_container_stats(struct api_server *s, struct MHD_Connection *conn,
				    const char *name)
{
	struct ctr_view *v = pub_get_view(s->pub);
	const struct ctr_view_item *item;
	struct stats_stream *st;
	bool bad_query;
	int error = 0;

	item = ctr_view_find(v, name, &error);
	if (!item) {
		ctr_view_unref(v);
		return http_reply_error(conn, error == -ENOTUNIQ ? 400 : 404,
					"no such container: %s", name);
	}
	st = stats_new(s, conn, &bad_query);
	if (st)
		memcpy(st->id, item->rec.spec.id, sizeof(st->id));
	ctr_view_unref(v);
	if (bad_query)
		return http_reply_error(conn, 400,
					"invalid query parameter 'stream': expected true or false");
	if (!st)
		return MHD_NO;
	return start_stats(conn, st);
}

enum MHD_Result api_all_stats(struct api_server *s, struct MHD_Connection *conn)
{
	struct stats_stream *st;
	bool bad_query, all;

	if (http_query_bool(conn, "all", false, &all) < 0)
		return http_reply_error(
		    conn, 400, "invalid query parameter 'all': expected 1, 0, true or false");
	st = stats_new(s, conn, &bad_query);
	if (bad_query)
		return http_reply_error(conn, 400,
					"invalid query parameter 'stream': expected true or false");
	if (!st)
		return MHD_NO;
	st->include_exited = all;
	st->need_prev = false;
	return start_stats(conn, st);
}
