/* SPDX-License-Identifier: MIT */
/*
 * The built-in cgroup collectors: cpu, memory, io and pids, each a table of
 * v1 files and a table of v2 files read through a kept file set, plus the few
 * values computed from two files. They never log and never allocate in
 * collect().
 */
#include <errno.h>

#include "collectors/builtin.h"
#include "collectors/cgfile.h"
#include "common/parse.h"

#define N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

/* The v1 and v2 file tables of one collector. */
struct cgroup_collector_files {
	const struct cgfile_spec *v1;
	size_t n_v1;
	const struct cgfile_spec *v2;
	size_t n_v2;
};

static const struct cgroup_collector_files cpu_files, memory_files, io_files, pids_files,
    pressure_files;

static int open_files(const struct cgroup_collector_files *files, const struct target_info *t,
		      void **ret_state, struct mst_err *err)
{
	struct cgfile_set *set;
	int r;

	if (t->cgroup->version == CG_V2)
		r = cgfile_set_open(files->v2, files->n_v2, t->cgroup, &set);
	else
		r = cgfile_set_open(files->v1, files->n_v1, t->cgroup, &set);
	if (r == -ENOENT)
		return r;
	if (r < 0)
		return err_set(err, -r, "open cgroup files of %s", t->cgroup->path);
	*ret_state = set;
	return 0;
}

static void close_files(void *state)
{
	cgfile_set_free(state);
}

static void sample_unset(struct sample *s, enum sample_key k)
{
	s->present[k / 64] &= ~(UINT64_C(1) << (k % 64));
}

static int cpu_open(const struct target_info *t, void **ret_state, struct mst_err *err)
{
	return open_files(&cpu_files, t, ret_state, err);
}

static int cpu_collect(void *state, struct sample *s)
{
	uint64_t weight, shares;

	int r = cgfile_set_collect(state, s);
	if (r < 0)
		return r;

	/* v2 has no cpu.shares: report the weight converted as cAdvisor does. */
	if (sample_get(s, SAMPLE_CPU_WEIGHT, &weight)) {
		r = cgparse_weight_to_shares(weight, &shares);
		if (r < 0)
			return r;
		sample_set(s, SAMPLE_CPU_SHARES, shares);
	}
	return 0;
}

static int memory_open(const struct target_info *t, void **ret_state, struct mst_err *err)
{
	return open_files(&memory_files, t, ret_state, err);
}

/* On v1 the memsw files count memory plus swap: keep only the swap part. The
 * two files are read at different moments, so the difference is floored at 0. */
static void memory_v1_swap(struct sample *s)
{
	uint64_t usage, limit, memsw_usage, memsw_limit;

	if (sample_get(s, SAMPLE_MEM_SWAP_USAGE, &memsw_usage)) {
		if (sample_get(s, SAMPLE_MEM_USAGE, &usage))
			sample_set(s, SAMPLE_MEM_SWAP_USAGE,
				   memsw_usage > usage ? memsw_usage - usage : 0);
		else
			sample_unset(s, SAMPLE_MEM_SWAP_USAGE);
	}

	if (sample_get(s, SAMPLE_MEM_SWAP_LIMIT, &memsw_limit)) {
		if (memsw_limit == MST_UNLIMITED)
			sample_set(s, SAMPLE_MEM_SWAP_LIMIT, MST_UNLIMITED);
		else if (sample_get(s, SAMPLE_MEM_LIMIT, &limit) && limit != MST_UNLIMITED)
			sample_set(s, SAMPLE_MEM_SWAP_LIMIT,
				   memsw_limit > limit ? memsw_limit - limit : 0);
		else
			sample_unset(s, SAMPLE_MEM_SWAP_LIMIT);
	}
}

static int memory_collect(void *state, struct sample *s)
{
	const struct cgfile_set *set = state;

	int r = cgfile_set_collect(state, s);
	if (r < 0)
		return r;
	if (set->version == CG_V1)
		memory_v1_swap(s);
	return 0;
}

static int io_open(const struct target_info *t, void **ret_state, struct mst_err *err)
{
	return open_files(&io_files, t, ret_state, err);
}

