/* SPDX-License-Identifier: MIT */
/*
 * Parses mstatd's flags with getopt_long. Every number goes through the strict
 * parsers of common/parse.h. Nothing here prints or exits: errors go back to
 * main() in an mst_err that names the flag and the value.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "agent/config.h"
#include "agent/logfile.h"
#include "common/parse.h"
#include "runtime/net.h"

enum {
	OPT_SOCKET = 1000,
	OPT_LISTEN,
	OPT_INTERVAL,
	OPT_STATE_DIR,
	OPT_CGROUP_ROOT,
	OPT_PROC_ROOT,
	OPT_CGROUP_PARENT,
	OPT_WATCH,
	OPT_LABEL_ALLOW,
	OPT_ONCE,
	OPT_STOP_TIMEOUT,
	OPT_LOG_MAX_SIZE,
	OPT_LOG_MAX_FILE,
	OPT_DEBUG,
	OPT_BRIDGE,
	OPT_BRIDGE_SUBNET,
	OPT_VERSION,
	OPT_HELP,
};

static const struct option config_options[] = {
	{ "socket", required_argument, NULL, OPT_SOCKET },
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
	{ "cgroup-root", required_argument, NULL, OPT_CGROUP_ROOT },
	{ "proc-root", required_argument, NULL, OPT_PROC_ROOT },
	{ "cgroup-parent", required_argument, NULL, OPT_CGROUP_PARENT },
	{ "watch", required_argument, NULL, OPT_WATCH },
	{ "label-allow", required_argument, NULL, OPT_LABEL_ALLOW },
	{ "once", no_argument, NULL, OPT_ONCE },
	{ "stop-timeout", required_argument, NULL, OPT_STOP_TIMEOUT },
	{ "log-max-size", required_argument, NULL, OPT_LOG_MAX_SIZE },
	{ "log-max-file", required_argument, NULL, OPT_LOG_MAX_FILE },
	{ "debug", no_argument, NULL, OPT_DEBUG },
	{ "bridge", required_argument, NULL, OPT_BRIDGE },
	{ "bridge-subnet", required_argument, NULL, OPT_BRIDGE_SUBNET },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static int replace_string(char **slot, const char *value)
{
	char *copy = strdup(value);

	if (!copy)
		return -ENOMEM;
	free(*slot);
	*slot = copy;
	return 0;
}

static int config_set_defaults(struct agent_config *c)
{
	memset(c, 0, sizeof(*c));
	c->action = AGENT_ACTION_RUN;
	c->interval_ns = 1000000000ULL;
	c->stop_timeout_s = 10;
	c->log_max_size = LOGFILE_DEFAULT_MAX_SIZE;
	c->log_max_files = LOGFILE_DEFAULT_MAX_FILES;

	if (replace_string(&c->socket_path, AGENT_DEFAULT_SOCKET) < 0 ||
	    replace_string(&c->state_dir, AGENT_DEFAULT_STATE_DIR) < 0 ||
	    replace_string(&c->cgroup_root, AGENT_DEFAULT_CGROUP_ROOT) < 0 ||
	    replace_string(&c->proc_root, AGENT_DEFAULT_PROC_ROOT) < 0 ||
	    replace_string(&c->bridge_name, AGENT_DEFAULT_BRIDGE) < 0)
		return -ENOMEM;
	if (rt_parse_subnet(AGENT_DEFAULT_BRIDGE_SUBNET, &c->bridge_subnet, &c->bridge_prefix_len) <
	    0)
		return -EINVAL;

	if (agent_parse_listen(AGENT_DEFAULT_LISTEN, &c->listen_host, &c->listen_port) < 0)
		return -EINVAL;
	c->listen_enabled = true;
	return 0;
}

int agent_parse_listen(const char *s, char **ret_host, unsigned *ret_port)
{
	const char *colon = strrchr(s, ':');
	const char *host = s;
	size_t host_len;
	char buf[INET6_ADDRSTRLEN];
	unsigned char addr[sizeof(struct in6_addr)];
	uint64_t port;
	int family = AF_INET;
	char *copy;

	if (!colon)
		return -EINVAL;
	host_len = (size_t)(colon - s);
	if (host_len >= 2 && host[0] == '[' && host[host_len - 1] == ']') {
		host++;
		host_len -= 2;
		family = AF_INET6;
	}
	if (host_len == 0 || host_len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, host, host_len);
	buf[host_len] = '\0';

	if (inet_pton(family, buf, addr) != 1)
		return -EINVAL;
	if (parse_u64_str(colon + 1, &port) < 0 || port > 65535 || colon[1] == '\0')
		return -EINVAL;

	copy = strdup(buf);
	if (!copy)
		return -ENOMEM;
	*ret_host = copy;
	*ret_port = (unsigned)port;
	return 0;
}

static int parse_interval(const char *value, uint64_t *ret)
{
	uint64_t ns;

	if (parse_nano(value, &ns) < 0)
		return -EINVAL;
	if (ns < AGENT_INTERVAL_MIN_NS || ns > AGENT_INTERVAL_MAX_NS)
		return -ERANGE;
	*ret = ns;
	return 0;
}

static int parse_stop_timeout(const char *value, unsigned *ret)
{
	uint64_t s;

	if (parse_u64_str(value, &s) < 0 || s > AGENT_STOP_TIMEOUT_MAX_S)
		return -EINVAL;
	*ret = (unsigned)s;
	return 0;
}

static int check_path(const char *flag, const char *value, bool must_be_absolute,
		      struct mst_err *err)
{
	if (value[0] == '\0')
		return err_setx(err, EINVAL, "invalid %s '': expected a path", flag);
	if (must_be_absolute && value[0] != '/')
		return err_setx(err, EINVAL, "invalid %s '%s': expected an absolute path", flag,
				value);
	return 0;
}

static int add_watch(struct agent_config *c, const char *value, struct mst_err *err)
{
	char **grown;

	if (value[0] != '/')
		return err_setx(err, EINVAL,
				"invalid --watch '%s': expected a cgroup path starting with '/'",
				value);

	grown = realloc(c->watch, (c->n_watch + 1) * sizeof(*grown));
	if (!grown)
		return err_set(err, ENOMEM, "--watch");
	c->watch = grown;
	c->watch[c->n_watch] = strdup(value);
	if (!c->watch[c->n_watch])
		return err_set(err, ENOMEM, "--watch");
	c->n_watch++;
	return 0;
}

/* A label key as docker accepts it: not empty, no '=' and no control
 * character, at most 100 bytes so that the Prometheus label name stays short. */
