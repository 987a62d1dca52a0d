/* SPDX-License-Identifier: MIT */
/*
 * rt_spawn(): clone3() into new namespaces (on v2 straight into the
 * container's cgroup, on v1 the child moves itself there first), set the
 * container up in the child and exec mstat-init.
 * The parent prepares every path, argument and descriptor before the clone,
 * and the child only makes system calls and reports a failed step on a pipe.
 * Needs Linux 5.12 or later (clone3 with CLONE_INTO_CGROUP, close_range,
 * mount_setattr).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/init_signals.h"
#include "runtime/net.h"
#include "runtime/runtime.h"
#include "runtime/spawn_child.h"

#define RT_INIT_NAME	 "mstat-init"
#define RT_INIT_PATH_ENV "MSTAT_INIT_PATH"
/* How long the parent waits for the child to exec before giving up. */
#define RT_SETUP_TIMEOUT_MS 30000

struct spawn_plan {
	struct rt_child child;
	char *root_target;		/* <state_dir>/rootfs or the resolved --rootfs */
	char *etc_hostname, *etc_hosts; /* <state_dir>/hostname and /hosts */
	char hostname[16];
	char exit_fd_arg[16];
	char report_fd_arg[16];
	char **init_argv;  /* strings borrowed from the spec */
	struct rt_env env; /* the spec's environment and docker's defaults */
	int error_pipe[2];
	int sync_pair[2]; /* bridge: the parent releases the child after setting up eth0 */
	bool tty;	  /* stdio is a terminal: mstat-init gets --tty */

	struct rt_user user; /* --user, resolved in the container's root */
};

static void close_fd(int *fd)
{
	if (*fd >= 0)
		(void)close(*fd);
	*fd = -1;
}

/* Moves fd above 2, so that dup2() onto 0..2 in the child cannot clobber it.
 * Returns the new descriptor, or -errno (fd is then closed). */
static int fd_above_stdio(int fd)
{
	if (fd < 0 || fd > 2)
		return fd;
	int moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	int saved = errno;
	(void)close(fd);
	return moved < 0 ? -saved : moved;
}

static void plan_init(struct spawn_plan *p)
{
	memset(p, 0, sizeof(*p));
	p->child.error_fd = p->child.sync_fd = p->child.init_fd = p->child.exit_fd = -1;
	for (int i = 0; i < 3; i++)
		p->child.stdio_fd[i] = -1;
	p->error_pipe[0] = p->error_pipe[1] = -1;
	p->sync_pair[0] = p->sync_pair[1] = -1;
}

static void plan_free(struct spawn_plan *p)
{
	close_fd(&p->child.init_fd);
	close_fd(&p->child.exit_fd);
	for (int i = 0; i < 3; i++)
		close_fd(&p->child.stdio_fd[i]);
	for (int i = 0; i < 2; i++) {
		close_fd(&p->error_pipe[i]);
		close_fd(&p->sync_pair[i]);
	}
	rt_cgroup_tasks_free(&p->child.cgroup_tasks);
	free(p->root_target);
	free(p->etc_hostname);
	free(p->etc_hosts);
	free(p->init_argv);
	rt_env_free(&p->env);
	rt_user_free(&p->user);
}

/* Opens mstat-init from $MSTAT_INIT_PATH or from the running executable's
 * directory. */
static int open_init(struct spawn_plan *p, struct mst_err *err)
{
	char path[PATH_MAX];
	const char *env = getenv(RT_INIT_PATH_ENV);

	if (env && env[0]) {
		if (snprintf(path, sizeof(path), "%s", env) >= (int)sizeof(path))
			return err_setx(err, ENAMETOOLONG, "%s is too long", RT_INIT_PATH_ENV);
	} else {
		ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
		if (n < 0)
			return err_set(err, errno, "find the agent's executable in /proc/self/exe");
		path[n] = '\0';
		char *slash = strrchr(path, '/');
		size_t dir_len = slash ? (size_t)(slash - path) : 0;
		if (dir_len + sizeof("/" RT_INIT_NAME) > sizeof(path))
			return err_setx(err, ENAMETOOLONG, "the agent's path %s is too long", path);
		memcpy(path + dir_len, "/" RT_INIT_NAME, sizeof("/" RT_INIT_NAME));
	}

	if (access(path, X_OK) < 0)
		return err_set(err, errno,
			       "%s not found or not executable at %s; install it next to the "
			       "agent or set %s",
			       RT_INIT_NAME, path, RT_INIT_PATH_ENV);
	int fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return err_set(err, errno, "open %s", path);
	p->child.init_fd = fd_above_stdio(fd);
	if (p->child.init_fd < 0)
		return err_set(err, -p->child.init_fd, "open %s", path);
	return 0;
}

