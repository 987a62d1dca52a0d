/* SPDX-License-Identifier: MIT */
/*
 * OOM victims from /dev/kmsg. Each read(2) of /dev/kmsg returns one record;
 * the parser takes one record as a buffer so tests feed it captured lines.
 * The formats are those of mm/oom_kill.c (dump_oom_summary() and
 * __oom_kill_process()), checked against Linux 6.18.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agent/kmsg.h"
#include "common/parse.h"

/* Largest record the kernel hands out (CONSOLE_EXT_LOG_MAX is 8 KiB). */
#define KMSG_RECORD_MAX 8192
/* Records read per poll, so a flood of kernel messages cannot stall the loop. */
#define KMSG_POLL_MAX 4096

/* Copies the value of ",KEY=" in the summary, up to the next comma, into out. */
static int summary_value(const char *msg, size_t len, const char *key, char *out, size_t size)
{
	char pattern[32];
	const char *p, *end = msg + len, *v, *stop;

	snprintf(pattern, sizeof(pattern), ",%s=", key);
	p = memmem(msg, len, pattern, strlen(pattern));
	if (!p)
		return -EINVAL;
	v = p + strlen(pattern);
	stop = memchr(v, ',', (size_t)(end - v));
	if (!stop)
		stop = end;
	if ((size_t)(stop - v) >= size)
		return -EINVAL;
	memcpy(out, v, (size_t)(stop - v));
	out[stop - v] = '\0';
	return 0;
}

static int parse_pid(const char *s, size_t len, pid_t *ret)
{
	uint64_t v;
	int r = parse_u64(s, len, &v);

	if (r < 0)
		return r;
	if (v == 0 || v > INT32_MAX)
		return -ERANGE;
	*ret = (pid_t)v;
	return 0;
}

static int parse_summary(const char *msg, size_t len, struct kmsg_oom *o)
{
	char pid[16];

	o->line = KMSG_OOM_SUMMARY;
	if (summary_value(msg, len, "task_memcg", o->task_memcg, sizeof(o->task_memcg)) < 0 ||
	    summary_value(msg, len, "task", o->comm, sizeof(o->comm)) < 0 ||
	    summary_value(msg, len, "pid", pid, sizeof(pid)) < 0)
		return -EINVAL;
	return parse_pid(pid, strlen(pid), &o->pid);
}

/* "Killed process 4242 (python3) total-vm:..." */
static int parse_killed(const char *p, const char *end, struct kmsg_oom *o)
{
	const char *open, *close;

	o->line = KMSG_OOM_KILLED;
	open = memchr(p, '(', (size_t)(end - p));
	if (!open || open < p + 2 || open[-1] != ' ')
		return -EINVAL;
	if (parse_pid(p, (size_t)(open - 1 - p), &o->pid) < 0)
		return -EINVAL;

	/* A command name may itself contain ')', so look for the one that ends it. */
	close = memmem(open, (size_t)(end - open), ") total-vm:", strlen(") total-vm:"));
	if (!close)
		close = memchr(open, ')', (size_t)(end - open));
	if (!close || (size_t)(close - open - 1) >= sizeof(o->comm))
		return -EINVAL;
	memcpy(o->comm, open + 1, (size_t)(close - open - 1));
	o->comm[close - open - 1] = '\0';
	return 0;
}

int kmsg_parse_record(const char *buf, size_t len, struct kmsg_oom *ret)
{
	static const char killed[] = "Killed process ";
	const char *semi = memchr(buf, ';', len);
	const char *c1, *c2, *msg, *end, *p;
	struct kmsg_oom o;

	if (!semi)
		return -EINVAL;
	/* The prefix is "PRI,SEQ,TIMESTAMP,FLAGS[,MORE]". */
	c1 = memchr(buf, ',', (size_t)(semi - buf));
	c2 = c1 ? memchr(c1 + 1, ',', (size_t)(semi - c1 - 1)) : NULL;
	if (!c2)
		return -EINVAL;
	memset(&o, 0, sizeof(o));
	if (parse_u64(c1 + 1, (size_t)(c2 - c1 - 1), &o.seq) < 0)
		return -EINVAL;

	msg = semi + 1;
	end = memchr(msg, '\n', len - (size_t)(msg - buf));
	if (!end)
		end = buf + len;

	if ((size_t)(end - msg) > strlen("oom-kill:") && memcmp(msg, "oom-kill:", 9) == 0) {
		if (parse_summary(msg, (size_t)(end - msg), &o) < 0)
			return -EINVAL;
	} else {
		p = memmem(msg, (size_t)(end - msg), killed, strlen(killed));
		if (!p)
			return -ENOMSG;
		if (parse_killed(p + strlen(killed), end, &o) < 0)
			return -EINVAL;
	}
	*ret = o;
	return 0;
}

void kmsg_reader_open(struct kmsg_reader *k, const char *path)
{
	memset(k, 0, sizeof(*k));
	k->fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (k->fd < 0) {
		k->open_error = -errno;
		return;
	}
	/* /dev/kmsg supports SEEK_END: the next read returns the next new record. */
	if (lseek(k->fd, 0, SEEK_END) < 0) {
		k->open_error = -errno;
		close(k->fd);
		k->fd = -1;
	}
}

void kmsg_reader_close(struct kmsg_reader *k)
{
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
	k->n_pending = 0;
}

void kmsg_keep(struct kmsg_reader *k, const struct kmsg_oom *oom)
{
	if (k->n_pending == KMSG_PENDING_MAX) {
		memmove(&k->pending[0], &k->pending[1],
			(KMSG_PENDING_MAX - 1) * sizeof(k->pending[0]));
		k->n_pending--;
	}
	k->pending[k->n_pending++] = *oom;
}

void kmsg_reader_poll(struct kmsg_reader *k)
{
	char buf[KMSG_RECORD_MAX];
	struct kmsg_oom oom;

	for (int i = 0; k->fd >= 0 && i < KMSG_POLL_MAX; i++) {
		ssize_t n = read(k->fd, buf, sizeof(buf) - 1);

		if (n < 0 && errno == EPIPE)
			continue; /* records were overwritten before we read them */
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* EAGAIN: no more records */
		if (kmsg_parse_record(buf, (size_t)n, &oom) == 0 && oom.line == KMSG_OOM_SUMMARY)
			kmsg_keep(k, &oom);
	}
}

static bool cgroup_within(const char *path, const char *parent)
{
	size_t len = strlen(parent);

	if (strncmp(path, parent, len) != 0)
		return false;
	return path[len] == '\0' || path[len] == '/' || (len == 1 && parent[0] == '/');
}

bool kmsg_take_victim(struct kmsg_reader *k, const char *cgroup_path, pid_t *ret_pid,
		      char *ret_comm, size_t comm_size)
{
	for (size_t i = 0; i < k->n_pending; i++) {
		struct kmsg_oom *o = &k->pending[i];

		if (!cgroup_within(o->task_memcg, cgroup_path))
			continue;
		*ret_pid = o->pid;
		snprintf(ret_comm, comm_size, "%s", o->comm);
		memmove(&k->pending[i], &k->pending[i + 1],
			(k->n_pending - i - 1) * sizeof(k->pending[0]));
		k->n_pending--;
		return true;
	}
	return false;
}
