/* SPDX-License-Identifier: MIT */
/*
 * Prometheus rendering of a snapshot with cAdvisor's metric names, types and
 * labels (`id` = cgroup path, `name` = container name). Reads only the
 * snapshot; never a cgroup file.
 */
#ifndef MSTAT_EXPORTERS_PROM_H
#define MSTAT_EXPORTERS_PROM_H

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
void outbuf_printf(struct outbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Agent figures rendered beside the container series (mstat_ prefix). */
struct prom_agent_info {
	const char *version;
	unsigned long long scrapes;
	unsigned collector_errors;
};

/* Renders the Prometheus text format 0.0.4 into b (appends). */
int prom_render_text(const struct snapshot *snap, const struct prom_agent_info *agent,
		     struct outbuf *b);

#define PROM_TEXT_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

#endif