static int open_fds(struct spawn_plan *p, const struct rt_stdio *stdio, const char *state_dir,
		    struct mst_err *err)
{
	char path[PATH_MAX];
	int given[3] = { -1, -1, -1 };
	int devnull;

	if (snprintf(path, sizeof(path), "%s/%s", state_dir, RT_EXIT_FILE) >= (int)sizeof(path))
		return err_setx(err, ENAMETOOLONG, "state directory %s is too long", state_dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return err_set(err, errno, "create %s", path);
	p->child.exit_fd = fd_above_stdio(fd);
	if (p->child.exit_fd < 0)
		return err_set(err, -p->child.exit_fd, "create %s", path);

	if (stdio) {
		given[0] = stdio->in_fd;
		given[1] = stdio->out_fd;
		given[2] = stdio->err_fd;
	}
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0)
		return err_set(err, errno, "open /dev/null");
	for (int i = 0; i < 3; i++) {
		int src = given[i] >= 0 ? given[i] : devnull;

		p->child.stdio_fd[i] = fcntl(src, F_DUPFD_CLOEXEC, 3);
		if (p->child.stdio_fd[i] < 0) {
			int r =
			    err_set(err, errno, "duplicate descriptor %d for the container's fd %d",
				    src, i);
			(void)close(devnull);
			return r;
		}
	}
	(void)close(devnull);

	if (pipe2(p->error_pipe, O_CLOEXEC) < 0)
		return err_set(err, errno, "create the setup error pipe");
	for (int i = 0; i < 2; i++) {
		p->error_pipe[i] = fd_above_stdio(p->error_pipe[i]);
		if (p->error_pipe[i] < 0)
			return err_set(err, -p->error_pipe[i], "create the setup error pipe");
	}
	p->child.error_fd = p->error_pipe[1];
	return 0;
}

static int plan_root(struct spawn_plan *p, const struct rt_spec *spec, const char *state_dir,
		     struct mst_err *err)
{
	char resolved[PATH_MAX];

	if (spec->rootfs) {
		if (!realpath(spec->rootfs, resolved))
			return err_set(err, errno, "resolve rootfs %s", spec->rootfs);
		p->child.root_readonly = false;
		p->root_target = strdup(resolved);
		if (!p->root_target)
			return err_set(err, ENOMEM, "plan the root filesystem");
		p->child.root_source = p->root_target;
		p->child.root_target = p->root_target;
		return 0;
	}

	if (!realpath(state_dir, resolved))
		return err_set(err, errno, "resolve state directory %s", state_dir);
	if (asprintf(&p->root_target, "%s/rootfs", resolved) < 0) {
		p->root_target = NULL;
		return err_set(err, ENOMEM, "plan the root filesystem");
	}
	if (mkdir(p->root_target, 0755) < 0 && errno != EEXIST)
		return err_set(err, errno, "create the root mount point %s", p->root_target);
	p->child.root_source = "/";
	p->child.root_target = p->root_target;
	p->child.root_readonly = true;
	return 0;
}

/* Writes content to path (truncating it) and returns a copy of path, or NULL
 * with err set. */
static char *write_small_file(const char *path, const char *content, struct mst_err *err)
{
	size_t len = strlen(content);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	char *copy;

	if (fd < 0) {
		err_set(err, errno, "create %s", path);
		return NULL;
	}
	if (write(fd, content, len) != (ssize_t)len) {
		err_set(err, errno ? errno : EIO, "write %s", path);
		(void)close(fd);
		return NULL;
	}
	(void)close(fd);
	copy = strdup(path);
	if (!copy)
		err_set(err, ENOMEM, "plan %s", path);
	return copy;
}

/* Writes the container's /etc/hostname and, unless it shares the host's
 * network, its /etc/hosts: localhost, the IPv6 names docker lists, and on a
 * bridge the container's address under its hostname. */
