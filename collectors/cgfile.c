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
#include <string.h>
#include <sys/resource.h>
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

/* Descriptors kept by every file set; the pipeline runs on one thread. */
static size_t kept_fds_total;

/* The read buffer every file set shares, sized to twice the largest file
 * any of them read at open time, and freed with the last set. One buffer
 * per set cost 4 to 8 KiB per controller of each target. */
static char *shared_buf;
static size_t shared_cap;
static size_t n_sets;

size_t cgfile_kept_fds(void)
{
	return kept_fds_total;
}

/* Tells whether n more kept descriptors would pass half the open file
 * limit, leaving the rest for the agent's pidfds, OOM watches and
 * connections (about 5 per container on v1). */
static bool fd_budget_exceeded(size_t n)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return false;
	return kept_fds_total + n > rl.rlim_cur / 2;
}

/* Opens spec's file (or its fallback) for cg into slot. Leaves slot->name
 * NULL when neither exists or the controller is not available. */
static int spec_open(const struct cgfile_spec *spec, const struct cg_paths *cg,
		     struct cgfile_slot *slot)
{
	const char *dir = cg->dir[spec->controller];
	const char *name = spec->name;
	int fd = -1;

	slot->name = NULL;
	if (!dir)
		return 0;

	int r = cgfile_open(dir, name, &fd);
	if (r == -ENOENT && spec->fallback) {
		name = spec->fallback;
		r = cgfile_open(dir, name, &fd);
	}
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	slot->fd = fd;
	slot->name = name;
	return 0;
}

/* Opens the directory of each controller that set reads, once per distinct
 * directory (v2 shares one), for directory mode. */
