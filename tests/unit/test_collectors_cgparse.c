/* SPDX-License-Identifier: MIT */
/*
 * The cgroup and proc file parsers, on files captured from a 6.18 kernel and
 * on the formats of the kernel's cgroup-v2 documentation. The edge cases are
 * "max", empty files, missing newlines, unknown and missing keys, values near
 * 2^64, and output left untouched on failure.
 */
#include <errno.h>
#include <string.h>

#include "collectors/cgparse.h"
#include "common/parse.h"
#include "tests/unit/cunit_main.h"
#include "tests/unit/test_collectors_fixture.h"

#define S(str) (str), (sizeof(str) - 1)

/* A sample with one value set, to check that a failed parse leaves it alone. */
static void sample_marked(struct sample *s)
{
	sample_reset(s);
	sample_set(s, SAMPLE_PIDS_CURRENT, 7);
}

static void check_only_mark(const struct sample *s)
{
	for (int k = 0; k < _SAMPLE_KEY_MAX; k++)
		CU_ASSERT_EQUAL(sample_has(s, (enum sample_key)k), k == SAMPLE_PIDS_CURRENT);
	CU_ASSERT_EQUAL(s->n_blkdev, 0);
	CU_ASSERT_EQUAL(s->n_netif, 0);
}

static const struct cgparse_key memory_keys[] = {
	{ "total_cache", SAMPLE_MEM_CACHE, 1 },
	{ "total_rss", SAMPLE_MEM_RSS, 1 },
	{ "total_inactive_file", SAMPLE_MEM_INACTIVE_FILE, 1 },
	{ "total_pgmajfault", SAMPLE_MEM_PGMAJFAULT, 1 },
	{ "total_kernel", SAMPLE_MEM_KERNEL, 1 }, /* not in v1 memory.stat */
};

static void test_keyed_v1_memory_stat(void)
{
	SAMPLE_DECLARE(s);
	size_t len;
	char *buf = fixture_read("v1-tree/memory/mstat-test/memory.stat", &len);

	sample_reset(&s);
	CU_ASSERT_EQUAL(cgparse_keyed(buf, len, memory_keys, 5, &s), 0);
	/* total_* and not the local "cache", "rss", ... lines that come first */
	CU_ASSERT_EQUAL(s.value[SAMPLE_MEM_CACHE], 172032);
	CU_ASSERT_EQUAL(s.value[SAMPLE_MEM_RSS], 8613888);
	CU_ASSERT_EQUAL(s.value[SAMPLE_MEM_INACTIVE_FILE], 155648);
	CU_ASSERT_EQUAL(s.value[SAMPLE_MEM_PGMAJFAULT], 4);
	CU_ASSERT_FALSE(sample_has(&s, SAMPLE_MEM_KERNEL));
	CU_ASSERT_FALSE(sample_has(&s, SAMPLE_MEM_SHMEM));
	free(buf);
}

static void test_keyed_v2_cpu_stat_real(void)
{
	static const struct cgparse_key keys[] = {
		{ "usage_usec", SAMPLE_CPU_USAGE_NS, 1000 },
		{ "user_usec", SAMPLE_CPU_USER_NS, 1000 },
		{ "system_usec", SAMPLE_CPU_SYSTEM_NS, 1000 },
		{ "nr_periods", SAMPLE_CPU_PERIODS, 1 },
	};
	SAMPLE_DECLARE(s);
	uint64_t usage = 0, user = 0, sys = 0;
	size_t len;
	char *buf = fixture_read("v2-root/cpu.stat", &len);

	sample_reset(&s);
	CU_ASSERT_EQUAL(cgparse_keyed(buf, len, keys, 4, &s), 0);
	CU_ASSERT_TRUE(sample_get(&s, SAMPLE_CPU_USAGE_NS, &usage));
	CU_ASSERT_TRUE(sample_get(&s, SAMPLE_CPU_USER_NS, &user));
	CU_ASSERT_TRUE(sample_get(&s, SAMPLE_CPU_SYSTEM_NS, &sys));
	CU_ASSERT_EQUAL(usage, 52132298000ULL);
	CU_ASSERT_EQUAL(user, 27165894000ULL);
	CU_ASSERT_EQUAL(sys, 24966403000ULL);
	/* the cgroup2 root has no nr_periods: missing, so absent */
	CU_ASSERT_FALSE(sample_has(&s, SAMPLE_CPU_PERIODS));
	free(buf);
}

static void test_keyed_oom_control(void)
{
	static const struct cgparse_key keys[] = { { "oom_kill", SAMPLE_MEM_OOM_KILL, 1 } };
	SAMPLE_DECLARE(s);
	size_t len;
	char *buf = fixture_read("v1-tree/memory/mstat-test/memory.oom_control", &len);

	sample_reset(&s);
	CU_ASSERT_EQUAL(cgparse_keyed(buf, len, keys, 1, &s), 0);
	CU_ASSERT_TRUE(sample_has(&s, SAMPLE_MEM_OOM_KILL));
	CU_ASSERT_EQUAL(s.value[SAMPLE_MEM_OOM_KILL], 0);
	free(buf);

	/* Kernels before 4.13 have no oom_kill line; oom_kill_disable must not match. */
	sample_reset(&s);
	CU_ASSERT_EQUAL(cgparse_keyed(S("oom_kill_disable 1\nunder_oom 0\n"), keys, 1, &s), 0);
	CU_ASSERT_FALSE(sample_has(&s, SAMPLE_MEM_OOM_KILL));
}

