/* SPDX-License-Identifier: MIT */
/*
 * The container table of the main thread, and the view of it that HTTP
 * threads read. Removed containers wait in a graveyard until the end of the
 * loop turn, because later events of the same epoll batch may point at them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent/agent.h"
#include "agent/view.h"

uint64_t agent_now_real(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t agent_now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int grow(struct container ***items, size_t *cap, size_t need)
{
	struct container **bigger;
	size_t new_cap;

	if (need <= *cap)
		return 0;
	new_cap = *cap ? *cap * 2 : 16;
	bigger = realloc(*items, new_cap * sizeof(*bigger));
	if (!bigger)
		return -ENOMEM;
	*items = bigger;
	*cap = new_cap;
	return 0;
}

int agent_table_add(struct agent *a, struct container *c)
{
	if (grow(&a->containers, &a->cap_containers, a->n_containers + 1) < 0)
		return -ENOMEM;
	/* Reserve the graveyard slot now, so that removal cannot fail later. */
	if (grow(&a->graveyard, &a->cap_graveyard, a->n_containers + a->n_graveyard + 1) < 0)
		return -ENOMEM;
	a->containers[a->n_containers++] = c;
	a->view_dirty = true;
	return 0;
}

void agent_table_remove(struct agent *a, struct container *c)
{
	for (size_t i = 0; i < a->n_containers; i++) {
		if (a->containers[i] != c)
			continue;
		a->containers[i] = a->containers[--a->n_containers];
		a->graveyard[a->n_graveyard++] = c;
		a->view_dirty = true;
		return;
	}
}

void agent_graveyard_flush(struct agent *a)
{
	for (size_t i = 0; i < a->n_graveyard; i++)
		container_free(a->graveyard[i]);
	a->n_graveyard = 0;
}

static const struct ctr_record *table_record_at(const void *set, size_t i)
{
	const struct agent *a = set;

	return &a->containers[i]->rec;
}

struct container *agent_table_find(struct agent *a, const char *key, int *ret_error)
{
	size_t i;
	int r = ctr_lookup(a, a->n_containers, table_record_at, key, &i);

	if (r < 0) {
		*ret_error = r;
		return NULL;
	}
	return a->containers[i];
}

struct container *agent_table_find_name(struct agent *a, const char *name)
{
	for (size_t i = 0; i < a->n_containers; i++)
		if (strcmp(a->containers[i]->rec.spec.name, name) == 0)
			return a->containers[i];
	return NULL;
}

size_t agent_n_running(const struct agent *a)
{
	size_t n = 0;

	for (size_t i = 0; i < a->n_containers; i++)
		if (a->containers[i]->rec.status == CTR_STATUS_RUNNING)
			n++;
	return n;
}

void agent_publish_now(struct agent *a)
{
	struct snapshot *snap = NULL;

	/* No pass: the exited target was collected when it was retired, and
	 * a full pass on every exit or removal made each one cost as much as
	 * a tick with all containers. */
	if (pipeline_snapshot(a->pipeline, &snap) == 0)
		pub_set_snapshot(&a->pub, snap, pipeline_last_errors(a->pipeline));
	else
		log_error("publishing the snapshot failed: out of memory");
	if (agent_publish_view(a) < 0)
		log_error("publishing the container list failed: out of memory");
}

int agent_publish_view(struct agent *a)
{
	struct ctr_view *v = ctr_view_new(a->n_containers);

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < a->n_containers; i++) {
		const struct container *c = a->containers[i];
		struct ctr_view_item *item = &v->items[i];

		if (ctr_record_copy(&c->rec, &item->rec) < 0 ||
		    ctr_set_string(&item->state_dir, c->state_dir) < 0) {
			v->n = i + 1;
			ctr_view_unref(v);
			return -ENOMEM;
		}
		item->output_open = c->output[0].fd >= 0 || c->output[1].fd >= 0;
	}
	ctr_view_sort(v);
	pub_set_view(&a->pub, v);
	a->view_dirty = false;
	return 0;
}

struct container *container_new(void)
{
	struct container *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->pidfd = (struct loop_source){ .kind = LOOP_SOURCE_PIDFD, .fd = -1, .container = c };
	c->oom = (struct loop_source){ .kind = LOOP_SOURCE_OOM, .fd = -1, .container = c };
	c->output[0] = (struct loop_source){ .kind = LOOP_SOURCE_STDOUT, .fd = -1, .container = c };
	c->output[1] = (struct loop_source){ .kind = LOOP_SOURCE_STDERR, .fd = -1, .container = c };
	logfile_writer_init(&c->log);
	c->input_fd = c->pty_master = c->stdio_child_fd = -1;
	return c;
}

void container_free(struct container *c)
{
	if (!c)
		return;
	/* The loop closes every descriptor before removing a container; these
	 * closes cover start-up failures. */
	if (c->pidfd.fd >= 0)
		close(c->pidfd.fd);
	if (c->oom.fd >= 0)
		close(c->oom.fd);
	for (int i = 0; i < 2; i++)
		if (c->output[i].fd >= 0)
			close(c->output[i].fd);
	logfile_writer_close(&c->log);
	attach_close_input(c);
	exec_free_all(c);
	rt_cgroup_free(c->cgroup);
	free(c->target_id);
	ctr_record_free(&c->rec);
	free(c->state_dir);
	free(c);
}
