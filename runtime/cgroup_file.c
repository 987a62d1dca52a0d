/* SPDX-License-Identifier: MIT */
/*
 * Control-file access shared by both cgroup backends. Every path given here is
 * a cgroup directory the runtime created; nothing here walks other cgroups.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/parse.h"
#include "runtime/cgroup_file.h"

/* Retry budget of cg_dir_remove() and cg_procs_kill(): 50 x 20 ms = 1 s. */
#define CG_RETRY_COUNT	  50
#define CG_RETRY_DELAY_NS (20 * 1000 * 1000L)

static void sleep_retry_delay(void)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = CG_RETRY_DELAY_NS };

	(void)nanosleep(&ts, NULL);
}

static int open_at_dir(const char *dir, const char *file, int flags)
{
	char path[4096];

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	int fd = open(path, flags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int cg_file_write(const char *dir, const char *file, const char *value, struct mst_err *err)
{
	size_t len = strlen(value);
	int fd = open_at_dir(dir, file, O_WRONLY);

	if (fd < 0)
		return err_set(err, -fd, "open %s/%s", dir, file);

	ssize_t n = write(fd, value, len);
	int saved = errno;
	(void)close(fd);
	if (n < 0)
		return err_set(err, saved, "write '%s' to %s/%s", value, dir, file);
	if ((size_t)n != len)
		return err_setx(err, EIO, "write '%s' to %s/%s: short write", value, dir, file);
	return 0;
}

int cg_file_read(const char *dir, const char *file, char *buf, size_t size, size_t *ret_len)
{
	size_t len = 0;
	int fd = open_at_dir(dir, file, O_RDONLY);

	if (fd < 0)
		return fd;
	while (len + 1 < size) {
		ssize_t n = read(fd, buf + len, size - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int saved = errno;
			(void)close(fd);
			return -saved;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	(void)close(fd);
	buf[len] = '\0';
	*ret_len = len;
	return 0;
}

bool cg_file_exists(const char *dir, const char *file)
{
	char path[4096];

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
		return false;
	return access(path, F_OK) == 0;
}

struct key_lookup {
	const char *key;
	uint64_t value;
	int result;
};

static int key_lookup_cb(const char *key, size_t key_len, const char *value, size_t value_len,
			 void *userdata)
{
	struct key_lookup *k = userdata;

	if (!key_eq(key, key_len, k->key))
		return 0;
	k->result = parse_u64(value, value_len, &k->value);
	return 0;
}

int cg_file_read_key(const char *dir, const char *file, const char *key, uint64_t *ret)
{
	char buf[4096];
	size_t len = 0;
	struct key_lookup k = { .key = key, .result = -ENODATA };

	int r = cg_file_read(dir, file, buf, sizeof(buf), &len);
	if (r < 0)
		return r;
	r = parse_kv_lines(buf, len, key_lookup_cb, &k);
	if (r < 0)
		return r;
	if (k.result < 0)
		return k.result;
	*ret = k.value;
	return 0;
}

/* Reads the whole of dir/file into a new NUL-terminated buffer. */
static int read_all(const char *dir, const char *file, char **ret_buf, size_t *ret_len)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	int fd = open_at_dir(dir, file, O_RDONLY);
	int r = 0;

	if (fd < 0) {
		free(buf);
		return fd;
	}
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	for (;;) {
		if (cap - len < 2) {
			char *bigger = realloc(buf, cap * 2);

			if (!bigger) {
				r = -ENOMEM;
				goto out;
			}
			buf = bigger;
			cap *= 2;
		}
		ssize_t n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*ret_buf = buf;
	*ret_len = len;
	buf = NULL;
out:
	free(buf);
	(void)close(fd);
	return r;
}

int cg_procs_read(const char *dir, pid_t **ret_pids, size_t *ret_n)
{
	char *buf = NULL;
	size_t len = 0, n = 0;
	int r = read_all(dir, "cgroup.procs", &buf, &len);

	if (r < 0)
		return r;

	/* Every line has at least two bytes ("1\n"), so len / 2 + 1 entries are enough. */
	pid_t *pids = calloc(len / 2 + 1, sizeof(*pids));
	if (!pids) {
		free(buf);
		return -ENOMEM;
	}
	for (char *line = buf; *line;) {
		char *nl = strchr(line, '\n');
		size_t line_len = nl ? (size_t)(nl - line) : strlen(line);
		uint64_t pid;

		if (parse_u64(line, line_len, &pid) == 0 && pid > 0 && pid <= INT32_MAX)
			pids[n++] = (pid_t)pid;
		line += line_len + (nl ? 1 : 0);
	}
	free(buf);
	*ret_pids = pids;
	*ret_n = n;
	return 0;
}

int cg_procs_kill(const char *dir, int sig, struct mst_err *err)
{
	for (int round = 0; round < CG_RETRY_COUNT; round++) {
		pid_t *pids;
		size_t n;
		int r = cg_procs_read(dir, &pids, &n);

		if (r == -ENOENT || r == -ENODEV)
			return 0;
		if (r < 0)
			return err_set(err, -r, "read %s/cgroup.procs", dir);
		for (size_t i = 0; i < n; i++)
			(void)kill(pids[i], sig);
		free(pids);
		if (n == 0 || sig != SIGKILL)
			return 0;
		sleep_retry_delay();
	}
	return err_setx(err, EBUSY,
			"processes of %s are still listed after SIGKILL for 1 s; "
			"a process in uninterruptible sleep may be holding it",
			dir);
}

int cg_procs_count(const char *dir, unsigned *ret)
{
	pid_t *pids;
	size_t n;
	int r = cg_procs_read(dir, &pids, &n);

	if (r < 0)
		return r;
	free(pids);
	*ret = (unsigned)n;
	return 0;
}

int cg_dir_remove(const char *dir, struct mst_err *err)
{
	for (int round = 0; round < CG_RETRY_COUNT; round++) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return err_set(err, errno, "remove cgroup %s", dir);
		sleep_retry_delay();
	}
	return err_setx(err, EBUSY,
			"remove cgroup %s: processes are still in it after 1 s; "
			"kill them first",
			dir);
}

int cg_memory_plan_from_limits(const struct rt_limits *limits, struct cg_memory_plan *ret,
			       struct mst_err *err)
{
	struct cg_memory_plan plan = { .memory = limits->memory };
	int64_t swap = limits->memory_swap;

	if (swap == -1) {
		plan.set_swap = true;
		plan.swap_unlimited = true;
	} else if (swap > 0) {
		if (limits->memory == 0)
			return err_setx(err, EINVAL, "invalid memory_swap %lld: set memory as well",
					(long long)swap);
		if ((uint64_t)swap < limits->memory)
			return err_setx(err, EINVAL,
					"invalid memory_swap %lld: it is below memory %llu",
					(long long)swap, (unsigned long long)limits->memory);
		plan.set_swap = true;
		plan.memory_and_swap = (uint64_t)swap;
	} else if (swap == 0 && limits->memory > 0) {
		/* Docker: without --memory-swap the container may use as much swap
		 * as memory. */
		plan.set_swap = true;
		if (limits->memory > UINT64_MAX / 2)
			plan.swap_unlimited = true;
		else
			plan.memory_and_swap = 2 * limits->memory;
	} else if (swap < -1) {
		return err_setx(err, EINVAL, "invalid memory_swap %lld", (long long)swap);
	}
	*ret = plan;
	return 0;
}
