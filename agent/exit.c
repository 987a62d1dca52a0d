/* SPDX-License-Identifier: MIT */
/*
 * Events of running containers in the main thread: output to output.log,
 * OOM notifications, and the exit of the init with everything that follows
 * it. Also the reload of the state directory at start-up.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/agent.h"
#include "agent/event_emit.h"
#include "agent/frame.h"
#include "agent/state.h"
#include "runtime/runtime.h"

/* Bytes read from a pipe per event; a frame carries at most this much. */
#define OUTPUT_CHUNK 65536

/* Give up retrying the removal of an exited container's cgroup after this
 * many collection passes. */
#define CGROUP_REMOVE_MAX_TRIES 30

/* Moves one read of an output pipe into output.log. Returns true when it read
 * data, so more may follow. */
static bool output_read(struct agent *a, struct loop_source *src)
{
	struct container *c = src->container;
	int stream = src->kind == LOOP_SOURCE_STDOUT ? FRAME_STREAM_STDOUT : FRAME_STREAM_STDERR;
	char buf[OUTPUT_CHUNK];
	ssize_t n = read(src->fd, buf, sizeof(buf));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return false;
	if (n > 0) {
		int r = logfile_writer_append(&c->log, stream, agent_now_real(), buf, (size_t)n);

		if (r < 0)
			log_limited(&a->collect_rl, 60, LOG_ERR,
				    "container %s (%.12s): writing its output failed: %s",
				    c->rec.spec.name, c->rec.spec.id, strerror(-r));
		pub_output_appended(&a->pub);
		return true;
	}

	/* End of file, or a read error that would repeat. */
	sup_unwatch(a, src);
	if (c->output[0].fd < 0 && c->output[1].fd < 0)
		logfile_writer_close(&c->log);
	a->view_dirty = true;
	pub_output_appended(&a->pub);
	return false;
}

void sup_on_output(struct agent *a, struct loop_source *src)
{
	(void)output_read(a, src);
}

/* Reads what the container left in its output pipes, so that a logs follower
 * has every byte before it learns of the exit. Stops at EAGAIN, because a
 * process that left the container may still hold a pipe open. */
static void drain_output(struct agent *a, struct container *c)
{
	for (int i = 0; i < 2; i++) {
		/* At most 64 MiB in one go, so a runaway writer cannot stall the loop. */
		for (int reads = 0; reads < 1024 && c->output[i].fd >= 0; reads++)
			if (!output_read(a, &c->output[i]))
				break;
	}
}

void sup_on_oom(struct agent *a, struct container *c)
{
	a->ops->oom_watch_drain(c->oom.fd);
	/* On v1 the notification comes before the kill: give it 100 ms. */
	agent_events_check_oom(a, c, 100);
}

/* Removes the cgroup of an exited container. Returns 0 when it is gone, or
 * -EBUSY when processes remain and a later pass retries. */
static int remove_cgroup(struct agent *a, struct container *c)
{
	struct mst_err err = { 0 };
	int r;

	if (!c->cgroup)
		return 0;
	r = a->ops->remove(c->cgroup, &err);
	if (r < 0) {
		c->cgroup_remove_tries++;
		log_limited(&a->cgroup_rl, 60, LOG_WARNING,
			    "container %s (%.12s): removing its cgroup failed (try %u): %s",
			    c->rec.spec.name, c->rec.spec.id, c->cgroup_remove_tries, err.msg);
		return r;
	}
	rt_cgroup_free(c->cgroup);
	c->cgroup = NULL;
	return 0;
}

void sup_retry_cgroup_removal(struct agent *a)
{
	for (size_t i = 0; i < a->n_containers; i++) {
		struct container *c = a->containers[i];
		struct mst_err ignored = { 0 };

		if (!c->cgroup || c->rec.status == CTR_STATUS_RUNNING)
			continue;
		if (c->cgroup_remove_tries >= CGROUP_REMOVE_MAX_TRIES) {
			if (c->cgroup_remove_tries++ == CGROUP_REMOVE_MAX_TRIES)
				log_error("container %s (%.12s): giving up removing cgroup %s",
					  c->rec.spec.name, c->rec.spec.id, c->cgroup->paths.path);
			continue;
		}
		(void)a->ops->kill_all(c->cgroup, SIGKILL, &ignored);
		(void)remove_cgroup(a, c);
	}
}

