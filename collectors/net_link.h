/* SPDX-License-Identifier: MIT */
/*
 * Interface counters from an rtnetlink RTM_GETLINK dump: the request, the
 * parser of the replies and a NETLINK_ROUTE socket opened inside another
 * process's network namespace. Internal to collectors/.
 */
#ifndef MSTAT_COLLECTORS_NET_LINK_H
#define MSTAT_COLLECTORS_NET_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collectors/sample.h"

/* Interfaces counted so far in one dump, and the totals over all of them,
 * also those beyond SAMPLE_MAX_NETIFS. */
struct net_link_acc {
	uint64_t totals[8]; /* rx bytes, packets, errors, dropped, then tx */
	unsigned n;
	struct sample_netif netif[SAMPLE_MAX_NETIFS];
};

/* Opens a NETLINK_ROUTE socket in the network namespace ns_path refers to
 * (such as /proc/PID/ns/net). The socket keeps that namespace alive. */
int net_link_open(const char *ns_path, int *ret_fd);

/* Sends an RTM_GETLINK dump request with sequence number seq. */
int net_link_request(int fd, uint32_t seq);

/*
 * Adds the interfaces of one received datagram of the dump with sequence seq to
 * acc, skipping loopback interfaces and messages of other sequence numbers.
 * Sets *ret_done at NLMSG_DONE. Returns the kernel's -errno for an
 * NLMSG_ERROR, -EINVAL for a malformed message, -ERANGE on a counter
 * overflow.
 */
int net_link_parse(const void *buf, size_t len, uint32_t seq, struct net_link_acc *acc,
		   bool *ret_done);

/* Copies acc into s: s->netif[] and the eight SAMPLE_NET_* totals. */
void net_link_store(const struct net_link_acc *acc, struct sample *s);

#endif