static int add_label_allow(struct agent_config *c, const char *value, struct mst_err *err)
{
	char **grown;
	size_t len = strlen(value);
	bool valid = len > 0 && len <= 100 && !strchr(value, '=');

	for (size_t i = 0; valid && i < len; i++)
		valid = (unsigned char)value[i] >= 0x20 && value[i] != 0x7f;
	if (!valid)
		return err_setx(err, EINVAL,
				"invalid --label-allow '%s': expected a label key of 1 to 100 "
				"characters without '=' or control characters",
				value);

	grown = realloc(c->label_allow, (c->n_label_allow + 1) * sizeof(*grown));
	if (!grown)
		return err_set(err, ENOMEM, "--label-allow");
	c->label_allow = grown;
	c->label_allow[c->n_label_allow] = strdup(value);
	if (!c->label_allow[c->n_label_allow])
		return err_set(err, ENOMEM, "--label-allow");
	c->n_label_allow++;
	return 0;
}

/* An interface name the kernel accepts: 1 to 15 bytes, no '/', ':' or
 * white space, not "." or "..". */
static int apply_bridge(struct agent_config *c, const char *value, struct mst_err *err)
{
	size_t len = strlen(value);
	bool valid = len > 0 && len < 16 && strcmp(value, ".") != 0 && strcmp(value, "..") != 0;

	for (size_t i = 0; valid && i < len; i++)
		valid = value[i] > ' ' && value[i] != '/' && value[i] != ':' && value[i] != 0x7f;
	if (!valid)
		return err_setx(err, EINVAL,
				"invalid --bridge '%s': expected an interface name of 1 to 15 "
				"characters without '/', ':' or spaces",
				value);
	return replace_string(&c->bridge_name, value);
}

static int apply_listen(struct agent_config *c, const char *value, struct mst_err *err)
{
	char *host = NULL;
	unsigned port;

	if (strcmp(value, "none") == 0) {
		c->listen_enabled = false;
		return 0;
	}
	if (agent_parse_listen(value, &host, &port) < 0)
		return err_setx(err, EINVAL,
				"invalid --listen '%s': expected ADDR:PORT with a numeric address "
				"(127.0.0.1:6782, [::1]:6782) or 'none'",
				value);
	free(c->listen_host);
	c->listen_host = host;
	c->listen_port = port;
	c->listen_enabled = true;
	return 0;
}

