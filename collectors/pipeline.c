/* SPDX-License-Identifier: MIT */
/*
 * The collection pipeline: targets, the collector states opened on each, and
 * the pass that collects every target, completes the samples, and builds a
 * snapshot. A target whose cgroup vanished is dropped without an error. Any
 * other collector failure is counted and the pass goes on. Main thread only.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collectors/cgfile.h"
#include "collectors/pipeline.h"

struct collector_slot {
	const struct collector *collector;
	size_t registry_index; /* index of stats in struct pipeline */
	void *state;
};

/* A sample the pipeline keeps, with lists sized to what it held so far. */
struct kept_sample {
	struct sample s;
	unsigned cap_blkdev, cap_netif;
};

struct pipeline_target {
	struct snapshot_meta_ref *meta; /* shared with the snapshots */
	struct cg_paths cgroup;
	pid_t pid;
	struct collector_slot *slots;
	size_t n_slots;
	struct kept_sample cur, prev;
	bool has_cur, has_prev;
	bool retired;	     /* collectors closed; cur is the final sample */
	bool limits_changed; /* the next pass reads the limit files */
	uint64_t host_cpu_ns_cur, host_cpu_ns_prev;
};

struct pipeline {
	struct cg_layout layout;
	struct pipeline_target **targets;
	size_t n_targets, cap_targets;
	uint64_t generation;
	unsigned last_errors;
	/* Host figures and duration of the last pass, for pipeline_snapshot(). */
	unsigned online_cpus;
	uint64_t host_memory_bytes, pass_duration_ns;
	struct snapshot_collector_stat stats[SNAPSHOT_MAX_COLLECTORS]; /* by registry index */
	struct sample_lists scratch; /* the lists of the sample being collected */
	int stat_fd;		     /* <proc_root>/stat, kept open; -1 until opened */
	char *stat_buf;
	size_t stat_cap;
	unsigned memtotal_age; /* passes since MemTotal was read */
};

/* Passes between two reads of MemTotal, which changes only when memory is
 * hot-plugged; /proc/meminfo costs about 5 us to generate. */
#define PIPELINE_MEMTOTAL_INTERVAL 10

static uint64_t clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static bool is_vanished(int r)
{
	return r == -ENODEV || r == -ENOENT;
}

struct pipeline *pipeline_new(const struct cg_layout *layout)
{
	struct pipeline *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->layout = *layout;
	p->stat_fd = -1;
	return p;
}

static void target_close_collectors(struct pipeline_target *t)
{
	for (size_t i = 0; i < t->n_slots; i++)
		t->slots[i].collector->close(t->slots[i].state);
	t->n_slots = 0;
}

static void target_free(struct pipeline_target *t)
{
	if (!t)
		return;
	target_close_collectors(t);
	free(t->slots);
	snapshot_meta_ref_unref(t->meta);
	cg_paths_free(&t->cgroup);
	sample_free_lists(&t->cur.s);
	sample_free_lists(&t->prev.s);
	free(t);
}

void pipeline_free(struct pipeline *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_targets; i++)
		target_free(p->targets[i]);
	free(p->targets);
	if (p->stat_fd >= 0)
		close(p->stat_fd);
	free(p->stat_buf);
	free(p);
}

static int target_collect(struct pipeline *p, struct pipeline_target *t, bool final,
			  unsigned *errors);

/* Reads the host's CPU time from the kept /proc/stat, opening it and its
 * buffer the first time and again after a failure. */
static int pipeline_read_host_cpu(struct pipeline *p, uint64_t *ret_ns, unsigned *ret_online)
{
	int r = 0;

	if (!p->stat_buf) {
		p->stat_cap = host_stat_buffer_size();
		p->stat_buf = malloc(p->stat_cap);
		if (!p->stat_buf)
			return -ENOMEM;
	}
	if (p->stat_fd < 0)
		r = cgfile_open(p->layout.proc_root, "stat", &p->stat_fd);
	if (r == 0)
		r = host_read_cpu_fd(p->stat_fd, p->stat_buf, p->stat_cap, ret_ns, ret_online);
	if (r < 0 && p->stat_fd >= 0) {
		close(p->stat_fd);
		p->stat_fd = -1;
	}
	return r;
}

static int kept_sample_set(struct kept_sample *k, const struct sample *src)
{
	return sample_copy_grow(&k->s, &k->cap_blkdev, &k->cap_netif, src);
}

static ssize_t target_index(const struct pipeline *p, const char *id)
{
	for (size_t i = 0; i < p->n_targets; i++)
		if (strcmp(p->targets[i]->meta->meta.id, id) == 0)
			return (ssize_t)i;
	return -1;
}

/* Opens one collector on t. A collector with nothing to read (-ENOENT) is
 * left out of t without an error. */
