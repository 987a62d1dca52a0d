/* SPDX-License-Identifier: MIT */
/*
 * Docker Engine API stats objects built from a snapshot entry, and the
 * `docker stats` arithmetic and number formats shared with the command line.
 */
#ifndef MSTAT_EXPORTERS_STATS_JSON_H
#define MSTAT_EXPORTERS_STATS_JSON_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "collectors/snapshot.h"
#include "exporters/prom.h"

/* Builds Docker's stats object for one entry (read, preread, cpu_stats,
 * precpu_stats, memory_stats, blkio_stats, networks, pids_stats, name, id).
 * Returns a new reference or NULL on allocation failure. */
json_t *stats_json_entry(const struct snapshot *snap, const struct snapshot_entry *e);

/* The figures of one `docker stats` row, computed from a stats object the way
 * the docker CLI computes them. */
struct dstats_row {
	char name[160]; /* as docker shows it: no leading '/', "--" when empty */
	char id[65];	/* full; the row format cuts it to 12 characters */
	double cpu_percent;
	double mem_usage; /* usage minus inactive file, bytes */
	double mem_limit;
	double mem_percent;
	double net_rx, net_tx;	    /* bytes */
	double blk_read, blk_write; /* bytes */
	uint64_t pids;
	int valid_cpu; /* 0 on the first sample */
	/* dstats_row_from_json() sets 0. The caller sets 1 when the stream failed
	 * or stalled, and the row then shows "--" where docker's does. */
	int invalid;
};

/* Parses a stats object (as received from the API) into a row. A missing
 * field counts as 0, as Go decodes it. Returns 0, or -EINVAL when stats is
 * not an object. */
int dstats_row_from_json(json_t *stats, struct dstats_row *ret);

/* docker's go-units formats: binary "1.5MiB" (BytesSize) and decimal "1.5MB"
 * (HumanSize), four significant digits. */
void dstats_format_binary(double bytes, char *buf, size_t size);
void dstats_format_decimal(double bytes, char *buf, size_t size);

/* Formats "A / B" with go-units' HumanSizeWithPrecision(x, 3), as docker's
 * NET I/O and BLOCK I/O cells print it (three digits, not HumanSize's four). */
void dstats_format_io_pair(double a, double b, char *buf, size_t size);

/* Formats one table row with docker's default columns:
 * CONTAINER ID, NAME, CPU %, MEM USAGE / LIMIT, MEM %, NET I/O, BLOCK I/O, PIDS.
 * Each column but the last is padded to the larger of 10 and its cell's width
 * plus 3, which is docker's layout when this line's cells are the widest.
 * No trailing newline; the output is cut to fit size. */
void dstats_format_row(const struct dstats_row *r, int no_trunc, char *buf, size_t size);
void dstats_format_header(char *buf, size_t size);

/* Appends the header and n rows to b, each line ending in a newline, with the
 * columns aligned across all lines as docker's table output aligns them.
 * Returns 0 or b->error. */
int dstats_format_table(const struct dstats_row *rows, size_t n, int no_trunc, struct outbuf *b);

#endif
