/* SPDX-License-Identifier: MIT */
/*
 * Strict parsers for numbers from the kernel and from users. Every number goes
 * through these: digits must be present, no sign where none belongs, overflow
 * is detected, and the only trailing byte allowed is one newline. Output
 * parameters are written only on success. Parsers take buffers, never paths.
 */
#ifndef MSTAT_COMMON_PARSE_H
#define MSTAT_COMMON_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The value that means "no limit" wherever mstat stores a limit. */
#define MST_UNLIMITED UINT64_MAX

/* cgroup v1 reports an unset memory limit as LONG_MAX rounded down to the page
 * size (9223372036854771712 with 4 KiB pages). Any value at or above this
 * threshold is treated as unlimited. */
#define MST_V1_UNLIMITED_MIN 9223372036854771712ULL

/* Parses an unsigned decimal of len bytes (no terminator needed), allowing one
 * trailing '\n'. Returns 0, -EINVAL (empty, sign, garbage) or -ERANGE. */
int parse_u64(const char *s, size_t len, uint64_t *ret);

/* Same as parse_u64() for a NUL-terminated string. */
int parse_u64_str(const char *s, uint64_t *ret);

/* Signed decimal, for the few kernel values that may be negative
 * (cpu.cfs_quota_us is -1 when unlimited). */
int parse_i64(const char *s, size_t len, int64_t *ret);

/* Parses a limit: "max" (cgroup v2) means MST_UNLIMITED, as does any value at or
 * above MST_V1_UNLIMITED_MIN (cgroup v1). This is the one place where "max" is
 * handled. */
int parse_limit(const char *s, size_t len, uint64_t *ret);

/* Parses a user-given size as docker does: a decimal number (a fraction is
 * allowed, "1.5g") with an optional suffix b, k, m, g, t, p in binary units,
 * case-insensitive, with an optional trailing 'b' ("512mb"). */
int parse_size(const char *s, uint64_t *ret);

/* Parses a positive decimal with a fraction ("0.5", "2") into billionths, as
 * docker's --cpus becomes NanoCpus. */
int parse_nano(const char *s, uint64_t *ret);

/* Parses a signal name ("TERM", "SIGTERM", "kill") or number ("9"). */
int parse_signal(const char *s, int *ret);

/*
 * Iterates over "key value\n" lines of a flat keyed file (memory.stat,
 * cpu.stat, memory.events). For each line, calls cb(key, key_len, value,
 * value_len, userdata); the value excludes the newline. A final line without
 * a newline is still delivered. Stops and returns cb's value when it is
 * negative. Lines without a space are skipped.
 */
typedef int (*parse_kv_cb)(const char *key, size_t key_len, const char *value, size_t value_len,
			   void *userdata);
int parse_kv_lines(const char *buf, size_t len, parse_kv_cb cb, void *userdata);

/* True when the len-byte key equals the NUL-terminated name. */
bool key_eq(const char *key, size_t len, const char *name);

#endif
