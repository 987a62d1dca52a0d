/* SPDX-License-Identifier: MIT */
/*
 * Prometheus text format 0.0.4 for a snapshot, with cAdvisor's metric names,
 * types and `id`/`name` labels so that existing dashboards and alerts work.
 * A value missing from a sample produces no series, never a zero. It reads
 * only the snapshot, never a cgroup file, and never logs.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/parse.h"
#include "exporters/prom.h"

enum prom_type {
	PROM_COUNTER,
	PROM_GAUGE,
	_PROM_TYPE_MAX,
};

/* Unit of a sample value, which decides how its number is printed. */
enum prom_unit {
	PROM_UNIT_COUNT,   /* printed as an exact integer */
	PROM_UNIT_SECONDS, /* nanoseconds printed as exact decimal seconds */
	PROM_UNIT_LIMIT,   /* an integer limit, 0 when unlimited */
	_PROM_UNIT_MAX,
};

struct prom_label {
	const char *name;
	const char *value;
};

struct prom_family;

/* Rendering state of one family for one snapshot entry. */
struct prom_ctx {
	struct outbuf *b;
	const struct snapshot *snap;
	const struct snapshot_entry *e;
};

/* Writes the series of one family for ctx->e and returns how many it wrote. */
typedef size_t (*prom_emit_fn)(struct prom_ctx *ctx, const struct prom_family *f);

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
};

static const char *const prom_type_table[_PROM_TYPE_MAX] = {
	[PROM_COUNTER] = "counter",
	[PROM_GAUGE] = "gauge",
};

/* cAdvisor renders a memory limit above 2^62 as 0 ("unlimited"), because the
 * kernel reports an unset v1 limit as LONG_MAX rounded down to a page. */
#define PROM_UNLIMITED_ABOVE (UINT64_C(1) << 62)

static const char *str_or_empty(const char *s)
{
	return s ? s : "";
}

static void prom_append_str(struct outbuf *b, const char *s)
{
	outbuf_append(b, s, strlen(s));
}

/* Escapes a label value as the text format requires: backslash, double quote
 * and line feed become \\, \" and \n. */
static void prom_append_label_value(struct outbuf *b, const char *s)
{
	const char *run = s;

	for (; *s; s++) {
		const char *esc = NULL;

		if (*s == '\\')
			esc = "\\\\";
		else if (*s == '"')
			esc = "\\\"";
		else if (*s == '\n')
			esc = "\\n";
		if (!esc)
			continue;
		outbuf_append(b, run, (size_t)(s - run));
		outbuf_append(b, esc, 2);
		run = s + 1;
	}
	outbuf_append(b, run, (size_t)(s - run));
}

/* Writes `name{labels}` with the labels sorted by name, as client_golang and
 * cAdvisor print them. */
static void prom_append_series_name(struct outbuf *b, const char *name,
				    const struct prom_label *labels, size_t n)
{
	const struct prom_label *sorted[8];

	if (n > sizeof(sorted) / sizeof(sorted[0]))
		n = sizeof(sorted) / sizeof(sorted[0]);
	for (size_t i = 0; i < n; i++) {
		size_t j = i;

		while (j > 0 && strcmp(sorted[j - 1]->name, labels[i].name) > 0) {
			sorted[j] = sorted[j - 1];
			j--;
		}
		sorted[j] = &labels[i];
	}

	prom_append_str(b, name);
	if (n == 0)
		return;
	outbuf_append(b, "{", 1);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			outbuf_append(b, ",", 1);
		prom_append_str(b, sorted[i]->name);
		outbuf_append(b, "=\"", 2);
		prom_append_label_value(b, sorted[i]->value);
		outbuf_append(b, "\"", 1);
	}
	outbuf_append(b, "}", 1);
}

/* Prints nanoseconds as seconds in exact decimal ("1.5", "0.000000007"), so
 * that no digit is lost to a binary double on the way out. */
static void prom_append_ns_as_seconds(struct outbuf *b, uint64_t ns)
{
	unsigned long long sec = ns / 1000000000u;
	unsigned long long frac = ns % 1000000000u;
	char digits[16];
	int len;

	if (frac == 0) {
		outbuf_printf(b, "%llu", sec);
		return;
	}
	len = snprintf(digits, sizeof(digits), "%09llu", frac);
	while (len > 0 && digits[len - 1] == '0')
		len--;
	outbuf_printf(b, "%llu.%.*s", sec, len, digits);
}

static void prom_append_value(struct outbuf *b, uint64_t v, enum prom_unit unit)
{
	outbuf_append(b, " ", 1);
	switch (unit) {
	case PROM_UNIT_SECONDS:
		prom_append_ns_as_seconds(b, v);
		break;
	case PROM_UNIT_LIMIT:
		outbuf_printf(b, "%llu", v > PROM_UNLIMITED_ABOVE ? 0ULL : (unsigned long long)v);
		break;
	default:
		outbuf_printf(b, "%llu", (unsigned long long)v);
		break;
	}
	outbuf_append(b, "\n", 1);
}

