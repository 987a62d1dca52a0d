/* SPDX-License-Identifier: MIT */
/*
 * The API's JSON: create bodies converted to a spec (every field, and
 * errors that name the field), the inspect and list objects, and the time
 * and duration formats.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <string.h>

#include "agent/api_json.h"

static json_t *load(const char *text)
{
	json_error_t jerr;
	json_t *v = json_loads(text, 0, &jerr);

	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	return v;
}

static void test_full_body(void)
{
	json_t *body = load("{\"Cmd\":[\"sh\",\"-c\",\"exit 3\"],\"Env\":[\"A=1\",\"B=2\"],"
			    "\"WorkingDir\":\"/tmp\",\"Hostname\":\"box\",\"Rootfs\":\"/srv/root\","
			    "\"Unknown\":{\"x\":1},"
			    "\"HostConfig\":{\"Memory\":67108864,\"MemorySwap\":-1,"
			    "\"NanoCpus\":500000000,\"CpuShares\":512,\"PidsLimit\":64,"
			    "\"NetworkMode\":\"host\",\"AutoRemove\":true}}");
	struct rt_spec spec;
	struct mst_err err = { 0 };
	struct ctr_options options = { 0 };

	CU_ASSERT_EQUAL_FATAL(api_spec_from_json(body, &spec, &options, &err), 0);
	CU_ASSERT_STRING_EQUAL(spec.argv[0], "sh");
	CU_ASSERT_STRING_EQUAL(spec.argv[2], "exit 3");
	CU_ASSERT_PTR_NULL(spec.argv[3]);
	CU_ASSERT_STRING_EQUAL(spec.env[1], "B=2");
	CU_ASSERT_PTR_NULL(spec.env[2]);
	CU_ASSERT_STRING_EQUAL(spec.cwd, "/tmp");
	CU_ASSERT_STRING_EQUAL(spec.hostname, "box");
	CU_ASSERT_STRING_EQUAL(spec.rootfs, "/srv/root");
	CU_ASSERT_EQUAL(spec.limits.memory, 67108864);
	CU_ASSERT_EQUAL(spec.limits.memory_swap, -1);
	CU_ASSERT_EQUAL(spec.limits.nano_cpus, 500000000);
	CU_ASSERT_EQUAL(spec.limits.cpu_shares, 512);
	CU_ASSERT_EQUAL(spec.limits.pids_limit, 64);
	CU_ASSERT_EQUAL(spec.network, RT_NET_HOST);
	CU_ASSERT_TRUE(options.auto_remove);
	CU_ASSERT_EQUAL(options.restart.mode, RESTART_NO);
	ctr_spec_free(&spec);
	json_decref(body);
}

static void test_minimal_body(void)
{
	json_t *body = load("{\"Cmd\":[\"true\"],\"WorkingDir\":\"\",\"Env\":null,"
			    "\"HostConfig\":{\"PidsLimit\":null,\"NetworkMode\":\"default\"}}");
	struct rt_spec spec;
	struct mst_err err = { 0 };
	struct ctr_options options = { .auto_remove = true };

	CU_ASSERT_EQUAL_FATAL(api_spec_from_json(body, &spec, &options, &err), 0);
	CU_ASSERT_PTR_NULL(spec.env);
	CU_ASSERT_PTR_NULL(spec.cwd);
	CU_ASSERT_PTR_NULL(spec.hostname);
	CU_ASSERT_PTR_NULL(spec.rootfs);
	CU_ASSERT_EQUAL(spec.limits.memory, 0);
	CU_ASSERT_EQUAL(spec.limits.pids_limit, 0);
	CU_ASSERT_EQUAL(spec.network, RT_NET_NONE);
	CU_ASSERT_FALSE(options.auto_remove);
	ctr_spec_free(&spec);
	json_decref(body);
}

static const struct {
	const char *body;
	const char *message;
} bad_bodies[] = {
	{ "[]", "invalid field 'body': expected an object, got an array" },
	{ "{}", "missing field 'Cmd'" },
	{ "{\"Cmd\":[]}", "missing field 'Cmd'" },
	{ "{\"Cmd\":\"true\"}", "invalid field 'Cmd': expected an array of strings, got a string" },
	{ "{\"Cmd\":[\"a\",1]}", "invalid field 'Cmd': element 1 is an integer" },
	{ "{\"Cmd\":[\"a\"],\"Env\":{}}", "invalid field 'Env'" },
	{ "{\"Cmd\":[\"a\"],\"WorkingDir\":5}", "invalid field 'WorkingDir': expected a string" },
	{ "{\"Cmd\":[\"a\"],\"Hostname\":true}", "invalid field 'Hostname'" },
	{ "{\"Cmd\":[\"a\"],\"Rootfs\":[]}", "invalid field 'Rootfs'" },
	{ "{\"Cmd\":[\"a\"],\"HostConfig\":1}", "invalid field 'HostConfig': expected an object" },
	{ "{\"Cmd\":[\"a\"],\"HostConfig\":{\"Memory\":\"1g\"}}",
	  "invalid field 'HostConfig.Memory': expected an integer, got a string" },
	{ "{\"Cmd\":[\"a\"],\"HostConfig\":{\"Memory\":1.5}}",
	  "invalid field 'HostConfig.Memory': expected an integer, got a number with a fraction or "
	  "exponent" },
	{ "{\"Cmd\":[\"a\"],\"HostConfig\":{\"Memory\":-1}}",
	  "invalid field 'HostConfig.Memory': -1 is below the minimum 0" },
	{ "{\"Cmd\":[\"a\"],\"HostConfig\":{\"MemorySwap\":-2}}", "'HostConfig.MemorySwap'" },
	{ "{\"Cmd\":[\"a\"],\"HostConfig\":{\"NanoCpus\":-5}}", "'HostConfig.NanoCpus'" },
	{ "{\"Cmd\":[\"a\"],\"HostConfig\":{\"CpuShares\":\"x\"}}", "'HostConfig.CpuShares'" },
	{ "{\"Cmd\":[\"a\"],\"HostConfig\":{\"PidsLimit\":-3}}", "'HostConfig.PidsLimit'" },
	{ "{\"Cmd\":[\"a\"],\"HostConfig\":{\"NetworkMode\":\"overlay\"}}",
	  "invalid field 'HostConfig.NetworkMode': 'overlay' is not supported" },
	{ "{\"Cmd\":[\"a\"],\"HostConfig\":{\"NetworkMode\":3}}", "'HostConfig.NetworkMode'" },
	{ "{\"Cmd\":[\"a\"],\"HostConfig\":{\"AutoRemove\":\"yes\"}}",
	  "invalid field 'HostConfig.AutoRemove': expected a boolean" },
	{ "{\"Cmd\":[\"a\"],\"HostConfig\":{\"BlkioDeviceReadBps\":{}}}",
	  "invalid field 'HostConfig.BlkioDeviceReadBps': expected an array" },
	{ "{\"Cmd\":[\"a\"],\"HostConfig\":{\"BlkioDeviceWriteBps\":[\"/dev/sda\"]}}",
	  "invalid field 'HostConfig.BlkioDeviceWriteBps': element 0 is a string" },
	{ "{\"Cmd\":[\"a\"],\"HostConfig\":{\"BlkioDeviceWriteBps\":[{\"Rate\":1}]}}",
	  "invalid field 'HostConfig.BlkioDeviceWriteBps[0].Path'" },
	{ "{\"Cmd\":[\"a\"],\"HostConfig\":{\"BlkioDeviceWriteBps\":"
	  "[{\"Path\":\"/dev/a\",\"Rate\":1},{\"Path\":\"\",\"Rate\":1}]}}",
	  "invalid field 'HostConfig.BlkioDeviceWriteBps[1].Path'" },
	{ "{\"Cmd\":[\"a\"],\"HostConfig\":{\"BlkioDeviceReadBps\":"
	  "[{\"Path\":\"/dev/a\",\"Rate\":-1}]}}",
	  "invalid field 'HostConfig.BlkioDeviceReadBps[0].Rate'" },
	{ "{\"Cmd\":[\"a\"],\"HostConfig\":{\"BlkioDeviceReadBps\":"
	  "[{\"Path\":\"/dev/a\",\"Rate\":\"5mb\"}]}}",
	  "invalid field 'HostConfig.BlkioDeviceReadBps[0].Rate'" },
	{ "{\"Cmd\":[\"a\"],\"HostConfig\":{\"RestartPolicy\":\"always\"}}",
	  "invalid field 'HostConfig.RestartPolicy': expected an object, got a string" },
	{ "{\"Cmd\":[\"a\"],\"HostConfig\":{\"RestartPolicy\":{\"Name\":\"sometimes\"}}}",
	  "invalid field 'HostConfig.RestartPolicy.Name': 'sometimes' is not a restart policy" },
	{ "{\"Cmd\":[\"a\"],\"HostConfig\":{\"RestartPolicy\":{\"Name\":1}}}",
	  "invalid field 'HostConfig.RestartPolicy.Name': expected a string" },
	{ "{\"Cmd\":[\"a\"],\"HostConfig\":{\"RestartPolicy\":"
	  "{\"Name\":\"always\",\"MaximumRetryCount\":3}}}",
	  "invalid field 'HostConfig.RestartPolicy.MaximumRetryCount': a retry count needs the "
	  "on-failure policy, not always" },
	{ "{\"Cmd\":[\"a\"],\"HostConfig\":{\"RestartPolicy\":"
	  "{\"Name\":\"on-failure\",\"MaximumRetryCount\":-1}}}",
	  "invalid field 'HostConfig.RestartPolicy.MaximumRetryCount': -1 is below the minimum 0" },
	{ "{\"Cmd\":[\"a\"],\"HostConfig\":{\"AutoRemove\":true,\"RestartPolicy\":"
	  "{\"Name\":\"on-failure\"}}}",
	  "conflicting fields 'HostConfig.AutoRemove' and 'HostConfig.RestartPolicy'" },
};

static void test_bad_bodies(void)
{
	for (size_t i = 0; i < sizeof(bad_bodies) / sizeof(bad_bodies[0]); i++) {
		json_t *body = load(bad_bodies[i].body);
		struct rt_spec spec;
		struct mst_err err = { 0 };
		struct ctr_options options;
		int r = api_spec_from_json(body, &spec, &options, &err);

		CU_ASSERT_EQUAL(r, -EINVAL);
		if (r == 0) {
			fprintf(stderr, "\naccepted: %s\n", bad_bodies[i].body);
			ctr_spec_free(&spec);
		} else if (!strstr(err.msg, bad_bodies[i].message)) {
			fprintf(stderr, "\nbody %s: message '%s' lacks '%s'\n", bad_bodies[i].body,
				err.msg, bad_bodies[i].message);
			CU_FAIL("error message does not name the field");
		}
		json_decref(body);
	}
}

static void test_spec_round_trip(void)
{
	json_t *body = load("{\"Cmd\":[\"a\",\"b\"],\"Env\":[\"X=1\"],\"WorkingDir\":\"/w\","
			    "\"HostConfig\":{\"Memory\":1,\"MemorySwap\":2,\"NanoCpus\":3,"
			    "\"CpuShares\":4,\"PidsLimit\":5,\"AutoRemove\":true,"
			    "\"BlkioDeviceReadBps\":[{\"Path\":\"/dev/vda\",\"Rate\":1048576}],"
			    "\"BlkioDeviceWriteBps\":[{\"Path\":\"/dev/vda\",\"Rate\":5242880},"
			    "{\"Path\":\"/dev/sdb\",\"Rate\":0}]}}");
	json_t *policy_body = load("{\"Cmd\":[\"a\"],\"HostConfig\":{\"RestartPolicy\":"
				   "{\"Name\":\"on-failure\",\"MaximumRetryCount\":4}}}");
	struct rt_spec spec, again;
	struct mst_err err = { 0 };
	struct ctr_options options, options_again;
	json_t *out;

	CU_ASSERT_EQUAL_FATAL(api_spec_from_json(body, &spec, &options, &err), 0);
	out = api_spec_to_json(&spec, &options);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_EQUAL_FATAL(api_spec_from_json(out, &again, &options_again, &err), 0);
	CU_ASSERT_STRING_EQUAL(again.argv[1], "b");
	CU_ASSERT_STRING_EQUAL(again.env[0], "X=1");
	CU_ASSERT_STRING_EQUAL(again.cwd, "/w");
	CU_ASSERT_EQUAL(again.limits.memory, 1);
	CU_ASSERT_EQUAL(again.limits.memory_swap, 2);
	CU_ASSERT_EQUAL(again.limits.nano_cpus, 3);
	CU_ASSERT_EQUAL(again.limits.cpu_shares, 4);
	CU_ASSERT_EQUAL(again.limits.pids_limit, 5);
	CU_ASSERT_EQUAL_FATAL(again.limits.n_device_read_bps, 1);
	CU_ASSERT_STRING_EQUAL(again.limits.device_read_bps[0].path, "/dev/vda");
	CU_ASSERT_EQUAL(again.limits.device_read_bps[0].rate, 1048576);
	CU_ASSERT_EQUAL_FATAL(again.limits.n_device_write_bps, 2);
	CU_ASSERT_EQUAL(again.limits.device_write_bps[0].rate, 5242880);
	CU_ASSERT_STRING_EQUAL(again.limits.device_write_bps[1].path, "/dev/sdb");
	CU_ASSERT_EQUAL(again.limits.device_write_bps[1].rate, 0);
	CU_ASSERT_TRUE(options_again.auto_remove);
	CU_ASSERT_EQUAL(options_again.restart.mode, RESTART_NO);
	ctr_spec_free(&spec);
	ctr_spec_free(&again);
	json_decref(out);

	CU_ASSERT_EQUAL_FATAL(api_spec_from_json(policy_body, &spec, &options, &err), 0);
	CU_ASSERT_EQUAL(options.restart.mode, RESTART_ON_FAILURE);
	CU_ASSERT_EQUAL(options.restart.max_retries, 4);
	out = api_spec_to_json(&spec, &options);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_EQUAL_FATAL(api_spec_from_json(out, &again, &options_again, &err), 0);
	CU_ASSERT_EQUAL(options_again.restart.mode, RESTART_ON_FAILURE);
	CU_ASSERT_EQUAL(options_again.restart.max_retries, 4);
	CU_ASSERT_FALSE(options_again.auto_remove);
	ctr_spec_free(&spec);
	ctr_spec_free(&again);
	json_decref(out);
	json_decref(policy_body);
	json_decref(body);
}

static void test_update_body(void)
{
	json_t *body = load("{\"Memory\":268435456,\"MemorySwap\":0,\"NanoCpus\":0,"
			    "\"CpuShares\":512,\"PidsLimit\":0,\"CpuQuota\":5,"
			    "\"BlkioDeviceWriteBps\":[],"
			    "\"RestartPolicy\":{\"Name\":\"on-failure\",\"MaximumRetryCount\":2}}");
	json_t *docker_cli = load("{\"Memory\":0,\"PidsLimit\":null,"
				  "\"RestartPolicy\":{\"Name\":\"\",\"MaximumRetryCount\":0}}");
	struct rt_limits l;
	struct restart_policy p;
	struct mst_err err = { 0 };
	unsigned fields = 0;

	CU_ASSERT_EQUAL_FATAL(api_update_from_json(body, &l, &p, &fields, &err), 0);
	CU_ASSERT_EQUAL(fields, CTR_UPDATE_MEMORY | CTR_UPDATE_CPU_SHARES | CTR_UPDATE_PIDS_LIMIT |
				    CTR_UPDATE_DEVICE_WRITE_BPS | CTR_UPDATE_RESTART_POLICY);
	CU_ASSERT_EQUAL(l.memory, 268435456);
	CU_ASSERT_EQUAL(l.cpu_shares, 512);
	CU_ASSERT_EQUAL(l.pids_limit, -1);
	CU_ASSERT_EQUAL(l.n_device_write_bps, 0);
	CU_ASSERT_EQUAL(p.mode, RESTART_ON_FAILURE);
	CU_ASSERT_EQUAL(p.max_retries, 2);

	fields = 99;
	CU_ASSERT_EQUAL_FATAL(api_update_from_json(docker_cli, &l, &p, &fields, &err), 0);
	CU_ASSERT_EQUAL(fields, 0);
	json_decref(body);
	json_decref(docker_cli);
}

static void test_update_bad_bodies(void)
{
	static const struct {
		const char *body, *message;
	} bad[] = {
		{ "[]", "invalid field 'body': expected an object" },
		{ "{\"Memory\":-5}", "invalid field 'Memory': -5 is below the minimum 0" },
		{ "{\"MemorySwap\":\"1g\"}", "invalid field 'MemorySwap': expected an integer" },
		{ "{\"PidsLimit\":-2}", "invalid field 'PidsLimit'" },
		{ "{\"BlkioDeviceReadBps\":[{\"Path\":\"/dev/vda\"}]}",
		  "invalid field 'BlkioDeviceReadBps[0].Rate'" },
		{ "{\"RestartPolicy\":{\"Name\":\"never\"}}",
		  "invalid field 'RestartPolicy.Name': 'never' is not a restart policy" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *body = load(bad[i].body);
		struct rt_limits l;
		struct restart_policy p;
		struct mst_err err = { 0 };
		unsigned fields;

		CU_ASSERT_EQUAL(api_update_from_json(body, &l, &p, &fields, &err), -EINVAL);
		if (!strstr(err.msg, bad[i].message)) {
			fprintf(stderr, "\nupdate %s: message '%s' lacks '%s'\n", bad[i].body,
				err.msg, bad[i].message);
			CU_FAIL("error message does not name the field");
		}
		json_decref(body);
	}
}

static void fill_record(struct ctr_record *r)
{
	static char *argv[] = { "sleep", "5", NULL };

	memset(r, 0, sizeof(*r));
	snprintf(r->spec.name, sizeof(r->spec.name), "web");
	memset(r->spec.id, 'a', 64);
	r->spec.argv = argv;
	r->status = CTR_STATUS_EXITED;
	r->created_ns = 1700000000123456789ULL;
	r->started_ns = 1700000001000000000ULL;
	r->finished_ns = 1700000061000000000ULL;
	r->exit_code = 137;
	r->oom_kill_count = 2;
	r->oom_killed = true;
}

static void test_inspect(void)
{
	struct ctr_record r;
	json_t *obj, *state;

	fill_record(&r);
	obj = api_json_inspect(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(obj);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(obj, "Name")), "/web");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(obj, "Path")), "sleep");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(json_object_get(obj, "Args"), 0)),
			       "5");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(obj, "Created")),
			       "2023-11-14T22:13:20.123456789Z");
	state = json_object_get(obj, "State");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(state, "Status")), "exited");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(state, "ExitCode")), 137);
	CU_ASSERT_TRUE(json_is_true(json_object_get(state, "OOMKilled")));
	CU_ASSERT_TRUE(json_is_false(json_object_get(state, "Running")));
	CU_ASSERT_EQUAL(
	    json_integer_value(json_object_get(json_object_get(obj, "Mstat"), "OOMKillCount")), 2);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(obj, "RestartCount")), 0);
	CU_ASSERT_TRUE(json_is_false(json_object_get(state, "Restarting")));
	CU_ASSERT_STRING_EQUAL(
	    json_string_value(json_object_get(
		json_object_get(json_object_get(obj, "HostConfig"), "RestartPolicy"), "Name")),
	    "no");
	CU_ASSERT_STRING_EQUAL(
	    json_string_value(json_object_get(json_object_get(obj, "Config"), "Hostname")),
	    "aaaaaaaaaaaa");
	json_decref(obj);
}

static void test_inspect_device_rates(void)
{
	struct rt_device_rate writes[] = { { .path = (char *)"/dev/vda", .rate = 5242880 } };
	struct ctr_record r;
	json_t *obj, *host, *entry;

	fill_record(&r);
	obj = api_json_inspect(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(obj);
	host = json_object_get(obj, "HostConfig");
	CU_ASSERT_TRUE(json_is_array(json_object_get(host, "BlkioDeviceReadBps")));
	CU_ASSERT_EQUAL(json_array_size(json_object_get(host, "BlkioDeviceReadBps")), 0);
	json_decref(obj);

	r.spec.limits.device_write_bps = writes;
	r.spec.limits.n_device_write_bps = 1;
	obj = api_json_inspect(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(obj);
	host = json_object_get(obj, "HostConfig");
	CU_ASSERT_EQUAL_FATAL(json_array_size(json_object_get(host, "BlkioDeviceWriteBps")), 1);
	entry = json_array_get(json_object_get(host, "BlkioDeviceWriteBps"), 0);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(entry, "Path")), "/dev/vda");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(entry, "Rate")), 5242880);
	json_decref(obj);
}

/* Each swap request and the MemorySwap inspect reports, as dockerd stores it. */
static void test_inspect_memory_swap(void)
{
	static const struct {
		uint64_t memory;
		int64_t swap;
		long long reported;
	} cases[] = {
		{ 64 << 20, 0, 128 << 20 },
		{ 64 << 20, -1, -1 },
		{ 64 << 20, 96 << 20, 96 << 20 },
		{ 0, 0, 0 },
		{ 0, -1, -1 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ctr_record r;
		json_t *obj, *host, *stored;

		fill_record(&r);
		r.spec.limits.memory = cases[i].memory;
		r.spec.limits.memory_swap = cases[i].swap;
		obj = api_json_inspect(&r);
		CU_ASSERT_PTR_NOT_NULL_FATAL(obj);
		host = json_object_get(obj, "HostConfig");
		CU_ASSERT_EQUAL(json_integer_value(json_object_get(host, "MemorySwap")),
				cases[i].reported);
		json_decref(obj);

		/* The state file keeps the request, so a restart applies the same
		 * rule again. */
		stored = api_spec_to_json(&r.spec, &r.options);
		CU_ASSERT_PTR_NOT_NULL_FATAL(stored);
		host = json_object_get(stored, "HostConfig");
		CU_ASSERT_EQUAL(json_integer_value(json_object_get(host, "MemorySwap")),
				cases[i].swap);
		json_decref(stored);
	}
}

/* Returns the number of warnings that name field. */
static size_t count_warnings(const json_t *warnings, const char *field)
{
	size_t n = 0;

	for (size_t i = 0; i < json_array_size(warnings); i++) {
		const char *w = json_string_value(json_array_get(warnings, i));

		if (w && strncmp(w, field, strlen(field)) == 0 && w[strlen(field)] == ' ')
			n++;
	}
	return n;
}

static void test_create_warnings(void)
{
	static const char *const fields[] = {
		"Image",
		"HostConfig.Privileged",
		"HostConfig.Binds",
		"HostConfig.Mounts",
		"HostConfig.Devices",
		"HostConfig.CapAdd",
		"HostConfig.CapDrop",
		"HostConfig.SecurityOpt",
	};
	json_t *all = load("{\"Cmd\":[\"true\"],\"Image\":\"alpine\",\"HostConfig\":{"
			   "\"Privileged\":true,\"Binds\":[\"/a:/b\"],"
			   "\"PortBindings\":{\"80/tcp\":[{\"HostPort\":\"8080\"}]},"
			   "\"Mounts\":[{\"Type\":\"bind\"}],\"Devices\":[{\"PathOnHost\":"
			   "\"/dev/fuse\"}],\"CapAdd\":[\"NET_ADMIN\"],\"CapDrop\":[\"ALL\"],"
			   "\"SecurityOpt\":[\"seccomp=unconfined\"],"
			   "\"RestartPolicy\":{\"Name\":\"always\"}}}");
	json_t *none = load("{\"Cmd\":[\"true\"],\"Image\":\"\",\"HostConfig\":{"
			    "\"Privileged\":false,\"Binds\":null,\"PortBindings\":{},"
			    "\"Mounts\":[],\"CapAdd\":[],\"SecurityOpt\":null,"
			    "\"RestartPolicy\":{\"Name\":\"no\",\"MaximumRetryCount\":0}}}");
	json_t *empty_policy = load("{\"Cmd\":[\"true\"],\"HostConfig\":{\"RestartPolicy\":"
				    "{\"Name\":\"\"}}}");
	json_t *w;

	w = api_create_warnings(all);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_EQUAL(json_array_size(w), sizeof(fields) / sizeof(fields[0]));
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (count_warnings(w, fields[i]) != 1)
			fprintf(stderr, "\nno single warning for %s\n", fields[i]);
		CU_ASSERT_EQUAL(count_warnings(w, fields[i]), 1);
	}
	json_decref(w);

	w = api_create_warnings(none);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_EQUAL(json_array_size(w), 0);
	json_decref(w);

	w = api_create_warnings(empty_policy);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_EQUAL(json_array_size(w), 0);
	json_decref(w);

	json_decref(all);
	json_decref(none);
	json_decref(empty_policy);
}

