/* SPDX-License-Identifier: MIT */
/* Bridge networking in the runtime: the subnet parser, the address
 * allocator, and, as root, a bridge and a veth pair into a child's network
 * namespace, all inside a network namespace private to this test. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/net.h"
#include "tests/unit/cunit_main.h"

static uint32_t ip(const char *s)
{
	struct in_addr a;

	CU_ASSERT_EQUAL_FATAL(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

static void test_subnet_parse(void)
{
	static const char *const bad[] = {
		"10.0.0.0",	"10.0.0.0/",
		"10.0.0.0/15",	"10.0.0.0/31",
		"10.0.0.1/24",	"10.0.0.0/24x",
		"10.0.0/24",	"/24",
		"10.0.0.0/-24", "10.0.0.0/+24",
		"256.0.0.0/16", "10.0.0.0/024x",
		"::1/64",	"10.0.0.0/99999999999999999999",
	};
	uint32_t network = 7;
	unsigned prefix = 7;

	CU_ASSERT_EQUAL(rt_parse_subnet("10.213.0.0/16", &network, &prefix), 0);
	CU_ASSERT_EQUAL(network, ip("10.213.0.0"));
	CU_ASSERT_EQUAL(prefix, 16);
	CU_ASSERT_EQUAL(rt_parse_subnet("192.168.7.252/30", &network, &prefix), 0);
	CU_ASSERT_EQUAL(network, ip("192.168.7.252"));
	CU_ASSERT_EQUAL(prefix, 30);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		network = 7;
		prefix = 7;
		if (rt_parse_subnet(bad[i], &network, &prefix) != -EINVAL)
			fprintf(stderr, "\naccepted '%s'\n", bad[i]);
		CU_ASSERT_EQUAL(rt_parse_subnet(bad[i], &network, &prefix), -EINVAL);
		CU_ASSERT_EQUAL(network, 7);
		CU_ASSERT_EQUAL(prefix, 7);
	}
}

static void test_ipam_sequence(void)
{
	struct rt_ipam ipam;
	uint32_t a;

	CU_ASSERT_EQUAL_FATAL(rt_ipam_init(&ipam, ip("10.1.2.0"), 29), 0);
	CU_ASSERT_EQUAL(rt_ipam_gateway(&ipam), ip("10.1.2.1"));
	/* .2 to .6: .0 is the network, .1 the gateway, .7 the broadcast. */
	for (int host = 2; host <= 6; host++) {
		char want[16];

		snprintf(want, sizeof(want), "10.1.2.%d", host);
		CU_ASSERT_EQUAL_FATAL(rt_ipam_allocate(&ipam, &a), 0);
		CU_ASSERT_EQUAL(a, ip(want));
	}
	a = 0;
	CU_ASSERT_EQUAL(rt_ipam_allocate(&ipam, &a), -ENOSPC);
	CU_ASSERT_EQUAL(a, 0);

	/* Next-fit: a freed address comes back only after the search wraps. */
	rt_ipam_release(&ipam, ip("10.1.2.4"));
	rt_ipam_release(&ipam, ip("10.1.2.3"));
	CU_ASSERT_EQUAL(rt_ipam_allocate(&ipam, &a), 0);
	CU_ASSERT_EQUAL(a, ip("10.1.2.3"));
	CU_ASSERT_EQUAL(rt_ipam_allocate(&ipam, &a), 0);
	CU_ASSERT_EQUAL(a, ip("10.1.2.4"));
	rt_ipam_release(&ipam, ip("10.1.2.2"));
	rt_ipam_release(&ipam, ip("10.1.2.6"));
	CU_ASSERT_EQUAL(rt_ipam_allocate(&ipam, &a), 0);
	CU_ASSERT_EQUAL(a, ip("10.1.2.6"));
	CU_ASSERT_EQUAL(rt_ipam_allocate(&ipam, &a), 0);
	CU_ASSERT_EQUAL(a, ip("10.1.2.2"));
	rt_ipam_free(&ipam);
	rt_ipam_free(&ipam);
}

static void test_ipam_reserve(void)
{
	struct rt_ipam ipam;
	uint32_t a;

	CU_ASSERT_EQUAL_FATAL(rt_ipam_init(&ipam, ip("172.30.0.0"), 16), 0);
	CU_ASSERT_EQUAL(rt_ipam_reserve(&ipam, ip("172.30.0.2")), 0);
	CU_ASSERT_EQUAL(rt_ipam_reserve(&ipam, ip("172.30.0.2")), -EEXIST);
	CU_ASSERT_EQUAL(rt_ipam_reserve(&ipam, ip("172.30.255.254")), 0);
	CU_ASSERT_EQUAL(rt_ipam_reserve(&ipam, ip("172.30.0.0")), -ERANGE);
	CU_ASSERT_EQUAL(rt_ipam_reserve(&ipam, ip("172.30.0.1")), -ERANGE);
	CU_ASSERT_EQUAL(rt_ipam_reserve(&ipam, ip("172.30.255.255")), -ERANGE);
	CU_ASSERT_EQUAL(rt_ipam_reserve(&ipam, ip("172.31.0.2")), -ERANGE);
	CU_ASSERT_EQUAL(rt_ipam_allocate(&ipam, &a), 0);
	CU_ASSERT_EQUAL(a, ip("172.30.0.3"));
	/* Releasing what is outside or reserved changes nothing. */
	rt_ipam_release(&ipam, ip("10.0.0.1"));
	rt_ipam_release(&ipam, ip("172.30.0.1"));
	CU_ASSERT_EQUAL(rt_ipam_reserve(&ipam, ip("172.30.0.3")), -EEXIST);
	rt_ipam_free(&ipam);

	CU_ASSERT_EQUAL(rt_ipam_init(&ipam, ip("10.0.0.1"), 24), -EINVAL);
	CU_ASSERT_EQUAL(rt_ipam_init(&ipam, ip("10.0.0.0"), 8), -EINVAL);
	CU_ASSERT_EQUAL(rt_ipam_init(&ipam, ip("10.0.0.0"), 31), -EINVAL);
}

