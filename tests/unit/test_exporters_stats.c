/* SPDX-License-Identifier: MIT */
/*
 * Tests of the Docker stats JSON and the `docker stats` figures and formats.
 * They check the JSON of a v1 and a v2 entry field by field, a round trip
 * through text and dstats_row_from_json(), the CLI's CPU and memory arithmetic
 * on known deltas, go-units sizes on a table of values, and the table layout.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/parse.h"
#include "exporters/stats_json.h"
#include "tests/unit/cunit_main.h"
#include "tests/unit/test_exporters_fixture.h"

/* The member at a dotted path ("memory_stats.stats.rss"), or NULL. */
static json_t *at(json_t *root, const char *path)
{
	char buf[256];
	char *save = NULL;
	json_t *cur = root;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *key = strtok_r(buf, ".", &save); key && cur; key = strtok_r(NULL, ".", &save))
		cur = json_object_get(cur, key);
	return cur;
}

static long long int_at(json_t *root, const char *path)
{
	json_t *v = at(root, path);

	if (!json_is_integer(v))
		fprintf(stderr, "\n  not an integer: %s\n", path);
	CU_ASSERT_TRUE(json_is_integer(v));
	return json_integer_value(v);
}

static const char *str_at(json_t *root, const char *path)
{
	const char *s = json_string_value(at(root, path));

	CU_ASSERT_PTR_NOT_NULL(s);
	return s ? s : "";
}

/* Checks one io_service_bytes_recursive or io_serviced_recursive entry. */
static void check_blkio_entry(json_t *list, size_t i, long long major, long long minor,
			      const char *op, long long value)
{
	json_t *e = json_array_get(list, i);

	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(int_at(e, "major"), major);
	CU_ASSERT_EQUAL(int_at(e, "minor"), minor);
	CU_ASSERT_STRING_EQUAL(str_at(e, "op"), op);
	CU_ASSERT_EQUAL(int_at(e, "value"), value);
}

