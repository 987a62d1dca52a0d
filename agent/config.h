/* SPDX-License-Identifier: MIT */
/*
 * mstatd's command-line configuration: parsing and validation of every flag.
 * Parsing never prints and never exits; the caller prints the error and exits
 * with status 2.
 */
#ifndef MSTAT_AGENT_CONFIG_H
#define MSTAT_AGENT_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/err.h"

#define AGENT_DEFAULT_SOCKET	  "/run/mstat/mstat.sock"
#define AGENT_DEFAULT_LISTEN	  "127.0.0.1:6782"
#define AGENT_DEFAULT_STATE_DIR	  "/run/mstat"
#define AGENT_DEFAULT_CGROUP_ROOT "/sys/fs/cgroup"
#define AGENT_DEFAULT_PROC_ROOT	  "/proc"
#define AGENT_DEFAULT_BRIDGE	  "mstat0"
/* Outside docker's default pools (172.17.0.0/16 to 172.31.0.0/16 and
 * 192.168.0.0/16) and podman's 10.88.0.0/16. */
#define AGENT_DEFAULT_BRIDGE_SUBNET "10.213.0.0/16"

#define AGENT_INTERVAL_MIN_NS	 100000000ULL	  /* 0.1 s */
#define AGENT_INTERVAL_MAX_NS	 3600000000000ULL /* 1 hour */
#define AGENT_STOP_TIMEOUT_MAX_S 3600

enum agent_action {
	AGENT_ACTION_RUN,
	AGENT_ACTION_HELP,
	AGENT_ACTION_VERSION,
	_AGENT_ACTION_MAX,
};

struct agent_config {
	enum agent_action action;
	char *socket_path;
	bool listen_enabled;  /* false for --listen none */
	char *listen_host;    /* numeric IPv4 or IPv6 address, without brackets */
	unsigned listen_port; /* 0 lets the kernel pick; the bound port is logged */
	uint64_t interval_ns;
	char *state_dir;
	char *cgroup_root;
	char *proc_root;
	/* NULL: beneath mstatd's own cgroup + "/mstat". A path with a leading '/'
	 * is absolute in each hierarchy; without one it is relative to mstatd's
	 * own cgroup, as with docker's --cgroup-parent. */
	char *cgroup_parent;
	char **watch; /* cgroup paths given with --watch */
	size_t n_watch;
	char **label_allow; /* container label keys given with --label-allow */
	size_t n_label_allow;
	bool once;
	unsigned stop_timeout_s;
	char *bridge_name;	/* bridge of --network bridge containers, created on first use */
	uint32_t bridge_subnet; /* IPv4 network address, network byte order */
	unsigned bridge_prefix_len; /* the gateway is the subnet's first address */
	uint64_t log_max_size;	    /* bytes per container output file */
	unsigned log_max_files;	    /* output files kept per container, the current one included */
	bool debug;
};

/*
 * Parses argv into ret. On an unknown option, a missing argument or an invalid
 * value, returns -EINVAL and sets err to a message that names the flag and the
 * value. ret is written only on success and is freed with agent_config_free().
 */
int agent_config_parse(int argc, char **argv, struct agent_config *ret, struct mst_err *err);

void agent_config_free(struct agent_config *c); /* accepts NULL */

/* Prints the --help text. */
void agent_config_usage(FILE *f, const char *program);

/* Splits "ADDR:PORT" or "[ADDR]:PORT" with a numeric address into its parts.
 * Returns -EINVAL on anything else, including host names. */
int agent_parse_listen(const char *s, char **ret_host, unsigned *ret_port);

#endif
