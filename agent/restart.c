/* SPDX-License-Identifier: MIT */
/*
 * Restart policies in the main thread: after an exit, the container either
 * stays exited or waits in the restarting state for its backoff delay, then
 * starts again. Also the restart, at agent start, of loaded containers whose
 * policy requires one.
 */
#include <errno.h>
#include <string.h>

#include "agent/agent.h"
#include "agent/event_emit.h"

bool sup_schedule_restart(struct agent *a, struct container *c)
{
	const struct ctr_record *r = &c->rec;
	uint64_t ran_ns = r->finished_ns > r->started_ns ? r->finished_ns - r->started_ns : 0;
	char policy[32];

	if (a->shutting_down || c->remove_after_exit ||
	    !restart_should(&r->options.restart, r->exit_code, r->manually_stopped,
			    r->restart_count))
		return false;

	c->restart_delay_ns = restart_next_delay(c->restart_delay_ns, ran_ns);
	c->restart_at_ns = agent_now_mono() + c->restart_delay_ns;
	c->rec.status = CTR_STATUS_RESTARTING;
	sup_update_target_meta(a, c);
	restart_policy_format(&r->options.restart, policy, sizeof(policy));
	log_info("container %s (%.12s) restarts in %llu ms (restart policy %s, restart %llu)",
		 r->spec.name, r->spec.id, (unsigned long long)(c->restart_delay_ns / 1000000),
		 policy, (unsigned long long)r->restart_count + 1);
	return true;
}

void sup_cancel_restart(struct container *c)
{
	if (c->rec.status == CTR_STATUS_RESTARTING)
		c->rec.status = CTR_STATUS_EXITED;
	c->restart_at_ns = 0;
}

/* Starts c again for its restart policy. A failed start counts as a run that
 * exited at once, so the policy and its backoff decide about the next try. */
static void restart_now(struct agent *a, struct container *c)
{
	struct mst_err err = { 0 };

	/* The cgroup of the last run still has processes: try again later. */
	if (c->cgroup) {
		c->restart_delay_ns = restart_next_delay(c->restart_delay_ns, 0);
		c->restart_at_ns = agent_now_mono() + c->restart_delay_ns;
		log_limited(
		    &a->cgroup_rl, 60, LOG_WARNING,
		    "container %s (%.12s): restart postponed by %llu ms, because the cgroup "
		    "of its last run still has processes",
		    c->rec.spec.name, c->rec.spec.id,
		    (unsigned long long)(c->restart_delay_ns / 1000000));
		return;
	}
	c->restart_at_ns = 0;
	c->rec.restart_count++;
	agent_event_emit(a, c, EVENT_RESTART, (int)c->rec.restart_count);
	if (sup_start(a, c, &err) == 0)
		return;

	c->rec.status = CTR_STATUS_EXITED;
	c->rec.started_ns = c->rec.finished_ns = agent_now_real();
	if (!sup_schedule_restart(a, c))
		log_error("container %s (%.12s): giving up restarting it after %llu restart(s)",
			  c->rec.spec.name, c->rec.spec.id,
			  (unsigned long long)c->rec.restart_count);
	(void)sup_write_state(a, c);
	agent_publish_now(a);
}

void sup_restart_due(struct agent *a, uint64_t now)
{
	if (a->shutting_down)
		return;
	for (size_t i = 0; i < a->n_containers; i++) {
		struct container *c = a->containers[i];

		if (c->rec.status == CTR_STATUS_RESTARTING && c->restart_at_ns != 0 &&
		    now >= c->restart_at_ns)
			restart_now(a, c);
	}
}

void sup_restart_loaded(struct container *c)
{
	const struct ctr_record *r = &c->rec;
	/* As dockerd at its start: "always" restarts even after a manual stop. */
	bool due = r->status == CTR_STATUS_RESTARTING ||
		   (r->status == CTR_STATUS_EXITED &&
		    (r->options.restart.mode == RESTART_ALWAYS ||
		     restart_should(&r->options.restart, r->exit_code, r->manually_stopped,
				    r->restart_count)));

	if (!due)
		return;
	/* A start clears a manual stop, as in dockerd, so an "always" container
	 * keeps restarting after this one. */
	c->rec.manually_stopped = false;
	/* Due containers start in the first loop turn. */
	c->rec.status = CTR_STATUS_RESTARTING;
	c->restart_at_ns = agent_now_mono();
}
