/* SPDX-License-Identifier: MIT */
/*
 * Streaming responses: stats as JSON lines, or for all containers as
 * protobuf messages when the client asks for them.
 * Each runs in its connection's thread and blocks on the published state's
 * condition variable between chunks; shutdown wakes it and ends the stream.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/http.h"
#include "agent/state.h"
#include "common/parse.h"
#include "exporters/stats_json.h"
#include "proto/stats.pb-c.h"

#define STREAM_BLOCK_SIZE (32 * 1024)
/* How long a stream sleeps before it checks again for a change it missed. */
#define STREAM_WAIT_MS 1000

struct stats_stream {
	struct api_server *server;
	char id[65];	     /* one container; "" for GET /v1/stats */
	bool include_exited; /* all=1 of GET /v1/stats */
	bool protobuf;	     /* GET /v1/stats in proto/stats.proto messages */
	bool stream;
	bool need_prev; /* stream=false: wait one pass for precpu_stats */
	bool done;
	unsigned waits; /* passes waited for a first sample or for precpu_stats */
	uint64_t sent_generation;
	struct pub_marks marks;
	char *pending; /* JSON lines not yet handed to libmicrohttpd */
	size_t pending_len, pending_off;
};

static json_t *zeroed_stats(const struct snapshot *snap, const struct ctr_record *r)
{
	struct snapshot_entry e;

	memset(&e, 0, sizeof(e));
	e.meta.id = (char *)"";
	e.meta.name = (char *)r->spec.name;
	e.meta.container_id = (char *)r->spec.id;
	e.meta.state = (char *)ctr_status_to_string(r->status);
	return stats_json_entry(snap, &e);
}

static const struct snapshot_entry *entry_of(const struct snapshot *snap, const char *id)
{
	for (size_t i = 0; i < snap->n_entries; i++) {
		const char *cid = snap->entries[i].meta.container_id;

		if (cid && strcmp(cid, id) == 0)
			return &snap->entries[i];
	}
	return NULL;
}

static void append_line(struct outbuf *b, json_t *obj)
{
	char *text;

	if (!obj) {
		b->error = -ENOMEM;
		return;
	}
	text = json_dumps(obj, JSON_COMPACT);
	json_decref(obj);
	if (!text) {
		b->error = -ENOMEM;
		return;
	}
	outbuf_append(b, text, strlen(text));
	outbuf_append(b, "\n", 1);
	free(text);
}

enum render_result {
	RENDER_DONE,
	RENDER_WAIT, /* nothing to send for this pass; wait for the next one */
	RENDER_GONE, /* the container was removed */
};

/* The line of one container: its entry, or zeros when it is not running. */
static enum render_result render_one(struct stats_stream *st, const struct snapshot *snap,
				     const struct ctr_view *v, struct outbuf *b)
{
	const struct snapshot_entry *e = entry_of(snap, st->id);
	const struct ctr_view_item *item;
	int error;

	item = ctr_view_find(v, st->id, &error);
	if (!item && !e)
		return RENDER_GONE;
	/* A container that just started has no sample yet, and its first
	 * sample has no precpu_stats: wait up to two passes for them. */
	if (!e && item->rec.status == CTR_STATUS_RUNNING && st->waits < 2) {
		st->waits++;
		return RENDER_WAIT;
	}
	if (e && st->need_prev && !e->has_prev && st->waits < 2) {
		st->waits++;
		return RENDER_WAIT;
	}
	append_line(b, e ? stats_json_entry(snap, e) : zeroed_stats(snap, &item->rec));
	return RENDER_DONE;
}

static void render_all(struct stats_stream *st, const struct snapshot *snap,
		       const struct ctr_view *v, struct outbuf *b)
{
	for (size_t i = 0; i < snap->n_entries; i++) {
		const struct snapshot_entry *e = &snap->entries[i];
		bool running = !e->meta.state || strcmp(e->meta.state, "running") == 0;

		/* An exited container keeps its final sample, shown with all=1. */
		if (running || st->include_exited)
			append_line(b, stats_json_entry(snap, e));
	}
	if (!st->include_exited || !v)
		return;
	for (size_t i = 0; i < v->n; i++)
		if (!entry_of(snap, v->items[i].rec.spec.id))
			append_line(b, zeroed_stats(snap, &v->items[i].rec));
}

/*
 * The protobuf variant of GET /v1/stats (proto/stats.proto): one
 * length-delimited ContainerStats per container per snapshot. mstatd derives
 * every rate and percentage here, so that clients only format them.
 */
