/* SPDX-License-Identifier: MIT */
/*
 * journald entries of container events, sent with libsystemd's
 * sd_journal_sendv(). The container fields are those of docker's journald log
 * driver: CONTAINER_NAME, CONTAINER_ID with the first 12 digits of the id, and
 * CONTAINER_ID_FULL with all 64.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <syslog.h>
#include <systemd/sd-journal.h>

#include "agent/journal.h"
#include "common/parse.h"

const char *journal_message_id(enum event_kind kind)
{
	static const char *const ids[_EVENT_KIND_MAX] = {
		[EVENT_CREATE] = MSTAT_MESSAGE_CREATE,	 [EVENT_START] = MSTAT_MESSAGE_START,
		[EVENT_DIE] = MSTAT_MESSAGE_DIE,	 [EVENT_OOM] = MSTAT_MESSAGE_OOM,
		[EVENT_RESTART] = MSTAT_MESSAGE_RESTART, [EVENT_STOP] = MSTAT_MESSAGE_STOP,
		[EVENT_KILL] = MSTAT_MESSAGE_KILL,	 [EVENT_DESTROY] = MSTAT_MESSAGE_DESTROY,
		[EVENT_UPDATE] = MSTAT_MESSAGE_UPDATE,
	};

	if ((unsigned)kind >= _EVENT_KIND_MAX)
		return "";
	return ids[kind];
}

int journal_priority(const struct event *e)
{
	if (e->kind == EVENT_OOM)
		return LOG_WARNING;
	if (e->kind == EVENT_DIE && e->exit_code != 0)
		return LOG_NOTICE;
	return LOG_INFO;
}

/* Formats bytes in binary units with one decimal, as "100.0 MiB". */
static void format_bytes(uint64_t v, char *buf, size_t size)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double x = (double)v;
	size_t u = 0;

	if (v == MST_UNLIMITED) {
		snprintf(buf, size, "no limit");
		return;
	}
	while (x >= 1024.0 && u + 1 < sizeof(units) / sizeof(units[0])) {
		x /= 1024.0;
		u++;
	}
	if (u == 0)
		snprintf(buf, size, "%" PRIu64 " B", v);
	else
		snprintf(buf, size, "%.1f %s", x, units[u]);
}

static void format_oom(const struct event *e, char *buf, size_t size)
{
	const struct event_oom *o = &e->oom;
	char victim[EVENT_COMM_MAX + 32] = "", at[96] = "", max[32], used[32];
	uint64_t usage = o->present & EVENT_OOM_HAS_PEAK ? o->memory_peak : o->memory_usage;

	if (o->present & EVENT_OOM_HAS_VICTIM)
		snprintf(victim, sizeof(victim), ": %s (pid %d)", o->victim_comm,
			 (int)o->victim_pid);
	if (o->present & (EVENT_OOM_HAS_MEMORY | EVENT_OOM_HAS_PEAK)) {
		format_bytes(usage, used, sizeof(used));
		format_bytes(o->memory_max, max, sizeof(max));
		snprintf(at, sizeof(at), " at %s of %s", used, max);
	}
	snprintf(buf, size, "container %s was OOM-killed%s%s", e->name, victim, at);
}

/* Formats a byte limit, or "none" when unlimited. */
static void format_limit(uint64_t v, char *buf, size_t size)
{
	if (v == MST_UNLIMITED)
		snprintf(buf, size, "none");
	else
		format_bytes(v, buf, size);
}

static void format_update(const struct event *e, char *buf, size_t size)
{
	const struct event_update *u = &e->update;
	char memory[32], swap[32], cpus[32], pids[32];

	format_limit(u->memory_max, memory, sizeof(memory));
	format_limit(u->swap_max, swap, sizeof(swap));
	if (u->nano_cpus == MST_UNLIMITED)
		snprintf(cpus, sizeof(cpus), "none");
	else
		snprintf(cpus, sizeof(cpus), "%.2f", (double)u->nano_cpus / 1e9);
	if (u->pids_max == MST_UNLIMITED)
		snprintf(pids, sizeof(pids), "none");
	else
		snprintf(pids, sizeof(pids), "%llu", (unsigned long long)u->pids_max);
	snprintf(buf, size,
		 "the limits of container %s changed: memory %s, swap %s, cpus %s, pids %s, "
		 "restart policy %s",
		 e->name, memory, swap, cpus, pids, u->restart_policy);
}

void journal_format_message(const struct event *e, char *buf, size_t size)
{
	switch (e->kind) {
	case EVENT_OOM:
		format_oom(e, buf, size);
		return;
	case EVENT_DIE:
		if (e->signal > 0)
			snprintf(buf, size,
				 "container %s exited with code %d (killed by signal %d)", e->name,
				 e->exit_code, e->signal);
		else
			snprintf(buf, size, "container %s exited with code %d", e->name,
				 e->exit_code);
		return;
	case EVENT_KILL:
		snprintf(buf, size, "container %s was sent signal %d", e->name, e->signal);
		return;
	case EVENT_CREATE:
		snprintf(buf, size, "container %s was created", e->name);
		return;
	case EVENT_START:
		snprintf(buf, size, "container %s started", e->name);
		return;
	case EVENT_RESTART:
		/* A policy restart has a count of 1 or more; `mstat restart` resets it. */
		if (e->restart_count > 0)
			snprintf(buf, size,
				 "container %s restarts by its restart policy (restart %llu)",
				 e->name, (unsigned long long)e->restart_count);
		else
			snprintf(buf, size, "container %s was restarted on request", e->name);
		return;
	case EVENT_STOP:
		snprintf(buf, size, "container %s was stopped", e->name);
		return;
	case EVENT_DESTROY:
		snprintf(buf, size, "container %s was removed", e->name);
		return;
	case EVENT_UPDATE:
		format_update(e, buf, size);
		return;
	case _EVENT_KIND_MAX:
		break;
	}
	snprintf(buf, size, "container %s: event %d", e->name, (int)e->kind);
}

