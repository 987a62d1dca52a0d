/* SPDX-License-Identifier: MIT */
/* The RTM_GETLINK dump parser of the net collector, fed with messages built
 * as the kernel lays them out: loopback skipped, names and IFLA_STATS64
 * read, totals over more interfaces than a sample keeps, errors, foreign
 * sequence numbers and truncation. As root, one live dump in a private
 * network namespace. */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collectors/builtin.h"
#include "collectors/net_link.h"
#include "tests/unit/cunit_main.h"

#define SEQ 77

struct msgbuf {
	char data[65536] __attribute__((aligned(NLMSG_ALIGNTO)));
	size_t len;
};

static struct rtattr *put_attr(struct nlmsghdr *h, uint16_t type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));

	a->rta_type = type;
	a->rta_len = (uint16_t)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(a->rta_len);
	return a;
}

/* Sets the counters to base, base + 1, ..., in the order rx bytes, packets,
 * errors, dropped, then tx. */
static void fill_counters(struct rtnl_link_stats64 *st, uint64_t base)
{
	st->rx_bytes = base;
	st->rx_packets = base + 1;
	st->rx_errors = base + 2;
	st->rx_dropped = base + 3;
	st->tx_bytes = base + 4;
	st->tx_packets = base + 5;
	st->tx_errors = base + 6;
	st->tx_dropped = base + 7;
}

/* Appends an RTM_NEWLINK with the counters of fill_counters(). */
static void add_link(struct msgbuf *b, uint32_t seq, int ifindex, const char *name, unsigned flags,
		     uint64_t base)
{
	struct nlmsghdr *h = (struct nlmsghdr *)(b->data + b->len);
	struct ifinfomsg *ifi = NLMSG_DATA(h);
	struct rtnl_link_stats64 st = { 0 };

	memset(h, 0, NLMSG_SPACE(sizeof(*ifi)));
	h->nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	h->nlmsg_type = RTM_NEWLINK;
	h->nlmsg_flags = NLM_F_MULTI;
	h->nlmsg_seq = seq;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = flags;
	fill_counters(&st, base);
	uint32_t mtu = 1500;
	put_attr(h, IFLA_MTU, &mtu, sizeof(mtu));
	put_attr(h, IFLA_IFNAME, name, strlen(name) + 1);
	put_attr(h, IFLA_STATS64, &st, sizeof(st));
	b->len += NLMSG_ALIGN(h->nlmsg_len);
}

/* Appends an RTM_NEWSTATS with the IFLA_STATS_LINK_64 counters of
 * fill_counters(). */
static void add_stats(struct msgbuf *b, uint32_t seq, int ifindex, uint64_t base)
{
	struct nlmsghdr *h = (struct nlmsghdr *)(b->data + b->len);
	struct if_stats_msg *ifsm = NLMSG_DATA(h);
	struct rtnl_link_stats64 st = { 0 };

	memset(h, 0, NLMSG_SPACE(sizeof(*ifsm)));
	h->nlmsg_len = NLMSG_LENGTH(sizeof(*ifsm));
	h->nlmsg_type = RTM_NEWSTATS;
	h->nlmsg_flags = NLM_F_MULTI;
	h->nlmsg_seq = seq;
	ifsm->ifindex = (uint32_t)ifindex;
	ifsm->filter_mask = IFLA_STATS_FILTER_BIT(IFLA_STATS_LINK_64);
	fill_counters(&st, base);
	put_attr(h, IFLA_STATS_LINK_64, &st, sizeof(st));
	b->len += NLMSG_ALIGN(h->nlmsg_len);
}

static void add_simple(struct msgbuf *b, uint32_t seq, uint16_t type, int error)
{
	struct nlmsghdr *h = (struct nlmsghdr *)(b->data + b->len);

	memset(h, 0, NLMSG_SPACE(sizeof(struct nlmsgerr)));
	h->nlmsg_type = type;
	h->nlmsg_seq = seq;
	if (type == NLMSG_ERROR) {
		h->nlmsg_len = NLMSG_LENGTH(sizeof(struct nlmsgerr));
		((struct nlmsgerr *)NLMSG_DATA(h))->error = error;
	} else {
		h->nlmsg_len = NLMSG_LENGTH(sizeof(int));
	}
	b->len += NLMSG_ALIGN(h->nlmsg_len);
}

