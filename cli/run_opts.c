/* SPDX-License-Identifier: MIT */
/*
 * `mstat run` option parsing. Values go through the shared strict parsers
 * (parse_size, parse_nano, parse_i64), so "10x" or "-5m" is rejected here
 * with a message instead of reaching mstatd.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_util.h"
#include "cli/run_opts.h"
#include "common/parse.h"

/* The limits mstatd applies (see runtime/spec.c), checked here as well so
 * that the message names the flag the user typed. */
#define RUN_NANO_CPUS_MIN  10000000ULL
#define RUN_CPU_SHARES_MIN 2ULL
#define RUN_CPU_SHARES_MAX 262144ULL

enum {
	OPT_RM = 256,
	OPT_NAME,
	OPT_MEMORY_SWAP,
	OPT_CPUS,
	OPT_PIDS_LIMIT,
	OPT_ROOTFS,
	OPT_NETWORK,
	OPT_DEVICE_READ_BPS,
	OPT_DEVICE_WRITE_BPS,
	OPT_RESTART,
	OPT_DETACH_KEYS,
	OPT_GROUP_ADD,
	OPT_HELP,
};

static const struct option run_long_options[] = {
	{ "detach", no_argument, NULL, 'd' },
	{ "interactive", no_argument, NULL, 'i' },
	{ "tty", no_argument, NULL, 't' },
	{ "detach-keys", required_argument, NULL, OPT_DETACH_KEYS },
	{ "rm", no_argument, NULL, OPT_RM },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "memory", required_argument, NULL, 'm' },
	{ "memory-swap", required_argument, NULL, OPT_MEMORY_SWAP },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "cpu-shares", required_argument, NULL, 'c' },
	{ "pids-limit", required_argument, NULL, OPT_PIDS_LIMIT },
	{ "device-read-bps", required_argument, NULL, OPT_DEVICE_READ_BPS },
	{ "device-write-bps", required_argument, NULL, OPT_DEVICE_WRITE_BPS },
	{ "hostname", required_argument, NULL, 'h' },
	{ "rootfs", required_argument, NULL, OPT_ROOTFS },
	{ "env", required_argument, NULL, 'e' },
	{ "label", required_argument, NULL, 'l' },
	{ "workdir", required_argument, NULL, 'w' },
	{ "network", required_argument, NULL, OPT_NETWORK },
	{ "publish", required_argument, NULL, 'p' },
	{ "restart", required_argument, NULL, OPT_RESTART },
	{ "user", required_argument, NULL, 'u' },
	{ "group-add", required_argument, NULL, OPT_GROUP_ADD },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

/* The same bound as mstatd's, so a long list fails before the request. */
#define RUN_DEVICE_RATES_MAX 64

/* '+' stops at the first non-option (the command); ':' reports a missing
 * value as ':' rather than '?'. */
static const char run_short_options[] = "+:dm:c:h:e:l:w:p:itu:";

/* Names an option as the user most likely typed it: "-m, --memory". */
static void run_option_label(int val, char *buf, size_t size)
{
	const struct option *o = NULL;

	for (const struct option *p = run_long_options; p->name && !o; p++)
		if (p->val == val)
			o = p;

	if (!o)
		snprintf(buf, size, "-%c", val);
	else if (val < 256)
		snprintf(buf, size, "-%c, --%s", val, o->name);
	else
		snprintf(buf, size, "--%s", o->name);
}

static int run_bad_value(struct mst_err *err, int val, const char *value, const char *expected)
{
	char label[64];

	run_option_label(val, label, sizeof(label));
	return err_setx(err, EINVAL, "invalid value \"%s\" for %s: %s", value, label, expected);
}

static int run_parse_size(const char *s, int val, uint64_t *ret, struct mst_err *err)
{
	uint64_t v;
	int r = parse_size(s, &v);

	if (r == -ERANGE || (r == 0 && v > INT64_MAX))
		return run_bad_value(err, val, s, "the size is too large");
	if (r < 0)
		return run_bad_value(err, val, s,
				     "expected a size such as 512m or 1.5g (b, k, m, g, t are "
				     "binary units, as in docker)");
	*ret = v;
	return 0;
}

static int run_parse_swap(const char *s, int64_t *ret, struct mst_err *err)
{
	uint64_t v;

	if (strcmp(s, "-1") == 0) {
		*ret = -1;
		return 0;
	}
	int r = parse_size(s, &v);
	if (r == -ERANGE || (r == 0 && v > INT64_MAX))
		return run_bad_value(err, OPT_MEMORY_SWAP, s, "the size is too large");
	if (r < 0)
		return run_bad_value(err, OPT_MEMORY_SWAP, s,
				     "expected a size, or -1 for unlimited swap");
	*ret = (int64_t)v;
	return 0;
}

