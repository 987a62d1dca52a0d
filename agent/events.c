/* SPDX-License-Identifier: MIT */
/*
 * Container events: kind names, the docker-events JSON line, the ring of
 * recent events and the filters of GET /v1/events. Pure data handling: no
 * logging, no I/O, no access to the container table.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/events.h"
#include "common/parse.h"

int event_ring_init(struct event_ring *r, size_t capacity)
{
	pthread_condattr_t attr;
	int e;

	memset(r, 0, sizeof(*r));
	r->items = calloc(capacity, sizeof(*r->items));
	if (!r->items)
		return -ENOMEM;
	r->capacity = capacity;
	r->next_seq = 1;

	e = pthread_condattr_init(&attr);
	if (e == 0) {
		(void)pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
		e = pthread_cond_init(&r->changed, &attr);
		pthread_condattr_destroy(&attr);
	}
	if (e != 0) {
		free(r->items);
		r->items = NULL;
		return -e;
	}
	pthread_mutex_init(&r->mu, NULL);
	return 0;
}

void event_ring_destroy(struct event_ring *r)
{
	if (!r || !r->items)
		return;
	pthread_cond_destroy(&r->changed);
	pthread_mutex_destroy(&r->mu);
	free(r->items);
	r->items = NULL;
}

uint64_t event_ring_push(struct event_ring *r, const struct event *e)
{
	uint64_t seq;

	pthread_mutex_lock(&r->mu);
	seq = r->next_seq++;
	r->items[seq % r->capacity] = *e;
	r->items[seq % r->capacity].seq = seq;
	pthread_cond_broadcast(&r->changed);
	pthread_mutex_unlock(&r->mu);
	return seq;
}

size_t event_ring_read(struct event_ring *r, uint64_t *cursor, struct event *ret, size_t max,
		       uint64_t *ret_lost)
{
	uint64_t oldest, seq = *cursor;
	size_t n = 0;

	pthread_mutex_lock(&r->mu);
	oldest = r->next_seq > r->capacity ? r->next_seq - r->capacity : 1;
	if (seq < oldest) {
		if (ret_lost && seq > 0)
			*ret_lost += oldest - seq;
		seq = oldest;
	}
	for (; seq < r->next_seq && n < max; seq++)
		ret[n++] = r->items[seq % r->capacity];
	pthread_mutex_unlock(&r->mu);

	*cursor = seq;
	return n;
}

uint64_t event_ring_tail(struct event_ring *r)
{
	uint64_t seq;

	pthread_mutex_lock(&r->mu);
	seq = r->next_seq;
	pthread_mutex_unlock(&r->mu);
	return seq;
}

bool event_ring_wait(struct event_ring *r, uint64_t cursor, unsigned timeout_ms)
{
	struct timespec deadline;
	bool closed;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}

	pthread_mutex_lock(&r->mu);
	while (!r->closed && r->next_seq <= cursor) {
		if (pthread_cond_timedwait(&r->changed, &r->mu, &deadline) == ETIMEDOUT)
			break;
	}
	closed = r->closed;
	pthread_mutex_unlock(&r->mu);
	return closed;
}

void event_ring_close(struct event_ring *r)
{
	pthread_mutex_lock(&r->mu);
	r->closed = true;
	pthread_cond_broadcast(&r->changed);
	pthread_mutex_unlock(&r->mu);
}

const char *event_kind_to_string(enum event_kind kind)
{
	static const char *const names[_EVENT_KIND_MAX] = {
		[EVENT_CREATE] = "create", [EVENT_START] = "start",	[EVENT_DIE] = "die",
		[EVENT_OOM] = "oom",	   [EVENT_RESTART] = "restart", [EVENT_STOP] = "stop",
		[EVENT_KILL] = "kill",	   [EVENT_DESTROY] = "destroy", [EVENT_UPDATE] = "update",
	};

	if ((unsigned)kind >= _EVENT_KIND_MAX)
		return "unknown";
	return names[kind];
}

int event_kind_from_string(const char *s, enum event_kind *ret)
{
	static const struct {
		const char *word;
		enum event_kind kind;
	} aliases[] = {
		{ "exit", EVENT_DIE },
		{ "remove", EVENT_DESTROY },
		{ "limit-change", EVENT_UPDATE },
	};

	for (int k = 0; k < _EVENT_KIND_MAX; k++)
		if (strcmp(s, event_kind_to_string((enum event_kind)k)) == 0) {
			*ret = (enum event_kind)k;
			return 0;
		}
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strcmp(s, aliases[i].word) == 0) {
			*ret = aliases[i].kind;
			return 0;
		}
	return -EINVAL;
}

/* Docker's event attributes are strings, numbers included. */
static void set_u64(json_t *attrs, const char *key, uint64_t v)
{
	char buf[24];

	if (v == MST_UNLIMITED) {
		json_object_set_new(attrs, key, json_string("max"));
		return;
	}
	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	json_object_set_new(attrs, key, json_string(buf));
}

