/* SPDX-License-Identifier: MIT */
/*
 * The port proxy thread: accepts TCP connections and receives UDP datagrams
 * on the published host ports and relays them to the container's address
 * on the bridge. A proxy rather than nftables DNAT, because DNAT of
 * connections to 127.0.0.1 needs the route_localnet sysctl and every DNAT
 * needs firewall rules, while a proxy changes nothing on the host.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "agent/netproxy.h"

#define PROXY_BUFFER	      65536
#define PROXY_CONNECTIONS_MAX 1024 /* TCP connections over all ports */
#define PROXY_UDP_FLOWS_MAX   256  /* UDP clients per port */
/* docker-proxy ends a UDP flow after 90 s without traffic
 * (UDPConnTrackTimeout in its udp_proxy.go). */
#define PROXY_UDP_IDLE_NS (90ULL * 1000000000ULL)
#define PROXY_BATCH	  64 /* accepts, datagrams or epoll events per turn */

enum handle_kind {
	HANDLE_WAKE,
	HANDLE_LISTENER,
	HANDLE_TCP,
	HANDLE_UDP_FLOW,
};

/* The object an epoll event's data points at. */
struct handle {
	enum handle_kind kind;
	void *object;
	int side; /* HANDLE_TCP: 0 = client, 1 = container */
};

struct udp_flow;

struct listener {
	struct handle h;
	char owner[65];
	int fd;
	enum rt_port_proto proto;
	struct sockaddr_in backend;
	struct udp_flow *flows;
	size_t n_flows;
	struct listener *next;
};

struct relay_buf {
	char *data;
	size_t len, off; /* bytes data[off..len) wait to be sent */
};

struct tcp_conn {
	char owner[65];
	int fd[2];
	struct handle h[2];
	struct relay_buf buf[2]; /* buf[i] contains what was read from fd[i] */
	bool eof[2];		 /* fd[i] has no more to read */
	bool shut[2];		 /* fd[i] was shut down for writing */
	bool connecting;
	bool closed;
	uint32_t events[2]; /* current epoll interest of fd[i] */
	bool watched[2];    /* fd[i] is in the epoll set */
	struct tcp_conn *next;
};

struct udp_flow {
	struct handle h;
	struct listener *listener;
	int fd;				/* connected to the container */
	struct sockaddr_storage client; /* IPv4 or IPv6, as the host port is bound */
	socklen_t client_len;
	uint64_t last_ns;
	struct udp_flow *next;
};

enum proxy_cmd_kind { PROXY_CMD_ADD, PROXY_CMD_REMOVE, PROXY_CMD_STOP };

struct proxy_cmd {
	enum proxy_cmd_kind kind;
	const char *owner;
	int fd;
	struct rt_port port;
	uint32_t address;
	int result;
	bool done;
	struct proxy_cmd *next;
};

