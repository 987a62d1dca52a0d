/* SPDX-License-Identifier: MIT */
/*
 * GET /v1/containers/NAME/logs: the records of the container's output log,
 * across its rotated files, as Docker's multiplexed stream, or raw for a
 * container with a terminal (one stream), with Docker's follow, tail, since,
 * until and timestamps parameters. Runs in the
 * connection's thread and blocks on the published state between records
 * while it follows; shutdown wakes it and ends the stream.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent/api_json.h"
#include "agent/events.h"
#include "agent/frame.h"
#include "agent/http.h"
#include "agent/logfile.h"
#include "common/parse.h"

#define LOGS_BLOCK_SIZE (32 * 1024)
/* How long a follower sleeps before it checks again for a change it missed. */
#define LOGS_WAIT_MS 1000
/* "2006-01-02T15:04:05.000000000Z " */
#define LOGS_TIMESTAMP_MAX 40

struct logs_options {
	bool follow, timestamps;
	bool want[3]; /* by stream number: stdout 1, stderr 2 */
	bool has_tail;
	uint64_t tail;
	uint64_t since_ns, until_ns; /* 0 = unset */
};

struct logs_stream {
	struct api_server *server;
	char id[65];
	struct logs_options opt;
	bool raw; /* a terminal's output: no frame headers */
	struct logfile_reader reader;
	bool finishing; /* the container ended: read to the end, then stop */
	bool done;
	bool line_start[3]; /* the next record of the stream starts a line */
	struct pub_marks marks;
	size_t out_len, out_off;
	uint8_t out[FRAME_HEADER_SIZE + LOGS_TIMESTAMP_MAX + LOGFILE_RECORD_MAX];
	uint8_t payload[LOGFILE_RECORD_MAX];
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

/* Frames one record into ls->out (raw streams without the header), with its
 * time before each line when timestamps were requested. */
static void logs_render(struct logs_stream *ls, const struct logfile_record *rec)
{
	char stamp[LOGS_TIMESTAMP_MAX] = "";
	size_t stamp_len = 0;

	if (ls->opt.timestamps && ls->line_start[rec->stream]) {
		api_format_time(rec->time_ns, stamp, sizeof(stamp) - 1);
		stamp_len = strlen(stamp);
		stamp[stamp_len++] = ' ';
	}
	ls->line_start[rec->stream] = rec->len > 0 && ls->payload[rec->len - 1] == '\n';

	size_t header_len = ls->raw ? 0 : FRAME_HEADER_SIZE;
	if (!ls->raw)
		frame_header_encode(ls->out, rec->stream, (uint32_t)(stamp_len + rec->len));
	memcpy(ls->out + header_len, stamp, stamp_len);
	memcpy(ls->out + header_len + stamp_len, ls->payload, rec->len);
	ls->out_len = header_len + stamp_len + rec->len;
	ls->out_off = 0;
}

/* Reads records until one passes the filters (returns true) or none is
 * left for now (returns false). */
static bool logs_next(struct logs_stream *ls, int *ret_error)
{
	struct logfile_record rec;
	int k;

	*ret_error = 0;
	while ((k = logfile_reader_next(&ls->reader, &rec, ls->payload)) == 1) {
		if (ls->opt.until_ns && rec.time_ns > ls->opt.until_ns) {
			ls->done = true;
			return false;
		}
		if (!ls->opt.want[rec.stream] || rec.time_ns < ls->opt.since_ns)
			continue;
		logs_render(ls, &rec);
		return true;
	}
	*ret_error = k;
	return false;
}

static ssize_t logs_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct logs_stream *ls = cls;
	int error;

	for (;;) {
		if (ls->out_off < ls->out_len) {
			size_t n = ls->out_len - ls->out_off;

			if (n > max)
				n = max;
			memcpy(buf, ls->out + ls->out_off, n);
			ls->out_off += n;
			return (ssize_t)n;
		}
		if (ls->done)
			return MHD_CONTENT_READER_END_OF_STREAM;
		if (logs_next(ls, &error))
			continue;
		if (error < 0)
			return MHD_CONTENT_READER_END_WITH_ERROR;
		if (ls->done || logfile_reader_follow_rotation(&ls->reader))
			continue;

		/* The end of what is written: done, or wait for more output. */
		if (!ls->opt.follow || ls->finishing ||
		    (ls->opt.until_ns && agent_now_real() > ls->opt.until_ns))
			return MHD_CONTENT_READER_END_OF_STREAM;
		if (logs_source_ended(ls->server, ls->id) || ls->marks.closing) {
			ls->finishing = true; /* one more pass catches the last records */
			continue;
		}
		pub_wait(ls->server->pub, &ls->marks, LOGS_WAIT_MS, &ls->marks);
	}
}

