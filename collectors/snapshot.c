/* SPDX-License-Identifier: MIT */
/*
 * Snapshots: immutable results of a collection pass, shared between the main
 * thread and readers by an atomic reference count, and the rates derived from
 * two samples. A counter that went backwards is a reset: the pass gets no rate
 * rather than a huge one.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/snapshot.h"

struct snapshot *snapshot_new_lists(size_t n, size_t n_blkdev, size_t n_netif)
{
	struct snapshot *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->entries = n > 0 ? calloc(n, sizeof(s->entries[0])) : NULL;
	s->blkdev_pool = n_blkdev > 0 ? calloc(n_blkdev, sizeof(s->blkdev_pool[0])) : NULL;
	s->netif_pool = n_netif > 0 ? calloc(n_netif, sizeof(s->netif_pool[0])) : NULL;
	if ((n > 0 && !s->entries) || (n_blkdev > 0 && !s->blkdev_pool) ||
	    (n_netif > 0 && !s->netif_pool)) {
		free(s->entries);
		free(s->blkdev_pool);
		free(s->netif_pool);
		free(s);
		return NULL;
	}
	s->n_entries = n;
	atomic_init(&s->refcount, 1);
	return s;
}

struct snapshot *snapshot_new(size_t n)
{
	return snapshot_new_lists(n, 0, 0);
}

struct snapshot *snapshot_ref(struct snapshot *s)
{
	if (s)
		atomic_fetch_add_explicit(&s->refcount, 1, memory_order_relaxed);
	return s;
}

void snapshot_unref(struct snapshot *s)
{
	if (!s)
		return;
	/* acq_rel: the thread that frees must see every write made before the
	 * other threads dropped their references. */
	if (atomic_fetch_sub_explicit(&s->refcount, 1, memory_order_acq_rel) != 1)
		return;

	for (size_t i = 0; i < s->n_entries; i++) {
		if (s->entries[i].meta_ref)
			snapshot_meta_ref_unref(s->entries[i].meta_ref);
		else
			snapshot_meta_free(&s->entries[i].meta);
	}
	free(s->entries);
	free(s->blkdev_pool);
	free(s->netif_pool);
	free(s);
}

static bool str_eq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

const struct snapshot_entry *snapshot_find(const struct snapshot *s, const char *name_or_id)
{
	const struct snapshot_entry *match = NULL;

	if (!s || !name_or_id || !name_or_id[0])
		return NULL;

	for (size_t i = 0; i < s->n_entries; i++)
		if (str_eq(s->entries[i].meta.container_id, name_or_id))
			return &s->entries[i];
	for (size_t i = 0; i < s->n_entries; i++)
		if (str_eq(s->entries[i].meta.name, name_or_id))
			return &s->entries[i];

	/* A prefix of a container id matches only when it is unique. */
	size_t len = strlen(name_or_id);
	for (size_t i = 0; i < s->n_entries; i++) {
		const char *id = s->entries[i].meta.container_id;

		if (!id || strncmp(id, name_or_id, len) != 0)
			continue;
		if (match)
			return NULL;
		match = &s->entries[i];
	}
	return match;
}

/* Sets *ret_delta to cur - prev of key. Returns false when the key is absent
 * from either sample or went backwards (a reset). */
static bool counter_delta(const struct sample *cur, const struct sample *prev, enum sample_key key,
			  uint64_t *ret_delta)
{
	uint64_t c, p;

	if (!sample_get(cur, key, &c) || !sample_get(prev, key, &p) || c < p)
		return false;
	*ret_delta = c - p;
	return true;
}

static void derive_cpu(struct snapshot_entry *e, unsigned online_cpus)
{
	uint64_t cpu_delta;

	if (!counter_delta(&e->cur, &e->prev, SAMPLE_CPU_USAGE_NS, &cpu_delta))
		return;
	/* A host time of 0 means /proc/stat could not be read in that pass. */
	if (e->host_cpu_ns_prev == 0 || e->host_cpu_ns_cur <= e->host_cpu_ns_prev)
		return;
	if (online_cpus == 0)
		return;

	double host_delta = (double)(e->host_cpu_ns_cur - e->host_cpu_ns_prev);
	e->derived.cpu_percent = (double)cpu_delta / host_delta * online_cpus * 100.0;
	e->derived.cpu_percent_valid = true;
}

/* Computes the rate of key per second into *ret. A counter absent from both
 * samples gives 0. Returns false when only one sample has it or it went
 * backwards. */
static bool counter_rate(const struct sample *cur, const struct sample *prev, enum sample_key key,
			 double seconds, double *ret)
{
	uint64_t delta;

	if (!sample_has(cur, key) && !sample_has(prev, key)) {
		*ret = 0;
		return true;
	}
	if (!counter_delta(cur, prev, key, &delta))
		return false;
	*ret = (double)delta / seconds;
	return true;
}

