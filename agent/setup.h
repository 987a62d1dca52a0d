/* SPDX-License-Identifier: MIT */
/*
 * Start-up and teardown of struct agent, shared by mstatd's daemon mode and
 * its --once mode.
 */
#ifndef MSTAT_AGENT_SETUP_H
#define MSTAT_AGENT_SETUP_H

#include "agent/agent.h"

/* Detects the cgroup layout, registers the collectors and creates the
 * pipeline with the --watch targets (a watch that fails is logged and
 * skipped). Enough for --once. */
int agent_open_pipeline(struct agent *a, struct mst_err *err);
int agent_add_watches(struct agent *a, struct mst_err *err);

/* Everything the daemon needs before its listeners start: the pipeline, the
 * state directory, the parent cgroup, the queue, the epoll set and the
 * containers of an earlier run. */
int agent_setup(struct agent *a, const struct agent_config *cfg, struct mst_err *err);

/* Replies to parked commands, stops HTTP, frees every container and removes
 * the parent cgroup directories that start-up created. Safe after a partial
 * agent_setup(). */
void agent_teardown(struct agent *a);

#endif
