/* SPDX-License-Identifier: MIT */
/*
 * Run-time updates of a container's limits and restart policy (`mstat
 * update`, POST /v1/containers/NAME/update): the new spec is checked as at
 * create, written to the cgroup of a running container, then kept for later
 * runs. A rejected update leaves the container as it was.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent/agent.h"
#include "agent/event_emit.h"

static void swap_device_rates(struct rt_device_rate **a, size_t *n_a, struct rt_device_rate **b,
			      size_t *n_b)
{
	struct rt_device_rate *rates = *a;
	size_t n = *n_a;

	*a = *b;
	*n_a = *n_b;
	*b = rates;
	*n_b = n;
}

/* Moves the changed fields of the update into spec. Device lists are
 * swapped, so the command frees the lists they replace. */
static void merge_limits(struct rt_spec *spec, struct api_cmd *cmd)
{
	struct rt_limits *to = &spec->limits, *from = &cmd->spec.limits;
	unsigned f = cmd->update_fields;

	if (f & CTR_UPDATE_MEMORY)
		to->memory = from->memory;
	if (f & CTR_UPDATE_MEMORY_SWAP)
		to->memory_swap = from->memory_swap;
	if (f & CTR_UPDATE_NANO_CPUS)
		to->nano_cpus = from->nano_cpus;
	if (f & CTR_UPDATE_CPU_SHARES)
		to->cpu_shares = from->cpu_shares;
	if (f & CTR_UPDATE_PIDS_LIMIT)
		to->pids_limit = from->pids_limit;
	if (f & CTR_UPDATE_DEVICE_READ_BPS)
		swap_device_rates(&to->device_read_bps, &to->n_device_read_bps,
				  &from->device_read_bps, &from->n_device_read_bps);
	if (f & CTR_UPDATE_DEVICE_WRITE_BPS)
		swap_device_rates(&to->device_write_bps, &to->n_device_write_bps,
				  &from->device_write_bps, &from->n_device_write_bps);
}

static bool has_device(const struct rt_device_rate *rates, size_t n, const char *path)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(rates[i].path, path) == 0)
			return true;
	return false;
}

/* Builds the list to write for one direction: a rate of 0 (no limit) for
 * each device the update drops, then the new entries, which win for a device
 * named in both. The entries borrow their paths. Returns NULL when out of
 * memory. */
static struct rt_device_rate *rates_to_write(const struct rt_device_rate *old, size_t n_old,
					     const struct rt_device_rate *new, size_t n_new,
					     size_t *ret_n)
{
	struct rt_device_rate *out = calloc(n_old + n_new + 1, sizeof(*out));
	size_t n = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n_old; i++)
		if (!has_device(new, n_new, old[i].path))
			out[n++] = (struct rt_device_rate){ .path = old[i].path, .rate = 0 };
	for (size_t i = 0; i < n_new; i++)
		out[n++] = new[i];
	*ret_n = n;
	return out;
}

/* Writes the new limits to a running container's cgroup. On failure it
 * writes the old ones back, so the cgroup keeps the limits of the spec. */
static int apply_to_cgroup(struct agent *a, struct container *c, const struct rt_limits *new,
			   struct mst_err *err)
{
	const struct rt_limits *old = &c->rec.spec.limits;
	struct rt_limits write = *new;
	struct mst_err ignored = { 0 };
	int r = -ENOMEM;

	write.device_read_bps =
	    rates_to_write(old->device_read_bps, old->n_device_read_bps, new->device_read_bps,
			   new->n_device_read_bps, &write.n_device_read_bps);
	write.device_write_bps =
	    rates_to_write(old->device_write_bps, old->n_device_write_bps, new->device_write_bps,
			   new->n_device_write_bps, &write.n_device_write_bps);
	if (!write.device_read_bps || !write.device_write_bps) {
		err_set(err, ENOMEM, "updating container %s", c->rec.spec.name);
		goto out;
	}

	r = a->ops->set_limits(c->cgroup, &write, err);
	if (r < 0) {
		(void)err_prefix(err, "writing the new limits of container %s to its cgroup",
				 c->rec.spec.name);
		if (a->ops->set_limits(c->cgroup, old, &ignored) < 0)
			log_error("container %s (%.12s): restoring its limits after a failed "
				  "update failed: %s",
				  c->rec.spec.name, c->rec.spec.id, ignored.msg);
		/* EBUSY: v1 could not reclaim memory below the new limit. */
		r = r == -EBUSY ? -EBUSY : -EIO;
	}
out:
	free(write.device_read_bps);
	free(write.device_write_bps);
	return r;
}

int sup_update(struct agent *a, struct container *c, struct api_cmd *cmd, struct mst_err *err)
{
	struct ctr_options options = c->rec.options;
	struct rt_spec merged;
	int r;

	if (cmd->update_fields & CTR_UPDATE_RESTART_POLICY)
		options.restart = cmd->options.restart;
	if (options.auto_remove && options.restart.mode != RESTART_NO)
		return err_setx(err, EINVAL,
				"container %s is removed when it exits (--rm), so it cannot have "
				"the restart policy %s",
				c->rec.spec.name, restart_mode_to_string(options.restart.mode));

	if (ctr_spec_copy(&c->rec.spec, &merged) < 0)
		return err_set(err, ENOMEM, "updating container %s", c->rec.spec.name);
	merge_limits(&merged, cmd);
	r = rt_spec_validate(&merged, err);
	if (r < 0) {
		ctr_spec_free(&merged);
		return -EINVAL;
	}
	if (c->rec.status == CTR_STATUS_RUNNING && c->cgroup) {
		r = apply_to_cgroup(a, c, &merged.limits, err);
		if (r < 0) {
			log_error("%s (%.12s)", err->msg, c->rec.spec.id);
			ctr_spec_free(&merged);
			return r;
		}
	}

	/* Commit: the old spec goes with the command's leftovers. */
	ctr_spec_free(&c->rec.spec);
	c->rec.spec = merged;
	c->rec.options = options;
	if (options.restart.mode == RESTART_NO && c->rec.status == CTR_STATUS_RESTARTING)
		sup_cancel_restart(c);
	(void)sup_write_state_synced(a, c);
	sup_update_target_meta(a, c);
	log_info("updated the limits of container %s (%.12s)", c->rec.spec.name, c->rec.spec.id);
	agent_event_emit(a, c, EVENT_UPDATE, 0);
	agent_publish_now(a);
	return 0;
}
