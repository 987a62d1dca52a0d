/* SPDX-License-Identifier: MIT */
/*
 * A container's run, from the main thread: start (cgroup, limits, pipes,
 * spawn, pipeline target), signals and stop deadlines, and the exit (status,
 * last OOM count, cgroup removal, replies to waiters, auto-remove).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/agent.h"
#include "agent/event_emit.h"
#include "agent/state.h"
#include "runtime/runtime.h"

int sup_watch(struct agent *a, struct loop_source *src, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = src };

	src->fd = fd;
	if (epoll_ctl(a->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	return 0;
}

void sup_unwatch(struct agent *a, struct loop_source *src)
{
	if (src->fd < 0)
		return;
	(void)epoll_ctl(a->epoll_fd, EPOLL_CTL_DEL, src->fd, NULL);
	close(src->fd);
	src->fd = -1;
}

/* Adds the rate of one configured device to the per-device list, by device
 * number, so that a read and a write limit on one disk share an entry. */
static void add_device_limit(struct snapshot_meta *m, size_t cap, const struct rt_device_rate *r,
			     bool write)
{
	struct mst_err ignored = { 0 };
	unsigned major_number, minor_number;
	struct snapshot_device_limit *d = NULL;

	if (r->rate == 0 ||
	    rt_block_device_number(r->path, &major_number, &minor_number, &ignored) < 0)
		return;
	for (size_t i = 0; i < m->n_device_limits && !d; i++)
		if (m->device_limits[i].major == major_number &&
		    m->device_limits[i].minor == minor_number)
			d = &m->device_limits[i];
	if (!d) {
		if (m->n_device_limits >= cap)
			return;
		d = &m->device_limits[m->n_device_limits++];
		d->major = major_number;
		d->minor = minor_number;
	}
	if (write)
		d->write_bps = r->rate;
	else
		d->read_bps = r->rate;
}

/* Fills m from c. m->device_limits is allocated here: free() it after use. */
static void fill_meta(const struct container *c, struct snapshot_meta *m)
{
	const struct rt_limits *l = &c->rec.spec.limits;
	size_t cap = l->n_device_read_bps + l->n_device_write_bps;

	memset(m, 0, sizeof(*m));
	m->id = c->target_id;
	m->name = (char *)c->rec.spec.name;
	m->container_id = (char *)c->rec.spec.id;
	m->state = (char *)ctr_status_to_string(c->rec.status);
	m->created_ns = c->rec.created_ns;
	m->started_ns = c->rec.started_ns;
	m->spec_memory = l->memory;
	/* -1 (unlimited swap) becomes MST_UNLIMITED. */
	m->spec_memory_swap = (uint64_t)l->memory_swap;
	m->spec_nano_cpus = l->nano_cpus;
	m->spec_cpu_shares = l->cpu_shares;
	m->spec_pids_limit = l->pids_limit;
	m->labels = c->rec.spec.labels;
	m->restart_count = c->rec.restart_count;

	/* Without memory the limits are left out; the cgroup keeps them. */
	m->device_limits = cap ? calloc(cap, sizeof(*m->device_limits)) : NULL;
	for (size_t i = 0; m->device_limits && i < l->n_device_read_bps; i++)
		add_device_limit(m, cap, &l->device_read_bps[i], false);
	for (size_t i = 0; m->device_limits && i < l->n_device_write_bps; i++)
		add_device_limit(m, cap, &l->device_write_bps[i], true);
}

/* Creates the stdout and stderr pipes and opens output.log for appending. */
static int open_output(struct container *c, const struct logfile_limits *limits, int out[2],
		       int err_pipe[2], struct mst_err *err)
{
	int r = logfile_writer_open(&c->log, c->state_dir, limits);

	if (r < 0)
		return err_set(err, -r, "opening the output log in %s", c->state_dir);
	if (pipe2(out, O_CLOEXEC) < 0)
		return err_set(err, errno, "creating the stdout pipe");
	if (pipe2(err_pipe, O_CLOEXEC) < 0)
		return err_set(err, errno, "creating the stderr pipe");
	if (fcntl(out[0], F_SETFL, O_NONBLOCK) < 0 || fcntl(err_pipe[0], F_SETFL, O_NONBLOCK) < 0)
		return err_set(err, errno, "making the output pipes non-blocking");
	return 0;
}