static int run_parse_pids(const char *s, int64_t *ret, struct mst_err *err)
{
	int64_t v;
	int r = parse_i64(s, strlen(s), &v);

	if (r < 0 || v < -1 || strchr(s, '\n'))
		return run_bad_value(err, OPT_PIDS_LIMIT, s,
				     "expected a number of processes, or -1 for no limit");
	*ret = v;
	return 0;
}

/* Parses PATH:RATE as docker does: the path must start with /dev/ and the
 * rate is a size with binary suffixes ("5mb" is 5 MiB per second). The path is
 * checked to be a block device by mstatd, not here. */
static int run_add_device_rate(int val, const char *arg, struct run_device_rate **list, size_t *n,
			       struct mst_err *err)
{
	const char *colon = strchr(arg, ':');
	struct run_device_rate *grown;
	uint64_t rate;
	char *path;

	if (!colon || colon == arg)
		return run_bad_value(err, val, arg, "expected DEVICE:RATE, such as /dev/sda:10mb");
	if (strncmp(arg, "/dev/", 5) != 0)
		return run_bad_value(
		    err, val, arg, "the device path must start with /dev/, such as /dev/sda:10mb");
	int r = parse_size(colon + 1, &rate);
	if (r < 0 || rate > INT64_MAX)
		return run_bad_value(err, val, arg,
				     "expected a rate in bytes per second after the colon, with "
				     "an optional unit b, k, m, g (binary, as in docker), such as "
				     "/dev/sda:10mb");
	if (*n >= RUN_DEVICE_RATES_MAX)
		return run_bad_value(err, val, arg, "too many devices for this option");

	path = strndup(arg, (size_t)(colon - arg));
	if (!path)
		return err_set(err, ENOMEM, "storing %s failed", arg);
	grown = realloc(*list, (*n + 1) * sizeof(*grown));
	if (!grown) {
		free(path);
		return err_set(err, ENOMEM, "storing %s failed", arg);
	}
	grown[*n] = (struct run_device_rate){ .path = path, .rate = rate };
	*list = grown;
	(*n)++;
	return 0;
}

/* Appends entry (taken, NULL after a failed allocation) to a list of strings
 * of a repeated flag. */
static int run_append(char ***list, size_t *n, char *entry, const char *flag, const char *arg,
		      struct mst_err *err)
{
	char **grown;

	if (!entry)
		return err_set(err, ENOMEM, "storing %s %s failed", flag, arg);
	grown = realloc(*list, (*n + 1) * sizeof(*grown));
	if (!grown) {
		free(entry);
		return err_set(err, ENOMEM, "storing %s %s failed", flag, arg);
	}
	grown[(*n)++] = entry;
	*list = grown;
	return 0;
}

static int run_add_env(struct run_opts *o, const char *arg, struct mst_err *err)
{
	const char *eq = strchr(arg, '=');
	size_t key_len = eq ? (size_t)(eq - arg) : strlen(arg);
	char *entry;

	if (key_len == 0)
		return run_bad_value(err, 'e', arg, "expected KEY=VALUE or KEY");

	if (eq) {
		entry = strdup(arg);
	} else {
		const char *value = getenv(arg);
		if (!value)
			return 0; /* docker drops a KEY that the caller's environment lacks */
		if (asprintf(&entry, "%s=%s", arg, value) < 0)
			entry = NULL;
	}
	return run_append(&o->env, &o->n_env, entry, "--env", arg, err);
}

/* Adds a container label, "KEY=VALUE" or "KEY" for an empty value, as
 * docker's --label takes it. */
static int run_add_label(struct run_opts *o, const char *arg, struct mst_err *err)
{
	char *entry;

	if (arg[0] == '\0' || arg[0] == '=')
		return run_bad_value(err, 'l', arg, "expected KEY=VALUE or KEY");
	if (strchr(arg, '='))
		entry = strdup(arg);
	else if (asprintf(&entry, "%s=", arg) < 0)
		entry = NULL;
	return run_append(&o->labels, &o->n_labels, entry, "--label", arg, err);
}

/* Largest uid or gid mstatd accepts, as docker: 2^31 - 1. */
#define RUN_ID_MAX 2147483647ULL

