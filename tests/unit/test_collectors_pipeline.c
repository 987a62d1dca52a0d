/* SPDX-License-Identifier: MIT */
/*
 * The collector registry, the built-in collectors, the pipeline and snapshots,
 * run on copies of the fixture trees: a v1 tree captured from a real kernel
 * and a v2 tree in the documented formats. Files are rewritten between passes
 * to check rates, counter resets, malformed files and files that outgrow the
 * read buffer.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "collectors/pipeline.h"
#include "common/parse.h"
#include "tests/unit/cunit_main.h"
#include "tests/unit/test_collectors_fixture.h"

/* A copy of one fixture tree and the proc folder, and its detected layout. */
struct env {
	char dir[PATH_MAX];
	struct cg_layout layout;
	struct cg_paths paths;
};

static struct env env;

static void env_close(void);

static void env_open(const char *tree)
{
	const char *const rels[] = { tree, "proc" };
	char root[2 * PATH_MAX], proc[2 * PATH_MAX];
	struct mst_err err = { 0 };

	/* A fatal assertion skips a test's env_close(). */
	if (env.dir[0])
		env_close();
	fixture_copy(rels, 2, env.dir);
	snprintf(root, sizeof(root), "%s/%s", env.dir, tree);
	snprintf(proc, sizeof(proc), "%s/proc", env.dir);
	CU_ASSERT_EQUAL_FATAL(cg_layout_detect(root, proc, &env.layout, &err), 0);
	CU_ASSERT_EQUAL_FATAL(cg_paths_from_path(&env.layout, "/mstat-test", &env.paths, &err), 0);

	collector_registry_reset();
	CU_ASSERT_EQUAL_FATAL(collectors_register_builtin(), 0);
}

static void env_close(void)
{
	cg_paths_free(&env.paths);
	fixture_remove(env.dir);
	env.dir[0] = '\0';
	collector_registry_reset();
}

static struct snapshot_meta meta_of(char *id, char *name, char *container_id)
{
	struct snapshot_meta m = { .id = id, .name = name, .container_id = container_id };

	return m;
}

/* Writes a /proc/stat whose aggregate line has `ticks` of user time. */
static void write_proc_stat(unsigned long long ticks)
{
	char content[256];

	snprintf(content, sizeof(content),
		 "cpu  %llu 0 0 0 0 0 0 0 0 0\ncpu0 1 0 0 0 0 0 0 0 0 0\n"
		 "cpu1 1 0 0 0 0 0 0 0 0 0\nintr 1 2 3\n",
		 ticks);
	fixture_rewrite(env.dir, "proc/stat", content);
}

static uint64_t ticks_ns(uint64_t ticks)
{
	return ticks * 1000000000ULL / (uint64_t)sysconf(_SC_CLK_TCK);
}

static uint64_t value_of(const struct sample *s, enum sample_key k)
{
	uint64_t v = 0;

	CU_ASSERT_TRUE(sample_get(s, k, &v));
	return v;
}

static void test_registry(void)
{
	static const struct collector wrong_abi = { .abi_version = COLLECTOR_ABI_VERSION + 1,
						    .name = "x" };
	static const struct collector no_callbacks = { .abi_version = COLLECTOR_ABI_VERSION,
						       .name = "y" };
	static const char *const names[] = { "cpu", "memory", "io", "pids", "net", "pressure" };

	collector_registry_reset();
	CU_ASSERT_PTR_NULL(collector_at(0));
	CU_ASSERT_EQUAL(collectors_register_builtin(), 0);
	for (size_t i = 0; i < 6; i++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(collector_at(i));
		CU_ASSERT_STRING_EQUAL(collector_at(i)->name, names[i]);
	}
	CU_ASSERT_PTR_NULL(collector_at(6));

	CU_ASSERT_EQUAL(collector_register(collector_at(0)), -EEXIST);
	CU_ASSERT_EQUAL(collectors_register_builtin(), -EEXIST);
	CU_ASSERT_EQUAL(collector_register(&wrong_abi), -EINVAL);
	CU_ASSERT_EQUAL(collector_register(&no_callbacks), -EINVAL);
	CU_ASSERT_PTR_NULL(collector_at(6));

	collector_registry_reset();
	CU_ASSERT_PTR_NULL(collector_at(0));
}

