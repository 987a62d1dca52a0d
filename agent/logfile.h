/* SPDX-License-Identifier: MIT */
/*
 * The container output log: output.log and its rotated predecessors
 * output.log.1 (newer) to output.log.N-1 (oldest) in the container's state
 * directory. The main thread appends and rotates; HTTP threads read with
 * their own descriptors, across the rotated files, and follow a rotation.
 *
 * Format version 1. A file starts with a 16-byte header: the magic
 * "MSTATLOG", the version (32 bits, big endian) and 4 zero bytes. Records
 * follow, each a 16-byte header and its payload:
 *   byte 0      stream: 1 stdout, 2 stderr
 *   bytes 1-3   zero
 *   bytes 4-7   payload length, big endian, at most LOGFILE_RECORD_MAX
 *   bytes 8-15  time of the read, CLOCK_REALTIME nanoseconds, big endian
 * The writer ends a record after every newline, so a record contains at
 * most one line. A file without the magic is the format of mstatd before
 * version 1 (Docker's multiplexed frames without times). It is read with
 * time 0 and never appended to.
 */
#ifndef MSTAT_AGENT_LOGFILE_H
#define MSTAT_AGENT_LOGFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOGFILE_NAME		   "output.log"
#define LOGFILE_MAGIC		   "MSTATLOG"
#define LOGFILE_VERSION		   1
#define LOGFILE_HEADER_SIZE	   16
#define LOGFILE_RECORD_HEADER_SIZE 16
#define LOGFILE_RECORD_MAX	   65536
/* The defaults of docker's "local" logging driver: 20 MiB per file, 5 files. */
#define LOGFILE_DEFAULT_MAX_SIZE  (20ULL * 1024 * 1024)
#define LOGFILE_DEFAULT_MAX_FILES 5
#define LOGFILE_MIN_MAX_SIZE	  4096ULL
#define LOGFILE_MAX_FILES_LIMIT	  100

struct logfile_limits {
	uint64_t max_size;  /* bytes per file; only one record larger than this exceeds it */
	unsigned max_files; /* output.log included, 1 to LOGFILE_MAX_FILES_LIMIT */
};

struct logfile_record {
	int stream;	  /* 1 stdout, 2 stderr */
	uint32_t len;	  /* payload bytes */
	uint64_t time_ns; /* 0 in a file of the old format */
};

/* Encodes a file header of the current version. */
void logfile_header_encode(uint8_t out[LOGFILE_HEADER_SIZE]);

/* Returns the version of a file header, or -EINVAL when it does not start
 * with the magic. */
int logfile_header_version(const uint8_t in[LOGFILE_HEADER_SIZE]);

void logfile_record_header_encode(uint8_t out[LOGFILE_RECORD_HEADER_SIZE],
				  const struct logfile_record *rec);

/* Returns 0, or -EINVAL for a stream other than 1 or 2, a reserved byte
 * that is not zero, or a length over LOGFILE_RECORD_MAX. */
int logfile_record_header_decode(const uint8_t in[LOGFILE_RECORD_HEADER_SIZE],
				 struct logfile_record *ret);

/* The appending side, owned by the main thread. */
struct logfile_writer {
	int fd;		 /* output.log, -1 when closed */
	uint64_t size;	 /* bytes in output.log */
	const char *dir; /* the state directory, borrowed */
	struct logfile_limits limits;
};

void logfile_writer_init(struct logfile_writer *w);

/* Opens dir/output.log for appending and writes the file header when it is
 * new. A file of the old format is rotated away first. Returns 0 or a
 * negative errno. */
int logfile_writer_open(struct logfile_writer *w, const char *dir,
			const struct logfile_limits *limits);

/* Appends len bytes of output read at time_ns, one record per line, and
 * rotates before an append that would take the file past max_size. Returns
 * 0 or a negative errno. */
int logfile_writer_append(struct logfile_writer *w, int stream, uint64_t time_ns, const void *data,
			  size_t len);

void logfile_writer_close(struct logfile_writer *w); /* accepts a closed writer */

/* The reading side: one per stream of records, with its own descriptors. */
struct logfile_reader {
	int fds[LOGFILE_MAX_FILES_LIMIT]; /* oldest first; the last one is output.log */
	bool legacy[LOGFILE_MAX_FILES_LIMIT];
	unsigned n;	  /* open files */
	unsigned cur;	  /* the file being read */
	bool header_read; /* the header of fds[cur] was checked */
	uint64_t offset;  /* in fds[cur] */
	char path[4096];  /* dir/output.log, checked for a rotation */
};

/* Opens every existing file of dir, oldest first. A directory without
 * output.log gives an empty reader. Returns 0 or a negative errno. */
int logfile_reader_open(struct logfile_reader *r, const char *dir);

void logfile_reader_close(struct logfile_reader *r);

/* Reads the next complete record into rec and, unless payload is NULL, its
 * payload (room for LOGFILE_RECORD_MAX bytes). Returns 1 for a record, 0 at
 * the end of what is written so far, or -EPROTO for a corrupt file. */
int logfile_reader_next(struct logfile_reader *r, struct logfile_record *rec, uint8_t *payload);

/* At the end of output.log: when the writer has rotated it, moves on to the
 * new output.log and returns 1; returns 0 when nothing changed. NOTE: two
 * rotations between calls skip the file in between. */
int logfile_reader_follow_rotation(struct logfile_reader *r);

/* Positions the reader before the last n records. Returns 0 or a negative
 * errno. */
int logfile_reader_tail(struct logfile_reader *r, uint64_t n);

#endif
