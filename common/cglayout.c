/* SPDX-License-Identifier: MIT */
/*
 * Cgroup layout detection and cgroup path resolution. The layout is decided
 * from the files present under the cgroup root, never from mount tables, so
 * that a directory of copied cgroup files is read exactly like a live tree.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cglayout.h"

/* Directory names a v1 controller may be mounted under, most specific first. */
static const char *const v1_dir_candidates[_CG_CTRL_MAX][3];
static const char *const cg_controller_names[_CG_CTRL_MAX];
static const char *const cg_mode_names[_CG_MODE_MAX];

static bool path_exists(const char *dir, const char *name)
{
	char p[PATH_MAX];
	struct stat st;

	if (snprintf(p, sizeof(p), "%s/%s", dir, name) >= (int)sizeof(p))
		return false;
	return stat(p, &st) == 0;
}

static bool is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int copy_path(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	while (n > 1 && src[n - 1] == '/')
		n--;
	if (n >= size)
		return -ENAMETOOLONG;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return 0;
}

/* Finds the v1 mounts below root; returns how many controllers were found. */
static unsigned detect_v1(struct cg_layout *l)
{
	unsigned found = 0;

	for (int c = 0; c < _CG_CTRL_MAX; c++) {
		l->v1_mount[c][0] = '\0';
		for (int i = 0; i < 3 && v1_dir_candidates[c][i]; i++) {
			char p[PATH_MAX];

			if (snprintf(p, sizeof(p), "%s/%s", l->root, v1_dir_candidates[c][i]) >=
			    (int)sizeof(p))
				continue;
			if (is_dir(p)) {
				memcpy(l->v1_mount[c], p, sizeof(p));
				found++;
				break;
			}
		}
	}
	return found;
}

int cg_layout_detect(const char *cgroup_root, const char *proc_root, struct cg_layout *ret,
		     struct mst_err *err)
{
	struct cg_layout *l = calloc(1, sizeof(*l));
	int r = 0;

	if (!l)
		return err_set(err, ENOMEM, "detect cgroup layout");
	if (copy_path(l->root, sizeof(l->root), cgroup_root) < 0 ||
	    copy_path(l->proc_root, sizeof(l->proc_root), proc_root) < 0) {
		r = err_setx(err, ENAMETOOLONG, "cgroup root or proc root path is too long");
		goto out;
	}
	if (!is_dir(l->root)) {
		int e = errno ? errno : ENOTDIR;

		r = err_setx(err, e,
			     "cgroup root %s: %s; set --cgroup-root to the directory where "
			     "cgroups are mounted",
			     l->root, strerror(e));
		goto out;
	}

	if (path_exists(l->root, "cgroup.controllers")) {
		l->mode = CG_MODE_UNIFIED;
		l->version = CG_V2;
		memcpy(l->unified, l->root, sizeof(l->unified));
		goto done;
	}
	if (strlen(l->root) + sizeof("/unified") > sizeof(l->unified)) {
		r = err_setx(err, ENAMETOOLONG, "cgroup root %s is too long", l->root);
		goto out;
	}

	bool has_unified = path_exists(l->root, "unified/cgroup.controllers");
	unsigned n_v1 = detect_v1(l);

	if (n_v1 == 0 && has_unified) {
		/* cgroup2 mounted beside nothing else: use it as the unified tree. */
		l->mode = CG_MODE_UNIFIED;
		l->version = CG_V2;
		strcpy(stpcpy(l->unified, l->root), "/unified");
		goto done;
	}
	if (n_v1 == 0) {
		r = err_setx(
		    err, ENOENT,
		    "no cgroup hierarchy under %s: expected cgroup.controllers (cgroup v2) "
		    "or controller directories such as memory/ and cpu/ (cgroup v1); "
		    "set --cgroup-root to where cgroups are mounted",
		    l->root);
		goto out;
	}
	l->mode = has_unified ? CG_MODE_HYBRID : CG_MODE_LEGACY;
	l->version = CG_V1;
	if (has_unified)
		strcpy(stpcpy(l->unified, l->root), "/unified");

done:
	*ret = *l;
out:
	free(l);
	return r;
}

static int paths_set(struct cg_paths *p, const char *ctrl_dir[_CG_CTRL_MAX], const char *path,
		     enum cg_version version)
{
	struct cg_paths tmp = { .version = version };