static void test_keyed_edge_cases(void)
{
	static const struct cgparse_key keys[] = {
		{ "high", SAMPLE_MEM_EVENTS_HIGH, 1 },
		{ "oom_kill", SAMPLE_MEM_OOM_KILL, 1 },
	};
	static const struct cgparse_key usec[] = { { "usage_usec", SAMPLE_CPU_USAGE_NS, 1000 } };
	SAMPLE_DECLARE(s);

	/* empty file: nothing set, not an error */
	sample_marked(&s);
	CU_ASSERT_EQUAL(cgparse_keyed("", 0, keys, 2, &s), 0);
	check_only_mark(&s);

	/* missing trailing newline, unknown key in the middle */
	sample_reset(&s);
	CU_ASSERT_EQUAL(cgparse_keyed(S("high 3\nsock_throttled 9\noom_kill 2"), keys, 2, &s), 0);
	CU_ASSERT_EQUAL(s.value[SAMPLE_MEM_EVENTS_HIGH], 3);
	CU_ASSERT_EQUAL(s.value[SAMPLE_MEM_OOM_KILL], 2);

	/* the largest value parses; one more is -ERANGE and writes nothing */
	sample_reset(&s);
	CU_ASSERT_EQUAL(cgparse_keyed(S("high 18446744073709551615\n"), keys, 2, &s), 0);
	CU_ASSERT_EQUAL(s.value[SAMPLE_MEM_EVENTS_HIGH], UINT64_MAX);
	sample_marked(&s);
	CU_ASSERT_EQUAL(cgparse_keyed(S("oom_kill 1\nhigh 18446744073709551616\n"), keys, 2, &s),
			-ERANGE);
	check_only_mark(&s);

	/* microseconds to nanoseconds overflows past 2^64 / 1000 */
	sample_reset(&s);
	CU_ASSERT_EQUAL(cgparse_keyed(S("usage_usec 18446744073709551\n"), usec, 1, &s), 0);
	CU_ASSERT_EQUAL(s.value[SAMPLE_CPU_USAGE_NS], 18446744073709551000ULL);
	sample_marked(&s);
	CU_ASSERT_EQUAL(cgparse_keyed(S("usage_usec 18446744073709552\n"), usec, 1, &s), -ERANGE);
	check_only_mark(&s);

	/* a malformed value of a listed key fails; of an unknown key, it does not */
	sample_marked(&s);
	CU_ASSERT_EQUAL(cgparse_keyed(S("high 12a\n"), keys, 2, &s), -EINVAL);
	CU_ASSERT_EQUAL(cgparse_keyed(S("high max\n"), keys, 2, &s), -EINVAL);
	CU_ASSERT_EQUAL(cgparse_keyed(S("high -1\n"), keys, 2, &s), -EINVAL);
	CU_ASSERT_EQUAL(cgparse_keyed(S("high \n"), keys, 2, &s), -EINVAL);
	check_only_mark(&s);
	CU_ASSERT_EQUAL(cgparse_keyed(S("cost.vrate 99.5\n"), keys, 2, &s), 0);
	check_only_mark(&s);
}

static void test_single_values(void)
{
	uint64_t v = 42;
	size_t len;
	char *buf;

	buf = fixture_read("v1-tree/memory/mstat-test/memory.limit_in_bytes", &len);
	CU_ASSERT_EQUAL(parse_limit(buf, len, &v), 0);
	CU_ASSERT_EQUAL(v, MST_UNLIMITED); /* 9223372036854771712 */
	free(buf);

	buf = fixture_read("v1-tree/pids/mstat-test/pids.max", &len);
	CU_ASSERT_EQUAL(parse_limit(buf, len, &v), 0);
	CU_ASSERT_EQUAL(v, MST_UNLIMITED); /* "max" */
	free(buf);

	buf = fixture_read("v1-tree/cpuacct/mstat-test/cpuacct.usage", &len);
	CU_ASSERT_EQUAL(parse_u64(buf, len, &v), 0);
	CU_ASSERT_EQUAL(v, 393057667);
	free(buf);

	v = 42;
	CU_ASSERT_EQUAL(parse_limit(S("268435456"), &v), 0); /* no trailing newline */
	CU_ASSERT_EQUAL(v, 268435456);
	v = 42;
	CU_ASSERT_EQUAL(parse_u64("", 0, &v), -EINVAL);
	CU_ASSERT_EQUAL(parse_u64(S("18446744073709551616\n"), &v), -ERANGE);
	CU_ASSERT_EQUAL(v, 42);
	CU_ASSERT_EQUAL(parse_u64(S("18446744073709551615\n"), &v), 0);
	CU_ASSERT_EQUAL(v, UINT64_MAX);
}