/* Reads the docker-style exit code of an init whose pidfd became readable.
 * Returns -EAGAIN when it has not exited yet. */
static int reap(struct container *c, int *ret_code)
{
	siginfo_t info;
	int code;

	memset(&info, 0, sizeof(info));
	if (waitid(P_PIDFD, (id_t)c->pidfd.fd, &info, WEXITED | WNOHANG) < 0) {
		int r = -errno;

		/* Not our child (a future re-adopted container): the exit file is
		 * the only source. */
		if (r != -ECHILD)
			return r;
		code = 255;
	} else if (info.si_pid == 0) {
		return -EAGAIN;
	} else if (info.si_code == CLD_EXITED) {
		code = info.si_status;
	} else {
		code = 128 + info.si_status;
	}

	/* The init records the command's own status, which is what users ask
	 * for; the init's status above is the fallback. */
	(void)rt_read_exit(c->state_dir, &code);
	*ret_code = code;
	return 0;
}

void sup_on_pidfd(struct agent *a, struct container *c)
{
	int code = 255, r = reap(c, &code);

	if (r == -EAGAIN)
		return;
	if (r < 0) {
		log_error("container %s (%.12s): waiting for pid %d failed: %s", c->rec.spec.name,
			  c->rec.spec.id, (int)c->rec.pid, strerror(-r));
		code = 255;
	}
	sup_unwatch(a, &c->pidfd);
	sup_finish_exit(a, c, code);
}

static void log_exit(const struct container *c)
{
	if (c->rec.oom_killed)
		log_warning("container %s (%.12s) exited with code %d after %llu OOM kill(s)",
			    c->rec.spec.name, c->rec.spec.id, c->rec.exit_code,
			    (unsigned long long)c->rec.oom_kill_count);
	else
		log_info("container %s (%.12s) exited with code %d", c->rec.spec.name,
			 c->rec.spec.id, c->rec.exit_code);
}

void sup_finish_exit(struct agent *a, struct container *c, int exit_code)
{
	struct mst_err err = { 0 };

	sup_monitor(a, c); /* for the final sample, should it still be pending */
	if (c->cgroup) {
		/* The PID namespace ends with its init, but processes that left it
		 * through the cgroup would not. */
		(void)a->ops->kill_all(c->cgroup, SIGKILL, &err);
		agent_events_check_oom(a, c, 0);
		/* The final sample stays on /metrics and in the stats until rm. */
		if (c->target_id)
			(void)pipeline_retire_target(a->pipeline, c->target_id);
	}
	sup_unwatch(a, &c->oom);
	drain_output(a, c);
	agent_net_stop(a, c);
	attach_close_input(c);

	c->rec.status = CTR_STATUS_EXITED;
	c->rec.exit_code = exit_code;
	c->rec.oom_killed = c->rec.oom_kill_count > 0;
	c->rec.finished_ns = agent_now_real();
	c->rec.pid = 0;
	sup_update_target_meta(a, c);
	c->stop_deadline_ns = 0;
	(void)ctr_set_string(&c->rec.cgroup_path, NULL);
	(void)remove_cgroup(a, c);

	log_exit(c);
	agent_event_emit(a, c, EVENT_DIE, exit_code);
	if (c->stop_requested) {
		c->stop_requested = false;
		agent_event_emit(a, c, EVENT_STOP, 0);
	}
	(void)sup_schedule_restart(a, c);
	(void)sup_write_state(a, c);
	agent_publish_now(a);
	sup_reply_pending(a, c);
	/* A restart request may have started c again in sup_reply_pending(). */
	if ((c->remove_after_exit || c->rec.options.auto_remove) &&
	    c->rec.status != CTR_STATUS_RUNNING)
		(void)sup_remove(a, c);
}

/*
 * Ends the run of a container that an earlier mstatd left running when it
 * died without stopping it. As dockerd without live-restore does at its
 * start, the processes still in the container's cgroup are killed and the
 * cgroup removed, so nothing runs beyond mstatd's reach. The exit code is the
 * one the init recorded, 137 when the kill ended the run, else 255.
 * TODO: re-adopt such containers (pidfd, output pipes, port proxy) instead.
 */
