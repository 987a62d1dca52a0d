/* SPDX-License-Identifier: MIT */
/*
 * mstatd's state and the functions that share it. The main thread owns
 * struct agent and every container in it; HTTP threads see only struct
 * api_server (the command queue, the published state and the metrics cache)
 * and never touch the container table.
 */
#ifndef MSTAT_AGENT_AGENT_H
#define MSTAT_AGENT_AGENT_H

#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "agent/cmdq.h"
#include "agent/config.h"
#include "agent/events.h"
#include "agent/journal.h"
#include "agent/kmsg.h"
#include "agent/network.h"
#include "agent/logfile.h"
#include "agent/pub.h"
#include "agent/record.h"
#include "collectors/pipeline.h"
#include "common/cglayout.h"
#include "common/log.h"
#include "runtime/cgroup.h"
#include "runtime/runtime.h"

struct container;
struct agent_exec;

enum loop_source_kind {
	LOOP_SOURCE_TIMER,
	LOOP_SOURCE_SIGNAL,
	LOOP_SOURCE_COMMANDS,
	LOOP_SOURCE_PIDFD,
	LOOP_SOURCE_OOM,
	LOOP_SOURCE_STDOUT,
	LOOP_SOURCE_STDERR,
	LOOP_SOURCE_EXEC, /* the pidfd of a command started by exec */
	_LOOP_SOURCE_MAX,
};

/* The object that an epoll event's data points at. */
struct loop_source {
	enum loop_source_kind kind;
	int fd; /* -1 when closed */
	struct container *container;
};

struct container {
	struct ctr_record rec;
	char *state_dir;	      /* <state-dir>/containers/<id> */
	struct rt_cgroup *cgroup;     /* from start until the cgroup is removed */
	char *target_id;	      /* pipeline target (cgroup path) until removal */
	bool monitor_pending;	      /* started; its pipeline target is added after the reply */
	struct loop_source pidfd;     /* the init's pidfd while running */
	struct loop_source oom;	      /* ops->oom_watch_open() while running */
	struct loop_source output[2]; /* read ends of the stdout and stderr pipes */
	struct logfile_writer log;    /* output.log, open while a pipe is */
	int input_fd;		      /* -1, a second pty master descriptor, or the stdin pipe */
	int pty_master;		      /* the pty master until the start watches it as output[0] */
	int stdio_child_fd;	      /* the pty slave or stdin pipe's read end until the start */
	struct agent_exec *execs;     /* exec instances, newest first (exec.c) */
	uint64_t stop_deadline_ns;    /* CLOCK_MONOTONIC; 0 = no stop in progress */
	unsigned stop_timeout_s;
	bool stop_requested;	      /* a stop is in progress: its event follows the exit */
	uint64_t restart_at_ns;	      /* CLOCK_MONOTONIC; 0 = no restart scheduled */
	uint64_t restart_delay_ns;    /* the last restart delay, which the next one doubles */
	bool remove_after_exit;	      /* a forced remove is waiting for the exit */
	unsigned cgroup_remove_tries; /* failed removals of an exited container's cgroup */
	struct api_cmd *pending;      /* wait, stop and remove replies due at exit */
};

/* The /metrics page of one snapshot generation in one format and encoding,
 * shared by every scrape of it. */
struct metrics_text {
	atomic_uint refcount;
	uint64_t generation;
	char *data;
	size_t len;
};

/* One cached page per format, plain and gzip-compressed. */
#define METRICS_N_FORMATS   3 /* _PROM_FORMAT_MAX of exporters/prom.h */
#define METRICS_N_ENCODINGS 2 /* identity, gzip */

/* The part of the agent that HTTP threads use; every member is thread-safe or
 * read-only. */
struct api_server {
	const struct agent_config *config; /* read-only after start-up */
	struct cmdq *commands;
	struct agent_pub *pub;
	pthread_mutex_t metrics_mu; /* guards metrics */
	struct metrics_text *metrics[METRICS_N_FORMATS][METRICS_N_ENCODINGS];
	atomic_ullong scrapes;
	atomic_ullong scrapes_by_format[METRICS_N_FORMATS];
	struct event_ring *events; /* recent container events; NULL before set-up */
};

struct agent_http;

struct agent {
	const struct agent_config *config;
	struct cg_layout layout;
	const struct cg_ops *ops;
	struct cg_paths parent; /* containers' parent cgroup */
	bool parent_ready;
	bool parent_created[_CG_CTRL_MAX]; /* directories mstatd created, removed at exit */
	struct pipeline *pipeline;
	char containers_dir[PATH_MAX]; /* <state-dir>/containers */

	struct container **containers;
	size_t n_containers, cap_containers;
	struct container **graveyard; /* removed this loop turn, freed after it */
	size_t n_graveyard, cap_graveyard;
	bool view_dirty;

	int epoll_fd;
	int lock_fd; /* flock on <state-dir>/mstatd.lock */
	struct loop_source timer, signals, command_source;
	struct cmdq commands;
	struct agent_pub pub;
	struct api_server api;
	bool shared_ready; /* commands, pub and api are initialised */
	struct agent_http *http;

	bool shutting_down;
	uint64_t shutdown_deadline_ns; /* CLOCK_MONOTONIC */
	struct log_ratelimit collect_rl;
	struct log_ratelimit cgroup_rl;

	/* Container events (event_emit.c). */
	struct event_ring events;
	struct kmsg_reader kmsg;
	struct journal_queue journal; /* events on their way to journald */

	struct agent_net net; /* bridge, addresses and port proxy (network.c) */
};

/* Clocks, in nanoseconds. */
uint64_t agent_now_real(void);
uint64_t agent_now_mono(void);

