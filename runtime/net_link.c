/* SPDX-License-Identifier: MIT */
/*
 * rtnetlink requests for bridge networking: create the bridge, create a veth
 * pair with one end in a container's network namespace, give eth0 its
 * address and default route, and delete links. Raw netlink rather than
 * libmnl: six fixed requests need only an attribute writer and an ACK
 * reader, and the agent gains no library. Runs in the parent, never in the
 * cloned child.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "runtime/net.h"

#define NL_REQUEST_SIZE 1024

struct nl_request {
	struct nlmsghdr *h;
	char buf[NL_REQUEST_SIZE] __attribute__((aligned(NLMSG_ALIGNTO)));
};

/* Starts a request of type with a zeroed family header of header_len bytes,
 * returned in *ret_header. */
static void nl_begin(struct nl_request *req, uint16_t type, uint16_t flags, size_t header_len,
		     void **ret_header)
{
	memset(req->buf, 0, sizeof(req->buf));
	req->h = (struct nlmsghdr *)req->buf;
	req->h->nlmsg_len = (uint32_t)NLMSG_LENGTH(header_len);
	req->h->nlmsg_type = type;
	req->h->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | NLM_F_ACK | flags);
	*ret_header = NLMSG_DATA(req->h);
}

/* Appends one attribute; returns it, or NULL when the buffer is full. */
static struct rtattr *nl_put(struct nl_request *req, uint16_t type, const void *data, size_t len)
{
	size_t at = NLMSG_ALIGN(req->h->nlmsg_len);
	struct rtattr *a = (struct rtattr *)(req->buf + at);

	if (at + RTA_SPACE(len) > sizeof(req->buf))
		return NULL;
	a->rta_type = type;
	a->rta_len = (uint16_t)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	req->h->nlmsg_len = (uint32_t)(at + RTA_ALIGN(a->rta_len));
	return a;
}

static struct rtattr *nl_put_string(struct nl_request *req, uint16_t type, const char *s)
{
	return nl_put(req, type, s, strlen(s) + 1);
}

/* Closes a nested attribute opened with nl_put(req, type, NULL, 0). */
static void nl_nest_end(struct nl_request *req, struct rtattr *nest)
{
	nest->rta_len = (uint16_t)(req->buf + req->h->nlmsg_len - (char *)nest);
}

static int nl_open(int *ret_fd)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (fd < 0)
		return -errno;
	*ret_fd = fd;
	return 0;
}

/* Sends a request and waits for its ACK. Returns 0 or the kernel's -errno. */
static int nl_transact(int fd, struct nl_request *req)
{
	static uint32_t seq;
	char reply[4096] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	req->h->nlmsg_seq = __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED);
	if (sendto(fd, req->buf, req->h->nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) <
	    0)
		return -errno;

	/* Bounded: the kernel sends one ACK per request; stray messages of
	 * earlier requests are skipped by their sequence number. */
	for (int tries = 0; tries < 16; tries++) {
		ssize_t n = recv(fd, reply, sizeof(reply), 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)reply; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != req->h->nlmsg_seq || h->nlmsg_type != NLMSG_ERROR)
				continue;
			const struct nlmsgerr *e = NLMSG_DATA(h);
			return e->error;
		}
	}
	return -EPROTO;
}

/* Sets IFF_UP on the link with index ifindex. */
static int link_set_up(int fd, int ifindex)
{
	struct nl_request req;
	struct ifinfomsg *ifi;

	nl_begin(&req, RTM_NEWLINK, 0, sizeof(*ifi), (void **)&ifi);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	return nl_transact(fd, &req);
}

static int addr_add(int fd, int ifindex, uint32_t address, unsigned prefix_len)
{
	uint32_t broadcast = address | htonl(~(~(uint32_t)0 << (32 - prefix_len)));
	struct nl_request req;
	struct ifaddrmsg *ifa;

	nl_begin(&req, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, sizeof(*ifa), (void **)&ifa);
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (unsigned char)prefix_len;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (unsigned)ifindex;
	if (!nl_put(&req, IFA_LOCAL, &address, 4) || !nl_put(&req, IFA_ADDRESS, &address, 4) ||
	    !nl_put(&req, IFA_BROADCAST, &broadcast, 4))
		return -ENOBUFS;
	return nl_transact(fd, &req);
}