static void test_stats_json_v1_fields(void)
{
	struct snapshot *snap = fixture_snapshot();
	json_t *j = stats_json_entry(snap, &snap->entries[FIXTURE_V1]);
	json_t *bytes, *ops, *networks;

	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(str_at(j, "read"), "2023-11-14T22:15:00.5Z");
	CU_ASSERT_STRING_EQUAL(str_at(j, "preread"), "2023-11-14T22:14:59.5Z");
	CU_ASSERT_STRING_EQUAL(str_at(j, "name"), "/" FIXTURE_V1_NAME);
	CU_ASSERT_STRING_EQUAL(str_at(j, "id"), FIXTURE_V1_CONTAINER_ID);
	CU_ASSERT_EQUAL(int_at(j, "num_procs"), 0);

	CU_ASSERT_EQUAL(int_at(j, "cpu_stats.cpu_usage.total_usage"), 1500000000);
	CU_ASSERT_EQUAL(int_at(j, "cpu_stats.cpu_usage.usage_in_kernelmode"), 400000000);
	CU_ASSERT_EQUAL(int_at(j, "cpu_stats.cpu_usage.usage_in_usermode"), 1000000000);
	CU_ASSERT_EQUAL(int_at(j, "cpu_stats.system_cpu_usage"), 102000000000LL);
	CU_ASSERT_EQUAL(int_at(j, "cpu_stats.online_cpus"), FIXTURE_ONLINE_CPUS);
	CU_ASSERT_EQUAL(int_at(j, "cpu_stats.throttling_data.periods"), 100);
	CU_ASSERT_EQUAL(int_at(j, "cpu_stats.throttling_data.throttled_periods"), 7);
	CU_ASSERT_EQUAL(int_at(j, "cpu_stats.throttling_data.throttled_time"), 250000000);
	CU_ASSERT_EQUAL(int_at(j, "precpu_stats.cpu_usage.total_usage"), 1000000000);
	CU_ASSERT_EQUAL(int_at(j, "precpu_stats.system_cpu_usage"), 100000000000LL);

	CU_ASSERT_EQUAL(int_at(j, "memory_stats.usage"), 104857600);
	CU_ASSERT_EQUAL(int_at(j, "memory_stats.max_usage"), 209715200);
	CU_ASSERT_EQUAL(int_at(j, "memory_stats.failcnt"), 3);
	CU_ASSERT_EQUAL(int_at(j, "memory_stats.limit"), 268435456);
	CU_ASSERT_EQUAL(int_at(j, "memory_stats.stats.total_inactive_file"), 20971520);
	CU_ASSERT_EQUAL(int_at(j, "memory_stats.stats.cache"), 52428800);
	CU_ASSERT_EQUAL(int_at(j, "memory_stats.stats.rss"), 41943040);
	CU_ASSERT_EQUAL(int_at(j, "memory_stats.stats.total_pgmajfault"), 67);
	CU_ASSERT_PTR_NULL(at(j, "memory_stats.stats.anon"));

	/* v1 operations are capitalised as in the kernel's blkio files. */
	bytes = at(j, "blkio_stats.io_service_bytes_recursive");
	CU_ASSERT_EQUAL_FATAL(json_array_size(bytes), 4);
	check_blkio_entry(bytes, 0, 8, 0, "Read", 4096);
	check_blkio_entry(bytes, 1, 8, 0, "Write", 1048576);
	check_blkio_entry(bytes, 2, 253, 1, "Read", 8192);
	check_blkio_entry(bytes, 3, 253, 1, "Write", 0);
	ops = at(j, "blkio_stats.io_serviced_recursive");
	CU_ASSERT_EQUAL_FATAL(json_array_size(ops), 4);
	check_blkio_entry(ops, 1, 8, 0, "Write", 256);
	CU_ASSERT_TRUE(json_is_null(at(j, "blkio_stats.io_queue_recursive")));

	networks = at(j, "networks");
	CU_ASSERT_EQUAL(json_object_size(networks), 2);
	CU_ASSERT_STRING_EQUAL(json_object_iter_key(json_object_iter(networks)), "eth0");
	CU_ASSERT_EQUAL(int_at(j, "networks.eth0.rx_bytes"), 1000);
	CU_ASSERT_EQUAL(int_at(j, "networks.eth0.rx_packets"), 10);
	CU_ASSERT_EQUAL(int_at(j, "networks.eth0.rx_errors"), 1);
	CU_ASSERT_EQUAL(int_at(j, "networks.eth0.rx_dropped"), 2);
	CU_ASSERT_EQUAL(int_at(j, "networks.eth0.tx_bytes"), 2000);
	CU_ASSERT_EQUAL(int_at(j, "networks.eth0.tx_packets"), 20);
	CU_ASSERT_EQUAL(int_at(j, "networks.eth0.tx_errors"), 3);
	CU_ASSERT_EQUAL(int_at(j, "networks.eth0.tx_dropped"), 4);
	CU_ASSERT_EQUAL(int_at(j, "networks.eth1.tx_bytes"), 250);

	CU_ASSERT_EQUAL(int_at(j, "pids_stats.current"), 5);
	CU_ASSERT_EQUAL(int_at(j, "pids_stats.limit"), 100);
	json_decref(j);
	fixture_free(snap);
}

