/* SPDX-License-Identifier: MIT */
/* The network JSON of the API: PortBindings in and out, the bridge as the
 * default network of a container with ports, the errors that name the
 * port, inspect's NetworkSettings, the list's Ports and the endpoint kept in
 * the state file. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "agent/api_json.h"
#include "agent/state.h"
#include "runtime/net.h"
#include "tests/unit/cunit_main.h"

static json_t *load(const char *text)
{
	json_error_t jerr;
	json_t *v = json_loads(text, 0, &jerr);

	if (!v)
		fprintf(stderr, "\nbad test JSON: %s: %s\n", text, jerr.text);
	return v;
}

static void test_port_bindings_in(void)
{
	json_t *body = load("{\"Cmd\":[\"httpd\"],\"HostConfig\":{\"PortBindings\":{"
			    "\"80/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"8080\"},"
			    "{\"HostPort\":\"8081\"}],\"53/udp\":[{\"HostIp\":\"::1\","
			    "\"HostPort\":\"5353\"}],\"443\":[{\"HostIp\":null,"
			    "\"HostPort\":\"8443\"}],\"22/tcp\":null}}}");
	struct rt_spec spec;
	struct mst_err err = { 0 };
	struct ctr_options options;

	CU_ASSERT_EQUAL_FATAL(api_spec_from_json(body, &spec, &options, &err), 0);
	CU_ASSERT_EQUAL(spec.network, RT_NET_BRIDGE);
	CU_ASSERT_EQUAL_FATAL(spec.n_ports, 4);
	/* jansson keeps object keys in insertion order. */
	CU_ASSERT_EQUAL(spec.ports[0].container_port, 80);
	CU_ASSERT_EQUAL(spec.ports[0].host_port, 8080);
	CU_ASSERT_STRING_EQUAL(spec.ports[0].host_ip, "127.0.0.1");
	CU_ASSERT_EQUAL(spec.ports[0].proto, RT_PROTO_TCP);
	CU_ASSERT_EQUAL(spec.ports[1].host_port, 8081);
	CU_ASSERT_STRING_EQUAL(spec.ports[1].host_ip, "");
	CU_ASSERT_EQUAL(spec.ports[2].proto, RT_PROTO_UDP);
	CU_ASSERT_STRING_EQUAL(spec.ports[2].host_ip, "::1");
	CU_ASSERT_EQUAL(spec.ports[3].container_port, 443);
	CU_ASSERT_EQUAL(spec.ports[3].proto, RT_PROTO_TCP);
	CU_ASSERT_EQUAL(rt_spec_validate(&spec, &err), -EINVAL); /* no name and id yet */

	/* The round trip through the state file's Config keeps every binding. */
	json_t *again = api_spec_to_json(&spec, &options);
	struct rt_spec copy;
	CU_ASSERT_EQUAL_FATAL(api_spec_from_json(again, &copy, &options, &err), 0);
	CU_ASSERT_EQUAL(copy.n_ports, 4);
	CU_ASSERT_EQUAL(memcmp(copy.ports, spec.ports, 4 * sizeof(spec.ports[0])), 0);
	CU_ASSERT_EQUAL(copy.network, RT_NET_BRIDGE);
	ctr_spec_free(&copy);
	json_decref(again);
	ctr_spec_free(&spec);
	json_decref(body);
}

static void test_port_bindings_errors(void)
{
	static const struct {
		const char *host_config;
		const char *message;
	} cases[] = {
		{ "{\"PortBindings\":[]}", "invalid field 'HostConfig.PortBindings'" },
		{ "{\"PortBindings\":{\"http\":[]}}", "invalid port 'http'" },
		{ "{\"PortBindings\":{\"0/tcp\":[]}}", "invalid port '0/tcp'" },
		{ "{\"PortBindings\":{\"80/sctp\":[]}}", "invalid port '80/sctp'" },
		{ "{\"PortBindings\":{\"80/tcp\":{}}}", "PortBindings.80/tcp" },
		{ "{\"PortBindings\":{\"80/tcp\":[1]}}", "PortBindings.80/tcp" },
		{ "{\"PortBindings\":{\"80/tcp\":[{}]}}", "invalid HostPort of port 80/tcp" },
		{ "{\"PortBindings\":{\"80/tcp\":[{\"HostPort\":\"\"}]}}",
		  "mstat does not pick a host port" },
		{ "{\"PortBindings\":{\"80/tcp\":[{\"HostPort\":\"65536\"}]}}",
		  "invalid HostPort of port 80/tcp" },
		{ "{\"PortBindings\":{\"80/tcp\":[{\"HostPort\":8080}]}}",
		  "invalid HostPort of port 80/tcp" },
		{ "{\"PortBindings\":{\"80/tcp\":[{\"HostIp\":\"localhost\",\"HostPort\":\"1\"}]}}",
		  "invalid HostIp of port 80/tcp" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[512];
		struct rt_spec spec;
		struct mst_err err = { 0 };
		struct ctr_options options;

		snprintf(text, sizeof(text), "{\"Cmd\":[\"a\"],\"HostConfig\":%s}",
			 cases[i].host_config);
		json_t *body = load(text);
		int r = api_spec_from_json(body, &spec, &options, &err);

		CU_ASSERT_EQUAL(r, -EINVAL);
		if (r == 0)
			ctr_spec_free(&spec);
		if (!strstr(err.msg, cases[i].message))
			fprintf(stderr, "\ncase %zu: got \"%s\", expected \"%s\"\n", i, err.msg,
				cases[i].message);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, cases[i].message));
		json_decref(body);
	}
}