	tmp.path = strdup(path);
	if (!tmp.path)
		return -ENOMEM;
	for (int c = 0; c < _CG_CTRL_MAX; c++) {
		if (!ctrl_dir[c])
			continue;
		tmp.dir[c] = strdup(ctrl_dir[c]);
		if (!tmp.dir[c]) {
			cg_paths_free(&tmp);
			return -ENOMEM;
		}
	}
	*p = tmp;
	return 0;
}

/* True when a component of path is "..". */
static bool has_dotdot(const char *path)
{
	for (const char *p = path; (p = strstr(p, "..")) != NULL; p += 2) {
		bool starts = p == path || p[-1] == '/';
		bool ends = p[2] == '\0' || p[2] == '/';

		if (starts && ends)
			return true;
	}
	return false;
}

/* Joins base and a cgroup path that starts with '/'; "/" adds nothing. */
static int join(char *dst, size_t size, const char *base, const char *path)
{
	if (strcmp(path, "/") == 0)
		path = "";
	return snprintf(dst, size, "%s%s", base, path) >= (int)size ? -ENAMETOOLONG : 0;
}

int cg_paths_from_path(const struct cg_layout *layout, const char *path, struct cg_paths *ret,
		       struct mst_err *err)
{
	char norm[PATH_MAX];
	char dirs[_CG_CTRL_MAX][PATH_MAX];
	const char *ctrl_dir[_CG_CTRL_MAX] = { 0 };
	const char *id_path = NULL;

	if (path[0] != '/' || has_dotdot(path))
		return err_setx(
		    err, EINVAL,
		    "invalid cgroup path '%s': it must be absolute inside the hierarchy "
		    "(e.g. /system.slice) without '..'",
		    path);
	if (copy_path(norm, sizeof(norm), path) < 0)
		return err_setx(err, ENAMETOOLONG, "cgroup path '%s' is too long", path);

	for (int c = 0; c < _CG_CTRL_MAX; c++) {
		const char *base = layout->version == CG_V2 ? layout->unified : layout->v1_mount[c];

		if (base[0] == '\0' || join(dirs[c], sizeof(dirs[c]), base, norm) < 0)
			continue;
		if (!is_dir(dirs[c]))
			continue;
		ctrl_dir[c] = dirs[c];
		if (!id_path || c == CG_CTRL_MEMORY)
			id_path = norm;
	}
	if (!id_path)
		return err_setx(err, ENOENT, "cgroup %s not found under %s", norm, layout->root);

	int r = paths_set(ret, ctrl_dir, norm, layout->version);
	if (r < 0)
		return err_set(err, -r, "cgroup %s", norm);
	return 0;
}

/* Returns true when the comma-separated list contains name. */
static bool list_contains(const char *list, size_t len, const char *name)
{
	size_t n = strlen(name);
	const char *p = list, *end = list + len;

	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *item_end = comma ? comma : end;

		if ((size_t)(item_end - p) == n && memcmp(p, name, n) == 0)
			return true;
		p = item_end + 1;
	}
	return false;
}

/* Applies one "ID:CONTROLLERS:PATH" line of /proc/PID/cgroup to dirs. */
static void apply_cgroup_line(const struct cg_layout *layout, char *line,
			      char dirs[_CG_CTRL_MAX][PATH_MAX], const char *ctrl_dir[_CG_CTRL_MAX],
			      char *id_path, size_t id_size)
{
	char *c1 = strchr(line, ':');
	char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

	if (!c2)
		return;
	const char *controllers = c1 + 1;
	size_t clen = (size_t)(c2 - controllers);
	const char *path = c2 + 1;

	for (int c = 0; c < _CG_CTRL_MAX; c++) {
		const char *base;

		if (layout->version == CG_V2) {
			if (clen != 0)
				continue;
			base = layout->unified;
		} else {
			if (clen == 0 || !list_contains(controllers, clen, cg_controller_names[c]))
				continue;
			base = layout->v1_mount[c];
		}
		if (base[0] == '\0' || join(dirs[c], PATH_MAX, base, path) < 0)
			continue;
		ctrl_dir[c] = dirs[c];
		if (id_path[0] == '\0' || c == CG_CTRL_MEMORY)
			snprintf(id_path, id_size, "%s", path);
	}
}

