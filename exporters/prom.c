/* SPDX-License-Identifier: MIT */
/*
 * The metric families of a snapshot, with cAdvisor's metric names, types and
 * `id`/`name` labels so that existing dashboards and alerts work, written
 * through prom_enc.c in any of the three formats. A value missing from a
 * sample produces no series, never a zero. It reads only the snapshot, never
 * a cgroup file, and never logs.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/parse.h"
#include "exporters/prom.h"
#include "exporters/prom_enc.h"

/* Unit of a sample value, which decides how its number is written. */
enum prom_unit {
	PROM_UNIT_COUNT,   /* an exact integer */
	PROM_UNIT_SECONDS, /* nanoseconds written as seconds */
	PROM_UNIT_LIMIT,   /* an integer limit, 0 when unlimited */
	_PROM_UNIT_MAX,
};

struct prom_family;

/* Rendering state of one family for one snapshot entry. */
struct prom_ctx {
	struct prom_enc *enc;
	const struct snapshot *snap;
	const struct snapshot_entry *e;
	const struct prom_agent_info *agent; /* may be NULL */
};

/* Writes the series of one family for ctx->e. */
typedef void (*prom_emit_fn)(struct prom_ctx *ctx, const struct prom_family *f);

/* Tells whether the family applies to the entry at all. */
typedef bool (*prom_gate_fn)(const struct snapshot_entry *e);

struct prom_family {
	const char *name;
	enum prom_type type;
	const char *help;
	prom_emit_fn emit;
	enum sample_key key; /* the value, or the key that gates a list */
	enum prom_unit unit;
	struct prom_label extra; /* one fixed extra label, name NULL if none */
	prom_gate_fn gate;	 /* NULL when the family always applies */
	size_t field;		 /* offset into sample_blkdev or sample_netif */
	const char *om_unit;	 /* OpenMetrics unit, NULL when none */
};

/* cAdvisor renders a memory limit above 2^62 as 0 ("unlimited"), because the
 * kernel reports an unset v1 limit as LONG_MAX rounded down to a page. */
#define PROM_UNLIMITED_ABOVE (UINT64_C(1) << 62)

static const char *str_or_empty(const char *s)
{
	return s ? s : "";
}

static struct prom_value prom_value_of(uint64_t v, enum prom_unit unit)
{
	struct prom_value pv = { .kind = PROM_VALUE_U64, .u = v };

	if (unit == PROM_UNIT_SECONDS)
		pv.kind = PROM_VALUE_NS_AS_SECONDS;
	else if (unit == PROM_UNIT_LIMIT && v > PROM_UNLIMITED_ABOVE)
		pv.u = 0;
	return pv;
}

/* At most this many container labels per series; later ones are left out. */
#define PROM_MAX_CONTAINER_LABELS 16
#define PROM_LABEL_NAME_MAX	  128

static bool label_allowed(const struct prom_agent_info *agent, const char *key, size_t key_len)
{
	for (size_t i = 0; agent && i < agent->n_label_allow; i++)
		if (strlen(agent->label_allow[i]) == key_len &&
		    memcmp(agent->label_allow[i], key, key_len) == 0)
			return true;
	return false;
}

/* Writes "container_label_" and key with every byte outside [a-zA-Z0-9_]
 * replaced by '_', so that the result is a valid Prometheus label name.
 * Returns false when it does not fit. */
