/* SPDX-License-Identifier: MIT */
/*
 * Error convention shared by every module. A fallible function returns 0 (or a
 * count) on success and a negative errno on failure. Functions at module
 * boundaries also take a `struct mst_err *` that they fill with a message; the
 * caller adds context on the way up with err_prefix() and prints it once.
 * Library code never prints errors itself.
 */
#ifndef MSTAT_COMMON_ERR_H
#define MSTAT_COMMON_ERR_H

#include <stddef.h>

#define MST_ERR_MSG_MAX 512

struct mst_err {
	int code;		   /* positive errno, 0 when no error is set */
	char msg[MST_ERR_MSG_MAX]; /* "context: context: cause" */
};

/* Sets err (which may be NULL) to code and the formatted message, appending
 * ": strerror(code)" when code is nonzero. Returns -code, or -EIO when code is 0,
 * so that `return err_set(err, errno, "open %s", path);` reads naturally. */
int err_set(struct mst_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like err_set() without the strerror() suffix, for errors that are not errno
 * values (a malformed file, an invalid flag). */
int err_setx(struct mst_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prepends "context: " to the message already in err. Returns -err->code. */
int err_prefix(struct mst_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void err_clear(struct mst_err *err);

#endif
