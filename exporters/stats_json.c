/* SPDX-License-Identifier: MIT */
/*
 * Docker Engine API stats objects built from a snapshot entry, field for field
 * as dockerd builds them (moby daemon statsV1/statsV2 and api/types), so that
 * scripts written for `GET /containers/ID/stats` read them unchanged. It
 * reads only the snapshot, never a cgroup file, and never logs.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/parse.h"
#include "exporters/stats_json.h"

/* A memory.stat key of the Docker stats object and the sample value behind
 * it. */
struct stats_key {
	const char *name;
	enum sample_key key;
};

/* Builds an object and remembers whether any allocation failed, so that the
 * builders below check once at the end. */
struct json_builder {
	bool failed;
};

static void put(struct json_builder *jb, json_t *obj, const char *key, json_t *value)
{
	/* json_object_set_new() releases value on failure and rejects NULL. */
	if (json_object_set_new(obj, key, value) < 0)
		jb->failed = true;
}

static void append(struct json_builder *jb, json_t *array, json_t *value)
{
	if (json_array_append_new(array, value) < 0)
		jb->failed = true;
}

/* jansson stores integers as signed 64-bit, so a value above INT64_MAX (in
 * practice only an unlimited limit) is clamped. NOTE: Docker prints such a
 * value in full, e.g. 18446744073709551615. */
static json_t *json_u64(uint64_t v)
{
	return json_integer(v > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)v);
}

static uint64_t sample_value_or_zero(const struct sample *s, enum sample_key k)
{
	uint64_t v = 0;

	if (s)
		(void)sample_get(s, k, &v);
	return v;
}

/* Puts key only when the value is present and nonzero, as Go's `omitempty`
 * leaves out a zero. */
static void put_omitempty(struct json_builder *jb, json_t *obj, const char *key,
			  const struct sample *s, enum sample_key k)
{
	uint64_t v;

	if (s && sample_get(s, k, &v) && v != 0)
		put(jb, obj, key, json_u64(v));
}

/*
 * Decides whether the sample came from a cgroup v1 hierarchy. Docker names the
 * memory.stat keys and the block I/O operations differently on v1 and v2, and
 * the snapshot does not carry the version.
 * NOTE: the version is inferred from keys that only one version provides:
 * memory.failcnt on v1, cpu.weight and memory.events on v2. A sample with
 * none of them is taken as v2.
 */
static bool stats_sample_is_v1(const struct sample *s)
{
	if (sample_has(s, SAMPLE_CPU_WEIGHT) || sample_has(s, SAMPLE_MEM_EVENTS_MAX) ||
	    sample_has(s, SAMPLE_MEM_EVENTS_HIGH) || sample_has(s, SAMPLE_MEM_OOM))
		return false;
	return sample_has(s, SAMPLE_MEM_FAILCNT);
}

/* Formats a CLOCK_REALTIME value as Go's RFC 3339 with nanoseconds in UTC:
 * trailing zeros of the fraction dropped, and Go's zero time for 0. */
static void format_rfc3339_nano(uint64_t ns, char *buf, size_t size)
{
	time_t sec = (time_t)(ns / 1000000000u);
	unsigned frac = (unsigned)(ns % 1000000000u);
	struct tm tm;
	char date[32];
	char digits[16];
	int len;

	if (ns == 0 || !gmtime_r(&sec, &tm)) {
		snprintf(buf, size, "0001-01-01T00:00:00Z");
		return;
	}
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	if (frac == 0) {
		snprintf(buf, size, "%sZ", date);
		return;
	}
	len = snprintf(digits, sizeof(digits), "%09u", frac);
	while (len > 0 && digits[len - 1] == '0')
		len--;
	snprintf(buf, size, "%s.%.*sZ", date, len, digits);
}

static json_t *json_time(uint64_t ns)
{
	char buf[64];

	format_rfc3339_nano(ns, buf, sizeof(buf));
	return json_string(buf);
}

/* cpu_stats or precpu_stats. s is NULL for the precpu_stats of a first
 * sample, which Docker sends as zeros without system_cpu_usage and
 * online_cpus. */