static int pids_open(const struct target_info *t, void **ret_state, struct mst_err *err)
{
	return open_files(&pids_files, t, ret_state, err);
}

/* Pressure stall information exists on cgroup v2 only, so a v1 target has
 * nothing to read and skips this collector. */
static int pressure_open(const struct target_info *t, void **ret_state, struct mst_err *err)
{
	if (t->cgroup->version != CG_V2)
		return -ENOENT;
	return open_files(&pressure_files, t, ret_state, err);
}

static int files_collect(void *state, struct sample *s)
{
	return cgfile_set_collect(state, s);
}

const struct collector collector_cpu = {
	.abi_version = COLLECTOR_ABI_VERSION,
	.name = "cpu",
	.open = cpu_open,
	.collect = cpu_collect,
	.close = close_files,
};

const struct collector collector_memory = {
	.abi_version = COLLECTOR_ABI_VERSION,
	.name = "memory",
	.open = memory_open,
	.collect = memory_collect,
	.close = close_files,
};

const struct collector collector_io = {
	.abi_version = COLLECTOR_ABI_VERSION,
	.name = "io",
	.open = io_open,
	.collect = files_collect,
	.close = close_files,
};

const struct collector collector_pressure = {
	.abi_version = COLLECTOR_ABI_VERSION,
	.name = "pressure",
	.open = pressure_open,
	.collect = files_collect,
	.close = close_files,
};

const struct collector collector_pids = {
	.abi_version = COLLECTOR_ABI_VERSION,
	.name = "pids",
	.open = pids_open,
	.collect = files_collect,
	.close = close_files,
};

/* cpu */

static const struct cgparse_key cpu_v1_stat_keys[] = {
	{ "nr_periods", SAMPLE_CPU_PERIODS, 1 },
	{ "nr_throttled", SAMPLE_CPU_THROTTLED_PERIODS, 1 },
	{ "throttled_time", SAMPLE_CPU_THROTTLED_NS, 1 },
};

static const struct cgfile_spec cpu_v1_specs[] = {
	{ .controller = CG_CTRL_CPUACCT,
	  .name = "cpuacct.usage",
	  .format = CGFILE_U64,
	  .key = SAMPLE_CPU_USAGE_NS },
	{ .controller = CG_CTRL_CPUACCT, .name = "cpuacct.stat", .format = CGFILE_CPUACCT_STAT },
	{ .controller = CG_CTRL_CPU,
	  .name = "cpu.stat",
	  .format = CGFILE_KEYED,
	  .keys = cpu_v1_stat_keys,
	  .n_keys = N_ELEMENTS(cpu_v1_stat_keys) },
	{ .controller = CG_CTRL_CPU,
	  .name = "cpu.cfs_quota_us",
	  .format = CGFILE_CFS_QUOTA,
	  .key = SAMPLE_CPU_QUOTA_US,
	  .is_limit = true },
	{ .controller = CG_CTRL_CPU,
	  .name = "cpu.cfs_period_us",
	  .format = CGFILE_U64,
	  .key = SAMPLE_CPU_PERIOD_US,
	  .is_limit = true },
	{ .controller = CG_CTRL_CPU,
	  .name = "cpu.shares",
	  .format = CGFILE_U64,
	  .key = SAMPLE_CPU_SHARES,
	  .is_limit = true },
};

static const struct cgparse_key cpu_v2_stat_keys[] = {
	{ "usage_usec", SAMPLE_CPU_USAGE_NS, 1000 },
	{ "user_usec", SAMPLE_CPU_USER_NS, 1000 },
	{ "system_usec", SAMPLE_CPU_SYSTEM_NS, 1000 },
	{ "nr_periods", SAMPLE_CPU_PERIODS, 1 },
	{ "nr_throttled", SAMPLE_CPU_THROTTLED_PERIODS, 1 },
	{ "throttled_usec", SAMPLE_CPU_THROTTLED_NS, 1000 },
};

