/* SPDX-License-Identifier: MIT */
/*
 * The command queue between HTTP threads and the main loop. An HTTP thread
 * submits a command and blocks until the main loop replies. The main loop
 * wakes on an eventfd, takes every queued command and replies to each, at
 * once or later (wait, stop). Between take and reply the main loop owns the
 * command, and after the reply the submitting thread owns it again.
 */
#ifndef MSTAT_AGENT_CMDQ_H
#define MSTAT_AGENT_CMDQ_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>

#include "agent/record.h"
#include "runtime/spec.h"

enum api_cmd_type {
	API_CMD_CREATE,
	API_CMD_START,
	API_CMD_STOP,
	API_CMD_KILL,
	API_CMD_WAIT,
	API_CMD_REMOVE,
	API_CMD_RESTART,
	API_CMD_UPDATE,
	API_CMD_ATTACH,
	API_CMD_RESIZE,
	API_CMD_EXEC_CREATE,  /* target: the container; spec: the exec */
	API_CMD_EXEC_START,   /* target: the exec id */
	API_CMD_EXEC_INSPECT, /* target: the exec id */
	API_CMD_EXEC_RESIZE,  /* target: the exec id */
	_API_CMD_MAX,
};

struct api_cmd {
	enum api_cmd_type type;
	char *target; /* NAME from the path; for create, the requested name or NULL */
	/* create: owned until the main loop moves it into the table; update: the
	 * new limits of the fields in update_fields */
	struct rt_spec spec;
	struct ctr_options options; /* create; update: the new restart policy */
	unsigned update_fields;	    /* update: CTR_UPDATE_* bits */
	json_t *warnings;	    /* create: the reply's Warnings array, or NULL for [] */
	int signal;		    /* kill */
	unsigned timeout_s;	    /* stop and restart */
	bool force;		    /* remove */
	bool attach_stdin;	    /* attach: the client sends input */
	bool attach_logs;	    /* attach: also to a container that is not running */
	int input_fd;	      /* attach reply: where input goes, or -1; then the submitter's */
	unsigned rows, cols;  /* resize */
	bool attach_detached; /* exec start: no client streams; stdio is /dev/null */
	int output_fds[2];    /* exec start reply: stdout and stderr (or the pty), or -1 */

	int status;    /* HTTP status of the reply */
	json_t *reply; /* reply body or NULL; owned by the submitter after the reply */
	bool done;

	struct api_cmd *next; /* the queue, then a container's list of pending replies */
};

struct cmdq {
	pthread_mutex_t mu;
	pthread_cond_t replied;
	struct api_cmd *head, *tail;
	int eventfd; /* readable while commands are queued */
	bool closed;
};

int cmdq_init(struct cmdq *q);
void cmdq_destroy(struct cmdq *q); /* the queue must be empty */

/* Queues cmd, wakes the main loop and waits for the reply. When the queue is
 * closed, replies 503 without queueing. */
void cmdq_call(struct cmdq *q, struct api_cmd *cmd);

/* Takes every queued command (oldest first, linked by next) and clears the
 * eventfd. Returns NULL when none is queued. */
struct api_cmd *cmdq_take(struct cmdq *q);

/* Replies to a command taken with cmdq_take(); takes the reference to reply. */
void cmdq_reply(struct cmdq *q, struct api_cmd *cmd, int status, json_t *reply);

/* Rejects queued and later commands with 503 (shutdown). Commands that the
 * main loop has taken still need their reply. */
void cmdq_close(struct cmdq *q);

/* Frees what a command owns, not the command itself; accepts NULL. */
void api_cmd_clear(struct api_cmd *cmd);

#endif
