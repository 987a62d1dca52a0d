/* SPDX-License-Identifier: MIT */
/*
 * Container records: lookup by full id, name and unique id prefix, as docker
 * resolves them; id generation; copies; status names.
 */
#include <CUnit/Basic.h>
#include <string.h>

#include "agent/record.h"
#include "agent/view.h"

static struct ctr_record records[3];

static const struct ctr_record *record_at(const void *set, size_t i)
{
	const struct ctr_record *r = set;

	return &r[i];
}

static void set_record(struct ctr_record *r, const char *name, const char *id_prefix)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->spec.name, sizeof(r->spec.name), "%s", name);
	memset(r->spec.id, '0', 64);
	memcpy(r->spec.id, id_prefix, strlen(id_prefix));
}

static int setup(void)
{
	set_record(&records[0], "web", "abc1");
	set_record(&records[1], "db", "abc2");
	/* A name that is also a prefix of another container's id. */
	set_record(&records[2], "abc2", "ff");
	return 0;
}

static void test_lookup(void)
{
	size_t i = 99;

	CU_ASSERT_EQUAL(ctr_lookup(records, 3, record_at, records[1].spec.id, &i), 0);
	CU_ASSERT_EQUAL(i, 1);
	CU_ASSERT_EQUAL(ctr_lookup(records, 3, record_at, "web", &i), 0);
	CU_ASSERT_EQUAL(i, 0);
	CU_ASSERT_EQUAL(ctr_lookup(records, 3, record_at, "abc1", &i), 0);
	CU_ASSERT_EQUAL(i, 0);
	CU_ASSERT_EQUAL(ctr_lookup(records, 3, record_at, "f", &i), 0);
	CU_ASSERT_EQUAL(i, 2);
}

static void test_name_before_prefix(void)
{
	size_t i = 99;

	/* "abc2" is the name of records[2] and a prefix of records[1]'s id. */
	CU_ASSERT_EQUAL(ctr_lookup(records, 3, record_at, "abc2", &i), 0);
	CU_ASSERT_EQUAL(i, 2);
}

static void test_lookup_failures(void)
{
	size_t i = 99;

	CU_ASSERT_EQUAL(ctr_lookup(records, 3, record_at, "abc", &i), -ENOTUNIQ);
	CU_ASSERT_EQUAL(ctr_lookup(records, 3, record_at, "zzz", &i), -ENOENT);
	CU_ASSERT_EQUAL(ctr_lookup(records, 3, record_at, "", &i), -ENOENT);
	CU_ASSERT_EQUAL(ctr_lookup(records, 0, record_at, "web", &i), -ENOENT);
	CU_ASSERT_EQUAL(i, 99);
}

static void test_view_find(void)
{
	struct ctr_view *v = ctr_view_new(2);
	const struct ctr_view_item *item;
	int error = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_EQUAL(ctr_record_copy(&records[0], &v->items[0].rec), 0);
	CU_ASSERT_EQUAL(ctr_record_copy(&records[1], &v->items[1].rec), 0);
	ctr_view_sort(v);
	CU_ASSERT_STRING_EQUAL(v->items[0].rec.spec.name, "db");

	item = ctr_view_find(v, "web", &error);
	CU_ASSERT_PTR_NOT_NULL(item);
	item = ctr_view_find(v, "abc", &error);
	CU_ASSERT_PTR_NULL(item);
	CU_ASSERT_EQUAL(error, -ENOTUNIQ);
	item = ctr_view_find(NULL, "web", &error);
	CU_ASSERT_PTR_NULL(item);
	CU_ASSERT_EQUAL(error, -ENOENT);
	ctr_view_unref(v);
}

static void test_id_generate(void)
{
	char a[65], b[65];

	CU_ASSERT_EQUAL_FATAL(ctr_id_generate(a), 0);
	CU_ASSERT_EQUAL_FATAL(ctr_id_generate(b), 0);
	CU_ASSERT_EQUAL(strlen(a), 64);
	CU_ASSERT_EQUAL(strspn(a, "0123456789abcdef"), 64);
	CU_ASSERT_STRING_NOT_EQUAL(a, b);
}

static void test_copy_and_status(void)
{
	static char *argv[] = { "x", "y", NULL };
	struct ctr_record r = { 0 }, copy;
	enum ctr_status s;

	r.spec.argv = argv;
	r.spec.hostname = "h";
	r.error = "failed";
	CU_ASSERT_EQUAL_FATAL(ctr_record_copy(&r, &copy), 0);
	CU_ASSERT_PTR_NOT_EQUAL(copy.spec.argv, argv);
	CU_ASSERT_STRING_EQUAL(copy.spec.argv[1], "y");
	CU_ASSERT_STRING_EQUAL(copy.spec.hostname, "h");
	CU_ASSERT_STRING_EQUAL(copy.error, "failed");
	CU_ASSERT_PTR_NULL(copy.cgroup_path);
	ctr_record_free(&copy);

	CU_ASSERT_STRING_EQUAL(ctr_status_to_string(CTR_STATUS_REMOVING), "removing");
	CU_ASSERT_PTR_NULL(ctr_status_to_string(_CTR_STATUS_MAX));
	CU_ASSERT_EQUAL(ctr_status_from_string("exited", &s), 0);
	CU_ASSERT_EQUAL(s, CTR_STATUS_EXITED);
	CU_ASSERT_EQUAL(ctr_status_from_string("paused", &s), -EINVAL);
}

static void test_copy_device_rates(void)
{
	struct rt_device_rate reads[] = { { .path = (char *)"/dev/vda", .rate = 1024 },
					  { .path = (char *)"/dev/vdb", .rate = 0 } };
	struct rt_spec spec = { 0 }, copy;

	spec.limits.device_read_bps = reads;
	spec.limits.n_device_read_bps = 2;
	CU_ASSERT_EQUAL_FATAL(ctr_spec_copy(&spec, &copy), 0);
	CU_ASSERT_PTR_NOT_EQUAL(copy.limits.device_read_bps, reads);
	CU_ASSERT_EQUAL_FATAL(copy.limits.n_device_read_bps, 2);
	CU_ASSERT_PTR_NOT_EQUAL(copy.limits.device_read_bps[0].path, reads[0].path);
	CU_ASSERT_STRING_EQUAL(copy.limits.device_read_bps[1].path, "/dev/vdb");
	CU_ASSERT_EQUAL(copy.limits.device_read_bps[0].rate, 1024);
	CU_ASSERT_PTR_NULL(copy.limits.device_write_bps);
	CU_ASSERT_EQUAL(copy.limits.n_device_write_bps, 0);
	ctr_spec_free(&copy);
	CU_ASSERT_PTR_NULL(copy.limits.device_read_bps);
	CU_ASSERT_EQUAL(copy.limits.n_device_read_bps, 0);
}

int main(void)
{
	CU_pSuite suite;
	unsigned failures;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("agent_record", setup, NULL);
	CU_add_test(suite, "lookup by id, name, prefix", test_lookup);
	CU_add_test(suite, "name wins over id prefix", test_name_before_prefix);
	CU_add_test(suite, "lookup ambiguous and unknown", test_lookup_failures);
	CU_add_test(suite, "view lookup and order", test_view_find);
	CU_add_test(suite, "id generation", test_id_generate);
	CU_add_test(suite, "record copy and status names", test_copy_and_status);
	CU_add_test(suite, "spec copy of device rates", test_copy_device_rates);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failures ? 1 : 0;
}
