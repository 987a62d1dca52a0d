/* SPDX-License-Identifier: MIT */
/*
 * Formatting and parsing of the exit file, and rt_read_exit(). Linked into
 * both the runtime library and the static mstat-init, so it depends on libc
 * and common/parse.c only.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/parse.h"
#include "runtime/exit_status.h"
#include "runtime/runtime.h"

#define EXITED_PREFIX	"exited "
#define SIGNALED_PREFIX "signaled "

int rt_exit_status_format(int wait_status, char *buf, size_t size)
{
	int n;

	if (WIFEXITED(wait_status))
		n = snprintf(buf, size, EXITED_PREFIX "%d\n", WEXITSTATUS(wait_status));
	else if (WIFSIGNALED(wait_status))
		n = snprintf(buf, size, SIGNALED_PREFIX "%d\n", WTERMSIG(wait_status));
	else
		return -EINVAL;
	if (n < 0 || (size_t)n >= size)
		return -ENOSPC;
	return n;
}

int rt_exit_code_from_wait_status(int wait_status)
{
	if (WIFSIGNALED(wait_status))
		return 128 + WTERMSIG(wait_status);
	return WEXITSTATUS(wait_status);
}

static bool has_prefix(const char *buf, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && memcmp(buf, prefix, n) == 0;
}

int rt_exit_status_parse(const char *buf, size_t len, int *ret_code)
{
	uint64_t value;
	size_t skip;
	uint64_t max, base;

	if (len == 0)
		return -ENOENT;
	if (has_prefix(buf, len, EXITED_PREFIX)) {
		skip = strlen(EXITED_PREFIX);
		max = 255;
		base = 0;
	} else if (has_prefix(buf, len, SIGNALED_PREFIX)) {
		skip = strlen(SIGNALED_PREFIX);
		max = 64; /* _NSIG - 1 on Linux */
		base = 128;
	} else {
		return -EINVAL;
	}
	if (parse_u64(buf + skip, len - skip, &value) < 0 || value > max)
		return -EINVAL;
	if (base && value == 0)
		return -EINVAL;
	*ret_code = (int)(base + value);
	return 0;
}

int rt_read_exit_time(const char *state_dir, uint64_t *ret_ns)
{
	char path[PATH_MAX];
	struct stat st;

	if (snprintf(path, sizeof(path), "%s/%s", state_dir, RT_EXIT_FILE) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	if (stat(path, &st) < 0)
		return -errno;
	*ret_ns = (uint64_t)st.st_mtim.tv_sec * 1000000000ULL + (uint64_t)st.st_mtim.tv_nsec;
	return 0;
}

int rt_read_exit(const char *state_dir, int *ret_code)
{
	char path[PATH_MAX], buf[64];
	ssize_t n;
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", state_dir, RT_EXIT_FILE) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do
		n = read(fd, buf, sizeof(buf));
	while (n < 0 && errno == EINTR);
	int saved = errno;
	(void)close(fd);
	if (n < 0)
		return -saved;
	return rt_exit_status_parse(buf, (size_t)n, ret_code);
}
