/* SPDX-License-Identifier: MIT */
/*
 * The `mstat stats` table and --format output. The default table is
 * exporters' dstats_format_table(); a --format string is a template over
 * docker's placeholders (.Container .Name .ID .CPUPerc .MemUsage .MemPerc
 * .NetIO .BlockIO .PIDs). A "table" prefix adds a header row and aligns the
 * tab-separated cells as docker's tabwriter does. Without the prefix, each
 * row is printed exactly as the template renders it.
 */
#ifndef MSTAT_CLI_STATS_VIEW_H
#define MSTAT_CLI_STATS_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "cli/strbuf.h"
#include "common/err.h"
#include "exporters/stats_json.h"

struct tpl;

struct stats_view {
	struct tpl *tpl; /* NULL for the default table */
	bool table;	 /* header row and aligned columns */
	bool no_trunc;
};

/* One displayed container. */
struct stats_entry {
	char container[160]; /* .Container: the name or ID as the user gave it */
	struct dstats_row row;
};

/* Prepares the view for a --format value; NULL, "" and "table" select the
 * default table. As docker does, the literal two-character sequences \t and
 * \n in format become a tab and a newline. Fails with -EINVAL when the
 * template is invalid or reads an unknown placeholder. */
int stats_view_init(struct stats_view *v, const char *format, bool no_trunc, struct mst_err *err);
void stats_view_free(struct stats_view *v);

/* Appends the output for n entries to out. */
int stats_view_render(const struct stats_view *v, const struct stats_entry *entries, size_t n,
		      struct strbuf *out, struct mst_err *err);

#endif
