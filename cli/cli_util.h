/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the `mstat` subcommands: error output, option errors
 * worded as the docker CLI words them, output writing and request paths.
 */
#ifndef MSTAT_CLI_CLI_UTIL_H
#define MSTAT_CLI_CLI_UTIL_H

#include <getopt.h>
#include <jansson.h>
#include <stddef.h>

#include "cli/client.h"
#include "common/err.h"

/* Exit status for an error of mstat itself (bad usage, mstatd unreachable),
 * as docker uses 125 for errors of the docker CLI and daemon. */
#define CLI_EXIT_ERROR 125

/* State shared by every subcommand. */
struct cli {
	struct api_client api;
};

/* Prints err on stderr: a message from mstatd as it is, any other message
 * after "mstat: ". */
void cli_print_error(const struct mst_err *err);

/* Prints "mstat: MESSAGE" and a pointer to `mstat CMD --help` on stderr and
 * returns CLI_EXIT_ERROR. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Builds the message for a '?' or ':' result of getopt_long(), which must
 * run with a leading ':' in its option string. Returns -EINVAL. */
int cli_getopt_error(int c, char **argv, const struct option *longopts, struct mst_err *err);

/* Writes all len bytes to fd, retrying after EINTR and short writes.
 * Returns 0 or a negative errno. */
int cli_write_all(int fd, const char *data, size_t len);

/* Returns "/v1/containers/NAME" with NAME URL-escaped, followed by suffix
 * (which may be ""), or NULL when out of memory. free() the result. */
char *cli_container_path(const char *name, const char *suffix);

/* Returns "/v1/exec/ID" with ID URL-escaped, followed by suffix, or NULL
 * when out of memory. free() the result. */
char *cli_exec_path(const char *id, const char *suffix);

/* Fetches a container's inspect object into *ret_obj, and appends the body
 * as mstatd sent it to ret_body when that is not NULL. Returns -EPROTO for a
 * body that is no JSON object. */
int cli_inspect_get(struct cli *cli, const char *name, json_t **ret_obj, struct strbuf *ret_body,
		    struct mst_err *err);

/* Reads the full id, Config.Tty and Config.OpenStdin of a container from
 * inspect. */
int cli_inspect_io(struct cli *cli, const char *name, char ret_id[65], bool *ret_tty,
		   bool *ret_stdin, struct mst_err *err);

/* Parses a JSON response body. Integers beyond the int64 range, which
 * jansson cannot hold, are read as reals instead of failing. */
json_t *cli_parse_json(const char *text, size_t len, struct mst_err *err);

/* Converts a --since or --until value (Unix seconds with an optional
 * fraction, 2026-01-02T15:04:05Z, or a duration ago such as 10m, 2h, 1d) to
 * the Unix seconds that mstatd's API takes. Returns 0, -EINVAL or -ERANGE.
 * Defined in cmd_events.c. */
int cli_parse_time(const char *s, char *ret, size_t size);

#endif
