/* SPDX-License-Identifier: MIT */
/*
 * The commands of the API, run by the main thread against the container
 * table: create, start, stop, kill, wait and remove. A command gets its reply
 * here, or is parked on the container until its exit (wait, stop, a forced
 * remove).
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/agent.h"
#include "agent/api_json.h"
#include "agent/event_emit.h"
#include "agent/state.h"

/* Replies to cmd after publishing any change to the container list, so that
 * a client that acts on the reply (logs after start, inspect after wait) finds
 * the change the reply reports. */
static void sup_reply(struct agent *a, struct api_cmd *cmd, int status, json_t *body)
{
	if (a->view_dirty && agent_publish_view(a) < 0)
		log_error("publishing the container list failed: out of memory");
	cmdq_reply(&a->commands, cmd, status, body);
}

void sup_reply_message(struct agent *a, struct api_cmd *cmd, int status, const char *fmt, ...)
{
	char msg[MST_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sup_reply(a, cmd, status, api_json_message(msg));
}

struct container *sup_find_target(struct agent *a, struct api_cmd *cmd)
{
	int error = 0;
	struct container *c = agent_table_find(a, cmd->target, &error);

	if (c)
		return c;
	if (error == -ENOTUNIQ)
		sup_reply_message(a, cmd, 400,
				  "id prefix '%s' matches several containers; give more digits",
				  cmd->target);
	else
		sup_reply_message(a, cmd, 404, "No such container: %s", cmd->target);
	return NULL;
}

static void park(struct container *c, struct api_cmd *cmd)
{
	cmd->next = c->pending;
	c->pending = cmd;
}

/* Names the container, checks its spec and creates its state directory. */
static int prepare_container(struct agent *a, struct container *c, const char *name,
			     struct mst_err *err)
{
	char dir[PATH_MAX];
	int r;

	r = ctr_id_generate(c->rec.spec.id);
	if (r < 0)
		return err_set(err, -r, "generating a container id");
	if (name)
		snprintf(c->rec.spec.name, sizeof(c->rec.spec.name), "%s", name);
	else
		snprintf(c->rec.spec.name, sizeof(c->rec.spec.name), "%.12s", c->rec.spec.id);

	/* Every rejection of the spec is the client's to fix (400), whatever
	 * errno it carries, such as ENOENT for a missing Rootfs. */
	r = rt_spec_validate(&c->rec.spec, err);
	if (r < 0)
		return -EINVAL;

	if (snprintf(dir, sizeof(dir), "%s/%s", a->containers_dir, c->rec.spec.id) >=
	    (int)sizeof(dir))
		return err_setx(err, ENAMETOOLONG, "the state directory path is too long");
	if (mkdir(dir, 0700) < 0)
		return err_set(err, errno, "creating %s", dir);
	c->state_dir = strdup(dir);
	if (!c->state_dir)
		return err_set(err, ENOMEM, "creating the container");
	return 0;
}

static void cmd_create(struct agent *a, struct api_cmd *cmd)
{
	struct mst_err err = { 0 };
	struct container *c, *other;
	int r;

	if (cmd->target && strlen(cmd->target) >= RT_NAME_MAX) {
		sup_reply_message(a, cmd, 400, "invalid name: longer than %d characters",
				  RT_NAME_MAX - 1);
		return;
	}
	other = cmd->target ? agent_table_find_name(a, cmd->target) : NULL;
	if (other) {
		sup_reply_message(a, cmd, 409, "the name %s is already in use by container %s",
				  cmd->target, other->rec.spec.id);
		return;
	}

	c = container_new();
	if (!c) {
		sup_reply_message(a, cmd, 500, "creating the container: out of memory");
		return;
	}
	c->rec.spec = cmd->spec;
	memset(&cmd->spec, 0, sizeof(cmd->spec));
	c->rec.options = cmd->options;
	c->rec.status = CTR_STATUS_CREATED;
	c->rec.created_ns = agent_now_real();

	r = prepare_container(a, c, cmd->target, &err);
	if (r == 0)
		r = sup_write_state_synced(a, c);
	if (r == 0)
		r = agent_table_add(a, c);
	if (r < 0) {
		int status = r == -EINVAL ? 400 : 500;

		if (err.code == 0)
			err_set(&err, -r, "creating the container");
		/* A request the client can correct is no fault of mstatd's. */
		if (status == 400)
			log_warning("rejected container %s: %s", c->rec.spec.name, err.msg);
		else
			log_error("creating container %s failed: %s", c->rec.spec.name, err.msg);
		if (c->state_dir)
			(void)state_remove_dir(c->state_dir);
		container_free(c);
		sup_reply_message(a, cmd, status, "%s", err.msg);
		return;
	}

	log_info("created container %s (%.12s)", c->rec.spec.name, c->rec.spec.id);
	agent_event_emit(a, c, EVENT_CREATE, 0);
	sup_reply(a, cmd, 201,
		  json_pack("{s:s, s:o}", "Id", c->rec.spec.id, "Warnings",
			    cmd->warnings ? json_incref(cmd->warnings) : json_array()));
}

/* Starts c on a user's request: as with `docker start`, the restart count
 * and the backoff start from zero, and a waiting restart is cancelled. */
static int manual_start(struct agent *a, struct container *c, struct mst_err *err)
{
	sup_cancel_restart(c);
	c->rec.restart_count = 0;
	c->rec.manually_stopped = false;
	c->restart_delay_ns = 0;
	return sup_start(a, c, err);
}

/* Starts c for `mstat restart` and records the restart event. */
static int restart_on_request(struct agent *a, struct container *c, struct mst_err *err)
{
	int r = manual_start(a, c, err);

	if (r == 0)
		agent_event_emit(a, c, EVENT_RESTART, 0);
	return r;
}

static void cmd_start(struct agent *a, struct api_cmd *cmd)
{
	struct mst_err err = { 0 };
	struct container *c = sup_find_target(a, cmd);

	if (!c)
		return;
	if (c->rec.status == CTR_STATUS_RUNNING) {
		sup_reply(a, cmd, 304, NULL);
		return;
	}
	if (c->rec.status != CTR_STATUS_CREATED && c->rec.status != CTR_STATUS_EXITED &&
	    c->rec.status != CTR_STATUS_RESTARTING) {
		sup_reply_message(a, cmd, 409, "container %s is %s and cannot start",
				  c->rec.spec.name, ctr_status_to_string(c->rec.status));
		return;
	}
	if (c->cgroup) {
		sup_reply_message(
		    a, cmd, 409,
		    "container %s cannot start yet: the cgroup of its last run still has "
		    "processes; try again later",
		    c->rec.spec.name);
		return;
	}

	if (manual_start(a, c, &err) < 0) {
		sup_reply_message(a, cmd, 500, "%s", err.msg);
		return;
	}
	sup_reply(a, cmd, 204, NULL);
}

/* Marks c as stopped by a user, which ends its restart policy until the next
 * manual start, and cancels a restart that waits for its delay. */
static void mark_manually_stopped(struct agent *a, struct container *c)
{
	bool was_restarting = c->rec.status == CTR_STATUS_RESTARTING;

	c->rec.manually_stopped = true;
	sup_cancel_restart(c);
	if (was_restarting) {
		sup_update_target_meta(a, c);
		log_info("container %s (%.12s): restart cancelled", c->rec.spec.name,
			 c->rec.spec.id);
		(void)sup_write_state_synced(a, c);
	}
}

static void cmd_stop(struct agent *a, struct api_cmd *cmd)
{
	struct container *c = sup_find_target(a, cmd);

	if (!c)
		return;
	if (c->rec.status == CTR_STATUS_RESTARTING) {
		mark_manually_stopped(a, c);
		agent_event_emit(a, c, EVENT_STOP, 0);
		sup_reply(a, cmd, 204, NULL);
		return;
	}
	if (c->rec.status != CTR_STATUS_RUNNING) {
		sup_reply(a, cmd, 304, NULL);
		return;
	}
	mark_manually_stopped(a, c);
	park(c, cmd);
	sup_stop(a, c, cmd->timeout_s);
}

static void cmd_kill(struct agent *a, struct api_cmd *cmd)
{
	struct container *c = sup_find_target(a, cmd);

	if (!c)
		return;
	/* As dockerd: a kill ends the restart policy, and a container waiting
	 * for its restart stays exited. */
	if (c->rec.status == CTR_STATUS_RESTARTING) {
		mark_manually_stopped(a, c);
		agent_event_emit(a, c, EVENT_KILL, cmd->signal);
		sup_reply(a, cmd, 204, NULL);
		return;
	}
	if (c->rec.status != CTR_STATUS_RUNNING) {
		sup_reply_message(a, cmd, 409,
				  "container %s is not running: start it first (mstat start %s)",
				  c->rec.spec.name, c->rec.spec.name);
		return;
	}
	mark_manually_stopped(a, c);
	log_info("sending signal %d to container %s (%.12s)", cmd->signal, c->rec.spec.name,
		 c->rec.spec.id);
	agent_event_emit(a, c, EVENT_KILL, cmd->signal);
	sup_signal(a, c, cmd->signal);
	sup_reply(a, cmd, 204, NULL);
}

static void cmd_wait(struct agent *a, struct api_cmd *cmd)
{
	struct container *c = sup_find_target(a, cmd);

	if (!c)
		return;
	if (c->rec.status == CTR_STATUS_EXITED) {
		sup_reply(a, cmd, 200,
			  json_pack("{s:i, s:n}", "StatusCode", c->rec.exit_code, "Error"));
		return;
	}
	/* A created container is waited for until its next exit, which lets a
	 * client wait before it starts the container, as `docker run` does. */
	park(c, cmd);
}

static void cmd_remove(struct agent *a, struct api_cmd *cmd)
{
	struct container *c = sup_find_target(a, cmd);

	if (!c)
		return;
	if (c->rec.status == CTR_STATUS_RUNNING) {
		if (!cmd->force) {
			sup_reply_message(a, cmd, 409,
					  "container %s is running: stop it first, or force the "
					  "removal (mstat rm -f, "
					  "API force=1)",
					  c->rec.spec.name);
			return;
		}
		park(c, cmd);
		c->remove_after_exit = true;
		sup_signal(a, c, SIGKILL);
		return;
	}
	if (c->rec.status == CTR_STATUS_RESTARTING) {
		if (!cmd->force) {
			sup_reply_message(a, cmd, 409,
					  "container %s is restarting: stop it first, or force the "
					  "removal (mstat rm -f, API force=1)",
					  c->rec.spec.name);
			return;
		}
		sup_cancel_restart(c);
	}

	if (sup_remove(a, c) < 0) {
		sup_reply_message(a, cmd, 500,
				  "removing the state directory of container %s failed",
				  c->rec.spec.name);
		return;
	}
	sup_reply(a, cmd, 204, NULL);
}

/* Stops c when it runs, then starts it again, as `docker restart` does. The
 * reply waits for the exit; sup_reply_pending() starts the container. */
static void cmd_restart(struct agent *a, struct api_cmd *cmd)
{
	struct mst_err err = { 0 };
	struct container *c = sup_find_target(a, cmd);

	if (!c)
		return;
	if (c->rec.status == CTR_STATUS_RUNNING) {
		/* The policy must not start it as well after this exit. */
		c->rec.manually_stopped = true;
		park(c, cmd);
		sup_stop(a, c, cmd->timeout_s);
		return;
	}
	if (c->rec.status != CTR_STATUS_CREATED && c->rec.status != CTR_STATUS_EXITED &&
	    c->rec.status != CTR_STATUS_RESTARTING) {
		sup_reply_message(a, cmd, 409, "container %s is %s and cannot restart",
				  c->rec.spec.name, ctr_status_to_string(c->rec.status));
		return;
	}
	if (restart_on_request(a, c, &err) < 0) {
		sup_reply_message(a, cmd, 500, "%s", err.msg);
		return;
	}
	sup_reply(a, cmd, 204, NULL);
}

static void cmd_update(struct agent *a, struct api_cmd *cmd)
{
	struct mst_err err = { 0 };
	struct container *c = sup_find_target(a, cmd);
	int r;

	if (!c)
		return;
	if (c->rec.status == CTR_STATUS_REMOVING || c->rec.status == CTR_STATUS_DEAD) {
		sup_reply_message(a, cmd, 409, "container %s is %s and cannot be updated",
				  c->rec.spec.name, ctr_status_to_string(c->rec.status));
		return;
	}
	r = sup_update(a, c, cmd, &err);
	if (r < 0) {
		sup_reply_message(a, cmd,
				  r == -EINVAL	? 400
				  : r == -EBUSY ? 409
						: 500,
				  "%s", err.msg);
		return;
	}
	sup_reply(a, cmd, 200, json_pack("{s:[]}", "Warnings"));
}

void sup_handle_command(struct agent *a, struct api_cmd *cmd)
{
	switch (cmd->type) {
	case API_CMD_CREATE:
		cmd_create(a, cmd);
		return;
	case API_CMD_START:
		cmd_start(a, cmd);
		return;
	case API_CMD_STOP:
		cmd_stop(a, cmd);
		return;
	case API_CMD_KILL:
		cmd_kill(a, cmd);
		return;
	case API_CMD_WAIT:
		cmd_wait(a, cmd);
		return;
	case API_CMD_REMOVE:
		cmd_remove(a, cmd);
		return;
	case API_CMD_RESTART:
		cmd_restart(a, cmd);
		return;
	case API_CMD_UPDATE:
		cmd_update(a, cmd);
		return;
	case API_CMD_ATTACH:
	case API_CMD_RESIZE:
		attach_handle_command(a, cmd);
		return;
	case API_CMD_EXEC_CREATE:
	case API_CMD_EXEC_START:
	case API_CMD_EXEC_INSPECT:
	case API_CMD_EXEC_RESIZE:
		exec_handle_command(a, cmd);
		return;
	case _API_CMD_MAX:
		break;
	}
	sup_reply_message(a, cmd, 500, "unknown command %d", (int)cmd->type);
}

/* Replies to the commands parked on c, now that it has exited or is being
 * removed; a remove gets its reply from sup_remove(). */
void sup_reply_pending(struct agent *a, struct container *c)
{
	struct api_cmd *cmd = c->pending, *next, *keep = NULL;
	struct mst_err err = { 0 };

	for (; cmd; cmd = next) {
		next = cmd->next;
		switch (cmd->type) {
		case API_CMD_WAIT:
			sup_reply(a, cmd, 200,
				  json_pack("{s:i, s:n}", "StatusCode", c->rec.exit_code, "Error"));
			break;
		case API_CMD_STOP:
			sup_reply(a, cmd, 204, NULL);
			break;
		case API_CMD_RESTART:
			if (restart_on_request(a, c, &err) < 0)
				sup_reply_message(a, cmd, 500, "%s", err.msg);
			else
				sup_reply(a, cmd, 204, NULL);
			break;
		default:
			cmd->next = keep;
			keep = cmd;
			break;
		}
	}
	c->pending = keep;
}

int sup_remove(struct agent *a, struct container *c)
{
	int r = state_remove_dir(c->state_dir);

	if (r < 0) {
		log_error("removing %s of container %s (%.12s) failed: %s", c->state_dir,
			  c->rec.spec.name, c->rec.spec.id, strerror(-r));
		return r;
	}

	/* Output still in the pipes after an auto-remove is dropped. */
	sup_unwatch(a, &c->output[0]);
	sup_unwatch(a, &c->output[1]);
	logfile_writer_close(&c->log);
	agent_net_release(a, c);
	log_info("removed container %s (%.12s)", c->rec.spec.name, c->rec.spec.id);
	agent_event_emit(a, c, EVENT_DESTROY, 0);

	/* Gone from the published list and snapshot before any reply goes
	 * out. The table keeps c alive until the end of this loop turn. */
	struct api_cmd *pending = c->pending;
	c->pending = NULL;
	sup_drop_target(a, c);
	agent_table_remove(a, c);
	agent_publish_now(a);

	for (struct api_cmd *cmd = pending, *next; cmd; cmd = next) {
		next = cmd->next;
		if (cmd->type == API_CMD_REMOVE)
			sup_reply(a, cmd, 204, NULL);
		else
			sup_reply_message(a, cmd, 409, "container %s was removed",
					  c->rec.spec.name);
	}
	return 0;
}

static int write_state(struct agent *a, struct container *c, bool synced)
{
	struct mst_err err = { 0 };
	int r;

	c->rec.state_seq++;
	if (synced)
		r = state_write(c->state_dir, &c->rec, &err);
	else
		r = state_write_unsynced(c->state_dir, &c->rec, &err);
	a->view_dirty = true;
	if (r < 0)
		log_error("saving the state of container %s (%.12s) failed: %s", c->rec.spec.name,
			  c->rec.spec.id, err.msg);
	return r;
}

/* Skipping fsync() saved 0.3 to 7 ms per status change on the test VM's
 * disk, where `run --rm` changes the status twice (start and exit). */
int sup_write_state(struct agent *a, struct container *c)
{
	return write_state(a, c, c->rec.options.restart.mode != RESTART_NO);
}

int sup_write_state_synced(struct agent *a, struct container *c)
{
	return write_state(a, c, true);
}
