/* SPDX-License-Identifier: MIT */
/*
 * Container events from the main thread to the events ring and journald.
 * Also the OOM-kill accounting behind the oom event: the counter of the
 * container's cgroup, the memory figures at the kill, and the victim from
 * /dev/kmsg when the kernel log is readable.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent/event_emit.h"
#include "agent/journal.h"
#include "common/parse.h"
#include "runtime/cgroup_file.h"

/* Bounds of the v1 subtree walk: nested cgroups a container may create. */
#define OOM_WALK_MAX_DEPTH 8
#define OOM_WALK_MAX_DIRS  256
/* OOM events sent for one reading of the counter; a larger jump is
 * reported by the last event's running count. */
#define OOM_EVENTS_PER_CHECK 64

int agent_events_setup(struct agent *a, struct mst_err *err)
{
	int r = event_ring_init(&a->events, AGENT_EVENTS_KEPT);

	if (r < 0)
		return err_set(err, -r, "creating the events ring");
	r = journal_queue_start(&a->journal, AGENT_JOURNAL_QUEUE);
	if (r < 0)
		log_error("container events will not reach journald: starting its sender thread "
			  "failed: %s",
			  strerror(-r));
	a->api.events = &a->events;
	kmsg_reader_open(&a->kmsg, "/dev/kmsg");
	if (a->kmsg.fd < 0)
		log_warning("OOM events will not name the killed process: reading /dev/kmsg "
			    "failed: %s; run mstatd as root (it needs CAP_SYSLOG) to get them",
			    strerror(-a->kmsg.open_error));
	return 0;
}

void agent_events_teardown(struct agent *a)
{
	/* The kmsg reader was opened only when the ring was created. */
	if (!a->api.events)
		return;
	kmsg_reader_close(&a->kmsg);
	journal_queue_stop(&a->journal, AGENT_JOURNAL_STOP_MS);
	event_ring_destroy(&a->events);
	a->api.events = NULL;
}

static void fill_base(struct event *e, const struct container *c, enum event_kind kind)
{
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->time_ns = agent_now_real();
	memcpy(e->id, c->rec.spec.id, sizeof(e->id));
	snprintf(e->name, sizeof(e->name), "%s", c->rec.spec.name);
	if (c->cgroup)
		snprintf(e->cgroup_path, sizeof(e->cgroup_path), "%s", c->cgroup->paths.path);
}

static void dispatch(struct agent *a, const struct event *e)
{
	if (!a->api.events)
		return;
	(void)event_ring_push(&a->events, e);
	if (a->journal.started)
		(void)journal_queue_push(&a->journal, e);
}

/* The effective limits of c's spec, with docker's swap rule applied. */
static void fill_update(const struct container *c, struct event_update *u)
{
	const struct rt_limits *l = &c->rec.spec.limits;
	struct cg_memory_plan plan;
	struct mst_err ignored = { 0 };

	u->memory_max = l->memory ? l->memory : MST_UNLIMITED;
	u->swap_max = MST_UNLIMITED;
	if (cg_memory_plan_from_limits(l, &plan, &ignored) == 0 && plan.memory > 0 &&
	    plan.set_swap && !plan.swap_unlimited)
		u->swap_max = plan.memory_and_swap - plan.memory;
	u->nano_cpus = l->nano_cpus ? l->nano_cpus : MST_UNLIMITED;
	u->cpu_shares = l->cpu_shares;
	u->pids_max = l->pids_limit > 0 ? (uint64_t)l->pids_limit : MST_UNLIMITED;
	restart_policy_format(&c->rec.options.restart, u->restart_policy,
			      sizeof(u->restart_policy));
}