/* Writes one container series: the `id` and `name` labels plus up to two
 * extra labels, then the value. */
static void prom_write_series(struct prom_ctx *ctx, const struct prom_family *f,
			      const struct prom_label *extra, size_t n_extra, uint64_t v,
			      enum prom_unit unit)
{
	struct prom_label labels[4] = {
		{ "id", str_or_empty(ctx->e->meta.id) },
		{ "name", str_or_empty(ctx->e->meta.name) },
	};
	size_t n = 2;

	for (size_t i = 0; i < n_extra && n < 4; i++)
		labels[n++] = extra[i];
	prom_append_series_name(ctx->b, f->name, labels, n);
	prom_append_value(ctx->b, v, unit);
}

static bool gate_cpu_quota_set(const struct snapshot_entry *e)
{
	uint64_t quota;

	return sample_get(&e->cur, SAMPLE_CPU_QUOTA_US, &quota) && quota != MST_UNLIMITED;
}

/* One value from the sample, with the family's fixed extra label if any. */
static size_t emit_scalar(struct prom_ctx *ctx, const struct prom_family *f)
{
	uint64_t v;

	if (f->gate && !f->gate(ctx->e))
		return 0;
	if (!sample_get(&ctx->e->cur, f->key, &v))
		return 0;
	prom_write_series(ctx, f, &f->extra, f->extra.name ? 1 : 0, v, f->unit);
	return 1;
}

/* container_memory_failures_total: cAdvisor reports the cgroup's pgfault and
 * pgmajfault under both scopes, container and hierarchy, from the same
 * memory.stat keys. mstat does the same. */
static size_t emit_memory_failures(struct prom_ctx *ctx, const struct prom_family *f)
{
	static const struct {
		enum sample_key key;
		const char *type;
	} faults[] = {
		{ SAMPLE_MEM_PGFAULT, "pgfault" },
		{ SAMPLE_MEM_PGMAJFAULT, "pgmajfault" },
	};
	static const char *const scopes[] = { "container", "hierarchy" };
	size_t n = 0;

	for (size_t s = 0; s < sizeof(scopes) / sizeof(scopes[0]); s++) {
		for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
			uint64_t v;

			if (!sample_get(&ctx->e->cur, faults[i].key, &v))
				continue;
			struct prom_label extra[2] = {
				{ "failure_type", faults[i].type },
				{ "scope", scopes[s] },
			};
			prom_write_series(ctx, f, extra, 2, v, PROM_UNIT_COUNT);
			n++;
		}
	}
	return n;
}

/* Block I/O per device. The `device` label is "MAJOR:MINOR" as the kernel
 * prints it in io.stat and blkio.*, because a /dev name would need a lookup
 * outside the snapshot. NOTE: devices past SAMPLE_MAX_BLKDEVS have no series
 * here although the sample's totals count them. */
static size_t emit_blkdev(struct prom_ctx *ctx, const struct prom_family *f)
{
	const struct sample *s = &ctx->e->cur;
	size_t n = 0;

	if (!sample_has(s, f->key))
		return 0;
	for (unsigned i = 0; i < s->n_blkdev && i < SAMPLE_MAX_BLKDEVS; i++) {
		const struct sample_blkdev *d = &s->blkdev[i];
		char device[32];
		uint64_t v;

		memcpy(&v, (const char *)d + f->field, sizeof(v));
		snprintf(device, sizeof(device), "%u:%u", (unsigned)d->major, (unsigned)d->minor);
		struct prom_label extra = { "device", device };
		prom_write_series(ctx, f, &extra, 1, v, PROM_UNIT_COUNT);
		n++;
	}
	return n;
}

static size_t emit_netif(struct prom_ctx *ctx, const struct prom_family *f)
{
	const struct sample *s = &ctx->e->cur;
	size_t n = 0;

	if (!sample_has(s, f->key))
		return 0;
	for (unsigned i = 0; i < s->n_netif && i < SAMPLE_MAX_NETIFS; i++) {
		const struct sample_netif *nif = &s->netif[i];
		char ifname[IF_NAMESIZE + 1];
		uint64_t v;

		memcpy(&v, (const char *)nif + f->field, sizeof(v));
		memcpy(ifname, nif->name, IF_NAMESIZE);
		ifname[IF_NAMESIZE] = '\0';
		struct prom_label extra = { "interface", ifname };
		prom_write_series(ctx, f, &extra, 1, v, PROM_UNIT_COUNT);
		n++;
	}
	return n;
}

