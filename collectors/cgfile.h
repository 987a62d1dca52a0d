/* SPDX-License-Identifier: MIT */
/*
 * Kept file descriptors for the built-in collectors. A file set opens a table
 * of cgroup files once, grows the read buffer all sets share, and on each
 * collect() re-reads every file with pread() at offset 0 and parses it into a
 * sample, without allocating. Internal to collectors/.
 */
#ifndef MSTAT_COLLECTORS_CGFILE_H
#define MSTAT_COLLECTORS_CGFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "collectors/cgparse.h"
#include "collectors/sample.h"
#include "common/cglayout.h"

/* The parse rule that turns a file's content into sample values. */
enum cgfile_format {
	CGFILE_U64,	     /* one decimal into key */
	CGFILE_LIMIT,	     /* a decimal or "max" into key (parse_limit) */
	CGFILE_KEYED,	     /* a flat keyed file through keys[] */
	CGFILE_CFS_QUOTA,    /* v1 cpu.cfs_quota_us into key */
	CGFILE_CPU_MAX,	     /* v2 cpu.max into SAMPLE_CPU_QUOTA_US and _PERIOD_US */
	CGFILE_CPUACCT_STAT, /* v1 cpuacct.stat into SAMPLE_CPU_USER_NS and _SYSTEM_NS */
	CGFILE_IO_STAT,	     /* v2 io.stat */
	CGFILE_BLKIO_BYTES,  /* v1 blkio.throttle.io_service_bytes* */
	CGFILE_BLKIO_OPS,    /* v1 blkio.throttle.io_serviced* */
	CGFILE_PRESSURE,     /* v2 *.pressure into keys[0] ("some") and keys[1] ("full") */
	_CGFILE_FORMAT_MAX,
};

/* One cgroup file a collector reads. */
struct cgfile_spec {
	enum cg_controller controller; /* whose directory contains the file */
	const char *name;
	const char *fallback; /* opened when name is missing; may be NULL */
	enum cgfile_format format;
	enum sample_key key;
	const struct cgparse_key *keys; /* CGFILE_KEYED only */
	size_t n_keys;
	/* A configured limit (CGFILE_U64, _LIMIT, _CFS_QUOTA or _CPU_MAX),
	 * read every CGFILE_LIMIT_INTERVAL passes and repeated from the last
	 * read in between. */
	bool is_limit;
};

/* Passes between two reads of a limit file. mstatd writes a container's
 * limits before it starts and at `mstat update`, after which the pipeline
 * sets sample.reread_limits, so re-reading them on every pass cost six of the
 * nineteen reads per v1 target for nothing. NOTE: a limit that another
 * process changes (on a --watch cgroup) shows up to this many passes late. */
#define CGFILE_LIMIT_INTERVAL 10

/* One file of a set: its kept descriptor, or in directory mode only its
 * name, opened with openat() on the kept directory at each read. */
struct cgfile_slot {
	int fd;		  /* the kept file; -1 when missing or in directory mode */
	const char *name; /* the name found (spec name or fallback); NULL when missing */
	bool cached;	  /* a limit file read at least once */
	unsigned n_cached;
	struct {
		enum sample_key key;
		uint64_t value;
	} cache[2]; /* the values a limit file set at its last read */
};

struct cgfile_set {
	enum cg_version version;
	const struct cgfile_spec *specs;
	size_t n_specs;
	unsigned long user_hz;	    /* sysconf(_SC_CLK_TCK), for cpuacct.stat */
	bool by_dir;		    /* files are opened per read through dirfds */
	int dirfds[_CG_CTRL_MAX];   /* O_PATH directories in directory mode, else -1 */
	size_t n_kept;		    /* descriptors this set keeps open */
	unsigned n_passes;	    /* cgfile_set_collect() calls so far */
	struct cgfile_slot slots[]; /* one per spec */
};

/* Opens every file of specs that exists for the cgroup and grows the read
 * buffer, which all sets share, to twice the largest file (at least
 * CGFILE_MIN_BUFFER). Every set must therefore be used from one thread, as
 * the pipeline is. A missing
 * file is left out. Returns -ENOENT when none of the files exists. Each file
 * is kept open while the descriptors kept by all sets stay under half of
 * RLIMIT_NOFILE. Past that, or on EMFILE, the set keeps only its
 * directories and opens each file with openat() on every read. */
int cgfile_set_open(const struct cgfile_spec *specs, size_t n_specs, const struct cg_paths *cg,
		    struct cgfile_set **ret);

/* Re-reads and parses every open file into s. Returns -ENODEV or -ENOENT when
 * the cgroup vanished, -EFBIG when a file outgrew the buffer, or the parser's
 * error. After a failure, the files before the failing one have already set
 * their values. */
int cgfile_set_collect(struct cgfile_set *set, struct sample *s);

void cgfile_set_free(struct cgfile_set *set); /* closes the files; accepts NULL */

/* Descriptors kept open by every file set of the process (main thread). */
size_t cgfile_kept_fds(void);

#define CGFILE_MIN_BUFFER 4096

/* Opens dir/name read-only with O_CLOEXEC. Returns -ENOENT when it does not
 * exist. */
int cgfile_open(const char *dir, const char *name, int *ret_fd);

/* Reads the whole file at offset 0 into buf. Returns -EFBIG when it does not
 * fit in cap bytes, so that a file is never parsed truncated. */
int cgfile_read(int fd, char *buf, size_t cap, size_t *ret_len);

/* Reads a cgroup file at offset 0 in one pread() when it fits in cap bytes,
 * and falls back to cgfile_read() when it fills the buffer. A cgroup file is
 * a single seq_file record (kernfs stops after the first record), so a read
 * shorter than the buffer is the whole file and the end-of-file read that
 * cgfile_read() makes can be left out. Not for multi-record files such as
 * /proc/PID/net/dev, which the kernel returns one page at a time. */
int cgfile_read_record(int fd, char *buf, size_t cap, size_t *ret_len);

/* Grows *buf (of *cap bytes) until the file fits, then to twice its size so
 * that it may grow between passes. Used at open time only. */
int cgfile_fit_buffer(int fd, char **buf, size_t *cap);

#endif
