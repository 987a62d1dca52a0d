/* SPDX-License-Identifier: MIT */
/*
 * The container output log (format in logfile.h): appending with rotation in
 * the main thread, and reading across the rotated files in HTTP threads.
 * Readers never take a lock: a record is written with one writev(), and a
 * record cut short at the end of a file is read again once it is complete.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "agent/frame.h"
#include "agent/logfile.h"

/* Records per writev(): two iovecs each. */
#define LOGFILE_BATCH 64

static void put_be32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (24 - 8 * i));
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void logfile_header_encode(uint8_t out[LOGFILE_HEADER_SIZE])
{
	memcpy(out, LOGFILE_MAGIC, 8);
	put_be32(out + 8, LOGFILE_VERSION);
	put_be32(out + 12, 0);
}

int logfile_header_version(const uint8_t in[LOGFILE_HEADER_SIZE])
{
	if (memcmp(in, LOGFILE_MAGIC, 8) != 0)
		return -EINVAL;
	return (int)(get_be32(in + 8) & 0x7fffffff);
}

void logfile_record_header_encode(uint8_t out[LOGFILE_RECORD_HEADER_SIZE],
				  const struct logfile_record *rec)
{
	out[0] = (uint8_t)rec->stream;
	out[1] = out[2] = out[3] = 0;
	put_be32(out + 4, rec->len);
	put_be32(out + 8, (uint32_t)(rec->time_ns >> 32));
	put_be32(out + 12, (uint32_t)rec->time_ns);
}

int logfile_record_header_decode(const uint8_t in[LOGFILE_RECORD_HEADER_SIZE],
				 struct logfile_record *ret)
{
	uint32_t len = get_be32(in + 4);

	if ((in[0] != FRAME_STREAM_STDOUT && in[0] != FRAME_STREAM_STDERR) || in[1] || in[2] ||
	    in[3] || len > LOGFILE_RECORD_MAX)
		return -EINVAL;
	ret->stream = in[0];
	ret->len = len;
	ret->time_ns = (uint64_t)get_be32(in + 8) << 32 | get_be32(in + 12);
	return 0;
}

