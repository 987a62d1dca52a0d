/* SPDX-License-Identifier: MIT */
/*
 * What to run and with which limits: the validated input of the runtime.
 * Field meanings follow `docker run` and Docker's HostConfig.
 */
#ifndef MSTAT_RUNTIME_SPEC_H
#define MSTAT_RUNTIME_SPEC_H

#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"

enum rt_network {
	RT_NET_NONE, /* own network namespace with only lo, up */
	RT_NET_HOST, /* the host's network namespace */
	_RT_NET_MAX,
};

#define RT_NAME_MAX 128

struct rt_limits {
	uint64_t memory;     /* bytes; 0 = no limit */
	int64_t memory_swap; /* memory plus swap, bytes; 0 = unset (2x memory, as docker), -1 =
				unlimited swap */
	uint64_t nano_cpus;  /* CPUs in billionths (--cpus 0.5 = 500000000); 0 = no quota */
	uint64_t cpu_shares; /* v1 cpu.shares scale (2..262144); 0 = default */
	int64_t pids_limit;  /* 0 = unset, -1 = unlimited */
};

struct rt_spec {
	char name[RT_NAME_MAX]; /* [a-zA-Z0-9][a-zA-Z0-9_.-]* */
	char id[65];		/* 64 lowercase hex digits */
	char **argv;		/* NULL-terminated; argv[0] looked up in PATH inside */
	char **env;		/* NULL-terminated KEY=VALUE list */
	char *cwd;		/* NULL = "/" */
	char *hostname;		/* NULL = the first 12 digits of id */
	char *rootfs;		/* NULL = the host's root, read-only */
	enum rt_network network;
	struct rt_limits limits;
};

/* Checks every field and fills err with the field, the value and what to do. */
int rt_spec_validate(const struct rt_spec *spec, struct mst_err *err);

/* Checks a container name against docker's rule. */
bool rt_name_is_valid(const char *name);

const char *rt_network_to_string(enum rt_network n);
int rt_network_from_string(const char *s, enum rt_network *ret);

#endif
