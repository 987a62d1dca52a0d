/* SPDX-License-Identifier: MIT */
/*
 * Bridge networking for containers: the bridge, one veth pair per container
 * and eth0's address and default route, set up over rtnetlink, and the IPv4
 * address allocator of the bridge's subnet. Nothing here changes a sysctl,
 * a firewall rule or any interface the caller did not name.
 */
#ifndef MSTAT_RUNTIME_NET_H
#define MSTAT_RUNTIME_NET_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/err.h"
#include "runtime/spec.h"

/* The smallest and largest subnet the allocator accepts, as prefix lengths:
 * a /16 has 65534 addresses, a /30 two (the gateway and one container). */
#define RT_SUBNET_PREFIX_MIN 16
#define RT_SUBNET_PREFIX_MAX 30

/* The interface name of the container's end of the veth pair. */
#define RT_NET_CONTAINER_IF "eth0"

/* IPv4 addresses of one subnet: the network address, the gateway (the first
 * host address, given to the bridge) and the broadcast address are never
 * handed out. Addresses are in network byte order. */
struct rt_ipam {
	uint32_t network;    /* host byte order */
	unsigned prefix_len; /* RT_SUBNET_PREFIX_MIN..RT_SUBNET_PREFIX_MAX */
	uint32_t size;	     /* addresses in the subnet, 2^(32 - prefix_len) */
	uint32_t next;	     /* offset where the next search starts */
	uint8_t *used;	     /* one bit per offset */
};

/* Parses "A.B.C.D/N" strictly: a dotted quad, a prefix length in the
 * allocator's range and no bits set past the prefix. -EINVAL otherwise. */
int rt_parse_subnet(const char *s, uint32_t *ret_network, unsigned *ret_prefix_len);

int rt_ipam_init(struct rt_ipam *ipam, uint32_t network, unsigned prefix_len);
void rt_ipam_free(struct rt_ipam *ipam); /* accepts a zeroed or freed allocator */
uint32_t rt_ipam_gateway(const struct rt_ipam *ipam);

/* Hands out the next free address after the last one handed out, wrapping
 * around, as docker does. -ENOSPC when the subnet is full. */
int rt_ipam_allocate(struct rt_ipam *ipam, uint32_t *ret_address);

/* Marks an address (one read back from a container's state) as used.
 * -ERANGE when it is outside the subnet or reserved, -EEXIST when taken. */
int rt_ipam_reserve(struct rt_ipam *ipam, uint32_t address);

/* Frees an address; one outside the subnet or already free is ignored. */
void rt_ipam_release(struct rt_ipam *ipam, uint32_t address);

/* Creates bridge `name` with gateway/prefix_len and brings it up. An existing
 * interface of that name is reused when it is a bridge (*ret_created false);
 * the gateway address is added to it when missing. */
int rt_net_bridge_ensure(const char *name, uint32_t gateway, unsigned prefix_len, bool *ret_created,
			 struct mst_err *err);

/* Deletes an interface by name; deleting one end of a veth pair deletes
 * both. Returns 0 also when no such interface exists. */
int rt_net_link_delete(const char *name, struct mst_err *err);

/* Creates the veth pair of ep: ep->host_if on ep->bridge, up, and eth0 in the
 * network namespace of pid with ep->address, up, and a default route via
 * ep->gateway. On failure, nothing of the pair is left behind. */
int rt_net_endpoint_attach(const struct rt_net_endpoint *ep, pid_t pid, struct mst_err *err);

/* Opens a NETLINK_ROUTE socket inside the network namespace of pid. The
 * socket stays in that namespace and keeps it alive until it is closed. */
int rt_net_netns_socket(pid_t pid, int *ret_fd);

/* True when the host has IPv6 (the kernel lists IPv6 addresses in
 * /proc/net/if_inet6 unless booted with ipv6.disable=1). */
bool rt_net_has_ipv6(void);

#endif
