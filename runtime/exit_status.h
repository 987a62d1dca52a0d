/* SPDX-License-Identifier: MIT */
/*
 * The exit file's one line, "exited CODE\n" or "signaled SIGNAL\n": written by
 * mstat-init, read by the runtime. Shared by both so the format lives in one
 * place. Nothing here allocates.
 */
#ifndef MSTAT_RUNTIME_EXIT_STATUS_H
#define MSTAT_RUNTIME_EXIT_STATUS_H

#include <stddef.h>

/* Formats a wait status (from waitpid) as the exit file line. Returns the
 * length, or -EINVAL when the status is neither an exit nor a signal. */
int rt_exit_status_format(int wait_status, char *buf, size_t size);

/* Parses an exit file line into docker's exit code: CODE, or 128 + SIGNAL.
 * Returns -ENOENT for an empty buffer (the init has not written it yet) and
 * -EINVAL for anything else that is not a valid line. */
int rt_exit_status_parse(const char *buf, size_t len, int *ret_code);

/* Docker's exit code for a wait status: the exit code, or 128 + signal. */
int rt_exit_code_from_wait_status(int wait_status);

#endif
