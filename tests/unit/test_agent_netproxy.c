/* SPDX-License-Identifier: MIT */
/* The port proxy on loopback: a TCP stream both ways with half-close, a
 * container port that refuses, a busy host port, UDP datagrams both ways,
 * and removal closing the host port. The "container" is a socket of this
 * test on 127.0.0.1, so no namespace is needed. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent/netproxy.h"
#include "tests/unit/cunit_main.h"

#define STREAM_BYTES (1024 * 1024)

static uint32_t loopback(void)
{
	return htonl(INADDR_LOOPBACK);
}

static int bound_socket(int type, uint16_t *ret_port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0)
		return -1;
	if (type == SOCK_STREAM && listen(fd, 8) < 0)
		return -1;
	*ret_port = ntohs(a.sin_port);
	return fd;
}

static uint16_t fd_port(int fd)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	if (getsockname(fd, (struct sockaddr *)&a, &len) < 0)
		return 0;
	return ntohs(a.sin_port);
}

static int connect_to(int type, uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				 .sin_port = htons(port) };
	struct timeval timeout = { .tv_sec = 5 };
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The container side: reads the whole request, then sends STREAM_BYTES of
 * a pattern back and closes. Returns the bytes it read. */
static void *backend_thread(void *arg)
{
	int listen_fd = *(int *)arg, fd = accept(listen_fd, NULL, NULL);
	static char buf[65536];
	size_t got = 0, sent = 0;
	ssize_t n;

	if (fd < 0)
		return NULL;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		got += (size_t)n;
	memset(buf, 'r', sizeof(buf));
	while (sent < STREAM_BYTES && (n = write(fd, buf, sizeof(buf))) > 0)
		sent += (size_t)n;
	close(fd);
	return (void *)got;
}

static struct netproxy *proxy;

static int publish(int type, uint16_t container_port, const char *owner, uint16_t *ret_port)
{
	struct rt_port port = { .proto = type == SOCK_STREAM ? RT_PROTO_TCP : RT_PROTO_UDP,
				.host_ip = "127.0.0.1",
				.container_port = container_port };
	struct mst_err err = { 0 };
	int fd;

	if (netproxy_bind(&port, &fd, &err) < 0) {
		fprintf(stderr, "\nbind: %s\n", err.msg);
		return -1;
	}
	*ret_port = fd_port(fd);
	return netproxy_add(proxy, owner, fd, &port, loopback());
}

static void test_tcp_both_ways(void)
{
	static char buf[65536];
	uint16_t backend_port, host_port;
	int backend = bound_socket(SOCK_STREAM, &backend_port), client;
	size_t sent = 0, got = 0;
	pthread_t thread;
	void *backend_got;
	ssize_t n;

	CU_ASSERT_FATAL(backend >= 0);
	CU_ASSERT_EQUAL_FATAL(publish(SOCK_STREAM, backend_port, "tcp-owner", &host_port), 0);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&thread, NULL, backend_thread, &backend), 0);

	client = connect_to(SOCK_STREAM, host_port);
	CU_ASSERT_FATAL(client >= 0);
	memset(buf, 'q', sizeof(buf));
	while (sent < STREAM_BYTES && (n = write(client, buf, sizeof(buf))) > 0)
		sent += (size_t)n;
	CU_ASSERT_EQUAL(shutdown(client, SHUT_WR), 0);
	while ((n = read(client, buf, sizeof(buf))) > 0) {
		if (buf[0] != 'r' || buf[n - 1] != 'r')
			break;
		got += (size_t)n;
	}
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_EQUAL(got, STREAM_BYTES);
	pthread_join(thread, &backend_got);
	CU_ASSERT_EQUAL((size_t)backend_got, STREAM_BYTES);
	close(client);
	close(backend);

	/* A container port that refuses: the client sees its connection end. */
	client = connect_to(SOCK_STREAM, host_port);
	CU_ASSERT_FATAL(client >= 0);
	n = read(client, buf, sizeof(buf));
	CU_ASSERT_TRUE(n == 0 || (n < 0 && errno == ECONNRESET));
	close(client);
}

static void test_busy_port(void)
{
	uint16_t port_number;
	int busy = bound_socket(SOCK_STREAM, &port_number), fd = -1;
	struct rt_port port = { .proto = RT_PROTO_TCP,
				.host_ip = "127.0.0.1",
				.container_port = 80 };
	struct mst_err err = { 0 };
	char want[64];

	CU_ASSERT_FATAL(busy >= 0);
	port.host_port = port_number;
	CU_ASSERT_EQUAL(netproxy_bind(&port, &fd, &err), -EADDRINUSE);
	CU_ASSERT_EQUAL(fd, -1);
	snprintf(want, sizeof(want), "127.0.0.1:%u/tcp", port_number);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, want));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "Address already in use"));
	close(busy);
}

