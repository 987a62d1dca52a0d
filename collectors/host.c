/* SPDX-License-Identifier: MIT */
/*
 * Host-wide figures a pass needs beside the targets: total CPU time and online
 * CPUs from <proc_root>/stat, and MemTotal from <proc_root>/meminfo. Only the
 * head of each file is read, because the values come first.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collectors/cgparse.h"
#include "collectors/pipeline.h"

/* The longest "cpuN" line: the name and ten 20-digit counters with spaces. */
#define STAT_CPU_LINE_MAX 256
#define MEMINFO_HEAD	  4096

/* Reads up to cap bytes from the start of a file. When *ret_len == cap, the
 * file may continue. */
static int read_head(const char *proc_root, const char *name, char *buf, size_t cap,
		     size_t *ret_len)
{
	char path[PATH_MAX];
	size_t len = 0;
	int r = 0;

	if (snprintf(path, sizeof(path), "%s/%s", proc_root, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;

	while (len < cap) {
		ssize_t n = pread(fd, buf + len, cap - len, (off_t)len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (r < 0)
		return r;
	*ret_len = len;
	return 0;
}

/* Returns the length of buf up to and including its last newline. */
static size_t complete_lines(const char *buf, size_t len)
{
	const char *nl = memrchr(buf, '\n', len);

	return nl ? (size_t)(nl - buf) + 1 : 0;
}

int host_read_cpu(const char *proc_root, uint64_t *ret_ns, unsigned *ret_online)
{
	long n_cpus = sysconf(_SC_NPROCESSORS_CONF);
	long hz = sysconf(_SC_CLK_TCK);
	size_t len, cap, complete;
	uint64_t ns;
	unsigned online;

	if (n_cpus < 1)
		n_cpus = 1;
	if (hz < 1)
		return -EINVAL;
	cap = ((size_t)n_cpus + 2) * STAT_CPU_LINE_MAX;

	char *buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	int r = read_head(proc_root, "stat", buf, cap, &len);
	if (r < 0)
		goto out;

	/* When the buffer is full, parse the complete lines only. The cpu lines
	 * are all there if the parser stopped at another line, or if the cut
	 * line is clearly not a cpu line. */
	complete = len == cap ? complete_lines(buf, len) : len;
	r = cgparse_proc_stat(buf, complete, (unsigned long)hz, &ns, &online);
	if (r == 0 && len == cap && (len - complete < 4 || memcmp(buf + complete, "cpu", 3) == 0))
		r = -EFBIG;
out:
	free(buf);
	if (r < 0)
		return r;

	*ret_ns = ns;
	*ret_online = online;
	return 0;
}

int host_read_memtotal(const char *proc_root, uint64_t *ret_bytes)
{
	char buf[MEMINFO_HEAD];
	size_t len;

	int r = read_head(proc_root, "meminfo", buf, sizeof(buf), &len);
	if (r < 0)
		return r;
	if (len == sizeof(buf))
		len = complete_lines(buf, len);
	return cgparse_meminfo_total(buf, len, ret_bytes);
}
