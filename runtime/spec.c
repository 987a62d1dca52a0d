/* SPDX-License-Identifier: MIT */
/*
 * Validation of a container spec against the rules `docker run` and dockerd
 * apply. Every rejection names the field, the value and what to change. Nothing
 * here touches a cgroup or starts a process; the only file access is a stat()
 * of the root filesystem directory and of the block devices of rate limits.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "runtime/spec.h"
#include "runtime/user.h"

/* dockerd's minimum for --memory (linuxMinMemory in daemon/daemon_unix.go). */
#define RT_MEMORY_MIN (6ULL * 1024 * 1024)
/* The kernel's range for cpu.shares (MIN_SHARES and MAX_SHARES in kernel/sched). */
#define RT_CPU_SHARES_MIN 2ULL
#define RT_CPU_SHARES_MAX 262144ULL
/* dockerd accepts --cpus from 0.01 up to the number of online CPUs. */
#define RT_NANO_CPUS_MIN 10000000ULL
/* pids.max accepts at most PID_MAX_LIMIT, 4194304 on 64-bit kernels. */
#define RT_PIDS_LIMIT_MAX 4194304LL
/* MAX_ARG_STRLEN on Linux (32 pages of 4 KiB): execve() fails with E2BIG
 * for a longer argument or environment string, terminating NUL included. */
#define RT_ARG_STRLEN_MAX 131072
/* A cap on all of argv and envp together. NOTE: the kernel's own limit is a
 * quarter of the stack rlimit (2 MiB with the usual 8 MiB), so 1 MiB leaves
 * room for the environment mstatd adds. */
#define RT_ARGS_TOTAL_MAX (1024 * 1024)
/* HOST_NAME_MAX on Linux. */
#define RT_HOSTNAME_MAX 64

static const char *const rt_network_names[_RT_NET_MAX];
static const char *const rt_port_proto_names[_RT_PROTO_MAX];

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

bool rt_name_is_valid(const char *name)
{
	size_t len = strnlen(name, RT_NAME_MAX);

	if (len == 0 || len >= RT_NAME_MAX || !is_alnum(name[0]))
		return false;
	for (size_t i = 1; i < len; i++) {
		char c = name[i];

		if (!is_alnum(c) && c != '_' && c != '.' && c != '-')
			return false;
	}
	return true;
}

static bool id_is_valid(const char *id)
{
	size_t len = strnlen(id, 65);

	if (len != 64)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!is_lower_hex(id[i]))
			return false;
	}
	return true;
}

/* RFC 1123 host name: dot-separated labels of letters, digits and '-', each
 * 1 to 63 bytes, not starting or ending with '-'. */
static bool hostname_is_valid(const char *s)
{
	size_t len = strlen(s);
	size_t label_len = 0;

	if (len == 0 || len > RT_HOSTNAME_MAX)
		return false;
	for (size_t i = 0; i <= len; i++) {
		char c = s[i];

		if (c == '.' || c == '\0') {
			if (label_len == 0 || label_len > 63 || s[i - 1] == '-')
				return false;
			label_len = 0;
			continue;
		}
		if (!is_alnum(c) && c != '-')
			return false;
		if (label_len == 0 && c == '-')
			return false;
		label_len++;
	}
	return true;
}

static int validate_identity(const struct rt_spec *spec, struct mst_err *err)
{
	if (!rt_name_is_valid(spec->name))
		return err_setx(err, EINVAL,
				"invalid name '%.*s': use 1 to %d characters from [a-zA-Z0-9_.-], "
				"starting with a letter or digit",
				RT_NAME_MAX - 1, spec->name, RT_NAME_MAX - 1);
	if (!id_is_valid(spec->id))
		return err_setx(err, EINVAL,
				"invalid id '%.64s': it must be 64 lowercase hex digits", spec->id);
	if (spec->hostname && !hostname_is_valid(spec->hostname))
		return err_setx(
		    err, EINVAL,
		    "invalid Hostname '%s': use at most %d characters, dot-separated "
		    "labels of letters, digits and '-' that do not start or end with '-'",
		    spec->hostname, RT_HOSTNAME_MAX);
	if ((unsigned)spec->network >= _RT_NET_MAX)
		return err_setx(err, EINVAL,
				"invalid NetworkMode %d: use 'none', 'host' or 'bridge'",
				(int)spec->network);
	return 0;
}

