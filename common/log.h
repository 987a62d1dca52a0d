/* SPDX-License-Identifier: MIT */
/*
 * Logging for the programs (mstatd, mstat). Library code (collectors, runtime,
 * exporters) does not log above debug: it returns errors. Lines go to stderr;
 * when stderr is the journal (JOURNAL_STREAM matches), each line carries its
 * syslog priority as a "<N>" prefix so journald records it.
 */
#ifndef MSTAT_COMMON_LOG_H
#define MSTAT_COMMON_LOG_H

#include <stdbool.h>
#include <syslog.h>

/* Sets the program name shown in each line and the maximum priority printed
 * (LOG_INFO by default, LOG_DEBUG with --debug). */
void log_setup(const char *program, int max_priority);

void log_msg(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Rate-limit state of one message class, owned by the caller. log_limited()
 * logs at most once per `interval_s` seconds for it and appends how many lines
 * it suppressed in between. */
struct log_ratelimit {
	long long last_s;
	unsigned suppressed;
};
void log_limited(struct log_ratelimit *rl, int interval_s, int priority, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define log_debug(...)	 log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)	 log_msg(LOG_INFO, __VA_ARGS__)
#define log_notice(...)	 log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_error(...)	 log_msg(LOG_ERR, __VA_ARGS__)

#endif