#define STATS_PB_CONTENT_TYPE "application/vnd.mstat.stats+protobuf"

/* Storage for the sub-messages of one ContainerStats, filled per entry. */
struct stats_pb_parts {
	Mstat__Stats__Pressure pressure[3];
	Mstat__Stats__NetInterface netif[SAMPLE_MAX_NETIFS];
	Mstat__Stats__NetInterface *netif_ptr[SAMPLE_MAX_NETIFS];
	Mstat__Stats__BlockDevice blkdev[SAMPLE_MAX_BLKDEVS];
	Mstat__Stats__BlockDevice *blkdev_ptr[SAMPLE_MAX_BLKDEVS];
};

/* Copies key k of the current sample into a proto2 optional field. */
static void pb_copy(const struct snapshot_entry *e, enum sample_key k, uint64_t *field,
		    protobuf_c_boolean *has)
{
	*has = sample_get(&e->cur, k, field);
}

/* The increase of counter k since the previous sample; false when either
 * sample lacks it or it went backwards. */
static bool pb_delta(const struct snapshot_entry *e, enum sample_key k, uint64_t *ret)
{
	uint64_t cur = 0, prev = 0;

	if (!e->has_prev || !sample_get(&e->cur, k, &cur) || !sample_get(&e->prev, k, &prev) ||
	    cur < prev)
		return false;
	*ret = cur - prev;
	return true;
}

/* Nanoseconds between the two samples, 0 without a previous one. */
static uint64_t pb_interval_ns(const struct snapshot_entry *e)
{
	if (!e->has_prev || e->cur.mono_ns <= e->prev.mono_ns)
		return 0;
	return e->cur.mono_ns - e->prev.mono_ns;
}

/* Sets *field to the share of the interval that counter k (nanoseconds) grew by. */
static void pb_percent_of_interval(const struct snapshot_entry *e, enum sample_key k, double *field,
				   protobuf_c_boolean *has)
{
	uint64_t interval = pb_interval_ns(e), delta;

	if (interval == 0 || !pb_delta(e, k, &delta))
		return;
	*field = (double)delta / (double)interval * 100.0;
	*has = true;
}

static void pb_fill_cpu(const struct snapshot_entry *e, Mstat__Stats__ContainerStats *m)
{
	uint64_t quota, period, used, interval = pb_interval_ns(e);

	m->has_cpu_percent = e->derived.cpu_percent_valid;
	m->cpu_percent = e->derived.cpu_percent;
	pb_copy(e, SAMPLE_CPU_THROTTLED_NS, &m->cpu_throttled_ns, &m->has_cpu_throttled_ns);
	pb_percent_of_interval(e, SAMPLE_CPU_THROTTLED_NS, &m->cpu_throttled_percent,
			       &m->has_cpu_throttled_percent);
	pb_copy(e, SAMPLE_CPU_QUOTA_US, &m->cpu_quota_us, &m->has_cpu_quota_us);
	pb_copy(e, SAMPLE_CPU_PERIOD_US, &m->cpu_period_us, &m->has_cpu_period_us);
	pb_copy(e, SAMPLE_CPU_WEIGHT, &m->cpu_weight, &m->has_cpu_weight);
	pb_copy(e, SAMPLE_CPU_SHARES, &m->cpu_shares, &m->has_cpu_shares);

	/* CPU time used over the CPU time the quota allows in the interval. */
	quota = m->cpu_quota_us;
	period = m->cpu_period_us;
	if (m->has_cpu_quota_us && quota != MST_UNLIMITED && m->has_cpu_period_us && period > 0 &&
	    interval > 0 && pb_delta(e, SAMPLE_CPU_USAGE_NS, &used)) {
		m->cpu_quota_percent =
		    (double)used / ((double)interval * (double)quota / (double)period) * 100.0;
		m->has_cpu_quota_percent = true;
	}
}

