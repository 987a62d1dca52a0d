/* SPDX-License-Identifier: MIT */
/*
 * The main loop: one thread, one epoll set over the interval timer, the
 * signalfd, the command eventfd and every running container's pidfd, OOM
 * watch and output pipes. It owns every piece of mutable state and
 * publishes what HTTP threads read.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "agent/agent.h"

#define LOOP_MAX_EVENTS 32

/* After the stop timeout, how long shutdown waits for exits before it
 * gives up on containers that SIGKILL did not end. */
#define SHUTDOWN_GRACE_S 10

static int setup_timer(struct agent *a)
{
	uint64_t ns = a->config->interval_ns;
	struct itimerspec spec = {
		.it_interval = { .tv_sec = (time_t)(ns / 1000000000ULL),
				 .tv_nsec = (long)(ns % 1000000000ULL) },
	};
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);

	if (fd < 0)
		return -errno;
	spec.it_value = spec.it_interval;
	if (timerfd_settime(fd, 0, &spec, NULL) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return sup_watch(a, &a->timer, fd);
}

static int setup_signals(struct agent *a)
{
	sigset_t mask;
	int fd;

	/* main() blocked these before any thread started. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGCHLD);
	fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0)
		return -errno;
	return sup_watch(a, &a->signals, fd);
}

void agent_collect(struct agent *a)
{
	struct snapshot *snap = NULL;
	int r = pipeline_collect(a->pipeline, &snap);

	if (r < 0) {
		log_limited(&a->collect_rl, 60, LOG_ERR, "collection pass failed: %s",
			    strerror(-r));
		return;
	}
	pub_set_snapshot(&a->pub, snap, pipeline_last_errors(a->pipeline));
}

static void on_timer(struct agent *a)
{
	uint64_t expirations;

	if (read(a->timer.fd, &expirations, sizeof(expirations)) < 0)
		return;
	agent_collect(a);
	sup_retry_cgroup_removal(a);
}

static void begin_shutdown(struct agent *a, int sig)
{
	unsigned timeout = a->config->stop_timeout_s;

	if (a->shutting_down) {
		log_warning("received %s again: killing every container now", strsignal(sig));
		for (size_t i = 0; i < a->n_containers; i++)
			sup_signal(a, a->containers[i], SIGKILL);
		return;
	}

	a->shutting_down = true;
	a->shutdown_deadline_ns =
	    agent_now_mono() + ((uint64_t)timeout + SHUTDOWN_GRACE_S) * 1000000000ULL;
	log_notice("received %s: shutting down, stopping %zu running container(s)", strsignal(sig),
		   agent_n_running(a));

	agent_http_quiesce(a);
	cmdq_close(&a->commands);
	for (size_t i = 0; i < a->n_containers; i++)
		if (a->containers[i]->rec.status == CTR_STATUS_RUNNING)
			sup_stop(a, a->containers[i], timeout);
}

static void on_signal(struct agent *a)
{
	struct signalfd_siginfo info;

	while (read(a->signals.fd, &info, sizeof(info)) == sizeof(info)) {
		/* SIGCHLD needs nothing: every child is a container's init, and
		 * its pidfd reports the exit. */
		if (info.ssi_signo == SIGTERM || info.ssi_signo == SIGINT)
			begin_shutdown(a, (int)info.ssi_signo);
	}
}

static void on_commands(struct agent *a)
{
	struct api_cmd *cmd = cmdq_take(&a->commands), *next;

	for (; cmd; cmd = next) {
		next = cmd->next;
		cmd->next = NULL;
		sup_handle_command(a, cmd);
	}
}

static void dispatch(struct agent *a, struct loop_source *src)
{
	if (src->fd < 0)
		return; /* closed earlier in this batch */

	switch (src->kind) {
	case LOOP_SOURCE_TIMER:
		on_timer(a);
		break;
	case LOOP_SOURCE_SIGNAL:
		on_signal(a);
		break;
	case LOOP_SOURCE_COMMANDS:
		on_commands(a);
		break;
	case LOOP_SOURCE_PIDFD:
		sup_on_pidfd(a, src->container);
		break;
	case LOOP_SOURCE_OOM:
		sup_on_oom(a, src->container);
		break;
	case LOOP_SOURCE_STDOUT:
	case LOOP_SOURCE_STDERR:
		sup_on_output(a, src);
		break;
	case LOOP_SOURCE_EXEC:
		exec_on_exit(a, src);
		break;
	case _LOOP_SOURCE_MAX:
		break;
	}
}

static bool shutdown_done(struct agent *a)
{
	size_t running;

	if (!a->shutting_down)
		return false;
	running = agent_n_running(a);
	if (running == 0)
		return true;
	if (agent_now_mono() < a->shutdown_deadline_ns)
		return false;
	log_error("%zu container(s) still running %d s after SIGKILL; exiting without them",
		  running, SHUTDOWN_GRACE_S);
	return true;
}

int agent_loop_run(struct agent *a)
{
	struct epoll_event events[LOOP_MAX_EVENTS];
	int r;

	a->timer = (struct loop_source){ .kind = LOOP_SOURCE_TIMER, .fd = -1 };
	a->signals = (struct loop_source){ .kind = LOOP_SOURCE_SIGNAL, .fd = -1 };
	a->command_source = (struct loop_source){ .kind = LOOP_SOURCE_COMMANDS, .fd = -1 };
	r = setup_timer(a);
	if (r < 0)
		return r;
	r = setup_signals(a);
	if (r < 0)
		return r;
	/* The queue keeps its eventfd; the loop only watches it. */
	r = sup_watch(a, &a->command_source, dup(a->commands.eventfd));
	if (r < 0)
		return r;

	agent_collect(a);
	while (!shutdown_done(a)) {
		int n = epoll_wait(a->epoll_fd, events, LOOP_MAX_EVENTS,
				   sup_next_deadline_ms(a, agent_now_mono()));

		if (n < 0 && errno != EINTR)
			return -errno;
		for (int i = 0; i < n; i++)
			dispatch(a, events[i].data.ptr);

		sup_check_deadlines(a, agent_now_mono());
		sup_monitor_pending(a);
		agent_graveyard_flush(a);
		if (a->view_dirty && agent_publish_view(a) < 0)
			log_limited(&a->collect_rl, 60, LOG_ERR,
				    "publishing the container list failed: out of memory");
	}
	return 0;
}
