/* SPDX-License-Identifier: MIT */
/*
 * Prometheus rendering of a snapshot with cAdvisor's metric names, types and
 * labels (`id` = cgroup path, `name` = container name). Reads only the
 * snapshot; never a cgroup file.
 */
#ifndef MSTAT_EXPORTERS_PROM_H
#define MSTAT_EXPORTERS_PROM_H

#include <stdbool.h>
#include <stddef.h>

#include "collectors/snapshot.h"

/* A growable output buffer used by every renderer. */
struct outbuf {
	char *data;
	size_t len, cap;
	int error; /* -ENOMEM once an append failed; later appends do nothing */
};

void outbuf_init(struct outbuf *b);
void outbuf_free(struct outbuf *b);
void outbuf_append(struct outbuf *b, const char *s, size_t len);
/* Makes room for extra more bytes plus a NUL without changing b->len;
 * returns 0 or b->error. */
int outbuf_reserve(struct outbuf *b, size_t extra);
void outbuf_printf(struct outbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The exposition formats of /metrics. */
enum prom_format {
	PROM_FORMAT_TEXT,	 /* text 0.0.4 */
	PROM_FORMAT_OPENMETRICS, /* OpenMetrics 1.0.0 text */
	PROM_FORMAT_PROTOBUF,	 /* delimited io.prometheus.client.MetricFamily */
	_PROM_FORMAT_MAX,
};

/* Agent figures rendered beside the container series (mstat_ prefix). */
struct prom_agent_info {
	const char *version;
	unsigned long long scrapes; /* all formats; used when scrapes_by_format is all 0 */
	unsigned collector_errors;
	unsigned long long scrapes_by_format[_PROM_FORMAT_MAX];
	/* Container label keys exported as container_label_KEY on every series
	 * of a container that has them. Other keys are left out to keep the
	 * number of series bounded. */
	char *const *label_allow;
	size_t n_label_allow;
};

/* Renders snap (may be NULL) and the agent figures (agent may be NULL) in
 * format into b (appends). Returns 0 or -ENOMEM. */
int prom_render(const struct snapshot *snap, const struct prom_agent_info *agent,
		enum prom_format format, struct outbuf *b);

/* Renders the Prometheus text format 0.0.4 into b (appends). */
int prom_render_text(const struct snapshot *snap, const struct prom_agent_info *agent,
		     struct outbuf *b);

/* Picks the format for an HTTP Accept header the way Prometheus and
 * client_golang negotiate: the acceptable media type with the highest q
 * value, ties going to the earlier one. A missing, malformed or unknown
 * header gets the text format. */
enum prom_format prom_negotiate(const char *accept);

/* Tells whether an Accept-Encoding header accepts gzip (q above 0). */
bool prom_accepts_gzip(const char *accept_encoding);

/* Compresses in[0..len) into out (appends) as a gzip member. Returns 0,
 * -ENOMEM, or -EIO when zlib fails. */
int prom_gzip(const char *in, size_t len, struct outbuf *out);

const char *prom_content_type(enum prom_format format);
const char *prom_format_name(enum prom_format format); /* "text", "openmetrics", "protobuf" */

#define PROM_TEXT_CONTENT_TYPE	      "text/plain; version=0.0.4; charset=utf-8"
#define PROM_OPENMETRICS_CONTENT_TYPE "application/openmetrics-text; version=1.0.0; charset=utf-8"
#define PROM_PROTOBUF_CONTENT_TYPE                                                                 \
	"application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; "               \
	"encoding=delimited"

#endif
