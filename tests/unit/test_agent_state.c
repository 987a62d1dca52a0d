/* SPDX-License-Identifier: MIT */
/*
 * Container state files: a record written and read back field by field, no
 * temporary file left behind, failures that leave nothing, malformed files,
 * the choice between the synced and the unsynced record, and removal of a
 * container directory.
 */
#include <CUnit/Basic.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/state.h"

static char tmpdir[] = "/tmp/mstat-test-state-XXXXXX";

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void make_record(struct ctr_record *r)
{
	static char *argv[] = { "sh", "-c", "echo hi", NULL };
	static char *env[] = { "A=1", NULL };

	memset(r, 0, sizeof(*r));
	CU_ASSERT_EQUAL_FATAL(ctr_id_generate(r->spec.id), 0);
	snprintf(r->spec.name, sizeof(r->spec.name), "db-1");
	r->spec.argv = argv;
	r->spec.env = env;
	r->spec.cwd = "/srv";
	r->spec.limits.memory = 1 << 30;
	r->spec.limits.pids_limit = -1;
	r->options.auto_remove = true;
	r->status = CTR_STATUS_RUNNING;
	r->created_ns = 1700000000000000001ULL;
	r->started_ns = 1700000000500000000ULL;
	r->exit_code = 0;
	r->oom_kill_count = 3;
	r->pid = 4242;
	r->cgroup_path = "/mstat/x";
	r->restart_count = 7;
	r->manually_stopped = true;
}

static void test_round_trip(void)
{
	struct ctr_record r, back;
	struct mst_err err = { 0 };
	char tmp_path[512];

	make_record(&r);
	CU_ASSERT_EQUAL_FATAL(state_write(tmpdir, &r, &err), 0);
	snprintf(tmp_path, sizeof(tmp_path), "%s/.%s.tmp", tmpdir, STATE_FILE);
	CU_ASSERT_NOT_EQUAL(access(tmp_path, F_OK), 0);
	CU_ASSERT_EQUAL(count_entries(tmpdir), 1);

	CU_ASSERT_EQUAL_FATAL(state_read(tmpdir, &back, &err), 0);
	CU_ASSERT_STRING_EQUAL(back.spec.id, r.spec.id);
	CU_ASSERT_STRING_EQUAL(back.spec.name, "db-1");
	CU_ASSERT_STRING_EQUAL(back.spec.argv[2], "echo hi");
	CU_ASSERT_STRING_EQUAL(back.spec.env[0], "A=1");
	CU_ASSERT_STRING_EQUAL(back.spec.cwd, "/srv");
	CU_ASSERT_EQUAL(back.spec.limits.memory, 1 << 30);
	CU_ASSERT_EQUAL(back.spec.limits.pids_limit, -1);
	CU_ASSERT_TRUE(back.options.auto_remove);
	CU_ASSERT_EQUAL(back.status, CTR_STATUS_RUNNING);
	CU_ASSERT_EQUAL(back.created_ns, r.created_ns);
	CU_ASSERT_EQUAL(back.started_ns, r.started_ns);
	CU_ASSERT_EQUAL(back.finished_ns, 0);
	CU_ASSERT_EQUAL(back.oom_kill_count, 3);
	CU_ASSERT_FALSE(back.oom_killed);
	CU_ASSERT_EQUAL(back.pid, 4242);
	CU_ASSERT_STRING_EQUAL(back.cgroup_path, "/mstat/x");
	CU_ASSERT_PTR_NULL(back.error);
	CU_ASSERT_EQUAL(back.restart_count, 7);
	CU_ASSERT_TRUE(back.manually_stopped);
	ctr_record_free(&back);
}

static void test_rewrite_replaces(void)
{
	struct ctr_record r, back;
	struct mst_err err = { 0 };

	make_record(&r);
	CU_ASSERT_EQUAL_FATAL(state_write(tmpdir, &r, &err), 0);
	r.status = CTR_STATUS_EXITED;
	r.exit_code = 137;
	r.oom_killed = true;
	r.cgroup_path = NULL;
	r.error = "boom";
	CU_ASSERT_EQUAL_FATAL(state_write(tmpdir, &r, &err), 0);
	CU_ASSERT_EQUAL(count_entries(tmpdir), 1);

	CU_ASSERT_EQUAL_FATAL(state_read(tmpdir, &back, &err), 0);
	CU_ASSERT_EQUAL(back.status, CTR_STATUS_EXITED);
	CU_ASSERT_EQUAL(back.exit_code, 137);
	CU_ASSERT_TRUE(back.oom_killed);
	CU_ASSERT_PTR_NULL(back.cgroup_path);
	CU_ASSERT_STRING_EQUAL(back.error, "boom");
	ctr_record_free(&back);
}

static void test_write_failure(void)
{
	struct ctr_record r;
	struct mst_err err = { 0 };
	char missing[512];

	make_record(&r);
	snprintf(missing, sizeof(missing), "%s/no-such-dir", tmpdir);
	CU_ASSERT_EQUAL(state_write(missing, &r, &err), -ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "no-such-dir"));
}

static void write_named(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "we");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

static void write_file(const char *dir, const char *text)
{
	write_named(dir, STATE_FILE, text);
}

static void remove_named(const char *dir, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	(void)unlink(path);
}

