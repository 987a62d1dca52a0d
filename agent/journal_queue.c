/* SPDX-License-Identifier: MIT */
/*
 * The journald sender thread and its bounded queue: the main loop hands
 * events over without blocking, and only this thread waits on journald.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/journal.h"
#include "common/log.h"

/* Sends queued events in order until stopping is set and the queue is empty. */
static void *journal_sender(void *arg)
{
	struct journal_queue *q = arg;
	bool down = false;
	struct event e;

	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (q->count == 0 && !q->stopping)
			pthread_cond_wait(&q->changed, &q->mu);
		if (q->count == 0)
			break;
		e = q->items[q->head];
		q->head = (q->head + 1) % q->capacity;
		q->count--;
		pthread_mutex_unlock(&q->mu);

		int r = journal_send(&e);
		if (r < 0 && !down)
			log_notice("journald is not reachable (%s): container events go to GET "
				   "/v1/events and this log only, until it is",
				   strerror(-r));
		else if (r == 0 && down)
			log_notice("journald is reachable again: container events go to it");
		down = r < 0;

		pthread_mutex_lock(&q->mu);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

int journal_queue_start(struct journal_queue *q, size_t capacity)
{
	int r;

	memset(q, 0, sizeof(*q));
	q->items = calloc(capacity, sizeof(*q->items));
	if (!q->items)
		return -ENOMEM;
	q->capacity = capacity;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->changed, NULL);
	r = pthread_create(&q->thread, NULL, journal_sender, q);
	if (r != 0) {
		pthread_cond_destroy(&q->changed);
		pthread_mutex_destroy(&q->mu);
		free(q->items);
		q->items = NULL;
		return -r;
	}
	q->started = true;
	return 0;
}

bool journal_queue_push(struct journal_queue *q, const struct event *e)
{
	bool queued = false;
	uint64_t dropped = 0;

	pthread_mutex_lock(&q->mu);
	if (q->count < q->capacity) {
		q->items[(q->head + q->count) % q->capacity] = *e;
		q->count++;
		queued = true;
		/* Report the drops once there is room again, so that a stuck
		 * journald gives one line per recovery, not one per event. */
		dropped = q->dropped;
		q->dropped = 0;
		pthread_cond_broadcast(&q->changed);
	} else {
		q->dropped++;
	}
	pthread_mutex_unlock(&q->mu);

	if (dropped > 0)
		log_warning("%llu container event(s) were not sent to journald because it did not "
			    "read them in time; GET /v1/events has them",
			    (unsigned long long)dropped);
	return queued;
}

void journal_queue_stop(struct journal_queue *q, unsigned timeout_ms)
{
	struct timespec deadline;
	int r;

	if (!q->started)
		return;
	pthread_mutex_lock(&q->mu);
	q->stopping = true;
	pthread_cond_broadcast(&q->changed);
	pthread_mutex_unlock(&q->mu);

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	r = pthread_timedjoin_np(q->thread, NULL, &deadline);
	if (r != 0) {
		pthread_mutex_lock(&q->mu);
		size_t left = q->count;
		pthread_mutex_unlock(&q->mu);
		log_warning("journald did not take the last %zu container event(s) within %u ms; "
			    "exiting without them",
			    left + 1, timeout_ms);
		return;
	}
	if (q->dropped > 0)
		log_warning("%llu container event(s) were not sent to journald because it did not "
			    "read them in time; GET /v1/events had them",
			    (unsigned long long)q->dropped);
	pthread_cond_destroy(&q->changed);
	pthread_mutex_destroy(&q->mu);
	free(q->items);
	q->items = NULL;
	q->started = false;
}
