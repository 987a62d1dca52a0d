/* SPDX-License-Identifier: MIT */
/*
 * File helpers shared by the cgroup v1 and v2 backends: reading and writing
 * one control file, listing, signalling and counting the processes of a
 * cgroup, and removing its directory. Private to runtime/.
 */
#ifndef MSTAT_RUNTIME_CGROUP_FILE_H
#define MSTAT_RUNTIME_CGROUP_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/err.h"
#include "runtime/spec.h"

/* Writes value to dir/file in one write(); the message names the value and the
 * file. */
int cg_file_write(const char *dir, const char *file, const char *value, struct mst_err *err);

/* Reads dir/file into buf (NUL-terminated, at most size - 1 bytes) and stores
 * the length in ret_len. */
int cg_file_read(const char *dir, const char *file, char *buf, size_t size, size_t *ret_len);

bool cg_file_exists(const char *dir, const char *file);

/* Reads one key of a flat keyed file ("key value" lines). Returns -ENODATA when
 * the key is missing. */
int cg_file_read_key(const char *dir, const char *file, const char *key, uint64_t *ret);

/* Reads the PIDs listed in dir/cgroup.procs into a new array. */
int cg_procs_read(const char *dir, pid_t **ret_pids, size_t *ret_n);

/* Sends sig to every process listed in dir/cgroup.procs. With SIGKILL it reads
 * the list again until it is empty, for up to about one second, so that
 * processes forked meanwhile are killed too. */
int cg_procs_kill(const char *dir, int sig, struct mst_err *err);

int cg_procs_count(const char *dir, unsigned *ret);

/* Removes the cgroup directory dir, retrying for about one second while
 * processes exit. A directory that is already gone counts as removed. Returns
 * -EBUSY when processes remain. */
int cg_dir_remove(const char *dir, struct mst_err *err);

/* Docker's memory and swap limits, resolved into the values to write. */
struct cg_memory_plan {
	uint64_t memory; /* bytes; 0 = leave the limit as it is */
	bool set_swap;	 /* false: leave the swap limit as it is */
	bool swap_unlimited;
	uint64_t memory_and_swap; /* bytes of memory plus swap, when limited */
};

/* Applies docker's rules: memory_swap 0 with memory set means memory + swap =
 * 2 x memory, -1 means unlimited swap, a positive value is memory + swap.
 * Returns -EINVAL for a swap limit without memory limit or below it. */
int cg_memory_plan_from_limits(const struct rt_limits *limits, struct cg_memory_plan *ret,
			       struct mst_err *err);

#endif