static int route_add_default(int fd, int ifindex, uint32_t gateway)
{
	struct nl_request req;
	struct rtmsg *rt;
	uint32_t oif = (uint32_t)ifindex;

	nl_begin(&req, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, sizeof(*rt), (void **)&rt);
	rt->rtm_family = AF_INET;
	rt->rtm_table = RT_TABLE_MAIN;
	rt->rtm_protocol = RTPROT_BOOT;
	rt->rtm_scope = RT_SCOPE_UNIVERSE;
	rt->rtm_type = RTN_UNICAST;
	if (!nl_put(&req, RTA_GATEWAY, &gateway, 4) || !nl_put(&req, RTA_OIF, &oif, 4))
		return -ENOBUFS;
	return nl_transact(fd, &req);
}

/* Creates a link of kind with name; the caller checks -EEXIST. */
static int link_create_bridge(int fd, const char *name)
{
	struct nl_request req;
	struct ifinfomsg *ifi;
	struct rtattr *info;

	nl_begin(&req, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sizeof(*ifi), (void **)&ifi);
	ifi->ifi_family = AF_UNSPEC;
	if (!nl_put_string(&req, IFLA_IFNAME, name))
		return -ENOBUFS;
	info = nl_put(&req, IFLA_LINKINFO, NULL, 0);
	if (!info || !nl_put_string(&req, IFLA_INFO_KIND, "bridge"))
		return -ENOBUFS;
	nl_nest_end(&req, info);
	return nl_transact(fd, &req);
}

/* Finds IFLA_INFO_KIND inside the IFLA_LINKINFO of an RTM_NEWLINK reply. */
static bool reply_kind_is(const struct nlmsghdr *h, const char *kind)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	int len = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*ifi));

	for (const struct rtattr *a = IFLA_RTA(ifi); len > 0 && RTA_OK(a, len);
	     a = RTA_NEXT(a, len)) {
		if (a->rta_type != IFLA_LINKINFO)
			continue;
		int info_len = (int)RTA_PAYLOAD(a);
		for (const struct rtattr *i = RTA_DATA(a); RTA_OK(i, info_len);
		     i = RTA_NEXT(i, info_len))
			if (i->rta_type == IFLA_INFO_KIND &&
			    strncmp(RTA_DATA(i), kind, RTA_PAYLOAD(i)) == 0)
				return true;
	}
	return false;
}

/* Requests the link of that name over the caller's socket, so
 * that the reply describes the socket's network namespace (sysfs may show
 * another one). */
static bool link_is_bridge(int fd, const char *name)
{
	static uint32_t seq = 0x40000000;
	char reply[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct nl_request req;
	struct ifinfomsg *ifi;

	nl_begin(&req, RTM_GETLINK, 0, sizeof(*ifi), (void **)&ifi);
	req.h->nlmsg_flags = NLM_F_REQUEST;
	req.h->nlmsg_seq = __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED);
	ifi->ifi_family = AF_UNSPEC;
	if (!nl_put_string(&req, IFLA_IFNAME, name) ||
	    sendto(fd, req.buf, req.h->nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) <
		0)
		return false;
	for (int tries = 0; tries < 16; tries++) {
		ssize_t n = recv(fd, reply, sizeof(reply), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return false;
		for (struct nlmsghdr *h = (struct nlmsghdr *)reply; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != req.h->nlmsg_seq)
				continue;
			return h->nlmsg_type == RTM_NEWLINK && reply_kind_is(h, "bridge");
		}
	}
	return false;
}

static bool ifname_is_valid(const char *name)
{
	size_t len = strnlen(name, IFNAMSIZ);

	return len > 0 && len < IFNAMSIZ && !strchr(name, '/') && strcmp(name, ".") != 0 &&
	       strcmp(name, "..") != 0;
}

int rt_net_bridge_ensure(const char *name, uint32_t gateway, unsigned prefix_len, bool *ret_created,
			 struct mst_err *err)
{
	bool created = false;
	int fd = -1, r, ifindex;

