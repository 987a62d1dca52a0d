/* SPDX-License-Identifier: MIT */
/*
 * A snapshot is the immutable result of one collection pass: every target's
 * newest sample, the previous one, and the figures derived from the two. The
 * main loop builds it and publishes it; readers (HTTP threads, exporters) take
 * a reference and never see it change. Exporters read snapshots, never cgroup
 * files.
 */
#ifndef MSTAT_COLLECTORS_SNAPSHOT_H
#define MSTAT_COLLECTORS_SNAPSHOT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "collectors/sample.h"

/* Rates and percentages derived from two samples of the same target. A
 * *_valid flag is false on the first sample, after a counter went backwards
 * (a reset), or when the time delta is zero. */
struct snapshot_derived {
	double cpu_percent; /* docker stats: cpu delta / host delta * ncpu * 100 */
	bool cpu_percent_valid;
	double net_rx_bytes_per_sec, net_tx_bytes_per_sec;
	double io_read_bytes_per_sec, io_write_bytes_per_sec;
	bool rates_valid;
};

/* A configured bandwidth limit on one block device; 0 = none that way. */
struct snapshot_device_limit {
	unsigned major, minor;
	uint64_t read_bps, write_bps;
};

/* Identity and configured limits of a target, filled by the agent and copied
 * into each snapshot. */
struct snapshot_meta {
	char *id;	     /* cgroup path, the `id` label */
	char *name;	     /* container name; the cgroup path for watched subtrees */
	char *container_id;  /* 64 hex digits; NULL for watched cgroups */
	char *state;	     /* "running", "exited", ...; NULL for watched cgroups */
	uint64_t created_ns; /* CLOCK_REALTIME; 0 when unknown */
	uint64_t started_ns;
	/* The limits as configured (docker HostConfig), 0 when not set. */
	uint64_t spec_memory, spec_memory_swap, spec_nano_cpus, spec_cpu_shares;
	int64_t spec_pids_limit;
	char **labels; /* NULL-terminated KEY=VALUE container labels; NULL when none */
	struct snapshot_device_limit *device_limits; /* one per device, owned */
	size_t n_device_limits;
	uint64_t restart_count; /* restarts by the container's restart policy */
};

/* Metadata shared by the pipeline and every snapshot that lists its target,
 * so that a pass copies no string. Immutable once made; freed with its last
 * reference. */
struct snapshot_meta_ref {
	atomic_uint refcount;
	struct snapshot_meta meta;
};

struct snapshot_entry {
	struct snapshot_meta meta; /* owned, or borrowed from meta_ref when it is set */
	struct sample cur;
	struct sample prev;
	bool has_prev;
	uint64_t host_cpu_ns_cur;  /* host CPU time (/proc/stat) read with cur */
	uint64_t host_cpu_ns_prev; /* ... and with prev */
	struct snapshot_derived derived;
	/* Set by the pipeline: meta is a shallow copy of meta_ref->meta, and
	 * snapshot_unref() drops the reference instead of freeing meta. NULL
	 * for entries whose meta the snapshot owns (built by hand, in tests). */
	struct snapshot_meta_ref *meta_ref;
};

/* Cost of one registered collector in a pass. */
struct snapshot_collector_stat {
	const char *name;      /* the collector's own string; lives as long as it is registered */
	uint64_t duration_ns;  /* time in its collect() calls during the pass, all targets */
	uint64_t errors_total; /* failed collect() calls since the pipeline started */
};

#define SNAPSHOT_MAX_COLLECTORS 32

struct snapshot {
	atomic_uint refcount;
	uint64_t generation; /* increases by one per published snapshot */
	uint64_t real_ns;    /* CLOCK_REALTIME at the end of the pass */
	uint64_t pass_duration_ns;
	unsigned online_cpus;
	uint64_t host_memory_bytes; /* MemTotal, the limit docker shows for unlimited */
	size_t n_entries;
	struct snapshot_entry *entries; /* sorted by meta.name */
	size_t n_collectors;		/* registered collectors, in registry order */
	struct snapshot_collector_stat collectors[SNAPSHOT_MAX_COLLECTORS];
	/* The memory of the entries' device and interface lists; owned. */
	struct sample_blkdev *blkdev_pool;
	struct sample_netif *netif_pool;
};

/* Allocates a snapshot with n zeroed entries and one reference. */
struct snapshot *snapshot_new(size_t n);

/* Allocates a snapshot as snapshot_new() does, with pools that have room for
 * n_blkdev devices and n_netif interfaces for the entries' lists. */
struct snapshot *snapshot_new_lists(size_t n, size_t n_blkdev, size_t n_netif);
struct snapshot *snapshot_ref(struct snapshot *s);
void snapshot_unref(struct snapshot *s); /* frees on the last reference; accepts NULL */

/* Finds an entry by container name, full id or unique id prefix. */
const struct snapshot_entry *snapshot_find(const struct snapshot *s, const char *name_or_id);

/* Fills e->derived from e->cur, e->prev and the host CPU times. */
void snapshot_derive(struct snapshot_entry *e, unsigned online_cpus);

int snapshot_meta_copy(const struct snapshot_meta *src, struct snapshot_meta *ret);
void snapshot_meta_free(struct snapshot_meta *m);

/* Makes a shared copy of src with one reference. Returns NULL when out of
 * memory. */
struct snapshot_meta_ref *snapshot_meta_ref_new(const struct snapshot_meta *src);
struct snapshot_meta_ref *snapshot_meta_ref_ref(struct snapshot_meta_ref *r);
void snapshot_meta_ref_unref(struct snapshot_meta_ref *r); /* accepts NULL */

#endif
