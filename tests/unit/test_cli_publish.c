/* SPDX-License-Identifier: MIT */
/* The -p, --publish parser of `mstat run`: accepted forms, rejected forms
 * with their messages, and the PortBindings and ExposedPorts it sends. */
#include <errno.h>
#include <string.h>

#include "cli/run_opts.h"
#include "tests/unit/cunit_main.h"

static void test_publish_forms(void)
{
	static const struct {
		const char *arg;
		const char *host_ip;
		unsigned host_port, container_port;
		const char *proto;
	} cases[] = {
		{ "8080:80", "", 8080, 80, "tcp" },
		{ "8080:80/tcp", "", 8080, 80, "tcp" },
		{ "5353:53/udp", "", 5353, 53, "udp" },
		{ "127.0.0.1:8080:80", "127.0.0.1", 8080, 80, "tcp" },
		{ "127.0.0.1:1:65535/udp", "127.0.0.1", 1, 65535, "udp" },
		{ "[::1]:8080:80", "::1", 8080, 80, "tcp" },
		{ "[fe80::1:2]:9000:9001/udp", "fe80::1:2", 9000, 9001, "udp" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct run_port p;
		struct mst_err err = { 0 };
		int r = run_parse_port(cases[i].arg, &p, &err);

		if (r < 0)
			fprintf(stderr, "\n%s: %s\n", cases[i].arg, err.msg);
		CU_ASSERT_EQUAL_FATAL(r, 0);
		CU_ASSERT_STRING_EQUAL(p.host_ip, cases[i].host_ip);
		CU_ASSERT_EQUAL(p.host_port, cases[i].host_port);
		CU_ASSERT_EQUAL(p.container_port, cases[i].container_port);
		CU_ASSERT_STRING_EQUAL(p.proto, cases[i].proto);
	}
}

static void test_publish_errors(void)
{
	static const struct {
		const char *arg;
		const char *message;
	} cases[] = {
		{ "80", "expected [HOST_IP:]HOST_PORT:CONTAINER_PORT" },
		{ "", "expected [HOST_IP:]HOST_PORT:CONTAINER_PORT" },
		{ "8080:80/sctp", "the protocol must be tcp or udp" },
		{ "8080:80/", "the protocol must be tcp or udp" },
		{ "8080:0", "the container port must be a number from 1 to 65535" },
		{ "8080:65536", "the container port must be a number from 1 to 65535" },
		{ "8080:80-81", "port ranges are not supported" },
		{ "8080:", "the container port must be a number" },
		{ ":80", "the host port must be a number from 1 to 65535" },
		{ "0:80", "the host port must be a number from 1 to 65535" },
		{ "-1:80", "the host port must be a number" },
		{ "+80:80", "the host port must be a number" },
		{ "127.0.0.1::80", "the host port must be a number" },
		{ "localhost:8080:80", "the host address must be a numeric IPv4 address" },
		{ "1.2.3:8080:80", "the host address must be a numeric IPv4 address" },
		{ "::1:8080:80", "the host address must be a numeric IPv4 address" },
		{ "[::1:8080:80", "invalid value \"[::1:8080:80\"" },
		{ "[1.2.3.4]:8080:80", "the host address must be" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct run_port p;
		struct mst_err err = { 0 };
		int r = run_parse_port(cases[i].arg, &p, &err);

		CU_ASSERT_EQUAL(r, -EINVAL);
		if (r == 0 || !strstr(err.msg, cases[i].message))
			fprintf(stderr, "\ncase \"%s\": r=%d, got \"%s\", expected \"%s\"\n",
				cases[i].arg, r, err.msg, cases[i].message);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, cases[i].message));
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "-p, --publish"));
	}
}

static int parse(char **argv, int argc, struct run_opts *o, struct mst_err *err)
{
	err_clear(err);
	return run_opts_parse(argc, argv, o, err);
}

static void test_publish_body(void)
{
	char *argv[] = { "run",		"-p",	   "127.0.0.1:8080:80",
			 "--publish",	"9090:80", "-p",
			 "5353:53/udp", "true",	   NULL };
	struct run_opts o;
	struct mst_err err;
	json_t *body, *host, *list;

	CU_ASSERT_EQUAL_FATAL(parse(argv, 8, &o, &err), 0);
	CU_ASSERT_EQUAL(o.n_ports, 3);
	CU_ASSERT_PTR_NULL(o.network);
	body = run_opts_create_body(&o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	host = json_object_get(body, "HostConfig");
	CU_ASSERT_PTR_NULL(json_object_get(host, "NetworkMode"));

	list = json_object_get(json_object_get(host, "PortBindings"), "80/tcp");
	CU_ASSERT_EQUAL(json_array_size(list), 2);
	CU_ASSERT_STRING_EQUAL(
	    json_string_value(json_object_get(json_array_get(list, 0), "HostIp")), "127.0.0.1");
	CU_ASSERT_STRING_EQUAL(
	    json_string_value(json_object_get(json_array_get(list, 0), "HostPort")), "8080");
	CU_ASSERT_STRING_EQUAL(
	    json_string_value(json_object_get(json_array_get(list, 1), "HostIp")), "");
	CU_ASSERT_STRING_EQUAL(
	    json_string_value(json_object_get(json_array_get(list, 1), "HostPort")), "9090");
	list = json_object_get(json_object_get(host, "PortBindings"), "53/udp");
	CU_ASSERT_EQUAL(json_array_size(list), 1);

	CU_ASSERT_EQUAL(json_object_size(json_object_get(body, "ExposedPorts")), 2);
	CU_ASSERT_PTR_NOT_NULL(json_object_get(json_object_get(body, "ExposedPorts"), "53/udp"));
	json_decref(body);
	run_opts_free(&o);
}

static void test_publish_network_conflict(void)
{
	char *none[] = { "run", "--network", "none", "-p", "8080:80", "true", NULL };
	char *host[] = { "run", "-p", "8080:80", "--network=host", "true", NULL };
	char *bridge[] = { "run", "--network", "bridge", "-p", "8080:80", "true", NULL };
	struct run_opts o;
	struct mst_err err;

	CU_ASSERT_EQUAL(parse(none, 6, &o, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "needs --network bridge"));
	CU_ASSERT_EQUAL(parse(host, 5, &o, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not --network host"));
	CU_ASSERT_EQUAL_FATAL(parse(bridge, 6, &o, &err), 0);
	CU_ASSERT_STRING_EQUAL(o.network, "bridge");
	run_opts_free(&o);
}

static const struct cunit_test tests[] = {
	{ "publish accepted forms", test_publish_forms },
	{ "publish bad values", test_publish_errors },
	{ "publish create body", test_publish_body },
	{ "publish network conflict", test_publish_network_conflict },
	{ NULL, NULL },
};

int main(void)
{
	return cunit_run("cli publish", tests);
}