/* dir/output.log for index 0, dir/output.log.INDEX otherwise. */
static int log_path(char *buf, size_t size, const char *dir, unsigned index)
{
	int n = index == 0 ? snprintf(buf, size, "%s/%s", dir, LOGFILE_NAME)
			   : snprintf(buf, size, "%s/%s.%u", dir, LOGFILE_NAME, index);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

void logfile_writer_init(struct logfile_writer *w)
{
	memset(w, 0, sizeof(*w));
	w->fd = -1;
}

void logfile_writer_close(struct logfile_writer *w)
{
	if (w->fd >= 0)
		(void)close(w->fd);
	w->fd = -1;
	w->size = 0;
}

/* Creates an empty output.log with its header. */
static int writer_create(struct logfile_writer *w)
{
	uint8_t header[LOGFILE_HEADER_SIZE];
	char path[PATH_MAX];
	int r = log_path(path, sizeof(path), w->dir, 0);

	if (r < 0)
		return r;
	w->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (w->fd < 0)
		return -errno;
	logfile_header_encode(header);
	if (write(w->fd, header, sizeof(header)) != (ssize_t)sizeof(header)) {
		r = errno ? -errno : -EIO;
		logfile_writer_close(w);
		return r;
	}
	w->size = sizeof(header);
	return 0;
}

/* Shifts output.log.I to output.log.I+1, dropping the oldest, and starts a
 * new output.log. */
static int writer_rotate(struct logfile_writer *w)
{
	char from[PATH_MAX], to[PATH_MAX];
	unsigned keep = w->limits.max_files;

	logfile_writer_close(w);
	/* The file one past the oldest kept, left by a larger max_files. */
	if (log_path(to, sizeof(to), w->dir, keep) == 0)
		(void)unlink(to);
	if (keep <= 1) {
		if (log_path(from, sizeof(from), w->dir, 0) == 0)
			(void)unlink(from);
	}
	for (unsigned i = keep - 1; i >= 1 && keep > 1; i--) {
		if (log_path(from, sizeof(from), w->dir, i - 1) < 0 ||
		    log_path(to, sizeof(to), w->dir, i) < 0)
			return -ENAMETOOLONG;
		if (rename(from, to) < 0 && errno != ENOENT)
			return -errno;
	}
	return writer_create(w);
}

int logfile_writer_open(struct logfile_writer *w, const char *dir,
			const struct logfile_limits *limits)
{
	uint8_t header[LOGFILE_HEADER_SIZE];
	char path[PATH_MAX];
	struct stat st;
	int r;

	logfile_writer_close(w);
	w->dir = dir;
	w->limits = *limits;
	if (w->limits.max_files < 1)
		w->limits.max_files = 1;
	r = log_path(path, sizeof(path), dir, 0);
	if (r < 0)
		return r;
	w->fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (w->fd < 0)
		return -errno;
	if (fstat(w->fd, &st) < 0) {
		r = -errno;
		logfile_writer_close(w);
		return r;
	}
	if (st.st_size == 0) {
		logfile_writer_close(w);
		return writer_create(w);
	}
	/* Only a file of this version is appended to; an older one is kept
	 * as output.log.1 and read in its own format. */
	if (pread(w->fd, header, sizeof(header), 0) != (ssize_t)sizeof(header) ||
	    logfile_header_version(header) != LOGFILE_VERSION)
		return writer_rotate(w);
	w->size = (uint64_t)st.st_size;
	return 0;
}

static int writer_flush(struct logfile_writer *w, struct iovec *iov, int *n_iov, size_t *bytes)
{
	ssize_t n;

	if (*n_iov == 0)
		return 0;
	n = writev(w->fd, iov, *n_iov);
	*n_iov = 0;
	if (n < 0)
		return -errno;
	w->size += (uint64_t)n;
	if ((size_t)n != *bytes) {
		*bytes = 0;
		return -EIO;
	}
	*bytes = 0;
	return 0;
}

int logfile_writer_append(struct logfile_writer *w, int stream, uint64_t time_ns, const void *data,
			  size_t len)
{
	uint8_t headers[LOGFILE_BATCH][LOGFILE_RECORD_HEADER_SIZE];
	struct iovec iov[2 * LOGFILE_BATCH];
	const char *p = data, *end = p + len;
	size_t batch_bytes = 0;
	int n_iov = 0, r;

	if (w->fd < 0)
		return -EBADF;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t line = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		struct logfile_record rec = { .stream = stream, .time_ns = time_ns };
		size_t rec_bytes;

		if (line > LOGFILE_RECORD_MAX)
			line = LOGFILE_RECORD_MAX;
		rec.len = (uint32_t)line;
		rec_bytes = LOGFILE_RECORD_HEADER_SIZE + line;

		if (w->size + batch_bytes > LOGFILE_HEADER_SIZE &&
		    w->size + batch_bytes + rec_bytes > w->limits.max_size) {
			r = writer_flush(w, iov, &n_iov, &batch_bytes);
			if (r == 0)
				r = writer_rotate(w);
			if (r < 0)
				return r;
		} else if (n_iov == 2 * LOGFILE_BATCH) {
			r = writer_flush(w, iov, &n_iov, &batch_bytes);
			if (r < 0)
				return r;
		}
		uint8_t *header = headers[n_iov / 2];

		logfile_record_header_encode(header, &rec);
		iov[n_iov] =
		    (struct iovec){ .iov_base = header, .iov_len = LOGFILE_RECORD_HEADER_SIZE };
		iov[n_iov + 1] = (struct iovec){ .iov_base = (void *)p, .iov_len = line };
		n_iov += 2;
		batch_bytes += rec_bytes;
		p += line;
	}
	return writer_flush(w, iov, &n_iov, &batch_bytes);
}

int logfile_reader_open(struct logfile_reader *r, const char *dir)
{
	char path[PATH_MAX];
	int fds[LOGFILE_MAX_FILES_LIMIT];
	unsigned n = 0;

	memset(r, 0, sizeof(*r));
	if (log_path(r->path, sizeof(r->path), dir, 0) < 0)
		return -ENAMETOOLONG;
	/* Rotated files from the newest (1) on, stopping at the first gap. */
	for (unsigned i = 1; i < LOGFILE_MAX_FILES_LIMIT; i++) {
		int fd;

		if (log_path(path, sizeof(path), dir, i) < 0)
			break;
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			break;
		fds[n++] = fd;
	}
	for (unsigned i = 0; i < n; i++)
		r->fds[i] = fds[n - 1 - i];
	r->n = n;
	int fd = open(r->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno != ENOENT) {
		int e = -errno;

		logfile_reader_close(r);
		return e;
	}
	if (fd >= 0)
		r->fds[r->n++] = fd;
	return 0;
}

void logfile_reader_close(struct logfile_reader *r)
{
	for (unsigned i = 0; i < r->n; i++)
		(void)close(r->fds[i]);
	r->n = 0;
	r->cur = 0;
}

static bool reader_at_last(const struct logfile_reader *r)
{
	return r->cur + 1 >= r->n;
}

static void reader_advance(struct logfile_reader *r)
{
	r->cur++;
	r->offset = 0;
	r->header_read = false;
}

/* Checks the header of the current file. Returns 1 when the file can be
 * read, 0 when its header is not complete yet. */