static void test_dump_two_parts(void)
{
	static struct msgbuf part1, part2;
	struct net_link_acc acc = { 0 };
	SAMPLE_DECLARE(s);
	bool done = false;

	part1.len = part2.len = 0;
	add_link(&part1, SEQ, 1, "lo", IFF_LOOPBACK | IFF_UP, 5000);
	add_link(&part1, SEQ, 2, "eth0", IFF_UP, 1000);
	add_link(&part1, SEQ - 1, 9, "stale0", IFF_UP, 9000); /* an earlier pass */
	add_link(&part2, SEQ, 3, "eth1", IFF_UP, 100);
	add_simple(&part2, SEQ, NLMSG_DONE, 0);

	CU_ASSERT_EQUAL(net_link_parse(part1.data, part1.len, SEQ, &acc, &done), 0);
	CU_ASSERT_FALSE(done);
	CU_ASSERT_EQUAL(net_link_parse(part2.data, part2.len, SEQ, &acc, &done), 0);
	CU_ASSERT_TRUE(done);
	CU_ASSERT_EQUAL_FATAL(acc.n, 2);
	CU_ASSERT_STRING_EQUAL(acc.netif[0].name, "eth0");
	CU_ASSERT_EQUAL(acc.netif[0].rx_bytes, 1000);
	CU_ASSERT_EQUAL(acc.netif[0].tx_dropped, 1007);
	CU_ASSERT_STRING_EQUAL(acc.netif[1].name, "eth1");

	sample_reset(&s);
	net_link_store(&acc, &s);
	CU_ASSERT_EQUAL(s.n_netif, 2);
	CU_ASSERT_TRUE(sample_has(&s, SAMPLE_NET_RX_BYTES));
	CU_ASSERT_EQUAL(s.value[SAMPLE_NET_RX_BYTES], 1100);
	CU_ASSERT_EQUAL(s.value[SAMPLE_NET_RX_PACKETS], 1102);
	CU_ASSERT_EQUAL(s.value[SAMPLE_NET_TX_BYTES], 1108);
	CU_ASSERT_EQUAL(s.value[SAMPLE_NET_TX_DROPPED], 1114);
}

static void test_dump_many_interfaces(void)
{
	static struct msgbuf b;
	struct net_link_acc acc = { 0 };
	bool done = false;

	b.len = 0;
	for (int i = 0; i < SAMPLE_MAX_NETIFS + 4; i++) {
		char name[IF_NAMESIZE];

		snprintf(name, sizeof(name), "veth%d", i);
		add_link(&b, SEQ, i + 2, name, IFF_UP, 10);
	}
	add_simple(&b, SEQ, NLMSG_DONE, 0);
	CU_ASSERT_EQUAL(net_link_parse(b.data, b.len, SEQ, &acc, &done), 0);
	CU_ASSERT_TRUE(done);
	CU_ASSERT_EQUAL(acc.n, SAMPLE_MAX_NETIFS);
	CU_ASSERT_EQUAL(acc.totals[0], 10 * (SAMPLE_MAX_NETIFS + 4));
}

static void test_dump_errors(void)
{
	static struct msgbuf b;
	struct net_link_acc acc = { 0 };
	bool done = false;

	b.len = 0;
	add_simple(&b, SEQ, NLMSG_ERROR, -EPERM);
	CU_ASSERT_EQUAL(net_link_parse(b.data, b.len, SEQ, &acc, &done), -EPERM);
	CU_ASSERT_FALSE(done);

	/* An error of another request is not ours. */
	CU_ASSERT_EQUAL(net_link_parse(b.data, b.len, SEQ + 1, &acc, &done), 0);

	b.len = 0;
	add_link(&b, SEQ, 2, "eth0", IFF_UP, 1);
	CU_ASSERT_EQUAL(net_link_parse(b.data, b.len - 8, SEQ, &acc, &done), -EINVAL);

	/* Two links whose byte counts overflow 64 bits together. */
	b.len = 0;
	memset(&acc, 0, sizeof(acc));
	add_link(&b, SEQ, 2, "eth0", IFF_UP, UINT64_MAX - 20);
	add_link(&b, SEQ, 3, "eth1", IFF_UP, UINT64_MAX - 20);
	CU_ASSERT_EQUAL(net_link_parse(b.data, b.len, SEQ, &acc, &done), -ERANGE);
}

static void test_dump_link_without_stats(void)
{
	static struct msgbuf b;
	struct net_link_acc acc = { 0 };
	struct nlmsghdr *h = (struct nlmsghdr *)b.data;
	bool done = false;

	memset(&b, 0, sizeof(b));
	h->nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	h->nlmsg_type = RTM_NEWLINK;
	h->nlmsg_seq = SEQ;
	put_attr(h, IFLA_IFNAME, "eth9", 5);
	b.len = NLMSG_ALIGN(h->nlmsg_len);
	CU_ASSERT_EQUAL(net_link_parse(b.data, b.len, SEQ, &acc, &done), 0);
	CU_ASSERT_EQUAL(acc.n, 0);
}

/* A link dump records every link, loopback too; a stats dump is named
 * through that table and flags an index missing from it. */