static void add_oom_attributes(json_t *attrs, const struct event_oom *o)
{
	set_u64(attrs, "oomKillCount", o->kill_count);
	if (o->present & EVENT_OOM_HAS_MEMORY) {
		set_u64(attrs, "memoryMax", o->memory_max);
		set_u64(attrs, "memoryUsage", o->memory_usage);
		set_u64(attrs, "swapMax", o->swap_max);
	}
	if (o->present & EVENT_OOM_HAS_PEAK)
		set_u64(attrs, "memoryPeak", o->memory_peak);
	if (o->present & EVENT_OOM_HAS_STAT) {
		set_u64(attrs, "anon", o->anon);
		set_u64(attrs, "file", o->file);
		set_u64(attrs, "shmem", o->shmem);
	}
	if (o->present & EVENT_OOM_HAS_VICTIM) {
		set_u64(attrs, "victimPid", (uint64_t)o->victim_pid);
		json_object_set_new(attrs, "victimComm", json_string(o->victim_comm));
	}
}

static void add_update_attributes(json_t *attrs, const struct event_update *u)
{
	set_u64(attrs, "memoryMax", u->memory_max);
	set_u64(attrs, "swapMax", u->swap_max);
	set_u64(attrs, "nanoCpus", u->nano_cpus);
	set_u64(attrs, "cpuShares", u->cpu_shares);
	set_u64(attrs, "pidsMax", u->pids_max);
	json_object_set_new(attrs, "restartPolicy", json_string(u->restart_policy));
}

static json_t *event_attributes(const struct event *e)
{
	json_t *attrs = json_object();

	if (!attrs)
		return NULL;
	json_object_set_new(attrs, "name", json_string(e->name));
	if (e->cgroup_path[0])
		json_object_set_new(attrs, "cgroupPath", json_string(e->cgroup_path));
	if (e->kind == EVENT_DIE) {
		set_u64(attrs, "exitCode", (uint64_t)(unsigned)e->exit_code);
		if (e->signal > 0)
			set_u64(attrs, "signal", (uint64_t)e->signal);
	}
	if (e->kind == EVENT_KILL)
		set_u64(attrs, "signal", (uint64_t)e->signal);
	if (e->kind == EVENT_OOM)
		add_oom_attributes(attrs, &e->oom);
	if (e->kind == EVENT_RESTART)
		set_u64(attrs, "restartCount", e->restart_count);
	if (e->kind == EVENT_UPDATE)
		add_update_attributes(attrs, &e->update);
	return attrs;
}

json_t *event_to_json(const struct event *e)
{
	const char *action = event_kind_to_string(e->kind);
	json_t *attrs = event_attributes(e);

	if (!attrs)
		return NULL;
	/* json_pack steals attrs with "o", also when it fails. */
	return json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:o}, s:s, s:I, s:I}", "status", action,
			 "id", e->id, "Type", "container", "Action", action, "Actor", "ID", e->id,
			 "Attributes", attrs, "scope", "local", "time",
			 (json_int_t)(e->time_ns / 1000000000ULL), "timeNano",
			 (json_int_t)e->time_ns);
}

int event_filter_add(struct event_filter *f, const char *spec)
{
	const char *eq = strchr(spec, '=');
	const char *value = eq ? eq + 1 : "";
	size_t key_len = eq ? (size_t)(eq - spec) : 0;
	enum event_kind kind;

	if (!eq || value[0] == '\0')
		return -EINVAL;
	if (key_len == strlen("container") && strncmp(spec, "container", key_len) == 0) {
		if (f->n_containers >= EVENT_FILTER_MAX)
			return -E2BIG;
		if (strlen(value) >= sizeof(f->containers[0]))
			return -EINVAL;
		strcpy(f->containers[f->n_containers++], value);
		return 0;
	}
	if (key_len == strlen("event") && strncmp(spec, "event", key_len) == 0) {
		if (event_kind_from_string(value, &kind) < 0)
			return -EINVAL;
		f->kinds |= 1u << kind;
		return 0;
	}
	/* Every mstat event is about a container. */
	if (key_len == strlen("type") && strncmp(spec, "type", key_len) == 0)
		return strcmp(value, "container") == 0 ? 0 : -EINVAL;
	return -EINVAL;
}

static bool container_matches(const char *want, const struct event *e)
{
	size_t len = strlen(want);

	if (strcmp(want, e->name) == 0)
		return true;
	return len > 0 && len <= 64 && strncmp(want, e->id, len) == 0;
}

bool event_filter_match(const struct event_filter *f, const struct event *e)
{
	bool any = f->n_containers == 0;

	if (f->kinds && !(f->kinds & (1u << e->kind)))
		return false;
	if (f->since_ns && e->time_ns < f->since_ns)
		return false;
	if (f->until_ns && e->time_ns > f->until_ns)
		return false;
	for (size_t i = 0; !any && i < f->n_containers; i++)
		any = container_matches(f->containers[i], e);
	return any;
}

int event_parse_time(const char *s, uint64_t *ret_ns)
{
	const char *dot = strchr(s, '.');
	size_t int_len = dot ? (size_t)(dot - s) : strlen(s);
	uint64_t seconds, fraction = 0;
	int r;

	r = parse_u64(s, int_len, &seconds);
	if (r < 0)
		return r;
	if (dot) {
		size_t digits = strlen(dot + 1);

		if (digits == 0 || digits > 9 || strspn(dot + 1, "0123456789") != digits)
			return -EINVAL;
		r = parse_u64(dot + 1, digits, &fraction);
		if (r < 0)
			return r;
		for (size_t i = digits; i < 9; i++)
			fraction *= 10;
	}
	if (seconds > (UINT64_MAX - fraction) / 1000000000ULL)
		return -ERANGE;
	*ret_ns = seconds * 1000000000ULL + fraction;
	return 0;
}
