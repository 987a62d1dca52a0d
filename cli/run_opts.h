/* SPDX-License-Identifier: MIT */
/*
 * Options of `mstat run`, parsed and checked as `docker run` does, and the
 * create request body built from them. Parsing prints nothing: every problem
 * comes back as a message naming the flag, the value and what is expected.
 */
#ifndef MSTAT_CLI_RUN_OPTS_H
#define MSTAT_CLI_RUN_OPTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

/* One --device-read-bps or --device-write-bps value. */
struct run_device_rate {
	char *path;    /* block device node, starting with /dev/ */
	uint64_t rate; /* bytes per second; 0 = no limit */
};

struct run_opts {
	bool help;		 /* --help was given; nothing else is filled */
	bool detach;		 /* -d: print the id instead of following the container */
	bool auto_remove;	 /* --rm */
	bool interactive;	 /* -i: attach stdin */
	bool tty;		 /* -t: the container gets a pseudo-terminal */
	const char *detach_keys; /* --detach-keys, or NULL for ctrl-p,ctrl-q */
	unsigned console_rows, console_cols; /* HostConfig.ConsoleSize; 0 = unset */
	const char *name;		     /* NULL lets mstatd choose */
	uint64_t memory;		     /* bytes; 0 = no limit */
	int64_t memory_swap; /* memory plus swap in bytes; 0 = unset, -1 = unlimited swap */
	uint64_t nano_cpus;  /* CPUs in billionths; 0 = no quota */
	uint64_t cpu_shares; /* 0 = default */
	int64_t pids_limit;  /* 0 = unset, -1 = unlimited */
	struct run_device_rate *device_read_bps; /* n_device_read_bps of them, in order given */
	size_t n_device_read_bps;
	struct run_device_rate *device_write_bps;
	size_t n_device_write_bps;
	const char *hostname;
	char *rootfs; /* absolute path, or NULL for the host's root */
	const char *workdir;
	const char *network; /* "none", "host", or NULL for mstatd's default */
	char **env;	     /* KEY=VALUE strings, n_env of them */
	size_t n_env;
	char **labels; /* -l, --label: KEY=VALUE strings, n_labels of them */
	size_t n_labels;
	char **command; /* points into argv; n_command >= 1 */
	size_t n_command;
};

/*
 * Parses `run` arguments; argv[0] is the subcommand name. Options stop at the
 * first argument that is not an option or after "--". `-e KEY` takes the
 * value from this process's environment and is dropped when KEY is unset,
 * as docker does. Returns 0, or -EINVAL with a message.
 */
int run_opts_parse(int argc, char **argv, struct run_opts *ret, struct mst_err *err);

void run_opts_free(struct run_opts *o); /* accepts NULL */

/* Builds the body of POST /v1/containers/create. Returns a new reference or
 * NULL when out of memory. */
json_t *run_opts_create_body(const struct run_opts *o);

/* Usage text of `mstat run`. */
extern const char run_usage[];

#endif
