/* SPDX-License-Identifier: MIT */
/*
 * rt_exec(): run a command inside a running container, as `nsenter --target
 * PID --all` followed by the container's own set-up would. A first child
 * starts in the container's cgroup: CLONE_INTO_CGROUP on v2, or on v1 it
 * moves itself into every hierarchy before it goes on. It joins every namespace of the
 * container's init through its pidfd and creates the command's process with
 * CLONE_PARENT. So the command is in the container's PID namespace and still
 * the caller's child. That process takes the container's root, working
 * directory, capabilities and no_new_privs, and execs the command. Both
 * children make only async-signal-safe calls.
 */
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
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/runtime.h"
#include "runtime/spawn_child.h"

/* How long the caller waits for the command to exec. */
#define RT_EXEC_TIMEOUT_MS 30000

enum exec_report_kind {
	EXEC_REPORT_PID,   /* the command's process was created */
	EXEC_REPORT_ERROR, /* a step failed */
};

/* A message from the children to the caller on the report pipe. */
struct exec_report {
	enum exec_report_kind kind;
	pid_t pid; /* EXEC_REPORT_PID: in the caller's PID namespace */
	struct rt_child_error error;
};

struct exec_plan {
	int init_pidfd;
	int ns_flags;
	int report_pipe[2];
	struct rt_cgroup_tasks cgroup_tasks; /* v1: the cgroup the first child joins */
	int stdio_fd[3];
	bool tty;
	const char *cwd;
	char *const *argv;
	struct rt_env env;
	const char *path; /* PATH of env */
	struct rt_caps caps;
	struct rt_user user;
	bool has_user; /* switch to user after the capabilities */
};

static void close_fd(int *fd)
{
	if (*fd >= 0)
		(void)close(*fd);
	*fd = -1;
}

static void plan_free(struct exec_plan *p)
{
	for (int i = 0; i < 3; i++)
		close_fd(&p->stdio_fd[i]);
	for (int i = 0; i < 2; i++)
		close_fd(&p->report_pipe[i]);
	rt_cgroup_tasks_free(&p->cgroup_tasks);
	rt_env_free(&p->env);
	rt_user_free(&p->user);
}

static void report(const struct exec_plan *p, const struct exec_report *r)
{
	ssize_t n = write(p->report_pipe[1], r, sizeof(*r));

	(void)n; /* without it the caller still sees the pipe close */
}

/* Executes argv[0], looked up in the container's PATH unless it has a '/'.
 * Returns the errno of the last failed attempt. */
static int exec_in_path(const struct exec_plan *p)
{
	const char *name = p->argv[0], *dir = p->path ? p->path : "";
	size_t name_len = strlen(name);
	char candidate[PATH_MAX];
	int saved = ENOENT;

	if (strchr(name, '/')) {
		execve(name, p->argv, p->env.envp);
		return errno;
	}
	while (*dir) {
		size_t len = strcspn(dir, ":");

		if (len > 0 && len + 1 + name_len < sizeof(candidate)) {
			memcpy(candidate, dir, len);
			candidate[len] = '/';
			memcpy(candidate + len + 1, name, name_len + 1);
			execve(candidate, p->argv, p->env.envp);
			if (errno != ENOENT && errno != ENOTDIR)
				saved = errno;
		}
		dir += len;
		if (*dir == ':')
			dir++;
	}
	return saved;
}

/* The command's process, inside every namespace: the rest of the set-up. */
static int inner_setup(const struct exec_plan *p, struct rt_child_error *e)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };

	if (p->tty && setsid() < 0)
		return rt_child_fail(e, errno, "start a session", NULL);
	if (chdir(p->cwd) < 0)
		return rt_child_fail(e, errno, "change to the working directory", p->cwd);
	for (int i = 0; i < 3; i++) {
		if (dup2(p->stdio_fd[i], i) < 0)
			return rt_child_fail(e, errno, "set up the standard descriptors", NULL);
	}
	if (p->tty && ioctl(STDIN_FILENO, TIOCSCTTY, 0) < 0)
		return rt_child_fail(e, errno, "make the terminal the controlling terminal", NULL);
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		return rt_child_fail(e, errno, "mark descriptors close-on-exec", NULL);
	/* The caller may ignore signals, and an ignored signal stays ignored
	 * across execve(). */
	for (int sig = 1; sig < NSIG; sig++) {
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)sigaction(sig, &dfl, NULL);
	}
	int r = rt_caps_apply(&p->caps, e);

	if (r < 0 || !p->has_user)
		return r;
	return rt_user_apply(&p->user, e);
}

