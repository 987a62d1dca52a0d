/* SPDX-License-Identifier: MIT */
/*
 * Host-wide figures a pass needs beside the targets: total CPU time and online
 * CPUs from <proc_root>/stat, and MemTotal from <proc_root>/meminfo. Only the
 * head of each file is read, because the values come first. The pipeline
 * keeps /proc/stat open and reads it with pread() each pass.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collectors/cgfile.h"
#include "collectors/cgparse.h"
#include "collectors/pipeline.h"

/* The longest "cpuN" line: the name and ten 20-digit counters with spaces. */
#define STAT_CPU_LINE_MAX 256
#define MEMINFO_HEAD	  4096

/* Reads up to cap bytes from the start of fd. When *ret_len == cap, the file
 * may continue. */
static int read_head_fd(int fd, char *buf, size_t cap, size_t *ret_len)
{
	size_t len = 0;

	while (len < cap) {
		ssize_t n = pread(fd, buf + len, cap - len, (off_t)len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*ret_len = len;
	return 0;
}

/* Reads up to cap bytes from the start of <proc_root>/name. */
static int read_head(const char *proc_root, const char *name, char *buf, size_t cap,
		     size_t *ret_len)
{
	int fd, r = cgfile_open(proc_root, name, &fd);

	if (r < 0)
		return r;
	r = read_head_fd(fd, buf, cap, ret_len);
	close(fd);
	return r;
}

/* Returns the length of buf up to and including its last newline. */
static size_t complete_lines(const char *buf, size_t len)
{
	const char *nl = memrchr(buf, '\n', len);

	return nl ? (size_t)(nl - buf) + 1 : 0;
}

/* The configured CPUs and USER_HZ, asked once: glibc reads
 * /sys/devices/system/cpu/possible for the first on every call. */
static long conf_cpus, conf_hz;

static void host_conf_init(void)
{
	if (conf_hz > 0)
		return;
	conf_cpus = sysconf(_SC_NPROCESSORS_CONF);
	if (conf_cpus < 1)
		conf_cpus = 1;
	conf_hz = sysconf(_SC_CLK_TCK);
}

size_t host_stat_buffer_size(void)
{
	host_conf_init();
	return ((size_t)conf_cpus + 2) * STAT_CPU_LINE_MAX;
}

int host_read_cpu_fd(int fd, char *buf, size_t cap, uint64_t *ret_ns, unsigned *ret_online)
{
	size_t len, complete;
	uint64_t ns;
	unsigned online;

	host_conf_init();
	if (conf_hz < 1)
		return -EINVAL;
	int r = read_head_fd(fd, buf, cap, &len);
	if (r < 0)
		return r;
	/* When the buffer is full, parse the complete lines only. The cpu lines
	 * are all there if the parser stopped at another line, or if the cut
	 * line is clearly not a cpu line. */
	complete = len == cap ? complete_lines(buf, len) : len;
	r = cgparse_proc_stat(buf, complete, (unsigned long)conf_hz, &ns, &online);
	if (r == 0 && len == cap && (len - complete < 4 || memcmp(buf + complete, "cpu", 3) == 0))
		r = -EFBIG;
	if (r < 0)
		return r;
	*ret_ns = ns;
	*ret_online = online;
	return 0;
}

int host_read_cpu(const char *proc_root, uint64_t *ret_ns, unsigned *ret_online)
{
	size_t cap = host_stat_buffer_size();
	char *buf = malloc(cap);
	int fd, r;

	if (!buf)
		return -ENOMEM;
	r = cgfile_open(proc_root, "stat", &fd);
	if (r == 0) {
		r = host_read_cpu_fd(fd, buf, cap, ret_ns, ret_online);
		close(fd);
	}
	free(buf);
	return r;
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
