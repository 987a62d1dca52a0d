/* SPDX-License-Identifier: MIT */
/*
 * A mutex-protected list of commands, an eventfd that wakes the main loop,
 * and a condition variable on which submitting threads wait for replies.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "agent/api_json.h"
#include "agent/cmdq.h"
#include "agent/record.h"

int cmdq_init(struct cmdq *q)
{
	q->head = q->tail = NULL;
	q->closed = false;
	q->eventfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (q->eventfd < 0)
		return -errno;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->replied, NULL);
	return 0;
}

void cmdq_destroy(struct cmdq *q)
{
	if (q->eventfd >= 0)
		close(q->eventfd);
	q->eventfd = -1;
	pthread_cond_destroy(&q->replied);
	pthread_mutex_destroy(&q->mu);
}

void cmdq_call(struct cmdq *q, struct api_cmd *cmd)
{
	const uint64_t increment = 1;

	cmd->done = false;
	cmd->next = NULL;

	pthread_mutex_lock(&q->mu);
	if (q->closed) {
		cmd->status = 503;
		cmd->reply = api_json_message("mstatd is shutting down");
		cmd->done = true;
		pthread_mutex_unlock(&q->mu);
		return;
	}
	if (q->tail)
		q->tail->next = cmd;
	else
		q->head = cmd;
	q->tail = cmd;
	/* The eventfd counter cannot overflow with one increment per command. */
	(void)!write(q->eventfd, &increment, sizeof(increment));

	while (!cmd->done)
		pthread_cond_wait(&q->replied, &q->mu);
	pthread_mutex_unlock(&q->mu);
}

struct api_cmd *cmdq_take(struct cmdq *q)
{
	struct api_cmd *list;
	uint64_t count;

	pthread_mutex_lock(&q->mu);
	(void)!read(q->eventfd, &count, sizeof(count));
	list = q->head;
	q->head = q->tail = NULL;
	pthread_mutex_unlock(&q->mu);
	return list;
}

void cmdq_reply(struct cmdq *q, struct api_cmd *cmd, int status, json_t *reply)
{
	pthread_mutex_lock(&q->mu);
	cmd->status = status;
	cmd->reply = reply;
	cmd->done = true;
	pthread_cond_broadcast(&q->replied);
	pthread_mutex_unlock(&q->mu);
}

void cmdq_close(struct cmdq *q)
{
	pthread_mutex_lock(&q->mu);
	q->closed = true;
	for (struct api_cmd *c = q->head; c; c = c->next) {
		c->status = 503;
		c->reply = api_json_message("mstatd is shutting down");
		c->done = true;
	}
	q->head = q->tail = NULL;
	pthread_cond_broadcast(&q->replied);
	pthread_mutex_unlock(&q->mu);
}

void api_cmd_clear(struct api_cmd *cmd)
{
	if (!cmd)
		return;
	free(cmd->target);
	cmd->target = NULL;
	ctr_spec_free(&cmd->spec);
	json_decref(cmd->warnings);
	cmd->warnings = NULL;
	json_decref(cmd->reply);
	cmd->reply = NULL;
}
