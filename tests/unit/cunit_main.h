/* SPDX-License-Identifier: MIT */
/*
 * A main() for CUnit test binaries: runs every registered suite with the basic
 * interface and exits non-zero when any assertion failed. Include it once, after
 * defining `static const struct cunit_test tests[]` ending with { NULL, NULL }.
 */
#ifndef MSTAT_TESTS_CUNIT_MAIN_H
#define MSTAT_TESTS_CUNIT_MAIN_H

#include <CUnit/Basic.h>
#include <stdio.h>

struct cunit_test {
	const char *name;
	void (*fn)(void);
};

static int cunit_run(const char *suite_name, const struct cunit_test *tests)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;

	CU_pSuite suite = CU_add_suite(suite_name, NULL, NULL);
	if (!suite)
		return 2;
	for (const struct cunit_test *t = tests; t->name; t++)
		if (!CU_add_test(suite, t->name, t->fn))
			return 2;

	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}

#endif
