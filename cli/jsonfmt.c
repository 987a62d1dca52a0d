/* SPDX-License-Identifier: MIT */
/*
 * JSON re-indentation that copies tokens byte for byte.
 */
#include <stdbool.h>

#include "cli/jsonfmt.h"

static bool json_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void json_newline(struct strbuf *out, const char *indent, int depth)
{
	strbuf_putc(out, '\n');
	for (int i = 0; i < depth; i++)
		strbuf_puts(out, indent);
}

/* Returns the index of the next byte that is not whitespace. */
static size_t json_skip_space(const char *src, size_t len, size_t i)
{
	while (i < len && json_is_space(src[i]))
		i++;
	return i;
}

void json_indent(const char *src, size_t len, const char *indent, struct strbuf *out)
{
	int depth = 0;

	for (size_t i = json_skip_space(src, len, 0); i < len; i++) {
		char c = src[i];

		if (c == '"') {
			size_t start = i++;
			for (; i < len && src[i] != '"'; i++)
				if (src[i] == '\\')
					i++;
			strbuf_append(out, src + start, (i < len ? i + 1 : len) - start);
			continue;
		}
		if (json_is_space(c))
			continue;

		switch (c) {
		case '{':
		case '[': {
			size_t next = json_skip_space(src, len, i + 1);
			char close = c == '{' ? '}' : ']';
			strbuf_putc(out, c);
			if (next < len && src[next] == close) {
				strbuf_putc(out, close);
				i = next;
				break;
			}
			json_newline(out, indent, ++depth);
			break;
		}
		case '}':
		case ']':
			json_newline(out, indent, --depth);
			strbuf_putc(out, c);
			break;
		case ',':
			strbuf_putc(out, c);
			json_newline(out, indent, depth);
			break;
		case ':':
			strbuf_puts(out, ": ");
			break;
		default:
			strbuf_putc(out, c);
		}
	}
}
