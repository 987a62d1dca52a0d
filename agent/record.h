/* SPDX-License-Identifier: MIT */
/*
 * A container record: the spec and the lifecycle facts that the state file
 * stores and the API shows. The main loop owns the live records; HTTP threads
 * read copies in a published view (agent/view.h). Also contains the name and id
 * lookup shared by both.
 */
#ifndef MSTAT_AGENT_RECORD_H
#define MSTAT_AGENT_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/restart.h"
#include "runtime/spec.h"

enum ctr_status {
	CTR_STATUS_CREATED,
	CTR_STATUS_RUNNING,
	CTR_STATUS_EXITED,
	CTR_STATUS_REMOVING,
	CTR_STATUS_DEAD,
	CTR_STATUS_RESTARTING, /* exited; the restart policy starts it again after a delay */
	_CTR_STATUS_MAX,
};

/* The agent's handling of a container after each run: docker's
 * HostConfig.AutoRemove and HostConfig.RestartPolicy. At most one of them is
 * set. */
struct ctr_options {
	bool auto_remove;
	struct restart_policy restart;
};

/* Bits of a run-time update (POST .../update): the settings it changes. */
enum {
	CTR_UPDATE_MEMORY = 1u << 0,
	CTR_UPDATE_MEMORY_SWAP = 1u << 1,
	CTR_UPDATE_NANO_CPUS = 1u << 2,
	CTR_UPDATE_CPU_SHARES = 1u << 3,
	CTR_UPDATE_PIDS_LIMIT = 1u << 4,
	CTR_UPDATE_DEVICE_READ_BPS = 1u << 5,
	CTR_UPDATE_DEVICE_WRITE_BPS = 1u << 6,
	CTR_UPDATE_RESTART_POLICY = 1u << 7,
};

struct ctr_record {
	struct rt_spec spec; /* owns argv, env, cwd, hostname and rootfs */
	struct ctr_options options;
	enum ctr_status status;
	uint64_t created_ns; /* CLOCK_REALTIME; 0 = never */
	uint64_t started_ns;
	uint64_t finished_ns;
	int exit_code;		 /* docker's: the code, or 128 + signal */
	uint64_t oom_kill_count; /* OOM kills in the cgroup during the last run */
	bool oom_killed;	 /* oom_kill_count > 0 when the last run ended */
	pid_t pid;		 /* host PID of the init while running, else 0 */
	char *cgroup_path;	 /* cgroup path while running; NULL otherwise */
	char *error;		 /* why the last start failed; NULL when it did not */
	uint64_t restart_count;	 /* policy restarts since the last manual start */
	bool manually_stopped;	 /* stopped or killed by a user: no policy restart */
	uint64_t state_seq;	 /* count of state writes, which orders the two state files */
};

const char *ctr_status_to_string(enum ctr_status s);
int ctr_status_from_string(const char *s, enum ctr_status *ret);

/* Frees what the spec owns and zeroes it; accepts NULL. */
void ctr_spec_free(struct rt_spec *spec);
int ctr_spec_copy(const struct rt_spec *src, struct rt_spec *ret);

void ctr_record_free(struct ctr_record *r); /* frees the members; accepts NULL */
int ctr_record_copy(const struct ctr_record *src, struct ctr_record *ret);

/* Replaces *slot with a copy of value (NULL allowed). Returns 0 or -ENOMEM. */
int ctr_set_string(char **slot, const char *value);

/* Writes 64 random lowercase hex digits and a NUL, from getrandom(2). */
int ctr_id_generate(char ret[65]);

/* Returns the i-th record of a set (a table or a view). */
typedef const struct ctr_record *(*ctr_record_at_fn)(const void *set, size_t i);

/*
 * Finds a container as docker does: an exact full id first, then an exact
 * name, then a unique id prefix. Returns 0 and the index, -ENOENT when nothing
 * matches, or -ENOTUNIQ when an id prefix matches several containers.
 */
int ctr_lookup(const void *set, size_t n, ctr_record_at_fn at, const char *key, size_t *ret_index);

#endif