static void test_stats_named_by_links(void)
{
	static struct msgbuf links, stats;
	struct net_link_names names;
	struct net_link_acc acc;
	bool done = false;

	links.len = stats.len = 0;
	add_link(&links, SEQ, 1, "lo", IFF_LOOPBACK | IFF_UP, 5000);
	add_link(&links, SEQ, 2, "eth0", IFF_UP, 1000);
	add_link(&links, SEQ, 3, "eth1", IFF_UP, 100);
	add_simple(&links, SEQ, NLMSG_DONE, 0);
	net_link_acc_init(&acc, &names, NULL);
	CU_ASSERT_EQUAL(net_link_parse(links.data, links.len, SEQ, &acc, &done), 0);
	CU_ASSERT_EQUAL_FATAL(names.n, 3);
	CU_ASSERT_FALSE(names.overflow);
	CU_ASSERT_TRUE(names.link[0].loopback);
	CU_ASSERT_EQUAL(names.link[2].ifindex, 3);
	CU_ASSERT_STRING_EQUAL(names.link[2].name, "eth1");

	add_stats(&stats, SEQ + 1, 1, 5000);
	add_stats(&stats, SEQ + 1, 3, 200);
	add_stats(&stats, SEQ + 1, 2, 2000);
	add_simple(&stats, SEQ + 1, NLMSG_DONE, 0);
	done = false;
	net_link_acc_init(&acc, NULL, &names);
	CU_ASSERT_EQUAL(net_link_parse(stats.data, stats.len, SEQ + 1, &acc, &done), 0);
	CU_ASSERT_TRUE(done);
	CU_ASSERT_FALSE(acc.unknown);
	CU_ASSERT_EQUAL_FATAL(acc.n, 2);
	CU_ASSERT_STRING_EQUAL(acc.netif[0].name, "eth1");
	CU_ASSERT_EQUAL(acc.netif[0].rx_bytes, 200);
	CU_ASSERT_STRING_EQUAL(acc.netif[1].name, "eth0");
	CU_ASSERT_EQUAL(acc.netif[1].tx_dropped, 2007);
	CU_ASSERT_EQUAL(acc.totals[0], 2200);

	/* An interface that appeared after the link dump */
	stats.len = 0;
	add_stats(&stats, SEQ + 2, 4, 7);
	add_simple(&stats, SEQ + 2, NLMSG_DONE, 0);
	net_link_acc_init(&acc, NULL, &names);
	CU_ASSERT_EQUAL(net_link_parse(stats.data, stats.len, SEQ + 2, &acc, &done), 0);
	CU_ASSERT_TRUE(acc.unknown);
	CU_ASSERT_EQUAL(acc.n, 0);
}

/* More links than the name table has room for mark it incomplete. */
static void test_names_overflow(void)
{
	static struct msgbuf b;
	struct net_link_names names;
	struct net_link_acc acc;
	bool done = false;

	b.len = 0;
	for (int i = 0; i < NET_LINK_NAMES_MAX + 1; i++) {
		char name[IF_NAMESIZE];

		snprintf(name, sizeof(name), "veth%d", i);
		add_link(&b, SEQ, i + 2, name, IFF_UP, 10);
	}
	add_simple(&b, SEQ, NLMSG_DONE, 0);
	net_link_acc_init(&acc, &names, NULL);
	CU_ASSERT_EQUAL(net_link_parse(b.data, b.len, SEQ, &acc, &done), 0);
	CU_ASSERT_EQUAL(names.n, NET_LINK_NAMES_MAX);
	CU_ASSERT_TRUE(names.overflow);
	CU_ASSERT_EQUAL(acc.n, NET_LINK_NAMES_MAX + 1);
}

/* Runs one live dump of type on fd into acc. */
static void live_dump(int fd, int type, uint32_t seq, struct net_link_acc *acc)
{
	static char buf[32768] __attribute__((aligned(NLMSG_ALIGNTO)));
	bool done = false;

	int r = type == RTM_GETSTATS ? net_link_request_stats(fd, seq) : net_link_request(fd, seq);

	CU_ASSERT_EQUAL_FATAL(r, 0);
	for (int i = 0; i < 16 && !done; i++) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		CU_ASSERT_FATAL(n > 0);
		CU_ASSERT_EQUAL_FATAL(net_link_parse(buf, (size_t)n, seq, acc, &done), 0);
	}
	CU_ASSERT_TRUE(done);
}

/* In the test's own namespace, with a veth pair it creates and leaves down
 * so that no packet changes the counters, both dumps agree. */