static void close_pair(int p[2])
{
	for (int i = 0; i < 2; i++)
		if (p[i] >= 0) {
			close(p[i]);
			p[i] = -1;
		}
}

/* Registers the running container's descriptors with the loop, and marks it
 * for the pipeline (sup_monitor_pending()). Only the pidfd is required; the
 * rest degrade with a warning. */
static int watch_running(struct agent *a, struct container *c, const struct rt_process *proc,
			 int out_fd, int err_fd)
{
	struct mst_err err = { 0 };
	int oom_fd, r;

	r = sup_watch(a, &c->pidfd, proc->pidfd);
	if (r < 0)
		return r;
	/* A container with a terminal has no stderr pipe. */
	if (sup_watch(a, &c->output[0], out_fd) < 0 ||
	    (err_fd >= 0 && sup_watch(a, &c->output[1], err_fd) < 0))
		log_warning("container %s (%.12s): cannot watch its output: %s", c->rec.spec.name,
			    c->rec.spec.id, strerror(errno));

	r = a->ops->oom_watch_open(c->cgroup, &oom_fd, &err);
	if (r == 0 && sup_watch(a, &c->oom, oom_fd) < 0)
		r = err_set(&err, errno, "adding the OOM watch to epoll");
	if (r < 0)
		log_warning("container %s (%.12s): OOM kills are counted at exit only: %s",
			    c->rec.spec.name, c->rec.spec.id, err.msg);

	c->monitor_pending = true;
	return 0;
}

void sup_monitor(struct agent *a, struct container *c)
{
	struct mst_err err = { 0 };
	struct snapshot_meta meta;

	if (!c->monitor_pending)
		return;
	c->monitor_pending = false;
	if (!c->cgroup || c->rec.status != CTR_STATUS_RUNNING)
		return;
	/* A restarted container replaces the final sample of its last run. */
	sup_drop_target(a, c);
	c->target_id = strdup(c->cgroup->paths.path);
	if (!c->target_id) {
		log_error("container %s (%.12s) is not monitored: out of memory", c->rec.spec.name,
			  c->rec.spec.id);
		return;
	}
	fill_meta(c, &meta);
	if (pipeline_add_target(a->pipeline, &meta, &c->cgroup->paths, c->rec.pid, &err) < 0) {
		log_error("container %s (%.12s) is not monitored: %s", c->rec.spec.name,
			  c->rec.spec.id, err.msg);
		free(c->target_id);
		c->target_id = NULL;
	}
	free(meta.device_limits);
}

void sup_monitor_pending(struct agent *a)
{
	for (size_t i = 0; i < a->n_containers; i++)
		sup_monitor(a, a->containers[i]);
}

void sup_update_target_meta(struct agent *a, struct container *c)
{
	struct snapshot_meta meta;

	if (!c->target_id)
		return;
	fill_meta(c, &meta);
	(void)pipeline_update_meta(a->pipeline, &meta);
	free(meta.device_limits);
}

void sup_drop_target(struct agent *a, struct container *c)
{
	if (!c->target_id)
		return;
	(void)pipeline_remove_target(a->pipeline, c->target_id);
	free(c->target_id);
	c->target_id = NULL;
}

static void record_start(struct container *c, const struct rt_process *proc)
{
	c->rec.status = CTR_STATUS_RUNNING;
	c->rec.pid = proc->pid;
	c->rec.started_ns = agent_now_real();
	c->rec.finished_ns = 0;
	c->rec.exit_code = 0;
	c->rec.oom_kill_count = 0;
	c->rec.oom_killed = false;
	c->stop_deadline_ns = 0;
	c->cgroup_remove_tries = 0;
	(void)ctr_set_string(&c->rec.cgroup_path, c->cgroup->paths.path);
	(void)ctr_set_string(&c->rec.error, NULL);
}