static int plan_etc(struct spawn_plan *p, const struct rt_spec *spec, const char *state_dir,
		    struct mst_err *err)
{
	char path[PATH_MAX], content[512], address[INET_ADDRSTRLEN] = "";
	struct in_addr in = { .s_addr = spec->endpoint.address };
	int n;

	snprintf(path, sizeof(path), "%s/hostname", state_dir);
	snprintf(content, sizeof(content), "%s\n", p->child.hostname);
	p->etc_hostname = write_small_file(path, content, err);
	if (!p->etc_hostname)
		return -err->code;
	p->child.etc_hostname = p->etc_hostname;
	if (spec->network == RT_NET_HOST)
		return 0;

	if (spec->network == RT_NET_BRIDGE && spec->endpoint.address)
		(void)inet_ntop(AF_INET, &in, address, sizeof(address));
	n = snprintf(content, sizeof(content),
		     "127.0.0.1\tlocalhost\n"
		     "::1\tlocalhost ip6-localhost ip6-loopback\n"
		     "fe00::0\tip6-localnet\n"
		     "ff00::0\tip6-mcastprefix\n"
		     "ff02::1\tip6-allnodes\n"
		     "ff02::2\tip6-allrouters\n");
	if (address[0] && n > 0 && (size_t)n < sizeof(content))
		snprintf(content + n, sizeof(content) - (size_t)n, "%s\t%s\n", address,
			 p->child.hostname);
	snprintf(path, sizeof(path), "%s/hosts", state_dir);
	p->etc_hosts = write_small_file(path, content, err);
	if (!p->etc_hosts)
		return -err->code;
	p->child.etc_hosts = p->etc_hosts;
	return 0;
}

/* Builds mstat-init's argv and the environment: the spec's entries plus the
 * PATH, HOSTNAME and HOME docker adds when they are missing. */
static int plan_process(struct spawn_plan *p, const struct rt_spec *spec, struct mst_err *err)
{
	size_t n_argv = 0;

	while (spec->argv[n_argv])
		n_argv++;
	snprintf(p->exit_fd_arg, sizeof(p->exit_fd_arg), "%d", p->child.exit_fd);
	snprintf(p->report_fd_arg, sizeof(p->report_fd_arg), "%d", p->child.error_fd);

	p->init_argv = calloc(n_argv + 8, sizeof(char *));
	if (!p->init_argv || rt_env_build(spec->env, NULL, p->child.hostname, p->tty, &p->env) < 0)
		return err_set(err, ENOMEM, "prepare the container's arguments");
	p->init_argv[0] = RT_INIT_NAME;
	p->init_argv[1] = "--exit-fd";
	p->init_argv[2] = p->exit_fd_arg;
	/* The error pipe stays open until the command's exec, so a command
	 * that cannot be executed fails the start. */
	p->init_argv[3] = "--report-fd";
	p->init_argv[4] = p->report_fd_arg;
	size_t a = 5;

	/* The command becomes a session leader with the terminal as its
	 * controlling terminal, so that ^C reaches its process group. */
	if (p->tty)
		p->init_argv[a++] = "--tty";
	p->init_argv[a++] = "--";
	memcpy(p->init_argv + a, spec->argv, n_argv * sizeof(char *));
	p->child.argv = p->init_argv;
	p->child.envp = p->env.envp;
	return 0;
}

