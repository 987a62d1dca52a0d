/* SPDX-License-Identifier: MIT */
/*
 * A growable byte buffer for the command line's output and HTTP bodies. The
 * data stays NUL-terminated. An allocation failure is remembered in `error`
 * and makes later appends do nothing, so callers check once at the end.
 */
#ifndef MSTAT_CLI_STRBUF_H
#define MSTAT_CLI_STRBUF_H

#include <stddef.h>

struct strbuf {
	char *data; /* NULL until the first append */
	size_t len;
	size_t cap;
	int error; /* -ENOMEM once an append failed */
};

void strbuf_init(struct strbuf *b);
void strbuf_free(struct strbuf *b);
/* Empties the buffer and clears `error`, keeping the memory. */
void strbuf_reset(struct strbuf *b);
void strbuf_append(struct strbuf *b, const char *s, size_t len);
void strbuf_puts(struct strbuf *b, const char *s);
void strbuf_putc(struct strbuf *b, char c);
void strbuf_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Drops the first n bytes. */
void strbuf_consume(struct strbuf *b, size_t n);

/* Returns the contents as a string: "" when nothing was appended. */
const char *strbuf_str(const struct strbuf *b);

#endif