/* cAdvisor uses the container's creation time. A created_ns of 0 means
 * unknown and produces no series. */
static size_t emit_start_time(struct prom_ctx *ctx, const struct prom_family *f)
{
	if (ctx->e->meta.created_ns == 0)
		return 0;
	prom_write_series(ctx, f, NULL, 0, ctx->e->meta.created_ns, PROM_UNIT_SECONDS);
	return 1;
}

/* The wall-clock time at which the pass read this target. */
static size_t emit_last_seen(struct prom_ctx *ctx, const struct prom_family *f)
{
	uint64_t ns = ctx->e->cur.real_ns ? ctx->e->cur.real_ns : ctx->snap->real_ns;

	if (ns == 0)
		return 0;
	prom_write_series(ctx, f, NULL, 0, ns, PROM_UNIT_SECONDS);
	return 1;
}

/* Writes HELP, TYPE and every entry's series of one family, or nothing when
 * no entry has a value for it. */
static void prom_render_family(struct outbuf *b, const struct snapshot *snap,
			       const struct prom_family *f)
{
	struct prom_ctx ctx = { .b = b, .snap = snap };
	size_t mark = b->len;
	size_t n = 0;

	outbuf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", f->name, f->help, f->name,
		      prom_type_table[f->type]);
	for (size_t i = 0; i < snap->n_entries; i++) {
		ctx.e = &snap->entries[i];
		n += f->emit(&ctx, f);
	}

	if (n == 0 && !b->error) {
		b->len = mark;
		b->data[mark] = '\0';
	}
}

static void prom_render_header(struct outbuf *b, const char *name, enum prom_type type,
			       const char *help)
{
	outbuf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, prom_type_table[type]);
}

/* Writes the agent's own figures. Those taken from the snapshot are left out
 * when there is no snapshot yet, and the others when agent is NULL. */
static void prom_render_agent(struct outbuf *b, const struct snapshot *snap,
			      const struct prom_agent_info *agent)
{
	if (agent) {
		struct prom_label version = { "version", str_or_empty(agent->version) };

		prom_render_header(b, "mstat_build_info", PROM_GAUGE,
				   "Constant 1, labelled with the version of mstatd.");
		prom_append_series_name(b, "mstat_build_info", &version, 1);
		prom_append_value(b, 1, PROM_UNIT_COUNT);

		prom_render_header(b, "mstat_scrapes_total", PROM_COUNTER,
				   "Metrics requests served since mstatd started.");
		prom_append_str(b, "mstat_scrapes_total");
		prom_append_value(b, agent->scrapes, PROM_UNIT_COUNT);

		prom_render_header(b, "mstat_collector_errors", PROM_GAUGE,
				   "Collector errors in the last collection pass.");
		prom_append_str(b, "mstat_collector_errors");
		prom_append_value(b, agent->collector_errors, PROM_UNIT_COUNT);
	}

	if (snap) {
		prom_render_header(b, "mstat_targets", PROM_GAUGE,
				   "Targets in the newest snapshot.");
		prom_append_str(b, "mstat_targets");
		prom_append_value(b, snap->n_entries, PROM_UNIT_COUNT);

		prom_render_header(b, "mstat_last_pass_duration_seconds", PROM_GAUGE,
				   "Duration of the last collection pass, in seconds.");
		prom_append_str(b, "mstat_last_pass_duration_seconds");
		prom_append_value(b, snap->pass_duration_ns, PROM_UNIT_SECONDS);
	}
}