int cg_paths_of_pid(const struct cg_layout *layout, pid_t pid, struct cg_paths *ret,
		    struct mst_err *err)
{
	char file[PATH_MAX], line[PATH_MAX + 64], id_path[PATH_MAX] = "";
	char(*dirs)[PATH_MAX] = calloc(_CG_CTRL_MAX, PATH_MAX);
	const char *ctrl_dir[_CG_CTRL_MAX] = { 0 };
	int r;

	if (!dirs)
		return err_set(err, ENOMEM, "resolve cgroup");
	if (pid == 0)
		r = snprintf(file, sizeof(file), "%s/self/cgroup", layout->proc_root);
	else
		r = snprintf(file, sizeof(file), "%s/%d/cgroup", layout->proc_root, (int)pid);
	if (r < 0 || r >= (int)sizeof(file)) {
		r = err_setx(err, ENAMETOOLONG, "proc root %s is too long", layout->proc_root);
		goto out;
	}

	FILE *f = fopen(file, "re");
	if (!f) {
		r = err_set(err, errno, "open %s", file);
		goto out;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		apply_cgroup_line(layout, line, dirs, ctrl_dir, id_path, sizeof(id_path));
	}
	fclose(f);

	if (id_path[0] == '\0') {
		r = err_setx(err, ENOENT, "%s names no cgroup of the %s layout under %s", file,
			     cg_mode_to_string(layout->mode), layout->root);
		goto out;
	}
	r = paths_set(ret, ctrl_dir, id_path, layout->version);
	if (r < 0)
		r = err_set(err, -r, "resolve cgroup of %s", file);
out:
	free(dirs);
	return r;
}

int cg_paths_child(const struct cg_paths *parent, const char *name, struct cg_paths *ret)
{
	struct cg_paths tmp = { .version = parent->version };
	const char *sep = strcmp(parent->path, "/") == 0 ? "" : "/";

	if (asprintf(&tmp.path, "%s%s%s", parent->path, sep, name) < 0) {
		tmp.path = NULL;
		return -ENOMEM;
	}
	for (int c = 0; c < _CG_CTRL_MAX; c++) {
		if (!parent->dir[c])
			continue;
		if (asprintf(&tmp.dir[c], "%s/%s", parent->dir[c], name) < 0) {
			tmp.dir[c] = NULL;
			cg_paths_free(&tmp);
			return -ENOMEM;
		}
	}
	*ret = tmp;
	return 0;
}

int cg_paths_copy(const struct cg_paths *src, struct cg_paths *ret)
{
	return paths_set(ret, (const char **)src->dir, src->path, src->version);
}

void cg_paths_free(struct cg_paths *p)
{
	if (!p)
		return;
	free(p->path);
	p->path = NULL;
	for (int c = 0; c < _CG_CTRL_MAX; c++) {
		free(p->dir[c]);
		p->dir[c] = NULL;
	}
}

const char *cg_mode_to_string(enum cg_mode m)
{
	return m < _CG_MODE_MAX ? cg_mode_names[m] : "unknown";
}

const char *cg_controller_to_string(enum cg_controller c)
{
	return c < _CG_CTRL_MAX ? cg_controller_names[c] : "unknown";
}

static const char *const v1_dir_candidates[_CG_CTRL_MAX][3] = {
	[CG_CTRL_CPU] = { "cpu", "cpu,cpuacct", NULL },
	[CG_CTRL_CPUACCT] = { "cpuacct", "cpu,cpuacct", NULL },
	[CG_CTRL_MEMORY] = { "memory", NULL, NULL },
	[CG_CTRL_BLKIO] = { "blkio", NULL, NULL },
	[CG_CTRL_PIDS] = { "pids", NULL, NULL },
};

static const char *const cg_controller_names[_CG_CTRL_MAX] = {
	[CG_CTRL_CPU] = "cpu",	   [CG_CTRL_CPUACCT] = "cpuacct", [CG_CTRL_MEMORY] = "memory",
	[CG_CTRL_BLKIO] = "blkio", [CG_CTRL_PIDS] = "pids",
};

static const char *const cg_mode_names[_CG_MODE_MAX] = {
	[CG_MODE_UNIFIED] = "unified",
	[CG_MODE_HYBRID] = "hybrid",
	[CG_MODE_LEGACY] = "legacy",
};