static void test_stats_json_v2_first_sample(void)
{
	struct snapshot *snap = fixture_snapshot();
	json_t *j = stats_json_entry(snap, &snap->entries[FIXTURE_V2]);

	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(str_at(j, "read"), "2023-11-14T22:15:00.25Z");
	CU_ASSERT_STRING_EQUAL(str_at(j, "preread"), "0001-01-01T00:00:00Z");
	CU_ASSERT_STRING_EQUAL(str_at(j, "name"), "/" FIXTURE_V2_NAME);
	/* A watched cgroup has no container id, so the cgroup path is used. */
	CU_ASSERT_STRING_EQUAL(str_at(j, "id"), FIXTURE_V2_CGROUP);

	/* Docker's precpu_stats of a first sample: zeros, no system or CPUs. */
	CU_ASSERT_EQUAL(int_at(j, "precpu_stats.cpu_usage.total_usage"), 0);
	CU_ASSERT_EQUAL(int_at(j, "precpu_stats.cpu_usage.usage_in_kernelmode"), 0);
	CU_ASSERT_EQUAL(int_at(j, "precpu_stats.throttling_data.periods"), 0);
	CU_ASSERT_PTR_NULL(at(j, "precpu_stats.system_cpu_usage"));
	CU_ASSERT_PTR_NULL(at(j, "precpu_stats.online_cpus"));
	CU_ASSERT_EQUAL(int_at(j, "cpu_stats.system_cpu_usage"), 400000000000LL);

	CU_ASSERT_EQUAL(int_at(j, "memory_stats.usage"), 50000000);
	CU_ASSERT_PTR_NULL(at(j, "memory_stats.max_usage"));
	/* dockerd fills failcnt from memory.events "oom" on v2. */
	CU_ASSERT_EQUAL(int_at(j, "memory_stats.failcnt"), 2);
	/* Unlimited: the host's memory, as dockerd reports it. */
	CU_ASSERT_EQUAL(int_at(j, "memory_stats.limit"), (long long)FIXTURE_HOST_MEMORY);
	CU_ASSERT_EQUAL(int_at(j, "memory_stats.stats.anon"), 25000000);
	CU_ASSERT_EQUAL(int_at(j, "memory_stats.stats.file"), 20000000);
	CU_ASSERT_EQUAL(int_at(j, "memory_stats.stats.inactive_file"), 10000000);
	CU_ASSERT_EQUAL(int_at(j, "memory_stats.stats.file_mapped"), 2000000);
	CU_ASSERT_EQUAL(int_at(j, "memory_stats.stats.shmem"), 1000000);
	CU_ASSERT_EQUAL(int_at(j, "memory_stats.stats.pgfault"), 999);
	CU_ASSERT_PTR_NULL(at(j, "memory_stats.stats.pgmajfault"));
	CU_ASSERT_PTR_NULL(at(j, "memory_stats.stats.active_anon"));
	CU_ASSERT_PTR_NULL(at(j, "memory_stats.stats.total_inactive_file"));

	CU_ASSERT_TRUE(json_is_null(at(j, "blkio_stats.io_service_bytes_recursive")));
	CU_ASSERT_TRUE(json_is_null(at(j, "blkio_stats.io_serviced_recursive")));
	CU_ASSERT_PTR_NULL(at(j, "networks"));
	CU_ASSERT_EQUAL(int_at(j, "pids_stats.current"), 3);
	CU_ASSERT_PTR_NULL(at(j, "pids_stats.limit"));
	json_decref(j);
	fixture_free(snap);
}