static int reader_check_header(struct logfile_reader *r)
{
	uint8_t header[LOGFILE_HEADER_SIZE];
	ssize_t n = pread(r->fds[r->cur], header, sizeof(header), 0);

	if (n < 0)
		return -errno;
	if (n == (ssize_t)sizeof(header) && logfile_header_version(header) == LOGFILE_VERSION) {
		r->legacy[r->cur] = false;
		r->offset = LOGFILE_HEADER_SIZE;
	} else if (n > 0 && memcmp(header, LOGFILE_MAGIC, (size_t)n < 8 ? (size_t)n : 8) != 0) {
		r->legacy[r->cur] = true;
		r->offset = 0;
	} else if (n == (ssize_t)sizeof(header)) {
		return -EPROTO; /* a version this mstatd does not know */
	} else {
		return 0; /* empty, or the header is being written */
	}
	r->header_read = true;
	return 1;
}

static int reader_decode(const struct logfile_reader *r, const uint8_t *hdr,
			 struct logfile_record *rec)
{
	if (!r->legacy[r->cur])
		return logfile_record_header_decode(hdr, rec);

	int stream;
	uint32_t len;

	if (frame_header_decode(hdr, &stream, &len) < 0 || len > LOGFILE_RECORD_MAX)
		return -EINVAL;
	rec->stream = stream == FRAME_STREAM_STDERR ? FRAME_STREAM_STDERR : FRAME_STREAM_STDOUT;
	rec->len = len;
	rec->time_ns = 0;
	return 0;
}

/* Reads the record at the reader's offset. Returns 1, or 0 when it is not
 * complete in the file. */
static int reader_read_record(struct logfile_reader *r, struct logfile_record *rec,
			      uint8_t *payload)
{
	uint8_t hdr[LOGFILE_RECORD_HEADER_SIZE];
	size_t hsize = r->legacy[r->cur] ? FRAME_HEADER_SIZE : LOGFILE_RECORD_HEADER_SIZE;
	int fd = r->fds[r->cur];
	ssize_t n = pread(fd, hdr, hsize, (off_t)r->offset);
	struct stat st;

	if (n < 0)
		return -errno;
	if ((size_t)n < hsize)
		return 0;
	if (reader_decode(r, hdr, rec) < 0)
		return -EPROTO;
	if (payload) {
		n = pread(fd, payload, rec->len, (off_t)(r->offset + hsize));
		if (n < 0)
			return -errno;
		if ((size_t)n < rec->len)
			return 0;
	} else {
		if (fstat(fd, &st) < 0)
			return -errno;
		if ((uint64_t)st.st_size < r->offset + hsize + rec->len)
			return 0;
	}
	r->offset += hsize + rec->len;
	return 1;
}

int logfile_reader_next(struct logfile_reader *r, struct logfile_record *rec, uint8_t *payload)
{
	for (;;) {
		int k;

		if (r->cur >= r->n)
			return 0;
		if (!r->header_read) {
			k = reader_check_header(r);
			if (k < 0)
				return k;
			if (k == 0 && reader_at_last(r))
				return 0;
			if (k == 0) {
				reader_advance(r);
				continue;
			}
		}
		k = reader_read_record(r, rec, payload);
		if (k != 0)
			return k;
		/* A rotated file is complete: what is missing will not come. */
		if (reader_at_last(r))
			return 0;
		reader_advance(r);
	}
}

int logfile_reader_follow_rotation(struct logfile_reader *r)
{
	struct stat now, open_st;
	int fd;

	if (stat(r->path, &now) < 0)
		return 0;
	if (r->n > 0 && fstat(r->fds[r->n - 1], &open_st) == 0 && open_st.st_ino == now.st_ino &&
	    open_st.st_dev == now.st_dev)
		return 0;

	fd = open(r->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return 0;
	if (r->n == LOGFILE_MAX_FILES_LIMIT) {
		/* Only files before the current one can go. */
		(void)close(r->fds[0]);
		memmove(r->fds, r->fds + 1, (r->n - 1) * sizeof(r->fds[0]));
		memmove(r->legacy, r->legacy + 1, (r->n - 1) * sizeof(r->legacy[0]));
		r->n--;
		r->cur--;
	}
	/* The reader stays on the old file, so that a record written to it
	 * just before the rotation is still read. */
	r->fds[r->n++] = fd;
	return 1;
}

static void reader_rewind(struct logfile_reader *r)
{
	r->cur = 0;
	r->offset = 0;
	r->header_read = false;
}

int logfile_reader_tail(struct logfile_reader *r, uint64_t n)
{
	struct logfile_record rec;
	uint64_t total = 0;
	int k;

	reader_rewind(r);
	while ((k = logfile_reader_next(r, &rec, NULL)) == 1)
		total++;
	if (k < 0)
		return k;
	reader_rewind(r);
	for (uint64_t skip = total > n ? total - n : 0; skip > 0; skip--) {
		k = logfile_reader_next(r, &rec, NULL);
		if (k < 0)
			return k;
	}
	return 0;
}