static void pb_fill_memory(const struct snapshot *snap, const struct snapshot_entry *e,
			   Mstat__Stats__ContainerStats *m)
{
	uint64_t usage, inactive_file, limit;

	/* docker stats: usage minus inactive file cache, over the limit or,
	 * without one, the host's memory. */
	if (sample_get(&e->cur, SAMPLE_MEM_USAGE, &usage)) {
		if (sample_get(&e->cur, SAMPLE_MEM_INACTIVE_FILE, &inactive_file))
			usage = usage > inactive_file ? usage - inactive_file : 0;
		limit = snap->host_memory_bytes;
		if (sample_get(&e->cur, SAMPLE_MEM_LIMIT, &m->mem_limit) &&
		    m->mem_limit != MST_UNLIMITED && m->mem_limit < limit)
			limit = m->mem_limit;
		m->mem_usage = usage;
		m->has_mem_usage = true;
		m->mem_limit = limit;
		m->has_mem_limit = limit > 0;
		m->mem_percent = limit > 0 ? (double)usage / (double)limit * 100.0 : 0.0;
		m->has_mem_percent = limit > 0;
	}
	pb_copy(e, SAMPLE_MEM_WORKING_SET, &m->mem_working_set, &m->has_mem_working_set);
	pb_copy(e, SAMPLE_MEM_SWAP_USAGE, &m->swap_usage, &m->has_swap_usage);
	pb_copy(e, SAMPLE_MEM_SWAP_LIMIT, &m->swap_limit, &m->has_swap_limit);
	pb_copy(e, SAMPLE_MEM_RSS, &m->mem_anon, &m->has_mem_anon);
	pb_copy(e, SAMPLE_MEM_CACHE, &m->mem_file, &m->has_mem_file);
	pb_copy(e, SAMPLE_MEM_SHMEM, &m->mem_shmem, &m->has_mem_shmem);
	pb_copy(e, SAMPLE_MEM_KERNEL, &m->mem_kernel, &m->has_mem_kernel);
	pb_copy(e, SAMPLE_MEM_EVENTS_HIGH, &m->mem_events_high, &m->has_mem_events_high);
	pb_copy(e, SAMPLE_MEM_EVENTS_MAX, &m->mem_events_max, &m->has_mem_events_max);
	pb_copy(e, SAMPLE_MEM_OOM, &m->mem_events_oom, &m->has_mem_events_oom);
	pb_copy(e, SAMPLE_MEM_OOM_KILL, &m->mem_events_oom_kill, &m->has_mem_events_oom_kill);
	m->mem_config_limit = e->meta.spec_memory;
	m->has_mem_config_limit = true;
}

static void pb_fill_io(const struct snapshot_entry *e, Mstat__Stats__ContainerStats *m)
{
	bool rates = e->derived.rates_valid;

	pb_copy(e, SAMPLE_NET_RX_BYTES, &m->net_rx_bytes, &m->has_net_rx_bytes);
	pb_copy(e, SAMPLE_NET_TX_BYTES, &m->net_tx_bytes, &m->has_net_tx_bytes);
	pb_copy(e, SAMPLE_IO_READ_BYTES, &m->blk_read_bytes, &m->has_blk_read_bytes);
	pb_copy(e, SAMPLE_IO_WRITE_BYTES, &m->blk_write_bytes, &m->has_blk_write_bytes);
	m->net_rx_bytes_per_sec = e->derived.net_rx_bytes_per_sec;
	m->net_tx_bytes_per_sec = e->derived.net_tx_bytes_per_sec;
	m->blk_read_bytes_per_sec = e->derived.io_read_bytes_per_sec;
	m->blk_write_bytes_per_sec = e->derived.io_write_bytes_per_sec;
	m->has_net_rx_bytes_per_sec = m->has_net_tx_bytes_per_sec = rates;
	m->has_blk_read_bytes_per_sec = m->has_blk_write_bytes_per_sec = rates;
	pb_copy(e, SAMPLE_PIDS_CURRENT, &m->pids, &m->has_pids);
	pb_copy(e, SAMPLE_PIDS_LIMIT, &m->pids_limit, &m->has_pids_limit);
}

static void pb_fill_pressure(const struct snapshot_entry *e, Mstat__Stats__ContainerStats *m,
			     struct stats_pb_parts *parts)
{
	static const enum sample_key keys[3][2] = {
		{ SAMPLE_PSI_CPU_SOME_NS, SAMPLE_PSI_CPU_FULL_NS },
		{ SAMPLE_PSI_MEMORY_SOME_NS, SAMPLE_PSI_MEMORY_FULL_NS },
		{ SAMPLE_PSI_IO_SOME_NS, SAMPLE_PSI_IO_FULL_NS },
	};
	Mstat__Stats__Pressure **slots[3] = { &m->cpu_pressure, &m->memory_pressure,
					      &m->io_pressure };