static int spawn(struct agent *a, struct container *c, struct rt_cgroup *cg, struct rt_process *ret,
		 int out[2], int err_pipe[2], struct mst_err *err)
{
	struct logfile_limits limits = { .max_size = a->config->log_max_size,
					 .max_files = a->config->log_max_files };
	struct rt_stdio stdio;
	char exit_path[PATH_MAX];
	int child_fd = -1, r;

	r = open_output(c, &limits, out, err_pipe, err);
	if (r < 0)
		return r;

	/* A stale exit file from the last run would give a wrong exit code. */
	snprintf(exit_path, sizeof(exit_path), "%s/%s", c->state_dir, RT_EXIT_FILE);
	(void)unlink(exit_path);

	stdio = (struct rt_stdio){ .in_fd = -1, .out_fd = out[1], .err_fd = err_pipe[1] };
	r = attach_prepare_stdio(c, out, err_pipe, &stdio, &child_fd, err);
	if (r < 0)
		return r;
	r = rt_spawn(&c->rec.spec, cg, &stdio, c->state_dir, ret, err);
	if (out[1] >= 0)
		close(out[1]);
	if (err_pipe[1] >= 0)
		close(err_pipe[1]);
	out[1] = err_pipe[1] = -1;
	if (child_fd >= 0)
		close(child_fd);
	if (r < 0)
		attach_close_input(c);
	return r;
}

int sup_start(struct agent *a, struct container *c, struct mst_err *err)
{
	struct rt_cgroup *cg = NULL;
	struct rt_process proc;
	int out[2] = { -1, -1 }, err_pipe[2] = { -1, -1 };
	int r;

	if (!a->parent_ready) {
		r = err_setx(err, EIO, "the parent cgroup is not prepared");
		goto fail;
	}
	r = a->ops->create(&a->layout, &a->parent, c->rec.spec.id, &cg, err);
	if (r < 0)
		goto fail;
	r = a->ops->set_limits(cg, &c->rec.spec.limits, err);
	if (r < 0)
		goto fail;
	r = agent_net_start(a, c, err);
	if (r < 0)
		goto fail;
	r = spawn(a, c, cg, &proc, out, err_pipe, err);
	if (r < 0)
		goto fail;

	c->cgroup = cg;
	record_start(c, &proc);
	r = watch_running(a, c, &proc, out[0], err_pipe[0]);
	if (r < 0) {
		/* Without its pidfd in the loop the exit would go unnoticed. */
		log_error("container %s (%.12s): cannot watch its pidfd, killing it: %s",
			  c->rec.spec.name, c->rec.spec.id, strerror(-r));
		siginfo_t info;

		(void)pidfd_send_signal(proc.pidfd, SIGKILL, NULL, 0);
		(void)waitid(P_PIDFD, (id_t)proc.pidfd, &info, WEXITED);
		close(proc.pidfd);
		c->pidfd.fd = -1;
		sup_finish_exit(a, c, 128 + SIGKILL);
		return err_set(err, -r, "watching the container's pidfd");
	}

	(void)sup_write_state(a, c);
	log_info("started container %s (%.12s), pid %d, cgroup %s", c->rec.spec.name,
		 c->rec.spec.id, (int)proc.pid, cg->paths.path);
	agent_event_emit(a, c, EVENT_START, 0);
	return 0;

fail:
	agent_net_stop(a, c);
	close_pair(out);
	close_pair(err_pipe);
	logfile_writer_close(&c->log);
	if (cg) {
		struct mst_err ignored = { 0 };

		(void)a->ops->remove(cg, &ignored);
		rt_cgroup_free(cg);
	}
	(void)err_prefix(err, "starting container %s", c->rec.spec.name);
	log_error("%s (%.12s)", err->msg, c->rec.spec.id);
	(void)ctr_set_string(&c->rec.error, err->msg);
	(void)sup_write_state(a, c);
	return r;
}