static int plan_build(struct spawn_plan *p, const struct rt_spec *spec, const struct rt_cgroup *cg,
		      const struct rt_stdio *stdio, const char *state_dir, struct mst_err *err)
{
	int r;

	if (spec->hostname)
		p->child.hostname = spec->hostname;
	else {
		memcpy(p->hostname, spec->id, 12);
		p->hostname[12] = '\0';
		p->child.hostname = p->hostname;
	}
	p->child.cwd = spec->cwd ? spec->cwd : "/";
	rt_init_blocked_signals(&p->child.blocked_signals);
	p->child.new_netns = spec->network != RT_NET_HOST;
	p->child.unshare_cgroup = cg->paths.version == CG_V1;

	p->tty = stdio && stdio->tty;
	r = open_init(p, err);
	if (r < 0)
		return r;
	r = open_fds(p, stdio, state_dir, err);
	if (r < 0)
		return r;
	r = plan_root(p, spec, state_dir, err);
	if (r < 0)
		return r;
	r = plan_etc(p, spec, state_dir, err);
	if (r < 0)
		return r;
	r = plan_process(p, spec, err);
	if (r < 0)
		return r;
	/* --group-add alone keeps root, as docker resolves uid 0 then. */
	if ((spec->user && spec->user[0]) || (spec->group_add && spec->group_add[0])) {
		r = rt_user_prepare(p->child.root_source,
				    spec->user && spec->user[0] ? spec->user : "0", spec->group_add,
				    &p->env, &p->user, err);
		if (r < 0)
			return r;
		p->child.user = &p->user;
	}
	r = rt_caps_docker_default(&p->child.caps, err);
	if (r < 0)
		return r;
	r = rt_cgroup_tasks_plan(cg, &p->child.cgroup_tasks, err);
	if (r < 0)
		return r;

	/* On a bridge, the child waits until the parent has set up eth0, so
	 * that the command starts with its address and route in place. */
	if (spec->network == RT_NET_BRIDGE) {
		/* A socket pair rather than a pipe, so that the release can be sent
		 * with MSG_NOSIGNAL: a child that died meanwhile must not raise
		 * SIGPIPE in the agent. */
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p->sync_pair) < 0)
			return err_set(err, errno, "create the network sync socket pair");
		p->child.sync_fd = p->sync_pair[0];
	}
	return 0;
}

/* Creates the working directory and its missing parents, as docker run -w
 * does. Runs in the child (no allocation); fails on a read-only root. */
static int make_workdir(const char *path)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, path, len + 1);
	for (size_t i = 1; i <= len; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		char saved = buf[i];

		buf[i] = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -1;
		buf[i] = saved;
	}
	return 0;
}

/* v1: moves the child into the container's cgroup of every controller, and
 * roots a new cgroup namespace there. */
static int child_join_cgroup(const struct rt_child *c, struct rt_child_error *e)
{
	int r = rt_cgroup_tasks_join(&c->cgroup_tasks, e);

	if (r < 0)
		return r;
	if (c->unshare_cgroup && unshare(CLONE_NEWCGROUP) < 0)
		return rt_child_fail(e, errno, "enter a new cgroup namespace", NULL);
	return 0;
}

/* Everything the child does between clone3() and exec. */
static int child_setup(const struct rt_child *c, struct rt_child_error *e)
{
	int r = child_join_cgroup(c, e);

	if (r < 0)
		return r;
	if (c->sync_fd >= 0) {
		char byte;
		ssize_t n;

		do
			n = read(c->sync_fd, &byte, 1);
		while (n < 0 && errno == EINTR);
		if (n != 1)
			_exit(1); /* the parent gave up; it reaps us and reports why */
	}
	r = rt_mounts_setup(c, e);
	if (r < 0)
		return r;
	if (sethostname(c->hostname, strlen(c->hostname)) < 0)
		return rt_child_fail(e, errno, "set the hostname to", c->hostname);
	if (c->new_netns) {
		r = rt_net_loopback_up(e);
		if (r < 0)
			return r;
	}
	if (chdir(c->cwd) < 0 && (errno != ENOENT || make_workdir(c->cwd) < 0 || chdir(c->cwd) < 0))
		return rt_child_fail(e, errno == EROFS ? ENOENT : errno,
				     "change to the working directory", c->cwd);

	for (int i = 0; i < 3; i++) {
		if (dup2(c->stdio_fd[i], i) < 0)
			return rt_child_fail(e, errno, "set up the standard descriptors", NULL);
	}
	/* Besides 0, 1 and 2, only the exit file and the error pipe cross the
	 * exec, even when another thread of the agent opened a descriptor
	 * without O_CLOEXEC. */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		return rt_child_fail(e, errno, "mark descriptors close-on-exec", NULL);
	if (fcntl(c->exit_fd, F_SETFD, 0) < 0 || fcntl(c->error_fd, F_SETFD, 0) < 0)
		return rt_child_fail(e, errno, "pass the exit file and error pipe to",
				     RT_INIT_NAME);
	r = rt_caps_apply(&c->caps, e);
	if (r < 0 || !c->user)
		return r;
	return rt_user_apply(c->user, e);
}