static void check_v1_first_pass(const struct snapshot_entry *e)
{
	const struct sample *s = &e->cur;

	CU_ASSERT_FALSE(e->has_prev);
	CU_ASSERT_FALSE(e->derived.cpu_percent_valid);
	CU_ASSERT_FALSE(e->derived.rates_valid);

	CU_ASSERT_EQUAL(value_of(s, SAMPLE_CPU_USAGE_NS), 393057667);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_CPU_USER_NS), ticks_ns(13));
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_CPU_SYSTEM_NS), ticks_ns(25));
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_CPU_PERIODS), 0);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_CPU_QUOTA_US), MST_UNLIMITED);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_CPU_PERIOD_US), 100000);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_CPU_SHARES), 1024);
	CU_ASSERT_FALSE(sample_has(s, SAMPLE_CPU_WEIGHT));

	CU_ASSERT_EQUAL(value_of(s, SAMPLE_MEM_USAGE), 9170944);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_MEM_MAX_USAGE), 17494016);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_MEM_LIMIT), MST_UNLIMITED);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_MEM_SWAP_USAGE), 0); /* memsw == usage */
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_MEM_SWAP_LIMIT), MST_UNLIMITED);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_MEM_CACHE), 172032);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_MEM_RSS), 8613888);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_MEM_KERNEL), 122880);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_MEM_WORKING_SET), 9170944 - 155648);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_MEM_FAILCNT), 0);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_MEM_OOM_KILL), 0);
	CU_ASSERT_FALSE(sample_has(s, SAMPLE_MEM_EVENTS_HIGH));
	CU_ASSERT_FALSE(sample_has(s, SAMPLE_MEM_OOM_GROUP_KILL)); /* v2 only */
	CU_ASSERT_FALSE(sample_has(s, SAMPLE_MEM_PGSCAN));	   /* v2 only */
	CU_ASSERT_FALSE(sample_has(s, SAMPLE_PSI_CPU_SOME_NS));	   /* v2 only */
	CU_ASSERT_FALSE(sample_has(s, SAMPLE_PSI_MEMORY_FULL_NS));

	CU_ASSERT_EQUAL(value_of(s, SAMPLE_PIDS_CURRENT), 2);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_PIDS_LIMIT), MST_UNLIMITED);

	CU_ASSERT_EQUAL(s->n_blkdev, 1);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_IO_READ_BYTES), 8556544);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_IO_WRITE_BYTES), 8388608);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_IO_READ_OPS), 17);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_IO_WRITE_OPS), 8);

	CU_ASSERT_EQUAL(s->n_netif, 3);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_NET_RX_BYTES), 20217621);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_NET_TX_BYTES), 30639);
}

#define NET_DEV_ETH0(rx)                                                                           \
	"Inter-|   Receive                                                |  Transmit\n"           \
	" face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets "      \
	"errs drop fifo colls carrier compressed\n"                                                \
	"    lo:    3267      29    0    0    0     0          0         0     3267      29    0 " \
	"   0    0     0       0          0\n"                                                     \
	"  eth0: " rx " 486 0 0 0 0 0 0 30639 370 0 0 0 0 0 0\n"

