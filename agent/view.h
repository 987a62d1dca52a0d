/* SPDX-License-Identifier: MIT */
/*
 * The published container list: an immutable, reference-counted copy of the
 * container table that the main loop publishes after every change, so that
 * HTTP threads serve list, inspect and logs requests without touching the
 * table.
 */
#ifndef MSTAT_AGENT_VIEW_H
#define MSTAT_AGENT_VIEW_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "agent/record.h"

struct ctr_view_item {
	struct ctr_record rec;
	char *state_dir;  /* <state-dir>/containers/<id> */
	bool output_open; /* a pipe of the last run has not reached end of file */
};

struct ctr_view {
	atomic_uint refcount;
	size_t n;
	struct ctr_view_item *items; /* sorted by name */
};

/* Allocates a view with room for n zeroed items and one reference. */
struct ctr_view *ctr_view_new(size_t n);
struct ctr_view *ctr_view_ref(struct ctr_view *v);
void ctr_view_unref(struct ctr_view *v); /* frees on the last reference; accepts NULL */

/* Sorts the items by name, for stable listings. */
void ctr_view_sort(struct ctr_view *v);

/* ctr_lookup() over a view: returns the item or NULL, and the lookup error
 * (-ENOENT, -ENOTUNIQ) in *ret_error when not found. */
const struct ctr_view_item *ctr_view_find(const struct ctr_view *v, const char *key,
					  int *ret_error);

#endif
