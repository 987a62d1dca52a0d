/* SPDX-License-Identifier: MIT */
/*
 * The network parts of the API's JSON, in Docker's shapes: PortBindings of
 * HostConfig, ExposedPorts of Config, NetworkSettings of inspect, Ports of
 * a list entry, and the bridge endpoint kept in the state file.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/api_json.h"
#include "common/parse.h"
#include "runtime/net.h"

/* Parses a port number of 1..65535 given as a decimal string. */
static int parse_port(const char *s, uint16_t *ret)
{
	uint64_t v;

	if (s[0] == '\0' || strchr(s, '\n') || parse_u64_str(s, &v) < 0 || v == 0 || v > 65535)
		return -EINVAL;
	*ret = (uint16_t)v;
	return 0;
}

/* Splits docker's port key "80/tcp" (the protocol defaults to tcp). */
static int parse_port_key(const char *key, uint16_t *ret_port, enum rt_port_proto *ret_proto)
{
	const char *slash = strchr(key, '/');
	char number[8];
	size_t len = slash ? (size_t)(slash - key) : strlen(key);
	enum rt_port_proto proto = RT_PROTO_TCP;

	if (len == 0 || len >= sizeof(number))
		return -EINVAL;
	memcpy(number, key, len);
	number[len] = '\0';
	if (parse_port(number, ret_port) < 0)
		return -EINVAL;
	if (slash && rt_port_proto_from_string(slash + 1, &proto) < 0)
		return -EINVAL;
	*ret_proto = proto;
	return 0;
}

static int get_binding(json_t *item, const char *key, struct rt_port *port, struct mst_err *err)
{
	json_t *ip = json_object_get(item, "HostIp"),
	       *host_port = json_object_get(item, "HostPort");
	unsigned char addr[16];

	if (!json_is_object(item))
		return err_setx(err, EINVAL,
				"invalid field 'HostConfig.PortBindings.%s': expected an array of "
				"{HostIp, HostPort} objects",
				key);
	if (ip && !json_is_null(ip)) {
		if (!json_is_string(ip) || json_string_length(ip) >= sizeof(port->host_ip) ||
		    (json_string_length(ip) > 0 &&
		     inet_pton(AF_INET, json_string_value(ip), addr) != 1 &&
		     inet_pton(AF_INET6, json_string_value(ip), addr) != 1))
			return err_setx(
			    err, EINVAL,
			    "invalid HostIp of port %s: expected a numeric IPv4 or IPv6 "
			    "address, or \"\" for every address",
			    key);
		snprintf(port->host_ip, sizeof(port->host_ip), "%s", json_string_value(ip));
	}
	if (!json_is_string(host_port) ||
	    parse_port(json_string_value(host_port), &port->host_port) < 0)
		return err_setx(err, EINVAL,
				"invalid HostPort of port %s: expected a port number from 1 to "
				"65535 as a string; mstat does not pick a host port",
				key);
	return 0;
}

/* Counts the bindings and checks the shape of every key. */
static int count_bindings(json_t *bindings, size_t *ret_n, struct mst_err *err)
{
	const char *key;
	json_t *value;
	size_t n = 0;

	json_object_foreach(bindings, key, value)
	{
		uint16_t number;
		enum rt_port_proto proto;

		if (parse_port_key(key, &number, &proto) < 0)
			return err_setx(err, EINVAL,
					"invalid port '%s' in HostConfig.PortBindings: expected "
					"PORT or PORT/tcp or PORT/udp with a port from 1 to 65535",
					key);
		if (json_is_null(value))
			continue;
		if (!json_is_array(value))
			return err_setx(err, EINVAL,
					"invalid field 'HostConfig.PortBindings.%s': expected an "
					"array of {HostIp, HostPort} objects",
					key);
		n += json_array_size(value);
	}
	if (n > RT_PORTS_MAX)
		return err_setx(err, EINVAL,
				"invalid field 'HostConfig.PortBindings': %zu bindings, the "
				"maximum is %d",
				n, RT_PORTS_MAX);
	*ret_n = n;
	return 0;
}