static int target_open_collector(struct pipeline *p, struct pipeline_target *t,
				 const struct collector *c, size_t registry_index,
				 struct mst_err *err)
{
	const struct target_info info = { .layout = &p->layout,
					  .cgroup = &t->cgroup,
					  .pid = t->pid };
	void *state = NULL;

	err_clear(err);
	int r = c->open(&info, &state, err);
	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		if (err && err->code)
			err_prefix(err, "collector %s", c->name);
		else
			err_set(err, -r, "collector %s: open %s", c->name, t->cgroup.path);
		return r;
	}

	t->slots[t->n_slots].collector = c;
	t->slots[t->n_slots].registry_index = registry_index;
	t->slots[t->n_slots].state = state;
	t->n_slots++;
	return 0;
}

static int target_new(struct pipeline *p, const struct snapshot_meta *meta,
		      const struct cg_paths *cgroup, pid_t pid, struct pipeline_target **ret,
		      struct mst_err *err)
{
	struct pipeline_target *t = calloc(1, sizeof(*t));
	size_t n_collectors = 0;
	int r;

	while (collector_at(n_collectors))
		n_collectors++;
	if (!t)
		return err_set(err, ENOMEM, "add target %s", meta->id);
	t->pid = pid;
	t->slots = calloc(n_collectors ? n_collectors : 1, sizeof(t->slots[0]));
	t->meta = t->slots ? snapshot_meta_ref_new(meta) : NULL;
	if (!t->slots || !t->meta || cg_paths_copy(cgroup, &t->cgroup) < 0) {
		r = err_set(err, ENOMEM, "add target %s", meta->id);
		goto fail;
	}

	for (size_t i = 0; i < n_collectors; i++) {
		r = target_open_collector(p, t, collector_at(i), i, err);
		if (r < 0)
			goto fail;
	}
	*ret = t;
	return 0;

fail:
	target_free(t);
	return r;
}

int pipeline_add_target(struct pipeline *p, const struct snapshot_meta *meta,
			const struct cg_paths *cgroup, pid_t pid, struct mst_err *err)
{
	struct pipeline_target *t = NULL;

	if (!meta->id || !meta->name)
		return err_setx(err, EINVAL, "add target: the id and name are required");
	if (target_index(p, meta->id) >= 0)
		return err_setx(err, EEXIST, "add target %s: a target with this id exists",
				meta->id);

	if (p->n_targets == p->cap_targets) {
		size_t cap = p->cap_targets ? p->cap_targets * 2 : 8;
		struct pipeline_target **v = realloc(p->targets, cap * sizeof(v[0]));

		if (!v)
			return err_set(err, ENOMEM, "add target %s", meta->id);
		p->targets = v;
		p->cap_targets = cap;
	}

	int r = target_new(p, meta, cgroup, pid, &t, err);
	if (r < 0)
		return r;
	p->targets[p->n_targets++] = t;
	return 0;
}

int pipeline_update_meta(struct pipeline *p, const struct snapshot_meta *meta)
{
	struct snapshot_meta_ref *copy;

	if (!meta->id || !meta->name)
		return -EINVAL;
	ssize_t i = target_index(p, meta->id);
	if (i < 0)
		return -ENOENT;
	copy = snapshot_meta_ref_new(meta);
	if (!copy)
		return -ENOMEM;

	/* Snapshots already published keep the old metadata. New metadata may
	 * come with new limits (mstat update), which the next pass reads. */
	snapshot_meta_ref_unref(p->targets[i]->meta);
	p->targets[i]->meta = copy;
	p->targets[i]->limits_changed = true;
	return 0;
}

static void target_remove_at(struct pipeline *p, size_t i)
{
	target_free(p->targets[i]);
	memmove(&p->targets[i], &p->targets[i + 1], (p->n_targets - i - 1) * sizeof(p->targets[0]));
	p->n_targets--;
}

int pipeline_remove_target(struct pipeline *p, const char *id)
{
	ssize_t i = target_index(p, id);

	if (i < 0)
		return -ENOENT;
	target_remove_at(p, (size_t)i);
	return 0;
}

int pipeline_retire_target(struct pipeline *p, const char *id)
{
	ssize_t i = target_index(p, id);
	unsigned errors = 0;
	uint64_t host_cpu_ns;
	unsigned online_cpus;

	if (i < 0)
		return -ENOENT;
	struct pipeline_target *t = p->targets[i];
	if (t->retired)
		return 0;

	/* A cgroup that is already gone keeps the sample of the last pass. */
	if (target_collect(p, t, true, &errors) == 0 &&
	    pipeline_read_host_cpu(p, &host_cpu_ns, &online_cpus) == 0) {
		t->host_cpu_ns_prev = t->host_cpu_ns_cur;
		t->host_cpu_ns_cur = host_cpu_ns;
	}
	target_close_collectors(t);
	if (!t->has_cur) {
		target_remove_at(p, (size_t)i);
		return 0;
	}
	/* No rates for a target that no longer runs. */
	if (kept_sample_set(&t->prev, &t->cur.s) < 0)
		t->has_prev = false;
	t->host_cpu_ns_prev = t->host_cpu_ns_cur;
	t->retired = true;
	return 0;
}

