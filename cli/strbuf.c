/* SPDX-License-Identifier: MIT */
/*
 * Growable byte buffer. Appends after a failed allocation are ignored and the
 * failure stays in `error`.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/strbuf.h"

void strbuf_init(struct strbuf *b)
{
	memset(b, 0, sizeof(*b));
}

void strbuf_free(struct strbuf *b)
{
	if (!b)
		return;
	free(b->data);
	strbuf_init(b);
}

void strbuf_reset(struct strbuf *b)
{
	b->len = 0;
	b->error = 0;
	if (b->data)
		b->data[0] = '\0';
}

/* Makes room for `extra` more bytes plus the terminating NUL. */
static int strbuf_grow(struct strbuf *b, size_t extra)
{
	if (b->error)
		return b->error;
	if (extra > SIZE_MAX / 2 - b->len) {
		b->error = -ENOMEM;
		return b->error;
	}

	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;

	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	char *p = realloc(b->data, cap);
	if (!p) {
		b->error = -ENOMEM;
		return b->error;
	}
	b->data = p;
	b->cap = cap;
	return 0;
}

void strbuf_append(struct strbuf *b, const char *s, size_t len)
{
	if (strbuf_grow(b, len) < 0)
		return;
	if (len > 0)
		memcpy(b->data + b->len, s, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void strbuf_puts(struct strbuf *b, const char *s)
{
	strbuf_append(b, s, strlen(s));
}

void strbuf_putc(struct strbuf *b, char c)
{
	strbuf_append(b, &c, 1);
}

void strbuf_printf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->error = -EINVAL;
		return;
	}
	if (strbuf_grow(b, (size_t)n) < 0)
		return;

	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void strbuf_consume(struct strbuf *b, size_t n)
{
	if (n >= b->len) {
		strbuf_reset(b);
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
	b->data[b->len] = '\0';
}

const char *strbuf_str(const struct strbuf *b)
{
	return b->data ? b->data : "";
}