static void test_ports_need_bridge(void)
{
	json_t *body = load("{\"Cmd\":[\"a\"],\"HostConfig\":{\"NetworkMode\":\"host\","
			    "\"PortBindings\":{\"80/tcp\":[{\"HostPort\":\"8080\"}]}}}");
	struct rt_spec spec;
	struct mst_err err = { 0 };
	struct ctr_options options;

	CU_ASSERT_EQUAL_FATAL(api_spec_from_json(body, &spec, &options, &err), 0);
	CU_ASSERT_EQUAL(spec.network, RT_NET_HOST);
	snprintf(spec.name, sizeof(spec.name), "web");
	memset(spec.id, 'a', 64);
	spec.id[64] = '\0';
	CU_ASSERT_EQUAL(rt_spec_validate(&spec, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "publishing ports needs NetworkMode 'bridge'"));

	spec.network = RT_NET_BRIDGE;
	err_clear(&err);
	CU_ASSERT_EQUAL(rt_spec_validate(&spec, &err), 0);
	spec.ports = realloc(spec.ports, 2 * sizeof(*spec.ports));
	spec.ports[1] = spec.ports[0];
	spec.ports[1].container_port = 81;
	snprintf(spec.ports[1].host_ip, sizeof(spec.ports[1].host_ip), "127.0.0.1");
	spec.n_ports = 2;
	CU_ASSERT_EQUAL(rt_spec_validate(&spec, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "host port 8080/tcp is published twice"));
	spec.ports[1].proto = RT_PROTO_UDP;
	CU_ASSERT_EQUAL(rt_spec_validate(&spec, &err), 0);
	/* 0.0.0.0 and ::1 are separate sockets. */
	spec.ports[1].proto = RT_PROTO_TCP;
	snprintf(spec.ports[1].host_ip, sizeof(spec.ports[1].host_ip), "::1");
	CU_ASSERT_EQUAL(rt_spec_validate(&spec, &err), 0);
	ctr_spec_free(&spec);
	json_decref(body);
}

static struct ctr_record bridge_record(enum ctr_status status)
{
	struct ctr_record r = { 0 };

	snprintf(r.spec.name, sizeof(r.spec.name), "web");
	memset(r.spec.id, 'b', 64);
	r.spec.argv = calloc(2, sizeof(char *));
	r.spec.argv[0] = strdup("httpd");
	r.spec.network = RT_NET_BRIDGE;
	r.spec.n_ports = 1;
	r.spec.ports = calloc(1, sizeof(*r.spec.ports));
	r.spec.ports[0] =
	    (struct rt_port){ .proto = RT_PROTO_TCP, .host_port = 8080, .container_port = 80 };
	r.spec.endpoint = (struct rt_net_endpoint){ .bridge = "mstat0",
						    .host_if = "mstbbbbbbbbbbbb",
						    .prefix_len = 16 };
	inet_pton(AF_INET, "10.213.0.7", &r.spec.endpoint.address);
	inet_pton(AF_INET, "10.213.0.1", &r.spec.endpoint.gateway);
	r.status = status;
	return r;
}

static const char *get_path(json_t *v, const char *a, const char *b)
{
	return json_string_value(json_object_get(json_object_get(v, a), b));
}

