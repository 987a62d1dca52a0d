/* SPDX-License-Identifier: MIT */
/*
 * Exec instances in the main thread, after Docker's exec API. An instance is
 * created for a running container and started with rt_exec(); its terminal
 * or pipes go to the HTTP thread that streams them. The main thread reaps it
 * through its pidfd and reports its state. An exec's output goes only to its client, never to the
 * container's output log. The instances live with their container and go
 * with it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/agent.h"
#include "agent/api_json.h"

/* Exec instances kept per container; the oldest finished one goes first. */
#define EXEC_MAX_PER_CONTAINER 64

enum exec_state {
	EXEC_CREATED,
	EXEC_RUNNING,
	EXEC_EXITED,
};

struct agent_exec {
	struct agent_exec *next;
	char id[65];
	struct rt_spec spec; /* argv, env, cwd, tty and open_stdin of the exec */
	enum exec_state state;
	int exit_code;
	pid_t pid;
	struct loop_source pidfd; /* LOOP_SOURCE_EXEC while running */
	int resize_fd;		  /* the pty master while running with a terminal */
};

static void close_fd(int *fd)
{
	if (*fd >= 0)
		(void)close(*fd);
	*fd = -1;
}

static void exec_free(struct agent_exec *e)
{
	close_fd(&e->pidfd.fd);
	close_fd(&e->resize_fd);
	ctr_spec_free(&e->spec);
	free(e);
}

void exec_free_all(struct container *c)
{
	struct agent_exec *e = c->execs, *next;

	for (; e; e = next) {
		next = e->next;
		exec_free(e);
	}
	c->execs = NULL;
}

static struct agent_exec *exec_find(struct agent *a, const char *id, struct container **ret_c)
{
	for (size_t i = 0; i < a->n_containers; i++) {
		for (struct agent_exec *e = a->containers[i]->execs; e; e = e->next) {
			if (strcmp(e->id, id) == 0) {
				*ret_c = a->containers[i];
				return e;
			}
		}
	}
	return NULL;
}

/* Makes room for one more exec: drops the oldest finished one when the
 * container has EXEC_MAX_PER_CONTAINER. Returns false when all run. */
static bool exec_make_room(struct container *c)
{
	struct agent_exec **slot, **oldest = NULL;
	size_t n = 0;

	for (slot = &c->execs; *slot; slot = &(*slot)->next) {
		n++;
		if ((*slot)->state == EXEC_EXITED)
			oldest = slot; /* the list is newest first */
	}
	if (n < EXEC_MAX_PER_CONTAINER)
		return true;
	if (!oldest)
		return false;

	struct agent_exec *gone = *oldest;

	*oldest = gone->next;
	exec_free(gone);
	return true;
}

static void exec_create(struct agent *a, struct api_cmd *cmd)
{
	struct container *c = sup_find_target(a, cmd);
	struct agent_exec *e;

	if (!c)
		return;
	if (c->rec.status != CTR_STATUS_RUNNING) {
		sup_reply_message(a, cmd, 409, "container %s is not running: start it before exec",
				  c->rec.spec.name);
		return;
	}
	if (!exec_make_room(c)) {
		sup_reply_message(a, cmd, 409, "container %s already runs %d execs",
				  c->rec.spec.name, EXEC_MAX_PER_CONTAINER);
		return;
	}
	e = calloc(1, sizeof(*e));
	if (!e || ctr_id_generate(e->id) < 0) {
		free(e);
		sup_reply_message(a, cmd, 500, "creating the exec: out of memory");
		return;
	}
	e->spec = cmd->spec;
	memset(&cmd->spec, 0, sizeof(cmd->spec));
	e->pidfd = (struct loop_source){ .kind = LOOP_SOURCE_EXEC, .fd = -1, .container = c };
	e->resize_fd = -1;
	e->next = c->execs;
	c->execs = e;
	log_debug("container %s (%.12s): created exec %.12s", c->rec.spec.name, c->rec.spec.id,
		  e->id);
	cmdq_reply(&a->commands, cmd, 201, json_pack("{s:s}", "Id", e->id));
}