static void test_cfs_quota(void)
{
	uint64_t q = 42;
	size_t len;
	char *buf = fixture_read("v1-tree/cpu/mstat-test/cpu.cfs_quota_us", &len);

	CU_ASSERT_EQUAL(cgparse_cfs_quota(buf, len, &q), 0);
	CU_ASSERT_EQUAL(q, MST_UNLIMITED); /* -1 */
	free(buf);

	CU_ASSERT_EQUAL(cgparse_cfs_quota(S("50000\n"), &q), 0);
	CU_ASSERT_EQUAL(q, 50000);
	CU_ASSERT_EQUAL(cgparse_cfs_quota(S("9223372036854775807"), &q), 0);
	CU_ASSERT_EQUAL(q, 9223372036854775807ULL);
	q = 42;
	CU_ASSERT_EQUAL(cgparse_cfs_quota(S("-2\n"), &q), -EINVAL);
	CU_ASSERT_EQUAL(cgparse_cfs_quota("", 0, &q), -EINVAL);
	CU_ASSERT_EQUAL(cgparse_cfs_quota(S("max\n"), &q), -EINVAL);
	CU_ASSERT_EQUAL(cgparse_cfs_quota(S("9223372036854775808\n"), &q), -ERANGE);
	CU_ASSERT_EQUAL(q, 42);
}

static void test_cpu_max(void)
{
	uint64_t q = 1, p = 1;

	CU_ASSERT_EQUAL(cgparse_cpu_max(S("max 100000\n"), &q, &p), 0);
	CU_ASSERT_EQUAL(q, MST_UNLIMITED);
	CU_ASSERT_EQUAL(p, 100000);
	CU_ASSERT_EQUAL(cgparse_cpu_max(S("50000 100000"), &q, &p), 0);
	CU_ASSERT_EQUAL(q, 50000);
	CU_ASSERT_EQUAL(p, 100000);

	q = p = 1;
	CU_ASSERT_EQUAL(cgparse_cpu_max("", 0, &q, &p), -EINVAL);
	CU_ASSERT_EQUAL(cgparse_cpu_max(S("max\n"), &q, &p), -EINVAL);
	CU_ASSERT_EQUAL(cgparse_cpu_max(S("50000 100000 1\n"), &q, &p), -EINVAL);
	CU_ASSERT_EQUAL(cgparse_cpu_max(S("50000 max\n"), &q, &p), -EINVAL);
	CU_ASSERT_EQUAL(cgparse_cpu_max(S("18446744073709551616 100000\n"), &q, &p), -ERANGE);
	CU_ASSERT_EQUAL(q, 1);
	CU_ASSERT_EQUAL(p, 1);
}

static void test_cpuacct_stat(void)
{
	SAMPLE_DECLARE(s);
	size_t len;
	char *buf = fixture_read("v1-tree/cpuacct/mstat-test/cpuacct.stat", &len);

	sample_reset(&s);
	CU_ASSERT_EQUAL(cgparse_cpuacct_stat(buf, len, 100, &s), 0);
	CU_ASSERT_EQUAL(s.value[SAMPLE_CPU_USER_NS], 130000000);   /* 13 ticks */
	CU_ASSERT_EQUAL(s.value[SAMPLE_CPU_SYSTEM_NS], 250000000); /* 25 ticks */
	free(buf);

	sample_reset(&s);
	CU_ASSERT_EQUAL(cgparse_cpuacct_stat(S("user 3"), 300, &s), 0);
	CU_ASSERT_EQUAL(s.value[SAMPLE_CPU_USER_NS], 10000000);
	CU_ASSERT_FALSE(sample_has(&s, SAMPLE_CPU_SYSTEM_NS));

	/* 2^64 - 1 ticks are 10^7 times too many nanoseconds */
	sample_marked(&s);
	CU_ASSERT_EQUAL(cgparse_cpuacct_stat(S("user 1\nsystem 18446744073709551615\n"), 100, &s),
			-ERANGE);
	CU_ASSERT_EQUAL(cgparse_cpuacct_stat(S("user 1\n"), 0, &s), -EINVAL);
	check_only_mark(&s);
}

static void test_ticks_and_weight(void)
{
	uint64_t v = 42;

	CU_ASSERT_EQUAL(cgparse_ticks_to_ns(1844674407370, 100, &v), 0);
	CU_ASSERT_EQUAL(v, 18446744073700000000ULL);
	CU_ASSERT_EQUAL(cgparse_ticks_to_ns(7, 1000, &v), 0);
	CU_ASSERT_EQUAL(v, 7000000);
	v = 42;
	CU_ASSERT_EQUAL(cgparse_ticks_to_ns(1844674407371, 100, &v), -ERANGE);
	CU_ASSERT_EQUAL(v, 42);

	CU_ASSERT_EQUAL(cgparse_weight_to_shares(1, &v), 0);
	CU_ASSERT_EQUAL(v, 2);
	CU_ASSERT_EQUAL(cgparse_weight_to_shares(100, &v), 0);
	CU_ASSERT_EQUAL(v, 2597);
	CU_ASSERT_EQUAL(cgparse_weight_to_shares(10000, &v), 0);
	CU_ASSERT_EQUAL(v, 262144);
	v = 42;
	CU_ASSERT_EQUAL(cgparse_weight_to_shares(0, &v), -EINVAL);
	CU_ASSERT_EQUAL(cgparse_weight_to_shares(10001, &v), -EINVAL);
	CU_ASSERT_EQUAL(v, 42);
}

