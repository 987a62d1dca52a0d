/* SPDX-License-Identifier: MIT */
/*
 * The net collector: interface counters of the target's network namespace,
 * lo excluded. It keeps a NETLINK_ROUTE socket opened inside the namespace
 * (through <proc_root>/<pid>/ns/net) and runs one rtnetlink dump per pass:
 * RTM_GETLINK, which names the links, every NET_NAMES_INTERVAL passes and
 * whenever an unknown interface appears, RTM_GETSTATS, three times cheaper,
 * in between, and nothing in between for a namespace with loopback alone
 * (--network none), whose counters are all left out. Where that namespace file is missing, as in
 * fixture trees, it reads <proc_root>/<pid>/net/dev instead. Either descriptor keeps the namespace
 * it was opened in, even after that process exits. Never logs, never
 * allocates in collect().
 */
#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "collectors/builtin.h"
#include "collectors/cgfile.h"
#include "collectors/net_link.h"

/* Room for about a hundred interfaces before the first pass (net/dev), or
 * for one datagram of a dump (netlink): the kernel sizes dump datagrams to
 * the reader's buffer, up to 32 KiB less its skb overhead. */
#define NET_MIN_BUFFER 32768
/* A dump of SAMPLE_MAX_NETIFS links fits in a few datagrams; more reads
 * than this mean a broken reply. */
#define NET_DUMP_READS_MAX 256
/* Passes between two link dumps. NOTE: an interface renamed in between
 * keeps its old name until the next one. A new interface index starts one
 * at once, except in a namespace that had loopback alone: there the new
 * interface is read at the next link dump. */
#define NET_NAMES_INTERVAL 10

struct net_state {
	int fd;
	bool netlink;	      /* fd is a netlink socket, else net/dev */
	bool no_stats;	      /* the kernel rejected RTM_GETSTATS */
	bool names_valid;     /* names contains every link of the namespace */
	unsigned stats_dumps; /* stats dumps since the last link dump */
	struct net_link_names names;
	uint32_t seq;
};

/* One receive buffer for every target, since the pipeline collects from one
 * thread. A buffer per target cost 32 KiB of address space, and the pages
 * dumps touched made about 18 KiB of RSS per container (1000 containers). */
static struct {
	char *data;
	size_t cap;
	unsigned users; /* open states */
} net_buffer;

static int net_buffer_hold(void)
{
	if (!net_buffer.data) {
		net_buffer.data = malloc(NET_MIN_BUFFER);
		if (!net_buffer.data)
			return -ENOMEM;
		net_buffer.cap = NET_MIN_BUFFER;
	}
	net_buffer.users++;
	return 0;
}

static void net_buffer_release(void)
{
	if (--net_buffer.users > 0)
		return;
	free(net_buffer.data);
	net_buffer.data = NULL;
	net_buffer.cap = 0;
}

static void net_close(void *state)
{
	struct net_state *st = state;

	if (!st)
		return;
	if (st->fd >= 0)
		close(st->fd);
	net_buffer_release();
	free(st);
}

/* Opens the netlink socket in the target's namespace; a receive timeout
 * bounds a pass even if the kernel never finishes the dump. */