static const struct cgfile_spec cpu_v2_specs[] = {
	{ .controller = CG_CTRL_CPU,
	  .name = "cpu.stat",
	  .format = CGFILE_KEYED,
	  .keys = cpu_v2_stat_keys,
	  .n_keys = N_ELEMENTS(cpu_v2_stat_keys) },
	{ .controller = CG_CTRL_CPU,
	  .name = "cpu.max",
	  .format = CGFILE_CPU_MAX,
	  .is_limit = true },
	{ .controller = CG_CTRL_CPU,
	  .name = "cpu.weight",
	  .format = CGFILE_U64,
	  .key = SAMPLE_CPU_WEIGHT,
	  .is_limit = true },
};

static const struct cgroup_collector_files cpu_files = {
	cpu_v1_specs,
	N_ELEMENTS(cpu_v1_specs),
	cpu_v2_specs,
	N_ELEMENTS(cpu_v2_specs),
};

/* memory: v1 uses the hierarchical total_* keys of memory.stat, which include
 * the cgroup's descendants as v2's keys do. */

static const struct cgparse_key memory_v1_stat_keys[] = {
	{ "total_cache", SAMPLE_MEM_CACHE, 1 },
	{ "total_rss", SAMPLE_MEM_RSS, 1 },
	{ "total_shmem", SAMPLE_MEM_SHMEM, 1 },
	{ "total_mapped_file", SAMPLE_MEM_MAPPED_FILE, 1 },
	{ "total_active_anon", SAMPLE_MEM_ACTIVE_ANON, 1 },
	{ "total_inactive_anon", SAMPLE_MEM_INACTIVE_ANON, 1 },
	{ "total_active_file", SAMPLE_MEM_ACTIVE_FILE, 1 },
	{ "total_inactive_file", SAMPLE_MEM_INACTIVE_FILE, 1 },
	{ "total_pgfault", SAMPLE_MEM_PGFAULT, 1 },
	{ "total_pgmajfault", SAMPLE_MEM_PGMAJFAULT, 1 },
	{ "total_dirty", SAMPLE_MEM_FILE_DIRTY, 1 },
	{ "total_writeback", SAMPLE_MEM_FILE_WRITEBACK, 1 },
};

static const struct cgparse_key memory_v1_oom_keys[] = {
	{ "oom_kill", SAMPLE_MEM_OOM_KILL, 1 },
};

/* SAMPLE_MEM_SWAP_USAGE and _LIMIT first receive the memsw values, which
 * memory_v1_swap() turns into swap only. */
static const struct cgfile_spec memory_v1_specs[] = {
	{ .controller = CG_CTRL_MEMORY,
	  .name = "memory.usage_in_bytes",
	  .format = CGFILE_U64,
	  .key = SAMPLE_MEM_USAGE },
	{ .controller = CG_CTRL_MEMORY,
	  .name = "memory.max_usage_in_bytes",
	  .format = CGFILE_U64,
	  .key = SAMPLE_MEM_MAX_USAGE },
	{ .controller = CG_CTRL_MEMORY,
	  .name = "memory.limit_in_bytes",
	  .format = CGFILE_LIMIT,
	  .key = SAMPLE_MEM_LIMIT,
	  .is_limit = true },
	{ .controller = CG_CTRL_MEMORY,
	  .name = "memory.memsw.usage_in_bytes",
	  .format = CGFILE_U64,
	  .key = SAMPLE_MEM_SWAP_USAGE },
	{ .controller = CG_CTRL_MEMORY,
	  .name = "memory.memsw.limit_in_bytes",
	  .format = CGFILE_LIMIT,
	  .key = SAMPLE_MEM_SWAP_LIMIT,
	  .is_limit = true },
	{ .controller = CG_CTRL_MEMORY,
	  .name = "memory.stat",
	  .format = CGFILE_KEYED,
	  .keys = memory_v1_stat_keys,
	  .n_keys = N_ELEMENTS(memory_v1_stat_keys) },
	{ .controller = CG_CTRL_MEMORY,
	  .name = "memory.failcnt",
	  .format = CGFILE_U64,
	  .key = SAMPLE_MEM_FAILCNT },
	{ .controller = CG_CTRL_MEMORY,
	  .name = "memory.oom_control",
	  .format = CGFILE_KEYED,
	  .keys = memory_v1_oom_keys,
	  .n_keys = N_ELEMENTS(memory_v1_oom_keys) },
	{ .controller = CG_CTRL_MEMORY,
	  .name = "memory.kmem.usage_in_bytes",
	  .format = CGFILE_U64,
	  .key = SAMPLE_MEM_KERNEL },
};

