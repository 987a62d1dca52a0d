/* SPDX-License-Identifier: MIT */
/*
 * Human-readable times and strings as the docker CLI prints them: go-units'
 * HumanDuration ("About a minute"), the container status column ("Up 3
 * seconds", "Exited (137) 2 seconds ago"), Go's strconv.Quote and the
 * ellipsis truncation of `docker ps`.
 */
#ifndef MSTAT_CLI_HUMANIZE_H
#define MSTAT_CLI_HUMANIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/strbuf.h"

/* Formats a duration in nanoseconds as go-units' HumanDuration (docker/go-units
 * duration.go): "Less than a second", "1 second", "About a minute", "3 hours",
 * "2 weeks", ... Negative durations count as zero. */
void human_duration(int64_t ns, char *buf, size_t size);

/* Container state and times from which the STATUS column is formatted. A
 * time of 0 means unset (Go's zero time). */
struct container_times {
	const char *state; /* created, running, exited, removing, dead, paused, restarting */
	int exit_code;
	int64_t started_ns; /* CLOCK_REALTIME */
	int64_t finished_ns;
};

/* Formats the STATUS column the way the docker daemon does: "Up 3 seconds",
 * "Exited (137) 2 seconds ago", "Created", "Removal In Progress", "Dead". */
void container_status_text(const struct container_times *t, int64_t now_ns, char *buf, size_t size);

/* Parses an RFC 3339 time with optional fraction ("2024-05-01T10:00:00.5Z",
 * "...+02:00") into nanoseconds since the epoch. Go's zero time
 * ("0001-01-01T00:00:00Z") gives 0. Returns 0 or -EINVAL. */
int parse_rfc3339(const char *s, int64_t *ret_ns);

/* Appends s quoted as Go's strconv.Quote: backslash escapes for quotes,
 * backslashes and control bytes, \x escapes for invalid UTF-8. */
void go_quote(const char *s, struct strbuf *out);

/* Appends s truncated to max_chars characters, the last one replaced by "…"
 * when it was cut, as the docker CLI's Ellipsis. Counts UTF-8 code points.
 * NOTE: docker counts East Asian wide characters as two columns; they count
 * as one here. */
void ellipsis(const char *s, size_t max_chars, struct strbuf *out);

/* Number of UTF-8 code points in the len bytes at s (invalid bytes count one
 * each). */
size_t utf8_width(const char *s, size_t len);

#endif