/* The exec's standard descriptors: a pty, or pipes for stdout and stderr
 * and, with stdin, for stdin. The caller's ends go into cmd; child[] gets
 * the command's ends. */
static int exec_stdio(struct agent_exec *e, struct api_cmd *cmd, struct rt_stdio *stdio,
		      int child[3], struct mst_err *err)
{
	int p[2], r;

	if (cmd->attach_detached)
		return 0;
	if (e->spec.tty) {
		r = rt_pty_open(0, 0, &cmd->output_fds[0], &child[0]);
		if (r < 0)
			return err_set(err, -r, "opening a pseudo-terminal");
		e->resize_fd = fcntl(cmd->output_fds[0], F_DUPFD_CLOEXEC, 3);
		if (e->spec.open_stdin)
			cmd->input_fd = fcntl(cmd->output_fds[0], F_DUPFD_CLOEXEC, 3);
		*stdio = (struct rt_stdio){
			.in_fd = child[0], .out_fd = child[0], .err_fd = child[0], .tty = true
		};
		return 0;
	}
	for (int i = 1; i <= 2; i++) {
		if (pipe2(p, O_CLOEXEC) < 0)
			return err_set(err, errno, "creating an output pipe");
		cmd->output_fds[i - 1] = p[0];
		child[i] = p[1];
	}
	if (e->spec.open_stdin) {
		if (pipe2(p, O_CLOEXEC) < 0)
			return err_set(err, errno, "creating the stdin pipe");
		cmd->input_fd = p[1];
		child[0] = p[0];
	}
	*stdio = (struct rt_stdio){ .in_fd = child[0], .out_fd = child[1], .err_fd = child[2] };
	return 0;
}

static void exec_start(struct agent *a, struct api_cmd *cmd)
{
	struct rt_exec_spec x;
	struct rt_stdio stdio = { .in_fd = -1, .out_fd = -1, .err_fd = -1 };
	struct rt_process proc;
	struct mst_err err = { 0 };
	struct container *c = NULL;
	struct agent_exec *e = exec_find(a, cmd->target, &c);
	int child[3] = { -1, -1, -1 }, r;

	if (!e) {
		sup_reply_message(a, cmd, 404, "No such exec instance: %s", cmd->target);
		return;
	}
	if (e->state != EXEC_CREATED) {
		sup_reply_message(a, cmd, 409, "exec %.12s has already started", e->id);
		return;
	}
	if (c->rec.status != CTR_STATUS_RUNNING || c->pidfd.fd < 0 || !c->cgroup) {
		sup_reply_message(a, cmd, 409, "container %s is not running", c->rec.spec.name);
		return;
	}

	x = (struct rt_exec_spec){
		.argv = e->spec.argv, .env = e->spec.env, .cwd = e->spec.cwd, .user = e->spec.user
	};
	r = exec_stdio(e, cmd, &stdio, child, &err);
	if (r == 0)
		r = rt_exec(&c->rec.spec, &x, c->pidfd.fd, c->cgroup, &stdio, &proc, &err);
	for (int i = 0; i < 3; i++)
		close_fd(&child[i]);
	if (r == 0 && sup_watch(a, &e->pidfd, proc.pidfd) < 0) {
		/* Unwatched, its exit would go unnoticed. */
		(void)pidfd_send_signal(proc.pidfd, SIGKILL, NULL, 0);
		(void)waitid(P_PIDFD, (id_t)proc.pidfd, &(siginfo_t){ 0 }, WEXITED);
		close_fd(&e->pidfd.fd);
		r = err_set(&err, errno, "watching the exec's pidfd");
	}
	if (r < 0) {
		close_fd(&cmd->input_fd);
		close_fd(&cmd->output_fds[0]);
		close_fd(&cmd->output_fds[1]);
		close_fd(&e->resize_fd);
		e->state = EXEC_EXITED;
		e->exit_code = strstr(err.msg, "No such file") ? 127 : 126;
		log_warning("container %s (%.12s): exec %.12s failed: %s", c->rec.spec.name,
			    c->rec.spec.id, e->id, err.msg);
		sup_reply_message(a, cmd, 500, "%s", err.msg);
		return;
	}
	e->state = EXEC_RUNNING;
	e->pid = proc.pid;
	log_info("container %s (%.12s): exec %.12s started %s, pid %d", c->rec.spec.name,
		 c->rec.spec.id, e->id, e->spec.argv[0], (int)proc.pid);
	cmdq_reply(&a->commands, cmd, 200, json_pack("{s:b}", "Tty", e->spec.tty));
}