static void test_unsynced_newer_wins(void)
{
	struct ctr_record r, back;
	struct mst_err err = { 0 };

	make_record(&r);
	r.status = CTR_STATUS_CREATED;
	r.state_seq = 1;
	CU_ASSERT_EQUAL_FATAL(state_write(tmpdir, &r, &err), 0);
	r.status = CTR_STATUS_EXITED;
	r.exit_code = 3;
	r.state_seq = 2;
	CU_ASSERT_EQUAL_FATAL(state_write_unsynced(tmpdir, &r, &err), 0);
	CU_ASSERT_EQUAL(count_entries(tmpdir), 2);

	CU_ASSERT_EQUAL_FATAL(state_read(tmpdir, &back, &err), 0);
	CU_ASSERT_EQUAL(back.status, CTR_STATUS_EXITED);
	CU_ASSERT_EQUAL(back.exit_code, 3);
	CU_ASSERT_EQUAL(back.state_seq, 2);
	ctr_record_free(&back);

	/* A synced write replaces both and removes the unsynced file. */
	r.status = CTR_STATUS_RUNNING;
	r.state_seq = 3;
	CU_ASSERT_EQUAL_FATAL(state_write(tmpdir, &r, &err), 0);
	CU_ASSERT_EQUAL(count_entries(tmpdir), 1);
	CU_ASSERT_EQUAL_FATAL(state_read(tmpdir, &back, &err), 0);
	CU_ASSERT_EQUAL(back.status, CTR_STATUS_RUNNING);
	ctr_record_free(&back);
}

/* A power failure can leave an unsynced record that is empty, cut short or
 * older than state.json; each one falls back to state.json. */
static void test_unsynced_fallback(void)
{
	struct ctr_record r, back;
	struct mst_err err = { 0 };
	char *text;
	json_t *root;

	make_record(&r);
	r.status = CTR_STATUS_CREATED;
	r.state_seq = 5;
	CU_ASSERT_EQUAL_FATAL(state_write(tmpdir, &r, &err), 0);

	write_named(tmpdir, STATE_UNSYNCED_FILE, "");
	CU_ASSERT_EQUAL_FATAL(state_read(tmpdir, &back, &err), 0);
	CU_ASSERT_EQUAL(back.status, CTR_STATUS_CREATED);
	ctr_record_free(&back);

	r.status = CTR_STATUS_EXITED;
	r.state_seq = 6;
	root = state_to_json(&r);
	text = json_dumps(root, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	text[strlen(text) / 2] = '\0';
	write_named(tmpdir, STATE_UNSYNCED_FILE, text);
	free(text);
	json_decref(root);
	CU_ASSERT_EQUAL_FATAL(state_read(tmpdir, &back, &err), 0);
	CU_ASSERT_EQUAL(back.status, CTR_STATUS_CREATED);
	ctr_record_free(&back);

	r.state_seq = 4;
	CU_ASSERT_EQUAL_FATAL(state_write_unsynced(tmpdir, &r, &err), 0);
	CU_ASSERT_EQUAL_FATAL(state_read(tmpdir, &back, &err), 0);
	CU_ASSERT_EQUAL(back.status, CTR_STATUS_CREATED);
	CU_ASSERT_EQUAL(back.state_seq, 5);
	ctr_record_free(&back);

	/* Without state.json, a complete unsynced record is read. */
	remove_named(tmpdir, STATE_FILE);
	CU_ASSERT_EQUAL_FATAL(state_read(tmpdir, &back, &err), 0);
	CU_ASSERT_EQUAL(back.status, CTR_STATUS_EXITED);
	ctr_record_free(&back);
	remove_named(tmpdir, STATE_UNSYNCED_FILE);
}

static void test_malformed(void)
{
	struct ctr_record back;
	struct mst_err err = { 0 };
	char missing[512];

	write_file(tmpdir, "{\"Version\":1,");
	CU_ASSERT_EQUAL(state_read(tmpdir, &back, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, STATE_FILE));

	write_file(tmpdir, "{\"Version\":2}");
	CU_ASSERT_EQUAL(state_read(tmpdir, &back, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "Version"));

	write_file(tmpdir, "{\"Version\":1,\"Id\":\"abc\",\"Name\":\"x\"}");
	CU_ASSERT_EQUAL(state_read(tmpdir, &back, &err), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "'Id'"));

	snprintf(missing, sizeof(missing), "%s/gone", tmpdir);
	CU_ASSERT_EQUAL(state_read(missing, &back, &err), -ENOENT);
}

static void test_remove_dir(void)
{
	char dir[512], sub[600], file[600];
	int fd;

	snprintf(dir, sizeof(dir), "%s/c1", tmpdir);
	CU_ASSERT_EQUAL_FATAL(state_mkdir_p(dir, 0700), 0);
	snprintf(sub, sizeof(sub), "%s/rootfs", dir);
	CU_ASSERT_EQUAL_FATAL(mkdir(sub, 0755), 0);
	snprintf(file, sizeof(file), "%s/%s", dir, STATE_OUTPUT_FILE);
	fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	CU_ASSERT_TRUE_FATAL(fd >= 0);
	close(fd);

	CU_ASSERT_EQUAL(state_remove_dir(dir), 0);
	CU_ASSERT_NOT_EQUAL(access(dir, F_OK), 0);
	CU_ASSERT_EQUAL(state_remove_dir(dir), 0);
}

int main(void)
{
	CU_pSuite suite;
	unsigned failures;
	char cmd[128];

	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("agent_state", NULL, NULL);
	CU_add_test(suite, "state round trip", test_round_trip);
	CU_add_test(suite, "rewrite replaces the file", test_rewrite_replaces);
	CU_add_test(suite, "write into missing directory", test_write_failure);
	CU_add_test(suite, "malformed state files", test_malformed);
	CU_add_test(suite, "unsynced newer record wins", test_unsynced_newer_wins);
	CU_add_test(suite, "unsynced record fallback", test_unsynced_fallback);
	CU_add_test(suite, "remove container directory", test_remove_dir);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures();
	CU_cleanup_registry();

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "removing %s failed\n", tmpdir);
	return failures ? 1 : 0;
}