static json_t *stats_cpu(struct json_builder *jb, const struct sample *s, uint64_t host_cpu_ns,
			 unsigned online_cpus)
{
	json_t *cpu = json_object();
	json_t *usage = json_object();
	json_t *throttling = json_object();

	put(jb, usage, "total_usage", json_u64(sample_value_or_zero(s, SAMPLE_CPU_USAGE_NS)));
	put(jb, usage, "usage_in_kernelmode",
	    json_u64(sample_value_or_zero(s, SAMPLE_CPU_SYSTEM_NS)));
	put(jb, usage, "usage_in_usermode", json_u64(sample_value_or_zero(s, SAMPLE_CPU_USER_NS)));
	put(jb, cpu, "cpu_usage", usage);

	if (s && host_cpu_ns != 0)
		put(jb, cpu, "system_cpu_usage", json_u64(host_cpu_ns));
	if (s && online_cpus != 0)
		put(jb, cpu, "online_cpus", json_integer(online_cpus));

	put(jb, throttling, "periods", json_u64(sample_value_or_zero(s, SAMPLE_CPU_PERIODS)));
	put(jb, throttling, "throttled_periods",
	    json_u64(sample_value_or_zero(s, SAMPLE_CPU_THROTTLED_PERIODS)));
	put(jb, throttling, "throttled_time",
	    json_u64(sample_value_or_zero(s, SAMPLE_CPU_THROTTLED_NS)));
	put(jb, cpu, "throttling_data", throttling);
	return cpu;
}

/* memory_stats.stats: Docker's key names per version, in the sorted order in
 * which Go prints a map. On v1 the sample contains hierarchical totals, which
 * Docker prints as total_*; the plain keys carry the same values, which is
 * exact for a cgroup without children. */
static const struct stats_key stats_memory_v1_keys[] = {
	{ "active_anon", SAMPLE_MEM_ACTIVE_ANON },
	{ "active_file", SAMPLE_MEM_ACTIVE_FILE },
	{ "cache", SAMPLE_MEM_CACHE },
	{ "inactive_anon", SAMPLE_MEM_INACTIVE_ANON },
	{ "inactive_file", SAMPLE_MEM_INACTIVE_FILE },
	{ "mapped_file", SAMPLE_MEM_MAPPED_FILE },
	{ "pgfault", SAMPLE_MEM_PGFAULT },
	{ "pgmajfault", SAMPLE_MEM_PGMAJFAULT },
	{ "rss", SAMPLE_MEM_RSS },
	{ "total_active_anon", SAMPLE_MEM_ACTIVE_ANON },
	{ "total_active_file", SAMPLE_MEM_ACTIVE_FILE },
	{ "total_cache", SAMPLE_MEM_CACHE },
	{ "total_inactive_anon", SAMPLE_MEM_INACTIVE_ANON },
	{ "total_inactive_file", SAMPLE_MEM_INACTIVE_FILE },
	{ "total_mapped_file", SAMPLE_MEM_MAPPED_FILE },
	{ "total_pgfault", SAMPLE_MEM_PGFAULT },
	{ "total_pgmajfault", SAMPLE_MEM_PGMAJFAULT },
	{ "total_rss", SAMPLE_MEM_RSS },
};

static const struct stats_key stats_memory_v2_keys[] = {
	{ "active_anon", SAMPLE_MEM_ACTIVE_ANON },
	{ "active_file", SAMPLE_MEM_ACTIVE_FILE },
	{ "anon", SAMPLE_MEM_RSS },
	{ "file", SAMPLE_MEM_CACHE },
	{ "file_mapped", SAMPLE_MEM_MAPPED_FILE },
	{ "inactive_anon", SAMPLE_MEM_INACTIVE_ANON },
	{ "inactive_file", SAMPLE_MEM_INACTIVE_FILE },
	{ "pgfault", SAMPLE_MEM_PGFAULT },
	{ "pgmajfault", SAMPLE_MEM_PGMAJFAULT },
	{ "shmem", SAMPLE_MEM_SHMEM },
};

/* Docker's limit: the cgroup limit, or the host's memory when that is
 * smaller, which is what an unlimited cgroup shows. */
static uint64_t stats_memory_limit(uint64_t limit, uint64_t host_memory)
{
	if (host_memory > 0 && limit > host_memory)
		return host_memory;
	return limit;
}