void exec_on_exit(struct agent *a, struct loop_source *src)
{
	struct agent_exec *e = NULL;
	siginfo_t info = { 0 };

	for (e = src->container->execs; e && &e->pidfd != src; e = e->next)
		;
	if (!e)
		return;
	if (waitid(P_PIDFD, (id_t)src->fd, &info, WEXITED | WNOHANG) < 0 || info.si_pid == 0) {
		if (errno == EAGAIN || info.si_pid == 0)
			return;
		info.si_code = CLD_EXITED;
		info.si_status = 255;
	}
	e->exit_code = info.si_code == CLD_EXITED ? info.si_status : 128 + info.si_status;
	e->state = EXEC_EXITED;
	e->pid = 0;
	sup_unwatch(a, &e->pidfd);
	close_fd(&e->resize_fd);
	log_info("container %s (%.12s): exec %.12s exited with code %d",
		 src->container->rec.spec.name, src->container->rec.spec.id, e->id, e->exit_code);
}

static void exec_inspect(struct agent *a, struct api_cmd *cmd)
{
	struct container *c = NULL;
	struct agent_exec *e = exec_find(a, cmd->target, &c);
	json_t *args = json_array();

	if (!e) {
		json_decref(args);
		sup_reply_message(a, cmd, 404, "No such exec instance: %s", cmd->target);
		return;
	}
	for (size_t i = 1; e->spec.argv && e->spec.argv[i]; i++)
		json_array_append_new(args, json_string(e->spec.argv[i]));
	cmdq_reply(
	    &a->commands, cmd, 200,
	    json_pack("{s:s, s:s, s:b, s:i, s:i, s:b, s:{s:s, s:o, s:b, s:s, s:s}}", "ID", e->id,
		      "ContainerID", c->rec.spec.id, "Running", e->state == EXEC_RUNNING,
		      "ExitCode", e->state == EXEC_EXITED ? e->exit_code : 0, "Pid", (int)e->pid,
		      "OpenStdin", e->spec.open_stdin, "ProcessConfig", "entrypoint",
		      e->spec.argv[0], "arguments", args, "tty", e->spec.tty, "workingDir",
		      e->spec.cwd ? e->spec.cwd : "", "user", e->spec.user ? e->spec.user : ""));
}

static void exec_resize(struct agent *a, struct api_cmd *cmd)
{
	struct container *c = NULL;
	struct agent_exec *e = exec_find(a, cmd->target, &c);
	int r;

	if (!e) {
		sup_reply_message(a, cmd, 404, "No such exec instance: %s", cmd->target);
		return;
	}
	if (e->state != EXEC_RUNNING || e->resize_fd < 0) {
		sup_reply_message(a, cmd, 409, "exec %.12s is not running with a terminal", e->id);
		return;
	}
	r = rt_pty_resize(e->resize_fd, cmd->rows, cmd->cols);
	if (r < 0) {
		sup_reply_message(a, cmd, 500, "resizing the terminal of exec %.12s: %s", e->id,
				  strerror(-r));
		return;
	}
	cmdq_reply(&a->commands, cmd, 200, NULL);
}

void exec_handle_command(struct agent *a, struct api_cmd *cmd)
{
	cmd->input_fd = cmd->output_fds[0] = cmd->output_fds[1] = -1;
	switch (cmd->type) {
	case API_CMD_EXEC_CREATE:
		exec_create(a, cmd);
		return;
	case API_CMD_EXEC_START:
		exec_start(a, cmd);
		return;
	case API_CMD_EXEC_INSPECT:
		exec_inspect(a, cmd);
		return;
	default:
		exec_resize(a, cmd);
		return;
	}
}
