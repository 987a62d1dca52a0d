/* SPDX-License-Identifier: MIT */
/*
 * The error object shared by every module: a code and one message that gains
 * context on its way up. Nothing here prints.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"

static int err_vset(struct mst_err *err, int code, bool with_strerror, const char *fmt, va_list ap)
{
	if (code < 0)
		code = -code;
	if (!err)
		return code ? -code : -EIO;

	err->code = code ? code : EIO;
	int n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	if (n < 0)
		err->msg[0] = '\0';
	else if (with_strerror && code && (size_t)n < sizeof(err->msg))
		snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(code));
	return -err->code;
}

int err_set(struct mst_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int r = err_vset(err, code, true, fmt, ap);
	va_end(ap);
	return r;
}

int err_setx(struct mst_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int r = err_vset(err, code, false, fmt, ap);
	va_end(ap);
	return r;
}

int err_prefix(struct mst_err *err, const char *fmt, ...)
{
	char prefix[MST_ERR_MSG_MAX];
	char old[MST_ERR_MSG_MAX];
	va_list ap;

	if (!err)
		return -EIO;
	if (err->code == 0)
		err->code = EIO;

	va_start(ap, fmt);
	int n = vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -err->code;

	memcpy(old, err->msg, sizeof(old));
	if (snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, old) >= (int)sizeof(err->msg))
		memcpy(err->msg + sizeof(err->msg) - 4, "...", 4);
	return -err->code;
}

void err_clear(struct mst_err *err)
{
	if (!err)
		return;
	err->code = 0;
	err->msg[0] = '\0';
}