	if (!ifname_is_valid(name))
		return err_setx(err, EINVAL, "invalid bridge name '%s'", name);
	r = nl_open(&fd);
	if (r < 0)
		return err_set(err, -r, "open a netlink socket");

	r = link_create_bridge(fd, name);
	if (r == 0)
		created = true;
	else if (r != -EEXIST) {
		r = err_set(err, -r, "create bridge %s", name);
		goto out;
	} else if (!link_is_bridge(fd, name)) {
		r = err_setx(err, EEXIST, "interface %s exists and is not a bridge", name);
		goto out;
	}

	ifindex = (int)if_nametoindex(name);
	if (ifindex == 0) {
		r = err_set(err, errno, "find bridge %s", name);
		goto out;
	}
	r = addr_add(fd, ifindex, gateway, prefix_len);
	if (r < 0 && r != -EEXIST) {
		r = err_set(err, -r, "add the gateway address to bridge %s", name);
		goto out;
	}
	r = link_set_up(fd, ifindex);
	if (r < 0) {
		r = err_set(err, -r, "bring bridge %s up", name);
		goto out;
	}
	*ret_created = created;
out:
	if (r < 0 && created)
		(void)rt_net_link_delete(name, NULL);
	close(fd);
	return r;
}

int rt_net_link_delete(const char *name, struct mst_err *err)
{
	struct nl_request req;
	struct ifinfomsg *ifi;
	int fd = -1, r;

	if (!ifname_is_valid(name))
		return err_setx(err, EINVAL, "invalid interface name '%s'", name);
	r = nl_open(&fd);
	if (r < 0)
		return err_set(err, -r, "open a netlink socket");
	nl_begin(&req, RTM_DELLINK, 0, sizeof(*ifi), (void **)&ifi);
	ifi->ifi_family = AF_UNSPEC;
	r = nl_put_string(&req, IFLA_IFNAME, name) ? nl_transact(fd, &req) : -ENOBUFS;
	close(fd);
	if (r == -ENODEV)
		return 0;
	if (r < 0)
		return err_set(err, -r, "delete interface %s", name);
	return 0;
}

/* Docker's scheme: 02:42 and the four bytes of the IPv4 address, so that an
 * address always has the same locally administered MAC address. */
static void mac_from_address(uint32_t address, unsigned char mac[6])
{
	mac[0] = 0x02;
	mac[1] = 0x42;
	memcpy(mac + 2, &address, 4);
}

static int veth_create(int fd, const struct rt_net_endpoint *ep, int bridge_index, pid_t pid)
{
	struct nl_request req;
	struct ifinfomsg *ifi, peer = { .ifi_family = AF_UNSPEC };
	struct rtattr *info, *data, *peer_attr;
	uint32_t master = (uint32_t)bridge_index, ns_pid = (uint32_t)pid;
	unsigned char mac[6];

	mac_from_address(ep->address, mac);
	nl_begin(&req, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sizeof(*ifi), (void **)&ifi);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	if (!nl_put_string(&req, IFLA_IFNAME, ep->host_if) ||
	    !nl_put(&req, IFLA_MASTER, &master, 4))
		return -ENOBUFS;
	info = nl_put(&req, IFLA_LINKINFO, NULL, 0);
	if (!info || !nl_put_string(&req, IFLA_INFO_KIND, "veth"))
		return -ENOBUFS;
	data = nl_put(&req, IFLA_INFO_DATA, NULL, 0);
	/* The peer's attributes follow its ifinfomsg inside VETH_INFO_PEER. */
	peer_attr = data ? nl_put(&req, VETH_INFO_PEER, &peer, sizeof(peer)) : NULL;
	if (!peer_attr || !nl_put_string(&req, IFLA_IFNAME, RT_NET_CONTAINER_IF) ||
	    !nl_put(&req, IFLA_ADDRESS, mac, sizeof(mac)) ||
	    !nl_put(&req, IFLA_NET_NS_PID, &ns_pid, 4))
		return -ENOBUFS;
	nl_nest_end(&req, peer_attr);
	nl_nest_end(&req, data);
	nl_nest_end(&req, info);
	return nl_transact(fd, &req);
}

