/* SPDX-License-Identifier: MIT */
/*
 * The subset of Go's text/template that docker --format strings use, run on
 * JSON data: literal text, {{.Field.Sub}}, {{.}}, {{json .Field}},
 * {{index .Map "key"}} (or an array index), {{join .List "sep"}}, upper,
 * lower, pipes ({{.Field | json}}), parentheses, comments and the {{- -}}
 * trim markers. Values print as docker's inspect prints decoded JSON: maps
 * as map[k:v] with sorted keys, arrays as [a b], numbers as their JSON text
 * (integers without exponent), a missing field as "<no value>". Anything
 * else (if, range, variables, other functions) is rejected at parse time
 * with a message naming the template.
 */
#ifndef MSTAT_CLI_TEMPLATE_H
#define MSTAT_CLI_TEMPLATE_H

#include <jansson.h>

#include "cli/strbuf.h"
#include "common/err.h"

struct tpl;

/* Parses src. Fails with -EINVAL and a message that quotes src and names
 * what is unsupported or malformed. */
int tpl_parse(const char *src, struct tpl **ret, struct mst_err *err);

void tpl_free(struct tpl *t); /* accepts NULL */

/* Execution flags. TPL_HEADER renders a table header as docker does. The
 * data then contains column titles, and json, join, upper and lower return
 * their argument unchanged. */
enum {
	TPL_HEADER = 1 << 0,
};

/* Appends the output for data to out. On an execution error, such as a
 * field of a null value or an index out of range, fails with -EINVAL and a
 * message quoting the template. out may then contain partial output. */
int tpl_execute(const struct tpl *t, json_t *data, unsigned flags, struct strbuf *out,
		struct mst_err *err);

/* Checks that every field the template reads starts with one of the
 * NULL-terminated names, so that a misspelt placeholder is reported instead
 * of printing "<no value>". */
int tpl_check_fields(const struct tpl *t, const char *const *names, struct mst_err *err);

/* Appends v as Go's fmt.Print prints a decoded JSON value. */
void tpl_print_value(json_t *v, struct strbuf *out);

#endif
