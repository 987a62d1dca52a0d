/* SPDX-License-Identifier: MIT */
/*
 * Log lines for mstatd and mstat on stderr. Under systemd (JOURNAL_STREAM set
 * and matching stderr) each line starts with "<N>" so that journald records
 * its priority; elsewhere lines carry the program name and the level.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"

static const char *log_program = "mstat";
static int log_max_priority = LOG_INFO;
static bool log_to_journal;

static const char *const log_level_names[] = {
	[LOG_EMERG] = "emerg", [LOG_ALERT] = "alert",	  [LOG_CRIT] = "crit",
	[LOG_ERR] = "error",   [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
	[LOG_INFO] = "info",   [LOG_DEBUG] = "debug",
};

/* True when stderr is the stream systemd connected to journald: JOURNAL_STREAM
 * is "DEVICE:INODE" of that stream. */
static bool stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2)
		return false;
	if (fstat(STDERR_FILENO, &st) < 0)
		return false;
	return st.st_dev == dev && st.st_ino == ino;
}

void log_setup(const char *program, int max_priority)
{
	log_program = program;
	log_max_priority = max_priority;
	log_to_journal = stderr_is_journal();
}

static void log_vmsg(int priority, const char *suffix, const char *fmt, va_list ap)
{
	char line[2048];

	if (priority > log_max_priority)
		return;
	priority &= LOG_PRIMASK;

	int n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n < 0)
		return;

	if (log_to_journal)
		fprintf(stderr, "<%d>%s%s\n", priority, line, suffix);
	else
		fprintf(stderr, "%s[%d]: %s: %s%s\n", log_program, (int)getpid(),
			log_level_names[priority], line, suffix);
}

void log_msg(int priority, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(priority, "", fmt, ap);
	va_end(ap);
}

void log_limited(struct log_ratelimit *rl, int interval_s, int priority, const char *fmt, ...)
{
	struct timespec now;
	char suffix[64] = "";
	va_list ap;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (rl->last_s != 0 && now.tv_sec - rl->last_s < interval_s) {
		rl->suppressed++;
		return;
	}
	if (rl->suppressed > 0)
		snprintf(suffix, sizeof(suffix), " (%u similar messages suppressed)",
			 rl->suppressed);
	rl->last_s = now.tv_sec ? now.tv_sec : 1;
	rl->suppressed = 0;

	va_start(ap, fmt);
	log_vmsg(priority, suffix, fmt, ap);
	va_end(ap);
}
