/* SPDX-License-Identifier: MIT */
/*
 * The /metrics text cache: prom_render_text() runs once per snapshot
 * generation, under a mutex, and every scrape of that generation shares the
 * rendered buffer through a reference count.
 */
#include <errno.h>
#include <stdlib.h>

#include "agent/agent.h"
#include "agent/http.h"
#include "exporters/prom.h"

void metrics_text_unref(struct metrics_text *m)
{
	if (!m || atomic_fetch_sub(&m->refcount, 1) != 1)
		return;
	free(m->data);
	free(m);
}

static struct metrics_text *render(struct api_server *s, const struct snapshot *snap,
				   unsigned collector_errors, uint64_t generation)
{
	struct prom_agent_info info = {
		.version = MSTAT_VERSION,
		.scrapes = atomic_load(&s->scrapes),
		.collector_errors = collector_errors,
	};
	struct metrics_text *m = calloc(1, sizeof(*m));
	struct outbuf b;

	if (!m)
		return NULL;
	outbuf_init(&b);
	if (prom_render_text(snap, &info, &b) < 0 || b.error < 0) {
		outbuf_free(&b);
		free(m);
		return NULL;
	}
	m->data = b.data; /* taken over from the outbuf */
	m->len = b.len;
	m->generation = generation;
	atomic_init(&m->refcount, 1);
	return m;
}

struct metrics_text *api_metrics_get(struct api_server *s)
{
	unsigned collector_errors = 0;
	uint64_t generation = 0;
	struct snapshot *snap = pub_get_snapshot(s->pub, &collector_errors, &generation);
	struct metrics_text *m;

	if (!snap) {
		/* Before the first pass, render an empty snapshot. */
		snap = snapshot_new(0);
		if (!snap)
			return NULL;
	}

	pthread_mutex_lock(&s->metrics_mu);
	if (!s->metrics || s->metrics->generation != generation) {
		m = render(s, snap, collector_errors, generation);
		if (m) {
			metrics_text_unref(s->metrics);
			s->metrics = m;
		}
	}
	m = s->metrics;
	if (m)
		atomic_fetch_add(&m->refcount, 1);
	pthread_mutex_unlock(&s->metrics_mu);

	snapshot_unref(snap);
	return m;
}

static void release_metrics(void *cls)
{
	metrics_text_unref(cls);
}

enum MHD_Result api_metrics(struct api_server *s, struct MHD_Connection *conn)
{
	struct metrics_text *m;
	struct MHD_Response *resp;
	enum MHD_Result ret;

	atomic_fetch_add(&s->scrapes, 1);
	m = api_metrics_get(s);
	if (!m)
		return http_reply_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
					"rendering the metrics failed");

	resp = MHD_create_response_from_buffer_with_free_callback_cls(m->len, m->data,
								      release_metrics, m);
	if (!resp) {
		metrics_text_unref(m);
		return MHD_NO;
	}
	(void)MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, PROM_TEXT_CONTENT_TYPE);
	ret = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ret;
}