	for (size_t i = 0; i < 3; i++) {
		Mstat__Stats__Pressure *p = &parts->pressure[i];

		mstat__stats__pressure__init(p);
		pb_percent_of_interval(e, keys[i][0], &p->some_percent, &p->has_some_percent);
		pb_percent_of_interval(e, keys[i][1], &p->full_percent, &p->has_full_percent);
		if (p->has_some_percent || p->has_full_percent)
			*slots[i] = p;
	}
}

/* Bytes per second between two readings of a counter, 0 when it went back. */
static double pb_rate(uint64_t cur, uint64_t prev, uint64_t interval_ns)
{
	return cur >= prev ? (double)(cur - prev) * 1e9 / (double)interval_ns : 0.0;
}

static void pb_fill_netifs(const struct snapshot_entry *e, Mstat__Stats__ContainerStats *m,
			   struct stats_pb_parts *parts)
{
	uint64_t interval = pb_interval_ns(e);

	for (unsigned i = 0; i < e->cur.n_netif && i < SAMPLE_MAX_NETIFS; i++) {
		const struct sample_netif *cur = &e->cur.netif[i];
		Mstat__Stats__NetInterface *n = &parts->netif[i];

		mstat__stats__net_interface__init(n);
		n->name = (char *)cur->name;
		n->rx_bytes = cur->rx_bytes;
		n->tx_bytes = cur->tx_bytes;
		n->has_rx_bytes = n->has_tx_bytes = true;
		for (unsigned j = 0; interval > 0 && j < e->prev.n_netif; j++) {
			const struct sample_netif *prev = &e->prev.netif[j];

			if (strcmp(prev->name, cur->name) != 0)
				continue;
			n->rx_bytes_per_sec = pb_rate(cur->rx_bytes, prev->rx_bytes, interval);
			n->tx_bytes_per_sec = pb_rate(cur->tx_bytes, prev->tx_bytes, interval);
			n->has_rx_bytes_per_sec = n->has_tx_bytes_per_sec = true;
		}
		parts->netif_ptr[i] = n;
		m->n_interfaces = i + 1;
	}
	m->interfaces = parts->netif_ptr;
}

/* Sets the configured limits on the devices of m, and adds the limited
 * devices that have no I/O yet, as far as the storage allows. */
static void pb_add_device_limits(const struct snapshot_entry *e, Mstat__Stats__ContainerStats *m,
				 struct stats_pb_parts *parts)
{
	for (size_t i = 0; i < e->meta.n_device_limits; i++) {
		const struct snapshot_device_limit *l = &e->meta.device_limits[i];
		Mstat__Stats__BlockDevice *d = NULL;

		for (size_t j = 0; j < m->n_devices && !d; j++)
			if (m->devices[j]->major == l->major && m->devices[j]->minor == l->minor)
				d = m->devices[j];
		if (!d) {
			if (m->n_devices >= SAMPLE_MAX_BLKDEVS)
				continue;
			d = &parts->blkdev[m->n_devices];
			mstat__stats__block_device__init(d);
			d->major = l->major;
			d->minor = l->minor;
			d->has_major = d->has_minor = true;
			parts->blkdev_ptr[m->n_devices++] = d;
		}
		d->read_bps_limit = l->read_bps;
		d->has_read_bps_limit = l->read_bps > 0;
		d->write_bps_limit = l->write_bps;
		d->has_write_bps_limit = l->write_bps > 0;
	}
}

static void pb_fill_blkdevs(const struct snapshot_entry *e, Mstat__Stats__ContainerStats *m,
			    struct stats_pb_parts *parts)
{
	uint64_t interval = pb_interval_ns(e);

	for (unsigned i = 0; i < e->cur.n_blkdev && i < SAMPLE_MAX_BLKDEVS; i++) {
		const struct sample_blkdev *cur = &e->cur.blkdev[i];
		Mstat__Stats__BlockDevice *d = &parts->blkdev[i];

		mstat__stats__block_device__init(d);
		d->major = cur->major;
		d->minor = cur->minor;
		d->read_bytes = cur->read_bytes;
		d->write_bytes = cur->write_bytes;
		d->has_major = d->has_minor = d->has_read_bytes = d->has_write_bytes = true;
		for (unsigned j = 0; interval > 0 && j < e->prev.n_blkdev; j++) {
			const struct sample_blkdev *prev = &e->prev.blkdev[j];

			if (prev->major != cur->major || prev->minor != cur->minor)
				continue;
			d->read_bytes_per_sec =
			    pb_rate(cur->read_bytes, prev->read_bytes, interval);
			d->write_bytes_per_sec =
			    pb_rate(cur->write_bytes, prev->write_bytes, interval);
			d->has_read_bytes_per_sec = d->has_write_bytes_per_sec = true;
		}
		parts->blkdev_ptr[i] = d;
		m->n_devices = i + 1;
	}
	m->devices = parts->blkdev_ptr;
	pb_add_device_limits(e, m, parts);
}