static void test_pipeline_v1_passes(void)
{
	struct mst_err err = { 0 };
	struct snapshot *snap;

	env_open("v1-tree");
	write_proc_stat(1000);
	struct pipeline *p = pipeline_new(&env.layout);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	struct snapshot_meta m = meta_of("/mstat-test", "web", NULL);
	CU_ASSERT_EQUAL_FATAL(pipeline_add_target(p, &m, &env.paths, 4242, &err), 0);

	/* pass 1: every value as captured */
	CU_ASSERT_EQUAL_FATAL(pipeline_collect(p, &snap), 0);
	CU_ASSERT_EQUAL(pipeline_last_errors(p), 0);
	CU_ASSERT_EQUAL(snap->generation, 1);
	CU_ASSERT_EQUAL(snap->online_cpus, 2);
	CU_ASSERT_EQUAL(snap->host_memory_bytes, 24683784ULL * 1024);
	CU_ASSERT_EQUAL_FATAL(snap->n_entries, 1);
	CU_ASSERT_STRING_EQUAL(snap->entries[0].meta.name, "web");
	CU_ASSERT_EQUAL(snap->entries[0].host_cpu_ns_cur, ticks_ns(1000));
	check_v1_first_pass(&snap->entries[0]);
	snapshot_unref(snap);

	/* pass 2: the host ran 100 ticks on 2 CPUs, the cgroup half of them */
	write_proc_stat(1100);
	char usage[64];
	snprintf(usage, sizeof(usage), "%llu\n",
		 393057667ULL + (unsigned long long)ticks_ns(100) / 2);
	fixture_rewrite(env.dir, "v1-tree/cpuacct/mstat-test/cpuacct.usage", usage);
	fixture_rewrite(env.dir, "proc/4242/net/dev", NET_DEV_ETH0("20218621"));
	CU_ASSERT_EQUAL_FATAL(pipeline_collect(p, &snap), 0);
	CU_ASSERT_EQUAL(pipeline_last_errors(p), 0);
	CU_ASSERT_EQUAL_FATAL(snap->n_entries, 1);
	const struct snapshot_entry *e = &snap->entries[0];
	CU_ASSERT_TRUE(e->has_prev);
	CU_ASSERT_TRUE(e->derived.cpu_percent_valid);
	CU_ASSERT_DOUBLE_EQUAL(e->derived.cpu_percent, 100.0, 1e-6);
	CU_ASSERT_TRUE(e->derived.rates_valid);
	double seconds = (double)(e->cur.mono_ns - e->prev.mono_ns) / 1e9;
	CU_ASSERT_DOUBLE_EQUAL(e->derived.net_rx_bytes_per_sec, 1000 / seconds, 1e-3);
	CU_ASSERT_DOUBLE_EQUAL(e->derived.net_tx_bytes_per_sec, 0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(e->derived.io_read_bytes_per_sec, 0, 1e-9);
	snapshot_unref(snap);

	/* pass 3: both counters went backwards. That is a reset, so there is no
	 * rate, never a huge one. */
	write_proc_stat(1200);
	fixture_rewrite(env.dir, "v1-tree/cpuacct/mstat-test/cpuacct.usage", "1000\n");
	fixture_rewrite(env.dir, "proc/4242/net/dev", NET_DEV_ETH0("5"));
	CU_ASSERT_EQUAL_FATAL(pipeline_collect(p, &snap), 0);
	CU_ASSERT_EQUAL_FATAL(snap->n_entries, 1);
	e = &snap->entries[0];
	CU_ASSERT_FALSE(e->derived.cpu_percent_valid);
	CU_ASSERT_DOUBLE_EQUAL(e->derived.cpu_percent, 0, 1e-9);
	CU_ASSERT_FALSE(e->derived.rates_valid);
	CU_ASSERT_DOUBLE_EQUAL(e->derived.net_rx_bytes_per_sec, 0, 1e-9);
	CU_ASSERT_EQUAL(snap->generation, 3);
	snapshot_unref(snap);

	pipeline_free(p);
	env_close();
}

static void test_pipeline_bad_files(void)
{
	struct mst_err err = { 0 };
	struct snapshot *snap;
	char big[16384];
	size_t len = 0;

	env_open("v1-tree");
	struct pipeline *p = pipeline_new(&env.layout);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	struct snapshot_meta m = meta_of("/mstat-test", "web", NULL);
	CU_ASSERT_EQUAL_FATAL(pipeline_add_target(p, &m, &env.paths, 0, &err), 0);

	/* A malformed memory.stat is one error, and the pass and the target go on. */
	fixture_rewrite(env.dir, "v1-tree/memory/mstat-test/memory.stat", "total_cache 12x\n");
	CU_ASSERT_EQUAL_FATAL(pipeline_collect(p, &snap), 0);
	CU_ASSERT_EQUAL(pipeline_last_errors(p), 1);
	CU_ASSERT_EQUAL(pipeline_n_targets(p), 1);
	CU_ASSERT_EQUAL_FATAL(snap->n_entries, 1);
	const struct sample *s = &snap->entries[0].cur;
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_MEM_USAGE), 9170944); /* read before memory.stat */
	CU_ASSERT_FALSE(sample_has(s, SAMPLE_MEM_CACHE));
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_CPU_USAGE_NS), 393057667); /* other collectors */
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_PIDS_CURRENT), 2);
	/* pid 0: no network namespace to read */
	CU_ASSERT_FALSE(sample_has(s, SAMPLE_NET_RX_BYTES));
	CU_ASSERT_EQUAL(s->n_netif, 0);
	snapshot_unref(snap);

	/* A file that outgrew the buffer sized at open time is an error, never
	 * parsed truncated. */
	while (len < sizeof(big) - 32)
		len += (size_t)snprintf(big + len, sizeof(big) - len, "total_padding_%zu 1\n", len);
	fixture_rewrite(env.dir, "v1-tree/memory/mstat-test/memory.stat", big);
	CU_ASSERT_EQUAL_FATAL(pipeline_collect(p, &snap), 0);
	CU_ASSERT_EQUAL(pipeline_last_errors(p), 1);
	CU_ASSERT_EQUAL_FATAL(snap->n_entries, 1);
	CU_ASSERT_FALSE(sample_has(&snap->entries[0].cur, SAMPLE_MEM_CACHE));
	snapshot_unref(snap);

	/* An empty single-value file is malformed too. */
	fixture_rewrite(env.dir, "v1-tree/memory/mstat-test/memory.stat", "total_cache 1\n");
	fixture_rewrite(env.dir, "v1-tree/pids/mstat-test/pids.current", "");
	CU_ASSERT_EQUAL_FATAL(pipeline_collect(p, &snap), 0);
	CU_ASSERT_EQUAL(pipeline_last_errors(p), 1);
	CU_ASSERT_EQUAL(value_of(&snap->entries[0].cur, SAMPLE_MEM_CACHE), 1);
	CU_ASSERT_FALSE(sample_has(&snap->entries[0].cur, SAMPLE_PIDS_CURRENT));
	snapshot_unref(snap);

	pipeline_free(p);
	env_close();
}

