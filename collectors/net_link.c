/* SPDX-License-Identifier: MIT */
/*
 * Reads interface counters with one RTM_GETLINK dump: IFLA_STATS64 of every
 * link but loopback, the same numbers /proc/net/dev shows, without text to
 * parse. The parser takes a buffer, so tests feed it built messages.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "collectors/net_link.h"

struct open_job {
	const char *ns_path;
	int fd;
	int result;
};

/* setns() in a thread of its own changes only that thread's namespace; the
 * socket it creates stays in the namespace after the thread ends. */
static void *open_thread(void *arg)
{
	struct open_job *job = arg;
	int ns_fd = open(job->ns_path, O_RDONLY | O_CLOEXEC);

	if (ns_fd < 0) {
		job->result = -errno;
		return NULL;
	}
	if (setns(ns_fd, CLONE_NEWNET) < 0) {
		job->result = -errno;
		close(ns_fd);
		return NULL;
	}
	close(ns_fd);
	job->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	job->result = job->fd < 0 ? -errno : 0;
	return NULL;
}

int net_link_open(const char *ns_path, int *ret_fd)
{
	struct open_job job = { .ns_path = ns_path, .fd = -1 };
	pthread_t thread;
	int r = pthread_create(&thread, NULL, open_thread, &job);

	if (r != 0)
		return -r;
	(void)pthread_join(thread, NULL);
	if (job.result < 0)
		return job.result;
	*ret_fd = job.fd;
	return 0;
}

int net_link_request(int fd, uint32_t seq)
{
	struct {
		struct nlmsghdr h;
		struct ifinfomsg ifi;
	} req = {
		.h = {
			.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
			.nlmsg_type = RTM_GETLINK,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			.nlmsg_seq = seq,
		},
		.ifi = { .ifi_family = AF_UNSPEC },
	};
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	if (sendto(fd, &req, req.h.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -errno;
	return 0;
}

static int add_checked(uint64_t *sum, uint64_t v)
{
	if (*sum > UINT64_MAX - v)
		return -ERANGE;
	*sum += v;
	return 0;
}

/* Adds one RTM_NEWLINK message. A link without IFLA_STATS64 or a name is
 * skipped: it has nothing to count. */
static int add_link(const struct nlmsghdr *h, struct net_link_acc *acc)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	const struct rtnl_link_stats64 *st = NULL;
	const char *name = NULL;
	size_t name_len = 0;
	int attr_len = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*ifi));

	if (attr_len < 0)
		return -EINVAL;
	if (ifi->ifi_flags & IFF_LOOPBACK)
		return 0;
	for (const struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, attr_len);
	     a = RTA_NEXT(a, attr_len)) {
		if (a->rta_type == IFLA_IFNAME) {
			name = RTA_DATA(a);
			name_len = strnlen(name, RTA_PAYLOAD(a));
		} else if (a->rta_type == IFLA_STATS64 && RTA_PAYLOAD(a) >= sizeof(*st)) {
			st = RTA_DATA(a);
		}
	}
	if (!st || !name || name_len == 0 || name_len >= IF_NAMESIZE)
		return 0;

	struct rtnl_link_stats64 s;
	memcpy(&s, st, sizeof(s)); /* the attribute is only 4-byte aligned */
	const uint64_t v[8] = { s.rx_bytes, s.rx_packets, s.rx_errors, s.rx_dropped,
				s.tx_bytes, s.tx_packets, s.tx_errors, s.tx_dropped };
	for (int i = 0; i < 8; i++)
		if (add_checked(&acc->totals[i], v[i]) < 0)
			return -ERANGE;
	if (acc->n >= SAMPLE_MAX_NETIFS)
		return 0;

	struct sample_netif *nif = &acc->netif[acc->n++];
	memset(nif, 0, sizeof(*nif));
	memcpy(nif->name, name, name_len);
	nif->rx_bytes = s.rx_bytes;
	nif->rx_packets = s.rx_packets;
	nif->rx_errors = s.rx_errors;
	nif->rx_dropped = s.rx_dropped;
	nif->tx_bytes = s.tx_bytes;
	nif->tx_packets = s.tx_packets;
	nif->tx_errors = s.tx_errors;
	nif->tx_dropped = s.tx_dropped;
	return 0;
}

int net_link_parse(const void *buf, size_t len, uint32_t seq, struct net_link_acc *acc,
		   bool *ret_done)
{
	int r;

	for (const struct nlmsghdr *h = buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
		if (h->nlmsg_seq != seq)
			continue;
		switch (h->nlmsg_type) {
		case NLMSG_DONE:
			*ret_done = true;
			return 0;
		case NLMSG_ERROR:
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr)))
				return -EINVAL;
			r = ((const struct nlmsgerr *)NLMSG_DATA(h))->error;
			return r < 0 ? r : -EPROTO;
		case RTM_NEWLINK:
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg)))
				return -EINVAL;
			r = add_link(h, acc);
			if (r < 0)
				return r;
			break;
		default:
			break;
		}
	}
	if (len != 0)
		return -EINVAL; /* a truncated message */
	return 0;
}

void net_link_store(const struct net_link_acc *acc, struct sample *s)
{
	static const enum sample_key keys[8] = {
		SAMPLE_NET_RX_BYTES,   SAMPLE_NET_RX_PACKETS, SAMPLE_NET_RX_ERRORS,
		SAMPLE_NET_RX_DROPPED, SAMPLE_NET_TX_BYTES,   SAMPLE_NET_TX_PACKETS,
		SAMPLE_NET_TX_ERRORS,  SAMPLE_NET_TX_DROPPED,
	};

	memcpy(s->netif, acc->netif, acc->n * sizeof(acc->netif[0]));
	s->n_netif = acc->n;
	for (int i = 0; i < 8; i++)
		sample_set(s, keys[i], acc->totals[i]);
}
