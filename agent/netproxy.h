/* SPDX-License-Identifier: MIT */
/*
 * The userland proxy of published ports, as docker-proxy: a socket bound on
 * the host port, and for each TCP connection or UDP client a socket to the
 * container's address. It runs in its own thread with its own epoll, so a
 * busy transfer never delays the main loop. Every function here is called
 * from the main thread and waits until the proxy thread has applied it.
 */
#ifndef MSTAT_AGENT_NETPROXY_H
#define MSTAT_AGENT_NETPROXY_H

#include <stdint.h>

#include "common/err.h"
#include "runtime/spec.h"

struct netproxy;

int netproxy_start(struct netproxy **ret, struct mst_err *err);
void netproxy_stop(struct netproxy *p); /* closes every socket; accepts NULL */

/* Binds the host side of port: host_ip, or every IPv4 address when it is
 * empty (the caller binds :: beside it). Returns the listening (TCP) or bound (UDP) socket, or an
 * error that names the port, such as "port 8080/tcp on 0.0.0.0: Address already in use". */
int netproxy_bind(const struct rt_port *port, int *ret_fd, struct mst_err *err);

/* Hands a socket from netproxy_bind() to the proxy, which forwards what it
 * receives to container_address:port->container_port (IPv4, network byte
 * order). owner (the container id) groups the forwardings for removal. The
 * socket is the proxy's from now on, also on failure. */
int netproxy_add(struct netproxy *p, const char *owner, int fd, const struct rt_port *port,
		 uint32_t container_address);

/* Closes the sockets and connections of owner. */
void netproxy_remove(struct netproxy *p, const char *owner);

#endif