/* Appends m to b, preceded by its length as a varint. */
static void pb_append(struct outbuf *b, const Mstat__Stats__ContainerStats *m)
{
	size_t size = mstat__stats__container_stats__get_packed_size(m);
	uint8_t prefix[10];
	size_t n = 0;

	for (size_t v = size; n == 0 || v > 0; v >>= 7)
		prefix[n++] = (uint8_t)((v & 0x7f) | (v >= 0x80 ? 0x80 : 0));
	outbuf_append(b, (const char *)prefix, n);
	if (outbuf_reserve(b, size) < 0)
		return;
	b->len += mstat__stats__container_stats__pack(m, (uint8_t *)b->data + b->len);
}

/* Appends one container's message. rec, when not NULL, stands for a
 * container with no sample (not running): only its name, id and state. */
static void pb_append_entry(struct outbuf *b, const struct snapshot *snap,
			    const struct snapshot_entry *e, const struct ctr_record *rec,
			    uint32_t index, uint32_t count)
{
	Mstat__Stats__ContainerStats m = MSTAT__STATS__CONTAINER_STATS__INIT;
	struct stats_pb_parts parts;

	m.generation = snap->generation;
	m.index = index;
	m.count = count;
	m.has_generation = m.has_index = m.has_count = true;
	if (rec) {
		m.name = (char *)rec->spec.name;
		m.container_id = (char *)rec->spec.id;
		m.state = (char *)ctr_status_to_string(rec->status);
		m.restart_count = rec->restart_count;
		m.has_restart_count = true;
		pb_append(b, &m);
		return;
	}
	m.read_time_ns = e->cur.real_ns;
	m.has_read_time_ns = true;
	m.name = e->meta.name;
	m.container_id = e->meta.container_id;
	m.cgroup = e->meta.id;
	m.state = e->meta.state;
	m.started_ns = e->meta.started_ns;
	m.has_started_ns = e->meta.started_ns > 0;
	m.restart_count = e->meta.restart_count;
	m.has_restart_count = e->meta.container_id != NULL;
	pb_fill_cpu(e, &m);
	pb_fill_memory(snap, e, &m);
	pb_fill_io(e, &m);
	pb_fill_pressure(e, &m, &parts);
	pb_fill_netifs(e, &m, &parts);
	pb_fill_blkdevs(e, &m, &parts);
	pb_append(b, &m);
}

static bool pb_entry_shown(const struct stats_stream *st, const struct snapshot_entry *e)
{
	return st->include_exited || !e->meta.state || strcmp(e->meta.state, "running") == 0;
}

/* The protobuf counterpart of render_all(): the same containers, counted
 * first so that each message can carry the snapshot's size. */
static void render_all_pb(struct stats_stream *st, const struct snapshot *snap,
			  const struct ctr_view *v, struct outbuf *b)
{
	uint32_t count = 0, index = 0;

	for (size_t i = 0; i < snap->n_entries; i++)
		count += pb_entry_shown(st, &snap->entries[i]);
	for (size_t i = 0; st->include_exited && v && i < v->n; i++)
		count += !entry_of(snap, v->items[i].rec.spec.id);

	if (count == 0) {
		Mstat__Stats__ContainerStats m = MSTAT__STATS__CONTAINER_STATS__INIT;

		m.generation = snap->generation;
		m.has_generation = m.has_index = m.has_count = true;
		pb_append(b, &m);
		return;
	}
	for (size_t i = 0; i < snap->n_entries; i++)
		if (pb_entry_shown(st, &snap->entries[i]))
			pb_append_entry(b, snap, &snap->entries[i], NULL, index++, count);
	for (size_t i = 0; st->include_exited && v && i < v->n; i++)
		if (!entry_of(snap, v->items[i].rec.spec.id))
			pb_append_entry(b, snap, NULL, &v->items[i].rec, index++, count);
}