static void end_leftover_run(struct agent *a, struct container *c)
{
	struct mst_err err = { 0 };
	struct rt_cgroup *cg = NULL;
	unsigned procs = 0;
	int code = 255;

	if (a->parent_ready && rt_cgroup_open(&a->layout, &a->parent, c->rec.spec.id, &cg) == 0) {
		(void)a->ops->count_procs(cg, &procs);
		if (procs > 0) {
			log_warning("container %s (%.12s) was running when the last mstatd died; "
				    "killing its %u process(es)",
				    c->rec.spec.name, c->rec.spec.id, procs);
			(void)a->ops->kill_all(cg, SIGKILL, &err);
		}
		if (a->ops->remove(cg, &err) == 0) {
			rt_cgroup_free(cg);
		} else {
			log_warning(
			    "container %s (%.12s): removing its cgroup failed, retrying: %s",
			    c->rec.spec.name, c->rec.spec.id, err.msg);
			c->cgroup = cg;
		}
	}
	/* The init records the exit when its command ended first, as one with a
	 * terminal or stdin from mstatd does. The file's time is then the time
	 * of the exit. */
	uint64_t exited_ns = 0;
	bool recorded = rt_read_exit(c->state_dir, &code) == 0;
	if (!recorded && procs > 0)
		code = 128 + SIGKILL;
	if (!recorded || procs > 0 || rt_read_exit_time(c->state_dir, &exited_ns) < 0)
		exited_ns = agent_now_real();
	c->rec.status = CTR_STATUS_EXITED;
	c->rec.exit_code = code;
	c->rec.pid = 0;
	c->rec.finished_ns = exited_ns;
	(void)ctr_set_string(&c->rec.cgroup_path, NULL);
	(void)ctr_set_string(&c->rec.error, "mstatd died while the container was running");
	agent_event_emit(a, c, EVENT_DIE, code);
}

/* Loads one container directory of an earlier mstatd. */
static void load_one(struct agent *a, const char *id)
{
	struct mst_err err = { 0 };
	struct container *c;
	char dir[PATH_MAX];

	if (snprintf(dir, sizeof(dir), "%s/%s", a->containers_dir, id) >= (int)sizeof(dir))
		return;
	c = container_new();
	if (!c)
		return;
	c->state_dir = strdup(dir);
	if (!c->state_dir || state_read(dir, &c->rec, &err) < 0 ||
	    strcmp(c->rec.spec.id, id) != 0 || agent_table_find_name(a, c->rec.spec.name)) {
		log_warning("ignoring container state in %s: %s", dir,
			    err.code ? err.msg : "invalid or duplicate");
		container_free(c);
		return;
	}

	if (c->rec.status == CTR_STATUS_RUNNING || c->rec.status == CTR_STATUS_REMOVING)
		end_leftover_run(a, c);
	/* As dockerd does at its start: an auto-remove container that no longer
	 * runs is removed, so no status of its run needs a synced write. One
	 * whose cgroup is still busy stays, to be removed by hand. */
	if (c->rec.options.auto_remove && !c->cgroup) {
		int r = state_remove_dir(dir);

		if (r == 0)
			agent_event_emit(a, c, EVENT_DESTROY, 0);
		if (r < 0)
			log_warning("removing %s of auto-remove container %s (%.12s) failed: %s",
				    dir, c->rec.spec.name, c->rec.spec.id, strerror(-r));
		else
			log_info("removed auto-remove container %s (%.12s) left by an earlier "
				 "mstatd",
				 c->rec.spec.name, c->rec.spec.id);
		container_free(c);
		return;
	}
	if (agent_table_add(a, c) < 0) {
		container_free(c);
		return;
	}
	agent_net_load(a, c);
	sup_restart_loaded(c);
	(void)sup_write_state_synced(a, c);
	log_info("loaded container %s (%.12s), %s", c->rec.spec.name, c->rec.spec.id,
		 ctr_status_to_string(c->rec.status));
}

void sup_load_state(struct agent *a)
{
	DIR *d = opendir(a->containers_dir);
	struct dirent *de;

	if (!d) {
		if (errno != ENOENT)
			log_warning("reading %s failed: %s", a->containers_dir, strerror(errno));
		return;
	}
	while ((de = readdir(d))) {
		if (strlen(de->d_name) == 64 && strspn(de->d_name, "0123456789abcdef") == 64)
			load_one(a, de->d_name);
	}
	closedir(d);
}