/* Returns what is wrong with one side of USER[:GROUP], or NULL. */
static const char *run_user_part_problem(const char *s, size_t len)
{
	uint64_t id;
	size_t digits = 0;

	if (len == 0)
		return "expected USER[:GROUP], each a name or a numeric id, such as 1000:1000 or "
		       "nobody";
	while (digits < len && s[digits] >= '0' && s[digits] <= '9')
		digits++;
	if (s[0] == '-' || s[0] == '+' ||
	    (digits == len && (parse_u64(s, len, &id) < 0 || id > RUN_ID_MAX)))
		return "uids and gids must be in range 0-2147483647";
	return NULL;
}

int run_parse_user(const char *arg, const char *label, struct mst_err *err)
{
	const char *colon = strchr(arg, ':');
	const char *problem;

	if (colon && strchr(colon + 1, ':'))
		problem = "expected USER[:GROUP] with one colon at most";
	else
		problem = run_user_part_problem(arg, colon ? (size_t)(colon - arg) : strlen(arg));
	if (!problem && colon)
		problem = run_user_part_problem(colon + 1, strlen(colon + 1));
	if (problem)
		return err_setx(err, EINVAL, "invalid value \"%s\" for %s: %s", arg, label,
				problem);
	return 0;
}

static int run_add_group(struct run_opts *o, const char *arg, struct mst_err *err)
{
	const char *problem = strchr(arg, ':') ? "expected a group name or gid"
					       : run_user_part_problem(arg, strlen(arg));

	if (problem)
		return run_bad_value(err, OPT_GROUP_ADD, arg, problem);
	return run_append(&o->group_add, &o->n_group_add, strdup(arg), "--group-add", arg, err);
}

static int run_parse_port_number(const char *s, size_t len, uint16_t *ret)
{
	unsigned v = 0;

	if (len == 0 || len > 5)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v == 0 || v > 65535)
		return -EINVAL;
	*ret = (uint16_t)v;
	return 0;
}

/* Reads HOST_IP from [s, s + len): numeric, IPv6 in brackets. */
static int run_parse_host_ip(const char *s, size_t len, char *buf, size_t size)
{
	unsigned char addr[16];

	if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
		s++;
		len -= 2;
		if (len >= size)
			return -EINVAL;
		memcpy(buf, s, len);
		buf[len] = '\0';
		return inet_pton(AF_INET6, buf, addr) == 1 ? 0 : -EINVAL;
	}
	if (len >= size)
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return inet_pton(AF_INET, buf, addr) == 1 ? 0 : -EINVAL;
}

int run_parse_port(const char *arg, struct run_port *ret, struct mst_err *err)
{
	struct run_port p = { .proto = "tcp" };
	const char *slash = strrchr(arg, '/');
	size_t len = slash ? (size_t)(slash - arg) : strlen(arg);
	const char *last_colon = memrchr(arg, ':', len);
	const char *host_colon;

	if (slash) {
		if (strcmp(slash + 1, "tcp") != 0 && strcmp(slash + 1, "udp") != 0)
			return run_bad_value(
			    err, 'p', arg, "the protocol must be tcp or udp, such as 8080:80/udp");
		memcpy(p.proto, slash + 1, 4);
	}
	if (!last_colon)
		return run_bad_value(err, 'p', arg,
				     "expected [HOST_IP:]HOST_PORT:CONTAINER_PORT[/PROTOCOL], such "
				     "as 8080:80; mstat does not pick a host port");
	if (run_parse_port_number(last_colon + 1, (size_t)(arg + len - last_colon - 1),
				  &p.container_port) < 0)
		return run_bad_value(err, 'p', arg,
				     "the container port must be a number from 1 to 65535; port "
				     "ranges are not supported");

	host_colon = memrchr(arg, ':', (size_t)(last_colon - arg));
	/* An IPv6 address has colons of its own: its host port follows "]:". */
	if (host_colon && arg[0] == '[' && !memchr(arg, ']', (size_t)(host_colon - arg)))
		host_colon = NULL;
	const char *host_port = host_colon ? host_colon + 1 : arg;
	if (run_parse_port_number(host_port, (size_t)(last_colon - host_port), &p.host_port) < 0)
		return run_bad_value(err, 'p', arg,
				     "the host port must be a number from 1 to 65535; mstat does "
				     "not pick one and does not take ranges");
	if (host_colon &&
	    run_parse_host_ip(arg, (size_t)(host_colon - arg), p.host_ip, sizeof(p.host_ip)) < 0)
		return run_bad_value(err, 'p', arg,
				     "the host address must be a numeric IPv4 address or an "
				     "IPv6 address in brackets, such as 127.0.0.1:8080:80");
	*ret = p;
	return 0;
}