void sup_signal(struct agent *a, struct container *c, int sig)
{
	struct mst_err err = { 0 };

	if (c->rec.status != CTR_STATUS_RUNNING)
		return;
	/* SIGKILL, SIGSTOP and SIGCONT go to every process of the cgroup,
	 * because the init cannot forward the first two and would itself be
	 * stopped by SIGSTOP while its command ran on. Other signals go to the
	 * init, which forwards them to the command. */
	bool whole_cgroup = sig == SIGKILL || sig == SIGSTOP || sig == SIGCONT;
	if (whole_cgroup && c->cgroup && a->ops->kill_all(c->cgroup, sig, &err) < 0)
		log_error("container %s (%.12s): sending SIG%s to its cgroup failed: %s",
			  c->rec.spec.name, c->rec.spec.id, sigabbrev_np(sig), err.msg);
	if (c->pidfd.fd >= 0 && pidfd_send_signal(c->pidfd.fd, sig, NULL, 0) < 0 && errno != ESRCH)
		log_error("container %s (%.12s): sending SIG%s failed: %s", c->rec.spec.name,
			  c->rec.spec.id, sigabbrev_np(sig), strerror(errno));
}

void sup_stop(struct agent *a, struct container *c, unsigned timeout_s)
{
	uint64_t deadline = agent_now_mono() + (uint64_t)timeout_s * 1000000000ULL;

	log_info("stopping container %s (%.12s): SIGTERM, then SIGKILL after %u s",
		 c->rec.spec.name, c->rec.spec.id, timeout_s);
	/* As dockerd: a kill event per signal now, the stop event after the
	 * die event (sup_finish_exit). */
	c->stop_requested = true;
	if (timeout_s == 0) {
		agent_event_emit(a, c, EVENT_KILL, SIGKILL);
		sup_signal(a, c, SIGKILL);
		return;
	}
	agent_event_emit(a, c, EVENT_KILL, SIGTERM);
	sup_signal(a, c, SIGTERM);
	if (c->stop_deadline_ns == 0 || deadline < c->stop_deadline_ns) {
		c->stop_deadline_ns = deadline;
		c->stop_timeout_s = timeout_s;
	}
}

void sup_check_deadlines(struct agent *a, uint64_t now)
{
	for (size_t i = 0; i < a->n_containers; i++) {
		struct container *c = a->containers[i];

		if (c->stop_deadline_ns == 0 || now < c->stop_deadline_ns)
			continue;
		c->stop_deadline_ns = 0;
		log_warning("container %s (%.12s) did not stop within %u s; sending SIGKILL",
			    c->rec.spec.name, c->rec.spec.id, c->stop_timeout_s);
		agent_event_emit(a, c, EVENT_KILL, SIGKILL);
		sup_signal(a, c, SIGKILL);
	}
	sup_restart_due(a, now);
}

int sup_next_deadline_ms(const struct agent *a, uint64_t now)
{
	uint64_t next = 0;

	for (size_t i = 0; i < a->n_containers; i++) {
		uint64_t stop = a->containers[i]->stop_deadline_ns;
		uint64_t restart = a->shutting_down ? 0 : a->containers[i]->restart_at_ns;

		if (stop != 0 && (next == 0 || stop < next))
			next = stop;
		if (restart != 0 && (next == 0 || restart < next))
			next = restart;
	}
	if (a->shutting_down && (next == 0 || a->shutdown_deadline_ns < next))
		next = a->shutdown_deadline_ns;
	if (next == 0)
		return -1;
	if (next <= now)
		return 0;
	/* Round up, so that the loop does not wake just before the deadline. */
	return (int)((next - now + 999999) / 1000000);
}