static json_t *stats_memory(struct json_builder *jb, const struct snapshot *snap,
			    const struct sample *s, bool v1)
{
	const struct stats_key *keys = v1 ? stats_memory_v1_keys : stats_memory_v2_keys;
	size_t n_keys = v1 ? sizeof(stats_memory_v1_keys) / sizeof(stats_memory_v1_keys[0])
			   : sizeof(stats_memory_v2_keys) / sizeof(stats_memory_v2_keys[0]);
	json_t *mem = json_object();
	json_t *stats = json_object();
	uint64_t limit;

	put_omitempty(jb, mem, "usage", s, SAMPLE_MEM_USAGE);
	if (v1)
		put_omitempty(jb, mem, "max_usage", s, SAMPLE_MEM_MAX_USAGE);

	for (size_t i = 0; i < n_keys; i++) {
		uint64_t v;

		if (sample_get(s, keys[i].key, &v))
			put(jb, stats, keys[i].name, json_u64(v));
	}
	if (json_object_size(stats) > 0)
		put(jb, mem, "stats", stats);
	else
		json_decref(stats);

	/* Docker fills failcnt from memory.events "oom" on v2. */
	put_omitempty(jb, mem, "failcnt", s, v1 ? SAMPLE_MEM_FAILCNT : SAMPLE_MEM_OOM);

	if (sample_get(s, SAMPLE_MEM_LIMIT, &limit)) {
		limit = stats_memory_limit(limit, snap->host_memory_bytes);
		if (limit != 0)
			put(jb, mem, "limit", json_u64(limit));
	}
	return mem;
}

/* One io_service_bytes_recursive or io_serviced_recursive list, or null
 * (Go's nil slice) when the values are absent or there is no device. */
static json_t *stats_blkio_list(struct json_builder *jb, const struct sample *s, bool v1,
				enum sample_key read_key, size_t read_field,
				enum sample_key write_key, size_t write_field)
{
	const char *read_op = v1 ? "Read" : "read";
	const char *write_op = v1 ? "Write" : "write";
	bool has_read = sample_has(s, read_key);
	bool has_write = sample_has(s, write_key);
	unsigned n = s->n_blkdev < SAMPLE_MAX_BLKDEVS ? s->n_blkdev : SAMPLE_MAX_BLKDEVS;

	if ((!has_read && !has_write) || n == 0)
		return json_null();

	json_t *list = json_array();
	for (unsigned i = 0; i < n; i++) {
		const struct sample_blkdev *d = &s->blkdev[i];
		const struct {
			bool present;
			const char *op;
			size_t field;
		} ops[] = {
			{ has_read, read_op, read_field },
			{ has_write, write_op, write_field },
		};

		for (size_t k = 0; k < 2; k++) {
			uint64_t v;

			if (!ops[k].present)
				continue;
			memcpy(&v, (const char *)d + ops[k].field, sizeof(v));
			json_t *entry = json_object();
			put(jb, entry, "major", json_integer(d->major));
			put(jb, entry, "minor", json_integer(d->minor));
			put(jb, entry, "op", json_string(ops[k].op));
			put(jb, entry, "value", json_u64(v));
			append(jb, list, entry);
		}
	}
	return list;
}

/* blkio_stats: v1 names the operations "Read"/"Write" as the kernel's blkio
 * files do, v2 "read"/"write" as dockerd's statsV2. NOTE: dockerd leaves
 * io_serviced_recursive null on v2; mstat fills it from io.stat rios/wios. */
static json_t *stats_blkio(struct json_builder *jb, const struct sample *s, bool v1)
{
	static const char *const unsupported[] = {
		"io_queue_recursive",  "io_service_time_recursive", "io_wait_time_recursive",
		"io_merged_recursive", "io_time_recursive",	    "sectors_recursive",
	};
	json_t *blkio = json_object();

	put(jb, blkio, "io_service_bytes_recursive",
	    stats_blkio_list(jb, s, v1, SAMPLE_IO_READ_BYTES,
			     offsetof(struct sample_blkdev, read_bytes), SAMPLE_IO_WRITE_BYTES,
			     offsetof(struct sample_blkdev, write_bytes)));
	put(jb, blkio, "io_serviced_recursive",
	    stats_blkio_list(jb, s, v1, SAMPLE_IO_READ_OPS,
			     offsetof(struct sample_blkdev, read_ops), SAMPLE_IO_WRITE_OPS,
			     offsetof(struct sample_blkdev, write_ops)));
	for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++)
		put(jb, blkio, unsupported[i], json_null());
	return blkio;
}

static int netif_name_cmp(const struct sample_netif *a, const struct sample_netif *b)
{
	return strncmp(a->name, b->name, IF_NAMESIZE);
}

/* networks, keyed by interface name in sorted order as Go prints a map.
 * Returns NULL when the sample has no network values, and Docker then leaves
 * the member out. */