void agent_event_emit(struct agent *a, struct container *c, enum event_kind kind, int value)
{
	struct event e;

	fill_base(&e, c, kind);
	if (kind == EVENT_DIE) {
		e.exit_code = value;
		/* NOTE: docker's exit code cannot tell a command that exited with
		 * 137 from one killed by SIGKILL; both are reported as signal 9. */
		if (value > 128 && value < 128 + 65)
			e.signal = value - 128;
	}
	if (kind == EVENT_KILL)
		e.signal = value;
	if (kind == EVENT_RESTART)
		e.restart_count = (uint64_t)value;
	if (kind == EVENT_UPDATE)
		fill_update(c, &e.update);
	dispatch(a, &e);
}

/* Reads a small control file into buf. Returns its length or a negative errno. */
static ssize_t read_small(const char *dir, const char *name, char *buf, size_t size)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

static int read_limit(const char *dir, const char *name, uint64_t *ret)
{
	char buf[64];
	ssize_t n = read_small(dir, name, buf, sizeof(buf));

	if (n < 0)
		return (int)n;
	return parse_limit(buf, (size_t)n, ret);
}

struct key_lookup {
	const char *key;
	uint64_t value;
	bool found;
};

static int lookup_cb(const char *key, size_t key_len, const char *value, size_t value_len,
		     void *userdata)
{
	struct key_lookup *k = userdata;

	if (!k->found && key_eq(key, key_len, k->key) &&
	    parse_u64(value, value_len, &k->value) == 0)
		k->found = true;
	return 0;
}

/* Reads one key of a keyed file such as memory.stat. */
static int read_key(const char *dir, const char *file, const char *key, uint64_t *ret)
{
	char buf[8192];
	struct key_lookup k = { .key = key };
	ssize_t n = read_small(dir, file, buf, sizeof(buf));

	if (n < 0)
		return (int)n;
	(void)parse_kv_lines(buf, (size_t)n, lookup_cb, &k);
	if (!k.found)
		return -ENODATA;
	*ret = k.value;
	return 0;
}

/* Sums memory.oom_control's oom_kill over dir and its descendants: on v1
 * the kernel counts a kill only in the victim's own cgroup (checked on
 * 6.18), so a kill in a nested cgroup would otherwise go uncounted. */
static void v1_sum_oom_kills(const char *dir, int depth, unsigned *budget, uint64_t *sum)
{
	char child[PATH_MAX];
	struct dirent *de;
	uint64_t v = 0;
	DIR *d;

	if (*budget == 0)
		return;
	(*budget)--;
	if (read_key(dir, "memory.oom_control", "oom_kill", &v) == 0)
		*sum += v;
	if (depth >= OOM_WALK_MAX_DEPTH)
		return;
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (snprintf(child, sizeof(child), "%s/%s", dir, de->d_name) < (int)sizeof(child))
			v1_sum_oom_kills(child, depth + 1, budget, sum);
	}
	closedir(d);
}

static int read_oom_count(struct agent *a, struct container *c, uint64_t *ret)
{
	const char *dir = c->cgroup->paths.dir[CG_CTRL_MEMORY];
	unsigned budget = OOM_WALK_MAX_DIRS;
	uint64_t sum = 0;

	/* v2 memory.events is hierarchical: a nested kill counts once here.
	 * NOTE: on v1 the eventfd fires only for an OOM of the container's own
	 * limit, so a kill under a lower limit of a nested cgroup is counted
	 * at the container's exit. */
	if (c->cgroup->paths.version == CG_V2 || !dir)
		return a->ops->oom_kill_count(c->cgroup, ret);
	v1_sum_oom_kills(dir, 0, &budget, &sum);
	*ret = sum;
	return 0;
}

static void fill_memory_v2(const char *dir, struct event_oom *o)
{
	if (read_limit(dir, "memory.max", &o->memory_max) == 0 &&
	    read_limit(dir, "memory.current", &o->memory_usage) == 0) {
		if (read_limit(dir, "memory.swap.max", &o->swap_max) < 0)
			o->swap_max = 0; /* no swap accounting: no swap for the container */
		o->present |= EVENT_OOM_HAS_MEMORY;
	}
	if (read_limit(dir, "memory.peak", &o->memory_peak) == 0)
		o->present |= EVENT_OOM_HAS_PEAK;
	if (read_key(dir, "memory.stat", "anon", &o->anon) == 0 &&
	    read_key(dir, "memory.stat", "file", &o->file) == 0 &&
	    read_key(dir, "memory.stat", "shmem", &o->shmem) == 0)
		o->present |= EVENT_OOM_HAS_STAT;
}