static _Noreturn void inner_main(const struct exec_plan *p)
{
	struct exec_report r = { .kind = EXEC_REPORT_ERROR };
	sigset_t none;

	if (inner_setup(p, &r.error) == 0) {
		sigemptyset(&none);
		(void)sigprocmask(SIG_SETMASK, &none, NULL);
		rt_child_fail(&r.error, exec_in_path(p), "execute", p->argv[0]);
	}
	report(p, &r);
	_exit(r.error.code == ENOENT ? 127 : 126);
}

/* The first child: joins the cgroup (v1) and the namespaces, and creates
 * the command's process as a sibling. */
static _Noreturn void outer_main(const struct exec_plan *p)
{
	struct exec_report r = { .kind = EXEC_REPORT_ERROR };
	struct clone_args args;
	pid_t pid;

	(void)close(p->report_pipe[0]);
	if (rt_cgroup_tasks_join(&p->cgroup_tasks, &r.error) < 0) {
		report(p, &r);
		_exit(1);
	}
	if (setns(p->init_pidfd, p->ns_flags) < 0) {
		rt_child_fail(&r.error, errno, "join the namespaces of the container", NULL);
		report(p, &r);
		_exit(1);
	}

	/* CLONE_PARENT takes the exit signal from this process, so none is
	 * given here. */
	memset(&args, 0, sizeof(args));
	args.flags = CLONE_PARENT;
	pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	if (pid == 0)
		inner_main(p);
	if (pid < 0) {
		rt_child_fail(&r.error, errno, "create the process in the container", NULL);
		report(p, &r);
		_exit(1);
	}
	r.kind = EXEC_REPORT_PID;
	r.pid = pid;
	report(p, &r);
	_exit(0);
}

/* Resolves the exec's user, or else the container's, in the container's
 * root, as docker exec does. */
static int plan_user(struct exec_plan *p, const struct rt_spec *spec, const struct rt_exec_spec *x,
		     struct mst_err *err)
{
	const char *text = x->user && x->user[0] ? x->user : spec->user;
	int r;

	if ((!text || !text[0]) && !(spec->group_add && spec->group_add[0]))
		return 0;
	r = rt_user_prepare(spec->rootfs ? spec->rootfs : "/", text && text[0] ? text : "0",
			    spec->group_add, &p->env, &p->user, err);
	if (r < 0)
		return r;
	p->has_user = true;
	return 0;
}

static int plan_build(struct exec_plan *p, const struct rt_spec *spec, const struct rt_exec_spec *x,
		      int init_pidfd, const struct rt_cgroup *cg, const struct rt_stdio *stdio,
		      struct mst_err *err)
{
	char hostname[16];
	int r;

	p->init_pidfd = init_pidfd;
	p->ns_flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWCGROUP;
	if (spec->network != RT_NET_HOST)
		p->ns_flags |= CLONE_NEWNET;
	p->tty = stdio->tty;
	p->argv = x->argv;
	p->cwd = "/";
	if (x->cwd)
		p->cwd = x->cwd;
	else if (spec->cwd)
		p->cwd = spec->cwd;
	snprintf(hostname, sizeof(hostname), "%.12s", spec->id);

	/* The exec's entries override the container's, as in docker exec. */
	if (rt_env_build(x->env, spec->env, spec->hostname ? spec->hostname : hostname, stdio->tty,
			 &p->env) < 0)
		return err_set(err, ENOMEM, "prepare the environment");
	p->path = rt_env_get(p->env.envp, "PATH");
	r = rt_caps_docker_default(&p->caps, err);
	if (r < 0)
		return r;
	r = plan_user(p, spec, x, err);
	if (r < 0)
		return r;