static void test_pipeline_v2_values(void)
{
	struct mst_err err = { 0 };
	struct snapshot *snap;

	env_open("v2-tree");
	CU_ASSERT_EQUAL(env.layout.version, CG_V2);
	struct pipeline *p = pipeline_new(&env.layout);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	struct snapshot_meta m = meta_of("/mstat-test", "db", NULL);
	CU_ASSERT_EQUAL_FATAL(pipeline_add_target(p, &m, &env.paths, 0, &err), 0);
	CU_ASSERT_EQUAL_FATAL(pipeline_collect(p, &snap), 0);
	CU_ASSERT_EQUAL(pipeline_last_errors(p), 0);
	CU_ASSERT_EQUAL_FATAL(snap->n_entries, 1);
	const struct sample *s = &snap->entries[0].cur;

	CU_ASSERT_EQUAL(value_of(s, SAMPLE_CPU_USAGE_NS), 2500000000ULL);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_CPU_USER_NS), 1500000000ULL);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_CPU_SYSTEM_NS), 1000000000ULL);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_CPU_PERIODS), 120);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_CPU_THROTTLED_PERIODS), 7);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_CPU_THROTTLED_NS), 350000000ULL);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_CPU_QUOTA_US), 50000);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_CPU_PERIOD_US), 100000);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_CPU_WEIGHT), 100);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_CPU_SHARES), 2597);

	CU_ASSERT_EQUAL(value_of(s, SAMPLE_MEM_USAGE), 104857600);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_MEM_MAX_USAGE), 134217728);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_MEM_LIMIT), 268435456);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_MEM_SWAP_USAGE), 4096);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_MEM_SWAP_LIMIT), MST_UNLIMITED);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_MEM_RSS), 73400320);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_MEM_CACHE), 25165824);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_MEM_SHMEM), 1048576);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_MEM_MAPPED_FILE), 2097152);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_MEM_KERNEL), 4194304);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_MEM_PGMAJFAULT), 12);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_MEM_WORKING_SET), 104857600 - 20971520);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_MEM_EVENTS_HIGH), 3);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_MEM_EVENTS_MAX), 2);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_MEM_OOM), 1);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_MEM_OOM_KILL), 1);
	CU_ASSERT_FALSE(sample_has(s, SAMPLE_MEM_FAILCNT)); /* v1 only */
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_MEM_OOM_GROUP_KILL), 0);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_MEM_FILE_DIRTY), 0);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_MEM_PGSCAN), 0);

	/* Pressure totals in microseconds become nanoseconds; cpu.pressure has
	 * no "full" line here, so that key stays absent. */
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_PSI_CPU_SOME_NS), 2500000000ULL);
	CU_ASSERT_FALSE(sample_has(s, SAMPLE_PSI_CPU_FULL_NS));
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_PSI_MEMORY_SOME_NS), 10044000ULL);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_PSI_MEMORY_FULL_NS), 8226000ULL);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_PSI_IO_SOME_NS), 30707000ULL);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_PSI_IO_FULL_NS), 30121000ULL);

	CU_ASSERT_EQUAL(s->n_blkdev, 2);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_IO_READ_BYTES), 1459200 + 90430464);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_PIDS_CURRENT), 3);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_PIDS_LIMIT), 100);
	CU_ASSERT_FALSE(sample_has(s, SAMPLE_NET_RX_BYTES));
	snapshot_unref(snap);

	pipeline_free(p);
	env_close();
}

static void test_pipeline_missing_files(void)
{
	struct mst_err err = { 0 };
	struct snapshot *snap;
	char path[2 * PATH_MAX];

	/* memory.peak (kernel 5.19+) and memory.swap.* (no swap accounting) may be
	 * missing, which makes them absent, not zero and not an error. A usage
	 * below inactive_file is no error either, because the working set is
	 * floored at 0. */
	env_open("v2-tree");
	const char *const gone[] = { "memory.peak", "memory.swap.current", "memory.swap.max",
				     "io.stat" };
	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/v2-tree/mstat-test/%s", env.dir, gone[i]);
		CU_ASSERT_EQUAL_FATAL(unlink(path), 0);
	}
	fixture_rewrite(env.dir, "v2-tree/mstat-test/memory.current", "4096\n");

	struct pipeline *p = pipeline_new(&env.layout);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	struct snapshot_meta m = meta_of("/mstat-test", "db", NULL);
	CU_ASSERT_EQUAL_FATAL(pipeline_add_target(p, &m, &env.paths, 0, &err), 0);
	CU_ASSERT_EQUAL_FATAL(pipeline_collect(p, &snap), 0);
	CU_ASSERT_EQUAL(pipeline_last_errors(p), 0);
	const struct sample *s = &snap->entries[0].cur;
	CU_ASSERT_FALSE(sample_has(s, SAMPLE_MEM_MAX_USAGE));
	CU_ASSERT_FALSE(sample_has(s, SAMPLE_MEM_SWAP_USAGE));
	CU_ASSERT_FALSE(sample_has(s, SAMPLE_MEM_SWAP_LIMIT));
	CU_ASSERT_FALSE(sample_has(s, SAMPLE_IO_READ_BYTES));
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_MEM_WORKING_SET), 0);
	CU_ASSERT_EQUAL(value_of(s, SAMPLE_MEM_USAGE), 4096);
	snapshot_unref(snap);

	pipeline_free(p);
	env_close();
}

