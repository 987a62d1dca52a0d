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

/* Builds Docker's stats object for one entry (read, preread, cpu_stats,
 * precpu_stats, memory_stats, blkio_stats, networks, pids_stats, name, id).
 * Returns a new reference or NULL on allocation failure. */
json_t *stats_json_entry(const struct snapshot *snap, const struct snapshot_entry *e);

/* The figures of one `docker stats` row, computed from a stats object the way
 * the docker CLI computes them. */
struct dstats_row {
	char name[160];
	char id[65];
	double cpu_percent;
	double mem_usage;      /* usage minus inactive file, bytes */
	double mem_limit;
	double mem_percent;
	double net_rx, net_tx;       /* bytes */
	double blk_read, blk_write;  /* bytes */
	uint64_t pids;
	int valid_cpu;               /* 0 on the first sample */
};

/* Parses a stats object (as received from the API) into a row. */
int dstats_row_from_json(json_t *stats, struct dstats_row *ret);

/* docker's go-units formats: binary "1.5MiB" (BytesSize) and decimal "1.5MB"
 * (HumanSize), four significant digits. */
void dstats_format_binary(double bytes, char *buf, size_t size);
void dstats_format_decimal(double bytes, char *buf, size_t size);

/* Formats one table row with docker's default columns:
 * CONTAINER ID, NAME, CPU %, MEM USAGE / LIMIT, MEM %, NET I/O, BLOCK I/O, PIDS. */
void dstats_format_row(const struct dstats_row *r, int no_trunc, char *buf, size_t size);
void dstats_format_header(char *buf, size_t size);

#endif