	int given[3] = { stdio->in_fd, stdio->out_fd, stdio->err_fd };
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (devnull < 0)
		return err_set(err, errno, "open /dev/null");
	for (int i = 0; i < 3; i++) {
		p->stdio_fd[i] = fcntl(given[i] >= 0 ? given[i] : devnull, F_DUPFD_CLOEXEC, 3);
		if (p->stdio_fd[i] < 0) {
			r = err_set(err, errno, "duplicate the descriptor for fd %d", i);
			(void)close(devnull);
			return r;
		}
	}
	(void)close(devnull);
	if (pipe2(p->report_pipe, O_CLOEXEC) < 0)
		return err_set(err, errno, "create the report pipe");
	return rt_cgroup_tasks_plan(cg, &p->cgroup_tasks, err);
}

/* Reads the reports until the pipe closes: the command exec'd, or every
 * child is gone. */
static int read_reports(struct exec_plan *p, const char *name, pid_t *ret_pid, struct mst_err *err)
{
	struct exec_report r;
	struct pollfd pfd = { .fd = p->report_pipe[0], .events = POLLIN };
	int result = 0;

	*ret_pid = 0;
	for (;;) {
		int ready = poll(&pfd, 1, RT_EXEC_TIMEOUT_MS);
		ssize_t n;

		if (ready < 0 && errno == EINTR)
			continue;
		if (ready <= 0)
			return err_setx(err, ETIMEDOUT,
					"exec in container %s did not start within %d s", name,
					RT_EXEC_TIMEOUT_MS / 1000);
		n = read(p->report_pipe[0], &r, sizeof(r));
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			return result;
		if (n != (ssize_t)sizeof(r))
			return err_setx(err, EIO, "exec in container %s: unreadable report", name);
		if (r.kind == EXEC_REPORT_PID) {
			*ret_pid = r.pid;
		} else if (result == 0) {
			r.error.step[sizeof(r.error.step) - 1] = '\0';
			result = err_set(err, r.error.code, "exec in container %s: %s", name,
					 r.error.step);
		}
	}
}

static pid_t clone_outer(const struct rt_cgroup *cg)
{
	struct clone_args args;

	memset(&args, 0, sizeof(args));
	if (cg->paths.version == CG_V2) {
		args.flags = CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)cg->v2_dirfd;
	}
	args.exit_signal = SIGCHLD;
	return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
}

/* Collects the command's pid and reaps the first child. */
static int run_outer(struct exec_plan *p, const struct rt_spec *spec, pid_t outer, pid_t *ret_pid,
		     struct mst_err *err)
{
	int status, r;

	close_fd(&p->report_pipe[1]);
	r = read_reports(p, spec->name, ret_pid, err);
	while (waitpid(outer, &status, 0) < 0 && errno == EINTR)
		;
	return r;
}

int rt_exec(const struct rt_spec *spec, const struct rt_exec_spec *x, int init_pidfd,
	    struct rt_cgroup *cg, const struct rt_stdio *stdio, struct rt_process *ret,
	    struct mst_err *err)
{
	struct exec_plan plan = { .stdio_fd = { -1, -1, -1 }, .report_pipe = { -1, -1 } };
	pid_t outer, pid = 0;
	int pidfd, r;

	r = plan_build(&plan, spec, x, init_pidfd, cg, stdio, err);
	if (r < 0)
		goto out;
	outer = clone_outer(cg);
	if (outer < 0) {
		r = err_set(err, errno, "clone the exec of container %s", spec->name);
		goto out;
	}
	if (outer == 0)
		outer_main(&plan);

	r = run_outer(&plan, spec, outer, &pid, err);
	if (r == 0 && pid <= 0)
		r = err_setx(err, EIO, "exec in container %s: the process was not created",
			     spec->name);
	if (r < 0) {
		/* The command's process is this process's child: reap it. */
		if (pid > 0) {
			(void)kill(pid, SIGKILL);
			(void)waitpid(pid, NULL, 0);
		}
		goto out;
	}
	pidfd = pidfd_open(pid, 0); /* always close-on-exec */
	if (pidfd < 0) {
		r = err_set(err, errno, "open a pidfd for the exec of container %s", spec->name);
		(void)kill(pid, SIGKILL);
		(void)waitpid(pid, NULL, 0);
		goto out;
	}
	ret->pid = pid;
	ret->pidfd = pidfd;
out:
	plan_free(&plan);
	return r;
}