/* Checks one execve() string against MAX_ARG_STRLEN and adds its size,
 * terminating NUL included, to *total. */
static int validate_arg_size(const char *field, size_t i, const char *s, size_t *total,
			     struct mst_err *err)
{
	size_t size = strnlen(s, RT_ARG_STRLEN_MAX) + 1;

	if (size > RT_ARG_STRLEN_MAX)
		return err_setx(err, E2BIG,
				"invalid %s[%zu]: the string is longer than the limit of %d bytes "
				"(including the terminating NUL) for one argument or environment "
				"variable; shorten it",
				field, i, RT_ARG_STRLEN_MAX);
	*total += size;
	if (*total > RT_ARGS_TOTAL_MAX)
		return err_setx(err, E2BIG,
				"invalid %s[%zu]: Cmd and Env together exceed the limit of %d "
				"bytes; shorten them",
				field, i, RT_ARGS_TOTAL_MAX);
	return 0;
}

static int validate_arg_sizes(const struct rt_spec *spec, struct mst_err *err)
{
	size_t total = 0;
	int r;

	for (size_t i = 0; spec->argv && spec->argv[i]; i++) {
		r = validate_arg_size("Cmd", i, spec->argv[i], &total, err);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; spec->env && spec->env[i]; i++) {
		r = validate_arg_size("Env", i, spec->env[i], &total, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int validate_process(const struct rt_spec *spec, struct mst_err *err)
{
	int r;

	if (!spec->argv || !spec->argv[0] || spec->argv[0][0] == '\0')
		return err_setx(err, EINVAL,
				"invalid Cmd: the command is empty; give the program to run");
	r = validate_arg_sizes(spec, err);
	if (r < 0)
		return r;

	for (size_t i = 0; spec->env && spec->env[i]; i++) {
		const char *e = spec->env[i];
		const char *eq = strchr(e, '=');

		if (!eq || eq == e)
			return err_setx(err, EINVAL,
					"invalid Env entry '%s': write it as KEY=VALUE with a "
					"non-empty KEY",
					e);
	}
	if (spec->cwd && spec->cwd[0] != '/')
		return err_setx(err, EINVAL,
				"invalid WorkingDir '%s': the working directory must be an "
				"absolute path",
				spec->cwd);
	if (spec->user && spec->user[0]) {
		struct rt_user_arg arg;

		r = rt_user_parse(spec->user, &arg, err);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; spec->group_add && spec->group_add[i]; i++) {
		r = rt_group_parse(spec->group_add[i], err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int validate_rootfs(const struct rt_spec *spec, struct mst_err *err)
{
	struct stat st;

	if (!spec->rootfs)
		return 0;
	if (spec->rootfs[0] != '/')
		return err_setx(err, EINVAL, "invalid Rootfs '%s': give an absolute path",
				spec->rootfs);
	if (stat(spec->rootfs, &st) < 0)
		return err_set(err, errno, "invalid Rootfs '%s': give an existing directory",
			       spec->rootfs);
	if (!S_ISDIR(st.st_mode))
		return err_setx(err, ENOTDIR,
				"invalid Rootfs '%s': it is not a directory; give the directory "
				"that holds the container's files",
				spec->rootfs);
	return 0;
}

static int validate_memory(const struct rt_limits *l, struct mst_err *err)
{
	if (l->memory != 0 && l->memory < RT_MEMORY_MIN)
		return err_setx(err, EINVAL,
				"invalid Memory %llu: the minimum is %llu bytes (6 MiB); set a "
				"larger limit or 0 for none",
				(unsigned long long)l->memory, RT_MEMORY_MIN);
	if (l->memory_swap < -1)
		return err_setx(err, EINVAL,
				"invalid MemorySwap %lld: use a byte count, 0 for the default "
				"(twice the memory limit) or -1 for unlimited swap",
				(long long)l->memory_swap);
	if (l->memory_swap > 0 && l->memory == 0)
		return err_setx(
		    err, EINVAL,
		    "invalid MemorySwap %lld: it limits memory plus swap, so set Memory "
		    "as well, as docker requires",
		    (long long)l->memory_swap);
	if (l->memory_swap > 0 && (uint64_t)l->memory_swap < l->memory)
		return err_setx(err, EINVAL,
				"invalid MemorySwap %lld: memory plus swap must be at least Memory "
				"(%llu); raise it or use -1 for unlimited swap",
				(long long)l->memory_swap, (unsigned long long)l->memory);
	return 0;
}

static int validate_cpu_and_pids(const struct rt_limits *l, struct mst_err *err)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t max_nano = online > 0 ? (uint64_t)online * 1000000000ULL : 1000000000ULL;

	if (l->nano_cpus != 0 && (l->nano_cpus < RT_NANO_CPUS_MIN || l->nano_cpus > max_nano))
		return err_setx(err, EINVAL,
				"invalid NanoCpus %llu: the range of CPUs is 0.01 to %ld.00 "
				"(%llu to %llu) on this host; set a value in it or 0 for no quota",
				(unsigned long long)l->nano_cpus, online > 0 ? online : 1L,
				RT_NANO_CPUS_MIN, (unsigned long long)max_nano);
	if (l->cpu_shares != 0 &&
	    (l->cpu_shares < RT_CPU_SHARES_MIN || l->cpu_shares > RT_CPU_SHARES_MAX))
		return err_setx(err, EINVAL,
				"invalid CpuShares %llu: use %llu to %llu (1024 is the default "
				"weight) or 0 for the default",
				(unsigned long long)l->cpu_shares, RT_CPU_SHARES_MIN,
				RT_CPU_SHARES_MAX);
	if (l->pids_limit < -1 || l->pids_limit > RT_PIDS_LIMIT_MAX)
		return err_setx(err, EINVAL,
				"invalid PidsLimit %lld: use 1 to %lld, 0 for unset or -1 for "
				"unlimited",
				(long long)l->pids_limit, RT_PIDS_LIMIT_MAX);
	return 0;
}

int rt_block_device_number(const char *path, unsigned *ret_major, unsigned *ret_minor,
			   struct mst_err *err)
{
	struct stat st;

	if (!path || path[0] != '/')
		return err_setx(err, EINVAL,
				"invalid device path '%s': give the absolute path of a block "
				"device node, such as /dev/sda",
				path ? path : "");
	if (stat(path, &st) < 0)
		return err_setx(err, EINVAL,
				"invalid device path '%s': %s; give an existing block device node",
				path, strerror(errno));
	if (!S_ISBLK(st.st_mode))
		return err_setx(err, EINVAL,
				"invalid device path '%s': it is not a block device; give a block "
				"device node, such as /dev/sda",
				path);
	*ret_major = major(st.st_rdev);
	*ret_minor = minor(st.st_rdev);
	return 0;
}

static int validate_device_rates(const char *field, const struct rt_device_rate *rates, size_t n,
				 struct mst_err *err)
{
	unsigned major_number, minor_number;

	if (n > RT_DEVICE_RATES_MAX)
		return err_setx(err, EINVAL, "invalid %s: %zu devices, the maximum is %d", field, n,
				RT_DEVICE_RATES_MAX);
	for (size_t i = 0; i < n; i++) {
		int r = rt_block_device_number(rates[i].path, &major_number, &minor_number, err);

		if (r < 0) {
			(void)err_prefix(err, "%s", field);
			return r;
		}
	}
	return 0;
}

static bool host_ip_is_valid(const char *ip)
{
	unsigned char addr[16];

	if (ip[0] == '\0')
		return true;
	return inet_pton(AF_INET, ip, addr) == 1 || inet_pton(AF_INET6, ip, addr) == 1;
}

/* True when two bindings would need the same socket: same protocol and port,
 * and the same address, or one of them on every IPv4 address (an empty
 * host_ip) and the other an IPv4 address. */
static bool ports_collide(const struct rt_port *a, const struct rt_port *b)
{
	if (a->proto != b->proto || a->host_port != b->host_port)
		return false;
	if (a->host_ip[0] == '\0')
		return !strchr(b->host_ip, ':');
	if (b->host_ip[0] == '\0')
		return !strchr(a->host_ip, ':');
	return strcmp(a->host_ip, b->host_ip) == 0;
}

static int validate_ports(const struct rt_spec *spec, struct mst_err *err)
{
	if (spec->n_ports == 0)
		return 0;
	if (spec->network != RT_NET_BRIDGE)
		return err_setx(err, EINVAL,
				"invalid PortBindings: publishing ports needs NetworkMode "
				"'bridge', not '%s'",
				rt_network_to_string(spec->network));
	if (spec->n_ports > RT_PORTS_MAX)
		return err_setx(err, EINVAL, "invalid PortBindings: %zu ports, the maximum is %d",
				spec->n_ports, RT_PORTS_MAX);
	for (size_t i = 0; i < spec->n_ports; i++) {
		const struct rt_port *p = &spec->ports[i];

		if ((unsigned)p->proto >= _RT_PROTO_MAX || p->host_port == 0 ||
		    p->container_port == 0)
			return err_setx(err, EINVAL,
					"invalid PortBindings[%zu]: ports must be 1 to 65535 and "
					"the protocol tcp or udp",
					i);
		if (!host_ip_is_valid(p->host_ip))
			return err_setx(err, EINVAL,
					"invalid HostIp '%s' of port %u/%s: give a numeric IPv4 "
					"or IPv6 address, or none for every IPv4 address",
					p->host_ip, p->container_port,
					rt_port_proto_to_string(p->proto));
		for (size_t j = 0; j < i; j++) {
			if (ports_collide(p, &spec->ports[j]))
				return err_setx(err, EINVAL,
						"invalid PortBindings: host port %u/%s is "
						"published twice",
						p->host_port, rt_port_proto_to_string(p->proto));
		}
	}
	return 0;
}

int rt_spec_validate(const struct rt_spec *spec, struct mst_err *err)
{
	int r;

	r = validate_identity(spec, err);
	if (r < 0)
		return r;
	r = validate_process(spec, err);
	if (r < 0)
		return r;
	r = validate_rootfs(spec, err);
	if (r < 0)
		return r;
	r = validate_ports(spec, err);
	if (r < 0)
		return r;
	r = validate_memory(&spec->limits, err);
	if (r < 0)
		return r;
	r = validate_cpu_and_pids(&spec->limits, err);
	if (r < 0)
		return r;
	r = validate_device_rates("BlkioDeviceReadBps", spec->limits.device_read_bps,
				  spec->limits.n_device_read_bps, err);
	if (r < 0)
		return r;
	return validate_device_rates("BlkioDeviceWriteBps", spec->limits.device_write_bps,
				     spec->limits.n_device_write_bps, err);
}

const char *rt_network_to_string(enum rt_network n)
{
	return (unsigned)n < _RT_NET_MAX ? rt_network_names[n] : "unknown";
}

int rt_network_from_string(const char *s, enum rt_network *ret)
{
	for (int n = 0; n < _RT_NET_MAX; n++) {
		if (strcmp(s, rt_network_names[n]) == 0) {
			*ret = (enum rt_network)n;
			return 0;
		}
	}
	return -EINVAL;
}

const char *rt_port_proto_to_string(enum rt_port_proto p)
{
	return (unsigned)p < _RT_PROTO_MAX ? rt_port_proto_names[p] : "unknown";
}

int rt_port_proto_from_string(const char *s, enum rt_port_proto *ret)
{
	for (int p = 0; p < _RT_PROTO_MAX; p++) {
		if (strcmp(s, rt_port_proto_names[p]) == 0) {
			*ret = (enum rt_port_proto)p;
			return 0;
		}
	}
	return -EINVAL;
}

static const char *const rt_network_names[_RT_NET_MAX] = {
	[RT_NET_NONE] = "none",
	[RT_NET_HOST] = "host",
	[RT_NET_BRIDGE] = "bridge",
};

static const char *const rt_port_proto_names[_RT_PROTO_MAX] = {
	[RT_PROTO_TCP] = "tcp",
	[RT_PROTO_UDP] = "udp",
};