static bool container_label_name(const char *key, size_t key_len, char *buf, size_t size)
{
	static const char prefix[] = "container_label_";
	size_t prefix_len = sizeof(prefix) - 1;

	if (prefix_len + key_len + 1 > size)
		return false;
	memcpy(buf, prefix, prefix_len);
	for (size_t i = 0; i < key_len; i++) {
		char c = key[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '_';

		buf[prefix_len + i] = ok ? c : '_';
	}
	buf[prefix_len + key_len] = '\0';
	return true;
}

/* Appends the allow-listed labels of the entry to labels. A key whose label
 * name repeats one already added (a.b and a_b) is left out. */
static size_t add_container_labels(const struct prom_ctx *ctx, struct prom_label *labels, size_t n,
				   char names[][PROM_LABEL_NAME_MAX])
{
	size_t n_names = 0;

	for (char **l = ctx->e->meta.labels; l && *l && n < PROM_ENC_MAX_LABELS; l++) {
		const char *eq = strchr(*l, '=');
		size_t key_len = eq ? (size_t)(eq - *l) : strlen(*l);
		bool repeated = false;

		if (n_names == PROM_MAX_CONTAINER_LABELS || !label_allowed(ctx->agent, *l, key_len))
			continue;
		if (!container_label_name(*l, key_len, names[n_names], PROM_LABEL_NAME_MAX))
			continue;
		for (size_t i = 0; i < n_names; i++)
			repeated |= strcmp(names[i], names[n_names]) == 0;
		if (repeated)
			continue;
		labels[n].name = names[n_names++];
		labels[n].value = eq ? eq + 1 : "";
		n++;
	}
	return n;
}

/* Writes one container series: the `id` and `name` labels, the extra labels
 * and the allow-listed container labels. */
static void prom_write_series_value(struct prom_ctx *ctx, const struct prom_label *extra,
				    size_t n_extra, struct prom_value v)
{
	struct prom_label labels[PROM_ENC_MAX_LABELS] = {
		{ "id", str_or_empty(ctx->e->meta.id) },
		{ "name", str_or_empty(ctx->e->meta.name) },
	};
	char names[PROM_MAX_CONTAINER_LABELS][PROM_LABEL_NAME_MAX];
	size_t n = 2;

	for (size_t i = 0; i < n_extra && n < PROM_ENC_MAX_LABELS; i++)
		labels[n++] = extra[i];
	n = add_container_labels(ctx, labels, n, names);
	prom_enc_series(ctx->enc, labels, n, v);
}

static void prom_write_series(struct prom_ctx *ctx, const struct prom_label *extra, size_t n_extra,
			      uint64_t v, enum prom_unit unit)
{
	prom_write_series_value(ctx, extra, n_extra, prom_value_of(v, unit));
}
static bool gate_cpu_quota_set(const struct snapshot_entry *e)
{
	uint64_t quota;

	return sample_get(&e->cur, SAMPLE_CPU_QUOTA_US, &quota) && quota != MST_UNLIMITED;
}

/* One value from the sample, with the family's fixed extra label if any. */
static void emit_scalar(struct prom_ctx *ctx, const struct prom_family *f)
{
	uint64_t v;

	if (f->gate && !f->gate(ctx->e))
		return;
	if (!sample_get(&ctx->e->cur, f->key, &v))
		return;
	prom_write_series(ctx, &f->extra, f->extra.name ? 1 : 0, v, f->unit);
}

/* container_memory_failures_total: cAdvisor reports the cgroup's pgfault and
 * pgmajfault under both scopes, container and hierarchy, from the same
 * memory.stat keys. mstat does the same. */
static void emit_memory_failures(struct prom_ctx *ctx, const struct prom_family *f)
{
	static const struct {
		enum sample_key key;
		const char *type;
	} faults[] = {
		{ SAMPLE_MEM_PGFAULT, "pgfault" },
		{ SAMPLE_MEM_PGMAJFAULT, "pgmajfault" },
	};
	static const char *const scopes[] = { "container", "hierarchy" };

	(void)f;
	for (size_t s = 0; s < sizeof(scopes) / sizeof(scopes[0]); s++) {
		for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
			uint64_t v;

			if (!sample_get(&ctx->e->cur, faults[i].key, &v))
				continue;
			struct prom_label extra[2] = {
				{ "failure_type", faults[i].type },
				{ "scope", scopes[s] },
			};
			prom_write_series(ctx, extra, 2, v, PROM_UNIT_COUNT);
		}
	}
}

/* Block I/O per device. The `device` label is "MAJOR:MINOR" as the kernel
 * prints it in io.stat and blkio.*, because a /dev name would need a lookup
 * outside the snapshot. NOTE: devices past SAMPLE_MAX_BLKDEVS have no series
 * here although the sample's totals count them. */