static void test_io_stat_devices(void)
{
	SAMPLE_DECLARE(s);
	size_t len;
	char *buf = fixture_read("v2-tree/mstat-test/io.stat", &len);

	sample_reset(&s);
	CU_ASSERT_EQUAL(cgparse_io_stat(buf, len, &s), 0);
	CU_ASSERT_EQUAL_FATAL(s.n_blkdev, 2);
	CU_ASSERT_EQUAL(s.blkdev[0].major, 8);
	CU_ASSERT_EQUAL(s.blkdev[0].minor, 16);
	CU_ASSERT_EQUAL(s.blkdev[0].read_bytes, 1459200);
	CU_ASSERT_EQUAL(s.blkdev[0].write_ops, 353);
	CU_ASSERT_EQUAL(s.blkdev[1].minor, 0);
	CU_ASSERT_EQUAL(s.blkdev[1].read_ops, 8950);
	CU_ASSERT_EQUAL(s.value[SAMPLE_IO_READ_BYTES], 1459200 + 90430464);
	CU_ASSERT_EQUAL(s.value[SAMPLE_IO_WRITE_BYTES], 314773504 + 299008000);
	CU_ASSERT_EQUAL(s.value[SAMPLE_IO_READ_OPS], 192 + 8950);
	CU_ASSERT_EQUAL(s.value[SAMPLE_IO_WRITE_OPS], 353 + 1252);
	free(buf);

	/* zero counters, unknown keys (iocost, iolatency), no trailing newline */
	sample_reset(&s);
	CU_ASSERT_EQUAL(cgparse_io_stat(S("253:0 rbytes=0 wbytes=0 rios=0 wios=0 dbytes=0 dios=0\n"
					  "259:1 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 "
					  "dios=0 cost.vrate=100.00 cost.usage=5 use_delay=0"),
					&s),
			0);
	CU_ASSERT_EQUAL_FATAL(s.n_blkdev, 2);
	CU_ASSERT_EQUAL(s.blkdev[0].major, 253);
	CU_ASSERT_EQUAL(s.blkdev[0].read_bytes, 0);
	CU_ASSERT_EQUAL(s.blkdev[1].major, 259);
	CU_ASSERT_EQUAL(s.blkdev[1].minor, 1);
	CU_ASSERT_EQUAL(s.value[SAMPLE_IO_WRITE_BYTES], 8192);
	CU_ASSERT_EQUAL(s.value[SAMPLE_IO_WRITE_OPS], 2);

	/* empty file: no I/O yet, totals of zero */
	sample_reset(&s);
	CU_ASSERT_EQUAL(cgparse_io_stat("", 0, &s), 0);
	CU_ASSERT_EQUAL(s.n_blkdev, 0);
	CU_ASSERT_TRUE(sample_has(&s, SAMPLE_IO_READ_BYTES));
	CU_ASSERT_EQUAL(s.value[SAMPLE_IO_READ_BYTES], 0);
}

static void test_io_stat_limits(void)
{
	char buf[16384];
	size_t len = 0;
	SAMPLE_DECLARE(s);

	/* more devices than the list holds: all of them in the totals */
	for (int i = 0; i < SAMPLE_MAX_BLKDEVS + 3; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len,
					"8:%d rbytes=10 wbytes=1 rios=1 wios=1\n", i * 16);
	sample_reset(&s);
	CU_ASSERT_EQUAL(cgparse_io_stat(buf, len, &s), 0);
	CU_ASSERT_EQUAL(s.n_blkdev, SAMPLE_MAX_BLKDEVS);
	CU_ASSERT_EQUAL(s.value[SAMPLE_IO_READ_BYTES], 10 * (SAMPLE_MAX_BLKDEVS + 3));

	/* near 2^64 parses; a sum past it fails and writes nothing */
	sample_reset(&s);
	CU_ASSERT_EQUAL(cgparse_io_stat(S("8:0 rbytes=18446744073709551615 wbytes=0\n"), &s), 0);
	CU_ASSERT_EQUAL(s.value[SAMPLE_IO_READ_BYTES], UINT64_MAX);
	sample_marked(&s);
	CU_ASSERT_EQUAL(cgparse_io_stat(S("8:0 rbytes=18446744073709551615\n8:16 rbytes=1\n"), &s),
			-ERANGE);
	CU_ASSERT_EQUAL(cgparse_io_stat(S("8:0 rbytes=18446744073709551616\n"), &s), -ERANGE);
	CU_ASSERT_EQUAL(cgparse_io_stat(S("8-0 rbytes=1\n"), &s), -EINVAL);
	CU_ASSERT_EQUAL(cgparse_io_stat(S("8:0 rbytes\n"), &s), -EINVAL);
	CU_ASSERT_EQUAL(cgparse_io_stat(S("8:0 rbytes=max\n"), &s), -EINVAL);
	CU_ASSERT_EQUAL(cgparse_io_stat(S("4294967296:0 rbytes=1\n"), &s), -ERANGE);
	check_only_mark(&s);
}