static int apply_log_limit(struct agent_config *c, int opt, const char *value, struct mst_err *err)
{
	uint64_t n;

	if (opt == OPT_LOG_MAX_SIZE) {
		if (parse_size(value, &n) < 0 || n < LOGFILE_MIN_MAX_SIZE)
			return err_setx(err, EINVAL,
					"invalid --log-max-size '%s': expected a size of at "
					"least 4k, such as 20m",
					value);
		c->log_max_size = n;
		return 0;
	}
	if (parse_u64_str(value, &n) < 0 || n < 1 || n > LOGFILE_MAX_FILES_LIMIT)
		return err_setx(err, EINVAL,
				"invalid --log-max-file '%s': expected a whole number from 1 to %d",
				value, LOGFILE_MAX_FILES_LIMIT);
	c->log_max_files = (unsigned)n;
	return 0;
}

/* Applies one option with an argument; opt is an OPT_* value. */
static int apply_option(struct agent_config *c, int opt, const char *value, struct mst_err *err)
{
	switch (opt) {
	case OPT_SOCKET:
		if (check_path("--socket", value, true, err) < 0)
			return -EINVAL;
		return replace_string(&c->socket_path, value);
	case OPT_LISTEN:
		return apply_listen(c, value, err);
	case OPT_INTERVAL:
		if (parse_interval(value, &c->interval_ns) < 0)
			return err_setx(
			    err, EINVAL,
			    "invalid --interval '%s': expected seconds between 0.1 and 3600",
			    value);
		return 0;
	case OPT_STATE_DIR:
		if (check_path("--state-dir", value, true, err) < 0)
			return -EINVAL;
		return replace_string(&c->state_dir, value);
	case OPT_CGROUP_ROOT:
		if (check_path("--cgroup-root", value, true, err) < 0)
			return -EINVAL;
		return replace_string(&c->cgroup_root, value);
	case OPT_PROC_ROOT:
		if (check_path("--proc-root", value, true, err) < 0)
			return -EINVAL;
		return replace_string(&c->proc_root, value);
	case OPT_CGROUP_PARENT:
		if (check_path("--cgroup-parent", value, false, err) < 0)
			return -EINVAL;
		if (strstr(value, ".."))
			return err_setx(err, EINVAL,
					"invalid --cgroup-parent '%s': '..' is not allowed", value);
		return replace_string(&c->cgroup_parent, value);
	case OPT_WATCH:
		return add_watch(c, value, err);
	case OPT_LABEL_ALLOW:
		return add_label_allow(c, value, err);
	case OPT_BRIDGE:
		return apply_bridge(c, value, err);
	case OPT_BRIDGE_SUBNET:
		if (rt_parse_subnet(value, &c->bridge_subnet, &c->bridge_prefix_len) < 0)
			return err_setx(err, EINVAL,
					"invalid --bridge-subnet '%s': expected an IPv4 network "
					"such as 10.213.0.0/16, with a prefix length from %d to %d "
					"and no bits set past it",
					value, RT_SUBNET_PREFIX_MIN, RT_SUBNET_PREFIX_MAX);
		return 0;
	case OPT_STOP_TIMEOUT:
		if (parse_stop_timeout(value, &c->stop_timeout_s) < 0)
			return err_setx(
			    err, EINVAL,
			    "invalid --stop-timeout '%s': expected whole seconds from 0 to %d",
			    value, AGENT_STOP_TIMEOUT_MAX_S);
		return 0;
	case OPT_LOG_MAX_SIZE:
	case OPT_LOG_MAX_FILE:
		return apply_log_limit(c, opt, value, err);
	}
	return err_setx(err, EINVAL, "unhandled option %d", opt);
}

static int report_getopt_error(int argc, char **argv, struct mst_err *err)
{
	/* getopt_long has already advanced optind past the faulty word. */
	const char *word = optind > 0 && optind <= argc ? argv[optind - 1] : "?";

	if (optopt != 0 && optopt < OPT_SOCKET)
		return err_setx(err, EINVAL, "unknown option '-%c'; see --help", optopt);
	for (const struct option *o = config_options; o->name; o++)
		if (o->val == optopt && o->has_arg == required_argument)
			return err_setx(err, EINVAL, "option '--%s' requires a value; see --help",
					o->name);
	return err_setx(err, EINVAL, "unknown option '%s'; see --help", word);
}