static void emit_blkdev(struct prom_ctx *ctx, const struct prom_family *f)
{
	const struct sample *s = &ctx->e->cur;

	if (!sample_has(s, f->key))
		return;
	for (unsigned i = 0; i < s->n_blkdev && i < SAMPLE_MAX_BLKDEVS; i++) {
		const struct sample_blkdev *d = &s->blkdev[i];
		char device[32];
		uint64_t v;

		memcpy(&v, (const char *)d + f->field, sizeof(v));
		snprintf(device, sizeof(device), "%u:%u", (unsigned)d->major, (unsigned)d->minor);
		struct prom_label extra = { "device", device };
		prom_write_series(ctx, &extra, 1, v, PROM_UNIT_COUNT);
	}
}

/* container_blkio_device_usage_total: bytes per device and operation, with
 * cAdvisor's `device`, `major`, `minor` and `operation` labels. */
static void emit_blkio_device_usage(struct prom_ctx *ctx, const struct prom_family *f)
{
	const struct sample *s = &ctx->e->cur;

	if (!sample_has(s, f->key))
		return;
	for (unsigned i = 0; i < s->n_blkdev && i < SAMPLE_MAX_BLKDEVS; i++) {
		const struct sample_blkdev *d = &s->blkdev[i];
		char device[32], major[12], minor[12];

		snprintf(device, sizeof(device), "%u:%u", (unsigned)d->major, (unsigned)d->minor);
		snprintf(major, sizeof(major), "%u", (unsigned)d->major);
		snprintf(minor, sizeof(minor), "%u", (unsigned)d->minor);
		struct prom_label read[4] = {
			{ "device", device },
			{ "major", major },
			{ "minor", minor },
			{ "operation", "Read" },
		};
		struct prom_label write[4] = {
			{ "device", device },
			{ "major", major },
			{ "minor", minor },
			{ "operation", "Write" },
		};
		prom_write_series(ctx, read, 4, d->read_bytes, PROM_UNIT_COUNT);
		prom_write_series(ctx, write, 4, d->write_bytes, PROM_UNIT_COUNT);
	}
}

static void emit_netif(struct prom_ctx *ctx, const struct prom_family *f)
{
	const struct sample *s = &ctx->e->cur;

	if (!sample_has(s, f->key))
		return;
	for (unsigned i = 0; i < s->n_netif && i < SAMPLE_MAX_NETIFS; i++) {
		const struct sample_netif *nif = &s->netif[i];
		char ifname[IF_NAMESIZE + 1];
		uint64_t v;

		memcpy(&v, (const char *)nif + f->field, sizeof(v));
		memcpy(ifname, nif->name, IF_NAMESIZE);
		ifname[IF_NAMESIZE] = '\0';
		struct prom_label extra = { "interface", ifname };
		prom_write_series(ctx, &extra, 1, v, PROM_UNIT_COUNT);
	}
}

/* The CPU quota as a number of CPUs (quota / period), absent without a quota. */
static void emit_cpu_quota_cpus(struct prom_ctx *ctx, const struct prom_family *f)
{
	uint64_t quota, period;

	(void)f;
	if (!gate_cpu_quota_set(ctx->e))
		return;
	if (!sample_get(&ctx->e->cur, SAMPLE_CPU_QUOTA_US, &quota) ||
	    !sample_get(&ctx->e->cur, SAMPLE_CPU_PERIOD_US, &period) || period == 0)
		return;
	struct prom_value v = { .kind = PROM_VALUE_DOUBLE, .d = (double)quota / (double)period };
	prom_write_series_value(ctx, NULL, 0, v);
}

/* cAdvisor uses the container's creation time. A created_ns of 0 means
 * unknown and produces no series. */
static void emit_start_time(struct prom_ctx *ctx, const struct prom_family *f)
{
	(void)f;
	if (ctx->e->meta.created_ns == 0)
		return;
	prom_write_series(ctx, NULL, 0, ctx->e->meta.created_ns, PROM_UNIT_SECONDS);
}

/* The wall-clock time at which the pass read this target. */
static void emit_last_seen(struct prom_ctx *ctx, const struct prom_family *f)
{
	uint64_t ns = ctx->e->cur.real_ns ? ctx->e->cur.real_ns : ctx->snap->real_ns;

	(void)f;
	if (ns == 0)
		return;
	prom_write_series(ctx, NULL, 0, ns, PROM_UNIT_SECONDS);
}

/* Writes one family with every entry's series; a family that no entry has a
 * value for leaves no trace. */
