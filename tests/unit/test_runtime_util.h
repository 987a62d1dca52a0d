/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the runtime tests that create real cgroups and containers: a
 * test parent cgroup beneath the test's own cgroup, a state directory, and a
 * bounded run of one container. Everything created here is removed by
 * rt_test_env_cleanup().
 */
#ifndef MSTAT_TESTS_TEST_RUNTIME_UTIL_H
#define MSTAT_TESTS_TEST_RUNTIME_UTIL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/cglayout.h"
#include "runtime/cgroup.h"
#include "runtime/runtime.h"

struct rt_test_env {
	struct cg_layout layout;
	const struct cg_ops *ops;
	struct cg_paths parent;	   /* <own cgroup>/mstat-test-<pid>, created */
	char state_root[PATH_MAX]; /* a fresh directory under /tmp */
	bool ready;
};

/* Exits 77 with a message when the process is not root or cannot create
 * cgroups beneath its own cgroup. */
void rt_test_require_root(void);

/* Detects the host's layout; with force_v2, uses its cgroup2 mount as a
 * unified hierarchy instead (for hybrid hosts). Creates the parent cgroup
 * and the state directory. Returns 0 or a negative errno and prints why. */
int rt_test_env_setup(struct rt_test_env *env, bool force_v2);
void rt_test_env_cleanup(struct rt_test_env *env);

/* Fills id with 64 random lowercase hex digits. */
void rt_test_random_id(char id[65]);

/* Creates <state_root>/<name> and stores its path in ret (PATH_MAX bytes). */
int rt_test_state_dir(const struct rt_test_env *env, const char *name, char *ret);

/* Reads from fd until EOF or timeout_ms, appending to buf (NUL-terminated).
 * Returns the number of bytes read or -ETIMEDOUT. */
int rt_test_read_all(int fd, char *buf, size_t size, int timeout_ms);

/* Reads one line (up to '\n') from fd into buf within timeout_ms. */
int rt_test_read_line(int fd, char *buf, size_t size, int timeout_ms);

/* Waits for the container's init to exit and returns docker's exit code
 * (128 + signal when killed). Kills and reaps it after timeout_ms and returns
 * -ETIMEDOUT. Closes the pidfd. */
int rt_test_wait(struct rt_process *proc, int timeout_ms);

/* The result of one bounded container run. */
struct rt_test_run {
	char out[16384];
	char err[4096];
	int code;      /* from the pidfd */
	int file_code; /* from the exit file; negative errno when unreadable */
};

/* A started container and the test's ends of its pipes. */
struct rt_test_live {
	struct rt_cgroup *cg;
	struct rt_process proc;
	char state[PATH_MAX];
	int in_fd;  /* write end of the container's stdin; -1 when it is /dev/null */
	int out_fd; /* read end of its stdout */
	int err_fd; /* read end of its stderr */
};

/* Creates a cgroup for spec (named after spec->name), writes the limits and
 * starts the container, with stdin from a pipe when stdin_pipe is set. On
 * failure everything is undone and err contains the reason. */
int rt_test_start(struct rt_test_env *env, struct rt_spec *spec, bool stdin_pipe,
		  struct rt_test_live *ret, struct mst_err *err);

/* Closes stdin, collects stdout and stderr, waits for the init at most
 * timeout_ms (killing it after that) and reads the exit file. The cgroup is
 * kept for inspection. */
void rt_test_finish(struct rt_test_live *live, int timeout_ms, struct rt_test_run *ret);

/* Removes the cgroup of a finished container and frees it. */
int rt_test_remove(struct rt_test_env *env, struct rt_test_live *live);

/* rt_test_start() with stdin at /dev/null, rt_test_finish() and
 * rt_test_remove() in one call. */
int rt_test_run_container(struct rt_test_env *env, struct rt_spec *spec, int timeout_ms,
			  struct rt_test_run *ret, struct mst_err *err);

/* The test binary's own path, for helper commands run inside containers. */
const char *rt_test_self_exe(void);

#endif
