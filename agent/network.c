/* SPDX-License-Identifier: MIT */
/*
 * The agent's side of bridge networking: which bridge and address a
 * container gets, when the veth pair and the published ports come and go.
 * NOTE: mstatd enables no IP forwarding, NAT or firewall rule, so bridge
 * containers reach the host and each other but nothing beyond the host.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agent/agent.h"
#include "agent/netproxy.h"
#include "agent/network.h"

/* Names the bridge mstatd created in <state-dir>/bridge.created, so that an
 * mstatd started after a crash deletes that bridge as its own. */
#define BRIDGE_MARK_FILE "bridge.created"

static int bridge_mark_path(const struct agent *a, char *buf, size_t size)
{
	return snprintf(buf, size, "%s/%s", a->config->state_dir, BRIDGE_MARK_FILE) < (int)size
		   ? 0
		   : -ENAMETOOLONG;
}

/* True when the mark names the configured bridge. */
static bool bridge_marked(const struct agent *a)
{
	char path[PATH_MAX], name[IF_NAMESIZE + 2] = "";
	FILE *f;

	if (bridge_mark_path(a, path, sizeof(path)) < 0 || !(f = fopen(path, "re")))
		return false;
	bool read = fgets(name, sizeof(name), f) != NULL;
	fclose(f);
	name[strcspn(name, "\n")] = '\0';
	return read && strcmp(name, a->config->bridge_name) == 0;
}

static void bridge_mark(const struct agent *a, bool created)
{
	char path[PATH_MAX];
	FILE *f;

	if (bridge_mark_path(a, path, sizeof(path)) < 0)
		return;
	if (!created) {
		(void)unlink(path);
		return;
	}
	f = fopen(path, "we");
	if (!f || fprintf(f, "%s\n", a->config->bridge_name) < 0 || fclose(f) != 0)
		log_warning("writing %s failed: %s; a restarted mstatd after a crash will not "
			    "delete bridge %s",
			    path, strerror(errno), a->config->bridge_name);
}

int agent_net_setup(struct agent *a, struct mst_err *err)
{
	int r = rt_ipam_init(&a->net.ipam, a->config->bridge_subnet, a->config->bridge_prefix_len);

	if (r < 0)
		return err_set(err, -r, "prepare the addresses of bridge %s",
			       a->config->bridge_name);
	/* A bridge an earlier mstatd created and left at a crash is ours to
	 * delete at exit, whether or not a container uses it meanwhile. */
	a->net.bridge_created = bridge_marked(a);
	return 0;
}

void agent_net_teardown(struct agent *a)
{
	struct mst_err err = { 0 };

	netproxy_stop(a->net.proxy);
	a->net.proxy = NULL;
	if (a->net.bridge_created) {
		if (rt_net_link_delete(a->config->bridge_name, &err) < 0) {
			log_error("deleting bridge %s failed: %s", a->config->bridge_name, err.msg);
		} else {
			log_info("deleted bridge %s", a->config->bridge_name);
			bridge_mark(a, false);
		}
	}
	a->net.bridge_ready = a->net.bridge_created = false;
	rt_ipam_free(&a->net.ipam);
}

void agent_net_load(struct agent *a, struct container *c)
{
	struct rt_net_endpoint *ep = &c->rec.spec.endpoint;
	char address[INET_ADDRSTRLEN];

	if (c->rec.spec.network != RT_NET_BRIDGE || ep->address == 0)
		return;
	if (rt_ipam_reserve(&a->net.ipam, ep->address) == 0)
		return;
	/* Another subnet, or a duplicate: the next start picks a new one. */
	inet_ntop(AF_INET, &ep->address, address, sizeof(address));
	log_warning("container %s (%.12s): address %s is not free in %s; it gets a new one at "
		    "its next start",
		    c->rec.spec.name, c->rec.spec.id, address, a->config->bridge_name);
	ep->address = 0;
}

