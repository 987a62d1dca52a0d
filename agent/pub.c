/* SPDX-License-Identifier: MIT */
/*
 * Publication of snapshots and container views from the main loop to HTTP
 * threads: pointer swaps under a mutex, with a condition variable on a
 * monotonic clock for streams that wait for the next change.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "agent/pub.h"

int pub_init(struct agent_pub *p)
{
	pthread_condattr_t attr;
	int r;

	memset(p, 0, sizeof(*p));
	r = pthread_condattr_init(&attr);
	if (r)
		return -r;
	(void)pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	r = pthread_cond_init(&p->changed, &attr);
	pthread_condattr_destroy(&attr);
	if (r)
		return -r;
	pthread_mutex_init(&p->mu, NULL);
	return 0;
}

void pub_destroy(struct agent_pub *p)
{
	snapshot_unref(p->snapshot);
	ctr_view_unref(p->view);
	p->snapshot = NULL;
	p->view = NULL;
	pthread_cond_destroy(&p->changed);
	pthread_mutex_destroy(&p->mu);
}

void pub_set_snapshot(struct agent_pub *p, struct snapshot *s, unsigned collector_errors)
{
	struct snapshot *old;

	pthread_mutex_lock(&p->mu);
	old = p->snapshot;
	p->snapshot = s;
	p->collector_errors = collector_errors;
	p->marks.snapshot++;
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->mu);

	/* The last reference may be dropped here, outside the lock. */
	snapshot_unref(old);
}

void pub_set_view(struct agent_pub *p, struct ctr_view *v)
{
	struct ctr_view *old;

	pthread_mutex_lock(&p->mu);
	old = p->view;
	p->view = v;
	p->marks.view++;
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->mu);

	ctr_view_unref(old);
}

void pub_output_appended(struct agent_pub *p)
{
	pthread_mutex_lock(&p->mu);
	p->marks.output++;
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->mu);
}

void pub_close(struct agent_pub *p)
{
	pthread_mutex_lock(&p->mu);
	p->marks.closing = true;
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->mu);
}

struct snapshot *pub_get_snapshot(struct agent_pub *p, unsigned *ret_collector_errors,
				  uint64_t *ret_generation)
{
	struct snapshot *s;

	pthread_mutex_lock(&p->mu);
	s = p->snapshot ? snapshot_ref(p->snapshot) : NULL;
	if (ret_collector_errors)
		*ret_collector_errors = p->collector_errors;
	if (ret_generation)
		*ret_generation = p->marks.snapshot;
	pthread_mutex_unlock(&p->mu);
	return s;
}

struct ctr_view *pub_get_view(struct agent_pub *p)
{
	struct ctr_view *v;

	pthread_mutex_lock(&p->mu);
	v = ctr_view_ref(p->view);
	pthread_mutex_unlock(&p->mu);
	return v;
}

void pub_get_marks(struct agent_pub *p, struct pub_marks *ret)
{
	pthread_mutex_lock(&p->mu);
	*ret = p->marks;
	pthread_mutex_unlock(&p->mu);
}

static bool marks_equal(const struct pub_marks *a, const struct pub_marks *b)
{
	return a->snapshot == b->snapshot && a->view == b->view && a->output == b->output &&
	       a->closing == b->closing;
}

void pub_wait(struct agent_pub *p, const struct pub_marks *seen, unsigned timeout_ms,
	      struct pub_marks *ret)
{
	struct timespec deadline;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}

	pthread_mutex_lock(&p->mu);
	while (marks_equal(&p->marks, seen)) {
		if (pthread_cond_timedwait(&p->changed, &p->mu, &deadline) == ETIMEDOUT)
			break;
	}
	*ret = p->marks;
	pthread_mutex_unlock(&p->mu);
}