static bool in_private_netns;

/* The child: waits in its own network namespace until eth0 is set up, then
 * connects to the gateway through it. Exits 0 when the connection works. */
static _Noreturn void veth_child(int ready_fd, int go_fd, uint16_t port)
{
	struct sockaddr_in gw = { .sin_family = AF_INET, .sin_port = htons(port) };
	char byte = 1;
	int fd;

	if (unshare(CLONE_NEWNET) < 0 || write(ready_fd, &byte, 1) != 1 ||
	    read(go_fd, &byte, 1) != 1)
		_exit(2);
	if (if_nametoindex(RT_NET_CONTAINER_IF) == 0)
		_exit(3);
	inet_pton(AF_INET, "10.9.0.1", &gw.sin_addr);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&gw, sizeof(gw)) < 0)
		_exit(4);
	_exit(0);
}

static int listen_on_gateway(uint16_t *ret_port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	inet_pton(AF_INET, "10.9.0.1", &a.sin_addr);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 4) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0)
		return -1;
	*ret_port = ntohs(a.sin_port);
	return fd;
}

static void test_bridge_and_veth(void)
{
	struct rt_net_endpoint ep = { .bridge = "mstt0", .host_if = "msttveth0", .prefix_len = 24 };
	struct mst_err err = { 0 };
	int ready[2], go[2], status = -1, listen_fd;
	bool created = false;
	uint16_t port = 0;
	pid_t pid;

	if (!in_private_netns) {
		printf("skipped: needs root to create a private network namespace\n");
		return;
	}
	ep.address = ip("10.9.0.5");
	ep.gateway = ip("10.9.0.1");
	CU_ASSERT_EQUAL(rt_net_bridge_ensure("lo", ep.gateway, 24, &created, &err), -EEXIST);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "is not a bridge"));
	CU_ASSERT_EQUAL_FATAL(rt_net_bridge_ensure("mstt0", ep.gateway, 24, &created, &err), 0);
	CU_ASSERT_TRUE(created);
	CU_ASSERT_EQUAL_FATAL(rt_net_bridge_ensure("mstt0", ep.gateway, 24, &created, &err), 0);
	CU_ASSERT_FALSE(created);
	listen_fd = listen_on_gateway(&port);
	CU_ASSERT_FATAL(listen_fd >= 0);

	CU_ASSERT_EQUAL_FATAL(pipe2(ready, O_CLOEXEC), 0);
	CU_ASSERT_EQUAL_FATAL(pipe2(go, O_CLOEXEC), 0);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0)
		veth_child(ready[1], go[0], port);
	char byte;
	CU_ASSERT_EQUAL(read(ready[0], &byte, 1), 1);
	if (rt_net_endpoint_attach(&ep, pid, &err) < 0)
		fprintf(stderr, "\nattach: %s\n", err.msg);
	CU_ASSERT_NOT_EQUAL(if_nametoindex("msttveth0"), 0);
	CU_ASSERT_EQUAL(write(go[1], "1", 1), 1);
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fprintf(stderr, "\nchild status 0x%x\n", status);

	CU_ASSERT_EQUAL(rt_net_link_delete("msttveth0", &err), 0);
	CU_ASSERT_EQUAL(if_nametoindex("msttveth0"), 0);
	CU_ASSERT_EQUAL(rt_net_link_delete("msttveth0", &err), 0);
	CU_ASSERT_EQUAL(rt_net_link_delete("mstt0", &err), 0);
	CU_ASSERT_EQUAL(if_nametoindex("mstt0"), 0);
	CU_ASSERT_EQUAL(rt_net_link_delete("bad/name", &err), -EINVAL);
	for (int i = 0; i < 2; i++) {
		close(ready[i]);
		close(go[i]);
	}
	close(listen_fd);
}

static const struct cunit_test tests[] = {
	{ "subnet parse", test_subnet_parse },
	{ "ipam next-fit sequence", test_ipam_sequence },
	{ "ipam reserve and range", test_ipam_reserve },
	{ "bridge and veth live", test_bridge_and_veth },
	{ NULL, NULL },
};

int main(void)
{
	/* Everything the live test creates lives and dies with this
	 * namespace; the host's interfaces are never touched. */
	in_private_netns = geteuid() == 0 && unshare(CLONE_NEWNET) == 0;
	return cunit_run("runtime net", tests);
}