int api_ports_from_json(json_t *host, struct rt_spec *spec, struct mst_err *err)
{
	json_t *bindings = json_object_get(host, "PortBindings"), *value, *item;
	struct rt_port *ports;
	const char *key;
	size_t n = 0, at = 0, i;

	spec->ports = NULL;
	spec->n_ports = 0;
	if (!bindings || json_is_null(bindings))
		return 0;
	if (!json_is_object(bindings))
		return err_setx(err, EINVAL,
				"invalid field 'HostConfig.PortBindings': expected an object such "
				"as {\"80/tcp\": [{\"HostIp\": \"\", \"HostPort\": \"8080\"}]}");
	if (count_bindings(bindings, &n, err) < 0)
		return -EINVAL;
	if (n == 0)
		return 0;

	ports = calloc(n, sizeof(*ports));
	if (!ports)
		return err_set(err, ENOMEM, "HostConfig.PortBindings");
	json_object_foreach(bindings, key, value)
	{
		uint16_t number;
		enum rt_port_proto proto;

		(void)parse_port_key(key, &number, &proto);
		json_array_foreach(value, i, item)
		{
			ports[at].proto = proto;
			ports[at].container_port = number;
			if (get_binding(item, key, &ports[at], err) < 0) {
				free(ports);
				return -EINVAL;
			}
			at++;
		}
	}
	spec->ports = ports;
	spec->n_ports = n;
	return 0;
}

static void port_key(const struct rt_port *p, char *buf, size_t size)
{
	snprintf(buf, size, "%u/%s", p->container_port, rt_port_proto_to_string(p->proto));
}

/* Lists the addresses a port is bound on: its host address, or for none
 * 0.0.0.0 and, where the host has IPv6, ::. Returns how many. */
static size_t bound_addresses(const struct rt_port *p, const char *ret[2])
{
	if (p->host_ip[0]) {
		ret[0] = p->host_ip;
		return 1;
	}
	ret[0] = "0.0.0.0";
	ret[1] = "::";
	return rt_net_has_ipv6() ? 2 : 1;
}

/* Builds {"80/tcp": [{"HostIp": ip, "HostPort": "8080"}]}; with
 * effective_ip, an empty HostIp shows the addresses bound, as docker lists
 * them. */
static json_t *bindings_to_json(const struct rt_spec *spec, bool effective_ip)
{
	json_t *obj = json_object();

	for (size_t i = 0; obj && i < spec->n_ports; i++) {
		const struct rt_port *p = &spec->ports[i];
		const char *ips[2] = { p->host_ip };
		size_t n_ips = effective_ip ? bound_addresses(p, ips) : 1;
		char key[32], host_port[8];
		json_t *list;

		port_key(p, key, sizeof(key));
		snprintf(host_port, sizeof(host_port), "%u", p->host_port);
		list = json_object_get(obj, key);
		if (!list) {
			list = json_array();
			if (json_object_set_new(obj, key, list) < 0)
				goto fail;
		}
		for (size_t k = 0; k < n_ips; k++)
			if (json_array_append_new(list, json_pack("{s:s, s:s}", "HostIp", ips[k],
								  "HostPort", host_port)) < 0)
				goto fail;
	}
	return obj;

fail:
	json_decref(obj);
	return NULL;
}

json_t *api_ports_to_json(const struct rt_spec *spec)
{
	return bindings_to_json(spec, false);
}

json_t *api_exposed_ports_to_json(const struct rt_spec *spec)
{
	json_t *obj = json_object();

	for (size_t i = 0; obj && i < spec->n_ports; i++) {
		char key[32];

		port_key(&spec->ports[i], key, sizeof(key));
		if (json_object_set_new(obj, key, json_object()) < 0) {
			json_decref(obj);
			return NULL;
		}
	}
	return obj;
}

static void format_address(uint32_t address, char *buf, size_t size)
{
	if (address == 0 || !inet_ntop(AF_INET, &address, buf, (socklen_t)size))
		buf[0] = '\0';
}

