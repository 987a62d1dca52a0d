/* SPDX-License-Identifier: MIT */
/*
 * Container events (create, start, die, oom, ...): the event record, a
 * bounded ring that keeps recent events for late readers, the docker-events
 * JSON line of an event, and the filters of GET /v1/events. Nothing here
 * logs, sends to journald or touches the container table.
 */
#ifndef MSTAT_AGENT_EVENTS_H
#define MSTAT_AGENT_EVENTS_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "runtime/spec.h"

/* Event kinds. The action names (event_kind_to_string) are docker's, so
 * scripts written for `docker events` read them: an exit is "die", a removal
 * "destroy" and a change of limits "update". */
enum event_kind {
	EVENT_CREATE,
	EVENT_START,
	EVENT_DIE,
	EVENT_OOM,
	EVENT_RESTART,
	EVENT_STOP,
	EVENT_KILL,
	EVENT_DESTROY,
	EVENT_UPDATE,
	_EVENT_KIND_MAX,
};

/* Bits of struct event_oom's `present`: which values the agent could read. */
enum {
	EVENT_OOM_HAS_MEMORY = 1u << 0, /* memory_max, memory_usage, swap_max */
	EVENT_OOM_HAS_PEAK = 1u << 1,	/* memory_peak */
	EVENT_OOM_HAS_STAT = 1u << 2,	/* anon, file, shmem */
	EVENT_OOM_HAS_VICTIM = 1u << 3, /* victim_pid and victim_comm, from /dev/kmsg */
};

/* The kernel's TASK_COMM_LEN is 16; the rest leaves room for a future kernel. */
#define EVENT_COMM_MAX	 64
#define EVENT_CGROUP_MAX 512

/* Facts of one OOM kill. Byte values are MST_UNLIMITED when there is no
 * limit. Usage and memory.stat are read when the agent learns of the kill,
 * a few milliseconds after it. They may show the memory left after the
 * victim's pages were freed. The peak is the high-water mark of the run. */
struct event_oom {
	unsigned present;
	uint64_t kill_count; /* OOM kills in the container's cgroup this run */
	uint64_t memory_max, memory_usage, memory_peak, swap_max;
	uint64_t anon, file, shmem;
	pid_t victim_pid;
	char victim_comm[EVENT_COMM_MAX];
};

/* The limits and restart policy of a container after a run-time update.
 * Values are MST_UNLIMITED when there is no limit; cpu_shares 0 is the
 * default weight. */
struct event_update {
	uint64_t memory_max, swap_max, nano_cpus, cpu_shares, pids_max;
	char restart_policy[32]; /* the --restart form, such as "on-failure:3" */
};

struct event {
	uint64_t seq;	  /* assigned by event_ring_push(), from 1 */
	uint64_t time_ns; /* CLOCK_REALTIME */
	enum event_kind kind;
	char id[65];
	char name[RT_NAME_MAX];
	char cgroup_path[EVENT_CGROUP_MAX]; /* "" when the container has no cgroup */
	int exit_code;			    /* die: docker's code (128 + signal when killed) */
	int signal;		    /* kill: the signal sent; die: the one that killed it, or 0 */
	struct event_oom oom;	    /* oom only */
	uint64_t restart_count;	    /* restart: the policy restarts since the last manual start */
	struct event_update update; /* update only */
};

const char *event_kind_to_string(enum event_kind kind);

/* Accepts docker's action names and mstat's own words for them (exit,
 * remove, limit-change). Returns 0 or -EINVAL. */
int event_kind_from_string(const char *s, enum event_kind *ret);

/* Returns the docker-events object of e (status, id, Type, Action, Actor with
 * string attributes, scope, time, timeNano), or NULL when out of memory. */
json_t *event_to_json(const struct event *e);

/* Bounded ring of recent events, shared by the main thread (the only
 * writer) and the HTTP threads that stream events. */
struct event_ring {
	pthread_mutex_t mu;
	pthread_cond_t changed;
	struct event *items;
	size_t capacity;
	uint64_t next_seq; /* seq of the next push; events with seq >= next_seq - capacity remain */
	bool closed;
};

int event_ring_init(struct event_ring *r, size_t capacity);
void event_ring_destroy(struct event_ring *r);

/* Copies e into the ring, overwriting the oldest event when full, and wakes
 * the readers. Returns the seq it assigned. */
uint64_t event_ring_push(struct event_ring *r, const struct event *e);

/* Copies up to max events with seq >= *cursor into ret, oldest first, and
 * moves *cursor past them. Events already overwritten are skipped, and their
 * number is added to *ret_lost when it is not NULL. Returns the count. */
size_t event_ring_read(struct event_ring *r, uint64_t *cursor, struct event *ret, size_t max,
		       uint64_t *ret_lost);

/* Returns the seq the next push will get: a cursor for "new events only". */
uint64_t event_ring_tail(struct event_ring *r);

/* Waits until an event with seq >= cursor exists, the ring is closed, or
 * timeout_ms passes. Returns true when the ring is closed. */
bool event_ring_wait(struct event_ring *r, uint64_t cursor, unsigned timeout_ms);

/* Wakes every waiting reader for good (shutdown). */
void event_ring_close(struct event_ring *r);

#define EVENT_FILTER_MAX 16

/* Filters of an events request, as docker combines them: values of one key
 * match when any matches, and every key given must match. */
struct event_filter {
	char containers[EVENT_FILTER_MAX][RT_NAME_MAX]; /* name, full id or id prefix */
	size_t n_containers;
	unsigned kinds;		     /* bit per enum event_kind; 0 = any */
	uint64_t since_ns, until_ns; /* 0 = not set */
};

/* Adds one "KEY=VALUE" filter (container=NAME, event=KIND, type=container).
 * Returns 0, -EINVAL for an unknown key or kind, or -E2BIG when too many. */
int event_filter_add(struct event_filter *f, const char *spec);

bool event_filter_match(const struct event_filter *f, const struct event *e);

/* Parses a time of the events API: Unix seconds with an optional fraction
 * ("1700000000.5"). Returns 0 or -EINVAL/-ERANGE. */
int event_parse_time(const char *s, uint64_t *ret_ns);

#endif