struct netproxy {
	pthread_t thread;
	bool thread_started;
	int epoll_fd;
	int wake_fd;
	struct handle wake;
	pthread_mutex_t mu; /* guards cmds and done flags */
	pthread_cond_t cond;
	struct proxy_cmd *cmds;
	bool stopping;
	struct listener *listeners;
	struct tcp_conn *conns; /* open, and closed ones until the end of the turn */
	size_t n_conns;
	char datagram[PROXY_BUFFER];
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int epoll_set(struct netproxy *p, int op, int fd, uint32_t events, struct handle *h)
{
	struct epoll_event ev = { .events = events, .data.ptr = h };

	return epoll_ctl(p->epoll_fd, op, fd, &ev) < 0 ? -errno : 0;
}

/* TCP connections. */

static void conn_close(struct netproxy *p, struct tcp_conn *c)
{
	if (c->closed)
		return;
	for (int i = 0; i < 2; i++) {
		if (c->fd[i] >= 0)
			close(c->fd[i]); /* also leaves the epoll set */
		c->fd[i] = -1;
		free(c->buf[i].data);
		c->buf[i].data = NULL;
	}
	c->closed = true;
	p->n_conns--;
}

/* Drops closed connections; runs after a batch of events, when none of
 * them can point at a connection any more. */
static void conns_sweep(struct netproxy *p)
{
	struct tcp_conn **link = &p->conns;

	while (*link) {
		struct tcp_conn *c = *link;

		if (c->closed) {
			*link = c->next;
			free(c);
		} else {
			link = &c->next;
		}
	}
}

/* Moves data both ways until the sockets would block. Returns 1 when both
 * directions are finished, 0 to go on, or -errno on a socket error. */
static int conn_pump(struct tcp_conn *c)
{
	for (int i = 0; i < 2; i++) {
		struct relay_buf *b = &c->buf[i];
		int out = c->fd[1 - i];

		for (int round = 0; round < 16; round++) {
			if (b->off < b->len) {
				ssize_t n = send(out, b->data + b->off, b->len - b->off,
						 MSG_NOSIGNAL | MSG_DONTWAIT);
				if (n < 0 && (errno == EAGAIN || errno == EINTR))
					break;
				if (n < 0)
					return -errno;
				b->off += (size_t)n;
				if (b->off < b->len)
					break;
				b->off = b->len = 0;
			}
			if (c->eof[i])
				break;
			ssize_t n = recv(c->fd[i], b->data, PROXY_BUFFER, MSG_DONTWAIT);
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				break;
			if (n < 0)
				return -errno;
			if (n == 0)
				c->eof[i] = true;
			b->len = (size_t)n;
			b->off = 0;
		}
		if (c->eof[i] && b->off == b->len && !c->shut[1 - i]) {
			(void)shutdown(out, SHUT_WR);
			c->shut[1 - i] = true;
		}
	}
	return c->shut[0] && c->shut[1] ? 1 : 0;
}

/* Asks for readable when fd[i]'s buffer is free, writable when the other
 * side's data waits for fd[i]. */
static int conn_update_interest(struct netproxy *p, struct tcp_conn *c)
{
	for (int i = 0; i < 2; i++) {
		uint32_t want = 0;

		/* Done both ways on this socket: out of the set, so that its
		 * hang-up does not wake the thread again and again. */
		if (c->watched[i] && c->eof[i] && c->shut[i]) {
			(void)epoll_ctl(p->epoll_fd, EPOLL_CTL_DEL, c->fd[i], NULL);
			c->watched[i] = false;
		}
		if (!c->watched[i])
			continue;

		if (c->connecting)
			want = i == 1 ? EPOLLOUT : 0;
		else {
			if (!c->eof[i] && c->buf[i].off == c->buf[i].len)
				want |= EPOLLIN;
			if (c->buf[1 - i].off < c->buf[1 - i].len)
				want |= EPOLLOUT;
		}
		if (want == c->events[i])
			continue;
		int r = epoll_set(p, EPOLL_CTL_MOD, c->fd[i], want, &c->h[i]);
		if (r < 0)
			return r;
		c->events[i] = want;
	}
	return 0;
}

static void conn_event(struct netproxy *p, struct tcp_conn *c, int side, uint32_t events)
{
	int r;

	if (c->closed)
		return;
	/* A reset or another socket error ends the connection; the states of
	 * both directions cannot tell it apart from a pause otherwise. */
	if (events & EPOLLERR) {
		conn_close(p, c);
		return;
	}
	if (c->connecting) {
		int so_error = 0;
		socklen_t len = sizeof(so_error);

		if (side != 1)
			return;
		if (getsockopt(c->fd[1], SOL_SOCKET, SO_ERROR, &so_error, &len) < 0 ||
		    so_error != 0) {
			/* The container does not listen: the client sees the
			 * connection close, as with docker-proxy. */
			conn_close(p, c);
			return;
		}
		c->connecting = false;
	}
	r = conn_pump(c);
	if (r == 0)
		r = conn_update_interest(p, c);
	if (r != 0)
		conn_close(p, c);
}

static int conn_open(struct netproxy *p, struct listener *l, int client_fd, struct tcp_conn **ret)
{
	struct tcp_conn *c = calloc(1, sizeof(*c));
	int r;

	if (!c)
		return -ENOMEM;
	memcpy(c->owner, l->owner, sizeof(c->owner));
	c->fd[0] = client_fd;
	c->fd[1] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	c->buf[0].data = malloc(PROXY_BUFFER);
	c->buf[1].data = malloc(PROXY_BUFFER);
	if (c->fd[1] < 0 || !c->buf[0].data || !c->buf[1].data) {
		r = c->fd[1] < 0 ? -errno : -ENOMEM;
		goto fail;
	}
	if (connect(c->fd[1], (struct sockaddr *)&l->backend, sizeof(l->backend)) < 0 &&
	    errno != EINPROGRESS) {
		r = -errno;
		goto fail;
	}
	c->connecting = true;
	for (int i = 0; i < 2; i++) {
		c->h[i] = (struct handle){ .kind = HANDLE_TCP, .object = c, .side = i };
		c->events[i] = i == 1 ? EPOLLOUT : 0;
		r = epoll_set(p, EPOLL_CTL_ADD, c->fd[i], c->events[i], &c->h[i]);
		if (r < 0)
			goto fail;
		c->watched[i] = true;
	}
	c->next = p->conns;
	p->conns = c;
	p->n_conns++;
	*ret = c;
	return 0;

fail:
	if (c->fd[1] >= 0)
		close(c->fd[1]);
	free(c->buf[0].data);
	free(c->buf[1].data);
	free(c);
	return r;
}

static void listener_accept(struct netproxy *p, struct listener *l)
{
	for (int i = 0; i < PROXY_BATCH; i++) {
		struct tcp_conn *c;
		int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			return; /* EAGAIN, or an error of this one connection */
		if (p->n_conns >= PROXY_CONNECTIONS_MAX || conn_open(p, l, fd, &c) < 0)
			close(fd);
	}
}

/* UDP flows. */

static void flow_close(struct listener *l, struct udp_flow *f)
{
	struct udp_flow **link = &l->flows;

	while (*link && *link != f)
		link = &(*link)->next;
	if (*link)
		*link = f->next;
	close(f->fd);
	free(f);
	l->n_flows--;
}

static struct udp_flow *flow_find(struct netproxy *p, struct listener *l,
				  const struct sockaddr_storage *client, socklen_t client_len)
{
	struct udp_flow *f;

	for (f = l->flows; f; f = f->next)
		if (f->client_len == client_len && memcmp(&f->client, client, client_len) == 0)
			return f;
	if (l->n_flows >= PROXY_UDP_FLOWS_MAX)
		return NULL;

	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	f->h = (struct handle){ .kind = HANDLE_UDP_FLOW, .object = f };
	if (f->fd < 0 || connect(f->fd, (struct sockaddr *)&l->backend, sizeof(l->backend)) < 0 ||
	    epoll_set(p, EPOLL_CTL_ADD, f->fd, EPOLLIN, &f->h) < 0) {
		if (f->fd >= 0)
			close(f->fd);
		free(f);
		return NULL;
	}
	f->listener = l;
	f->client = *client;
	f->client_len = client_len;
	f->next = l->flows;
	l->flows = f;
	l->n_flows++;
	return f;
}

static void listener_receive(struct netproxy *p, struct listener *l)
{
	for (int i = 0; i < PROXY_BATCH; i++) {
		struct sockaddr_storage client;
		socklen_t len = sizeof(client);
		ssize_t n = recvfrom(l->fd, p->datagram, sizeof(p->datagram), MSG_DONTWAIT,
				     (struct sockaddr *)&client, &len);
		struct udp_flow *f;

		if (n < 0)
			return;
		if (len > sizeof(client))
			continue;
		f = flow_find(p, l, &client, len);
		if (!f)
			continue; /* too many clients: the datagram is dropped */
		f->last_ns = now_ns();
		(void)send(f->fd, p->datagram, (size_t)n, MSG_DONTWAIT);
	}
}

static void flow_receive(struct netproxy *p, struct udp_flow *f)
{
	for (int i = 0; i < PROXY_BATCH; i++) {
		ssize_t n = recv(f->fd, p->datagram, sizeof(p->datagram), MSG_DONTWAIT);

		if (n < 0)
			return;
		f->last_ns = now_ns();
		(void)sendto(f->listener->fd, p->datagram, (size_t)n, MSG_DONTWAIT,
			     (struct sockaddr *)&f->client, f->client_len);
	}
}

static void flows_expire(struct netproxy *p)
{
	uint64_t now = now_ns();

	for (struct listener *l = p->listeners; l; l = l->next) {
		for (struct udp_flow *f = l->flows, *next; f; f = next) {
			next = f->next;
			if (now - f->last_ns > PROXY_UDP_IDLE_NS)
				flow_close(l, f);
		}
	}
}

/* Commands from the main thread. */

static int listener_add(struct netproxy *p, struct proxy_cmd *cmd)
{
	struct listener *l = calloc(1, sizeof(*l));
	int r;

	if (!l) {
		close(cmd->fd);
		return -ENOMEM;
	}
	snprintf(l->owner, sizeof(l->owner), "%s", cmd->owner);
	l->fd = cmd->fd;
	l->proto = cmd->port.proto;
	l->backend.sin_family = AF_INET;
	l->backend.sin_addr.s_addr = cmd->address;
	l->backend.sin_port = htons(cmd->port.container_port);
	l->h = (struct handle){ .kind = HANDLE_LISTENER, .object = l };
	r = epoll_set(p, EPOLL_CTL_ADD, l->fd, EPOLLIN, &l->h);
	if (r < 0) {
		close(l->fd);
		free(l);
		return r;
	}
	l->next = p->listeners;
	p->listeners = l;
	return 0;
}

static void listeners_remove(struct netproxy *p, const char *owner)
{
	struct listener **link = &p->listeners;

	while (*link) {
		struct listener *l = *link;

		if (owner && strcmp(l->owner, owner) != 0) {
			link = &l->next;
			continue;
		}
		*link = l->next;
		while (l->flows)
			flow_close(l, l->flows);
		close(l->fd);
		free(l);
	}
	for (struct tcp_conn *c = p->conns; c; c = c->next)
		if (!owner || strcmp(c->owner, owner) == 0)
			conn_close(p, c);
}

static void run_commands(struct netproxy *p)
{
	uint64_t count;

	(void)read(p->wake_fd, &count, sizeof(count));
	pthread_mutex_lock(&p->mu);
	for (struct proxy_cmd *cmd = p->cmds; cmd; cmd = cmd->next) {
		if (cmd->kind == PROXY_CMD_ADD)
			cmd->result = listener_add(p, cmd);
		else if (cmd->kind == PROXY_CMD_REMOVE)
			listeners_remove(p, cmd->owner);
		else
			p->stopping = true;
		cmd->done = true;
	}
	p->cmds = NULL;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->mu);
}