static void prom_render_family(struct prom_enc *enc, const struct snapshot *snap,
			       const struct prom_agent_info *agent, const struct prom_family *f)
{
	struct prom_ctx ctx = { .enc = enc, .snap = snap, .agent = agent };

	prom_enc_family_begin(enc, f->name, f->type, f->help, f->om_unit);
	for (size_t i = 0; i < snap->n_entries; i++) {
		ctx.e = &snap->entries[i];
		f->emit(&ctx, f);
	}
	prom_enc_family_end(enc);
}

/* Writes a family of one series without labels or with one label. */
static void prom_render_single(struct prom_enc *enc, const char *name, enum prom_type type,
			       const char *help, const char *unit, const struct prom_label *label,
			       struct prom_value v)
{
	prom_enc_family_begin(enc, name, type, help, unit);
	prom_enc_series(enc, label, label ? 1 : 0, v);
	prom_enc_family_end(enc);
}

static struct prom_value u64_value(uint64_t v)
{
	return (struct prom_value){ .kind = PROM_VALUE_U64, .u = v };
}

/* mstat_scrapes_total by format, or one series without labels when the
 * caller counts no formats. */
static void prom_render_scrapes(struct prom_enc *enc, const struct prom_agent_info *agent)
{
	bool by_format = false;

	for (int i = 0; i < _PROM_FORMAT_MAX; i++)
		by_format |= agent->scrapes_by_format[i] != 0;

	prom_enc_family_begin(enc, "mstat_scrapes_total", PROM_COUNTER,
			      "Metrics requests served since mstatd started, by format.", NULL);
	if (!by_format)
		prom_enc_series(enc, NULL, 0, u64_value(agent->scrapes));
	for (int i = 0; by_format && i < _PROM_FORMAT_MAX; i++) {
		struct prom_label format = { "format", prom_format_name((enum prom_format)i) };

		prom_enc_series(enc, &format, 1, u64_value(agent->scrapes_by_format[i]));
	}
	prom_enc_family_end(enc);
}

/* Per-collector figures of the last pass, from the snapshot. */
static void prom_render_collectors(struct prom_enc *enc, const struct snapshot *snap)
{
	prom_enc_family_begin(enc, "mstat_collector_duration_seconds", PROM_GAUGE,
			      "Time each collector spent in the last collection pass, in seconds.",
			      "seconds");
	for (size_t i = 0; i < snap->n_collectors; i++) {
		struct prom_label c = { "collector", str_or_empty(snap->collectors[i].name) };
		struct prom_value v = { .kind = PROM_VALUE_NS_AS_SECONDS,
					.u = snap->collectors[i].duration_ns };

		prom_enc_series(enc, &c, 1, v);
	}
	prom_enc_family_end(enc);

	/* Not mstat_collector_errors_total: OpenMetrics would name that counter
	 * family mstat_collector_errors, the name of the gauge of the last pass. */
	prom_enc_family_begin(enc, "mstat_collector_collect_errors_total", PROM_COUNTER,
			      "Failed collect calls of each collector since mstatd started.", NULL);
	for (size_t i = 0; i < snap->n_collectors; i++) {
		struct prom_label c = { "collector", str_or_empty(snap->collectors[i].name) };

		prom_enc_series(enc, &c, 1, u64_value(snap->collectors[i].errors_total));
	}
	prom_enc_family_end(enc);
}

/* Writes the agent's own figures. Those taken from the snapshot are left out
 * when there is no snapshot yet, and the others when agent is NULL. */
static void prom_render_agent(struct prom_enc *enc, const struct snapshot *snap,
			      const struct prom_agent_info *agent)
{
	if (agent) {
		struct prom_label version = { "version", str_or_empty(agent->version) };

		prom_render_single(enc, "mstat_build_info", PROM_GAUGE,
				   "Constant 1, labelled with the version of mstatd.", NULL,
				   &version, u64_value(1));
		prom_render_scrapes(enc, agent);
		prom_render_single(enc, "mstat_collector_errors", PROM_GAUGE,
				   "Collector errors in the last collection pass.", NULL, NULL,
				   u64_value(agent->collector_errors));
	}

	if (snap) {
		struct prom_value pass = { .kind = PROM_VALUE_NS_AS_SECONDS,
					   .u = snap->pass_duration_ns };

		prom_render_single(enc, "mstat_targets", PROM_GAUGE,
				   "Targets in the newest snapshot.", NULL, NULL,
				   u64_value(snap->n_entries));
		prom_render_single(enc, "mstat_last_pass_duration_seconds", PROM_GAUGE,
				   "Duration of the last collection pass, in seconds.", "seconds",
				   NULL, pass);
		prom_render_collectors(enc, snap);
	}
}

