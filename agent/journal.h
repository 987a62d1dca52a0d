/* SPDX-License-Identifier: MIT */
/*
 * Container events as journald entries: one entry per event, with a fixed
 * MESSAGE_ID per kind (explained by deploy/mstat.catalog), a PRIORITY, a
 * human MESSAGE and structured fields. Nothing here logs; the caller decides
 * what to say when journald is not running.
 */
#ifndef MSTAT_AGENT_JOURNAL_H
#define MSTAT_AGENT_JOURNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent/events.h"

/* MESSAGE_IDs, generated once with `systemd-id128 new`. They are a public
 * interface (journalctl MESSAGE_ID=..., the catalog): never change one. */
#define MSTAT_MESSAGE_CREATE  "e230ca7049da42888dfca80468c9f744"
#define MSTAT_MESSAGE_START   "064f2aba6a4b4c21a5ffe40477e5cefa"
#define MSTAT_MESSAGE_DIE     "3635179dbdd54cddb17cf748ec96f9c6"
#define MSTAT_MESSAGE_OOM     "5a133430e8864b7abcacef7b52a8bde7"
#define MSTAT_MESSAGE_RESTART "3c88a7572e29401facdc0bc9614c8966"
#define MSTAT_MESSAGE_STOP    "8843d70c34f84f549a81403875b66f6c"
#define MSTAT_MESSAGE_KILL    "9582a791b64b448b84a4d07e9afd6e7c"
#define MSTAT_MESSAGE_DESTROY "1a44a2c8da63442ea1dae361244f7f9d"
#define MSTAT_MESSAGE_UPDATE  "5a8a1cf893f948b7b8cbb3a91f343f79"

const char *journal_message_id(enum event_kind kind);

/* Syslog priority of an event. An OOM kill is LOG_WARNING: the kernel
 * enforced a limit the operator set, and the container may well go on
 * running, so it needs attention but is not a failure of mstatd (LOG_ERR
 * stays for those). An exit with a non-zero code is LOG_NOTICE; the other
 * lifecycle changes are LOG_INFO. */
int journal_priority(const struct event *e);

/* Writes the human MESSAGE of e, such as "container web was OOM-killed:
 * python3 (pid 4242) at 100.0 MiB of 100.0 MiB". */
void journal_format_message(const struct event *e, char *buf, size_t size);

#define JOURNAL_FIELDS_MAX 24
#define JOURNAL_FIELD_SIZE 640

/* The "KEY=value" fields of e's entry, MESSAGE_ID, PRIORITY and MESSAGE
 * first. Returns their number. */
size_t journal_fields(const struct event *e, char fields[JOURNAL_FIELDS_MAX][JOURNAL_FIELD_SIZE]);

/* Sends e to journald with sd_journal_sendv(). Returns 0 or the negative
 * errno of libsystemd. NOTE: libsystemd (252) returns 0 without sending when
 * the journal socket does not exist, so only a journald that stopped and
 * left its socket behind (-ECONNREFUSED) is seen as an error. The socket is
 * blocking, so a journald that stops reading stalls the caller: mstatd calls
 * it from the sender thread of struct journal_queue only. */
int journal_send(const struct event *e);

/*
 * A bounded queue of events and the thread that sends them to journald, so
 * that a journald that stops reading stalls that thread, never the main
 * loop. When the queue is full, new events are dropped, counted and reported
 * in mstatd's log; the events ring keeps them all the same. The sender logs
 * when journald becomes unreachable and when it is back.
 */
struct journal_queue {
	pthread_mutex_t mu;
	pthread_cond_t changed;
	struct event *items;
	size_t capacity, head, count;
	uint64_t dropped; /* events dropped since the last report */
	bool stopping;
	bool started;
	pthread_t thread;
};

/* Allocates the queue and starts the sender. Returns 0 or a negative errno. */
int journal_queue_start(struct journal_queue *q, size_t capacity);

/* Queues a copy of e without blocking. Returns false when the queue was full
 * and e was dropped. */
bool journal_queue_push(struct journal_queue *q, const struct event *e);

/* Lets the sender send what is queued for up to timeout_ms, then stops it and
 * frees the queue. A sender still stuck in journald after the timeout is left
 * to the process exit, and so is the queue it uses. */
void journal_queue_stop(struct journal_queue *q, unsigned timeout_ms);

#endif
