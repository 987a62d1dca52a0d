/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the live view's model: the length-delimited protobuf stream
 * split at any byte, rows kept across snapshots and pruned when gone, the
 * empty snapshot, history, OOM marks, and corrupt input.
 */
#include <CUnit/CUnit.h>
#include <errno.h>

#include "cunit_main.h"
#include "test_cli_top_support.h"

static void test_stream_split_bytes(void)
{
	Mstat__Stats__ContainerStats msgs[2] = {
		make_stats("alpha", 1, 0, 2, 1.5, 1000),
		make_stats("beta", 1, 1, 2, 2.5, 2000),
	};
	static uint8_t buf[4096];
	struct top_model m;
	struct top_stream s;
	size_t len = 0;

	frame_message(&msgs[0], buf, &len);
	frame_message(&msgs[1], buf, &len);
	top_model_init(&m);
	top_stream_init(&s);
	for (size_t i = 0; i < len; i++) {
		CU_ASSERT_EQUAL(top_stream_feed(&s, buf + i, 1, &m), 0);
		if (i + 1 < len)
			CU_ASSERT_EQUAL(m.updates, 0);
	}
	CU_ASSERT_EQUAL(m.n_rows, 2);
	CU_ASSERT_EQUAL(m.updates, 1);
	CU_ASSERT_EQUAL(s.len, 0);
	CU_ASSERT_PTR_NOT_NULL(top_model_find(&m, "beta", NULL));
	CU_ASSERT_DOUBLE_EQUAL(top_model_find(&m, "beta", NULL)->stats->cpu_percent, 2.5, 1e-9);
	top_stream_free(&s);
	top_model_free(&m);
}

static void test_model_prunes_gone_rows(void)
{
	Mstat__Stats__ContainerStats first[2] = {
		make_stats("alpha", 1, 0, 2, 1, 10),
		make_stats("beta", 1, 1, 2, 2, 20),
	};
	Mstat__Stats__ContainerStats second[1] = { make_stats("alpha", 2, 0, 1, 3, 30) };
	struct top_model m;
	struct top_row *alpha;

	top_model_init(&m);
	CU_ASSERT_EQUAL(feed_snapshot(&m, first, 2), 0);
	CU_ASSERT_EQUAL(feed_snapshot(&m, second, 1), 0);
	CU_ASSERT_EQUAL(m.n_rows, 1);
	CU_ASSERT_PTR_NULL(top_model_find(&m, "beta", NULL));
	alpha = top_model_find(&m, "alpha", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(alpha);
	CU_ASSERT_EQUAL(alpha->history_len, 2);
	CU_ASSERT_DOUBLE_EQUAL(alpha->cpu_history[0], 1, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(alpha->cpu_history[1], 3, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(alpha->mem_history[1], 30, 1e-9);
	CU_ASSERT_EQUAL(m.updates, 2);
	top_model_free(&m);
}

static void test_model_empty_snapshot(void)
{
	Mstat__Stats__ContainerStats one[1] = { make_stats("alpha", 1, 0, 1, 1, 10) };
	Mstat__Stats__ContainerStats empty = MSTAT__STATS__CONTAINER_STATS__INIT;
	struct top_model m;

	empty.generation = 2;
	empty.has_generation = empty.has_index = empty.has_count = true;
	top_model_init(&m);
	CU_ASSERT_EQUAL(feed_snapshot(&m, one, 1), 0);
	CU_ASSERT_EQUAL(m.n_rows, 1);
	CU_ASSERT_EQUAL(feed_snapshot(&m, &empty, 1), 0);
	CU_ASSERT_EQUAL(m.n_rows, 0);
	CU_ASSERT_EQUAL(m.generation, 2);
	top_model_free(&m);
}

static void test_model_history_capped(void)
{
	struct top_model m;
	struct top_row *r;

	top_model_init(&m);
	for (unsigned g = 1; g <= TOP_HISTORY + 5; g++) {
		Mstat__Stats__ContainerStats one = make_stats("alpha", g, 0, 1, (double)g, g);

		CU_ASSERT_EQUAL(feed_snapshot(&m, &one, 1), 0);
	}
	r = top_model_find(&m, "alpha", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->history_len, TOP_HISTORY);
	CU_ASSERT_DOUBLE_EQUAL(r->cpu_history[TOP_HISTORY - 1], TOP_HISTORY + 5, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(r->cpu_history[0], 6, 1e-9);
	top_model_free(&m);
}

static void test_model_marks_oom_kill(void)
{
	Mstat__Stats__ContainerStats msg = make_stats("alpha", 1, 0, 1, 0, 0);
	struct top_model m;
	struct top_row *r;

	msg.mem_events_oom_kill = 2; /* kills before the view started are not marked */
	msg.has_mem_events_oom_kill = true;
	msg.read_time_ns = 1000;
	msg.has_read_time_ns = true;
	top_model_init(&m);
	CU_ASSERT_EQUAL(feed_snapshot(&m, &msg, 1), 0);
	r = top_model_find(&m, "alpha", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->oom_kill_ns, 0);

	msg.generation = 2;
	msg.mem_events_oom_kill = 3;
	msg.read_time_ns = 5000;
	CU_ASSERT_EQUAL(feed_snapshot(&m, &msg, 1), 0);
	CU_ASSERT_EQUAL(r->oom_kill_ns, 5000);
	top_model_free(&m);
}

static void test_stream_rejects_corrupt(void)
{
	static const uint8_t long_varint[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 };
	static const uint8_t too_big[] = { 0x80, 0x80, 0x80, 0x08 }; /* 16 MiB */
	static const uint8_t garbage[] = { 0x03, 0xff, 0xff, 0xff };
	struct top_model m;
	struct top_stream s;

	top_model_init(&m);
	top_stream_init(&s);
	CU_ASSERT_EQUAL(top_stream_feed(&s, long_varint, sizeof(long_varint), &m), -EBADMSG);
	CU_ASSERT_EQUAL(s.len, 0);
	CU_ASSERT_EQUAL(top_stream_feed(&s, too_big, sizeof(too_big), &m), -EBADMSG);
	CU_ASSERT_EQUAL(top_stream_feed(&s, garbage, sizeof(garbage), &m), -EBADMSG);
	CU_ASSERT_EQUAL(m.n_rows, 0);
	/* A partial length waits for more bytes. */
	CU_ASSERT_EQUAL(top_stream_feed(&s, too_big, 2, &m), 0);
	CU_ASSERT_EQUAL(s.len, 2);
	top_stream_free(&s);
	top_model_free(&m);
}

static const struct cunit_test tests[] = {
	{ "stream split at every byte", test_stream_split_bytes },
	{ "model prunes gone rows", test_model_prunes_gone_rows },
	{ "model empty snapshot", test_model_empty_snapshot },
	{ "model history capped", test_model_history_capped },
	{ "model marks OOM kill", test_model_marks_oom_kill },
	{ "stream rejects corrupt input", test_stream_rejects_corrupt },
	{ NULL, NULL },
};

int main(void)
{
	return cunit_run("cli_top_model", tests);
}