static _Noreturn void child_main(const struct spawn_plan *p)
{
	const struct rt_child *c = &p->child;
	struct rt_child_error e = { 0 };

	/* The child is already PID 1 of its namespace, where the kernel drops
	 * signals with the default action. Blocked, they stay pending across
	 * the exec and mstat-init forwards them to the command. */
	(void)sigprocmask(SIG_SETMASK, &c->blocked_signals, NULL);
	(void)close(p->error_pipe[0]);
	if (p->sync_pair[1] >= 0)
		(void)close(p->sync_pair[1]);

	if (child_setup(c, &e) == 0) {
		execveat(c->init_fd, "", c->argv, c->envp, AT_EMPTY_PATH);
		rt_child_fail(&e, errno, "execute", RT_INIT_NAME);
	}
	ssize_t n = write(c->error_fd, &e, sizeof(e));
	(void)n; /* best effort: without the report the parent gets only the exit status */
	_exit(1);
}

static void kill_and_reap(int pidfd)
{
	siginfo_t info;

	(void)pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
	while (waitid(P_PIDFD, (id_t)pidfd, &info, WEXITED) < 0 && errno == EINTR)
		;
}

/* Waits until the container's command is exec'd (the pipe closes without
 * data) or a failed step is reported: one of the child's, or mstat-init's
 * exec of the command. */
static int wait_for_exec(int fd, const char *name, struct mst_err *err)
{
	struct rt_child_error e;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int ready;

	do
		ready = poll(&pfd, 1, RT_SETUP_TIMEOUT_MS);
	while (ready < 0 && errno == EINTR);
	if (ready < 0)
		return err_set(err, errno, "wait for container %s to start", name);
	if (ready == 0)
		return err_setx(err, ETIMEDOUT, "container %s did not start within %d s", name,
				RT_SETUP_TIMEOUT_MS / 1000);

	ssize_t n;
	do
		n = read(fd, &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return 0;
	if (n != (ssize_t)sizeof(e))
		return err_setx(err, EIO, "container %s: setup failed without a readable report",
				name);
	e.step[sizeof(e.step) - 1] = '\0';
	return err_set(err, e.code, "set up container %s: %s", name, e.step);
}

static pid_t clone_child(const struct rt_spec *spec, const struct rt_cgroup *cg, int *ret_pidfd)
{
	struct clone_args args;

	memset(&args, 0, sizeof(args));
	args.flags = CLONE_PIDFD | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC;
	if (spec->network != RT_NET_HOST)
		args.flags |= CLONE_NEWNET;
	if (cg->paths.version == CG_V2) {
		/* The child starts inside the limited cgroup, so nothing it runs
		 * is ever unlimited, and its cgroup namespace is rooted there. */
		args.flags |= CLONE_INTO_CGROUP | CLONE_NEWCGROUP;
		args.cgroup = (uint64_t)cg->v2_dirfd;
	}
	args.pidfd = (uint64_t)(uintptr_t)ret_pidfd;
	args.exit_signal = SIGCHLD;
	return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
}

int rt_spawn(const struct rt_spec *spec, struct rt_cgroup *cg, const struct rt_stdio *stdio,
	     const char *state_dir, struct rt_process *ret, struct mst_err *err)
{
	struct spawn_plan plan;
	int pidfd = -1;
	int r;

	plan_init(&plan);
	r = plan_build(&plan, spec, cg, stdio, state_dir, err);
	if (r < 0)
		goto out;

	pid_t pid = clone_child(spec, cg, &pidfd);
	if (pid < 0) {
		r = err_set(err, errno, "clone the init of container %s", spec->name);
		goto out;
	}
	if (pid == 0)
		child_main(&plan);

	close_fd(&plan.error_pipe[1]);
	close_fd(&plan.sync_pair[0]);
	if (plan.sync_pair[1] >= 0) {
		r = rt_net_endpoint_attach(&spec->endpoint, pid, err);
		if (r == 0 && send(plan.sync_pair[1], "1", 1, MSG_NOSIGNAL) != 1)
			r = err_set(err, errno, "release container %s after setting up its network",
				    spec->name);
		close_fd(&plan.sync_pair[1]);
	}
	if (r == 0)
		r = wait_for_exec(plan.error_pipe[0], spec->name, err);
	if (r < 0) {
		kill_and_reap(pidfd);
		(void)close(pidfd);
		goto out;
	}
	/* NOTE: a child killed before its exec also closes the pipe, which then
	 * reads as a start. The caller learns of it when the init exits without
	 * writing the exit file. */
	ret->pid = pid;
	ret->pidfd = pidfd;
out:
	plan_free(&plan);
	return r;
}
