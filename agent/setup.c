/* SPDX-License-Identifier: MIT */
/*
 * Start-up and teardown of mstatd's state: cgroup layout and the containers'
 * parent cgroup, the state directory, the pipeline with its watched
 * cgroups, and the structures shared with HTTP threads. Teardown removes
 * only what start-up created.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/agent.h"
#include "agent/event_emit.h"
#include "agent/setup.h"
#include "agent/state.h"

/* Appends each '/'-separated component of rel to base. */
static int paths_descend(const struct cg_paths *base, const char *rel, struct cg_paths *ret)
{
	struct cg_paths cur;
	char *copy = strdup(rel), *save = NULL;
	int r = cg_paths_copy(base, &cur);

	if (!copy || r < 0) {
		free(copy);
		if (r == 0)
			cg_paths_free(&cur);
		return -ENOMEM;
	}
	for (char *part = strtok_r(copy, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
		struct cg_paths next;

		r = cg_paths_child(&cur, part, &next);
		cg_paths_free(&cur);
		if (r < 0) {
			free(copy);
			return r;
		}
		cur = next;
	}
	free(copy);
	*ret = cur;
	return 0;
}

static int resolve_parent(struct agent *a, struct mst_err *err)
{
	const char *parent = a->config->cgroup_parent;
	struct cg_paths base;
	const char *rel;
	int r;

	if (parent && parent[0] == '/') {
		r = cg_paths_from_path(&a->layout, "/", &base, err);
		rel = parent + 1;
	} else {
		r = cg_paths_of_pid(&a->layout, 0, &base, err);
		rel = parent ? parent : "mstat";
	}
	if (r < 0)
		return err_prefix(err, "resolving the parent cgroup");

	r = paths_descend(&base, rel, &a->parent);
	cg_paths_free(&base);
	if (r < 0)
		return err_set(err, -r, "resolving the parent cgroup %s", rel);
	return 0;
}

static int prepare_parent(struct agent *a, struct mst_err *err)
{
	struct stat st;
	int r;

	r = resolve_parent(a, err);
	if (r < 0)
		return r;
	for (int i = 0; i < _CG_CTRL_MAX; i++)
		a->parent_created[i] = a->parent.dir[i] && stat(a->parent.dir[i], &st) < 0;

	r = a->ops->prepare_parent(&a->layout, &a->parent, err);
	if (r < 0)
		return err_prefix(err, "preparing the parent cgroup %s", a->parent.path);
	a->parent_ready = true;
	log_info("containers go beneath cgroup %s (%s backend)", a->parent.path, a->ops->name);
	return 0;
}

/* Removes the parent cgroup directories that prepare_parent() created. */
static void remove_parent(struct agent *a)
{
	for (int i = 0; i < _CG_CTRL_MAX; i++) {
		if (!a->parent_created[i] || !a->parent.dir[i])
			continue;
		if (rmdir(a->parent.dir[i]) < 0 && errno != ENOENT)
			log_warning("removing cgroup directory %s failed: %s", a->parent.dir[i],
				    strerror(errno));
	}
}

/* Warns about the controllers whose files a watched cgroup lacks (on v1, a
 * path that exists only in some hierarchies), since their series are absent. */
static void log_missing_controllers(const char *path, const struct cg_paths *paths)
{
	char missing[128] = "";
	size_t len = 0;

	for (int c = 0; c < _CG_CTRL_MAX; c++)
		if (!paths->dir[c] && len < sizeof(missing))
			len += (size_t)snprintf(missing + len, sizeof(missing) - len, "%s%s",
						len ? ", " : "", cg_controller_to_string(c));
	if (len)
		log_warning("cgroup %s has no %s directory; those metrics are absent", path,
			    missing);
}

/* Adds every --watch cgroup as a target. A cgroup that cannot be watched is
 * an error: the user asked for it by name. */
int agent_add_watches(struct agent *a, struct mst_err *err)
{
	for (size_t i = 0; i < a->config->n_watch; i++) {
		const char *path = a->config->watch[i];
		struct snapshot_meta meta = { .id = (char *)path, .name = (char *)path };
		struct cg_paths paths;
		int r;

		err_clear(err);
		r = cg_paths_from_path(&a->layout, path, &paths, err);
		if (r == 0) {
			r = pipeline_add_target(a->pipeline, &meta, &paths, 0, err);
			if (r == 0)
				log_missing_controllers(path, &paths);
			cg_paths_free(&paths);
		}
		if (r < 0)
			return err_prefix(err, "--watch %s", path);
		log_info("watching cgroup %s", path);
	}
	return 0;
}

int agent_open_pipeline(struct agent *a, struct mst_err *err)
{
	const struct agent_config *cfg = a->config;
	int r;

	r = cg_layout_detect(cfg->cgroup_root, cfg->proc_root, &a->layout, err);
	if (r < 0)
		return r;
	a->ops = cg_ops_for(&a->layout);
	log_info("cgroup layout: %s under %s", cg_mode_to_string(a->layout.mode), cfg->cgroup_root);

	r = collectors_register_builtin();
	if (r < 0 && r != -EEXIST)
		return err_set(err, -r, "registering the collectors");
	a->pipeline = pipeline_new(&a->layout);
	if (!a->pipeline)
		return err_set(err, ENOMEM, "creating the pipeline");
	return agent_add_watches(a, err);
}

static int init_shared(struct agent *a, struct mst_err *err)
{
	int r;

	r = cmdq_init(&a->commands);
	if (r < 0)
		return err_set(err, -r, "creating the command queue");
	r = pub_init(&a->pub);
	if (r < 0)
		return err_set(err, -r, "creating the publication state");
	a->api.config = a->config;
	a->api.commands = &a->commands;
	a->api.pub = &a->pub;
	pthread_mutex_init(&a->api.metrics_mu, NULL);
	atomic_init(&a->api.scrapes, 0);
	a->shared_ready = true;
	return 0;
}

/* Takes an exclusive lock on the state directory, so that a second mstatd
 * cannot rewrite the state of containers that the first one runs. */
static int lock_state_dir(struct agent *a, struct mst_err *err)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/mstatd.lock", a->config->state_dir) >=
	    (int)sizeof(path))
		return err_setx(err, ENAMETOOLONG, "--state-dir %s is too long",
				a->config->state_dir);
	a->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (a->lock_fd < 0)
		return err_set(err, errno, "opening %s", path);
	if (flock(a->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			return err_setx(err, EBUSY,
					"another mstatd uses the state directory %s; stop it or "
					"choose another --state-dir",
					a->config->state_dir);
		return err_set(err, errno, "locking %s", path);
	}
	return 0;
}