static void logs_free(void *cls)
{
	struct logs_stream *ls = cls;

	logfile_reader_close(&ls->reader);
	free(ls);
}

static int query_time(struct MHD_Connection *conn, const char *key, uint64_t *ret)
{
	const char *v = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, key);

	*ret = 0;
	if (!v || v[0] == '\0')
		return 0;
	return event_parse_time(v, ret);
}

/* Reads the query. Returns NULL, or the name of the invalid parameter. */
static const char *logs_parse_options(struct MHD_Connection *conn, struct logs_options *o)
{
	const char *tail = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "tail");
	bool out, err;

	memset(o, 0, sizeof(*o));
	if (http_query_bool(conn, "follow", false, &o->follow) < 0)
		return "follow";
	if (http_query_bool(conn, "timestamps", false, &o->timestamps) < 0)
		return "timestamps";
	if (http_query_bool(conn, "stdout", false, &out) < 0)
		return "stdout";
	if (http_query_bool(conn, "stderr", false, &err) < 0)
		return "stderr";
	/* Docker rejects a request for neither stream; mstat serves both. */
	o->want[FRAME_STREAM_STDOUT] = out || !err;
	o->want[FRAME_STREAM_STDERR] = err || !out;
	if (tail && tail[0] != '\0' && strcmp(tail, "all") != 0) {
		if (parse_u64_str(tail, &o->tail) < 0)
			return "tail";
		o->has_tail = true;
	}
	if (query_time(conn, "since", &o->since_ns) < 0)
		return "since";
	if (query_time(conn, "until", &o->until_ns) < 0)
		return "until";
	return NULL;
}

static enum MHD_Result logs_start(struct MHD_Connection *conn, struct logs_stream *ls)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, LOGS_BLOCK_SIZE, logs_read, ls,
						 logs_free);
	if (!resp) {
		logs_free(ls);
		return MHD_NO;
	}
	(void)MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				      FRAME_CONTENT_TYPE(ls->raw));
	ret = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ret;
}

enum MHD_Result api_logs(struct api_server *s, struct MHD_Connection *conn, const char *name)
{
	struct ctr_view *v = pub_get_view(s->pub);
	const struct ctr_view_item *item;
	struct logs_options opt;
	struct logs_stream *ls;
	const char *bad;
	int error = 0, r;

	item = ctr_view_find(v, name, &error);
	if (!item) {
		ctr_view_unref(v);
		return http_reply_lookup_error(conn, name, error);
	}
	bad = logs_parse_options(conn, &opt);
	if (bad) {
		const char *value = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, bad);

		ctr_view_unref(v);
		return http_reply_error(
		    conn, 400,
		    "invalid value '%s' for query parameter '%s': follow, "
		    "timestamps, stdout and stderr take 1, 0, true or false, tail "
		    "a number or 'all', since and until Unix seconds",
		    value ? value : "", bad);
	}

	if (opt.since_ns && opt.until_ns && opt.since_ns > opt.until_ns) {
		ctr_view_unref(v);
		return http_reply_reversed_times(conn);
	}
	ls = calloc(1, sizeof(*ls));
	if (!ls) {
		ctr_view_unref(v);
		return MHD_NO;
	}
	ls->server = s;
	ls->opt = opt;
	ls->raw = item->rec.spec.tty;
	ls->line_start[FRAME_STREAM_STDOUT] = ls->line_start[FRAME_STREAM_STDERR] = true;
	memcpy(ls->id, item->rec.spec.id, sizeof(ls->id));
	pub_get_marks(s->pub, &ls->marks);
	r = logfile_reader_open(&ls->reader, item->state_dir);
	ctr_view_unref(v);
	if (r == 0 && opt.has_tail)
		r = logfile_reader_tail(&ls->reader, opt.tail);
	if (r < 0) {
		logs_free(ls);
		return http_reply_error(conn, 500, "reading the output of %s failed: %s", name,
					strerror(-r));
	}
	return logs_start(conn, ls);
}