static int parse_args(int argc, char **argv, struct agent_config *c, struct mst_err *err)
{
	int opt;

	optind = 0; /* glibc: full reset, so that tests can parse repeatedly */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+", config_options, NULL)) != -1) {
		int r;

		switch (opt) {
		case '?':
		case ':':
			return report_getopt_error(argc, argv, err);
		case OPT_ONCE:
			c->once = true;
			break;
		case OPT_DEBUG:
			c->debug = true;
			break;
		case OPT_VERSION:
			c->action = AGENT_ACTION_VERSION;
			break;
		case OPT_HELP:
			c->action = AGENT_ACTION_HELP;
			break;
		default:
			r = apply_option(c, opt, optarg, err);
			if (r == -ENOMEM)
				return err_set(err, ENOMEM, "parsing options");
			if (r < 0)
				return r;
		}
	}
	if (optind < argc)
		return err_setx(err, EINVAL, "unexpected argument '%s'; mstatd takes only options",
				argv[optind]);
	return 0;
}

int agent_config_parse(int argc, char **argv, struct agent_config *ret, struct mst_err *err)
{
	struct agent_config c;
	int r;

	r = config_set_defaults(&c);
	if (r < 0) {
		agent_config_free(&c);
		return err_set(err, -r, "setting defaults");
	}

	r = parse_args(argc, argv, &c, err);
	if (r < 0) {
		agent_config_free(&c);
		return r;
	}

	*ret = c;
	return 0;
}

void agent_config_free(struct agent_config *c)
{
	if (!c)
		return;
	free(c->socket_path);
	free(c->listen_host);
	free(c->state_dir);
	free(c->cgroup_root);
	free(c->proc_root);
	free(c->cgroup_parent);
	free(c->bridge_name);
	for (size_t i = 0; i < c->n_watch; i++)
		free(c->watch[i]);
	free(c->watch);
	for (size_t i = 0; i < c->n_label_allow; i++)
		free(c->label_allow[i]);
	free(c->label_allow);
	memset(c, 0, sizeof(*c));
}

void agent_config_usage(FILE *f, const char *program)
{
	fprintf(f,
		"Usage: %s [OPTION]...\n"
		"Launch and supervise resource-limited containers and publish their\n"
		"cgroup and network counters.\n"
		"\n"
		"  --socket PATH          unix socket of the read-write API, mode 0660\n"
		"                         (default " AGENT_DEFAULT_SOCKET ")\n"
		"  --listen ADDR:PORT     TCP listener for /metrics, / and /healthz, with a\n"
		"                         numeric address; port 0 picks a free port and logs\n"
		"                         it; 'none' disables it (default " AGENT_DEFAULT_LISTEN
		")\n"
		"  --interval SECONDS     time between collection passes, 0.1 to 3600,\n"
		"                         fractions allowed (default 1)\n"
		"  --state-dir DIR        directory of container state files\n"
		"                         (default " AGENT_DEFAULT_STATE_DIR ")\n"
		"  --cgroup-root DIR      where the cgroup hierarchies are mounted\n"
		"                         (default " AGENT_DEFAULT_CGROUP_ROOT ")\n"
		"  --proc-root DIR        where procfs is mounted (default " AGENT_DEFAULT_PROC_ROOT
		")\n"
		"  --cgroup-parent PATH   cgroup beneath which containers are created; without\n"
		"                         a leading '/' it is relative to mstatd's own cgroup\n"
		"                         (default: mstatd's own cgroup + /mstat)\n"
		"  --watch CGROUP_PATH    also monitor this existing cgroup, named by its\n"
		"                         path; repeatable\n"
		"  --label-allow KEY      export the container label KEY (mstat run --label)\n"
		"                         on /metrics as container_label_KEY; repeatable;\n"
		"                         other labels are not exported\n"
		"  --once                 run one collection pass over the --watch targets,\n"
		"                         print Prometheus text on stdout and exit\n"
		"  --stop-timeout SECONDS at shutdown, time between SIGTERM and SIGKILL for\n"
		"                         each running container, 0 to 3600 (default 10)\n"
		"  --bridge NAME          bridge of --network bridge containers, created\n"
		"                         at the first one, deleted at exit when mstatd\n"
		"                         created it (default " AGENT_DEFAULT_BRIDGE ")\n"
		"  --bridge-subnet CIDR   IPv4 subnet of the bridge, whose first address\n"
		"                         is the gateway\n"
		"                         (default " AGENT_DEFAULT_BRIDGE_SUBNET ")\n"
		"  --log-max-size SIZE    size at which a container's output file is rotated,\n"
		"                         at least 4k (default 20m)\n"
		"  --log-max-file N       output files kept per container, the current one\n"
		"                         included, 1 to 100 (default 5)\n"
		"  --debug                log debug messages\n"
		"  --version              print the version and exit\n"
		"  --help                 print this help and exit\n",
		program);
}