static void test_blkio_v1_merge(void)
{
	SAMPLE_DECLARE(s);
	size_t len;
	char *bytes = fixture_read(
	    "v1-tree/blkio/mstat-test/blkio.throttle.io_service_bytes_recursive", &len);
	size_t ops_len;
	char *ops =
	    fixture_read("v1-tree/blkio/mstat-test/blkio.throttle.io_serviced_recursive", &ops_len);

	sample_reset(&s);
	CU_ASSERT_EQUAL(cgparse_blkio_v1(bytes, len, CGPARSE_BLKIO_BYTES, &s), 0);
	CU_ASSERT_EQUAL(cgparse_blkio_v1(ops, ops_len, CGPARSE_BLKIO_OPS, &s), 0);
	CU_ASSERT_EQUAL_FATAL(s.n_blkdev, 1);
	CU_ASSERT_EQUAL(s.blkdev[0].major, 254);
	CU_ASSERT_EQUAL(s.blkdev[0].minor, 0);
	CU_ASSERT_EQUAL(s.blkdev[0].read_bytes, 8556544);
	CU_ASSERT_EQUAL(s.blkdev[0].write_bytes, 8388608);
	CU_ASSERT_EQUAL(s.blkdev[0].read_ops, 17);
	CU_ASSERT_EQUAL(s.blkdev[0].write_ops, 8);
	/* Sync, Async, Discard and Total are not added to the totals */
	CU_ASSERT_EQUAL(s.value[SAMPLE_IO_READ_BYTES], 8556544);
	CU_ASSERT_EQUAL(s.value[SAMPLE_IO_WRITE_BYTES], 8388608);
	CU_ASSERT_EQUAL(s.value[SAMPLE_IO_READ_OPS], 17);
	CU_ASSERT_EQUAL(s.value[SAMPLE_IO_WRITE_OPS], 8);
	free(bytes);
	free(ops);
}

static void test_blkio_v1_edge_cases(void)
{
	SAMPLE_DECLARE(s);

	/* a cgroup without I/O: only "Total 0" */
	sample_reset(&s);
	CU_ASSERT_EQUAL(cgparse_blkio_v1(S("Total 0\n"), CGPARSE_BLKIO_BYTES, &s), 0);
	CU_ASSERT_EQUAL(s.n_blkdev, 0);
	CU_ASSERT_TRUE(sample_has(&s, SAMPLE_IO_READ_BYTES));
	CU_ASSERT_EQUAL(s.value[SAMPLE_IO_WRITE_BYTES], 0);
	CU_ASSERT_FALSE(sample_has(&s, SAMPLE_IO_READ_OPS));

	sample_reset(&s);
	CU_ASSERT_EQUAL(cgparse_blkio_v1("", 0, CGPARSE_BLKIO_OPS, &s), 0);
	CU_ASSERT_EQUAL(s.value[SAMPLE_IO_READ_OPS], 0);

	/* two devices, the ops file listing them in another order, no final newline */
	sample_reset(&s);
	CU_ASSERT_EQUAL(cgparse_blkio_v1(S("8:0 Read 100\n8:0 Write 200\n8:16 Read 1\n"
					   "8:16 Write 18446744073709551000\nTotal 0\n"),
					 CGPARSE_BLKIO_BYTES, &s),
			0);
	CU_ASSERT_EQUAL(cgparse_blkio_v1(S("8:16 Read 3\n8:16 Write 4\n8:0 Read 5\n8:0 Write 6"),
					 CGPARSE_BLKIO_OPS, &s),
			0);
	CU_ASSERT_EQUAL_FATAL(s.n_blkdev, 2);
	CU_ASSERT_EQUAL(s.blkdev[1].minor, 16);
	CU_ASSERT_EQUAL(s.blkdev[1].write_bytes, 18446744073709551000ULL);
	CU_ASSERT_EQUAL(s.blkdev[1].read_ops, 3);
	CU_ASSERT_EQUAL(s.blkdev[0].write_ops, 6);
	CU_ASSERT_EQUAL(s.value[SAMPLE_IO_READ_BYTES], 101);
	CU_ASSERT_EQUAL(s.value[SAMPLE_IO_WRITE_BYTES], 200 + 18446744073709551000ULL);
	CU_ASSERT_EQUAL(s.value[SAMPLE_IO_WRITE_OPS], 10);

	sample_marked(&s);
	CU_ASSERT_EQUAL(cgparse_blkio_v1(S("8:0 Read\n"), CGPARSE_BLKIO_BYTES, &s), -EINVAL);
	CU_ASSERT_EQUAL(cgparse_blkio_v1(S("8:0 Read 1 2\n"), CGPARSE_BLKIO_BYTES, &s), -EINVAL);
	CU_ASSERT_EQUAL(
	    cgparse_blkio_v1(S("8:0 Read 18446744073709551616\n"), CGPARSE_BLKIO_BYTES, &s),
	    -ERANGE);
	CU_ASSERT_EQUAL(cgparse_blkio_v1(S("8:0 Write 18446744073709551615\n8:1 Write 1\n"),
					 CGPARSE_BLKIO_BYTES, &s),
			-ERANGE);
	check_only_mark(&s);
}