static void derive_rates(struct snapshot_entry *e)
{
	struct snapshot_derived *d = &e->derived;

	if (e->cur.mono_ns <= e->prev.mono_ns)
		return;

	double seconds = (double)(e->cur.mono_ns - e->prev.mono_ns) / 1e9;
	bool ok =
	    counter_rate(&e->cur, &e->prev, SAMPLE_NET_RX_BYTES, seconds, &d->net_rx_bytes_per_sec);
	ok = counter_rate(&e->cur, &e->prev, SAMPLE_NET_TX_BYTES, seconds,
			  &d->net_tx_bytes_per_sec) &&
	     ok;
	ok = counter_rate(&e->cur, &e->prev, SAMPLE_IO_READ_BYTES, seconds,
			  &d->io_read_bytes_per_sec) &&
	     ok;
	ok = counter_rate(&e->cur, &e->prev, SAMPLE_IO_WRITE_BYTES, seconds,
			  &d->io_write_bytes_per_sec) &&
	     ok;
	if (!ok) {
		d->net_rx_bytes_per_sec = d->net_tx_bytes_per_sec = 0;
		d->io_read_bytes_per_sec = d->io_write_bytes_per_sec = 0;
		return;
	}
	d->rates_valid = true;
}

void snapshot_derive(struct snapshot_entry *e, unsigned online_cpus)
{
	memset(&e->derived, 0, sizeof(e->derived));
	if (!e->has_prev)
		return;
	derive_cpu(e, online_cpus);
	derive_rates(e);
}

static int dup_or_null(const char *src, char **ret)
{
	if (!src) {
		*ret = NULL;
		return 0;
	}
	*ret = strdup(src);
	return *ret ? 0 : -ENOMEM;
}

static void labels_free(char **labels)
{
	for (size_t i = 0; labels && labels[i]; i++)
		free(labels[i]);
	free(labels);
}

static int labels_copy(char *const *src, char ***ret)
{
	size_t n = 0;

	*ret = NULL;
	if (!src)
		return 0;
	while (src[n])
		n++;
	char **labels = calloc(n + 1, sizeof(*labels));
	if (!labels)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		labels[i] = strdup(src[i]);
		if (!labels[i]) {
			labels_free(labels);
			return -ENOMEM;
		}
	}
	*ret = labels;
	return 0;
}

int snapshot_meta_copy(const struct snapshot_meta *src, struct snapshot_meta *ret)
{
	struct snapshot_meta m = *src;

	m.id = m.name = m.container_id = m.state = NULL;
	m.labels = NULL;
	m.device_limits = NULL;
	if (dup_or_null(src->id, &m.id) < 0 || dup_or_null(src->name, &m.name) < 0 ||
	    dup_or_null(src->container_id, &m.container_id) < 0 ||
	    dup_or_null(src->state, &m.state) < 0 || labels_copy(src->labels, &m.labels) < 0)
		goto fail;
	if (src->n_device_limits > 0) {
		m.device_limits = calloc(src->n_device_limits, sizeof(*m.device_limits));
		if (!m.device_limits)
			goto fail;
		memcpy(m.device_limits, src->device_limits,
		       src->n_device_limits * sizeof(*m.device_limits));
	}
	*ret = m;
	return 0;

fail:
	snapshot_meta_free(&m);
	return -ENOMEM;
}

struct snapshot_meta_ref *snapshot_meta_ref_new(const struct snapshot_meta *src)
{
	struct snapshot_meta_ref *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	if (snapshot_meta_copy(src, &r->meta) < 0) {
		free(r);
		return NULL;
	}
	atomic_init(&r->refcount, 1);
	return r;
}

struct snapshot_meta_ref *snapshot_meta_ref_ref(struct snapshot_meta_ref *r)
{
	if (r)
		atomic_fetch_add_explicit(&r->refcount, 1, memory_order_relaxed);
	return r;
}

void snapshot_meta_ref_unref(struct snapshot_meta_ref *r)
{
	if (!r || atomic_fetch_sub_explicit(&r->refcount, 1, memory_order_acq_rel) != 1)
		return;
	snapshot_meta_free(&r->meta);
	free(r);
}

void snapshot_meta_free(struct snapshot_meta *m)
{
	if (!m)
		return;
	free(m->id);
	free(m->name);
	free(m->container_id);
	free(m->state);
	labels_free(m->labels);
	free(m->device_limits);
	m->id = m->name = m->container_id = m->state = NULL;
	m->labels = NULL;
	m->device_limits = NULL;
	m->n_device_limits = 0;
}