#define SCALAR(n, t, k, u, h)                                                                      \
	{                                                                                          \
		.name = (n), .type = (t), .help = (h), .emit = emit_scalar, .key = (k),            \
		.unit = (u)                                                                        \
	}
#define SCALAR_UNIT(n, t, k, u, om, h)                                                             \
	{                                                                                          \
		.name = (n), .type = (t), .help = (h), .emit = emit_scalar, .key = (k),            \
		.unit = (u), .om_unit = (om)                                                       \
	}
#define SCALAR_GATED(n, t, k, u, g, h)                                                             \
	{                                                                                          \
		.name = (n), .type = (t), .help = (h), .emit = emit_scalar, .key = (k),            \
		.unit = (u), .gate = (g)                                                           \
	}
#define BLKDEV(n, k, member, h)                                                                    \
	{                                                                                          \
		.name = (n), .type = PROM_COUNTER, .help = (h), .emit = emit_blkdev, .key = (k),   \
		.field = offsetof(struct sample_blkdev, member)                                    \
	}
#define NETIF(n, k, member, h)                                                                     \
	{                                                                                          \
		.name = (n), .type = PROM_COUNTER, .help = (h), .emit = emit_netif, .key = (k),    \
		.field = offsetof(struct sample_netif, member)                                     \
	}
#define SECONDS(n, k, h) SCALAR_UNIT((n), PROM_COUNTER, (k), PROM_UNIT_SECONDS, "seconds", (h))
#define BYTES(n, k, h)	 SCALAR_UNIT((n), PROM_GAUGE, (k), PROM_UNIT_COUNT, "bytes", (h))

/*
 * Names, types and units follow cAdvisor's metrics/prometheus.go, as vendored
 * in kubernetes/kubernetes at commit 04791b49. The help texts are mstat's own.
 * Details:
 *  - container_cpu_usage_seconds_total has only the cpu="total" series, as
 *    cAdvisor prints when per-CPU usage is unknown.
 *  - Limits follow cAdvisor: an unlimited memory, swap or pids limit renders
 *    as 0, and an unlimited CPU quota produces no container_spec_cpu_quota
 *    and no container_cpu_cfs_* series.
 *  - container_spec_memory_swap_limit_bytes is the swap-only limit. NOTE:
 *    cAdvisor reads memory.memsw.limit_in_bytes (memory plus swap) on v1.
 *  - container_oom_events_total is the oom_kill count that the collectors
 *    read from memory.events or v1 memory.oom_control.
 *  - container_memory_failcnt is a counter without the _total suffix, as in
 *    cAdvisor, so promtool's linter reports it.
 *  - Beyond cAdvisor: container_memory_events_* (v2 memory.events),
 *    container_memory_file_dirty_bytes and _file_writeback_bytes,
 *    container_memory_pgscan_total, _pgsteal_total and
 *    _workingset_refault_{anon,file}_total (v2 memory.stat), and
 *    container_spec_cpu_quota_cpus. A key that one cgroup version lacks
 *    produces no series there.
 */