static void test_pipeline_targets(void)
{
	struct mst_err err = { 0 };
	struct snapshot *snap;
	char cid_a[] = "abc1230000000000000000000000000000000000000000000000000000000000";
	char cid_b[] = "abd4560000000000000000000000000000000000000000000000000000000000";

	env_open("v2-tree");
	struct pipeline *p = pipeline_new(&env.layout);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	struct snapshot_meta zeta = meta_of("/a", "zeta", cid_a);
	struct snapshot_meta alpha = meta_of("/b", "alpha", cid_b);
	CU_ASSERT_EQUAL_FATAL(pipeline_add_target(p, &zeta, &env.paths, 0, &err), 0);
	CU_ASSERT_EQUAL_FATAL(pipeline_add_target(p, &alpha, &env.paths, 0, &err), 0);
	CU_ASSERT_EQUAL(pipeline_add_target(p, &alpha, &env.paths, 0, &err), -EEXIST);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "/b"));
	CU_ASSERT_EQUAL(pipeline_n_targets(p), 2);

	zeta.state = "exited";
	CU_ASSERT_EQUAL(pipeline_update_meta(p, &zeta), 0);
	struct snapshot_meta unknown = meta_of("/c", "c", NULL);
	CU_ASSERT_EQUAL(pipeline_update_meta(p, &unknown), -ENOENT);

	CU_ASSERT_EQUAL_FATAL(pipeline_collect(p, &snap), 0);
	CU_ASSERT_EQUAL_FATAL(snap->n_entries, 2);
	CU_ASSERT_STRING_EQUAL(snap->entries[0].meta.name, "alpha");
	CU_ASSERT_STRING_EQUAL(snap->entries[1].meta.name, "zeta");
	CU_ASSERT_STRING_EQUAL(snap->entries[1].meta.state, "exited");
	CU_ASSERT_PTR_NULL(snap->entries[0].meta.state);

	CU_ASSERT_PTR_EQUAL(snapshot_find(snap, "zeta"), &snap->entries[1]);
	CU_ASSERT_PTR_EQUAL(snapshot_find(snap, cid_b), &snap->entries[0]);
	CU_ASSERT_PTR_EQUAL(snapshot_find(snap, "abc"), &snap->entries[1]);
	CU_ASSERT_PTR_NULL(snapshot_find(snap, "ab"));	/* ambiguous prefix */
	CU_ASSERT_PTR_NULL(snapshot_find(snap, "alp")); /* names match whole */
	CU_ASSERT_PTR_NULL(snapshot_find(snap, ""));
	CU_ASSERT_PTR_NULL(snapshot_find(snap, "nothing"));

	/* readers keep their reference after the pipeline moved on */
	struct snapshot *reader = snapshot_ref(snap);
	snapshot_unref(snap);
	CU_ASSERT_STRING_EQUAL(reader->entries[0].meta.name, "alpha");
	snapshot_unref(reader);
	snapshot_unref(NULL);

	/* a snapshot keeps the metadata it was built with, shared, not copied */
	struct snapshot *later = NULL;
	CU_ASSERT_EQUAL_FATAL(pipeline_collect(p, &snap), 0);
	zeta.state = "running";
	CU_ASSERT_EQUAL(pipeline_update_meta(p, &zeta), 0);
	CU_ASSERT_EQUAL_FATAL(pipeline_snapshot(p, &later), 0);
	CU_ASSERT_STRING_EQUAL(snap->entries[1].meta.state, "exited");
	CU_ASSERT_STRING_EQUAL(later->entries[1].meta.state, "running");
	CU_ASSERT_PTR_EQUAL(later->entries[0].meta.name, snap->entries[0].meta.name);
	CU_ASSERT_TRUE(later->generation > snap->generation);
	snapshot_unref(later);

	CU_ASSERT_EQUAL(pipeline_remove_target(p, "/a"), 0);
	CU_ASSERT_EQUAL(pipeline_remove_target(p, "/a"), -ENOENT);
	CU_ASSERT_EQUAL(pipeline_n_targets(p), 1);
	/* the removed target's metadata outlives it in older snapshots */
	CU_ASSERT_STRING_EQUAL(snap->entries[0].meta.name, "alpha");
	snapshot_unref(snap);
	pipeline_free(p);
	pipeline_free(NULL);
	env_close();
}

/* Fake collectors whose behaviour each test sets. */
static int fake_collect_result;
static int fake_open_result;

static int fake_open(const struct target_info *t, void **ret_state, struct mst_err *err)
{
	if (fake_open_result < 0)
		return fake_open_result;
	*ret_state = NULL;
	return 0;
}

static int fake_collect(void *state, struct sample *s)
{
	sample_set(s, SAMPLE_PIDS_CURRENT, 1);
	return fake_collect_result;
}

static void fake_close(void *state)
{
}

static int steady_collect(void *state, struct sample *s)
{
	sample_set(s, SAMPLE_PIDS_LIMIT, 5);
	return 0;
}

