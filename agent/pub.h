/* SPDX-License-Identifier: MIT */
/*
 * Publication from the main loop to HTTP threads: the newest snapshot, the
 * container view, and a counter of appended container output. Each is
 * swapped under one mutex, and a condition variable wakes streams (stats,
 * logs follow) on every change and at shutdown.
 */
#ifndef MSTAT_AGENT_PUB_H
#define MSTAT_AGENT_PUB_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "agent/view.h"
#include "collectors/snapshot.h"

/* Generation counters of what a reader has seen, compared by pub_wait(). */
struct pub_marks {
	uint64_t snapshot;
	uint64_t view;
	uint64_t output;
	bool closing;
};

struct agent_pub {
	pthread_mutex_t mu;
	pthread_cond_t changed;
	struct snapshot *snapshot; /* NULL before the first pass */
	unsigned collector_errors; /* collector errors in the pass of snapshot */
	struct ctr_view *view;
	struct pub_marks marks;
};

int pub_init(struct agent_pub *p);
void pub_destroy(struct agent_pub *p); /* drops the published references */

/* Publish: each takes over the caller's reference. */
void pub_set_snapshot(struct agent_pub *p, struct snapshot *s, unsigned collector_errors);
void pub_set_view(struct agent_pub *p, struct ctr_view *v);
void pub_output_appended(struct agent_pub *p);

/* Marks shutdown and wakes every waiting stream. */
void pub_close(struct agent_pub *p);

/* Read: each returns a new reference (or NULL) and the current marks. */
struct snapshot *pub_get_snapshot(struct agent_pub *p, unsigned *ret_collector_errors,
				  uint64_t *ret_generation);
struct ctr_view *pub_get_view(struct agent_pub *p);
void pub_get_marks(struct agent_pub *p, struct pub_marks *ret);

/* Waits until any mark differs from seen, or timeout_ms passes, and stores
 * the current marks in ret. */
void pub_wait(struct agent_pub *p, const struct pub_marks *seen, unsigned timeout_ms,
	      struct pub_marks *ret);

#endif