static const struct sample_netif *find_netif(const struct sample *s, const char *name)
{
	for (unsigned i = 0; i < s->n_netif; i++)
		if (strcmp(s->netif[i].name, name) == 0)
			return &s->netif[i];
	return NULL;
}

static void test_net_dev_host(void)
{
	SAMPLE_DECLARE(s);
	size_t len;
	char *buf = fixture_read("proc/4242/net/dev", &len);

	sample_reset(&s);
	CU_ASSERT_EQUAL(cgparse_net_dev(buf, len, &s), 0);
	CU_ASSERT_EQUAL(s.n_netif, 3);
	CU_ASSERT_PTR_NULL(find_netif(&s, "lo"));
	const struct sample_netif *eth0 = find_netif(&s, "eth0");
	CU_ASSERT_PTR_NOT_NULL_FATAL(eth0);
	CU_ASSERT_EQUAL(eth0->rx_bytes, 20217621);
	CU_ASSERT_EQUAL(eth0->rx_packets, 486);
	CU_ASSERT_EQUAL(eth0->tx_bytes, 30639);
	CU_ASSERT_EQUAL(eth0->tx_packets, 370);
	CU_ASSERT_EQUAL(s.value[SAMPLE_NET_RX_BYTES], 20217621); /* ifb0, ifb1 are 0 */
	CU_ASSERT_EQUAL(s.value[SAMPLE_NET_TX_PACKETS], 370);
	CU_ASSERT_TRUE(sample_has(&s, SAMPLE_NET_TX_DROPPED));
	free(buf);
}

static void test_net_dev_unusual_names(void)
{
	SAMPLE_DECLARE(s);
	size_t len;
	char *buf = fixture_read("proc/4243/net/dev", &len);

	sample_reset(&s);
	CU_ASSERT_EQUAL(cgparse_net_dev(buf, len, &s), 0);
	CU_ASSERT_EQUAL(s.n_netif, 4);
	/* 15 bytes: no space before the colon */
	const struct sample_netif *longest = find_netif(&s, "abcdefghijklmno");
	CU_ASSERT_PTR_NOT_NULL_FATAL(longest);
	CU_ASSERT_EQUAL(longest->rx_bytes, 468);
	CU_ASSERT_EQUAL(longest->tx_packets, 3);
	const struct sample_netif *dotted = find_netif(&s, "vlan.10-x@y");
	CU_ASSERT_PTR_NOT_NULL_FATAL(dotted);
	CU_ASSERT_EQUAL(dotted->tx_bytes, 468);
	CU_ASSERT_PTR_NOT_NULL(find_netif(&s, "\xc3\xa9_\xc3\xbc")); /* UTF-8 "é_ü" */
	CU_ASSERT_PTR_NOT_NULL(find_netif(&s, "p2"));
	CU_ASSERT_EQUAL(s.value[SAMPLE_NET_RX_BYTES], 468 + 266); /* lo's 1420 left out */
	CU_ASSERT_EQUAL(s.value[SAMPLE_NET_RX_PACKETS], 9);
	free(buf);
}

#define NET_HEADER                                                                                 \
	"Inter-|   Receive                                                |  Transmit\n"           \
	" face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets "      \
	"errs drop fifo colls carrier compressed\n"