static const struct cgparse_key memory_v2_stat_keys[] = {
	{ "anon", SAMPLE_MEM_RSS, 1 },
	{ "file", SAMPLE_MEM_CACHE, 1 },
	{ "shmem", SAMPLE_MEM_SHMEM, 1 },
	{ "file_mapped", SAMPLE_MEM_MAPPED_FILE, 1 },
	{ "active_anon", SAMPLE_MEM_ACTIVE_ANON, 1 },
	{ "inactive_anon", SAMPLE_MEM_INACTIVE_ANON, 1 },
	{ "active_file", SAMPLE_MEM_ACTIVE_FILE, 1 },
	{ "inactive_file", SAMPLE_MEM_INACTIVE_FILE, 1 },
	{ "kernel", SAMPLE_MEM_KERNEL, 1 },
	{ "pgfault", SAMPLE_MEM_PGFAULT, 1 },
	{ "pgmajfault", SAMPLE_MEM_PGMAJFAULT, 1 },
	{ "file_dirty", SAMPLE_MEM_FILE_DIRTY, 1 },
	{ "file_writeback", SAMPLE_MEM_FILE_WRITEBACK, 1 },
	{ "pgscan", SAMPLE_MEM_PGSCAN, 1 },
	{ "pgsteal", SAMPLE_MEM_PGSTEAL, 1 },
	{ "workingset_refault_anon", SAMPLE_MEM_WORKINGSET_REFAULT_ANON, 1 },
	{ "workingset_refault_file", SAMPLE_MEM_WORKINGSET_REFAULT_FILE, 1 },
};

static const struct cgparse_key memory_v2_events_keys[] = {
	{ "high", SAMPLE_MEM_EVENTS_HIGH, 1 },
	{ "max", SAMPLE_MEM_EVENTS_MAX, 1 },
	{ "oom", SAMPLE_MEM_OOM, 1 },
	{ "oom_kill", SAMPLE_MEM_OOM_KILL, 1 },
	{ "oom_group_kill", SAMPLE_MEM_OOM_GROUP_KILL, 1 },
};

static const struct cgfile_spec memory_v2_specs[] = {
	{ .controller = CG_CTRL_MEMORY,
	  .name = "memory.current",
	  .format = CGFILE_U64,
	  .key = SAMPLE_MEM_USAGE },
	{ .controller = CG_CTRL_MEMORY,
	  .name = "memory.peak",
	  .format = CGFILE_U64,
	  .key = SAMPLE_MEM_MAX_USAGE },
	{ .controller = CG_CTRL_MEMORY,
	  .name = "memory.max",
	  .format = CGFILE_LIMIT,
	  .key = SAMPLE_MEM_LIMIT,
	  .is_limit = true },
	{ .controller = CG_CTRL_MEMORY,
	  .name = "memory.swap.current",
	  .format = CGFILE_U64,
	  .key = SAMPLE_MEM_SWAP_USAGE },
	{ .controller = CG_CTRL_MEMORY,
	  .name = "memory.swap.max",
	  .format = CGFILE_LIMIT,
	  .key = SAMPLE_MEM_SWAP_LIMIT,
	  .is_limit = true },
	{ .controller = CG_CTRL_MEMORY,
	  .name = "memory.stat",
	  .format = CGFILE_KEYED,
	  .keys = memory_v2_stat_keys,
	  .n_keys = N_ELEMENTS(memory_v2_stat_keys) },
	{ .controller = CG_CTRL_MEMORY,
	  .name = "memory.events",
	  .format = CGFILE_KEYED,
	  .keys = memory_v2_events_keys,
	  .n_keys = N_ELEMENTS(memory_v2_events_keys) },
};