static const struct collector fake = { .abi_version = COLLECTOR_ABI_VERSION,
				       .name = "fake",
				       .open = fake_open,
				       .collect = fake_collect,
				       .close = fake_close };
static const struct collector steady = { .abi_version = COLLECTOR_ABI_VERSION,
					 .name = "steady",
					 .open = fake_open,
					 .collect = steady_collect,
					 .close = fake_close };

static void test_pipeline_collector_failures(void)
{
	struct mst_err err = { 0 };
	struct snapshot *snap;

	env_open("v2-tree");
	collector_registry_reset();
	CU_ASSERT_EQUAL_FATAL(collector_register(&fake), 0);
	CU_ASSERT_EQUAL_FATAL(collector_register(&steady), 0);
	struct pipeline *p = pipeline_new(&env.layout);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	struct snapshot_meta m = meta_of("/mstat-test", "db", NULL);

	/* An open failure names the collector. An -ENOENT only skips it. */
	fake_open_result = -EACCES;
	CU_ASSERT_EQUAL(pipeline_add_target(p, &m, &env.paths, 0, &err), -EACCES);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "fake"));
	CU_ASSERT_EQUAL(pipeline_n_targets(p), 0);
	fake_open_result = 0;
	CU_ASSERT_EQUAL_FATAL(pipeline_add_target(p, &m, &env.paths, 0, &err), 0);

	/* A failing collector is counted, and the other one still runs. */
	fake_collect_result = -EIO;
	CU_ASSERT_EQUAL_FATAL(pipeline_collect(p, &snap), 0);
	CU_ASSERT_EQUAL(pipeline_last_errors(p), 1);
	CU_ASSERT_EQUAL_FATAL(snap->n_entries, 1);
	CU_ASSERT_EQUAL(value_of(&snap->entries[0].cur, SAMPLE_PIDS_LIMIT), 5);
	snapshot_unref(snap);

	/* A vanished cgroup drops the target quietly. */
	fake_collect_result = -ENODEV;
	CU_ASSERT_EQUAL_FATAL(pipeline_collect(p, &snap), 0);
	CU_ASSERT_EQUAL(pipeline_last_errors(p), 0);
	CU_ASSERT_EQUAL(snap->n_entries, 0);
	CU_ASSERT_EQUAL(pipeline_n_targets(p), 0);
	snapshot_unref(snap);

	fake_collect_result = 0;
	pipeline_free(p);
	env_close();
}

/* A collector that lists lists_count devices and interfaces, numbered from
 * lists_base, so that a test can tell which pass a list came from. */
static unsigned lists_count, lists_base;

static int lists_collect(void *state, struct sample *s)
{
	for (unsigned i = 0; i < lists_count && i < SAMPLE_MAX_BLKDEVS; i++)
		s->blkdev[s->n_blkdev++] = (struct sample_blkdev){ .major = 8,
								   .minor = lists_base + i,
								   .read_bytes = lists_base };
	for (unsigned i = 0; i < lists_count && i < SAMPLE_MAX_NETIFS; i++) {
		struct sample_netif *n = &s->netif[s->n_netif++];

		*n = (struct sample_netif){ .rx_bytes = lists_base + i };
		snprintf(n->name, sizeof(n->name), "eth%u", i);
	}
	return 0;
}

static const struct collector lists = { .abi_version = COLLECTOR_ABI_VERSION,
					.name = "lists",
					.open = fake_open,
					.collect = lists_collect,
					.close = fake_close };

/* Checks that a sample lists n devices and interfaces of pass base. */
static void check_lists(const struct sample *s, unsigned n, unsigned base)
{
	CU_ASSERT_EQUAL_FATAL(s->n_blkdev, n);
	CU_ASSERT_EQUAL_FATAL(s->n_netif, n);
	for (unsigned i = 0; i < n; i++) {
		CU_ASSERT_EQUAL(s->blkdev[i].minor, base + i);
		CU_ASSERT_EQUAL(s->blkdev[i].read_bytes, base);
		CU_ASSERT_EQUAL(s->netif[i].rx_bytes, base + i);
	}
}

/* Lists that grow, shrink and fill the whole room keep their contents in the
 * pipeline and in every snapshot still held, each with its own copy. */
static void test_pipeline_list_lengths(void)
{
	struct mst_err err = { 0 };
	struct snapshot *held[4];
	static const unsigned counts[4] = { 1, SAMPLE_MAX_BLKDEVS, 0, 3 };

	env_open("v2-tree");
	collector_registry_reset();
	CU_ASSERT_EQUAL_FATAL(collector_register(&lists), 0);
	struct pipeline *p = pipeline_new(&env.layout);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	struct snapshot_meta m = meta_of("/mstat-test", "db", NULL);
	CU_ASSERT_EQUAL_FATAL(pipeline_add_target(p, &m, &env.paths, 0, &err), 0);

	for (unsigned pass = 0; pass < 4; pass++) {
		lists_count = counts[pass];
		lists_base = 1000 * (pass + 1);
		CU_ASSERT_EQUAL_FATAL(pipeline_collect(p, &held[pass]), 0);
	}
	for (unsigned pass = 0; pass < 4; pass++) {
		const struct snapshot_entry *e = &held[pass]->entries[0];

		check_lists(&e->cur, counts[pass], 1000 * (pass + 1));
		CU_ASSERT_EQUAL(e->has_prev, pass > 0);
		if (pass > 0)
			check_lists(&e->prev, counts[pass - 1], 1000 * pass);
		snapshot_unref(held[pass]);
	}
	pipeline_free(p);
	env_close();
}

