/* SPDX-License-Identifier: MIT */
/*
 * Parsers for the cgroup and proc files the built-in collectors read. Each
 * takes a buffer, never a path, so tests feed them strings. Each returns 0 or
 * a negative errno (-EINVAL for a malformed file, -ERANGE for a value or sum
 * past 2^64 - 1) and writes its output only on success.
 */
#ifndef MSTAT_COLLECTORS_CGPARSE_H
#define MSTAT_COLLECTORS_CGPARSE_H

#include <stddef.h>
#include <stdint.h>

#include "collectors/sample.h"

/* One key of a flat keyed file ("key value" lines) and the sample key that
 * receives its value multiplied by scale (1000 turns microseconds into
 * nanoseconds). */
struct cgparse_key {
	const char *name;
	enum sample_key key;
	uint32_t scale;
};

/* At most this many keys per table, so that a parse tracks them in one mask. */
#define CGPARSE_MAX_KEYS 64

/* Parses a flat keyed file (memory.stat, cpu.stat, memory.events,
 * memory.oom_control) and sets the sample key of every listed key found.
 * Unknown keys are ignored and listed keys that are missing stay absent. */
int cgparse_keyed(const char *buf, size_t len, const struct cgparse_key *keys, size_t n_keys,
		  struct sample *s);

/* Parses v1 cpu.cfs_quota_us: -1 means MST_UNLIMITED, another negative value
 * is -EINVAL. */
int cgparse_cfs_quota(const char *buf, size_t len, uint64_t *ret_quota_us);

/* Parses v2 cpu.max, "$MAX $PERIOD" where $MAX is "max" (MST_UNLIMITED) or
 * microseconds. */
int cgparse_cpu_max(const char *buf, size_t len, uint64_t *ret_quota_us, uint64_t *ret_period_us);

/* Converts USER_HZ clock ticks to nanoseconds, or returns -EINVAL when hz is 0. */
int cgparse_ticks_to_ns(uint64_t ticks, unsigned long hz, uint64_t *ret_ns);

/* Parses v1 cpuacct.stat ("user N", "system N" in USER_HZ ticks) into
 * SAMPLE_CPU_USER_NS and SAMPLE_CPU_SYSTEM_NS. */
int cgparse_cpuacct_stat(const char *buf, size_t len, unsigned long user_hz, struct sample *s);

/* Converts v2 cpu.weight (1..10000) to v1 cpu.shares (2..262144) the way
 * cAdvisor does: 2 + (weight - 1) * 262142 / 9999. */
int cgparse_weight_to_shares(uint64_t weight, uint64_t *ret_shares);

/* Parses v2 io.stat, one "MAJ:MIN rbytes=N wbytes=N rios=N wios=N ..." line
 * per device, ignoring unknown keys. Replaces s->blkdev[] and sets the four
 * SAMPLE_IO_* totals, which count devices beyond SAMPLE_MAX_BLKDEVS too. An
 * empty file means no I/O yet: no devices and totals of zero. */
int cgparse_io_stat(const char *buf, size_t len, struct sample *s);

enum cgparse_blkio_kind {
	CGPARSE_BLKIO_BYTES, /* blkio.throttle.io_service_bytes[_recursive] */
	CGPARSE_BLKIO_OPS,   /* blkio.throttle.io_serviced[_recursive] */
	_CGPARSE_BLKIO_KIND_MAX,
};

/* Parses a v1 blkio file ("MAJ:MIN Read N", "MAJ:MIN Write N", ..., and a
 * final "Total N"). Merges the Read and Write values into s->blkdev[] by
 * device, so the bytes and the ops file fill the same entries, and sets the
 * matching two SAMPLE_IO_* totals. */
int cgparse_blkio_v1(const char *buf, size_t len, enum cgparse_blkio_kind kind, struct sample *s);

/* Parses /proc/PID/net/dev: two header lines, then "NAME: " and 16 counters
 * per interface. Replaces s->netif[] with every interface but lo and sets the
 * eight SAMPLE_NET_* totals, which count interfaces beyond SAMPLE_MAX_NETIFS
 * too. A name is 1 to 15 bytes without '/', ':' or white space, the rule of
 * the kernel's dev_valid_name(). */
int cgparse_net_dev(const char *buf, size_t len, struct sample *s);

/* Parses the "cpu" lines at the start of /proc/stat: the host CPU time as the
 * sum of user, nice, system, idle, iowait, irq and softirq (steal left out, as
 * docker's daemon computes system_cpu_usage), converted from USER_HZ ticks to
 * nanoseconds, and the number of "cpuN" lines (online
 * CPUs). Stops at the first line that does not start with "cpu" and returns
 * 1, or returns 0 when the buffer ended first. A caller that read only the
 * head of the file uses this to tell whether it saw every cpu line.
 */
int cgparse_proc_stat(const char *buf, size_t len, unsigned long user_hz, uint64_t *ret_ns,
		      unsigned *ret_online);

/* Parses a v2 pressure file (cpu.pressure, memory.pressure, io.pressure):
 * "some avg10=.. avg60=.. avg300=.. total=N" and the same for "full", with N
 * in microseconds. Sets some_key and full_key to the totals in nanoseconds.
 * A missing line leaves its key absent, because older kernels write no
 * "full" line in cpu.pressure (PSI in Linux 4.20 has no full state for the
 * CPU). Lines of other kinds are ignored. */
int cgparse_pressure(const char *buf, size_t len, enum sample_key some_key,
		     enum sample_key full_key, struct sample *s);

/* Parses the MemTotal line of /proc/meminfo ("MemTotal:  N kB") into bytes. */
int cgparse_meminfo_total(const char *buf, size_t len, uint64_t *ret_bytes);

#endif
