/* SPDX-License-Identifier: MIT */
/* Cgroup layout detection and path resolution on directory trees built here. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cglayout.h"
#include "tests/unit/cunit_main.h"

static char tmp_root[PATH_MAX];

static void make_dir(const char *rel)
{
	char p[PATH_MAX * 2];

	snprintf(p, sizeof(p), "%s/%s", tmp_root, rel);
	CU_ASSERT_EQUAL_FATAL(mkdir(p, 0755) == 0 || errno == EEXIST, 1);
}

static void write_file(const char *rel, const char *content)
{
	char p[PATH_MAX * 2];

	snprintf(p, sizeof(p), "%s/%s", tmp_root, rel);
	FILE *f = fopen(p, "we");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(content, f);
	fclose(f);
}

static void new_root(void)
{
	char cmd[PATH_MAX + 16];

	if (tmp_root[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp_root);
		(void)system(cmd);
	}
	strcpy(tmp_root, "/tmp/mstat-cglayout-XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmp_root));
}

static void test_detect_unified(void)
{
	char cg[PATH_MAX * 2], proc[PATH_MAX * 2];
	struct cg_layout l;
	struct cg_paths p;
	struct mst_err err = { 0 };

	new_root();
	make_dir("cg");
	write_file("cg/cgroup.controllers", "cpu io memory pids\n");
	make_dir("cg/system.slice");
	make_dir("cg/system.slice/app.service");
	make_dir("proc");
	make_dir("proc/self");
	write_file("proc/self/cgroup", "0::/system.slice/app.service\n");
	snprintf(cg, sizeof(cg), "%s/cg", tmp_root);
	snprintf(proc, sizeof(proc), "%s/proc", tmp_root);

	CU_ASSERT_EQUAL_FATAL(cg_layout_detect(cg, proc, &l, &err), 0);
	CU_ASSERT_EQUAL(l.mode, CG_MODE_UNIFIED);
	CU_ASSERT_EQUAL(l.version, CG_V2);
	CU_ASSERT_STRING_EQUAL(l.unified, cg);

	CU_ASSERT_EQUAL_FATAL(cg_paths_of_pid(&l, 0, &p, &err), 0);
	CU_ASSERT_STRING_EQUAL(p.path, "/system.slice/app.service");
	for (int c = 0; c < _CG_CTRL_MAX; c++) {
		char want[PATH_MAX * 3];

		snprintf(want, sizeof(want), "%s/system.slice/app.service", cg);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p.dir[c]);
		CU_ASSERT_STRING_EQUAL(p.dir[c], want);
	}

	struct cg_paths child;
	CU_ASSERT_EQUAL_FATAL(cg_paths_child(&p, "mstat", &child), 0);
	CU_ASSERT_STRING_EQUAL(child.path, "/system.slice/app.service/mstat");
	cg_paths_free(&child);
	cg_paths_free(&p);

	CU_ASSERT_EQUAL(cg_paths_from_path(&l, "/system.slice/", &p, &err), 0);
	CU_ASSERT_STRING_EQUAL(p.path, "/system.slice");
	cg_paths_free(&p);
	CU_ASSERT_EQUAL(cg_paths_from_path(&l, "/nope", &p, &err), -ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "/nope"));
	CU_ASSERT_EQUAL(cg_paths_from_path(&l, "relative", &p, &err), -EINVAL);
	CU_ASSERT_EQUAL(cg_paths_from_path(&l, "/a/../b", &p, &err), -EINVAL);
	CU_ASSERT_EQUAL(cg_paths_from_path(&l, "/..", &p, &err), -EINVAL);
	CU_ASSERT_EQUAL(cg_paths_from_path(&l, "/", &p, &err), 0);
	CU_ASSERT_STRING_EQUAL(p.path, "/");
	CU_ASSERT_STRING_EQUAL(p.dir[CG_CTRL_MEMORY], cg);
	cg_paths_free(&p);
	CU_ASSERT_EQUAL(cg_paths_from_path(&l, "/system.slice/..x", &p, &err), -ENOENT);
}

static void test_detect_hybrid(void)
{
	char cg[PATH_MAX * 2], proc[PATH_MAX * 2];
	struct cg_layout l;
	struct cg_paths p;
	struct mst_err err = { 0 };

	new_root();
	make_dir("cg");
	make_dir("cg/unified");
	write_file("cg/unified/cgroup.controllers", "");
	make_dir("cg/memory");
	make_dir("cg/memory/user");
	make_dir("cg/cpu,cpuacct");
	make_dir("cg/pids");
	make_dir("proc");
	make_dir("proc/42");
	write_file("proc/42/cgroup",
		   "9:pids:/\n4:memory:/user\n2:cpu,cpuacct:/\n1:name=systemd:/user\n0::/user\n");
	snprintf(cg, sizeof(cg), "%s/cg", tmp_root);
	snprintf(proc, sizeof(proc), "%s/proc", tmp_root);

	CU_ASSERT_EQUAL_FATAL(cg_layout_detect(cg, proc, &l, &err), 0);
	CU_ASSERT_EQUAL(l.mode, CG_MODE_HYBRID);
	CU_ASSERT_EQUAL(l.version, CG_V1);
	CU_ASSERT_PTR_NOT_NULL(strstr(l.v1_mount[CG_CTRL_CPU], "cpu,cpuacct"));
	CU_ASSERT_PTR_NOT_NULL(strstr(l.v1_mount[CG_CTRL_CPUACCT], "cpu,cpuacct"));
	CU_ASSERT_EQUAL(l.v1_mount[CG_CTRL_BLKIO][0], '\0');

	CU_ASSERT_EQUAL_FATAL(cg_paths_of_pid(&l, 42, &p, &err), 0);
	CU_ASSERT_STRING_EQUAL(p.path, "/user");
	CU_ASSERT_PTR_NOT_NULL(strstr(p.dir[CG_CTRL_MEMORY], "/memory/user"));
	CU_ASSERT_PTR_NULL(strstr(p.dir[CG_CTRL_CPU], "/user"));
	CU_ASSERT_PTR_NULL(p.dir[CG_CTRL_BLKIO]);
	cg_paths_free(&p);
}

static void test_detect_legacy_and_empty(void)
{
	char cg[PATH_MAX * 2];
	struct cg_layout l;
	struct mst_err err = { 0 };

	new_root();
	make_dir("cg");
	snprintf(cg, sizeof(cg), "%s/cg", tmp_root);
	CU_ASSERT_EQUAL(cg_layout_detect(cg, "/proc", &l, &err), -ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "--cgroup-root"));

	make_dir("cg/blkio");
	CU_ASSERT_EQUAL_FATAL(cg_layout_detect(cg, "/proc", &l, &err), 0);
	CU_ASSERT_EQUAL(l.mode, CG_MODE_LEGACY);

	CU_ASSERT_EQUAL(cg_layout_detect("/nonexistent/cgroup", "/proc", &l, &err), -ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "/nonexistent/cgroup"));
}

static void test_detect_host(void)
{
	struct cg_layout l;
	struct cg_paths p;
	struct mst_err err = { 0 };

	if (cg_layout_detect("/sys/fs/cgroup", "/proc", &l, &err) < 0) {
		printf("no cgroup hierarchy on this host (%s); host case not checked\n", err.msg);
		return;
	}
	CU_ASSERT_EQUAL_FATAL(cg_paths_of_pid(&l, 0, &p, &err), 0);
	CU_ASSERT_EQUAL(p.path[0], '/');
	cg_paths_free(&p);
}

static const struct cunit_test tests[] = {
	{ "detect unified layout", test_detect_unified },
	{ "detect hybrid layout", test_detect_hybrid },
	{ "detect legacy and empty", test_detect_legacy_and_empty },
	{ "detect host layout", test_detect_host },
	{ NULL, NULL },
};

int main(void)
{
	int r = cunit_run("cglayout", tests);
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp_root);
	(void)system(cmd);
	return r;
}