size_t pipeline_n_targets(const struct pipeline *p)
{
	return p->n_targets;
}

unsigned pipeline_last_errors(const struct pipeline *p)
{
	return p->last_errors;
}

/* Sets the working set as cAdvisor computes it: usage minus inactive file
 * (total_inactive_file on v1), floored at 0, or usage alone when inactive
 * file is absent. */
static void sample_set_working_set(struct sample *s)
{
	uint64_t usage, inactive_file;

	if (!sample_get(s, SAMPLE_MEM_USAGE, &usage))
		return;
	if (sample_get(s, SAMPLE_MEM_INACTIVE_FILE, &inactive_file))
		usage = usage > inactive_file ? usage - inactive_file : 0;
	sample_set(s, SAMPLE_MEM_WORKING_SET, usage);
}

/* Adds v to *sum, saturating at UINT64_MAX. */
static void add_saturated(uint64_t *sum, uint64_t v)
{
	if (__builtin_add_overflow(*sum, v, sum))
		*sum = UINT64_MAX;
}

/* Sets the I/O and network totals from the lists when no collector set them
 * (a plugin may fill only the lists). */
static void sample_set_totals(struct sample *s)
{
	if (!sample_has(s, SAMPLE_IO_READ_BYTES) && s->n_blkdev > 0) {
		uint64_t t[4] = { 0 };

		for (unsigned i = 0; i < s->n_blkdev; i++) {
			add_saturated(&t[0], s->blkdev[i].read_bytes);
			add_saturated(&t[1], s->blkdev[i].write_bytes);
			add_saturated(&t[2], s->blkdev[i].read_ops);
			add_saturated(&t[3], s->blkdev[i].write_ops);
		}
		sample_set(s, SAMPLE_IO_READ_BYTES, t[0]);
		sample_set(s, SAMPLE_IO_WRITE_BYTES, t[1]);
		sample_set(s, SAMPLE_IO_READ_OPS, t[2]);
		sample_set(s, SAMPLE_IO_WRITE_OPS, t[3]);
	}

	if (!sample_has(s, SAMPLE_NET_RX_BYTES) && s->n_netif > 0) {
		uint64_t t[8] = { 0 };

		for (unsigned i = 0; i < s->n_netif; i++) {
			const struct sample_netif *n = &s->netif[i];

			add_saturated(&t[0], n->rx_bytes);
			add_saturated(&t[1], n->rx_packets);
			add_saturated(&t[2], n->rx_errors);
			add_saturated(&t[3], n->rx_dropped);
			add_saturated(&t[4], n->tx_bytes);
			add_saturated(&t[5], n->tx_packets);
			add_saturated(&t[6], n->tx_errors);
			add_saturated(&t[7], n->tx_dropped);
		}
		for (int k = 0; k < 8; k++)
			sample_set(s, (enum sample_key)(SAMPLE_NET_RX_BYTES + k), t[k]);
	}
}

/* Runs every collector of t into a new sample, which becomes t->cur. Returns
 * -ENODEV or -ENOENT when the cgroup vanished, and counts other failures in
 * *errors. A final pass (the container has exited) keeps what the other
 * collectors read when one finds its files gone, since the network
 * namespace ends before the cgroup is removed. */
static int target_collect(struct pipeline *p, struct pipeline_target *t, bool final,
			  unsigned *errors)
{
	struct sample next;

	sample_init(&next, &p->scratch);
	next.mono_ns = clock_ns(CLOCK_MONOTONIC);
	next.real_ns = clock_ns(CLOCK_REALTIME);
	next.reread_limits = final || t->limits_changed;
	t->limits_changed = false;

	for (size_t i = 0; i < t->n_slots; i++) {
		size_t index = t->slots[i].registry_index;
		uint64_t begin = clock_ns(CLOCK_MONOTONIC);
		int r = t->slots[i].collector->collect(t->slots[i].state, &next);

		if (index < SNAPSHOT_MAX_COLLECTORS)
			p->stats[index].duration_ns += clock_ns(CLOCK_MONOTONIC) - begin;
		if (is_vanished(r) && !final)
			return r;
		if (r < 0 && !is_vanished(r)) {
			(*errors)++;
			if (index < SNAPSHOT_MAX_COLLECTORS)
				p->stats[index].errors_total++;
		}
	}
	sample_set_working_set(&next);
	sample_set_totals(&next);

	/* The new sample goes into the older one's place, then the two swap. */
	if (kept_sample_set(&t->prev, &next) < 0) {
		(*errors)++;
		return -ENOMEM;
	}
	struct kept_sample older = t->cur;
	t->cur = t->prev;
	t->prev = older;
	t->has_prev = t->has_cur;
	t->has_cur = true;
	return 0;
}