static int set_open_dirs(struct cgfile_set *set, const struct cg_paths *cg)
{
	for (size_t i = 0; i < set->n_specs; i++) {
		enum cg_controller c = set->specs[i].controller;

		if (!set->slots[i].name || set->dirfds[c] >= 0)
			continue;
		for (int k = 0; k < _CG_CTRL_MAX; k++) {
			if (set->dirfds[k] >= 0 && cg->dir[k] &&
			    strcmp(cg->dir[k], cg->dir[c]) == 0) {
				set->dirfds[c] = fcntl(set->dirfds[k], F_DUPFD_CLOEXEC, 0);
				break;
			}
		}
		if (set->dirfds[c] < 0)
			set->dirfds[c] = open(cg->dir[c], O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (set->dirfds[c] < 0)
			return -errno;
		set->n_kept++;
	}
	return 0;
}

/* Closes the files set keeps open; their names stay. */
static void set_close_files(struct cgfile_set *set)
{
	for (size_t i = 0; i < set->n_specs; i++) {
		if (set->slots[i].fd >= 0)
			close(set->slots[i].fd);
		set->slots[i].fd = -1;
	}
}

/* Switches set to directory mode: closes the kept files and opens their
 * directories instead. */
static int set_use_dirs(struct cgfile_set *set, const struct cg_paths *cg)
{
	set_close_files(set);
	set->n_kept = 0;
	set->by_dir = true;
	return set_open_dirs(set, cg);
}

static int set_open_files(struct cgfile_set *set, const struct cg_paths *cg, size_t *ret_n_open)
{
	size_t n_open = 0;

	for (size_t i = 0; i < set->n_specs; i++) {
		int r = spec_open(&set->specs[i], cg, &set->slots[i]);
		if (r < 0)
			return r;
		if (!set->slots[i].name)
			continue;
		n_open++;
		r = cgfile_fit_buffer(set->slots[i].fd, &shared_buf, &shared_cap);
		if (r < 0)
			return r;
		/* In directory mode, the file was open only to size the buffer. */
		if (set->by_dir) {
			close(set->slots[i].fd);
			set->slots[i].fd = -1;
		}
	}
	*ret_n_open = n_open;
	return 0;
}

int cgfile_set_open(const struct cgfile_spec *specs, size_t n_specs, const struct cg_paths *cg,
		    struct cgfile_set **ret)
{
	struct cgfile_set *set = calloc(1, sizeof(*set) + n_specs * sizeof(set->slots[0]));
	size_t n_open = 0;
	int r = 0;

	if (!set)
		return -ENOMEM;
	n_sets++;
	set->version = cg->version;
	set->specs = specs;
	set->n_specs = n_specs;
	for (size_t i = 0; i < n_specs; i++)
		set->slots[i].fd = -1;
	for (int c = 0; c < _CG_CTRL_MAX; c++)
		set->dirfds[c] = -1;

	long hz = sysconf(_SC_CLK_TCK);
	set->user_hz = hz > 0 ? (unsigned long)hz : 100;

	set->by_dir = fd_budget_exceeded(n_specs);
	r = set_open_files(set, cg, &n_open);
	if ((r == -EMFILE || r == -ENFILE) && !set->by_dir) {
		set_close_files(set);
		set->by_dir = true;
		r = set_open_files(set, cg, &n_open);
	}
	if (r < 0)
		goto fail;
	if (n_open == 0) {
		r = -ENOENT;
		goto fail;
	}
	if (set->by_dir)
		r = set_use_dirs(set, cg);
	else
		set->n_kept = n_open;
	if (r < 0)
		goto fail;
	kept_fds_total += set->n_kept;
	*ret = set;
	return 0;

fail:
	set->n_kept = 0;
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

/* Opens, reads and closes one file in directory mode. */
static int read_by_dir(struct cgfile_set *set, const struct cgfile_spec *spec,
		       const struct cgfile_slot *slot, size_t *ret_len)
{
	int fd = openat(set->dirfds[spec->controller], slot->name, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	int r = cgfile_read_record(fd, shared_buf, shared_cap, ret_len);
	close(fd);
	return r;
}

/* Lists the sample keys a limit file sets; returns how many (at most 2). */
static size_t limit_keys(const struct cgfile_spec *spec, enum sample_key keys[2])
{
	switch (spec->format) {
	case CGFILE_U64:
	case CGFILE_LIMIT:
	case CGFILE_CFS_QUOTA:
		keys[0] = spec->key;
		return 1;
	case CGFILE_CPU_MAX:
		keys[0] = SAMPLE_CPU_QUOTA_US;
		keys[1] = SAMPLE_CPU_PERIOD_US;
		return 2;
	default:
		return 0;
	}
}

/* Keeps the values that a limit file just set in s. */
static void slot_remember(struct cgfile_slot *slot, const struct cgfile_spec *spec,
			  const struct sample *s)
{
	enum sample_key keys[2];
	size_t n = limit_keys(spec, keys);

	slot->n_cached = 0;
	for (size_t k = 0; k < n; k++) {
		uint64_t v;

		if (!sample_get(s, keys[k], &v))
			continue;
		slot->cache[slot->n_cached].key = keys[k];
		slot->cache[slot->n_cached].value = v;
		slot->n_cached++;
	}
	slot->cached = true;
}

/* Tells whether this pass may repeat the cached values of a limit file. */
static bool slot_use_cache(const struct cgfile_set *set, const struct cgfile_spec *spec,
			   const struct cgfile_slot *slot, const struct sample *s)
{
	enum sample_key keys[2];

	return spec->is_limit && slot->cached && !s->reread_limits &&
	       set->n_passes % CGFILE_LIMIT_INTERVAL != 0 && limit_keys(spec, keys) > 0;
}

int cgfile_set_collect(struct cgfile_set *set, struct sample *s)
{
	for (size_t i = 0; i < set->n_specs; i++) {
		size_t len;

		struct cgfile_slot *slot = &set->slots[i];
		int r;

		if (!slot->name)
			continue;
		if (slot_use_cache(set, &set->specs[i], slot, s)) {
			for (unsigned k = 0; k < slot->n_cached; k++)
				sample_set(s, slot->cache[k].key, slot->cache[k].value);
			continue;
		}
		if (set->by_dir)
			r = read_by_dir(set, &set->specs[i], slot, &len);
		else
			r = cgfile_read_record(slot->fd, shared_buf, shared_cap, &len);
		if (r < 0)
			return r;
		r = parse_file(set, &set->specs[i], shared_buf, len, s);
		if (r < 0)
			return r;
		if (set->specs[i].is_limit)
			slot_remember(slot, &set->specs[i], s);
	}
	set->n_passes++;
	return 0;
}

void cgfile_set_free(struct cgfile_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n_specs; i++)
		if (set->slots[i].fd >= 0)
			close(set->slots[i].fd);
	for (int c = 0; c < _CG_CTRL_MAX; c++)
		if (set->dirfds[c] >= 0)
			close(set->dirfds[c]);
	kept_fds_total -= set->n_kept;
	if (--n_sets == 0) {
		free(shared_buf);
		shared_buf = NULL;
		shared_cap = 0;
	}
	free(set);
}
