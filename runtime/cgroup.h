/* SPDX-License-Identifier: MIT */
/*
 * Cgroup backends. One interface, a v2 backend (first class) and a v1 backend
 * (memory, cpu, cpuacct, blkio, pids), for everything the runtime and the
 * agent do to a container's cgroup. Nothing here logs or touches a cgroup it
 * did not create, except reading the parent.
 */
#ifndef MSTAT_RUNTIME_CGROUP_H
#define MSTAT_RUNTIME_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/cglayout.h"
#include "common/err.h"
#include "runtime/spec.h"

struct rt_cgroup {
	const struct cg_ops *ops;
	const struct cg_layout *layout;
	struct cg_paths paths; /* the container's cgroup */
	int v2_dirfd;	       /* O_PATH|O_DIRECTORY fd for CLONE_INTO_CGROUP; -1 on v1 */
	/* Set by set_limits() when a swap limit was requested but the kernel has
	 * no swap control file (memory.memsw.* or memory.swap.max): memory is
	 * limited without swap, as docker does with a warning. */
	bool swap_limit_unsupported;
};

struct cg_ops {
	const char *name; /* "v2" or "v1" */

	/* Prepares the parent for container cgroups, creating its missing
	 * directories. On v2 it also enables the cpu, memory, io and pids
	 * controllers that each level offers, in the deepest existing level and
	 * in every level it creates. When such a level is the agent's own
	 * non-root cgroup, the agent first moves itself into the leaf "agent". */
	int (*prepare_parent)(const struct cg_layout *layout, const struct cg_paths *parent,
			      struct mst_err *err);

	/* Creates the child cgroup `name` beneath parent. */
	int (*create)(const struct cg_layout *layout, const struct cg_paths *parent,
		      const char *name, struct rt_cgroup **ret, struct mst_err *err);

	/* Writes the limits. On v1 it also installs a no-op blkio throttle rule
	 * per block device, because the kernel counts
	 * blkio.throttle.io_service_bytes for a device only once some cgroup
	 * has a throttle rule on it (checked on 6.18). */
	int (*set_limits)(struct rt_cgroup *cg, const struct rt_limits *limits,
			  struct mst_err *err);

	int (*attach)(struct rt_cgroup *cg, pid_t pid, struct mst_err *err);

	/* Sends sig to every process in the cgroup (v2 SIGKILL: cgroup.kill). */
	int (*kill_all)(struct rt_cgroup *cg, int sig, struct mst_err *err);

	/* Returns the number of processes in the cgroup (cgroup.procs lines). */
	int (*count_procs)(struct rt_cgroup *cg, unsigned *ret);

	/* Opens a descriptor that becomes readable (epoll) when an OOM event may
	 * have happened: v2 an inotify watch on memory.events, v1 an eventfd
	 * registered through cgroup.event_control for memory.oom_control. */
	int (*oom_watch_open)(struct rt_cgroup *cg, int *ret_fd, struct mst_err *err);

	/* Drains the descriptor from oom_watch_open() after it became readable. */
	void (*oom_watch_drain)(int fd);

	/* Reads the cgroup's OOM-kill counter (v2 memory.events oom_kill, v1
	 * memory.oom_control oom_kill). */
	int (*oom_kill_count)(struct rt_cgroup *cg, uint64_t *ret);

	/* Removes the cgroup directories; retries briefly while processes exit.
	 * Returns -EBUSY when processes remain. */
	int (*remove)(struct rt_cgroup *cg, struct mst_err *err);
};

extern const struct cg_ops cg_ops_v1;
extern const struct cg_ops cg_ops_v2;

/* Returns the backend for the layout's version. */
const struct cg_ops *cg_ops_for(const struct cg_layout *layout);

/* Opens the existing child cgroup `name` beneath parent, made by an earlier
 * create(), so that its processes can be killed and its directories removed.
 * Returns 0, -ENOENT when no controller has the directory, or -ENOMEM. */
int rt_cgroup_open(const struct cg_layout *layout, const struct cg_paths *parent, const char *name,
		   struct rt_cgroup **ret);

/* Frees the handle (not the cgroup); accepts NULL. */
void rt_cgroup_free(struct rt_cgroup *cg);

/* Docker's conversions, in one place: --cpus to cpu.max / cfs quota with a
 * 100 ms period, and cpu.shares (2..262144) to cpu.weight (1..10000) as runc
 * and crun do. */
#define RT_CPU_PERIOD_US 100000ULL
uint64_t rt_cpu_quota_us(uint64_t nano_cpus);
uint64_t rt_cpu_shares_to_weight(uint64_t shares);

#endif
