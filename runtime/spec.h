/* SPDX-License-Identifier: MIT */
/*
 * What to run and with which limits: the validated input of the runtime.
 * Field meanings follow `docker run` and Docker's HostConfig.
 */
#ifndef MSTAT_RUNTIME_SPEC_H
#define MSTAT_RUNTIME_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

enum rt_network {
	RT_NET_NONE,   /* own network namespace with only lo, up */
	RT_NET_HOST,   /* the host's network namespace */
	RT_NET_BRIDGE, /* own network namespace, eth0 on the agent's bridge */
	_RT_NET_MAX,
};

enum rt_port_proto {
	RT_PROTO_TCP,
	RT_PROTO_UDP,
	_RT_PROTO_MAX,
};

/* Upper bound on the published ports of one container. */
#define RT_PORTS_MAX 64

/* One published port (docker's -p, HostConfig.PortBindings). */
struct rt_port {
	enum rt_port_proto proto;
	char host_ip[46];	 /* numeric IPv4 or IPv6 address; "" = every IPv4 address */
	uint16_t host_port;	 /* 1..65535 */
	uint16_t container_port; /* 1..65535 */
};

/* Where a bridge container's eth0 goes: set by the agent before the spawn,
 * not by the user. Addresses are IPv4 in network byte order. */
struct rt_net_endpoint {
	char bridge[16];     /* bridge the host end joins, IFNAMSIZ bytes with the NUL */
	char host_if[16];    /* name of the host end of the veth pair */
	uint32_t address;    /* eth0's address */
	uint32_t gateway;    /* the bridge's address, the default route */
	unsigned prefix_len; /* of the bridge's subnet */
};

#define RT_NAME_MAX 128

/* Upper bound on the entries of each per-device rate list. */
#define RT_DEVICE_RATES_MAX 64

/* A bandwidth limit on one block device (docker's BlkioDeviceReadBps and
 * BlkioDeviceWriteBps entries). */
struct rt_device_rate {
	char *path;    /* block device node, such as /dev/vda */
	uint64_t rate; /* bytes per second; 0 = no limit */
};

struct rt_limits {
	uint64_t memory;     /* bytes; 0 = no limit */
	int64_t memory_swap; /* memory plus swap, bytes; 0 = unset (2x memory, as docker), -1 =
				unlimited swap */
	uint64_t nano_cpus;  /* CPUs in billionths (--cpus 0.5 = 500000000); 0 = no quota */
	uint64_t cpu_shares; /* v1 cpu.shares scale (2..262144); 0 = default */
	int64_t pids_limit;  /* 0 = unset, -1 = unlimited */
	/* Per-device bandwidth limits, owned by the spec (freed with it). */
	struct rt_device_rate *device_read_bps;
	size_t n_device_read_bps;
	struct rt_device_rate *device_write_bps;
	size_t n_device_write_bps;
};

struct rt_spec {
	char name[RT_NAME_MAX]; /* [a-zA-Z0-9][a-zA-Z0-9_.-]* */
	char id[65];		/* 64 lowercase hex digits */
	char **argv;		/* NULL-terminated; argv[0] looked up in PATH inside */
	char **env;		/* NULL-terminated KEY=VALUE list */
	char **labels;		/* NULL-terminated KEY=VALUE list; metadata only, unused here */
	char *cwd;		/* NULL = "/" */
	char *hostname;		/* NULL = the first 12 digits of id */
	char *rootfs;		/* NULL = the host's root, read-only */
	char *user;		/* Config.User, USER[:GROUP]; NULL or "" = root */
	char **group_add; /* HostConfig.GroupAdd: NULL-terminated names or gids; may be NULL */
	enum rt_network network;
	struct rt_limits limits;
	struct rt_port *ports; /* published ports, owned by the spec; needs RT_NET_BRIDGE */
	size_t n_ports;
	struct rt_net_endpoint endpoint; /* RT_NET_BRIDGE only */
	bool tty;	       /* Config.Tty: stdin, stdout and stderr are a pseudo-terminal */
	bool open_stdin;       /* Config.OpenStdin: an attached client writes to stdin */
	unsigned console_rows; /* HostConfig.ConsoleSize[0]; 0 = RT_PTY_DEFAULT_ROWS */
	unsigned console_cols; /* HostConfig.ConsoleSize[1]; 0 = RT_PTY_DEFAULT_COLS */
};

/* Checks every field and fills err with the field, the value and what to do. */
int rt_spec_validate(const struct rt_spec *spec, struct mst_err *err);

/* Resolves a block device node to its device number (stat's st_rdev).
 * Returns -EINVAL, with err naming the path, when it is missing or is not a
 * block device. */
int rt_block_device_number(const char *path, unsigned *ret_major, unsigned *ret_minor,
			   struct mst_err *err);

/* Checks a container name against docker's rule. */
bool rt_name_is_valid(const char *name);

const char *rt_network_to_string(enum rt_network n);
int rt_network_from_string(const char *s, enum rt_network *ret);
const char *rt_port_proto_to_string(enum rt_port_proto p);
int rt_port_proto_from_string(const char *s, enum rt_port_proto *ret);

#endif
