/* SPDX-License-Identifier: MIT */
/*
 * A container's terminal and stdin, in the main thread. With Tty the
 * container's stdin, stdout and stderr are a pty slave. The agent reads the
 * master into the output log as stdout and keeps a second master descriptor
 * for input and resizing. Both are created at the first attach or at the
 * start, whichever comes first. With OpenStdin alone, stdin is a pipe whose write
 * end goes to the first client that attaches with stdin, so that the
 * container reads end of file when that client's input ends (docker's
 * StdinOnce, which `docker run -i` sets).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agent/agent.h"

static void close_fd(int *fd)
{
	if (*fd >= 0)
		(void)close(*fd);
	*fd = -1;
}

/* Creates the pty, or the stdin pipe, when the spec requests one and it does
 * not exist yet. That happens at the first attach or at the start, whichever
 * comes first, so a client can attach before the start and miss nothing. */
static int attach_open(struct container *c, struct mst_err *err)
{
	const struct rt_spec *spec = &c->rec.spec;
	int master, slave, r, p[2];

	if (c->stdio_child_fd >= 0 || (!spec->tty && !spec->open_stdin))
		return 0;
	if (!spec->tty) {
		if (pipe2(p, O_CLOEXEC) < 0)
			return err_set(err, errno, "creating the stdin pipe");
		c->input_fd = p[1];
		c->stdio_child_fd = p[0];
		return 0;
	}
	r = rt_pty_open(spec->console_rows, spec->console_cols, &master, &slave);
	if (r < 0)
		return err_set(err, -r, "opening a pseudo-terminal");
	c->input_fd = fcntl(master, F_DUPFD_CLOEXEC, 3);
	if (c->input_fd < 0 || fcntl(master, F_SETFL, O_NONBLOCK) < 0) {
		r = err_set(err, errno, "preparing the pseudo-terminal");
		close(master);
		close(slave);
		close_fd(&c->input_fd);
		return r;
	}
	c->pty_master = master;
	c->stdio_child_fd = slave;
	return 0;
}

int attach_prepare_stdio(struct container *c, int out[2], int err_pipe[2], struct rt_stdio *stdio,
			 int *ret_child_fd, struct mst_err *err)
{
	int r = attach_open(c, err);

	*ret_child_fd = -1;
	if (r < 0 || c->stdio_child_fd < 0)
		return r;
	*ret_child_fd = c->stdio_child_fd;
	c->stdio_child_fd = -1;
	if (!c->rec.spec.tty) {
		stdio->in_fd = *ret_child_fd;
		return 0;
	}

	/* The pipes are replaced: the master is the container's output. */
	for (int i = 0; i < 2; i++) {
		close_fd(&out[i]);
		close_fd(&err_pipe[i]);
	}
	out[0] = c->pty_master;
	c->pty_master = -1;
	*stdio = (struct rt_stdio){ .in_fd = *ret_child_fd,
				    .out_fd = *ret_child_fd,
				    .err_fd = *ret_child_fd,
				    .tty = true };
	return 0;
}

void attach_close_input(struct container *c)
{
	close_fd(&c->input_fd);
	close_fd(&c->pty_master);
	close_fd(&c->stdio_child_fd);
}

/* Creates output.log, so that a client that attaches before the first start
 * reads it from its beginning, even when the container ends and is removed
 * at once. */
static int ensure_log(struct agent *a, struct container *c, struct mst_err *err)
{
	struct logfile_limits limits = { .max_size = a->config->log_max_size,
					 .max_files = a->config->log_max_files };
	int r;

	if (c->log.fd >= 0)
		return 0;
	r = logfile_writer_open(&c->log, c->state_dir, &limits);
	logfile_writer_close(&c->log);
	return r < 0 ? err_set(err, -r, "creating the output log in %s", c->state_dir) : 0;
}

/* Hands the client its input descriptor: a second master descriptor with a
 * terminal, otherwise the stdin pipe itself, once. */
static void handle_attach(struct agent *a, struct container *c, struct api_cmd *cmd)
{
	enum ctr_status status = c->rec.status;
	struct mst_err err = { 0 };

	if (status != CTR_STATUS_RUNNING && status != CTR_STATUS_CREATED && !cmd->attach_logs) {
		sup_reply_message(a, cmd, 409, "container %s is not running: start it first",
				  c->rec.spec.name);
		return;
	}
	/* A running container has its terminal or pipe since the start. */
	if (status == CTR_STATUS_CREATED &&
	    (attach_open(c, &err) < 0 || ensure_log(a, c, &err) < 0)) {
		log_error("container %s (%.12s): attaching failed: %s", c->rec.spec.name,
			  c->rec.spec.id, err.msg);
		sup_reply_message(a, cmd, 500, "attaching to %s: %s", c->rec.spec.name, err.msg);
		return;
	}
	if (cmd->attach_stdin && c->input_fd >= 0 && c->rec.spec.tty) {
		cmd->input_fd = fcntl(c->input_fd, F_DUPFD_CLOEXEC, 3);
		if (cmd->input_fd < 0) {
			sup_reply_message(a, cmd, 500, "duplicating the terminal of %s failed",
					  c->rec.spec.name);
			return;
		}
	} else if (cmd->attach_stdin && c->input_fd >= 0) {
		cmd->input_fd = c->input_fd;
		c->input_fd = -1;
	}
	log_debug("container %s (%.12s): client attached%s", c->rec.spec.name, c->rec.spec.id,
		  cmd->input_fd >= 0 ? " with input" : "");
	cmdq_reply(&a->commands, cmd, 200, NULL);
}

static void handle_resize(struct agent *a, struct container *c, struct api_cmd *cmd)
{
	int r;

	if (c->rec.status != CTR_STATUS_RUNNING) {
		sup_reply_message(a, cmd, 409, "container %s is not running", c->rec.spec.name);
		return;
	}
	if (!c->rec.spec.tty || c->input_fd < 0) {
		sup_reply_message(a, cmd, 409, "container %s has no terminal: run it with -t",
				  c->rec.spec.name);
		return;
	}
	r = rt_pty_resize(c->input_fd, cmd->rows, cmd->cols);
	if (r < 0) {
		sup_reply_message(a, cmd, r == -EINVAL ? 400 : 500,
				  "resizing the terminal of %s to %ux%u: %s", c->rec.spec.name,
				  cmd->rows, cmd->cols, strerror(-r));
		return;
	}
	cmdq_reply(&a->commands, cmd, 200, NULL);
}

void attach_handle_command(struct agent *a, struct api_cmd *cmd)
{
	struct container *c;

	cmd->input_fd = -1;
	c = sup_find_target(a, cmd);
	if (!c)
		return;
	if (cmd->type == API_CMD_ATTACH)
		handle_attach(a, c, cmd);
	else
		handle_resize(a, c, cmd);
}
