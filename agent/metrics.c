/* SPDX-License-Identifier: MIT */
/*
 * The /metrics endpoint: the format is negotiated from the Accept header, the
 * page is gzip-compressed when Accept-Encoding allows it, and each rendering
 * runs once per snapshot generation, format and encoding, under a mutex.
 * Every scrape of that generation shares the page through a reference count,
 * so a scrape never waits for a collection pass.
 */
#include <errno.h>
#include <stdlib.h>

#include "agent/agent.h"
#include "agent/http.h"
#include "exporters/prom.h"

_Static_assert(METRICS_N_FORMATS == _PROM_FORMAT_MAX, "one cache slot per format");

void metrics_text_unref(struct metrics_text *m)
{
	if (!m || atomic_fetch_sub(&m->refcount, 1) != 1)
		return;
	free(m->data);
	free(m);
}

void api_metrics_free(struct api_server *s)
{
	for (int f = 0; f < METRICS_N_FORMATS; f++) {
		for (int e = 0; e < METRICS_N_ENCODINGS; e++) {
			metrics_text_unref(s->metrics[f][e]);
			s->metrics[f][e] = NULL;
		}
	}
}

/* Renders snap in format, compressed when gzip is set. NOTE: the scrape
 * counters in the page are those at rendering time, so they lag by up to one
 * collection interval. */
static struct metrics_text *render(struct api_server *s, const struct snapshot *snap,
				   unsigned collector_errors, uint64_t generation,
				   enum prom_format format, bool gzip)
{
	struct prom_agent_info info = {
		.version = MSTAT_VERSION,
		.scrapes = atomic_load(&s->scrapes),
		.collector_errors = collector_errors,
	};
	struct metrics_text *m = calloc(1, sizeof(*m));
	struct outbuf page, packed;
	struct outbuf *out = &page;

	if (!m)
		return NULL;
	for (int i = 0; i < METRICS_N_FORMATS; i++)
		info.scrapes_by_format[i] = atomic_load(&s->scrapes_by_format[i]);
	if (s->config) {
		info.label_allow = s->config->label_allow;
		info.n_label_allow = s->config->n_label_allow;
	}

	outbuf_init(&page);
	outbuf_init(&packed);
	int r = prom_render(snap, &info, format, &page);
	if (r == 0 && gzip) {
		r = prom_gzip(page.data ? page.data : "", page.len, &packed);
		out = &packed;
	}
	if (r < 0 || out->error < 0 || !out->data) {
		outbuf_free(&page);
		outbuf_free(&packed);
		free(m);
		return NULL;
	}
	m->data = out->data; /* taken over from the outbuf */
	m->len = out->len;
	m->generation = generation;
	atomic_init(&m->refcount, 1);
	if (out == &packed)
		outbuf_free(&page);
	return m;
}

/* Releases the cached pages of older generations in every format, so that
 * only the formats scraped since the last pass keep a page (each about 190
 * bytes per series). Called with metrics_mu held. */
static void drop_stale_pages(struct api_server *s, uint64_t generation)
{
	for (int f = 0; f < METRICS_N_FORMATS; f++) {
		for (int e = 0; e < METRICS_N_ENCODINGS; e++) {
			struct metrics_text **slot = &s->metrics[f][e];

			if (*slot && (*slot)->generation != generation) {
				metrics_text_unref(*slot);
				*slot = NULL;
			}
		}
	}
}

struct metrics_text *api_metrics_get_format(struct api_server *s, int format, bool gzip)
{
	unsigned collector_errors = 0;
	uint64_t generation = 0;
	struct snapshot *snap = pub_get_snapshot(s->pub, &collector_errors, &generation);
	struct metrics_text *m, **slot;

	if (format < 0 || format >= METRICS_N_FORMATS)
		format = PROM_FORMAT_TEXT;
	slot = &s->metrics[format][gzip ? 1 : 0];
	if (!snap) {
		/* Before the first pass, render an empty snapshot. */
		snap = snapshot_new(0);
		if (!snap)
			return NULL;
	}

	pthread_mutex_lock(&s->metrics_mu);
	if (!*slot || (*slot)->generation != generation) {
		drop_stale_pages(s, generation);
		m = render(s, snap, collector_errors, generation, (enum prom_format)format, gzip);
		if (m) {
			metrics_text_unref(*slot);
			*slot = m;
		}
	}
	m = *slot;
	if (m)
		atomic_fetch_add(&m->refcount, 1);
	pthread_mutex_unlock(&s->metrics_mu);

	snapshot_unref(snap);
	return m;
}

struct metrics_text *api_metrics_get(struct api_server *s)
{
	return api_metrics_get_format(s, PROM_FORMAT_TEXT, false);
}

static void release_metrics(void *cls)
{
	metrics_text_unref(cls);
}

enum MHD_Result api_metrics(struct api_server *s, struct MHD_Connection *conn)
{
	const char *accept =
	    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
	const char *accept_encoding =
	    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING);
	enum prom_format format = prom_negotiate(accept);
	bool gzip = prom_accepts_gzip(accept_encoding);
	struct metrics_text *m;
	struct MHD_Response *resp;
	enum MHD_Result ret;

	atomic_fetch_add(&s->scrapes, 1);
	atomic_fetch_add(&s->scrapes_by_format[format], 1);
	m = api_metrics_get_format(s, format, gzip);
	if (!m)
		return http_reply_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
					"rendering the metrics failed");

	resp = MHD_create_response_from_buffer_with_free_callback_cls(m->len, m->data,
								      release_metrics, m);
	if (!resp) {
		metrics_text_unref(m);
		return MHD_NO;
	}
	(void)MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				      prom_content_type(format));
	(void)MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, "Accept, Accept-Encoding");
	if (gzip)
		(void)MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	ret = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ret;
}