#define SCALAR(n, t, k, u, h)                                                                      \
	{                                                                                          \
		.name = (n), .type = (t), .help = (h), .emit = emit_scalar, .key = (k),            \
		.unit = (u)                                                                        \
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
 */
static const struct prom_family prom_families[] = {
	{ .name = "container_cpu_usage_seconds_total",
	  .type = PROM_COUNTER,
	  .help = "Cumulative CPU time consumed by the cgroup, in seconds.",
	  .emit = emit_scalar,
	  .key = SAMPLE_CPU_USAGE_NS,
	  .unit = PROM_UNIT_SECONDS,
	  .extra = { "cpu", "total" } },
	SCALAR("container_cpu_user_seconds_total", PROM_COUNTER, SAMPLE_CPU_USER_NS,
	       PROM_UNIT_SECONDS, "Cumulative CPU time consumed in user mode, in seconds."),
	SCALAR("container_cpu_system_seconds_total", PROM_COUNTER, SAMPLE_CPU_SYSTEM_NS,
	       PROM_UNIT_SECONDS, "Cumulative CPU time consumed in kernel mode, in seconds."),
	SCALAR_GATED("container_cpu_cfs_periods_total", PROM_COUNTER, SAMPLE_CPU_PERIODS,
		     PROM_UNIT_COUNT, gate_cpu_quota_set,
		     "Elapsed CFS bandwidth enforcement periods."),
	SCALAR_GATED("container_cpu_cfs_throttled_periods_total", PROM_COUNTER,
		     SAMPLE_CPU_THROTTLED_PERIODS, PROM_UNIT_COUNT, gate_cpu_quota_set,
		     "CFS enforcement periods in which the cgroup was throttled."),
	SCALAR_GATED("container_cpu_cfs_throttled_seconds_total", PROM_COUNTER,
		     SAMPLE_CPU_THROTTLED_NS, PROM_UNIT_SECONDS, gate_cpu_quota_set,
		     "Cumulative time the cgroup was throttled by its CFS quota, in seconds."),

	SCALAR("container_memory_usage_bytes", PROM_GAUGE, SAMPLE_MEM_USAGE, PROM_UNIT_COUNT,
	       "Memory used by the cgroup including page cache, in bytes."),
	SCALAR("container_memory_max_usage_bytes", PROM_GAUGE, SAMPLE_MEM_MAX_USAGE,
	       PROM_UNIT_COUNT, "Highest memory usage recorded for the cgroup, in bytes."),
	SCALAR("container_memory_working_set_bytes", PROM_GAUGE, SAMPLE_MEM_WORKING_SET,
	       PROM_UNIT_COUNT, "Memory usage minus inactive file cache, in bytes."),
	SCALAR("container_memory_rss", PROM_GAUGE, SAMPLE_MEM_RSS, PROM_UNIT_COUNT,
	       "Anonymous memory of the cgroup, in bytes."),
	SCALAR("container_memory_cache", PROM_GAUGE, SAMPLE_MEM_CACHE, PROM_UNIT_COUNT,
	       "Page cache memory of the cgroup, in bytes."),
	SCALAR("container_memory_swap", PROM_GAUGE, SAMPLE_MEM_SWAP_USAGE, PROM_UNIT_COUNT,
	       "Swap used by the cgroup, in bytes."),
	SCALAR("container_memory_mapped_file", PROM_GAUGE, SAMPLE_MEM_MAPPED_FILE, PROM_UNIT_COUNT,
	       "Memory-mapped file pages of the cgroup, in bytes."),
	SCALAR("container_memory_failcnt", PROM_COUNTER, SAMPLE_MEM_FAILCNT, PROM_UNIT_COUNT,
	       "Times the memory usage of the cgroup hit its limit."),
	{ .name = "container_memory_failures_total",
	  .type = PROM_COUNTER,
	  .help = "Cumulative page faults of the cgroup, by fault type and scope.",
	  .emit = emit_memory_failures },
	SCALAR("container_oom_events_total", PROM_COUNTER, SAMPLE_MEM_OOM_KILL, PROM_UNIT_COUNT,
	       "Processes of the cgroup killed by the out-of-memory killer."),

	SCALAR("container_spec_cpu_period", PROM_GAUGE, SAMPLE_CPU_PERIOD_US, PROM_UNIT_COUNT,
	       "CFS period of the cgroup, in microseconds."),
	SCALAR_GATED("container_spec_cpu_quota", PROM_GAUGE, SAMPLE_CPU_QUOTA_US, PROM_UNIT_COUNT,
		     gate_cpu_quota_set, "CFS quota of the cgroup per period, in microseconds."),
	SCALAR("container_spec_cpu_shares", PROM_GAUGE, SAMPLE_CPU_SHARES, PROM_UNIT_COUNT,
	       "CPU shares of the cgroup (cgroup v2 weight converted to shares)."),
	SCALAR("container_spec_memory_limit_bytes", PROM_GAUGE, SAMPLE_MEM_LIMIT, PROM_UNIT_LIMIT,
	       "Memory limit of the cgroup in bytes, 0 when unlimited."),
	SCALAR("container_spec_memory_swap_limit_bytes", PROM_GAUGE, SAMPLE_MEM_SWAP_LIMIT,
	       PROM_UNIT_LIMIT, "Swap limit of the cgroup in bytes, 0 when unlimited."),

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
	  .emit = emit_start_time },
	{ .name = "container_last_seen",
	  .type = PROM_GAUGE,
	  .help = "Time the agent last read the cgroup, in seconds since the Unix epoch.",
	  .emit = emit_last_seen },
};

static const size_t prom_n_families = sizeof(prom_families) / sizeof(prom_families[0]);

int prom_render_text(const struct snapshot *snap, const struct prom_agent_info *agent,
		     struct outbuf *b)
{
	if (snap) {
		for (size_t i = 0; i < prom_n_families; i++)
			prom_render_family(b, snap, &prom_families[i]);
	}
	prom_render_agent(b, snap, agent);
	return b->error;
}
