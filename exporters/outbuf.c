/* SPDX-License-Identifier: MIT */
/*
 * The growable output buffer that every renderer appends to. An allocation
 * failure is remembered in b->error and turns later appends into no-ops, so a
 * renderer checks once at the end instead of after every line.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exporters/prom.h"

#define OUTBUF_MIN_CAP 4096

/* Makes room for `extra` more bytes plus a terminating NUL. */
int outbuf_reserve(struct outbuf *b, size_t extra)
{
	if (b->error)
		return b->error;

	if (extra > SIZE_MAX - b->len - 1) {
		b->error = -ENOMEM;
		return b->error;
	}
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;

	size_t cap = b->cap ? b->cap : OUTBUF_MIN_CAP;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;

	char *data = realloc(b->data, cap);
	if (!data) {
		b->error = -ENOMEM;
		return b->error;
	}
	b->data = data;
	b->cap = cap;
	return 0;
}

void outbuf_init(struct outbuf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->error = 0;
}

void outbuf_free(struct outbuf *b)
{
	if (!b)
		return;
	free(b->data);
	outbuf_init(b);
}

void outbuf_append(struct outbuf *b, const char *s, size_t len)
{
	if (outbuf_reserve(b, len) < 0)
		return;
	memcpy(b->data + b->len, s, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void outbuf_printf(struct outbuf *b, const char *fmt, ...)
{
	va_list ap;

	if (b->error)
		return;

	/* First try the room that is already there; most lines fit. */
	size_t room = b->cap > b->len ? b->cap - b->len : 0;
	va_start(ap, fmt);
	int n = vsnprintf(room ? b->data + b->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n < 0) {
		/* vsnprintf() fails when the output would exceed INT_MAX bytes. */
		b->error = -ENOMEM;
		return;
	}
	if ((size_t)n < room) {
		b->len += (size_t)n;
		return;
	}

	if (outbuf_reserve(b, (size_t)n) < 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}
