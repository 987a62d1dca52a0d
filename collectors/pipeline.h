/* SPDX-License-Identifier: MIT */
/*
 * The collection pipeline: the set of targets and, per target, the state of
 * every collector that applies to it. Each pass collects every target, derives
 * rates from the previous sample, and builds a new snapshot. Owned by the
 * agent's main thread; not thread-safe.
 */
#ifndef MSTAT_COLLECTORS_PIPELINE_H
#define MSTAT_COLLECTORS_PIPELINE_H

#include <stddef.h>

#include "collectors/collector.h"
#include "collectors/snapshot.h"

struct pipeline;

struct pipeline *pipeline_new(const struct cg_layout *layout);
void pipeline_free(struct pipeline *p); /* closes every target; accepts NULL */

/* Adds a target: copies meta and paths, opens every registered collector on
 * it. Returns -EEXIST when a target with the same meta.id exists. */
int pipeline_add_target(struct pipeline *p, const struct snapshot_meta *meta,
			const struct cg_paths *cgroup, pid_t pid, struct mst_err *err);

/* Replaces the metadata of a target (a state change); -ENOENT when unknown. */
int pipeline_update_meta(struct pipeline *p, const struct snapshot_meta *meta);

/* Collects a target one last time, then closes its collectors and keeps its
 * final sample in every later snapshot, unchanged, until it is removed: an
 * exited container's counters (an OOM kill, the bytes it wrote) stay
 * visible after its cgroup is gone. -ENOENT when unknown. */
int pipeline_retire_target(struct pipeline *p, const char *id);

/* Removes a target by id; -ENOENT when unknown. */
int pipeline_remove_target(struct pipeline *p, const char *id);

/* Runs one pass and returns a new snapshot with one reference. Targets whose
 * cgroup vanished are dropped from the pipeline and listed nowhere. */
int pipeline_collect(struct pipeline *p, struct snapshot **ret);

/* Builds a new snapshot of the targets' latest samples without reading any
 * file: after a target was retired or removed, so that the change is
 * published at the cost of copying samples rather than a pass over every
 * target. The host figures, durations and errors are those of the last
 * pass. */
int pipeline_snapshot(struct pipeline *p, struct snapshot **ret);

/* Number of targets; collector errors in the last pass. */
size_t pipeline_n_targets(const struct pipeline *p);
unsigned pipeline_last_errors(const struct pipeline *p);

/* Reads the host's total CPU time in nanoseconds from <proc_root>/stat, as
 * docker's system_cpu_usage, and the number of online CPUs. */
int host_read_cpu(const char *proc_root, uint64_t *ret_ns, unsigned *ret_online);
int host_read_memtotal(const char *proc_root, uint64_t *ret_bytes);

/* The buffer host_read_cpu_fd() needs: room for every configured CPU's line. */
size_t host_stat_buffer_size(void);

/* Reads an open /proc/stat as host_read_cpu() does, into buf of cap bytes
 * (host_stat_buffer_size()), without opening or allocating anything. */
int host_read_cpu_fd(int fd, char *buf, size_t cap, uint64_t *ret_ns, unsigned *ret_online);

#endif
