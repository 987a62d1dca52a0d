/* SPDX-License-Identifier: MIT */
/*
 * Bridge networking of the agent's containers: the bridge (created at the
 * first bridge container, removed at exit when the agent created it), the
 * address of each container (kept until rm, also across agent restarts),
 * its veth pair and its published ports. Main thread only.
 */
#ifndef MSTAT_AGENT_NETWORK_H
#define MSTAT_AGENT_NETWORK_H

#include <stdbool.h>

#include "common/err.h"
#include "runtime/net.h"

struct agent;
struct container;
struct netproxy;

struct agent_net {
	struct rt_ipam ipam;
	bool bridge_ready;   /* the bridge exists and has the gateway address */
	bool bridge_created; /* by this agent, so it deletes it at exit */
	struct netproxy *proxy;
};

int agent_net_setup(struct agent *a, struct mst_err *err);
void agent_net_teardown(struct agent *a);

/* Keeps the address of a container read back from the state directory. */
void agent_net_load(struct agent *a, struct container *c);

/* Before the spawn: the bridge, the container's address and endpoint, and
 * the published ports, bound at once so that a busy port fails the start. */
int agent_net_start(struct agent *a, struct container *c, struct mst_err *err);

/* After the exit or a failed start: closes the published ports and deletes
 * the veth pair. The address stays reserved. */
void agent_net_stop(struct agent *a, struct container *c);

/* At rm: frees the container's address. */
void agent_net_release(struct agent *a, struct container *c);

#endif