static const struct cgroup_collector_files memory_files = {
	memory_v1_specs,
	N_ELEMENTS(memory_v1_specs),
	memory_v2_specs,
	N_ELEMENTS(memory_v2_specs),
};

/* io: the throttle files exist whatever the I/O scheduler, unlike
 * blkio.io_service_bytes (CFQ and BFQ only), and docker reads them too. The
 * recursive files include descendants; kernels without them fall back to the
 * cgroup's own counters. */

static const struct cgfile_spec io_v1_specs[] = {
	{ .controller = CG_CTRL_BLKIO,
	  .name = "blkio.throttle.io_service_bytes_recursive",
	  .fallback = "blkio.throttle.io_service_bytes",
	  .format = CGFILE_BLKIO_BYTES },
	{ .controller = CG_CTRL_BLKIO,
	  .name = "blkio.throttle.io_serviced_recursive",
	  .fallback = "blkio.throttle.io_serviced",
	  .format = CGFILE_BLKIO_OPS },
};

static const struct cgfile_spec io_v2_specs[] = {
	{ .controller = CG_CTRL_BLKIO, .name = "io.stat", .format = CGFILE_IO_STAT },
};

static const struct cgroup_collector_files io_files = {
	io_v1_specs,
	N_ELEMENTS(io_v1_specs),
	io_v2_specs,
	N_ELEMENTS(io_v2_specs),
};

/* pids: the same file names on v1 and v2. */

static const struct cgfile_spec pids_specs[] = {
	{ .controller = CG_CTRL_PIDS,
	  .name = "pids.current",
	  .format = CGFILE_U64,
	  .key = SAMPLE_PIDS_CURRENT },
	{ .controller = CG_CTRL_PIDS,
	  .name = "pids.max",
	  .format = CGFILE_LIMIT,
	  .key = SAMPLE_PIDS_LIMIT,
	  .is_limit = true },
};

static const struct cgroup_collector_files pids_files = {
	pids_specs,
	N_ELEMENTS(pids_specs),
	pids_specs,
	N_ELEMENTS(pids_specs),
};

/* pressure: the cgroup core provides these files in every v2 cgroup, whether
 * or not the cpu, memory or io controller is enabled for it. */

static const struct cgparse_key pressure_cpu_keys[] = {
	{ "some", SAMPLE_PSI_CPU_SOME_NS, 1 },
	{ "full", SAMPLE_PSI_CPU_FULL_NS, 1 },
};

static const struct cgparse_key pressure_memory_keys[] = {
	{ "some", SAMPLE_PSI_MEMORY_SOME_NS, 1 },
	{ "full", SAMPLE_PSI_MEMORY_FULL_NS, 1 },
};

static const struct cgparse_key pressure_io_keys[] = {
	{ "some", SAMPLE_PSI_IO_SOME_NS, 1 },
	{ "full", SAMPLE_PSI_IO_FULL_NS, 1 },
};

static const struct cgfile_spec pressure_v2_specs[] = {
	{ .controller = CG_CTRL_CPU,
	  .name = "cpu.pressure",
	  .format = CGFILE_PRESSURE,
	  .keys = pressure_cpu_keys,
	  .n_keys = N_ELEMENTS(pressure_cpu_keys) },
	{ .controller = CG_CTRL_MEMORY,
	  .name = "memory.pressure",
	  .format = CGFILE_PRESSURE,
	  .keys = pressure_memory_keys,
	  .n_keys = N_ELEMENTS(pressure_memory_keys) },
	{ .controller = CG_CTRL_BLKIO,
	  .name = "io.pressure",
	  .format = CGFILE_PRESSURE,
	  .keys = pressure_io_keys,
	  .n_keys = N_ELEMENTS(pressure_io_keys) },
};

static const struct cgroup_collector_files pressure_files = {
	NULL,
	0,
	pressure_v2_specs,
	N_ELEMENTS(pressure_v2_specs),
};
