/* SPDX-License-Identifier: MIT */
/*
 * Cgroup layout: the mount point of each hierarchy, and the directories of a
 * given cgroup in each.
 * Detection looks only at the files present under the cgroup root, so the
 * same code runs on a real /sys/fs/cgroup and on a directory of fixtures.
 * Nothing here creates, writes or removes a cgroup.
 */
#ifndef MSTAT_COMMON_CGLAYOUT_H
#define MSTAT_COMMON_CGLAYOUT_H

#include <limits.h>
#include <sys/types.h>

#include "common/err.h"

enum cg_mode {
	CG_MODE_UNIFIED, /* cgroup2 at the root: cgroup.controllers in the root */
	CG_MODE_HYBRID,	 /* v1 controllers plus cgroup2 at <root>/unified */
	CG_MODE_LEGACY,	 /* v1 controllers only */
	_CG_MODE_MAX,
};

enum cg_version {
	CG_V1 = 1,
	CG_V2 = 2,
};

/* The controllers mstat reads or limits. On v2 they all share one directory. */
enum cg_controller {
	CG_CTRL_CPU,
	CG_CTRL_CPUACCT,
	CG_CTRL_MEMORY,
	CG_CTRL_BLKIO, /* "io" on v2 */
	CG_CTRL_PIDS,
	_CG_CTRL_MAX,
};

struct cg_layout {
	enum cg_mode mode;
	enum cg_version version;  /* v2 for unified, v1 otherwise */
	char root[PATH_MAX];	  /* --cgroup-root, e.g. /sys/fs/cgroup */
	char proc_root[PATH_MAX]; /* --proc-root, e.g. /proc */
	char unified[PATH_MAX];	  /* cgroup2 mount; "" when there is none */
	/* v1 mount point per controller; "" when that controller is not mounted.
	 * cpu and cpuacct may be the same directory (co-mounted). */
	char v1_mount[_CG_CTRL_MAX][PATH_MAX];
};

/*
 * Where one cgroup lives. `dir` is an absolute directory per controller, NULL
 * where the controller is not available; on v2 every entry points at the same
 * directory. `path` is the cgroup path inside the hierarchy ("/mstat/abc"),
 * used as the `id` label; on v1 it is the path in the memory hierarchy, or the
 * first mounted controller when memory is not mounted.
 */
struct cg_paths {
	enum cg_version version;
	char *path;
	char *dir[_CG_CTRL_MAX];
};

/* Detects the layout under cgroup_root. Fails with a message naming the
 * directory when neither cgroup2 nor any v1 controller is found. */
int cg_layout_detect(const char *cgroup_root, const char *proc_root, struct cg_layout *ret,
		     struct mst_err *err);

/* Resolves the cgroup of a process (pid 0 means the caller) from
 * <proc_root>/<pid>/cgroup into ret. */
int cg_paths_of_pid(const struct cg_layout *layout, pid_t pid, struct cg_paths *ret,
		    struct mst_err *err);

/* Resolves a cgroup path inside the hierarchy ("/system.slice/foo.service")
 * into directories; for v1, the same path is looked up in each controller's
 * mount. Fails with -ENOENT when no controller has that directory. */
int cg_paths_from_path(const struct cg_layout *layout, const char *path, struct cg_paths *ret,
		       struct mst_err *err);

/* Builds the paths of a child cgroup `name` beneath parent. */
int cg_paths_child(const struct cg_paths *parent, const char *name, struct cg_paths *ret);

int cg_paths_copy(const struct cg_paths *src, struct cg_paths *ret);
void cg_paths_free(struct cg_paths *p); /* frees the strings; accepts NULL */

const char *cg_mode_to_string(enum cg_mode m);
const char *cg_controller_to_string(enum cg_controller c);

#endif