static const struct prom_family prom_families[] = {
	{ .name = "container_cpu_usage_seconds_total",
	  .type = PROM_COUNTER,
	  .help = "Cumulative CPU time consumed by the cgroup, in seconds.",
	  .emit = emit_scalar,
	  .key = SAMPLE_CPU_USAGE_NS,
	  .unit = PROM_UNIT_SECONDS,
	  .extra = { "cpu", "total" },
	  .om_unit = "seconds" },
	SECONDS("container_cpu_user_seconds_total", SAMPLE_CPU_USER_NS,
		"Cumulative CPU time consumed in user mode, in seconds."),
	SECONDS("container_cpu_system_seconds_total", SAMPLE_CPU_SYSTEM_NS,
		"Cumulative CPU time consumed in kernel mode, in seconds."),
	SCALAR_GATED("container_cpu_cfs_periods_total", PROM_COUNTER, SAMPLE_CPU_PERIODS,
		     PROM_UNIT_COUNT, gate_cpu_quota_set,
		     "Elapsed CFS bandwidth enforcement periods."),
	SCALAR_GATED("container_cpu_cfs_throttled_periods_total", PROM_COUNTER,
		     SAMPLE_CPU_THROTTLED_PERIODS, PROM_UNIT_COUNT, gate_cpu_quota_set,
		     "CFS enforcement periods in which the cgroup was throttled."),
	{ .name = "container_cpu_cfs_throttled_seconds_total",
	  .type = PROM_COUNTER,
	  .help = "Cumulative time the cgroup was throttled by its CFS quota, in seconds.",
	  .emit = emit_scalar,
	  .key = SAMPLE_CPU_THROTTLED_NS,
	  .unit = PROM_UNIT_SECONDS,
	  .gate = gate_cpu_quota_set,
	  .om_unit = "seconds" },

	BYTES("container_memory_usage_bytes", SAMPLE_MEM_USAGE,
	      "Memory used by the cgroup including page cache, in bytes."),
	BYTES("container_memory_max_usage_bytes", SAMPLE_MEM_MAX_USAGE,
	      "Highest memory usage recorded for the cgroup, in bytes."),
	BYTES("container_memory_working_set_bytes", SAMPLE_MEM_WORKING_SET,
	      "Memory usage minus inactive file cache, in bytes."),
	SCALAR("container_memory_rss", PROM_GAUGE, SAMPLE_MEM_RSS, PROM_UNIT_COUNT,
	       "Anonymous memory of the cgroup, in bytes."),
	SCALAR("container_memory_cache", PROM_GAUGE, SAMPLE_MEM_CACHE, PROM_UNIT_COUNT,
	       "Page cache memory of the cgroup, in bytes."),
	SCALAR("container_memory_swap", PROM_GAUGE, SAMPLE_MEM_SWAP_USAGE, PROM_UNIT_COUNT,
	       "Swap used by the cgroup, in bytes."),
	SCALAR("container_memory_mapped_file", PROM_GAUGE, SAMPLE_MEM_MAPPED_FILE, PROM_UNIT_COUNT,
	       "Memory-mapped file pages of the cgroup, in bytes."),
	SCALAR("container_memory_kernel_usage", PROM_GAUGE, SAMPLE_MEM_KERNEL, PROM_UNIT_COUNT,
	       "Kernel memory charged to the cgroup, in bytes."),
	BYTES("container_memory_total_active_file_bytes", SAMPLE_MEM_ACTIVE_FILE,
	      "File cache on the active LRU list, in bytes."),
	BYTES("container_memory_total_inactive_file_bytes", SAMPLE_MEM_INACTIVE_FILE,
	      "File cache on the inactive LRU list, in bytes."),
	BYTES("container_memory_file_dirty_bytes", SAMPLE_MEM_FILE_DIRTY,
	      "File cache modified and not yet written back, in bytes."),
	BYTES("container_memory_file_writeback_bytes", SAMPLE_MEM_FILE_WRITEBACK,
	      "File cache being written back, in bytes."),
	SCALAR("container_memory_pgscan_total", PROM_COUNTER, SAMPLE_MEM_PGSCAN, PROM_UNIT_COUNT,
	       "Pages scanned by reclaim in the cgroup."),
	SCALAR("container_memory_pgsteal_total", PROM_COUNTER, SAMPLE_MEM_PGSTEAL, PROM_UNIT_COUNT,
	       "Pages reclaimed from the cgroup."),
	SCALAR("container_memory_workingset_refault_anon_total", PROM_COUNTER,
	       SAMPLE_MEM_WORKINGSET_REFAULT_ANON, PROM_UNIT_COUNT,
	       "Refaults of previously evicted anonymous pages."),
	SCALAR("container_memory_workingset_refault_file_total", PROM_COUNTER,
	       SAMPLE_MEM_WORKINGSET_REFAULT_FILE, PROM_UNIT_COUNT,
	       "Refaults of previously evicted file pages."),
	SCALAR("container_memory_failcnt", PROM_COUNTER, SAMPLE_MEM_FAILCNT, PROM_UNIT_COUNT,
	       "Times the memory usage of the cgroup hit its limit."),
	{ .name = "container_memory_failures_total",
	  .type = PROM_COUNTER,
	  .help = "Cumulative page faults of the cgroup, by fault type and scope.",
	  .emit = emit_memory_failures },
	SCALAR("container_oom_events_total", PROM_COUNTER, SAMPLE_MEM_OOM_KILL, PROM_UNIT_COUNT,
	       "Processes of the cgroup killed by the out-of-memory killer."),
	SCALAR("container_memory_events_high_total", PROM_COUNTER, SAMPLE_MEM_EVENTS_HIGH,
	       PROM_UNIT_COUNT, "Times the cgroup was throttled above memory.high."),
	SCALAR("container_memory_events_max_total", PROM_COUNTER, SAMPLE_MEM_EVENTS_MAX,
	       PROM_UNIT_COUNT, "Times the cgroup's memory usage was about to go over memory.max."),
	SCALAR("container_memory_events_oom_total", PROM_COUNTER, SAMPLE_MEM_OOM, PROM_UNIT_COUNT,
	       "Times the cgroup's memory usage hit its limit and allocations failed."),
	SCALAR("container_memory_events_oom_kill_total", PROM_COUNTER, SAMPLE_MEM_OOM_KILL,
	       PROM_UNIT_COUNT, "Processes of the cgroup killed by the out-of-memory killer."),
	SCALAR("container_memory_events_oom_group_kill_total", PROM_COUNTER,
	       SAMPLE_MEM_OOM_GROUP_KILL, PROM_UNIT_COUNT,
	       "Times the out-of-memory killer killed the cgroup as a whole."),

	SECONDS("container_pressure_cpu_waiting_seconds_total", SAMPLE_PSI_CPU_SOME_NS,
		"Time in which at least one task of the cgroup waited for a CPU, in seconds."),
	SECONDS("container_pressure_cpu_stalled_seconds_total", SAMPLE_PSI_CPU_FULL_NS,
		"Time in which all non-idle tasks of the cgroup waited for a CPU, in seconds."),
	SECONDS("container_pressure_memory_waiting_seconds_total", SAMPLE_PSI_MEMORY_SOME_NS,
		"Time in which at least one task of the cgroup stalled on memory, in seconds."),
	SECONDS("container_pressure_memory_stalled_seconds_total", SAMPLE_PSI_MEMORY_FULL_NS,
		"Time in which all non-idle tasks of the cgroup stalled on memory, in seconds."),
	SECONDS("container_pressure_io_waiting_seconds_total", SAMPLE_PSI_IO_SOME_NS,
		"Time in which at least one task of the cgroup stalled on I/O, in seconds."),
	SECONDS("container_pressure_io_stalled_seconds_total", SAMPLE_PSI_IO_FULL_NS,
		"Time in which all non-idle tasks of the cgroup stalled on I/O, in seconds."),

	SCALAR("container_spec_cpu_period", PROM_GAUGE, SAMPLE_CPU_PERIOD_US, PROM_UNIT_COUNT,
	       "CFS period of the cgroup, in microseconds."),
	SCALAR_GATED("container_spec_cpu_quota", PROM_GAUGE, SAMPLE_CPU_QUOTA_US, PROM_UNIT_COUNT,
		     gate_cpu_quota_set, "CFS quota of the cgroup per period, in microseconds."),
	{ .name = "container_spec_cpu_quota_cpus",
	  .type = PROM_GAUGE,
	  .help = "CFS quota divided by the period: the number of CPUs the cgroup may use.",
	  .emit = emit_cpu_quota_cpus },
	SCALAR("container_spec_cpu_shares", PROM_GAUGE, SAMPLE_CPU_SHARES, PROM_UNIT_COUNT,
	       "CPU shares of the cgroup (cgroup v2 weight converted to shares)."),
	SCALAR_UNIT("container_spec_memory_limit_bytes", PROM_GAUGE, SAMPLE_MEM_LIMIT,
		    PROM_UNIT_LIMIT, "bytes",
		    "Memory limit of the cgroup in bytes, 0 when unlimited."),
	SCALAR_UNIT("container_spec_memory_swap_limit_bytes", PROM_GAUGE, SAMPLE_MEM_SWAP_LIMIT,
		    PROM_UNIT_LIMIT, "bytes",
		    "Swap limit of the cgroup in bytes, 0 when unlimited."),

	{ .name = "container_blkio_device_usage_total",
	  .type = PROM_COUNTER,
	  .help = "Cumulative bytes transferred to or from the block device, by operation.",
	  .emit = emit_blkio_device_usage,
	  .key = SAMPLE_IO_READ_BYTES },
	BLKDEV("container_fs_reads_bytes_total", SAMPLE_IO_READ_BYTES, read_bytes,
	       "Cumulative bytes read from the block device."),
	BLKDEV("container_fs_writes_bytes_total", SAMPLE_IO_WRITE_BYTES, write_bytes,
	       "Cumulative bytes written to the block device."),
	BLKDEV("container_fs_reads_total", SAMPLE_IO_READ_OPS, read_ops,
	       "Cumulative read operations completed on the block device."),
	BLKDEV("container_fs_writes_total", SAMPLE_IO_WRITE_OPS, write_ops,
	       "Cumulative write operations completed on the block device."),

	NETIF("container_network_receive_bytes_total", SAMPLE_NET_RX_BYTES, rx_bytes,
	      "Cumulative bytes received on the interface."),
	NETIF("container_network_receive_packets_total", SAMPLE_NET_RX_PACKETS, rx_packets,
	      "Cumulative packets received on the interface."),
	NETIF("container_network_receive_errors_total", SAMPLE_NET_RX_ERRORS, rx_errors,
	      "Cumulative errors while receiving on the interface."),
	NETIF("container_network_receive_packets_dropped_total", SAMPLE_NET_RX_DROPPED, rx_dropped,
	      "Cumulative packets dropped while receiving on the interface."),
	NETIF("container_network_transmit_bytes_total", SAMPLE_NET_TX_BYTES, tx_bytes,
	      "Cumulative bytes transmitted on the interface."),
	NETIF("container_network_transmit_packets_total", SAMPLE_NET_TX_PACKETS, tx_packets,
	      "Cumulative packets transmitted on the interface."),
	NETIF("container_network_transmit_errors_total", SAMPLE_NET_TX_ERRORS, tx_errors,
	      "Cumulative errors while transmitting on the interface."),
	NETIF("container_network_transmit_packets_dropped_total", SAMPLE_NET_TX_DROPPED, tx_dropped,
	      "Cumulative packets dropped while transmitting on the interface."),

	SCALAR("container_threads", PROM_GAUGE, SAMPLE_PIDS_CURRENT, PROM_UNIT_COUNT,
	       "Tasks (processes and threads) in the cgroup."),
	SCALAR("container_threads_max", PROM_GAUGE, SAMPLE_PIDS_LIMIT, PROM_UNIT_LIMIT,
	       "Maximum number of tasks allowed in the cgroup, 0 when unlimited."),
	{ .name = "container_start_time_seconds",
	  .type = PROM_GAUGE,
	  .help = "Creation time of the container, in seconds since the Unix epoch.",
	  .emit = emit_start_time,
	  .om_unit = "seconds" },
	{ .name = "container_last_seen",
	  .type = PROM_GAUGE,
	  .help = "Time the agent last read the cgroup, in seconds since the Unix epoch.",
	  .emit = emit_last_seen },
};

static const size_t prom_n_families = sizeof(prom_families) / sizeof(prom_families[0]);

int prom_render(const struct snapshot *snap, const struct prom_agent_info *agent,
		enum prom_format format, struct outbuf *b)
{
	struct prom_enc enc;

	prom_enc_init(&enc, format, b);
	if (snap) {
		for (size_t i = 0; i < prom_n_families; i++)
			prom_render_family(&enc, snap, agent, &prom_families[i]);
	}
	prom_render_agent(&enc, snap, agent);
	return prom_enc_finish(&enc);
}

int prom_render_text(const struct snapshot *snap, const struct prom_agent_info *agent,
		     struct outbuf *b)
{
	return prom_render(snap, agent, PROM_FORMAT_TEXT, b);
}