struct field_list {
	char (*fields)[JOURNAL_FIELD_SIZE];
	size_t n;
};

static void add_field(struct field_list *l, const char *key, const char *value)
{
	if (l->n < JOURNAL_FIELDS_MAX)
		snprintf(l->fields[l->n++], JOURNAL_FIELD_SIZE, "%s=%s", key, value);
}

/* Adds a byte value; an unlimited one is "max", as in the cgroup files. */
static void add_u64(struct field_list *l, const char *key, uint64_t v)
{
	char buf[24];

	if (v == MST_UNLIMITED)
		snprintf(buf, sizeof(buf), "max");
	else
		snprintf(buf, sizeof(buf), "%" PRIu64, v);
	add_field(l, key, buf);
}

static void add_oom_fields(struct field_list *l, const struct event_oom *o)
{
	char pid[16];

	add_u64(l, "OOM_KILL_COUNT", o->kill_count);
	if (o->present & EVENT_OOM_HAS_MEMORY) {
		add_u64(l, "MEMORY_MAX", o->memory_max);
		add_u64(l, "MEMORY_USAGE", o->memory_usage);
		add_u64(l, "MEMORY_SWAP_MAX", o->swap_max);
	}
	if (o->present & EVENT_OOM_HAS_PEAK)
		add_u64(l, "MEMORY_PEAK", o->memory_peak);
	if (o->present & EVENT_OOM_HAS_STAT) {
		add_u64(l, "MEMORY_ANON", o->anon);
		add_u64(l, "MEMORY_FILE", o->file);
		add_u64(l, "MEMORY_SHMEM", o->shmem);
	}
	if (o->present & EVENT_OOM_HAS_VICTIM) {
		snprintf(pid, sizeof(pid), "%d", (int)o->victim_pid);
		add_field(l, "OOM_VICTIM_PID", pid);
		add_field(l, "OOM_VICTIM_COMM", o->victim_comm);
	}
}

size_t journal_fields(const struct event *e, char fields[JOURNAL_FIELDS_MAX][JOURNAL_FIELD_SIZE])
{
	struct field_list l = { .fields = fields, .n = 0 };
	char message[JOURNAL_FIELD_SIZE - 8], number[16], short_id[13];

	add_field(&l, "MESSAGE_ID", journal_message_id(e->kind));
	snprintf(number, sizeof(number), "%d", journal_priority(e));
	add_field(&l, "PRIORITY", number);
	journal_format_message(e, message, sizeof(message));
	add_field(&l, "MESSAGE", message);
	add_field(&l, "SYSLOG_IDENTIFIER", "mstatd");
	add_field(&l, "MSTAT_EVENT", event_kind_to_string(e->kind));
	add_field(&l, "CONTAINER_NAME", e->name);
	snprintf(short_id, sizeof(short_id), "%.12s", e->id);
	add_field(&l, "CONTAINER_ID", short_id);
	add_field(&l, "CONTAINER_ID_FULL", e->id);
	if (e->cgroup_path[0])
		add_field(&l, "CGROUP_PATH", e->cgroup_path);
	if (e->kind == EVENT_DIE) {
		snprintf(number, sizeof(number), "%d", e->exit_code);
		add_field(&l, "EXIT_CODE", number);
	}
	if ((e->kind == EVENT_DIE || e->kind == EVENT_KILL) && e->signal > 0) {
		snprintf(number, sizeof(number), "%d", e->signal);
		add_field(&l, "SIGNAL", number);
	}
	if (e->kind == EVENT_OOM)
		add_oom_fields(&l, &e->oom);
	if (e->kind == EVENT_RESTART)
		add_u64(&l, "RESTART_COUNT", e->restart_count);
	if (e->kind == EVENT_UPDATE) {
		add_u64(&l, "MEMORY_MAX", e->update.memory_max);
		add_u64(&l, "MEMORY_SWAP_MAX", e->update.swap_max);
		add_u64(&l, "CPU_NANO_CPUS", e->update.nano_cpus);
		add_u64(&l, "CPU_SHARES", e->update.cpu_shares);
		add_u64(&l, "PIDS_MAX", e->update.pids_max);
		add_field(&l, "RESTART_POLICY", e->update.restart_policy);
	}
	return l.n;
}

int journal_send(const struct event *e)
{
	char fields[JOURNAL_FIELDS_MAX][JOURNAL_FIELD_SIZE];
	struct iovec iov[JOURNAL_FIELDS_MAX];
	size_t n = journal_fields(e, fields);

	for (size_t i = 0; i < n; i++) {
		iov[i].iov_base = fields[i];
		iov[i].iov_len = strlen(fields[i]);
	}
	return sd_journal_sendv(iov, (int)n);
}
