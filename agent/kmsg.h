/* SPDX-License-Identifier: MIT */
/*
 * OOM victims from the kernel log (/dev/kmsg). The kernel prints an
 * "oom-kill:" summary that names the victim's memory cgroup, pid and command,
 * then "Killed process PID (COMM)". The reader keeps the victims it has seen
 * until the OOM event of their container takes them. It never logs.
 */
#ifndef MSTAT_AGENT_KMSG_H
#define MSTAT_AGENT_KMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define KMSG_COMM_MAX	64
#define KMSG_CGROUP_MAX 512

enum kmsg_oom_line {
	KMSG_OOM_SUMMARY, /* "oom-kill:...,oom_memcg=...,task_memcg=...,task=...,pid=..." */
	KMSG_OOM_KILLED,  /* "... Killed process PID (COMM) total-vm:..." */
};

struct kmsg_oom {
	enum kmsg_oom_line line;
	uint64_t seq; /* the record's sequence number in the kernel log */
	pid_t pid;
	char comm[KMSG_COMM_MAX];
	char task_memcg[KMSG_CGROUP_MAX]; /* summary only: the victim's memory cgroup */
};

/* Parses one /dev/kmsg record ("PRI,SEQ,TIME,FLAGS;MESSAGE\n" followed by
 * optional " KEY=VALUE" lines). Returns 0 for an OOM line, -ENOMSG for any
 * other record, or -EINVAL for a malformed one. */
int kmsg_parse_record(const char *buf, size_t len, struct kmsg_oom *ret);

#define KMSG_PENDING_MAX 64

struct kmsg_reader {
	int fd;					   /* -1 when /dev/kmsg could not be opened */
	int open_error;				   /* the negative errno of that open, or 0 */
	struct kmsg_oom pending[KMSG_PENDING_MAX]; /* summaries not yet taken, oldest first */
	size_t n_pending;
};

/* Opens path (normally /dev/kmsg) at its end, so that only kills from now on
 * are read. On failure the reader stays usable and finds no victims, and
 * open_error contains the reason. */
void kmsg_reader_open(struct kmsg_reader *k, const char *path);
void kmsg_reader_close(struct kmsg_reader *k);

/* Reads every new record and keeps the OOM summaries. It does not block,
 * because the descriptor is O_NONBLOCK. */
void kmsg_reader_poll(struct kmsg_reader *k);

/* Takes the oldest kept victim whose memory cgroup is cgroup_path or beneath
 * it. Returns true and fills ret_pid and ret_comm (comm_size bytes) when one
 * was found. */
bool kmsg_take_victim(struct kmsg_reader *k, const char *cgroup_path, pid_t *ret_pid,
		      char *ret_comm, size_t comm_size);

/* Adds a parsed summary to the kept victims, dropping the oldest when full;
 * kmsg_reader_poll() calls it, and tests feed it directly. */
void kmsg_keep(struct kmsg_reader *k, const struct kmsg_oom *oom);

#endif