/* v1 names: rss is anonymous memory and cache is the page cache; the
 * total_ keys include nested cgroups. The swap limit is memsw minus memory. */
static void fill_memory_v1(const char *dir, struct event_oom *o)
{
	uint64_t memsw;

	if (read_limit(dir, "memory.limit_in_bytes", &o->memory_max) == 0 &&
	    read_limit(dir, "memory.usage_in_bytes", &o->memory_usage) == 0) {
		o->swap_max = MST_UNLIMITED;
		if (read_limit(dir, "memory.memsw.limit_in_bytes", &memsw) == 0 &&
		    memsw != MST_UNLIMITED && o->memory_max != MST_UNLIMITED)
			o->swap_max = memsw >= o->memory_max ? memsw - o->memory_max : 0;
		o->present |= EVENT_OOM_HAS_MEMORY;
	}
	if (read_limit(dir, "memory.max_usage_in_bytes", &o->memory_peak) == 0)
		o->present |= EVENT_OOM_HAS_PEAK;
	if (read_key(dir, "memory.stat", "total_rss", &o->anon) == 0 &&
	    read_key(dir, "memory.stat", "total_cache", &o->file) == 0 &&
	    read_key(dir, "memory.stat", "total_shmem", &o->shmem) == 0)
		o->present |= EVENT_OOM_HAS_STAT;
}

static void send_oom(struct agent *a, struct container *c, uint64_t kill_count)
{
	const char *dir = c->cgroup->paths.dir[CG_CTRL_MEMORY];
	char message[256];
	struct event e;

	fill_base(&e, c, EVENT_OOM);
	e.oom.kill_count = kill_count;
	if (dir && c->cgroup->paths.version == CG_V2)
		fill_memory_v2(dir, &e.oom);
	else if (dir)
		fill_memory_v1(dir, &e.oom);
	if (kmsg_take_victim(&a->kmsg, c->cgroup->paths.path, &e.oom.victim_pid, e.oom.victim_comm,
			     sizeof(e.oom.victim_comm)))
		e.oom.present |= EVENT_OOM_HAS_VICTIM;

	journal_format_message(&e, message, sizeof(message));
	log_warning("%s (%.12s, kill %llu of this run)", message, c->rec.spec.id,
		    (unsigned long long)kill_count);
	dispatch(a, &e);
}

void agent_events_check_oom(struct agent *a, struct container *c, unsigned wait_ms)
{
	struct timespec step = { .tv_sec = 0, .tv_nsec = 2 * 1000000L };
	uint64_t count = 0, first;
	unsigned waited = 0;

	if (!c->cgroup)
		return;
	/* v2 notifies again when oom_kill changes, and memory.events also
	 * changes on every "max" event, so waiting there would only stall the
	 * loop for a container that stays at its limit. */
	if (c->cgroup->paths.version == CG_V2)
		wait_ms = 0;
	for (;;) {
		if (read_oom_count(a, c, &count) < 0)
			return;
		if (count > c->rec.oom_kill_count || waited >= wait_ms)
			break;
		(void)nanosleep(&step, NULL);
		waited += 2;
	}
	if (count <= c->rec.oom_kill_count)
		return;

	kmsg_reader_poll(&a->kmsg);
	first = c->rec.oom_kill_count + 1;
	if (count - first >= OOM_EVENTS_PER_CHECK)
		first = count - OOM_EVENTS_PER_CHECK + 1;
	for (uint64_t k = first; k <= count; k++)
		send_oom(a, c, k);
	c->rec.oom_kill_count = count;
	(void)sup_write_state(a, c);
}