/* Container table (table.c). */
int agent_table_add(struct agent *a, struct container *c);
void agent_table_remove(struct agent *a, struct container *c); /* to the graveyard */
void agent_graveyard_flush(struct agent *a);
struct container *agent_table_find(struct agent *a, const char *key, int *ret_error);
struct container *agent_table_find_name(struct agent *a, const char *name);
int agent_publish_view(struct agent *a);

/* Runs a collection pass and publishes its snapshot. */
void agent_collect(struct agent *a);

/* Publishes the container list and a fresh snapshot at once, so that a
 * client that gets a reply (wait, rm) and then reads inspect, /metrics or
 * the stats sees the change the reply reports. */
void agent_publish_now(struct agent *a);
struct container *container_new(void); /* every descriptor -1 */
void container_free(struct container *c);
size_t agent_n_running(const struct agent *a);

/* Supervisor (supervisor.c, lifecycle.c, output.c). */
void sup_handle_command(struct agent *a, struct api_cmd *cmd);
/* Replies to cmd with {"message": ...} after publishing any change to the
 * container list. */
void sup_reply_message(struct agent *a, struct api_cmd *cmd, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Finds the container a command names, or replies 404 (unknown, docker's
 * "No such container") or 400 (an ambiguous id prefix) and returns NULL. */
struct container *sup_find_target(struct agent *a, struct api_cmd *cmd);
int sup_start(struct agent *a, struct container *c, struct mst_err *err);
void sup_stop(struct agent *a, struct container *c, unsigned timeout_s);
void sup_signal(struct agent *a, struct container *c, int sig);
void sup_on_pidfd(struct agent *a, struct container *c);
void sup_finish_exit(struct agent *a, struct container *c, int exit_code);
void sup_update_target_meta(struct agent *a, struct container *c);
void sup_drop_target(struct agent *a, struct container *c);

/* Adds the pipeline targets of the containers started since the last call.
 * It runs after the replies of a loop iteration are queued, so opening a
 * target's files no longer delays the start's reply. An exit comes in a
 * later iteration, and sup_finish_exit() adds a target still pending. */
void sup_monitor_pending(struct agent *a);
void sup_monitor(struct agent *a, struct container *c);
void sup_on_oom(struct agent *a, struct container *c);
void sup_on_output(struct agent *a, struct loop_source *src);
void sup_check_deadlines(struct agent *a, uint64_t now_mono);
int sup_next_deadline_ms(const struct agent *a, uint64_t now_mono);
void sup_retry_cgroup_removal(struct agent *a);
int sup_remove(struct agent *a, struct container *c);
/* Saves c's state after a change of its status (start, exit, OOM count). The
 * write is synced to disk only when a restart policy reads the status after
 * a power failure. Without one, a lost status leaves the container as its
 * last synced state shows it (created, or a run the next agent ends). */
int sup_write_state(struct agent *a, struct container *c);
/* Saves c's state synced to disk: its creation, settings and manual stops. */
int sup_write_state_synced(struct agent *a, struct container *c);
void sup_load_state(struct agent *a);
void sup_reply_pending(struct agent *a, struct container *c);

/* Applies an update command's limits and restart policy to c (update.c): to
 * its cgroup when it runs, and to its spec for later runs. Returns 0, or
 * -EINVAL (invalid values), -EBUSY (the kernel rejected a limit) or another
 * negative errno, with err naming the value. Nothing changes on failure. */
int sup_update(struct agent *a, struct container *c, struct api_cmd *cmd, struct mst_err *err);

/* Restart policies (restart.c). sup_schedule_restart() runs after an exit
 * and returns true when c now waits in the restarting state; sup_restart_due()
 * starts the containers whose delay has passed. sup_restart_loaded() applies
 * the policy to a container loaded from the state directory; one whose
 * leftover cgroup is not removed yet waits for it in sup_restart_due(). */
bool sup_schedule_restart(struct agent *a, struct container *c);
void sup_cancel_restart(struct container *c);
void sup_restart_due(struct agent *a, uint64_t now_mono);
void sup_restart_loaded(struct container *c);
int sup_watch(struct agent *a, struct loop_source *src, int fd);
void sup_unwatch(struct agent *a, struct loop_source *src);

/* Terminal and stdin of a container (attach.c). */
int attach_prepare_stdio(struct container *c, int out[2], int err_pipe[2], struct rt_stdio *stdio,
			 int *ret_child_fd, struct mst_err *err);
void attach_close_input(struct container *c);
void attach_handle_command(struct agent *a, struct api_cmd *cmd);

/* Exec instances (exec.c). */
void exec_handle_command(struct agent *a, struct api_cmd *cmd);
void exec_on_exit(struct agent *a, struct loop_source *src);
void exec_free_all(struct container *c);

/* Main loop (loop.c). */
int agent_loop_run(struct agent *a);

/* Metrics cache (metrics.c): the page for the newest snapshot, rendered once
 * per generation, format (enum prom_format) and encoding (gzip or not).
 * Returns a new reference or NULL. */
struct metrics_text *api_metrics_get_format(struct api_server *s, int format, bool gzip);
/* The text format without compression. */
struct metrics_text *api_metrics_get(struct api_server *s);
void metrics_text_unref(struct metrics_text *m);
/* Drops every cached page (at shutdown). */
void api_metrics_free(struct api_server *s);

/* HTTP listeners (http.c). */
int agent_http_start(struct agent *a, struct mst_err *err);
void agent_http_quiesce(struct agent *a); /* stops accepting connections */
void agent_http_stop(struct agent *a);	  /* joins the connection threads */

/* Set by CMake from the project version. */
#ifndef MSTAT_VERSION
#define MSTAT_VERSION "unknown"
#endif

#endif
