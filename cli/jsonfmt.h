/* SPDX-License-Identifier: MIT */
/*
 * Re-indentation of JSON text as Go's json.Indent does it for `docker
 * inspect`: the server's bytes are kept (key order, number spelling,
 * escapes), only the whitespace between tokens changes.
 */
#ifndef MSTAT_CLI_JSONFMT_H
#define MSTAT_CLI_JSONFMT_H

#include <stddef.h>

#include "cli/strbuf.h"

/* Appends src re-indented with `indent` per level: one member or element per
 * line, ": " after keys, and empty objects and arrays kept as {} and [].
 * src must be valid JSON (check it first); the result is then valid too. */
void json_indent(const char *src, size_t len, const char *indent, struct strbuf *out);

#endif
