/* SPDX-License-Identifier: MIT */
/*
 * Interface counters from rtnetlink RTM_GETLINK and RTM_GETSTATS dumps: the
 * requests, the parser of the replies and a NETLINK_ROUTE socket opened
 * inside another process's network namespace. Internal to collectors/.
 */
#ifndef MSTAT_COLLECTORS_NET_LINK_H
#define MSTAT_COLLECTORS_NET_LINK_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collectors/sample.h"

/* The links of a namespace as an RTM_GETLINK dump names them, so that an
 * RTM_GETSTATS dump, which gives only interface indexes, can be named. */
#define NET_LINK_NAMES_MAX 8

struct net_link_name {
	int ifindex;
	bool loopback;
	char name[IF_NAMESIZE];
};

struct net_link_names {
	unsigned n;
	bool overflow; /* the namespace has more links than the table has room for */
	struct net_link_name link[NET_LINK_NAMES_MAX];
};

/* Interfaces counted so far in one dump, and the totals over all of them,
 * also those beyond SAMPLE_MAX_NETIFS. Reset with net_link_acc_init(). */
struct net_link_acc {
	uint64_t totals[8]; /* rx bytes, packets, errors, dropped, then tx */
	/* A link dump records every link here when it is set. */
	struct net_link_names *record;
	/* A stats dump names interfaces through this table, and sets unknown
	 * for an interface index that it lacks. */
	const struct net_link_names *lookup;
	bool unknown;
	unsigned n;
	struct sample_netif netif[SAMPLE_MAX_NETIFS];
};

/* Resets the counts of acc without clearing its whole list. */
void net_link_acc_init(struct net_link_acc *acc, struct net_link_names *record,
		       const struct net_link_names *lookup);

/* Opens a NETLINK_ROUTE socket in the network namespace ns_path refers to
 * (such as /proc/PID/ns/net). The socket keeps that namespace alive. */
int net_link_open(const char *ns_path, int *ret_fd);

/* Sends an RTM_GETLINK dump request with sequence number seq. */
int net_link_request(int fd, uint32_t seq);

/* Sends an RTM_GETSTATS dump request for the 64-bit link counters
 * (IFLA_STATS_LINK_64, Linux 4.7 and later). */
int net_link_request_stats(int fd, uint32_t seq);

/*
 * Adds the interfaces of one received datagram of the dump with sequence seq
 * to acc (RTM_NEWLINK or RTM_NEWSTATS messages), skipping loopback interfaces
 * and messages of other sequence numbers.
 * Sets *ret_done at NLMSG_DONE. Returns the kernel's -errno for an
 * NLMSG_ERROR, -EINVAL for a malformed message, -ERANGE on a counter
 * overflow.
 */
int net_link_parse(const void *buf, size_t len, uint32_t seq, struct net_link_acc *acc,
		   bool *ret_done);

/* Copies acc into s: s->netif[] and the eight SAMPLE_NET_* totals. */
void net_link_store(const struct net_link_acc *acc, struct sample *s);

#endif
