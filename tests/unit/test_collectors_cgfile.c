// SPDX-License-Identifier: MIT
/*
 * Tests of the kept file sets on a copy of the v2 fixture tree: values read
 * with kept descriptors, the switch to directory mode once the kept
 * descriptors pass half of RLIMIT_NOFILE, reads in that mode, and limit
 * files read every CGFILE_LIMIT_INTERVAL passes.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <sys/resource.h>

#include "collectors/cgfile.h"
#include "common/parse.h"
#include "cunit_main.h"
#include "test_collectors_fixture.h"

#define N_SETS 26

static const struct cgfile_spec specs[] = {
	{ .controller = CG_CTRL_MEMORY,
	  .name = "memory.current",
	  .format = CGFILE_U64,
	  .key = SAMPLE_MEM_USAGE },
	{ .controller = CG_CTRL_PIDS,
	  .name = "pids.current",
	  .format = CGFILE_U64,
	  .key = SAMPLE_PIDS_CURRENT },
	{ .controller = CG_CTRL_MEMORY,
	  .name = "memory.missing",
	  .format = CGFILE_U64,
	  .key = SAMPLE_MEM_FAILCNT },
};

static char dir[PATH_MAX];
static struct cg_paths paths;

static void tree_open(void)
{
	const char *const rels[] = { "v2-tree" };
	char sub[2 * PATH_MAX];

	fixture_copy(rels, 1, dir);
	snprintf(sub, sizeof(sub), "%s/v2-tree/mstat-test", dir);
	paths.version = CG_V2;
	paths.path = strdup("/mstat-test");
	for (int c = 0; c < _CG_CTRL_MAX; c++)
		paths.dir[c] = strdup(sub);
}

static void tree_close(void)
{
	cg_paths_free(&paths);
	fixture_remove(dir);
}

static void check_values(struct cgfile_set *set, uint64_t want_memory, uint64_t want_pids)
{
	SAMPLE_DECLARE(s);
	uint64_t v = 0;

	sample_reset(&s);
	CU_ASSERT_EQUAL(cgfile_set_collect(set, &s), 0);
	CU_ASSERT_TRUE(sample_get(&s, SAMPLE_MEM_USAGE, &v));
	CU_ASSERT_EQUAL(v, want_memory);
	CU_ASSERT_TRUE(sample_get(&s, SAMPLE_PIDS_CURRENT, &v));
	CU_ASSERT_EQUAL(v, want_pids);
	CU_ASSERT_FALSE(sample_has(&s, SAMPLE_MEM_FAILCNT));
}

static void test_kept_descriptors(void)
{
	struct cgfile_set *set = NULL;

	tree_open();
	CU_ASSERT_EQUAL_FATAL(cgfile_set_open(specs, 3, &paths, &set), 0);
	CU_ASSERT_FALSE(set->by_dir);
	CU_ASSERT_EQUAL(set->n_kept, 2);
	CU_ASSERT_EQUAL(cgfile_kept_fds(), 2);
	check_values(set, 104857600, 3);

	fixture_rewrite(dir, "v2-tree/mstat-test/pids.current", "7\n");
	check_values(set, 104857600, 7);
	cgfile_set_free(set);
	CU_ASSERT_EQUAL(cgfile_kept_fds(), 0);
	tree_close();
}

static void test_directory_mode(void)
{
	struct cgfile_set *sets[N_SETS] = { NULL };
	struct rlimit saved, low;
	size_t first_by_dir = N_SETS;

	tree_open();
	CU_ASSERT_EQUAL_FATAL(getrlimit(RLIMIT_NOFILE, &saved), 0);
	/* Half of 64: a budget of 32 kept descriptors. */
	low = saved;
	low.rlim_cur = 64;
	CU_ASSERT_EQUAL_FATAL(setrlimit(RLIMIT_NOFILE, &low), 0);

	for (size_t i = 0; i < N_SETS; i++) {
		CU_ASSERT_EQUAL_FATAL(cgfile_set_open(specs, 3, &paths, &sets[i]), 0);
		if (sets[i]->by_dir && first_by_dir == N_SETS)
			first_by_dir = i;
	}
	CU_ASSERT_EQUAL(setrlimit(RLIMIT_NOFILE, &saved), 0);
	/* Sets 0 to 14 keep two files each (30), and a set of three specs
	 * would then pass 32. */
	CU_ASSERT_EQUAL(first_by_dir, 15);
	for (size_t i = first_by_dir; i < N_SETS; i++) {
		CU_ASSERT_TRUE(sets[i]->by_dir);
		/* v2: memory and pids share one directory, kept as two fds. */
		CU_ASSERT_EQUAL(sets[i]->n_kept, 2);
	}

	check_values(sets[N_SETS - 1], 104857600, 3);
	fixture_rewrite(dir, "v2-tree/mstat-test/memory.current", "4096\n");
	check_values(sets[N_SETS - 1], 4096, 3);
	check_values(sets[0], 4096, 3);

	/* A vanished file ends the target in directory mode too. */
	char path[2 * PATH_MAX];
	SAMPLE_DECLARE(s);
	snprintf(path, sizeof(path), "%s/v2-tree/mstat-test/pids.current", dir);
	CU_ASSERT_EQUAL(unlink(path), 0);
	sample_reset(&s);
	CU_ASSERT_EQUAL(cgfile_set_collect(sets[N_SETS - 1], &s), -ENOENT);

	for (size_t i = 0; i < N_SETS; i++)
		cgfile_set_free(sets[i]);
	CU_ASSERT_EQUAL(cgfile_kept_fds(), 0);
	tree_close();
}

