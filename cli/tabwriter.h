/* SPDX-License-Identifier: MIT */
/*
 * Column alignment of tab-separated text, with the elastic tabstop rules of
 * Go's text/tabwriter that the docker CLI uses for its tables (minimum width
 * 10, padding 3, spaces). Cells are tab-terminated: the text after the last
 * tab of a line is not aligned, and a line without a tab ends the block of
 * lines whose columns are aligned together.
 */
#ifndef MSTAT_CLI_TABWRITER_H
#define MSTAT_CLI_TABWRITER_H

#include <stddef.h>

#include "cli/strbuf.h"

#define TABWRITER_DOCKER_MINWIDTH 10
#define TABWRITER_DOCKER_PADDING  3

/* Appends text to out with every tab replaced by the padding that aligns its
 * column. A column's width is the widest cell of the block plus padding, and
 * at least minwidth. Widths count UTF-8 code points. Returns 0 or -ENOMEM. */
int tabwriter_format(const char *text, size_t len, size_t minwidth, size_t padding,
		     struct strbuf *out);

#endif