static void test_list_entry(void)
{
	struct ctr_record r;
	json_t *obj;

	fill_record(&r);
	obj = api_json_list_entry(&r, r.finished_ns + 300ULL * 1000000000ULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(obj);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(obj, "Command")), "sleep 5");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(obj, "Status")),
			       "Exited (137) 5 minutes ago");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(obj, "Created")), 1700000000);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(json_object_get(obj, "Names"), 0)),
			       "/web");
	json_decref(obj);

	r.status = CTR_STATUS_RUNNING;
	obj = api_json_list_entry(&r, r.started_ns + 3600ULL * 1000000000ULL);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(obj, "Status")),
			       "Up About an hour");
	json_decref(obj);
}

static void test_time_and_duration(void)
{
	char buf[64];

	api_format_time(0, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "0001-01-01T00:00:00Z");
	api_format_time(1000000000ULL, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "1970-01-01T00:00:01.000000000Z");

	api_format_duration(0, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "Less than a second");
	api_format_duration(1, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "1 second");
	api_format_duration(59, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "59 seconds");
	api_format_duration(90, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "About a minute");
	api_format_duration(7200, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "2 hours");
	api_format_duration(3 * 86400, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "3 days");
}

/* User and HostConfig.GroupAdd: create, the state file's round trip, inspect
 * and the exec body. */
