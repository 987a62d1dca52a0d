/* SPDX-License-Identifier: MIT */
/*
 * The live view's table without a screen: its columns, how each cell is
 * formatted, which rows are shown in which order, and which columns fit a
 * given width. Pure functions, so that tests feed them rows directly.
 */
#ifndef MSTAT_CLI_TOP_LAYOUT_H
#define MSTAT_CLI_TOP_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/top_model.h"

enum top_column {
	TOP_COL_NAME,
	TOP_COL_STATE,
	TOP_COL_CPU,
	TOP_COL_MEM,
	TOP_COL_MEM_PERCENT,
	TOP_COL_NET,
	TOP_COL_BLOCK,
	TOP_COL_PIDS,
	/* optional columns, off by default */
	TOP_COL_CPU_QUOTA,
	TOP_COL_THROTTLED,
	TOP_COL_WORKING_SET,
	TOP_COL_SWAP,
	TOP_COL_PSI_CPU,
	TOP_COL_PSI_MEMORY,
	TOP_COL_PSI_IO,
	TOP_COL_OOM_KILLS,
	TOP_COL_RESTARTS,
	TOP_COL_UPTIME,
	TOP_COL_CGROUP,
	_TOP_COL_MAX,
};

struct top_column_info {
	const char *header;
	unsigned width;	    /* cell width in characters */
	unsigned drop_rank; /* when the screen is too narrow, higher ranks go first */
	bool left_aligned;
	bool default_on;
	char key; /* sorts by this column; 0 when none */
};

const struct top_column_info *top_column_get(enum top_column c);

/* The view settings: enabled columns, sort order and row filters. */
struct top_options {
	bool enabled[_TOP_COL_MAX];
	enum top_column sort;
	bool reverse;
	bool all;	 /* show stopped containers too */
	char filter[64]; /* case-insensitive substring of the name; "" shows all */
	int64_t now_ns;	 /* CLOCK_REALTIME for the uptime column */
	bool mark_sort;	 /* the header marks the sort column with " v" or " ^" */
};

void top_options_init(struct top_options *o);

/* The column a sort key selects; -1 when none does. */
int top_column_by_key(int key);

/* Chooses the columns that fit in width characters: the enabled ones, in
 * enum order, minus the highest drop ranks until the line fits. The name
 * column is never dropped but may be narrowed to 12 characters. Stores the
 * columns in ret_cols, the name column's width in ret_name_width, and
 * returns their number. */
size_t top_layout_columns(const struct top_options *o, unsigned width,
			  enum top_column ret_cols[_TOP_COL_MAX], unsigned *ret_name_width);

/* Formats one cell, without padding; "--" where the agent sent no value. */
void top_format_cell(const struct top_row *r, enum top_column c, const struct top_options *o,
		     char *buf, size_t size);

/* Formats a whole line: cells padded to their widths, one space apart, cut
 * to width characters. */
void top_format_line(const struct top_row *r, const enum top_column *cols, size_t n_cols,
		     unsigned name_width, const struct top_options *o, char *buf, size_t size);
void top_format_header(const enum top_column *cols, size_t n_cols, unsigned name_width,
		       const struct top_options *o, char *buf, size_t size);

/* True when the row passes the state and name filters. */
bool top_row_visible(const struct top_row *r, const struct top_options *o);

/* Fills ret (room for m->n_rows) with the visible rows in display order and
 * returns their number. Ties and rows without the value sort by name. */
size_t top_select_rows(struct top_model *m, const struct top_options *o, struct top_row **ret);

/* Bytes as docker prints them: binary ("1.5MiB") or decimal ("1.5MB"). */
void top_format_bytes(uint64_t bytes, bool binary, char *buf, size_t size);

/* "12d", "5h", "3m" or "42s": the largest whole unit of a duration. */
void top_format_age(int64_t ns, char *buf, size_t size);

/* Draws values (oldest first) as a line of eight levels scaled to their
 * maximum: Unicode block characters, or ASCII when unicode is false. */
void top_format_sparkline(const double *values, unsigned n, bool unicode, char *buf, size_t size);

#endif
