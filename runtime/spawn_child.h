/* SPDX-License-Identifier: MIT */
/*
 * The setup plan of the cloned child, which the parent prepares before
 * clone3(). The agent is multithreaded, so every function here that runs in
 * the child uses only async-signal-safe calls: no allocation, no stdio, no
 * locks. Private to runtime/.
 */
#ifndef MSTAT_RUNTIME_SPAWN_CHILD_H
#define MSTAT_RUNTIME_SPAWN_CHILD_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/cglayout.h"
#include "common/err.h"
#include "runtime/user.h"

/* Capabilities to keep: bounding, permitted and effective sets hold exactly
 * these bits; the inheritable and ambient sets are emptied. */
struct rt_caps {
	uint64_t keep;	   /* bit N set = keep capability N */
	unsigned last_cap; /* highest capability number the kernel supports */
};

/* v1: the "tasks" files of a container cgroup's controller directories, once
 * per directory, NULL-terminated; empty on v2. */
struct rt_cgroup_tasks {
	char *path[_CG_CTRL_MAX + 1];
};

struct rt_child {
	int error_fd;	 /* write end of the error pipe, close-on-exec */
	int sync_fd;	 /* bridge: the child's end of the socket pair the parent releases it on */
	int init_fd;	 /* O_PATH descriptor of mstat-init, opened on the host */
	int exit_fd;	 /* <state_dir>/exit, handed to mstat-init */
	int stdio_fd[3]; /* descriptors for 0, 1, 2; all >= 3 */
	bool unshare_cgroup; /* v1: enter a new cgroup namespace after being attached */
	struct rt_cgroup_tasks cgroup_tasks; /* v1: the cgroup the child joins first */
	bool new_netns;			     /* bring lo up in the new network namespace */
	const char *root_source;	     /* "/" (the host's root) or the --rootfs directory */
	const char *root_target;	     /* mount point of the new root */
	bool root_readonly;
	const char *hostname;
	/* Files written by the parent and bind-mounted read-only over /etc/hostname
	 * and /etc/hosts, as docker gives each container its own; NULL leaves the
	 * root's file (hosts with --network host). */
	const char *etc_hostname;
	const char *etc_hosts;
	const char *cwd;
	char *const *argv; /* mstat-init's argument vector */
	char *const *envp;
	struct rt_caps caps;
	const struct rt_user *user; /* --user; NULL = root with the agent's groups */
	sigset_t blocked_signals;   /* from rt_init_blocked_signals() */
};

/* A setup failure as it travels from the child to the parent. */
struct rt_child_error {
	int code;	/* positive errno */
	char step[240]; /* "mount proc on /proc" */
};

/* Fills e with code and "step arg" and returns -code. Async-signal-safe. */
int rt_child_fail(struct rt_child_error *e, int code, const char *step, const char *arg);

struct rt_cgroup;

/* Lists the "tasks" files of cg. Runs in the parent. */
int rt_cgroup_tasks_plan(const struct rt_cgroup *cg, struct rt_cgroup_tasks *ret,
			 struct mst_err *err);
void rt_cgroup_tasks_free(struct rt_cgroup_tasks *t); /* accepts NULL */

/* Moves the calling process, which must have a single thread, into the
 * cgroup of every listed file. Runs in the child; async-signal-safe. */
int rt_cgroup_tasks_join(const struct rt_cgroup_tasks *t, struct rt_child_error *e);

/* Mounts the root, /dev, /tmp, /proc, /sys and the masked and read-only
 * paths, and pivots into the new root. Runs in the child. */
int rt_mounts_setup(const struct rt_child *c, struct rt_child_error *e);

/* Brings the loopback interface up. Runs in the child. */
int rt_net_loopback_up(struct rt_child_error *e);

/* Fills caps with docker's default set, resolved by name through libcap.
 * Runs in the parent. */
int rt_caps_docker_default(struct rt_caps *ret, struct mst_err *err);

/* Drops every capability outside caps from the bounding set, clears the
 * ambient set, sets the other sets with capset(2) and sets no_new_privs.
 * Runs in the child. */
int rt_caps_apply(const struct rt_caps *caps, struct rt_child_error *e);

/* An environment: borrowed strings, plus the owned HOSTNAME and HOME
 * entries added when missing. */
struct rt_env {
	char **envp; /* NULL-terminated */
	char *extra[2];
};

/* Builds first's entries, then second's whose key first lacks, then PATH,
 * HOSTNAME and HOME when neither has them, as docker adds them, and
 * TERM=xterm for a terminal (tty). Either list
 * may be NULL. Returns 0 or -ENOMEM. Runs in the parent. */
int rt_env_build(char *const *first, char *const *second, const char *hostname, bool tty,
		 struct rt_env *ret);
void rt_env_free(struct rt_env *e);

/* Replaces the HOME=/root that rt_env_build() added, if it added one, with
 * HOME=home. Returns 0 or -ENOMEM. */
int rt_env_set_default_home(struct rt_env *e, const char *home);

/* Resolves the user text (docker's USER[:GROUP]) beneath the directory
 * root, as rt_user_resolve_path() does, and gives env the user's home
 * unless HOME was set. Runs in the parent. */
int rt_user_prepare(const char *root, const char *text, char *const *group_add, struct rt_env *env,
		    struct rt_user *ret, struct mst_err *err);

/* Gives the standard descriptors (pipes, sockets, a pty) to u, then calls
 * setgroups, setgid and setuid, so a non-root user ends with empty permitted
 * and effective capability sets. Runs in the child after rt_caps_apply(). */
int rt_user_apply(const struct rt_user *u, struct rt_child_error *e);

/* Returns the value of key in envp, or NULL. Async-signal-safe. */
const char *rt_env_get(char *const *envp, const char *key);

#endif