int agent_setup(struct agent *a, const struct agent_config *cfg, struct mst_err *err)
{
	int r;

	memset(a, 0, sizeof(*a));
	a->config = cfg;
	a->epoll_fd = -1;
	a->lock_fd = -1;
	a->timer.fd = a->signals.fd = a->command_source.fd = -1;

	r = agent_open_pipeline(a, err);
	if (r < 0)
		return r;

	if (snprintf(a->containers_dir, sizeof(a->containers_dir), "%s/%s", cfg->state_dir,
		     STATE_CONTAINERS_DIR) >= (int)sizeof(a->containers_dir))
		return err_setx(err, ENAMETOOLONG, "--state-dir %s is too long", cfg->state_dir);
	r = state_mkdir_p(a->containers_dir, 0700);
	if (r < 0)
		return err_set(err, -r, "creating %s", a->containers_dir);
	r = lock_state_dir(a, err);
	if (r < 0)
		return r;

	r = prepare_parent(a, err);
	if (r < 0)
		return r;

	r = init_shared(a, err);
	if (r < 0)
		return r;
	r = agent_net_setup(a, err);
	if (r < 0)
		return r;
	r = agent_events_setup(a, err);
	if (r < 0)
		return r;
	a->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (a->epoll_fd < 0)
		return err_set(err, errno, "creating the epoll set");

	sup_load_state(a);
	return agent_publish_view(a) < 0 ? err_set(err, ENOMEM, "publishing the containers") : 0;
}

/* Replies to every command still parked on a container (shutdown). */
static void reply_leftovers(struct agent *a)
{
	for (size_t i = 0; i < a->n_containers; i++) {
		struct container *c = a->containers[i];

		for (struct api_cmd *cmd = c->pending, *next; cmd; cmd = next) {
			next = cmd->next;
			cmdq_reply(&a->commands, cmd, 503,
				   json_pack("{s:s}", "message", "mstatd is shutting down"));
		}
		c->pending = NULL;
	}
}

void agent_teardown(struct agent *a)
{
	if (a->shared_ready) {
		reply_leftovers(a);
		cmdq_close(&a->commands);
		pub_close(&a->pub);
	}
	/* Joins the connection threads, which the two closes above woke. */
	agent_http_stop(a);

	sup_retry_cgroup_removal(a);
	for (size_t i = 0; i < a->n_containers; i++)
		container_free(a->containers[i]);
	a->n_containers = 0;
	agent_graveyard_flush(a);
	free(a->containers);
	free(a->graveyard);

	sup_unwatch(a, &a->timer);
	sup_unwatch(a, &a->signals);
	sup_unwatch(a, &a->command_source);
	if (a->epoll_fd >= 0)
		close(a->epoll_fd);

	pipeline_free(a->pipeline);
	if (a->parent_ready)
		remove_parent(a);
	cg_paths_free(&a->parent);
	if (a->shared_ready) {
		api_metrics_free(&a->api);
		pthread_mutex_destroy(&a->api.metrics_mu);
		agent_events_teardown(a);
		pub_destroy(&a->pub);
		cmdq_destroy(&a->commands);
		a->shared_ready = false;
	}
	agent_net_teardown(a);
	/* Last, so that a new mstatd starts only after this one cleaned up. */
	if (a->lock_fd >= 0) {
		close(a->lock_fd);
		a->lock_fd = -1;
	}
}