static int ensure_bridge(struct agent *a, struct mst_err *err)
{
	const struct agent_config *cfg = a->config;
	char subnet[INET_ADDRSTRLEN];
	bool created;
	int r;

	if (a->net.bridge_ready)
		return 0;
	r = rt_net_bridge_ensure(cfg->bridge_name, rt_ipam_gateway(&a->net.ipam),
				 cfg->bridge_prefix_len, &created, err);
	if (r < 0)
		return r;
	a->net.bridge_ready = true;
	if (created)
		bridge_mark(a, true);
	inet_ntop(AF_INET, &cfg->bridge_subnet, subnet, sizeof(subnet));
	log_info("%s bridge %s for subnet %s/%u",
		 created		 ? "created"
		 : a->net.bridge_created ? "using the bridge an earlier mstatd created,"
					 : "using existing",
		 cfg->bridge_name, subnet, cfg->bridge_prefix_len);
	a->net.bridge_created = a->net.bridge_created || created;
	return 0;
}

/* Fills the endpoint: a new address unless the container kept one. */
static int plan_endpoint(struct agent *a, struct container *c, struct mst_err *err)
{
	struct rt_net_endpoint *ep = &c->rec.spec.endpoint;
	int r;

	if (ep->address == 0) {
		r = rt_ipam_allocate(&a->net.ipam, &ep->address);
		if (r < 0)
			return err_set(err, -r, "allocate an address on bridge %s",
				       a->config->bridge_name);
	}
	snprintf(ep->bridge, sizeof(ep->bridge), "%s", a->config->bridge_name);
	snprintf(ep->host_if, sizeof(ep->host_if), "mst%.12s", c->rec.spec.id);
	ep->gateway = rt_ipam_gateway(&a->net.ipam);
	ep->prefix_len = a->config->bridge_prefix_len;
	return 0;
}

/* Binds one host port and hands it to the proxy. */
static int publish_port(struct agent *a, const struct rt_spec *spec, const struct rt_port *port,
			struct mst_err *err)
{
	int fd, r = netproxy_bind(port, &fd, err);

	if (r < 0)
		return r;
	r = netproxy_add(a->net.proxy, spec->id, fd, port, spec->endpoint.address);
	if (r < 0)
		return err_set(err, -r, "forward host port %u", port->host_port);
	return 0;
}

/* Publishes every port of the spec. As docker does, a port without a host
 * address is bound on every IPv4 address and, where the host has IPv6, on
 * every IPv6 address too. */
static int publish_ports(struct agent *a, struct container *c, struct mst_err *err)
{
	const struct rt_spec *spec = &c->rec.spec;
	bool ipv6 = rt_net_has_ipv6();
	int r;

	if (spec->n_ports == 0)
		return 0;
	if (!a->net.proxy) {
		r = netproxy_start(&a->net.proxy, err);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < spec->n_ports; i++) {
		struct rt_port any6 = spec->ports[i];

		r = publish_port(a, spec, &spec->ports[i], err);
		if (r < 0)
			return r;
		if (spec->ports[i].host_ip[0] || !ipv6)
			continue;
		snprintf(any6.host_ip, sizeof(any6.host_ip), "::");
		r = publish_port(a, spec, &any6, err);
		if (r < 0)
			return r;
	}
	return 0;
}

int agent_net_start(struct agent *a, struct container *c, struct mst_err *err)
{
	int r;

	if (c->rec.spec.network != RT_NET_BRIDGE)
		return 0;
	r = ensure_bridge(a, err);
	if (r < 0)
		return r;
	r = plan_endpoint(a, c, err);
	if (r < 0)
		return r;
	/* A veth pair left by a crashed agent would make the creation fail. */
	(void)rt_net_link_delete(c->rec.spec.endpoint.host_if, NULL);
	r = publish_ports(a, c, err);
	if (r < 0)
		netproxy_remove(a->net.proxy, c->rec.spec.id);
	return r;
}

void agent_net_stop(struct agent *a, struct container *c)
{
	struct mst_err err = { 0 };

	if (c->rec.spec.network != RT_NET_BRIDGE)
		return;
	netproxy_remove(a->net.proxy, c->rec.spec.id);
	if (c->rec.spec.endpoint.host_if[0] &&
	    rt_net_link_delete(c->rec.spec.endpoint.host_if, &err) < 0)
		log_warning("container %s (%.12s): deleting its veth pair failed: %s",
			    c->rec.spec.name, c->rec.spec.id, err.msg);
}

void agent_net_release(struct agent *a, struct container *c)
{
	struct rt_net_endpoint *ep = &c->rec.spec.endpoint;

	if (ep->address == 0)
		return;
	rt_ipam_release(&a->net.ipam, ep->address);
	ep->address = 0;
}
