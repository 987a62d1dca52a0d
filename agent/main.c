/* SPDX-License-Identifier: MIT */
/*
 * mstatd: parses the flags, then either runs one collection pass (--once) or
 * the daemon: listeners, main loop, and an orderly shutdown on SIGTERM or
 * SIGINT. Exit status: 0 on success, 1 on a failure, 2 on invalid flags.
 */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "agent/agent.h"
#include "agent/config.h"
#include "agent/setup.h"
#include "exporters/prom.h"

static int run_once(const struct agent_config *cfg)
{
	struct agent a;
	struct mst_err err = { 0 };
	struct snapshot *snap = NULL;
	struct prom_agent_info info = { .version = MSTAT_VERSION };
	struct outbuf b;
	int r;

	memset(&a, 0, sizeof(a));
	a.config = cfg;
	if (cfg->n_watch == 0)
		log_warning("--once without --watch collects nothing: add --watch CGROUP_PATH");
	if (agent_open_pipeline(&a, &err) < 0) {
		log_error("%s", err.msg);
		pipeline_free(a.pipeline);
		return 1;
	}

	r = pipeline_collect(a.pipeline, &snap);
	if (r < 0) {
		log_error("collection pass failed: %s", strerror(-r));
		pipeline_free(a.pipeline);
		return 1;
	}
	info.collector_errors = pipeline_last_errors(a.pipeline);

	outbuf_init(&b);
	r = prom_render_text(snap, &info, &b);
	if (r == 0 && b.error == 0 && fwrite(b.data, 1, b.len, stdout) != b.len)
		r = -EIO;
	if (r == 0 && fflush(stdout) != 0)
		r = -EIO;
	if (r < 0 || b.error < 0)
		log_error("writing the metrics failed");
	outbuf_free(&b);
	snapshot_unref(snap);
	pipeline_free(a.pipeline);
	return r < 0 || b.error < 0 ? 1 : 0;
}

/* The open file limit mstatd requests: every container keeps about 25
 * descriptors open (its cgroup files, pidfd and OOM watch), so the usual
 * soft limit of 1024 ends near 40 containers. */
#define AGENT_NOFILE_LIMIT 1048576

/* Raises RLIMIT_NOFILE: both limits to AGENT_NOFILE_LIMIT (capped by
 * fs.nr_open) when allowed, otherwise the soft limit to the hard one.
 * NOTE: containers inherit the raised soft limit, as they do from dockerd,
 * whose systemd unit sets LimitNOFILE=infinity. */
static void raise_nofile_limit(void)
{
	struct rlimit rl, want = { AGENT_NOFILE_LIMIT, AGENT_NOFILE_LIMIT };
	unsigned long long nr_open = 0;
	FILE *f = fopen("/proc/sys/fs/nr_open", "re");

	if (f) {
		if (fscanf(f, "%llu", &nr_open) != 1)
			nr_open = 0;
		fclose(f);
	}
	if (nr_open > 0 && nr_open < AGENT_NOFILE_LIMIT)
		want.rlim_cur = want.rlim_max = (rlim_t)nr_open;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	if (rl.rlim_max < want.rlim_max && setrlimit(RLIMIT_NOFILE, &want) == 0) {
		rl = want;
	} else if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur < 65536)
		log_warning("the open file limit is %llu: past about %llu containers, cgroup "
			    "files are reopened on every pass; raise LimitNOFILE",
			    (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_cur / 25);
	else
		log_info("open file limit %llu", (unsigned long long)rl.rlim_cur);
}

/* Makes glibc return large buffers (snapshots, rendered pages) to the
 * kernel when they are freed. By default it raises its mmap threshold after
 * the first such free, up to 32 MiB, and keeps later buffers in the heap of
 * whichever HTTP thread freed them, so RSS ratchets up with the page size. */
static void limit_malloc_caching(void)
{
	(void)mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	(void)mallopt(M_TRIM_THRESHOLD, 256 * 1024);
	(void)mallopt(M_ARENA_MAX, 2);
}

static int run_daemon(const struct agent_config *cfg)
{
	struct agent a;
	struct mst_err err = { 0 };
	sigset_t mask;
	int r;

	/* Blocked before any thread starts, so that only the signalfd of the
	 * main loop receives them. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);

	log_info("mstatd %s starting", MSTAT_VERSION);
	raise_nofile_limit();
	limit_malloc_caching();
	r = agent_setup(&a, cfg, &err);
	if (r == 0)
		r = agent_http_start(&a, &err);
	if (r < 0) {
		log_error("%s", err.msg);
		agent_teardown(&a);
		return 1;
	}

	r = agent_loop_run(&a);
	if (r < 0)
		log_error("main loop failed: %s", strerror(-r));
	agent_teardown(&a);
	log_info("mstatd stopped");
	return r < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct agent_config cfg;
	struct mst_err err = { 0 };
	int r;

	if (agent_config_parse(argc, argv, &cfg, &err) < 0) {
		fprintf(stderr, "mstatd: %s\n", err.msg);
		return 2;
	}

	switch (cfg.action) {
	case AGENT_ACTION_HELP:
		agent_config_usage(stdout, "mstatd");
		agent_config_free(&cfg);
		return 0;
	case AGENT_ACTION_VERSION:
		printf("mstatd %s\n", MSTAT_VERSION);
		agent_config_free(&cfg);
		return 0;
	default:
		break;
	}

	log_setup("mstatd", cfg.debug ? LOG_DEBUG : LOG_INFO);
	r = cfg.once ? run_once(&cfg) : run_daemon(&cfg);
	agent_config_free(&cfg);
	return r;
}
