/* SPDX-License-Identifier: MIT */
/*
 * Launching a container: clone into new mount, PID, UTS, IPC, network and
 * cgroup namespaces inside an already limited cgroup, prepare the root and
 * mounts, drop capabilities, set no_new_privs and exec the command beneath
 * mstat's own init. The runtime has no dependency on HTTP or of the agent's loop.
 */
#ifndef MSTAT_RUNTIME_RUNTIME_H
#define MSTAT_RUNTIME_RUNTIME_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/err.h"
#include "runtime/cgroup.h"
#include "runtime/spec.h"

/* Name of the file, in the container's state directory, where the init writes
 * the command's wait status ("exited CODE" or "signaled SIGNAL\n") before it
 * exits. A restarted agent reads it to learn how a container ended. */
#define RT_EXIT_FILE "exit"

struct rt_stdio {
	int in_fd;  /* -1 = /dev/null */
	int out_fd; /* -1 = /dev/null */
	int err_fd; /* -1 = /dev/null */
	bool tty;   /* the three are a pty slave: the command's controlling terminal */
};

struct rt_process {
	pid_t pid; /* host PID of the container's init */
	int pidfd; /* pidfd of the init, O_CLOEXEC */
};

/*
 * Starts the container described by spec in cg (limits already written).
 * state_dir is the container's state directory (it must exist). On success
 * the command has been exec'd or is about to be: every setup step that can
 * fail has reported to the caller through a pipe before this returns.
 */
int rt_spawn(const struct rt_spec *spec, struct rt_cgroup *cg, const struct rt_stdio *stdio,
	     const char *state_dir, struct rt_process *ret, struct mst_err *err);

/* Reads <state_dir>/exit: returns 0 and the docker-style exit code (128+signal
 * for a signal), -ENOENT when the init has not written it. */
int rt_read_exit(const char *state_dir, int *ret_code);

/* Returns the time (CLOCK_REALTIME, ns) at which the init wrote
 * <state_dir>/exit, or a negative errno. */
int rt_read_exit_time(const char *state_dir, uint64_t *ret_ns);

/* A command to run inside a running container (docker exec). */
struct rt_exec_spec {
	char **argv;	  /* NULL-terminated; argv[0] looked up in the container's PATH */
	char **env;	  /* KEY=VALUE entries that override the container's; may be NULL */
	const char *cwd;  /* NULL = the container's working directory */
	const char *user; /* USER[:GROUP]; NULL or "" = the container's user */
};

/*
 * Runs x inside the running container of spec, whose init's pidfd is
 * init_pidfd and whose cgroup is cg: in every namespace, the cgroup, the
 * root, the working directory, the capabilities and no_new_privs of the
 * container. With stdio->tty the command is a session leader with the
 * terminal as its controlling terminal. On success the command has been
 * exec'd; ret is its host pid and pidfd, a child of the caller. A failed
 * step or an unknown command is an error naming it.
 */
int rt_exec(const struct rt_spec *spec, const struct rt_exec_spec *x, int init_pidfd,
	    struct rt_cgroup *cg, const struct rt_stdio *stdio, struct rt_process *ret,
	    struct mst_err *err);

/* The window size of a terminal opened without ConsoleSize, as a VT100. */
#define RT_PTY_DEFAULT_ROWS 24
#define RT_PTY_DEFAULT_COLS 80

/* Opens a pseudo-terminal of rows x cols (0 = the default), both ends
 * O_CLOEXEC and O_NOCTTY. Returns 0 or a negative errno. */
int rt_pty_open(unsigned rows, unsigned cols, int *ret_master, int *ret_slave);

/* Sets the window size through the master; the kernel sends SIGWINCH to
 * the terminal's foreground process group. Returns 0, -EINVAL for a size
 * of 0 or over 65535, or a negative errno. */
int rt_pty_resize(int master_fd, unsigned rows, unsigned cols);

#endif