static int run_add_port(struct run_opts *o, const char *arg, struct mst_err *err)
{
	struct run_port port, *grown;
	int r = run_parse_port(arg, &port, err);

	if (r < 0)
		return r;
	if (o->n_ports >= RUN_PORTS_MAX)
		return run_bad_value(err, 'p', arg, "too many published ports");
	grown = realloc(o->ports, (o->n_ports + 1) * sizeof(*grown));
	if (!grown)
		return err_set(err, ENOMEM, "storing --publish %s failed", arg);
	grown[o->n_ports++] = port;
	o->ports = grown;
	return 0;
}

static int run_set_rootfs(struct run_opts *o, const char *arg, struct mst_err *err)
{
	char *path = realpath(arg, NULL);

	/* mstatd resolves paths from its own working directory, so the client
	 * sends an absolute one. */
	if (!path)
		return err_set(err, errno, "invalid value \"%s\" for --rootfs", arg);
	free(o->rootfs);
	o->rootfs = path;
	return 0;
}

/* Applies one option that takes a value. */
static int run_apply(struct run_opts *o, int c, const char *arg, struct mst_err *err)
{
	switch (c) {
	case OPT_NAME:
		o->name = arg[0] ? arg : NULL;
		return 0;
	case 'm':
		return run_parse_size(arg, 'm', &o->memory, err);
	case OPT_MEMORY_SWAP:
		return run_parse_swap(arg, &o->memory_swap, err);
	case OPT_CPUS:
		if (parse_nano(arg, &o->nano_cpus) < 0)
			return run_bad_value(err, OPT_CPUS, arg,
					     "expected a number of CPUs such as 0.5 or 2");
		if (o->nano_cpus != 0 && o->nano_cpus < RUN_NANO_CPUS_MIN)
			return run_bad_value(err, OPT_CPUS, arg,
					     "--cpus must be at least 0.01, or 0 for no limit");
		return 0;
	case 'c':
		if (parse_u64_str(arg, &o->cpu_shares) < 0)
			return run_bad_value(err, 'c', arg,
					     "expected a relative weight such as 512");
		if (o->cpu_shares != 0 &&
		    (o->cpu_shares < RUN_CPU_SHARES_MIN || o->cpu_shares > RUN_CPU_SHARES_MAX))
			return run_bad_value(err, 'c', arg,
					     "--cpu-shares must be from 2 to 262144, or 0 for the "
					     "default weight (1024)");
		return 0;
	case OPT_PIDS_LIMIT:
		return run_parse_pids(arg, &o->pids_limit, err);
	case OPT_DEVICE_READ_BPS:
		return run_add_device_rate(c, arg, &o->device_read_bps, &o->n_device_read_bps, err);
	case OPT_DEVICE_WRITE_BPS:
		return run_add_device_rate(c, arg, &o->device_write_bps, &o->n_device_write_bps,
					   err);
	case 'h':
		o->hostname = arg;
		return 0;
	case OPT_ROOTFS:
		return run_set_rootfs(o, arg, err);
	case 'e':
		return run_add_env(o, arg, err);
	case 'l':
		return run_add_label(o, arg, err);
	case 'w':
		if (arg[0] != '/')
			return run_bad_value(err, 'w', arg,
					     "the working directory must be an absolute path");
		o->workdir = arg;
		return 0;
	case 'u':
		o->user = arg;
		return run_parse_user(arg, "-u, --user", err);
	case OPT_GROUP_ADD:
		return run_add_group(o, arg, err);
	case OPT_RESTART:
		if (restart_policy_parse(arg, &o->restart) < 0)
			return run_bad_value(err, OPT_RESTART, arg,
					     "expected no, always, unless-stopped, on-failure or "
					     "on-failure:MAX-RETRIES");
		return 0;
	case OPT_NETWORK:
		if (strcmp(arg, "none") != 0 && strcmp(arg, "host") != 0 &&
		    strcmp(arg, "bridge") != 0)
			return run_bad_value(err, OPT_NETWORK, arg,
					     "expected none, host or bridge");
		o->network = arg;
		return 0;
	case 'p':
		return run_add_port(o, arg, err);
	}
	return err_setx(err, EINVAL, "internal error: unhandled option %d", c);
}