static int entry_compare(const void *a, const void *b)
{
	const struct snapshot_entry *x = a, *y = b;
	int c = strcmp(x->meta.name, y->meta.name);

	return c ? c : strcmp(x->meta.id, y->meta.id);
}

/* Fills e from t, placing the sample lists in the snapshot's pools. */
static void entry_fill(struct snapshot_entry *e, const struct pipeline_target *t,
		       unsigned online_cpus, struct sample_blkdev **blkdev_pool,
		       struct sample_netif **netif_pool)
{
	e->meta_ref = snapshot_meta_ref_ref(t->meta);
	e->meta = t->meta->meta;

	sample_copy_into(&e->cur, &t->cur.s, blkdev_pool, netif_pool);
	sample_copy_into(&e->prev, &t->prev.s, blkdev_pool, netif_pool);
	e->has_prev = t->has_prev;
	e->host_cpu_ns_cur = t->host_cpu_ns_cur;
	e->host_cpu_ns_prev = t->host_cpu_ns_prev;
	snapshot_derive(e, online_cpus);
}

int pipeline_collect(struct pipeline *p, struct snapshot **ret)
{
	uint64_t start = clock_ns(CLOCK_MONOTONIC);
	uint64_t host_cpu_ns = 0, host_memory = p->host_memory_bytes;
	unsigned online_cpus = 0, errors = 0;

	/* A host time of 0 marks the pass as unusable for CPU percentages. */
	if (pipeline_read_host_cpu(p, &host_cpu_ns, &online_cpus) < 0) {
		host_cpu_ns = 0;
		online_cpus = 0;
		errors++;
	}
	if (host_memory == 0 || ++p->memtotal_age >= PIPELINE_MEMTOTAL_INTERVAL) {
		p->memtotal_age = 0;
		if (host_read_memtotal(p->layout.proc_root, &host_memory) < 0) {
			host_memory = 0;
			errors++;
		}
	}
	for (size_t i = 0; i < SNAPSHOT_MAX_COLLECTORS; i++)
		p->stats[i].duration_ns = 0;

	for (size_t i = 0; i < p->n_targets;) {
		struct pipeline_target *t = p->targets[i];

		if (t->retired) {
			i++;
			continue;
		}
		if (is_vanished(target_collect(p, t, false, &errors))) {
			target_remove_at(p, i);
			continue;
		}
		t->host_cpu_ns_prev = t->host_cpu_ns_cur;
		t->host_cpu_ns_cur = host_cpu_ns;
		i++;
	}

	p->online_cpus = online_cpus;
	p->host_memory_bytes = host_memory;
	p->last_errors = errors;
	p->pass_duration_ns = clock_ns(CLOCK_MONOTONIC) - start;
	return pipeline_snapshot(p, ret);
}

int pipeline_snapshot(struct pipeline *p, struct snapshot **ret)
{
	size_t n_blkdev = 0, n_netif = 0;

	for (size_t i = 0; i < p->n_targets; i++) {
		const struct pipeline_target *t = p->targets[i];

		n_blkdev += t->cur.s.n_blkdev + t->prev.s.n_blkdev;
		n_netif += t->cur.s.n_netif + t->prev.s.n_netif;
	}
	struct snapshot *snap = snapshot_new_lists(p->n_targets, n_blkdev, n_netif);
	if (!snap)
		return -ENOMEM;
	struct sample_blkdev *blkdev_pool = snap->blkdev_pool;
	struct sample_netif *netif_pool = snap->netif_pool;
	for (size_t i = 0; i < p->n_targets; i++)
		entry_fill(&snap->entries[i], p->targets[i], p->online_cpus, &blkdev_pool,
			   &netif_pool);
	if (snap->n_entries > 1)
		qsort(snap->entries, snap->n_entries, sizeof(snap->entries[0]), entry_compare);

	snap->generation = ++p->generation;
	snap->online_cpus = p->online_cpus;
	snap->host_memory_bytes = p->host_memory_bytes;
	snap->real_ns = clock_ns(CLOCK_REALTIME);
	snap->pass_duration_ns = p->pass_duration_ns;
	for (size_t i = 0; i < SNAPSHOT_MAX_COLLECTORS && collector_at(i); i++) {
		snap->collectors[i] = p->stats[i];
		snap->collectors[i].name = collector_at(i)->name;
		snap->n_collectors = i + 1;
	}
	*ret = snap;
	return 0;
}