static void test_net_dev_edge_cases(void)
{
	char buf[8192];
	size_t len;
	SAMPLE_DECLARE(s);

	/* headers only: no interfaces, totals of zero */
	sample_reset(&s);
	CU_ASSERT_EQUAL(cgparse_net_dev(S(NET_HEADER), &s), 0);
	CU_ASSERT_EQUAL(s.n_netif, 0);
	CU_ASSERT_EQUAL(s.value[SAMPLE_NET_RX_BYTES], 0);
	CU_ASSERT_TRUE(sample_has(&s, SAMPLE_NET_RX_BYTES));

	/* counters near 2^64, no trailing newline, "lo0" is not lo */
	sample_reset(&s);
	CU_ASSERT_EQUAL(cgparse_net_dev(S(NET_HEADER "   lo0: 18446744073709551615 1 2 3 4 5 6 7 "
						     "8 9 10 11 12 13 14 15"),
					&s),
			0);
	CU_ASSERT_EQUAL_FATAL(s.n_netif, 1);
	CU_ASSERT_EQUAL(s.netif[0].rx_bytes, UINT64_MAX);
	CU_ASSERT_EQUAL(s.netif[0].rx_dropped, 3);
	CU_ASSERT_EQUAL(s.netif[0].tx_bytes, 8);
	CU_ASSERT_EQUAL(s.netif[0].tx_dropped, 11);

	/* more interfaces than the list holds: all of them in the totals */
	len = (size_t)snprintf(buf, sizeof(buf), NET_HEADER);
	for (int i = 0; i < SAMPLE_MAX_NETIFS + 2; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len,
					"veth%d: 100 1 0 0 0 0 0 0 200 2 0 0 0 0 0 0\n", i);
	sample_reset(&s);
	CU_ASSERT_EQUAL(cgparse_net_dev(buf, len, &s), 0);
	CU_ASSERT_EQUAL(s.n_netif, SAMPLE_MAX_NETIFS);
	CU_ASSERT_EQUAL(s.value[SAMPLE_NET_TX_BYTES], 200 * (SAMPLE_MAX_NETIFS + 2));

	sample_marked(&s);
	CU_ASSERT_EQUAL(cgparse_net_dev("", 0, &s), -EINVAL);
	CU_ASSERT_EQUAL(cgparse_net_dev(S("eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"), &s),
			-EINVAL);
	CU_ASSERT_EQUAL(cgparse_net_dev(S(NET_HEADER "abcdefghijklmnop: 1 2 3 4 5 6 7 8 9 10 11 12 "
						     "13 14 15 16\n"),
					&s),
			-EINVAL); /* 16 bytes */
	CU_ASSERT_EQUAL(
	    cgparse_net_dev(S(NET_HEADER "  eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15\n"), &s),
	    -EINVAL);
	CU_ASSERT_EQUAL(cgparse_net_dev(S(NET_HEADER "  eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 "
						     "16 17\n"),
					&s),
			-EINVAL);
	CU_ASSERT_EQUAL(cgparse_net_dev(S(NET_HEADER "  eth0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 "
						     "16\n"),
					&s),
			-EINVAL);
	CU_ASSERT_EQUAL(cgparse_net_dev(S(NET_HEADER "     : 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 "
						     "16\n"),
					&s),
			-EINVAL);
	CU_ASSERT_EQUAL(cgparse_net_dev(S(NET_HEADER "  a/b: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 "
						     "16\n"),
					&s),
			-EINVAL);
	CU_ASSERT_EQUAL(cgparse_net_dev(S(NET_HEADER "  eth0: 18446744073709551616 2 3 4 5 6 7 8 9 "
						     "10 11 12 13 14 15 16\n"),
					&s),
			-ERANGE);
	CU_ASSERT_EQUAL(
	    cgparse_net_dev(S(NET_HEADER "  a: 18446744073709551615 0 0 0 0 0 0 0 0 0 0 "
					 "0 0 0 0 0\n  b: 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"),
			    &s),
	    -ERANGE);
	check_only_mark(&s);
}

static void test_proc_stat(void)
{
	uint64_t ns = 1;
	unsigned online = 1;
	size_t len;
	char *buf = fixture_read("proc/stat", &len);

	/* cpu  2716 0 2446 108945 522 0 49 74 0 0: steal (74), guest and guest_nice
	 * are not added, as in docker's system_cpu_usage */
	CU_ASSERT_EQUAL(cgparse_proc_stat(buf, len, 100, &ns, &online), 1);
	CU_ASSERT_EQUAL(ns, (2716ULL + 2446 + 108945 + 522 + 49) * 10000000);
	CU_ASSERT_EQUAL(online, 2);
	free(buf);

	/* the buffer ends inside the cpu lines: 0, not 1 */
	CU_ASSERT_EQUAL(cgparse_proc_stat(S("cpu  1 2 3 4 5 6 7 8 9 10\ncpu0 1 2 3 4 5 6 7 8 9 10"),
					  1000, &ns, &online),
			0);
	CU_ASSERT_EQUAL(ns, 28000000);
	CU_ASSERT_EQUAL(online, 1);

	ns = online = 42;
	CU_ASSERT_EQUAL(cgparse_proc_stat("", 0, 100, &ns, &online), -EINVAL);
	CU_ASSERT_EQUAL(cgparse_proc_stat(S("cpu0 1 2 3 4 5 6 7 8\nintr 5\n"), 100, &ns, &online),
			-EINVAL);
	CU_ASSERT_EQUAL(cgparse_proc_stat(S("cpu  1 2 3 4 5 6\nintr 5\n"), 100, &ns, &online),
			-EINVAL);
	CU_ASSERT_EQUAL(
	    cgparse_proc_stat(S("cpu  18446744073709551615 1 0 0 0 0 0 0\n"), 100, &ns, &online),
	    -ERANGE);
	CU_ASSERT_EQUAL(ns, 42);
	CU_ASSERT_EQUAL(online, 42);
}

static void test_meminfo(void)
{
	uint64_t bytes = 42;
	size_t len;
	char *buf = fixture_read("proc/meminfo", &len);

	CU_ASSERT_EQUAL(cgparse_meminfo_total(buf, len, &bytes), 0);
	CU_ASSERT_EQUAL(bytes, 24683784ULL * 1024);
	free(buf);

	bytes = 42;
	CU_ASSERT_EQUAL(cgparse_meminfo_total("", 0, &bytes), -EINVAL);
	CU_ASSERT_EQUAL(cgparse_meminfo_total(S("MemFree: 5 kB\n"), &bytes), -EINVAL);
	CU_ASSERT_EQUAL(cgparse_meminfo_total(S("MemTotal: 5\n"), &bytes), -EINVAL);
	CU_ASSERT_EQUAL(cgparse_meminfo_total(S("MemTotal: 18014398509481984 kB\n"), &bytes),
			-ERANGE);
	CU_ASSERT_EQUAL(bytes, 42);
	CU_ASSERT_EQUAL(cgparse_meminfo_total(S("MemTotal:  1 kB"), &bytes), 0);
	CU_ASSERT_EQUAL(bytes, 1024);
}