/* True when the Accept header requests the protobuf stream. */
static bool stats_accepts_pb(struct MHD_Connection *conn)
{
	const char *accept =
	    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);

	return accept && strstr(accept, STATS_PB_CONTENT_TYPE) != NULL;
}

/* Renders the newest snapshot into st->pending when it is one not yet sent. */
static void stats_refill(struct stats_stream *st)
{
	uint64_t generation;
	struct snapshot *snap = pub_get_snapshot(st->server->pub, NULL, &generation);
	enum render_result result = RENDER_DONE;
	struct ctr_view *v;
	struct outbuf b;

	if (!snap || generation == st->sent_generation) {
		snapshot_unref(snap);
		return;
	}
	v = pub_get_view(st->server->pub);
	outbuf_init(&b);
	if (st->id[0] == '\0' && st->protobuf)
		render_all_pb(st, snap, v, &b);
	else if (st->id[0] == '\0')
		render_all(st, snap, v, &b);
	else
		result = render_one(st, snap, v, &b);
	ctr_view_unref(v);
	snapshot_unref(snap);

	st->sent_generation = generation;
	if (b.error < 0 || result == RENDER_GONE || (result == RENDER_DONE && !st->stream))
		st->done = true;
	if (b.error < 0) {
		outbuf_free(&b);
		return;
	}
	free(st->pending);
	st->pending = b.data;
	st->pending_len = b.len;
	st->pending_off = 0;
}

static ssize_t stats_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stats_stream *st = cls;

	for (;;) {
		if (st->pending_off < st->pending_len) {
			size_t n = st->pending_len - st->pending_off;

			if (n > max)
				n = max;
			memcpy(buf, st->pending + st->pending_off, n);
			st->pending_off += n;
			return (ssize_t)n;
		}
		if (st->done || st->marks.closing)
			return MHD_CONTENT_READER_END_OF_STREAM;

		stats_refill(st);
		if (st->pending_off < st->pending_len || st->done)
			continue;
		pub_wait(st->server->pub, &st->marks, STREAM_WAIT_MS, &st->marks);
	}
}

static void stats_free(void *cls)
{
	struct stats_stream *st = cls;

	free(st->pending);
	free(st);
}

static enum MHD_Result start_stats(struct MHD_Connection *conn, struct stats_stream *st)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	pub_get_marks(st->server->pub, &st->marks);
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_BLOCK_SIZE, stats_read,
						 st, stats_free);
	if (!resp) {
		stats_free(st);
		return MHD_NO;
	}
	(void)MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				      st->protobuf ? STATS_PB_CONTENT_TYPE : "application/json");
	ret = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ret;
}

static struct stats_stream *stats_new(struct api_server *s, struct MHD_Connection *conn,
				      bool *ret_bad_query)
{
	struct stats_stream *st;
	bool stream;

	*ret_bad_query = http_query_bool(conn, "stream", true, &stream) < 0;
	if (*ret_bad_query)
		return NULL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	st->server = s;
	st->stream = stream;
	st->need_prev = !stream;
	return st;
}

enum MHD_Result api_container_stats(struct api_server *s, struct MHD_Connection *conn,
				    const char *name)
{
	struct ctr_view *v = pub_get_view(s->pub);
	const struct ctr_view_item *item;
	struct stats_stream *st;
	bool bad_query;
	int error = 0;

	item = ctr_view_find(v, name, &error);
	if (!item) {
		ctr_view_unref(v);
		return http_reply_lookup_error(conn, name, error);
	}
	st = stats_new(s, conn, &bad_query);
	if (st)
		memcpy(st->id, item->rec.spec.id, sizeof(st->id));
	ctr_view_unref(v);
	if (bad_query)
		return http_reply_error(conn, 400,
					"invalid query parameter 'stream': expected true or false");
	if (!st)
		return MHD_NO;
	return start_stats(conn, st);
}

enum MHD_Result api_all_stats(struct api_server *s, struct MHD_Connection *conn)
{
	struct stats_stream *st;
	bool bad_query, all;

	if (http_query_bool(conn, "all", false, &all) < 0)
		return http_reply_error(
		    conn, 400, "invalid query parameter 'all': expected 1, 0, true or false");
	st = stats_new(s, conn, &bad_query);
	if (bad_query)
		return http_reply_error(conn, 400,
					"invalid query parameter 'stream': expected true or false");
	if (!st)
		return MHD_NO;
	st->include_exited = all;
	st->need_prev = false;
	st->protobuf = stats_accepts_pb(conn);
	return start_stats(conn, st);
}