static int open_netlink(struct net_state *st, const char *dir)
{
	struct timeval timeout = { .tv_sec = 1 };
	char path[PATH_MAX];
	int r;

	if (snprintf(path, sizeof(path), "%s/ns/net", dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	r = net_link_open(path, &st->fd);
	if (r < 0)
		return r;
	if (setsockopt(st->fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)) < 0) {
		r = -errno;
		close(st->fd);
		st->fd = -1;
		return r;
	}
	st->netlink = true;
	return 0;
}

static int open_net_dev(struct net_state *st, const char *dir, struct mst_err *err)
{
	char net_dir[PATH_MAX];
	int r;

	if (snprintf(net_dir, sizeof(net_dir), "%s/net", dir) >= (int)sizeof(net_dir))
		return err_setx(err, ENAMETOOLONG, "path %s/net is too long", dir);
	r = cgfile_open(net_dir, "dev", &st->fd);
	if (r == -ENOENT || r == -ESRCH)
		return -ENOENT; /* the process is gone: nothing to read, not an error */
	if (r < 0)
		return err_set(err, -r, "open %s/dev", net_dir);
	r = cgfile_fit_buffer(st->fd, &net_buffer.data, &net_buffer.cap);
	if (r < 0)
		return err_set(err, -r, "read %s/dev", net_dir);
	return 0;
}

static int net_open(const struct target_info *t, void **ret_state, struct mst_err *err)
{
	char dir[PATH_MAX];
	struct net_state *st;
	int r;

	if (t->pid <= 0)
		return -ENOENT;
	if (snprintf(dir, sizeof(dir), "%s/%d", t->layout->proc_root, (int)t->pid) >=
	    (int)sizeof(dir) - 16)
		return err_setx(err, ENAMETOOLONG, "proc root %s is too long",
				t->layout->proc_root);

	st = calloc(1, sizeof(*st));
	if (!st)
		return err_set(err, ENOMEM, "open the network counters of %s", dir);
	st->fd = -1;
	if (net_buffer_hold() < 0) {
		free(st);
		return err_set(err, ENOMEM, "open the network counters of %s", dir);
	}

	r = open_netlink(st, dir);
	if (r == -ESRCH) {
		net_close(st);
		return -ENOENT;
	}
	if (r < 0)
		r = open_net_dev(st, dir, err);
	if (r < 0) {
		net_close(st);
		return r;
	}
	*ret_state = st;
	return 0;
}

/* Runs one dump of type RTM_GETLINK or RTM_GETSTATS into acc. */
static int run_dump(struct net_state *st, int type, struct net_link_acc *acc)
{
	bool done = false;
	int r;

	st->seq++;
	r = type == RTM_GETSTATS ? net_link_request_stats(st->fd, st->seq)
				 : net_link_request(st->fd, st->seq);
	if (r < 0)
		return r;
	for (int reads = 0; !done && reads < NET_DUMP_READS_MAX; reads++) {
		ssize_t n = recv(st->fd, net_buffer.data, net_buffer.cap, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		r = net_link_parse(net_buffer.data, (size_t)n, st->seq, acc, &done);
		if (r < 0)
			return r;
	}
	return done ? 0 : -EPROTO;
}

/* Reads the counters with a stats dump. Returns 1 when it could not name
 * every interface, so that a link dump must follow. */
static int collect_stats(struct net_state *st, struct net_link_acc *acc)
{
	net_link_acc_init(acc, NULL, &st->names);
	int r = run_dump(st, RTM_GETSTATS, acc);
	if (r == -EOPNOTSUPP || r == -EINVAL) {
		st->no_stats = true; /* a kernel older than 4.7 */
		return 1;
	}
	if (r < 0)
		return r;
	return acc->unknown ? 1 : 0;
}

/* True when the namespace had no link but loopback at the last link dump. */
static bool loopback_only(const struct net_link_names *names)
{
	for (unsigned i = 0; i < names->n; i++)
		if (!names->link[i].loopback)
			return false;
	return true;
}

static int collect_netlink(struct net_state *st, struct sample *s)
{
	struct net_link_acc acc;
	int r = 1;

	if (st->names_valid && st->stats_dumps < NET_NAMES_INTERVAL && loopback_only(&st->names)) {
		net_link_acc_init(&acc, NULL, NULL);
		st->stats_dumps++;
		r = 0;
	} else if (st->names_valid && !st->no_stats && st->stats_dumps < NET_NAMES_INTERVAL) {
		r = collect_stats(st, &acc);
		if (r < 0)
			return r;
		st->stats_dumps++;
	}
	if (r > 0) {
		st->names_valid = false;
		net_link_acc_init(&acc, &st->names, NULL);
		r = run_dump(st, RTM_GETLINK, &acc);
		if (r < 0)
			return r;
		st->names_valid = !st->names.overflow;
		st->stats_dumps = 0;
	}
	net_link_store(&acc, s);
	return 0;
}

static int net_collect(void *state, struct sample *s)
{
	struct net_state *st = state;
	size_t len;

	if (st->netlink)
		return collect_netlink(st, s);
	int r = cgfile_read(st->fd, net_buffer.data, net_buffer.cap, &len);
	if (r < 0)
		return r;
	return cgparse_net_dev(net_buffer.data, len, s);
}

const struct collector collector_net = {
	.abi_version = COLLECTOR_ABI_VERSION,
	.name = "net",
	.open = net_open,
	.collect = net_collect,
	.close = net_close,
};