static void test_pressure(void)
{
	SAMPLE_DECLARE(s);
	size_t len;
	char *buf = fixture_read("v2-root/cpu.pressure", &len);

	/* The host's real cgroup2 root file: both lines. */
	sample_reset(&s);
	CU_ASSERT_EQUAL(
	    cgparse_pressure(buf, len, SAMPLE_PSI_CPU_SOME_NS, SAMPLE_PSI_CPU_FULL_NS, &s), 0);
	CU_ASSERT_EQUAL(s.value[SAMPLE_PSI_CPU_SOME_NS], 4825389000ULL);
	CU_ASSERT_TRUE(sample_has(&s, SAMPLE_PSI_CPU_FULL_NS));
	CU_ASSERT_EQUAL(s.value[SAMPLE_PSI_CPU_FULL_NS], 0);
	free(buf);

	/* No "full" line: that key stays absent, not 0. */
	sample_reset(&s);
	CU_ASSERT_EQUAL(cgparse_pressure(S("some avg10=0.00 avg60=0.00 avg300=0.00 total=7\n"),
					 SAMPLE_PSI_IO_SOME_NS, SAMPLE_PSI_IO_FULL_NS, &s),
			0);
	CU_ASSERT_EQUAL(s.value[SAMPLE_PSI_IO_SOME_NS], 7000);
	CU_ASSERT_FALSE(sample_has(&s, SAMPLE_PSI_IO_FULL_NS));

	/* A kind a later kernel may add is ignored; total= may move. */
	sample_reset(&s);
	CU_ASSERT_EQUAL(cgparse_pressure(S("full total=5 avg10=1.00\nother total=x\n"),
					 SAMPLE_PSI_IO_SOME_NS, SAMPLE_PSI_IO_FULL_NS, &s),
			0);
	CU_ASSERT_FALSE(sample_has(&s, SAMPLE_PSI_IO_SOME_NS));
	CU_ASSERT_EQUAL(s.value[SAMPLE_PSI_IO_FULL_NS], 5000);

	/* Malformed lines fail and set nothing. */
	sample_reset(&s);
	CU_ASSERT_EQUAL(cgparse_pressure(S("some avg10=0.00\n"), SAMPLE_PSI_IO_SOME_NS,
					 SAMPLE_PSI_IO_FULL_NS, &s),
			-EINVAL);
	CU_ASSERT_EQUAL(cgparse_pressure(S("some total=12a\n"), SAMPLE_PSI_IO_SOME_NS,
					 SAMPLE_PSI_IO_FULL_NS, &s),
			-EINVAL);
	CU_ASSERT_EQUAL(cgparse_pressure(S("some total=18446744073709552\n"), SAMPLE_PSI_IO_SOME_NS,
					 SAMPLE_PSI_IO_FULL_NS, &s),
			-ERANGE);
	CU_ASSERT_FALSE(sample_has(&s, SAMPLE_PSI_IO_SOME_NS));
	CU_ASSERT_EQUAL(cgparse_pressure("", 0, SAMPLE_PSI_IO_SOME_NS, SAMPLE_PSI_IO_FULL_NS, &s),
			0);
	CU_ASSERT_FALSE(sample_has(&s, SAMPLE_PSI_IO_SOME_NS));
}

static const struct cunit_test tests[] = {
	{ "keyed v1 memory.stat", test_keyed_v1_memory_stat },
	{ "keyed v2 cpu.stat real", test_keyed_v2_cpu_stat_real },
	{ "keyed oom_control", test_keyed_oom_control },
	{ "keyed edge cases", test_keyed_edge_cases },
	{ "single values", test_single_values },
	{ "cfs quota", test_cfs_quota },
	{ "cpu.max", test_cpu_max },
	{ "cpuacct.stat", test_cpuacct_stat },
	{ "ticks and weight", test_ticks_and_weight },
	{ "io.stat devices", test_io_stat_devices },
	{ "io.stat limits", test_io_stat_limits },
	{ "blkio v1 merge", test_blkio_v1_merge },
	{ "blkio v1 edge cases", test_blkio_v1_edge_cases },
	{ "net/dev host", test_net_dev_host },
	{ "net/dev unusual names", test_net_dev_unusual_names },
	{ "net/dev edge cases", test_net_dev_edge_cases },
	{ "proc stat", test_proc_stat },
	{ "meminfo", test_meminfo },
	{ "pressure", test_pressure },
	{ NULL, NULL },
};

int main(void)
{
	return cunit_run("collectors_cgparse", tests);
}
