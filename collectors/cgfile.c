/* SPDX-License-Identifier: MIT */
/*
 * Kept cgroup file descriptors and their parsing. Files are opened and the
 * buffer is sized in cgfile_set_open(). cgfile_set_collect() only calls
 * pread() and the parsers, so a collection pass allocates nothing here.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "collectors/cgfile.h"
#include "common/parse.h"

/* The largest buffer a file set allocates. A larger file fails with -EFBIG. */
#define CGFILE_MAX_BUFFER (64u << 20)

int cgfile_open(const char *dir, const char *name, int *ret_fd)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;

	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	*ret_fd = fd;
	return 0;
}

int cgfile_read(int fd, char *buf, size_t cap, size_t *ret_len)
{
	size_t len = 0;

	/* A seq_file may return less than the whole file in one read (one page of
	 * records at a time), so read until end of file. */
	for (;;) {
		ssize_t n = pread(fd, buf + len, cap - len, (off_t)len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
		if (len < cap)
			continue;

		/* The buffer is full: the file fits only if nothing follows. */
		char extra;
		do
			n = pread(fd, &extra, 1, (off_t)len);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return -errno;
		if (n > 0)
			return -EFBIG;
		break;
	}
	*ret_len = len;
	return 0;
}

static int buffer_resize(char **buf, size_t *cap, size_t new_cap)
{
	char *p = realloc(*buf, new_cap);

	if (!p)
		return -ENOMEM;
	*buf = p;
	*cap = new_cap;
	return 0;
}

int cgfile_fit_buffer(int fd, char **buf, size_t *cap)
{
	size_t len;
	int r;

	if (!*buf) {
		r = buffer_resize(buf, cap, CGFILE_MIN_BUFFER);
		if (r < 0)
			return r;
	}
	while ((r = cgfile_read(fd, *buf, *cap, &len)) == -EFBIG) {
		if (*cap >= CGFILE_MAX_BUFFER)
			return -EFBIG;
		r = buffer_resize(buf, cap, *cap * 2);
		if (r < 0)
			return r;
	}
	if (r < 0)
		return r;

	/* Leave room for the file to grow to twice its size, in whole pages. */
	size_t want = (2 * len + CGFILE_MIN_BUFFER - 1) / CGFILE_MIN_BUFFER * CGFILE_MIN_BUFFER;
	if (want > *cap && want <= CGFILE_MAX_BUFFER)
		return buffer_resize(buf, cap, want);
	return 0;
}

/* Opens spec's file (or its fallback) for cg. Sets *ret_fd to -1 when neither
 * exists or the controller is not available. */
static int spec_open(const struct cgfile_spec *spec, const struct cg_paths *cg, int *ret_fd)
{
	const char *dir = cg->dir[spec->controller];
	int fd = -1;

	if (!dir) {
		*ret_fd = -1;
		return 0;
	}

	int r = cgfile_open(dir, spec->name, &fd);
	if (r == -ENOENT && spec->fallback)
		r = cgfile_open(dir, spec->fallback, &fd);
	if (r == -ENOENT) {
		*ret_fd = -1;
		return 0;
	}
	if (r < 0)
		return r;
	*ret_fd = fd;
	return 0;
}

int cgfile_set_open(const struct cgfile_spec *specs, size_t n_specs, const struct cg_paths *cg,
		    struct cgfile_set **ret)
{
	struct cgfile_set *set = calloc(1, sizeof(*set) + n_specs * sizeof(set->fds[0]));
	size_t n_open = 0;
	int r = 0;

	if (!set)
		return -ENOMEM;
	set->version = cg->version;
	set->specs = specs;
	set->n_specs = n_specs;
	for (size_t i = 0; i < n_specs; i++)
		set->fds[i] = -1;

	long hz = sysconf(_SC_CLK_TCK);
	set->user_hz = hz > 0 ? (unsigned long)hz : 100;

	for (size_t i = 0; i < n_specs; i++) {
		r = spec_open(&specs[i], cg, &set->fds[i]);
		if (r < 0)
			goto fail;
		if (set->fds[i] < 0)
			continue;
		n_open++;
		r = cgfile_fit_buffer(set->fds[i], &set->buf, &set->cap);
		if (r < 0)
			goto fail;
	}
	if (n_open == 0) {
		r = -ENOENT;
		goto fail;
	}
	*ret = set;
	return 0;

fail:
	cgfile_set_free(set);
	return r;
}

static int parse_value(const struct cgfile_spec *spec, const char *buf, size_t len,
		       struct sample *s)
{
	uint64_t v;
	int r;

	switch (spec->format) {
	case CGFILE_U64:
		r = parse_u64(buf, len, &v);
		break;
	case CGFILE_LIMIT:
		r = parse_limit(buf, len, &v);
		break;
	case CGFILE_CFS_QUOTA:
		r = cgparse_cfs_quota(buf, len, &v);
		break;
	default:
		return -EINVAL;
	}
	if (r < 0)
		return r;
	sample_set(s, spec->key, v);
	return 0;
}

static int parse_file(const struct cgfile_set *set, const struct cgfile_spec *spec, const char *buf,
		      size_t len, struct sample *s)
{
	uint64_t quota, period;
	int r;

	switch (spec->format) {
	case CGFILE_U64:
	case CGFILE_LIMIT:
	case CGFILE_CFS_QUOTA:
		return parse_value(spec, buf, len, s);
	case CGFILE_KEYED:
		return cgparse_keyed(buf, len, spec->keys, spec->n_keys, s);
	case CGFILE_CPU_MAX:
		r = cgparse_cpu_max(buf, len, &quota, &period);
		if (r < 0)
			return r;
		sample_set(s, SAMPLE_CPU_QUOTA_US, quota);
		sample_set(s, SAMPLE_CPU_PERIOD_US, period);
		return 0;
	case CGFILE_CPUACCT_STAT:
		return cgparse_cpuacct_stat(buf, len, set->user_hz, s);
	case CGFILE_IO_STAT:
		return cgparse_io_stat(buf, len, s);
	case CGFILE_BLKIO_BYTES:
		return cgparse_blkio_v1(buf, len, CGPARSE_BLKIO_BYTES, s);
	case CGFILE_BLKIO_OPS:
		return cgparse_blkio_v1(buf, len, CGPARSE_BLKIO_OPS, s);
	case CGFILE_PRESSURE:
		if (spec->n_keys != 2)
			return -EINVAL;
		return cgparse_pressure(buf, len, spec->keys[0].key, spec->keys[1].key, s);
	case _CGFILE_FORMAT_MAX:
		break;
	}
	return -EINVAL;
}

int cgfile_read_record(int fd, char *buf, size_t cap, size_t *ret_len)
{
	ssize_t n;

	do
		n = pread(fd, buf, cap, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n == cap)
		return cgfile_read(fd, buf, cap, ret_len);
	*ret_len = (size_t)n;
	return 0;
}

int cgfile_set_collect(struct cgfile_set *set, struct sample *s)
{
	for (size_t i = 0; i < set->n_specs; i++) {
		size_t len;

		if (set->fds[i] < 0)
			continue;
		int r = cgfile_read_record(set->fds[i], set->buf, set->cap, &len);
		if (r < 0)
			return r;
		r = parse_file(set, &set->specs[i], set->buf, len, s);
		if (r < 0)
			return r;
	}
	return 0;
}

void cgfile_set_free(struct cgfile_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n_specs; i++)
		if (set->fds[i] >= 0)
			close(set->fds[i]);
	free(set->buf);
	free(set);
}
