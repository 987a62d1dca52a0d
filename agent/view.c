/* SPDX-License-Identifier: MIT */
/*
 * Reference counting, sorting and lookup of published container views.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent/view.h"

struct ctr_view *ctr_view_new(size_t n)
{
	struct ctr_view *v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	v->items = calloc(n ? n : 1, sizeof(*v->items));
	if (!v->items) {
		free(v);
		return NULL;
	}
	v->n = n;
	atomic_init(&v->refcount, 1);
	return v;
}

struct ctr_view *ctr_view_ref(struct ctr_view *v)
{
	if (v)
		atomic_fetch_add(&v->refcount, 1);
	return v;
}

void ctr_view_unref(struct ctr_view *v)
{
	if (!v || atomic_fetch_sub(&v->refcount, 1) != 1)
		return;
	for (size_t i = 0; i < v->n; i++) {
		ctr_record_free(&v->items[i].rec);
		free(v->items[i].state_dir);
	}
	free(v->items);
	free(v);
}

static int compare_items(const void *a, const void *b)
{
	const struct ctr_view_item *x = a, *y = b;

	return strcmp(x->rec.spec.name, y->rec.spec.name);
}

void ctr_view_sort(struct ctr_view *v)
{
	if (v->n > 1)
		qsort(v->items, v->n, sizeof(*v->items), compare_items);
}

static const struct ctr_record *view_record_at(const void *set, size_t i)
{
	const struct ctr_view *v = set;

	return &v->items[i].rec;
}

const struct ctr_view_item *ctr_view_find(const struct ctr_view *v, const char *key, int *ret_error)
{
	size_t i;
	int r;

	if (!v) {
		*ret_error = -ENOENT;
		return NULL;
	}
	r = ctr_lookup(v, v->n, view_record_at, key, &i);
	if (r < 0) {
		*ret_error = r;
		return NULL;
	}
	return &v->items[i];
}
