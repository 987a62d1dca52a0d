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
#include "common/restart.h"

/* One --device-read-bps or --device-write-bps value. */
struct run_device_rate {
	char *path;    /* block device node, starting with /dev/ */
	uint64_t rate; /* bytes per second; 0 = no limit */
};

/* One -p, --publish value. */
struct run_port {
	char host_ip[46];	 /* numeric address without brackets; "" = every address */
	uint16_t host_port;	 /* 1..65535 */
	uint16_t container_port; /* 1..65535 */
	char proto[4];		 /* "tcp" or "udp" */
};

/* The most -p options one run takes, as mstatd's limit. */
#define RUN_PORTS_MAX 64

struct run_opts {
	bool help;		       /* --help was given; nothing else is filled */
	bool detach;		       /* -d: print the id instead of following the container */
	bool auto_remove;	       /* --rm */
	struct restart_policy restart; /* --restart; mode RESTART_NO when not given */
	bool interactive;	       /* -i: attach stdin */
	bool tty;		       /* -t: the container gets a pseudo-terminal */
	const char *detach_keys;       /* --detach-keys, or NULL for ctrl-p,ctrl-q */
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
	const char *user; /* -u, --user USER[:GROUP], or NULL for root */
	char **group_add; /* --group-add names or gids, n_group_add of them */
	size_t n_group_add;
	const char *network;	/* "none", "host", "bridge", or NULL for mstatd's default */
	struct run_port *ports; /* -p, --publish: n_ports of them, in order given */
	size_t n_ports;
	char **env; /* KEY=VALUE strings, n_env of them */
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

/* Parses [HOST_IP:]HOST_PORT:CONTAINER_PORT[/tcp|/udp], with an IPv6
 * HOST_IP in brackets. Returns 0, or -EINVAL with a message naming the
 * value. */
int run_parse_port(const char *arg, struct run_port *ret, struct mst_err *err);

/* Checks a USER[:GROUP] value of the flag label ("-u, --user") as mstatd
 * does. Returns 0, or -EINVAL with a message naming the value. */
int run_parse_user(const char *arg, const char *label, struct mst_err *err);

/* Builds the body of POST /v1/containers/create. Returns a new reference or
 * NULL when out of memory. */
json_t *run_opts_create_body(const struct run_opts *o);

/* Usage text of `mstat run`. */
extern const char run_usage[];

/* Bits of struct update_opts' given: the flags that were on the command line. */
enum {
	UPDATE_MEMORY = 1u << 0,
	UPDATE_MEMORY_SWAP = 1u << 1,
	UPDATE_CPUS = 1u << 2,
	UPDATE_CPU_SHARES = 1u << 3,
	UPDATE_PIDS_LIMIT = 1u << 4,
	UPDATE_DEVICE_READ_BPS = 1u << 5,
	UPDATE_DEVICE_WRITE_BPS = 1u << 6,
	UPDATE_RESTART = 1u << 7,
};

/* Options of `mstat update`: the limit and --restart flags of `run`, in
 * values, and the containers to change. */
struct update_opts {
	bool help;
	unsigned given;	     /* UPDATE_* bits */
	struct run_opts set; /* the values of the given flags */
	char **names;	     /* points into argv */
	size_t n_names;
};

/* Parses `update` arguments as docker does: only the given flags change,
 * and at least one flag and one container are required. Returns 0, or
 * -EINVAL with a message naming the flag. */
int update_opts_parse(int argc, char **argv, struct update_opts *ret, struct mst_err *err);
void update_opts_free(struct update_opts *o); /* accepts NULL */

/* Builds the body of POST /v1/containers/NAME/update with the given flags
 * only. Returns a new reference or NULL when out of memory. */
json_t *update_opts_body(const struct update_opts *o);

extern const char update_usage[];

#endif
