/* SPDX-License-Identifier: MIT */
/*
 * The agent's side of container events, run by the main thread: each event
 * goes to the ring of GET /v1/events and to journald. OOM kills are counted
 * here, so that every kill gives exactly one event.
 */
#ifndef MSTAT_AGENT_EVENT_EMIT_H
#define MSTAT_AGENT_EVENT_EMIT_H

#include "agent/agent.h"

/* Number of recent events kept for clients that ask for `since`. */
#define AGENT_EVENTS_KEPT 1024

/* Events waiting for journald at most; later ones are dropped (the ring
 * keeps them). At shutdown, how long the last ones may take to send. */
#define AGENT_JOURNAL_QUEUE   256
#define AGENT_JOURNAL_STOP_MS 2000

/* Creates the ring, starts the journald sender and opens /dev/kmsg; logs
 * once when /dev/kmsg cannot be read. */
int agent_events_setup(struct agent *a, struct mst_err *err);

/* Sends the queued journald entries, then frees the ring; call after the
 * HTTP threads have stopped. */
void agent_events_teardown(struct agent *a);

/* Records a lifecycle event of c. value is the exit code for EVENT_DIE, the
 * signal for EVENT_KILL and the restart count for EVENT_RESTART, and is
 * ignored otherwise. EVENT_UPDATE reports c's limits as they are now. */
void agent_event_emit(struct agent *a, struct container *c, enum event_kind kind, int value);

/* Reads c's OOM-kill counter and sends one OOM event per kill not yet
 * counted, then updates c->rec.oom_kill_count. On v1, wait_ms bounds how
 * long it retries when the counter has not moved yet, because the v1 OOM
 * notification comes before the kill; v2 never waits. */
void agent_events_check_oom(struct agent *a, struct container *c, unsigned wait_ms);

#endif
