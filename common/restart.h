/* SPDX-License-Identifier: MIT */
/*
 * Restart policies as `docker run --restart` defines them: the policy itself,
 * its text form (shared by the command line and the agent), the decision to
 * restart after an exit, and the delay before the restart.
 */
#ifndef MSTAT_COMMON_RESTART_H
#define MSTAT_COMMON_RESTART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum restart_mode {
	RESTART_NO,		/* never restart (docker's "no", the default) */
	RESTART_ALWAYS,		/* restart after every exit but a manual stop */
	RESTART_UNLESS_STOPPED, /* as always, and not after an agent restart once stopped */
	RESTART_ON_FAILURE,	/* restart after a non-zero exit code */
	_RESTART_MODE_MAX,
};

struct restart_policy {
	enum restart_mode mode;
	unsigned max_retries; /* on-failure only: restarts allowed; 0 = no limit */
};

/* The first delay before a restart, its growth factor per restart, its cap,
 * and the run time after which it starts again from the first delay. These
 * are dockerd's values (restartmanager/restartmanager.go in moby). */
#define RESTART_DELAY_FIRST_NS 100000000ULL   /* 100 ms */
#define RESTART_DELAY_MAX_NS   60000000000ULL /* 1 min */
#define RESTART_STABLE_RUN_NS  10000000000ULL /* 10 s */

/* Upper bound of MaximumRetryCount. */
#define RESTART_MAX_RETRIES 1000000

/* Docker's policy names: "no", "always", "unless-stopped", "on-failure". */
const char *restart_mode_to_string(enum restart_mode mode);
int restart_mode_from_string(const char *s, enum restart_mode *ret);

/* Parses the --restart value: "no", "always", "unless-stopped", "on-failure"
 * or "on-failure:N" with N from 0 to RESTART_MAX_RETRIES. Returns 0 or
 * -EINVAL; only on-failure takes a count, as in docker. */
int restart_policy_parse(const char *s, struct restart_policy *ret);

/* Writes the --restart form of p ("on-failure:3", "always") into buf. */
void restart_policy_format(const struct restart_policy *p, char *buf, size_t size);

/*
 * Decides whether a container restarts after an exit. manually_stopped is
 * true after `mstat stop` or `mstat kill` (any signal, as dockerd does when
 * the image sets no stop signal); then no policy restarts the container.
 * (At agent start, dockerd and mstatd restart "always" containers anyway.)
 * restarts_done is
 * the number of policy restarts since the last manual start, the count that
 * on-failure's limit applies to.
 */
bool restart_should(const struct restart_policy *p, int exit_code, bool manually_stopped,
		    uint64_t restarts_done);

/* Returns the delay before the next restart: the first delay after a run of
 * RESTART_STABLE_RUN_NS or more (or when prev_delay_ns is 0), else twice the
 * previous delay, at most RESTART_DELAY_MAX_NS. */
uint64_t restart_next_delay(uint64_t prev_delay_ns, uint64_t ran_ns);

#endif