static void dispatch(struct netproxy *p, struct handle *h, uint32_t events, bool *ret_commands)
{
	switch (h->kind) {
	case HANDLE_WAKE:
		*ret_commands = true;
		break;
	case HANDLE_LISTENER: {
		struct listener *l = h->object;

		if (l->proto == RT_PROTO_TCP)
			listener_accept(p, l);
		else
			listener_receive(p, l);
		break;
	}
	case HANDLE_TCP:
		conn_event(p, h->object, h->side, events);
		break;
	case HANDLE_UDP_FLOW:
		flow_receive(p, h->object);
		break;
	}
}

static void *proxy_thread(void *arg)
{
	struct netproxy *p = arg;
	struct epoll_event events[PROXY_BATCH];

	while (!p->stopping) {
		bool commands = false;
		/* A timeout, so that idle UDP clients expire without traffic. */
		int n = epoll_wait(p->epoll_fd, events, PROXY_BATCH, 1000);

		for (int i = 0; i < n; i++)
			dispatch(p, events[i].data.ptr, events[i].events, &commands);
		/* Commands last, because one may free a listener that an
		 * event of this batch points at. */
		if (commands)
			run_commands(p);
		conns_sweep(p);
		flows_expire(p);
	}
	return NULL;
}

/* Queues cmd for the proxy thread and waits until it has run. */
static int submit(struct netproxy *p, struct proxy_cmd *cmd)
{
	uint64_t one = 1;

	pthread_mutex_lock(&p->mu);
	cmd->next = p->cmds;
	p->cmds = cmd;
	if (write(p->wake_fd, &one, sizeof(one)) < 0) {
		p->cmds = cmd->next;
		pthread_mutex_unlock(&p->mu);
		return -errno;
	}
	while (!cmd->done)
		pthread_cond_wait(&p->cond, &p->mu);
	pthread_mutex_unlock(&p->mu);
	return cmd->result;
}