static void test_live_stats_match_links(void)
{
	static struct net_link_acc links, stats;
	struct net_link_names names;
	int fd;

	if (geteuid() != 0) {
		printf("skipped: needs root for a private network namespace\n");
		return;
	}
	if (system("ip link add mstat-t0 type veth peer name mstat-t1") != 0) {
		printf("skipped: ip link add of a veth pair failed\n");
		return;
	}
	CU_ASSERT_EQUAL_FATAL(net_link_open("/proc/self/ns/net", &fd), 0);
	net_link_acc_init(&links, &names, NULL);
	live_dump(fd, RTM_GETLINK, SEQ, &links);
	CU_ASSERT_EQUAL(names.n, 3);
	net_link_acc_init(&stats, NULL, &names);
	live_dump(fd, RTM_GETSTATS, SEQ + 1, &stats);
	CU_ASSERT_FALSE(stats.unknown);
	CU_ASSERT_EQUAL_FATAL(stats.n, 2);
	CU_ASSERT_EQUAL_FATAL(links.n, 2);
	for (unsigned i = 0; i < 2; i++) {
		CU_ASSERT_STRING_EQUAL(stats.netif[i].name, links.netif[i].name);
		CU_ASSERT_EQUAL(memcmp(&stats.netif[i], &links.netif[i], sizeof(links.netif[i])),
				0);
	}
	close(fd);
	CU_ASSERT_EQUAL(system("ip link del mstat-t0"), 0);
}

/* Runs one collect() of the net collector into s. */
static void net_collect_once(void *state, struct sample *s)
{
	sample_reset(s);
	CU_ASSERT_EQUAL_FATAL(collector_net.collect(state, s), 0);
	CU_ASSERT_TRUE(sample_has(s, SAMPLE_NET_RX_BYTES));
}

/* The collector on the test's own namespace. With loopback alone it reads
 * nothing between link dumps, lists a veth pair created meanwhile at the
 * next one, and drops a deleted link at once. */
static void test_collector_link_changes(void)
{
	struct cg_layout layout = { .version = CG_V1 };
	const struct target_info info = { .layout = &layout, .pid = getpid() };
	void *state = NULL;
	SAMPLE_DECLARE(s);
	unsigned passes = 0;

	if (geteuid() != 0) {
		printf("skipped: needs root for a private network namespace\n");
		return;
	}
	snprintf(layout.proc_root, sizeof(layout.proc_root), "/proc");
	CU_ASSERT_EQUAL_FATAL(collector_net.open(&info, &state, NULL), 0);
	net_collect_once(state, &s);
	CU_ASSERT_EQUAL(s.n_netif, 0);

	if (system("ip link add mstat-c0 type veth peer name mstat-c1") != 0) {
		printf("skipped: ip link add of a veth pair failed\n");
		collector_net.close(state);
		return;
	}
	do {
		net_collect_once(state, &s);
		passes++;
	} while (s.n_netif == 0 && passes <= 11);
	CU_ASSERT_EQUAL(s.n_netif, 2);
	CU_ASSERT(passes <= 11);

	CU_ASSERT_EQUAL(system("ip link del mstat-c0"), 0);
	net_collect_once(state, &s);
	CU_ASSERT_EQUAL(s.n_netif, 0);
	collector_net.close(state);
}

/* A fresh network namespace has only lo, which the dump leaves out. */
static void test_live_private_namespace(void)
{
	static char buf[32768] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct net_link_acc acc = { 0 };
	bool done = false;
	int fd;

	if (geteuid() != 0) {
		printf("skipped: needs root for a private network namespace\n");
		return;
	}
	CU_ASSERT_EQUAL_FATAL(net_link_open("/proc/self/ns/net", &fd), 0);
	CU_ASSERT_EQUAL_FATAL(net_link_request(fd, SEQ), 0);
	for (int i = 0; i < 16 && !done; i++) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		CU_ASSERT_FATAL(n > 0);
		CU_ASSERT_EQUAL_FATAL(net_link_parse(buf, (size_t)n, SEQ, &acc, &done), 0);
	}
	CU_ASSERT_TRUE(done);
	CU_ASSERT_EQUAL(acc.n, 0);
	CU_ASSERT_EQUAL(net_link_open("/nonexistent/ns/net", &fd), -ENOENT);
	close(fd);
}

static const struct cunit_test tests[] = {
	{ "dump in two parts", test_dump_two_parts },
	{ "dump of many interfaces", test_dump_many_interfaces },
	{ "dump errors", test_dump_errors },
	{ "link without stats", test_dump_link_without_stats },
	{ "live private namespace", test_live_private_namespace },
	{ "stats named by links", test_stats_named_by_links },
	{ "names overflow", test_names_overflow },
	{ "live stats match links", test_live_stats_match_links },
	{ "collector link changes", test_collector_link_changes },
	{ NULL, NULL },
};

int main(void)
{
	if (geteuid() == 0 && unshare(CLONE_NEWNET) < 0) {
		perror("unshare(CLONE_NEWNET)");
		return 1;
	}
	return cunit_run("collectors net link", tests);
}