static void test_user_fields(void)
{
	json_t *body = load("{\"Cmd\":[\"id\"],\"User\":\"alice:staff\","
			    "\"HostConfig\":{\"GroupAdd\":[\"audio\",\"777\"]}}");
	json_t *bad_user = load("{\"Cmd\":[\"id\"],\"User\":\"1:2:3\"}");
	json_t *exec_body = load("{\"Cmd\":[\"id\"],\"User\":\"nobody\"}");
	json_t *bad_exec = load("{\"Cmd\":[\"id\"],\"User\":\"-5\"}");
	struct ctr_options options, options_again;
	struct mst_err err = { 0 };
	struct rt_spec spec, again;
	struct ctr_record r;
	json_t *out, *inspect;

	CU_ASSERT_EQUAL_FATAL(api_spec_from_json(body, &spec, &options, &err), 0);
	CU_ASSERT_STRING_EQUAL(spec.user, "alice:staff");
	CU_ASSERT_STRING_EQUAL(spec.group_add[1], "777");
	snprintf(spec.name, sizeof(spec.name), "web");
	memset(spec.id, 'a', 64);
	CU_ASSERT_EQUAL(rt_spec_validate(&spec, &err), 0);
	out = api_spec_to_json(&spec, &options);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_EQUAL_FATAL(api_spec_from_json(out, &again, &options_again, &err), 0);
	CU_ASSERT_STRING_EQUAL(again.user, "alice:staff");
	CU_ASSERT_STRING_EQUAL(again.group_add[0], "audio");
	CU_ASSERT_PTR_NULL(again.group_add[2]);

	fill_record(&r);
	r.spec.user = spec.user;
	r.spec.group_add = spec.group_add;
	inspect = api_json_inspect(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(inspect);
	CU_ASSERT_STRING_EQUAL(
	    json_string_value(json_object_get(json_object_get(inspect, "Config"), "User")),
	    "alice:staff");
	CU_ASSERT_EQUAL(
	    json_array_size(json_object_get(json_object_get(inspect, "HostConfig"), "GroupAdd")),
	    2);
	json_decref(inspect);
	ctr_spec_free(&spec);
	ctr_spec_free(&again);
	json_decref(out);

	/* A bad USER[:GROUP] is a create error at validation, naming the value. */
	CU_ASSERT_EQUAL_FATAL(api_spec_from_json(bad_user, &spec, &options, &err), 0);
	snprintf(spec.name, sizeof(spec.name), "web");
	memset(spec.id, 'a', 64);
	CU_ASSERT_EQUAL(rt_spec_validate(&spec, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "invalid user \"1:2:3\""));
	ctr_spec_free(&spec);

	CU_ASSERT_EQUAL_FATAL(api_exec_from_json(exec_body, &spec, &err), 0);
	CU_ASSERT_STRING_EQUAL(spec.user, "nobody");
	ctr_spec_free(&spec);
	CU_ASSERT_EQUAL(api_exec_from_json(bad_exec, &spec, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "invalid user \"-5\""));

	json_decref(body);
	json_decref(bad_user);
	json_decref(exec_body);
	json_decref(bad_exec);
}

int main(void)
{
	CU_pSuite suite;
	unsigned failures;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("agent_api_json", NULL, NULL);
	CU_add_test(suite, "create body with every field", test_full_body);
	CU_add_test(suite, "create body minimal", test_minimal_body);
	CU_add_test(suite, "bad bodies name the field", test_bad_bodies);
	CU_add_test(suite, "update body fields", test_update_body);
	CU_add_test(suite, "bad update bodies name the field", test_update_bad_bodies);
	CU_add_test(suite, "spec JSON round trip", test_spec_round_trip);
	CU_add_test(suite, "inspect object", test_inspect);
	CU_add_test(suite, "inspect device rates", test_inspect_device_rates);
	CU_add_test(suite, "inspect effective MemorySwap", test_inspect_memory_swap);
	CU_add_test(suite, "create warnings for ignored fields", test_create_warnings);
	CU_add_test(suite, "list entry", test_list_entry);
	CU_add_test(suite, "time and duration formats", test_time_and_duration);
	CU_add_test(suite, "user and group-add fields", test_user_fields);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failures ? 1 : 0;
}