int netproxy_start(struct netproxy **ret, struct mst_err *err)
{
	struct netproxy *p = calloc(1, sizeof(*p));
	int r;

	if (!p)
		return err_set(err, ENOMEM, "start the port proxy");
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cond, NULL);
	p->wake = (struct handle){ .kind = HANDLE_WAKE };
	p->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	p->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (p->epoll_fd < 0 || p->wake_fd < 0) {
		r = err_set(err, errno, "start the port proxy");
		goto fail;
	}
	r = epoll_set(p, EPOLL_CTL_ADD, p->wake_fd, EPOLLIN, &p->wake);
	if (r < 0) {
		r = err_set(err, -r, "start the port proxy");
		goto fail;
	}
	r = pthread_create(&p->thread, NULL, proxy_thread, p);
	if (r != 0) {
		r = err_set(err, r, "start the port proxy thread");
		goto fail;
	}
	p->thread_started = true;
	*ret = p;
	return 0;

fail:
	netproxy_stop(p);
	return r;
}

void netproxy_stop(struct netproxy *p)
{
	if (!p)
		return;
	if (p->thread_started) {
		struct proxy_cmd stop = { .kind = PROXY_CMD_STOP };

		(void)submit(p, &stop);
		(void)pthread_join(p->thread, NULL);
	}
	listeners_remove(p, NULL);
	conns_sweep(p);
	if (p->wake_fd >= 0)
		close(p->wake_fd);
	if (p->epoll_fd >= 0)
		close(p->epoll_fd);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

int netproxy_add(struct netproxy *p, const char *owner, int fd, const struct rt_port *port,
		 uint32_t container_address)
{
	struct proxy_cmd cmd = {
		.kind = PROXY_CMD_ADD,
		.owner = owner,
		.fd = fd,
		.port = *port,
		.address = container_address,
	};
	int r = submit(p, &cmd);

	if (r < 0 && !cmd.done)
		close(fd);
	return r;
}

void netproxy_remove(struct netproxy *p, const char *owner)
{
	struct proxy_cmd cmd = { .kind = PROXY_CMD_REMOVE, .owner = owner };

	if (p)
		(void)submit(p, &cmd);
}

int netproxy_bind(const struct rt_port *port, int *ret_fd, struct mst_err *err)
{
	const char *ip = port->host_ip[0] ? port->host_ip : "0.0.0.0";
	const char *proto = rt_port_proto_to_string(port->proto);
	struct sockaddr_storage addr = { 0 };
	struct sockaddr_in *in4 = (struct sockaddr_in *)&addr;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&addr;
	int type = port->proto == RT_PROTO_TCP ? SOCK_STREAM : SOCK_DGRAM;
	int one = 1, fd;

	if (inet_pton(AF_INET, ip, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(port->host_port);
	} else if (inet_pton(AF_INET6, ip, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port->host_port);
	} else {
		return err_setx(err, EINVAL, "invalid host address '%s' of port %u/%s", ip,
				port->host_port, proto);
	}

	fd = socket(addr.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_set(err, errno, "open a socket for port %u/%s", port->host_port, proto);
	if (addr.ss_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	/* Lets a restarted container bind again while old connections linger
	 * in TIME_WAIT; a socket still listening keeps the port busy. */
	if (type == SOCK_STREAM)
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&addr,
		 addr.ss_family == AF_INET ? sizeof(*in4) : sizeof(*in6)) < 0 ||
	    (type == SOCK_STREAM && listen(fd, SOMAXCONN) < 0)) {
		int code = errno;
		int r = err_setx(err, code,
				 "publish host port %s%s%s:%u/%s failed: %s; publish another host "
				 "port, or stop what listens on this one",
				 addr.ss_family == AF_INET6 ? "[" : "", ip,
				 addr.ss_family == AF_INET6 ? "]" : "", port->host_port, proto,
				 strerror(code));
		close(fd);
		return r;
	}
	*ret_fd = fd;
	return 0;
}