static void format_mac(uint32_t address, char *buf, size_t size)
{
	const unsigned char *b = (const unsigned char *)&address;

	if (address == 0)
		buf[0] = '\0';
	else
		snprintf(buf, size, "02:42:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3]);
}

json_t *api_network_settings_to_json(const struct ctr_record *r)
{
	const struct rt_net_endpoint *ep = &r->spec.endpoint;
	bool attached = r->spec.network == RT_NET_BRIDGE && r->status == CTR_STATUS_RUNNING;
	char address[INET_ADDRSTRLEN] = "", gateway[INET_ADDRSTRLEN] = "", mac[18] = "";
	json_t *networks = json_object();

	if (attached) {
		format_address(ep->address, address, sizeof(address));
		format_address(ep->gateway, gateway, sizeof(gateway));
		format_mac(ep->address, mac, sizeof(mac));
	}
	if (networks && r->spec.network == RT_NET_BRIDGE &&
	    json_object_set_new(networks, "bridge",
				json_pack("{s:s, s:s, s:i, s:s}", "IPAddress", address, "Gateway",
					  gateway, "IPPrefixLen",
					  attached ? (int)ep->prefix_len : 0, "MacAddress", mac)) <
		0) {
		json_decref(networks);
		networks = NULL;
	}
	return json_pack("{s:s, s:s, s:s, s:i, s:s, s:o, s:o}", "Bridge",
			 attached ? ep->bridge : "", "IPAddress", address, "Gateway", gateway,
			 "IPPrefixLen", attached ? (int)ep->prefix_len : 0, "MacAddress", mac,
			 "Ports", attached ? bindings_to_json(&r->spec, true) : json_object(),
			 "Networks", networks);
}

json_t *api_list_ports_to_json(const struct ctr_record *r)
{
	json_t *arr = json_array();

	if (r->status != CTR_STATUS_RUNNING)
		return arr;
	for (size_t i = 0; arr && i < r->spec.n_ports; i++) {
		const struct rt_port *p = &r->spec.ports[i];
		const char *ips[2];
		size_t n_ips = bound_addresses(p, ips);

		for (size_t k = 0; k < n_ips; k++) {
			if (json_array_append_new(
				arr,
				json_pack("{s:s, s:i, s:i, s:s}", "IP", ips[k], "PrivatePort",
					  (int)p->container_port, "PublicPort", (int)p->host_port,
					  "Type", rt_port_proto_to_string(p->proto))) < 0) {
				json_decref(arr);
				return NULL;
			}
		}
	}
	return arr;
}

json_t *api_endpoint_to_json(const struct rt_net_endpoint *ep)
{
	char address[INET_ADDRSTRLEN], gateway[INET_ADDRSTRLEN];

	format_address(ep->address, address, sizeof(address));
	format_address(ep->gateway, gateway, sizeof(gateway));
	return json_pack("{s:s, s:s, s:s, s:s, s:i}", "Bridge", ep->bridge, "HostInterface",
			 ep->host_if, "IPAddress", address, "Gateway", gateway, "IPPrefixLen",
			 (int)ep->prefix_len);
}

static int get_ifname(json_t *obj, const char *key, char buf[16])
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_string(v) || json_string_length(v) >= 16)
		return -EINVAL;
	memcpy(buf, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

static int get_ipv4(json_t *obj, const char *key, uint32_t *ret)
{
	json_t *v = json_object_get(obj, key);
	struct in_addr addr;

	if (!json_is_string(v))
		return -EINVAL;
	if (json_string_length(v) == 0) {
		*ret = 0;
		return 0;
	}
	if (inet_pton(AF_INET, json_string_value(v), &addr) != 1)
		return -EINVAL;
	*ret = addr.s_addr;
	return 0;
}

int api_endpoint_from_json(json_t *obj, struct rt_net_endpoint *ret, struct mst_err *err)
{
	struct rt_net_endpoint ep = { 0 };
	json_t *prefix = json_object_get(obj, "IPPrefixLen");

	if (!obj || json_is_null(obj)) {
		*ret = ep;
		return 0;
	}
	if (!json_is_object(obj) || get_ifname(obj, "Bridge", ep.bridge) < 0 ||
	    get_ifname(obj, "HostInterface", ep.host_if) < 0 ||
	    get_ipv4(obj, "IPAddress", &ep.address) < 0 ||
	    get_ipv4(obj, "Gateway", &ep.gateway) < 0 || !json_is_integer(prefix) ||
	    json_integer_value(prefix) < 0 || json_integer_value(prefix) > 32)
		return err_setx(err, EINVAL,
				"invalid field 'NetworkSettings': expected {Bridge, HostInterface, "
				"IPAddress, Gateway, IPPrefixLen}");
	ep.prefix_len = (unsigned)json_integer_value(prefix);
	*ret = ep;
	return 0;
}