static void test_limit_interval(void)
{
	static const struct cgfile_spec limit_specs[] = {
		{ .controller = CG_CTRL_PIDS,
		  .name = "pids.current",
		  .format = CGFILE_U64,
		  .key = SAMPLE_PIDS_CURRENT },
		{ .controller = CG_CTRL_PIDS,
		  .name = "pids.max",
		  .format = CGFILE_LIMIT,
		  .key = SAMPLE_PIDS_LIMIT,
		  .is_limit = true },
	};
	struct cgfile_set *set = NULL;
	SAMPLE_DECLARE(s);
	uint64_t v = 0;

	tree_open();
	CU_ASSERT_EQUAL_FATAL(cgfile_set_open(limit_specs, 2, &paths, &set), 0);
	sample_reset(&s);
	CU_ASSERT_EQUAL(cgfile_set_collect(set, &s), 0);
	CU_ASSERT_TRUE(sample_get(&s, SAMPLE_PIDS_LIMIT, &v));
	CU_ASSERT_EQUAL(v, 100);

	fixture_rewrite(dir, "v2-tree/mstat-test/pids.max", "max\n");
	fixture_rewrite(dir, "v2-tree/mstat-test/pids.current", "5\n");
	for (unsigned pass = 1; pass < CGFILE_LIMIT_INTERVAL; pass++) {
		sample_reset(&s);
		CU_ASSERT_EQUAL(cgfile_set_collect(set, &s), 0);
		CU_ASSERT_TRUE(sample_get(&s, SAMPLE_PIDS_LIMIT, &v));
		CU_ASSERT_EQUAL(v, 100);
		CU_ASSERT_TRUE(sample_get(&s, SAMPLE_PIDS_CURRENT, &v));
		CU_ASSERT_EQUAL(v, 5);
	}

	sample_reset(&s);
	CU_ASSERT_EQUAL(cgfile_set_collect(set, &s), 0);
	CU_ASSERT_TRUE(sample_get(&s, SAMPLE_PIDS_LIMIT, &v));
	CU_ASSERT_EQUAL(v, MST_UNLIMITED);

	/* After an update, reread_limits reads the file in the very next pass. */
	fixture_rewrite(dir, "v2-tree/mstat-test/pids.max", "64\n");
	sample_reset(&s);
	CU_ASSERT_EQUAL(cgfile_set_collect(set, &s), 0);
	CU_ASSERT_TRUE(sample_get(&s, SAMPLE_PIDS_LIMIT, &v));
	CU_ASSERT_EQUAL(v, MST_UNLIMITED);
	sample_reset(&s);
	s.reread_limits = true;
	CU_ASSERT_EQUAL(cgfile_set_collect(set, &s), 0);
	CU_ASSERT_TRUE(sample_get(&s, SAMPLE_PIDS_LIMIT, &v));
	CU_ASSERT_EQUAL(v, 64);
	cgfile_set_free(set);
	tree_close();
}

static const struct cunit_test tests[] = {
	{ "cgfile limit interval", test_limit_interval },
	{ "cgfile kept descriptors", test_kept_descriptors },
	{ "cgfile directory mode", test_directory_mode },
	{ NULL, NULL },
};

int main(void)
{
	return cunit_run("collectors_cgfile", tests);
}