static json_t *stats_networks(struct json_builder *jb, const struct sample *s)
{
	unsigned n = s->n_netif < SAMPLE_MAX_NETIFS ? s->n_netif : SAMPLE_MAX_NETIFS;
	const struct sample_netif *sorted[SAMPLE_MAX_NETIFS];

	if (n == 0 || !sample_has(s, SAMPLE_NET_RX_BYTES))
		return NULL;

	for (unsigned i = 0; i < n; i++) {
		unsigned j = i;

		while (j > 0 && netif_name_cmp(sorted[j - 1], &s->netif[i]) > 0) {
			sorted[j] = sorted[j - 1];
			j--;
		}
		sorted[j] = &s->netif[i];
	}

	json_t *networks = json_object();
	for (unsigned i = 0; i < n; i++) {
		const struct sample_netif *nif = sorted[i];
		char name[IF_NAMESIZE + 1];
		json_t *o = json_object();

		memcpy(name, nif->name, IF_NAMESIZE);
		name[IF_NAMESIZE] = '\0';
		put(jb, o, "rx_bytes", json_u64(nif->rx_bytes));
		put(jb, o, "rx_packets", json_u64(nif->rx_packets));
		put(jb, o, "rx_errors", json_u64(nif->rx_errors));
		put(jb, o, "rx_dropped", json_u64(nif->rx_dropped));
		put(jb, o, "tx_bytes", json_u64(nif->tx_bytes));
		put(jb, o, "tx_packets", json_u64(nif->tx_packets));
		put(jb, o, "tx_errors", json_u64(nif->tx_errors));
		put(jb, o, "tx_dropped", json_u64(nif->tx_dropped));
		put(jb, networks, name, o);
	}
	return networks;
}

/* pids_stats: both fields are `omitempty`, and an unlimited pids.max reaches
 * dockerd as 0, so it is left out too. */
static json_t *stats_pids(struct json_builder *jb, const struct sample *s)
{
	json_t *pids = json_object();
	uint64_t limit;

	put_omitempty(jb, pids, "current", s, SAMPLE_PIDS_CURRENT);
	if (sample_get(s, SAMPLE_PIDS_LIMIT, &limit) && limit != MST_UNLIMITED && limit != 0)
		put(jb, pids, "limit", json_u64(limit));
	return pids;
}

/* Puts name, which is "/" + the container name as Docker prints it, and id.
 * A watched cgroup has no container id, so its cgroup path is used. */
static void stats_identity(struct json_builder *jb, json_t *root, const struct snapshot_meta *m)
{
	const char *name = m->name ? m->name : "";
	size_t len = strlen(name) + 2;
	char *slashed = malloc(len);

	if (!slashed) {
		jb->failed = true;
		return;
	}
	snprintf(slashed, len, "/%s", name);
	put(jb, root, "name", json_string(slashed));
	free(slashed);

	const char *id = m->container_id;

	if (!id)
		id = m->id ? m->id : "";
	put(jb, root, "id", json_string(id));
}

json_t *stats_json_entry(const struct snapshot *snap, const struct snapshot_entry *e)
{
	struct json_builder jb = { .failed = false };
	const struct sample *cur = &e->cur;
	const struct sample *prev = e->has_prev ? &e->prev : NULL;
	bool v1 = stats_sample_is_v1(cur);
	json_t *root = json_object();
	json_t *networks;

	put(&jb, root, "read", json_time(cur->real_ns ? cur->real_ns : snap->real_ns));
	put(&jb, root, "preread", json_time(prev ? prev->real_ns : 0));
	put(&jb, root, "pids_stats", stats_pids(&jb, cur));
	put(&jb, root, "blkio_stats", stats_blkio(&jb, cur, v1));
	put(&jb, root, "num_procs", json_integer(0));
	put(&jb, root, "storage_stats", json_object());
	put(&jb, root, "cpu_stats", stats_cpu(&jb, cur, e->host_cpu_ns_cur, snap->online_cpus));
	put(&jb, root, "precpu_stats",
	    stats_cpu(&jb, prev, e->host_cpu_ns_prev, snap->online_cpus));
	put(&jb, root, "memory_stats", stats_memory(&jb, snap, cur, v1));
	stats_identity(&jb, root, &e->meta);
	networks = stats_networks(&jb, cur);
	if (networks)
		put(&jb, root, "networks", networks);

	if (jb.failed || !root) {
		json_decref(root);
		return NULL;
	}
	return root;
}