int run_opts_parse(int argc, char **argv, struct run_opts *ret, struct mst_err *err)
{
	struct run_opts o = { 0 };
	int c, r = 0;

	optind = 0; /* glibc: rescan from argv[1] with fresh state */
	opterr = 0;
	while ((c = getopt_long(argc, argv, run_short_options, run_long_options, NULL)) != -1) {
		if (c == '?' || c == ':')
			r = cli_getopt_error(c, argv, run_long_options, err);
		else if (c == 'd')
			o.detach = true;
		else if (c == 'i')
			o.interactive = true;
		else if (c == 't')
			o.tty = true;
		else if (c == OPT_DETACH_KEYS)
			o.detach_keys = optarg;
		else if (c == OPT_RM)
			o.auto_remove = true;
		else if (c == OPT_HELP)
			o.help = true;
		else
			r = run_apply(&o, c, optarg, err);
		if (r < 0)
			goto fail;
	}

	if (o.help) {
		run_opts_free(&o);
		*ret = (struct run_opts){ .help = true };
		return 0;
	}
	if (optind >= argc) {
		r = err_setx(err, EINVAL,
			     "\"mstat run\" requires a command: mstat run [OPTIONS] [--] COMMAND "
			     "[ARG...]");
		goto fail;
	}
	if (o.auto_remove && o.restart.mode != RESTART_NO) {
		r = err_setx(err, EINVAL,
			     "conflicting options --rm and --restart: a container removed at exit "
			     "cannot restart; drop one of them");
		goto fail;
	}
	if (o.memory_swap > 0 && o.memory == 0) {
		r = err_setx(err, EINVAL,
			     "--memory-swap needs --memory: the swap limit is memory plus swap, "
			     "so set both (or use --memory-swap -1 for unlimited swap)");
		goto fail;
	}
	if (o.memory_swap > 0 && (uint64_t)o.memory_swap < o.memory) {
		r = err_setx(err, EINVAL,
			     "--memory-swap (%lld bytes) must not be smaller than --memory (%llu "
			     "bytes): it is the limit of memory plus swap",
			     (long long)o.memory_swap, (unsigned long long)o.memory);
		goto fail;
	}

	if (o.n_ports && o.network && strcmp(o.network, "bridge") != 0) {
		r = err_setx(err, EINVAL,
			     "-p, --publish needs --network bridge (the default with -p), not "
			     "--network %s",
			     o.network);
		goto fail;
	}

	o.command = argv + optind;
	o.n_command = (size_t)(argc - optind);
	*ret = o;
	return 0;

fail:
	run_opts_free(&o);
	return r;
}

static void run_free_device_rates(struct run_device_rate **list, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		free((*list)[i].path);
	free(*list);
	*list = NULL;
	*n = 0;
}

void run_opts_free(struct run_opts *o)
{
	if (!o)
		return;
	run_free_device_rates(&o->device_read_bps, &o->n_device_read_bps);
	run_free_device_rates(&o->device_write_bps, &o->n_device_write_bps);
	for (size_t i = 0; i < o->n_env; i++)
		free(o->env[i]);
	free(o->env);
	for (size_t i = 0; i < o->n_labels; i++)
		free(o->labels[i]);
	free(o->labels);
	for (size_t i = 0; i < o->n_group_add; i++)
		free(o->group_add[i]);
	free(o->group_add);
	o->group_add = NULL;
	o->n_group_add = 0;
	free(o->rootfs);
	free(o->ports);
	o->ports = NULL;
	o->n_ports = 0;
	o->env = NULL;
	o->n_env = 0;
	o->labels = NULL;
	o->n_labels = 0;
	o->rootfs = NULL;
}