struct netns_job {
	pid_t pid;
	const struct rt_net_endpoint *ep; /* NULL: only open a socket */
	int fd;				  /* the socket opened in the namespace */
	int result;			  /* 0 or -errno */
	const char *step;		  /* the step that failed */
};

/* Configures eth0 from inside the container's network namespace. */
static int configure_eth0(struct netns_job *job)
{
	const struct rt_net_endpoint *ep = job->ep;
	int ifindex = (int)if_nametoindex(RT_NET_CONTAINER_IF);
	int r;

	job->step = "find " RT_NET_CONTAINER_IF;
	if (ifindex == 0)
		return -errno;
	job->step = "add the address of " RT_NET_CONTAINER_IF;
	r = addr_add(job->fd, ifindex, ep->address, ep->prefix_len);
	if (r < 0)
		return r;
	job->step = "bring " RT_NET_CONTAINER_IF " up";
	r = link_set_up(job->fd, ifindex);
	if (r < 0)
		return r;
	job->step = "add the default route";
	return route_add_default(job->fd, ifindex, ep->gateway);
}

/* Thread body: setns() changes only this thread's network namespace, and
 * the thread ends right after, so the agent's other threads never see it. */
static void *netns_thread(void *arg)
{
	struct netns_job *job = arg;
	char path[64];
	int ns_fd;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)job->pid);
	job->step = "open the network namespace";
	ns_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (ns_fd < 0) {
		job->result = -errno;
		return NULL;
	}
	job->step = "enter the network namespace";
	if (setns(ns_fd, CLONE_NEWNET) < 0) {
		job->result = -errno;
		close(ns_fd);
		return NULL;
	}
	close(ns_fd);
	job->step = "open a netlink socket";
	job->result = nl_open(&job->fd);
	if (job->result == 0 && job->ep)
		job->result = configure_eth0(job);
	return NULL;
}

static int run_in_netns(struct netns_job *job)
{
	pthread_t thread;
	int r;

	job->fd = -1;
	job->result = 0;
	r = pthread_create(&thread, NULL, netns_thread, job);
	if (r != 0)
		return -r;
	(void)pthread_join(thread, NULL);
	if (job->result < 0 && job->fd >= 0) {
		close(job->fd);
		job->fd = -1;
	}
	return job->result;
}

int rt_net_netns_socket(pid_t pid, int *ret_fd)
{
	struct netns_job job = { .pid = pid };
	int r = run_in_netns(&job);

	if (r < 0)
		return r;
	*ret_fd = job.fd;
	return 0;
}

int rt_net_endpoint_attach(const struct rt_net_endpoint *ep, pid_t pid, struct mst_err *err)
{
	struct netns_job job = { .pid = pid, .ep = ep };
	int fd = -1, r, bridge_index;

	if (!ifname_is_valid(ep->host_if) || !ifname_is_valid(ep->bridge))
		return err_setx(err, EINVAL, "invalid interface names '%s' and '%s'", ep->host_if,
				ep->bridge);
	bridge_index = (int)if_nametoindex(ep->bridge);
	if (bridge_index == 0)
		return err_set(err, errno, "find bridge %s", ep->bridge);

	r = nl_open(&fd);
	if (r < 0)
		return err_set(err, -r, "open a netlink socket");
	r = veth_create(fd, ep, bridge_index, pid);
	close(fd);
	if (r < 0)
		return err_set(err, -r, "create veth pair %s on bridge %s", ep->host_if,
			       ep->bridge);

	r = run_in_netns(&job);
	if (job.fd >= 0)
		close(job.fd);
	if (r < 0) {
		char address[INET_ADDRSTRLEN];

		(void)rt_net_link_delete(ep->host_if, NULL);
		inet_ntop(AF_INET, &ep->address, address, sizeof(address));
		return err_set(err, -r, "%s (%s/%u) in the container", job.step, address,
			       ep->prefix_len);
	}
	return 0;
}

bool rt_net_has_ipv6(void)
{
	return access("/proc/net/if_inet6", F_OK) == 0;
}