static void test_udp_both_ways(void)
{
	uint16_t backend_port, host_port;
	int backend = bound_socket(SOCK_DGRAM, &backend_port), client;
	struct sockaddr_in from;
	socklen_t from_len = sizeof(from);
	struct pollfd pfd = { .fd = backend, .events = POLLIN };
	char buf[64];
	ssize_t n;

	CU_ASSERT_FATAL(backend >= 0);
	CU_ASSERT_EQUAL_FATAL(publish(SOCK_DGRAM, backend_port, "udp-owner", &host_port), 0);
	client = connect_to(SOCK_DGRAM, host_port);
	CU_ASSERT_FATAL(client >= 0);

	CU_ASSERT_EQUAL(send(client, "ping", 4, 0), 4);
	CU_ASSERT_EQUAL_FATAL(poll(&pfd, 1, 5000), 1);
	n = recvfrom(backend, buf, sizeof(buf), 0, (struct sockaddr *)&from, &from_len);
	CU_ASSERT_EQUAL(n, 4);
	CU_ASSERT_EQUAL(memcmp(buf, "ping", 4), 0);
	CU_ASSERT_EQUAL(sendto(backend, "pong!", 5, 0, (struct sockaddr *)&from, from_len), 5);
	n = recv(client, buf, sizeof(buf), 0);
	CU_ASSERT_EQUAL(n, 5);
	CU_ASSERT_EQUAL(memcmp(buf, "pong!", 5), 0);
	close(client);
	close(backend);
}

/* A host port on ::1 forwards to the container's IPv4 address. */
static void test_udp_ipv6_host_port(void)
{
	struct rt_port port = { .proto = RT_PROTO_UDP, .host_ip = "::1" };
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct timeval timeout = { .tv_sec = 5 };
	struct mst_err err = { 0 };
	struct sockaddr_in from;
	socklen_t len = sizeof(a), from_len = sizeof(from);
	uint16_t backend_port;
	int backend = bound_socket(SOCK_DGRAM, &backend_port), fd, client;
	char buf[16];

	CU_ASSERT_FATAL(backend >= 0);
	port.container_port = backend_port;
	if (netproxy_bind(&port, &fd, &err) < 0) {
		printf("skipped: no IPv6 loopback here: %s\n", err.msg);
		close(backend);
		return;
	}
	CU_ASSERT_EQUAL_FATAL(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	CU_ASSERT_EQUAL_FATAL(netproxy_add(proxy, "udp6-owner", fd, &port, loopback()), 0);
	client = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CU_ASSERT_FATAL(client >= 0);
	(void)setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	(void)setsockopt(backend, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	CU_ASSERT_EQUAL_FATAL(connect(client, (struct sockaddr *)&a, sizeof(a)), 0);

	CU_ASSERT_EQUAL(send(client, "ping6", 5, 0), 5);
	CU_ASSERT_EQUAL(recvfrom(backend, buf, sizeof(buf), 0, (struct sockaddr *)&from, &from_len),
			5);
	CU_ASSERT_EQUAL(sendto(backend, "pong6", 5, 0, (struct sockaddr *)&from, from_len), 5);
	CU_ASSERT_EQUAL(recv(client, buf, sizeof(buf), 0), 5);
	CU_ASSERT_EQUAL(memcmp(buf, "pong6", 5), 0);
	netproxy_remove(proxy, "udp6-owner");
	close(client);
	close(backend);
}

static void test_remove_closes_port(void)
{
	uint16_t backend_port, host_port;
	int backend = bound_socket(SOCK_STREAM, &backend_port), client;

	CU_ASSERT_FATAL(backend >= 0);
	CU_ASSERT_EQUAL_FATAL(publish(SOCK_STREAM, backend_port, "gone", &host_port), 0);
	client = connect_to(SOCK_STREAM, host_port);
	CU_ASSERT(client >= 0);
	if (client >= 0)
		close(client);
	netproxy_remove(proxy, "gone");
	client = connect_to(SOCK_STREAM, host_port);
	CU_ASSERT_EQUAL(client, -1);
	if (client >= 0)
		close(client);
	close(backend);
}

static const struct cunit_test tests[] = {
	{ "tcp stream both ways", test_tcp_both_ways },
	{ "busy host port", test_busy_port },
	{ "udp datagrams both ways", test_udp_both_ways },
	{ "udp on an IPv6 host port", test_udp_ipv6_host_port },
	{ "remove closes the port", test_remove_closes_port },
	{ NULL, NULL },
};

int main(void)
{
	struct mst_err err = { 0 };
	int r;

	if (netproxy_start(&proxy, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	r = cunit_run("agent netproxy", tests);
	netproxy_stop(proxy);
	return r;
}