static void test_snapshot_derive(void)
{
	struct snapshot_entry e;

	memset(&e, 0, sizeof(e));
	sample_set(&e.cur, SAMPLE_CPU_USAGE_NS, 3000000000ULL);
	e.cur.mono_ns = 2000000000ULL;
	e.host_cpu_ns_cur = 10000000000ULL;

	/* first sample */
	snapshot_derive(&e, 4);
	CU_ASSERT_FALSE(e.derived.cpu_percent_valid);
	CU_ASSERT_FALSE(e.derived.rates_valid);

	/* 0.5 s of cgroup CPU in 2 s of host CPU on 4 CPUs: 100 % */
	e.has_prev = true;
	sample_set(&e.prev, SAMPLE_CPU_USAGE_NS, 2500000000ULL);
	e.prev.mono_ns = 1000000000ULL;
	e.host_cpu_ns_prev = 8000000000ULL;
	sample_set(&e.cur, SAMPLE_IO_WRITE_BYTES, 5000);
	sample_set(&e.prev, SAMPLE_IO_WRITE_BYTES, 1000);
	snapshot_derive(&e, 4);
	CU_ASSERT_TRUE(e.derived.cpu_percent_valid);
	CU_ASSERT_DOUBLE_EQUAL(e.derived.cpu_percent, 100.0, 1e-9);
	CU_ASSERT_TRUE(e.derived.rates_valid);
	CU_ASSERT_DOUBLE_EQUAL(e.derived.io_write_bytes_per_sec, 4000.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(e.derived.net_rx_bytes_per_sec, 0.0, 1e-9);

	/* a counter only one sample has: no rates */
	sample_set(&e.cur, SAMPLE_NET_RX_BYTES, 10);
	snapshot_derive(&e, 4);
	CU_ASSERT_FALSE(e.derived.rates_valid);
	CU_ASSERT_DOUBLE_EQUAL(e.derived.io_write_bytes_per_sec, 0.0, 1e-9);
	CU_ASSERT_TRUE(e.derived.cpu_percent_valid);

	/* no host time in the previous pass, or none elapsed */
	e.host_cpu_ns_prev = 0;
	snapshot_derive(&e, 4);
	CU_ASSERT_FALSE(e.derived.cpu_percent_valid);
	e.host_cpu_ns_prev = e.host_cpu_ns_cur;
	snapshot_derive(&e, 4);
	CU_ASSERT_FALSE(e.derived.cpu_percent_valid);

	/* no time between the samples */
	sample_set(&e.prev, SAMPLE_NET_RX_BYTES, 10);
	e.prev.mono_ns = e.cur.mono_ns;
	snapshot_derive(&e, 4);
	CU_ASSERT_FALSE(e.derived.rates_valid);
}

static void test_snapshot_meta(void)
{
	struct snapshot_meta src = { .id = "/x",
				     .name = "x",
				     .container_id = NULL,
				     .state = "running",
				     .created_ns = 5,
				     .spec_pids_limit = -1 };
	struct snapshot_meta copy;

	CU_ASSERT_EQUAL_FATAL(snapshot_meta_copy(&src, &copy), 0);
	CU_ASSERT_PTR_NOT_EQUAL(copy.id, src.id);
	CU_ASSERT_STRING_EQUAL(copy.id, "/x");
	CU_ASSERT_STRING_EQUAL(copy.state, "running");
	CU_ASSERT_PTR_NULL(copy.container_id);
	CU_ASSERT_EQUAL(copy.created_ns, 5);
	CU_ASSERT_EQUAL(copy.spec_pids_limit, -1);
	snapshot_meta_free(&copy);
	CU_ASSERT_PTR_NULL(copy.id);
	snapshot_meta_free(&copy);
	snapshot_meta_free(NULL);

	struct snapshot *s = snapshot_new(0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->n_entries, 0);
	CU_ASSERT_PTR_NULL(snapshot_find(s, "x"));
	snapshot_unref(s);
}

static void test_host_files(void)
{
	char proc[2 * PATH_MAX], stat_lines[64 * 1024];
	uint64_t ns = 0, bytes = 0;
	unsigned online = 0;
	size_t len = 0;

	CU_ASSERT_EQUAL(host_read_cpu(fixture_path("proc"), &ns, &online), 0);
	CU_ASSERT_EQUAL(ns, ticks_ns(2716ULL + 2446 + 108945 + 522 + 49));
	CU_ASSERT_EQUAL(online, 2);
	CU_ASSERT_EQUAL(host_read_memtotal(fixture_path("proc"), &bytes), 0);
	CU_ASSERT_EQUAL(bytes, 24683784ULL * 1024);

	/* the running kernel: /proc/stat lists the online CPUs */
	CU_ASSERT_EQUAL(host_read_cpu("/proc", &ns, &online), 0);
	CU_ASSERT_EQUAL(online, (unsigned)sysconf(_SC_NPROCESSORS_ONLN));
	CU_ASSERT_TRUE(ns > 0);
	CU_ASSERT_EQUAL(host_read_cpu("/nonexistent", &ns, &online), -ENOENT);

	/* more cpu lines than the configured CPUs explain: an error, not a count
	 * of the lines that fitted */
	env_open("v2-tree");
	long n = (sysconf(_SC_NPROCESSORS_CONF) + 2) * 2;
	len += (size_t)snprintf(stat_lines, sizeof(stat_lines), "cpu  1 0 0 0 0 0 0 0 0 0\n");
	for (long i = 0; i < n && len < sizeof(stat_lines) - 256; i++)
		len += (size_t)snprintf(stat_lines + len, sizeof(stat_lines) - len,
					"cpu%ld 10000000000000000000 10000000000000000000 "
					"10000000000000000000 10000000000000000000 "
					"10000000000000000000 10000000000000000000 "
					"10000000000000000000 10000000000000000000\n",
					i);
	snprintf(stat_lines + len, sizeof(stat_lines) - len, "intr 0\n");
	fixture_rewrite(env.dir, "proc/stat", stat_lines);
	snprintf(proc, sizeof(proc), "%s/proc", env.dir);
	ns = 42;
	CU_ASSERT_EQUAL(host_read_cpu(proc, &ns, &online), -EFBIG);
	CU_ASSERT_EQUAL(ns, 42);
	env_close();
}

/* A retired target keeps its final sample, unchanged, until it is removed. */
static void test_pipeline_retire(void)
{
	struct mst_err err = { 0 };
	struct snapshot *snap;

	env_open("v2-tree");
	struct pipeline *p = pipeline_new(&env.layout);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	struct snapshot_meta m = meta_of("/mstat-test", "done", NULL);
	CU_ASSERT_EQUAL_FATAL(pipeline_add_target(p, &m, &env.paths, 0, &err), 0);
	CU_ASSERT_EQUAL_FATAL(pipeline_collect(p, &snap), 0);
	snapshot_unref(snap);

	/* The final collection reads what the files hold at exit. */
	fixture_rewrite(env.dir, "v2-tree/mstat-test/memory.events",
			"low 0\nhigh 3\nmax 2\noom 2\noom_kill 2\n");
	CU_ASSERT_EQUAL(pipeline_retire_target(p, "/mstat-test"), 0);
	fixture_rewrite(env.dir, "v2-tree/mstat-test/memory.events",
			"low 0\nhigh 3\nmax 2\noom 9\noom_kill 9\n");

	CU_ASSERT_EQUAL_FATAL(pipeline_collect(p, &snap), 0);
	CU_ASSERT_EQUAL_FATAL(snap->n_entries, 1);
	CU_ASSERT_EQUAL(value_of(&snap->entries[0].cur, SAMPLE_MEM_OOM_KILL), 2);
	CU_ASSERT_FALSE(snap->entries[0].derived.cpu_percent_valid);
	CU_ASSERT_FALSE(snap->entries[0].derived.rates_valid);
	snapshot_unref(snap);

	CU_ASSERT_EQUAL(pipeline_retire_target(p, "/mstat-test"), 0);
	CU_ASSERT_EQUAL(pipeline_retire_target(p, "/unknown"), -ENOENT);
	CU_ASSERT_EQUAL(pipeline_remove_target(p, "/mstat-test"), 0);
	CU_ASSERT_EQUAL_FATAL(pipeline_collect(p, &snap), 0);
	CU_ASSERT_EQUAL(snap->n_entries, 0);
	snapshot_unref(snap);

	pipeline_free(p);
	env_close();
}

static const struct cunit_test tests[] = {
	{ "pipeline retire target", test_pipeline_retire },
	{ "registry", test_registry },
	{ "pipeline v1 passes", test_pipeline_v1_passes },
	{ "pipeline bad files", test_pipeline_bad_files },
	{ "pipeline v2 values", test_pipeline_v2_values },
	{ "pipeline missing files", test_pipeline_missing_files },
	{ "pipeline targets", test_pipeline_targets },
	{ "pipeline collector failures", test_pipeline_collector_failures },
	{ "pipeline list lengths", test_pipeline_list_lengths },
	{ "snapshot derive", test_snapshot_derive },
	{ "snapshot meta", test_snapshot_meta },
	{ "host files", test_host_files },
	{ NULL, NULL },
};

int main(void)
{
	int r = cunit_run("collectors_pipeline", tests);

	if (env.dir[0])
		env_close();
	return r;
}