/* v2 block I/O operations are lowercase, as dockerd's statsV2 writes them. */
static void test_stats_json_v2_blkio_lowercase(void)
{
	struct snapshot *snap = fixture_snapshot();
	struct sample *s = &snap->entries[FIXTURE_V2].cur;
	json_t *j, *bytes;

	s->n_blkdev = 1;
	s->blkdev[0] =
	    (struct sample_blkdev){ .major = 259, .minor = 0, .read_bytes = 7, .write_bytes = 9 };
	sample_set(s, SAMPLE_IO_READ_BYTES, 7);
	sample_set(s, SAMPLE_IO_WRITE_BYTES, 9);
	j = stats_json_entry(snap, &snap->entries[FIXTURE_V2]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	bytes = at(j, "blkio_stats.io_service_bytes_recursive");
	CU_ASSERT_EQUAL_FATAL(json_array_size(bytes), 2);
	check_blkio_entry(bytes, 0, 259, 0, "read", 7);
	check_blkio_entry(bytes, 1, 259, 0, "write", 9);
	CU_ASSERT_TRUE(json_is_null(at(j, "blkio_stats.io_serviced_recursive")));
	json_decref(j);
	fixture_free(snap);
}

static void test_stats_json_limits_and_times(void)
{
	struct snapshot *snap = fixture_snapshot();
	struct snapshot_entry *e = &snap->entries[FIXTURE_V1];
	json_t *j;

	/* An unset v1 limit (LONG_MAX rounded to a page) shows the host memory. */
	sample_set(&e->cur, SAMPLE_MEM_LIMIT, 9223372036854771712ULL);
	e->cur.real_ns = 1700000100000000001ULL;
	j = stats_json_entry(snap, e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(int_at(j, "memory_stats.limit"), (long long)FIXTURE_HOST_MEMORY);
	CU_ASSERT_STRING_EQUAL(str_at(j, "read"), "2023-11-14T22:15:00.000000001Z");
	json_decref(j);

	/* Without the host's memory, an unlimited limit is clamped to what a
	 * JSON integer of jansson holds. */
	snap->host_memory_bytes = 0;
	sample_set(&e->cur, SAMPLE_MEM_LIMIT, MST_UNLIMITED);
	e->cur.real_ns = 1700000100000000000ULL;
	j = stats_json_entry(snap, e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(int_at(j, "memory_stats.limit"), INT64_MAX);
	CU_ASSERT_STRING_EQUAL(str_at(j, "read"), "2023-11-14T22:15:00Z");
	json_decref(j);
	fixture_free(snap);
}

static bool near(double a, double b)
{
	return fabs(a - b) <= 1e-9 * (fabs(b) > 1.0 ? fabs(b) : 1.0);
}

/* Serializes an entry, parses the text back and computes its row. */
static struct dstats_row row_via_text(const struct snapshot *snap, size_t i)
{
	struct dstats_row r;
	json_t *j = stats_json_entry(snap, &snap->entries[i]);
	char *text = json_dumps(j, JSON_COMPACT);
	json_error_t error;
	json_t *parsed = json_loads(text, 0, &error);

	CU_ASSERT_PTR_NOT_NULL_FATAL(parsed);
	memset(&r, 0x5a, sizeof(r));
	CU_ASSERT_EQUAL(dstats_row_from_json(parsed, &r), 0);
	json_decref(parsed);
	free(text);
	json_decref(j);
	return r;
}

static void test_stats_round_trip_row(void)
{
	struct snapshot *snap = fixture_snapshot();
	struct dstats_row v1 = row_via_text(snap, FIXTURE_V1);
	struct dstats_row v2 = row_via_text(snap, FIXTURE_V2);

	/* 0.5 s of container CPU over 2 s of host CPU time on 2 CPUs. */
	CU_ASSERT_TRUE(near(v1.cpu_percent, 50.0));
	CU_ASSERT_EQUAL(v1.valid_cpu, 1);
	CU_ASSERT_EQUAL(v1.invalid, 0);
	/* usage 100 MiB minus total_inactive_file 20 MiB, of a 256 MiB limit */
	CU_ASSERT_TRUE(near(v1.mem_usage, 83886080.0));
	CU_ASSERT_TRUE(near(v1.mem_limit, 268435456.0));
	CU_ASSERT_TRUE(near(v1.mem_percent, 31.25));
	CU_ASSERT_TRUE(near(v1.net_rx, 1500.0));
	CU_ASSERT_TRUE(near(v1.net_tx, 2250.0));
	CU_ASSERT_TRUE(near(v1.blk_read, 12288.0));
	CU_ASSERT_TRUE(near(v1.blk_write, 1048576.0));
	CU_ASSERT_EQUAL(v1.pids, 5);
	CU_ASSERT_STRING_EQUAL(v1.name, FIXTURE_V1_NAME);
	CU_ASSERT_STRING_EQUAL(v1.id, FIXTURE_V1_CONTAINER_ID);

	/* First sample: docker divides the CPU time since start by the host's
	 * CPU time since boot, 3 s / 400 s * 2 CPUs. */
	CU_ASSERT_TRUE(near(v2.cpu_percent, 1.5));
	CU_ASSERT_EQUAL(v2.valid_cpu, 0);
	CU_ASSERT_TRUE(near(v2.mem_usage, 40000000.0));
	CU_ASSERT_TRUE(near(v2.mem_limit, 8000000000.0));
	CU_ASSERT_TRUE(near(v2.mem_percent, 0.5));
	CU_ASSERT_TRUE(near(v2.net_rx, 0.0));
	CU_ASSERT_TRUE(near(v2.blk_read, 0.0));
	CU_ASSERT_TRUE(near(v2.blk_write, 0.0));
	CU_ASSERT_EQUAL(v2.pids, 3);
	CU_ASSERT_STRING_EQUAL(v2.name, "we\"ird\\name\nline");
	CU_ASSERT_STRING_EQUAL(v2.id, FIXTURE_V2_CGROUP);
	fixture_free(snap);
}

static double cpu_percent_of(const char *text)
{
	struct dstats_row r;
	json_error_t error;
	json_t *j = json_loads(text, 0, &error);

	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_EQUAL(dstats_row_from_json(j, &r), 0);
	json_decref(j);
	return r.cpu_percent;
}

static void test_dstats_cpu_percent_formula(void)
{
	static const struct {
		const char *json;
		double percent;
	} cases[] = {
		/* 100 ns of 400 ns host time on 4 CPUs */
		{ "{\"cpu_stats\":{\"cpu_usage\":{\"total_usage\":200},\"system_cpu_usage\":1000,"
		  "\"online_cpus\":4},\"precpu_stats\":{\"cpu_usage\":{\"total_usage\":100},"
		  "\"system_cpu_usage\":600}}",
		  100.0 },
		/* online_cpus missing: the per-CPU list length counts */
		{ "{\"cpu_stats\":{\"cpu_usage\":{\"total_usage\":300,\"percpu_usage\":[1,2,3]},"
		  "\"system_cpu_usage\":2000},\"precpu_stats\":{\"cpu_usage\":{\"total_usage\":100}"
		  ","
		  "\"system_cpu_usage\":1000}}",
		  60.0 },
		/* host delta 0: no figure */
		{ "{\"cpu_stats\":{\"cpu_usage\":{\"total_usage\":300},\"system_cpu_usage\":1000,"
		  "\"online_cpus\":2},\"precpu_stats\":{\"cpu_usage\":{\"total_usage\":100},"
		  "\"system_cpu_usage\":1000}}",
		  0.0 },
		/* container counter went backwards: no figure */
		{ "{\"cpu_stats\":{\"cpu_usage\":{\"total_usage\":50},\"system_cpu_usage\":2000,"
		  "\"online_cpus\":2},\"precpu_stats\":{\"cpu_usage\":{\"total_usage\":100},"
		  "\"system_cpu_usage\":1000}}",
		  0.0 },
		/* 1.5 CPUs busy out of 2 on a 1 s interval, in nanoseconds */
		{ "{\"cpu_stats\":{\"cpu_usage\":{\"total_usage\":11500000000},"
		  "\"system_cpu_usage\":1002000000000,\"online_cpus\":2},"
		  "\"precpu_stats\":{\"cpu_usage\":{\"total_usage\":10000000000},"
		  "\"system_cpu_usage\":1000000000000}}",
		  150.0 },
		{ "{}", 0.0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double got = cpu_percent_of(cases[i].json);

		if (!near(got, cases[i].percent))
			fprintf(stderr, "\n  case %zu: %g%%, expected %g%%\n", i, got,
				cases[i].percent);
		CU_ASSERT_TRUE(near(got, cases[i].percent));
	}
}

static void test_dstats_memory_usage_rules(void)
{
	static const struct {
		const char *json;
		double usage;
	} cases[] = {
		/* v1: usage minus total_inactive_file */
		{ "{\"memory_stats\":{\"usage\":1000,\"stats\":{\"total_inactive_file\":300,"
		  "\"inactive_file\":100}}}",
		  700.0 },
		/* v1 value not smaller than usage: docker falls through to inactive_file */
		{ "{\"memory_stats\":{\"usage\":1000,\"stats\":{\"total_inactive_file\":1000,"
		  "\"inactive_file\":100}}}",
		  900.0 },
		/* v2: usage minus inactive_file */
		{ "{\"memory_stats\":{\"usage\":1000,\"stats\":{\"inactive_file\":400}}}", 600.0 },
		/* inactive_file larger than usage: usage as is */
		{ "{\"memory_stats\":{\"usage\":1000,\"stats\":{\"inactive_file\":4000}}}",
		  1000.0 },
		{ "{\"memory_stats\":{\"usage\":1000}}", 1000.0 },
		{ "{\"memory_stats\":{}}", 0.0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dstats_row r;
		json_error_t error;
		json_t *j = json_loads(cases[i].json, 0, &error);

		CU_ASSERT_PTR_NOT_NULL_FATAL(j);
		CU_ASSERT_EQUAL(dstats_row_from_json(j, &r), 0);
		if (!near(r.mem_usage, cases[i].usage))
			fprintf(stderr, "\n  case %zu: %g, expected %g\n", i, r.mem_usage,
				cases[i].usage);
		CU_ASSERT_TRUE(near(r.mem_usage, cases[i].usage));
		/* no limit: MEM % stays 0 */
		CU_ASSERT_TRUE(near(r.mem_percent, 0.0));
		json_decref(j);
	}
}

static void test_dstats_row_rejects_non_object(void)
{
	struct dstats_row r;
	json_t *arr = json_array();

	memset(&r, 0x5a, sizeof(r));
	CU_ASSERT_EQUAL(dstats_row_from_json(arr, &r), -EINVAL);
	CU_ASSERT_EQUAL(dstats_row_from_json(NULL, &r), -EINVAL);
	/* ret untouched on failure */
	CU_ASSERT_EQUAL((unsigned char)r.name[0], 0x5a);
	json_decref(arr);
}

static void test_dstats_go_units_sizes(void)
{
	static const struct {
		double bytes;
		const char *binary;
		const char *decimal;
	} cases[] = {
		{ 0, "0B", "0B" },
		{ 999, "999B", "999B" },
		{ 1000, "1000B", "1kB" },
		{ 1023, "1023B", "1.023kB" },
		{ 1024, "1KiB", "1.024kB" },
		{ 1536, "1.5KiB", "1.536kB" },
		{ 10.5e6, "10.01MiB", "10.5MB" },
		{ 1048575, "1024KiB", "1.049MB" },
		{ 1099511627776.0, "1TiB", "1.1TB" },
		{ 18446744073709551615.0, "16EiB", "18.45EB" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[32];

		dstats_format_binary(cases[i].bytes, buf, sizeof(buf));
		CU_ASSERT_STRING_EQUAL(buf, cases[i].binary);
		dstats_format_decimal(cases[i].bytes, buf, sizeof(buf));
		CU_ASSERT_STRING_EQUAL(buf, cases[i].decimal);
	}
}

static struct dstats_row sample_row(void)
{
	struct dstats_row r = {
		.name = "web",
		.id = FIXTURE_V1_CONTAINER_ID,
		.cpu_percent = 50.0,
		.mem_usage = 83886080.0,
		.mem_limit = 268435456.0,
		.mem_percent = 31.25,
		.net_rx = 1500.0,
		.net_tx = 2250.0,
		.blk_read = 12288.0,
		.blk_write = 1048576.0,
		.pids = 5,
		.valid_cpu = 1,
	};

	return r;
}

static void test_dstats_row_format(void)
{
	struct dstats_row r = sample_row();
	char buf[512];

	dstats_format_header(buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT   "
				    "MEM %     NET I/O   BLOCK I/O   PIDS");

	/* NET and BLOCK I/O use three significant digits, as docker's CLI. */
	dstats_format_row(&r, 0, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "0123456789ab   web       50.00%    80MiB / 256MiB   "
				    "31.25%    1.5kB / 2.25kB   12.3kB / 1.05MB   5");

	dstats_format_row(&r, 1, buf, sizeof(buf));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, FIXTURE_V1_CONTAINER_ID "   web"));

	/* 999.5 kB rounds to "1e+03kB" with %.3g in Go as in C. */
	r.net_rx = 999500.0;
	r.net_tx = 0.0;
	dstats_format_row(&r, 0, buf, sizeof(buf));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "1e+03kB / 0B"));

	r.invalid = 1;
	dstats_format_row(&r, 0, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "0123456789ab   web       --        -- / --   --        "
				    "--        --        --");

	/* The output is cut to the buffer. */
	dstats_format_row(&r, 0, buf, 8);
	CU_ASSERT_STRING_EQUAL(buf, "0123456");
}

static void test_dstats_table_alignment(void)
{
	struct dstats_row rows[2] = { sample_row(), sample_row() };
	struct outbuf b;

	snprintf(rows[1].id, sizeof(rows[1].id), "sha256:fedcba9876543210aaaa");
	snprintf(rows[1].name, sizeof(rows[1].name), "a-much-longer-name");
	rows[1].invalid = 1;

	outbuf_init(&b);
	CU_ASSERT_EQUAL(dstats_format_table(rows, 2, 0, &b), 0);
	CU_ASSERT_STRING_EQUAL(b.data,
			       "CONTAINER ID   NAME                 CPU %     MEM USAGE / LIMIT   "
			       "MEM %     NET I/O          BLOCK I/O         PIDS\n"
			       "0123456789ab   web                  50.00%    80MiB / 256MiB      "
			       "31.25%    1.5kB / 2.25kB   12.3kB / 1.05MB   5\n"
			       "fedcba987654   a-much-longer-name   --        -- / --             "
			       "--        --               --                --\n");
	outbuf_free(&b);

	/* Widths count UTF-8 characters, not bytes. */
	snprintf(rows[1].name, sizeof(rows[1].name), "caf\xc3\xa9-1234567890");
	outbuf_init(&b);
	CU_ASSERT_EQUAL(dstats_format_table(rows, 2, 0, &b), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "caf\xc3\xa9-1234567890   --"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "NAME              CPU %"));
	outbuf_free(&b);
}

static const struct cunit_test tests[] = {
	{ "stats json v1 fields", test_stats_json_v1_fields },
	{ "stats json v2 first sample", test_stats_json_v2_first_sample },
	{ "stats json v2 blkio lowercase", test_stats_json_v2_blkio_lowercase },
	{ "stats json limits and times", test_stats_json_limits_and_times },
	{ "stats round trip row", test_stats_round_trip_row },
	{ "dstats cpu percent formula", test_dstats_cpu_percent_formula },
	{ "dstats memory usage rules", test_dstats_memory_usage_rules },
	{ "dstats row rejects non-object", test_dstats_row_rejects_non_object },
	{ "dstats go-units sizes", test_dstats_go_units_sizes },
	{ "dstats row format", test_dstats_row_format },
	{ "dstats table alignment", test_dstats_table_alignment },
	{ NULL, NULL },
};

int main(void)
{
	return cunit_run("exporters_stats", tests);
}