static void test_inspect_network_settings(void)
{
	struct ctr_record r = bridge_record(CTR_STATUS_RUNNING);
	json_t *inspect = api_json_inspect(&r), *ns, *binding, *list, *entry;

	CU_ASSERT_PTR_NOT_NULL_FATAL(inspect);
	ns = json_object_get(inspect, "NetworkSettings");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(ns, "IPAddress")), "10.213.0.7");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(ns, "Gateway")), "10.213.0.1");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(ns, "MacAddress")),
			       "02:42:0a:d5:00:07");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(ns, "IPPrefixLen")), 16);
	/* No host address: every IPv4 address, and every IPv6 one where the
	 * host has IPv6, as docker lists them. */
	size_t n_bound = rt_net_has_ipv6() ? 2 : 1;
	json_t *bindings = json_object_get(json_object_get(ns, "Ports"), "80/tcp");
	CU_ASSERT_EQUAL(json_array_size(bindings), n_bound);
	binding = json_array_get(bindings, 0);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(binding, "HostIp")), "0.0.0.0");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(binding, "HostPort")), "8080");
	if (n_bound == 2) {
		binding = json_array_get(bindings, 1);
		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(binding, "HostIp")), "::");
		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(binding, "HostPort")),
				       "8080");
	}
	CU_ASSERT_STRING_EQUAL(get_path(json_object_get(ns, "Networks"), "bridge", "IPAddress"),
			       "10.213.0.7");
	CU_ASSERT_STRING_EQUAL(get_path(inspect, "HostConfig", "NetworkMode"), "bridge");
	CU_ASSERT_PTR_NOT_NULL(json_object_get(
	    json_object_get(json_object_get(inspect, "Config"), "ExposedPorts"), "80/tcp"));

	entry = api_json_list_entry(&r, 0);
	list = json_object_get(entry, "Ports");
	CU_ASSERT_EQUAL(json_array_size(list), n_bound);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_array_get(list, 0), "PublicPort")),
			8080);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_array_get(list, 0), "PrivatePort")),
			80);
	json_decref(entry);
	json_decref(inspect);

	/* Stopped: docker shows no address and no bindings. */
	r.status = CTR_STATUS_EXITED;
	inspect = api_json_inspect(&r);
	ns = json_object_get(inspect, "NetworkSettings");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(ns, "IPAddress")), "");
	CU_ASSERT_EQUAL(json_object_size(json_object_get(ns, "Ports")), 0);
	entry = api_json_list_entry(&r, 0);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(entry, "Ports")), 0);
	json_decref(entry);
	json_decref(inspect);
	ctr_record_free(&r);
}

static void test_state_keeps_endpoint(void)
{
	struct ctr_record r = bridge_record(CTR_STATUS_EXITED), back;
	struct mst_err err = { 0 };
	json_t *state = state_to_json(&r);

	CU_ASSERT_PTR_NOT_NULL_FATAL(state);
	CU_ASSERT_EQUAL_FATAL(state_from_json(state, &back, &err), 0);
	CU_ASSERT_EQUAL(back.spec.endpoint.address, r.spec.endpoint.address);
	CU_ASSERT_EQUAL(back.spec.endpoint.gateway, r.spec.endpoint.gateway);
	CU_ASSERT_EQUAL(back.spec.endpoint.prefix_len, 16);
	CU_ASSERT_STRING_EQUAL(back.spec.endpoint.bridge, "mstat0");
	CU_ASSERT_STRING_EQUAL(back.spec.endpoint.host_if, "mstbbbbbbbbbbbb");
	CU_ASSERT_EQUAL(back.spec.n_ports, 1);
	CU_ASSERT_EQUAL(back.spec.network, RT_NET_BRIDGE);
	ctr_record_free(&back);

	json_object_set_new(state, "NetworkSettings", json_pack("{s:s}", "IPAddress", "x"));
	CU_ASSERT_EQUAL(state_from_json(state, &back, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "NetworkSettings"));
	json_decref(state);

	/* A container without an address writes no NetworkSettings. */
	r.spec.endpoint.address = 0;
	state = state_to_json(&r);
	CU_ASSERT_PTR_NULL(json_object_get(state, "NetworkSettings"));
	json_decref(state);
	ctr_record_free(&r);
}

static const struct cunit_test tests[] = {
	{ "port bindings in and out", test_port_bindings_in },
	{ "port binding errors", test_port_bindings_errors },
	{ "ports need the bridge", test_ports_need_bridge },
	{ "inspect network settings", test_inspect_network_settings },
	{ "state keeps the endpoint", test_state_keeps_endpoint },
	{ NULL, NULL },
};

int main(void)
{
	return cunit_run("agent ports", tests);
}