static json_t *run_string_array(char *const *items, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++) {
		if (json_array_append_new(a, json_string(items[i])) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *run_device_rates(const struct run_device_rate *rates, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++) {
		json_t *item = json_pack("{s:s, s:I}", "Path", rates[i].path, "Rate",
					 (json_int_t)rates[i].rate);

		if (json_array_append_new(a, item) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *run_restart_policy(const struct restart_policy *p)
{
	return json_pack("{s:s, s:i}", "Name", restart_mode_to_string(p->mode), "MaximumRetryCount",
			 (int)p->max_retries);
}

/* Builds docker's PortBindings, {"80/tcp": [{"HostIp": "", "HostPort":
 * "8080"}]}, or with exposed_only its ExposedPorts, {"80/tcp": {}}. */
static json_t *run_port_map(const struct run_opts *o, bool exposed_only)
{
	json_t *obj = json_object();

	for (size_t i = 0; obj && i < o->n_ports; i++) {
		const struct run_port *p = &o->ports[i];
		char key[16], host_port[8];
		json_t *list = NULL;

		snprintf(key, sizeof(key), "%u/%s", p->container_port, p->proto);
		snprintf(host_port, sizeof(host_port), "%u", p->host_port);
		if (exposed_only) {
			if (json_object_set_new(obj, key, json_object()) < 0)
				goto fail;
			continue;
		}
		list = json_object_get(obj, key);
		if (!list && json_object_set_new(obj, key, list = json_array()) < 0)
			goto fail;
		if (json_array_append_new(list, json_pack("{s:s, s:s}", "HostIp", p->host_ip,
							  "HostPort", host_port)) < 0)
			goto fail;
	}
	return obj;

fail:
	json_decref(obj);
	return NULL;
}

static json_t *run_host_config(const struct run_opts *o)
{
	json_t *h = json_object();
	int bad = !h;

	bad = bad || json_object_set_new(h, "Memory", json_integer((json_int_t)o->memory));
	bad = bad || json_object_set_new(h, "MemorySwap", json_integer(o->memory_swap));
	bad = bad || json_object_set_new(h, "NanoCpus", json_integer((json_int_t)o->nano_cpus));
	bad = bad || json_object_set_new(h, "CpuShares", json_integer((json_int_t)o->cpu_shares));
	bad = bad || json_object_set_new(h, "PidsLimit", json_integer(o->pids_limit));
	if (o->n_device_read_bps)
		bad = bad || json_object_set_new(
				 h, "BlkioDeviceReadBps",
				 run_device_rates(o->device_read_bps, o->n_device_read_bps));
	if (o->n_device_write_bps)
		bad = bad || json_object_set_new(
				 h, "BlkioDeviceWriteBps",
				 run_device_rates(o->device_write_bps, o->n_device_write_bps));
	if (o->network)
		bad = bad || json_object_set_new(h, "NetworkMode", json_string(o->network));
	if (o->n_ports)
		bad = bad || json_object_set_new(h, "PortBindings", run_port_map(o, false));
	bad = bad || json_object_set_new(h, "AutoRemove", json_boolean(o->auto_remove));
	bad = bad || json_object_set_new(h, "RestartPolicy", run_restart_policy(&o->restart));
	if (o->n_group_add)
		bad = bad || json_object_set_new(h, "GroupAdd",
						 run_string_array(o->group_add, o->n_group_add));
	if (o->console_rows && o->console_cols)
		bad = bad || json_object_set_new(
				 h, "ConsoleSize",
				 json_pack("[i, i]", (int)o->console_rows, (int)o->console_cols));
	if (bad) {
		json_decref(h);
		return NULL;
	}
	return h;
}

/* Turns KEY=VALUE strings into docker's Labels object; a repeated key keeps
 * its last value, as with docker. */
static json_t *run_labels(char *const *labels, size_t n)
{
	json_t *obj = json_object();

	for (size_t i = 0; obj && i < n; i++) {
		const char *eq = strchr(labels[i], '=');
		char *key = strndup(labels[i], (size_t)(eq - labels[i]));

		if (!key || json_object_set_new(obj, key, json_string(eq + 1)) < 0) {
			free(key);
			json_decref(obj);
			return NULL;
		}
		free(key);
	}
	return obj;
}

json_t *run_opts_create_body(const struct run_opts *o)
{
	json_t *body = json_object();
	int bad = !body;

	bad = bad || json_object_set_new(body, "Cmd", run_string_array(o->command, o->n_command));
	bad = bad || json_object_set_new(body, "Env", run_string_array(o->env, o->n_env));
	if (o->n_labels)
		bad =
		    bad || json_object_set_new(body, "Labels", run_labels(o->labels, o->n_labels));
	if (o->workdir)
		bad = bad || json_object_set_new(body, "WorkingDir", json_string(o->workdir));
	if (o->hostname)
		bad = bad || json_object_set_new(body, "Hostname", json_string(o->hostname));
	if (o->rootfs)
		bad = bad || json_object_set_new(body, "Rootfs", json_string(o->rootfs));
	if (o->user)
		bad = bad || json_object_set_new(body, "User", json_string(o->user));
	if (o->n_ports)
		bad = bad || json_object_set_new(body, "ExposedPorts", run_port_map(o, true));
	bad = bad || json_object_set_new(body, "HostConfig", run_host_config(o));
	if (o->tty)
		bad = bad || json_object_set_new(body, "Tty", json_true());
	if (o->interactive)
		bad = bad || json_object_set_new(body, "OpenStdin", json_true());
	if (bad) {
		json_decref(body);
		return NULL;
	}
	return body;
}

const char run_usage[] =
    "Usage: mstat run [OPTIONS] [--] COMMAND [ARG...]\n"
    "\n"
    "Create and start a container, follow its output and exit with its status.\n"
    "\n"
    "Options:\n"
    "  -d, --detach             Start the container in the background and print its ID\n"
    "  -i, --interactive        Attach stdin: what mstat reads goes to the container\n"
    "  -t, --tty                Give the container a pseudo-terminal; with -i, this\n"
    "                           terminal is attached in raw mode\n"
    "      --detach-keys KEYS   Keys that detach from the container and leave it\n"
    "                           running (default ctrl-p,ctrl-q; \"\" for none)\n"
    "      --rm                 Remove the container when it exits\n"
    "      --name NAME          Container name ([a-zA-Z0-9][a-zA-Z0-9_.-]*)\n"
    "  -m, --memory SIZE        Memory limit, e.g. 512m or 1.5g (binary units b, k, m, g, t)\n"
    "      --memory-swap SIZE   Limit of memory plus swap; -1 for unlimited swap\n"
    "      --cpus N             Number of CPUs, e.g. 0.5 (a CFS quota per 100 ms period)\n"
    "  -c, --cpu-shares N       Relative CPU weight (cgroup v1 shares, default 1024)\n"
    "      --pids-limit N       Maximum number of processes; -1 for no limit\n"
    "      --device-read-bps DEVICE:RATE\n"
    "                           Limit reads from a block device to RATE bytes per\n"
    "                           second, e.g. /dev/sda:10mb; repeat for more devices\n"
    "      --device-write-bps DEVICE:RATE\n"
    "                           Limit writes to a block device, in the same form\n"
    "  -h, --hostname NAME      Host name inside the container (default: short ID)\n"
    "      --rootfs DIR         Root directory (default: the host's root, read-only)\n"
    "  -e, --env KEY[=VALUE]    Set an environment variable; KEY alone copies it from\n"
    "                           this environment\n"
    "  -l, --label KEY[=VALUE]  Set a container label; mstatd exports it on /metrics\n"
    "                           only when started with --label-allow KEY\n"
    "  -w, --workdir DIR        Working directory inside the container (absolute)\n"
    "  -u, --user USER[:GROUP]  Run as this user and group: names from the container's\n"
    "                           /etc/passwd and /etc/group, or numeric ids\n"
    "      --group-add GROUP    Add a supplementary group (name or gid); repeatable\n"
    "      --network MODE       none (own namespace with lo only), host, or bridge\n"
    "                           (eth0 on mstatd's bridge; the default with -p)\n"
    "  -p, --publish [HOST_IP:]HOST_PORT:CONTAINER_PORT[/tcp|/udp]\n"
    "                           Forward a host port to a container port; without\n"
    "                           HOST_IP on every IPv4 and IPv6 address (0.0.0.0\n"
    "                           and ::)\n"
    "      --restart POLICY     Restart policy: no (default), always, unless-stopped,\n"
    "                           on-failure or on-failure:MAX-RETRIES\n"
    "      --help               Print this help\n"
    "\n"
    "Without -d and -t, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2\n"
    "received by mstat are sent to the container. With -it, ^C reaches the\n"
    "container through its terminal.\n";

static const struct option update_long_options[] = {
	{ "memory", required_argument, NULL, 'm' },
	{ "memory-swap", required_argument, NULL, OPT_MEMORY_SWAP },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "cpu-shares", required_argument, NULL, 'c' },
	{ "pids-limit", required_argument, NULL, OPT_PIDS_LIMIT },
	{ "device-read-bps", required_argument, NULL, OPT_DEVICE_READ_BPS },
	{ "device-write-bps", required_argument, NULL, OPT_DEVICE_WRITE_BPS },
	{ "restart", required_argument, NULL, OPT_RESTART },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

/* The UPDATE_* bit of an option of update_long_options. */
static unsigned update_bit(int c)
{
	switch (c) {
	case 'm':
		return UPDATE_MEMORY;
	case OPT_MEMORY_SWAP:
		return UPDATE_MEMORY_SWAP;
	case OPT_CPUS:
		return UPDATE_CPUS;
	case 'c':
		return UPDATE_CPU_SHARES;
	case OPT_PIDS_LIMIT:
		return UPDATE_PIDS_LIMIT;
	case OPT_DEVICE_READ_BPS:
		return UPDATE_DEVICE_READ_BPS;
	case OPT_DEVICE_WRITE_BPS:
		return UPDATE_DEVICE_WRITE_BPS;
	case OPT_RESTART:
		return UPDATE_RESTART;
	}
	return 0;
}

int update_opts_parse(int argc, char **argv, struct update_opts *ret, struct mst_err *err)
{
	struct update_opts o = { 0 };
	int c, r = 0;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":m:c:", update_long_options, NULL)) != -1) {
		if (c == '?' || c == ':')
			r = cli_getopt_error(c, argv, update_long_options, err);
		else if (c == OPT_HELP)
			o.help = true;
		else
			r = run_apply(&o.set, c, optarg, err);
		if (r < 0)
			goto fail;
		o.given |= update_bit(c);
	}
	if (o.help) {
		update_opts_free(&o);
		*ret = (struct update_opts){ .help = true };
		return 0;
	}
	if (o.given == 0) {
		r = err_setx(err, EINVAL,
			     "\"mstat update\" needs at least one flag to change, such as --memory "
			     "or --restart");
		goto fail;
	}
	if (optind >= argc) {
		r = err_setx(err, EINVAL, "\"mstat update\" requires at least 1 container name");
		goto fail;
	}
	o.names = argv + optind;
	o.n_names = (size_t)(argc - optind);
	*ret = o;
	return 0;

fail:
	update_opts_free(&o);
	return r;
}

void update_opts_free(struct update_opts *o)
{
	if (o)
		run_opts_free(&o->set);
}

json_t *update_opts_body(const struct update_opts *o)
{
	const struct run_opts *v = &o->set;
	json_t *body = json_object();
	int bad = !body;

	if (o->given & UPDATE_MEMORY)
		bad =
		    bad || json_object_set_new(body, "Memory", json_integer((json_int_t)v->memory));
	if (o->given & UPDATE_MEMORY_SWAP)
		bad = bad || json_object_set_new(body, "MemorySwap", json_integer(v->memory_swap));
	if (o->given & UPDATE_CPUS)
		bad = bad ||
		      json_object_set_new(body, "NanoCpus", json_integer((json_int_t)v->nano_cpus));
	if (o->given & UPDATE_CPU_SHARES)
		bad = bad || json_object_set_new(body, "CpuShares",
						 json_integer((json_int_t)v->cpu_shares));
	if (o->given & UPDATE_PIDS_LIMIT)
		bad = bad || json_object_set_new(body, "PidsLimit", json_integer(v->pids_limit));
	if (o->given & UPDATE_DEVICE_READ_BPS)
		bad = bad || json_object_set_new(
				 body, "BlkioDeviceReadBps",
				 run_device_rates(v->device_read_bps, v->n_device_read_bps));
	if (o->given & UPDATE_DEVICE_WRITE_BPS)
		bad = bad || json_object_set_new(
				 body, "BlkioDeviceWriteBps",
				 run_device_rates(v->device_write_bps, v->n_device_write_bps));
	if (o->given & UPDATE_RESTART)
		bad = bad ||
		      json_object_set_new(body, "RestartPolicy", run_restart_policy(&v->restart));
	if (bad) {
		json_decref(body);
		return NULL;
	}
	return body;
}

const char update_usage[] =
    "Usage: mstat update [OPTIONS] CONTAINER...\n"
    "\n"
    "Change the limits and restart policy of containers. A running container gets the\n"
    "new limits in its cgroup at once; every container keeps them for later runs.\n"
    "Flags that are not given leave their setting as it is; 0 also leaves a limit\n"
    "as it is, as with docker update.\n"
    "\n"
    "Options:\n"
    "  -m, --memory SIZE        Memory limit, e.g. 512m or 1.5g\n"
    "      --memory-swap SIZE   Limit of memory plus swap; -1 for unlimited swap\n"
    "      --cpus N             Number of CPUs, e.g. 0.5\n"
    "  -c, --cpu-shares N       Relative CPU weight (cgroup v1 shares)\n"
    "      --pids-limit N       Maximum number of processes; -1 or 0 for no limit\n"
    "      --device-read-bps DEVICE:RATE\n"
    "                           Read limits, which replace all earlier ones; a device\n"
    "                           left out loses its limit; repeat for more devices\n"
    "      --device-write-bps DEVICE:RATE\n"
    "                           Write limits, in the same way\n"
    "      --restart POLICY     no, always, unless-stopped, on-failure[:MAX-RETRIES]\n"
    "      --help               Print this help\n";
