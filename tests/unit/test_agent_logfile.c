/* SPDX-License-Identifier: MIT */
/*
 * The container output log: header and record encoding, one record per
 * line, rotation bounds, reading across rotated files, tail, a record cut
 * short at the end of the file, following a rotation, and files of the
 * format before version 1.
 */
#include <CUnit/Basic.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/frame.h"
#include "agent/logfile.h"
#include "agent/state.h"
#include "cunit_main.h"

static char dir[64];

static void make_dir(void)
{
	snprintf(dir, sizeof(dir), "/tmp/mstat-logfile.XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
}

static void remove_dir(void)
{
	CU_ASSERT_EQUAL(state_remove_dir(dir), 0);
}

static off_t file_size(const char *name)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0 ? st.st_size : -1;
}

static void test_headers(void)
{
	uint8_t h[LOGFILE_RECORD_HEADER_SIZE];
	struct logfile_record rec = { .stream = 2, .len = 70000, .time_ns = 0x0102030405060708ULL };
	struct logfile_record back;

	logfile_header_encode(h);
	CU_ASSERT_EQUAL(memcmp(h, "MSTATLOG", 8), 0);
	CU_ASSERT_EQUAL(logfile_header_version(h), LOGFILE_VERSION);
	h[0] = 'X';
	CU_ASSERT_EQUAL(logfile_header_version(h), -EINVAL);

	rec.len = 5;
	logfile_record_header_encode(h, &rec);
	CU_ASSERT_EQUAL(h[0], 2);
	CU_ASSERT_EQUAL(h[7], 5);
	CU_ASSERT_EQUAL(h[8], 0x01);
	CU_ASSERT_EQUAL(h[15], 0x08);
	CU_ASSERT_EQUAL(logfile_record_header_decode(h, &back), 0);
	CU_ASSERT_EQUAL(back.stream, 2);
	CU_ASSERT_EQUAL(back.len, 5);
	CU_ASSERT_EQUAL(back.time_ns, 0x0102030405060708ULL);

	rec.len = LOGFILE_RECORD_MAX + 1;
	logfile_record_header_encode(h, &rec);
	CU_ASSERT_EQUAL(logfile_record_header_decode(h, &back), -EINVAL);
	rec.len = 1;
	rec.stream = 3;
	logfile_record_header_encode(h, &rec);
	CU_ASSERT_EQUAL(logfile_record_header_decode(h, &back), -EINVAL);
	rec.stream = 1;
	logfile_record_header_encode(h, &rec);
	h[2] = 1;
	CU_ASSERT_EQUAL(logfile_record_header_decode(h, &back), -EINVAL);
}

/* Reads every record into text ("1:line" per record) and returns the count. */
static int read_all(struct logfile_reader *r, char *text, size_t size)
{
	static uint8_t payload[LOGFILE_RECORD_MAX];
	struct logfile_record rec;
	size_t used = 0;
	int n = 0, k;

	text[0] = '\0';
	while ((k = logfile_reader_next(r, &rec, payload)) == 1) {
		used += (size_t)snprintf(text + used, size - used, "%d:%.*s|", rec.stream,
					 (int)rec.len, (const char *)payload);
		n++;
	}
	CU_ASSERT_EQUAL(k, 0);
	return n;
}

static void test_lines(void)
{
	struct logfile_limits limits = { .max_size = 1 << 20, .max_files = 2 };
	struct logfile_writer w;
	struct logfile_reader r;
	char text[256];

	make_dir();
	logfile_writer_init(&w);
	CU_ASSERT_EQUAL_FATAL(logfile_writer_open(&w, dir, &limits), 0);
	CU_ASSERT_EQUAL(file_size("output.log"), LOGFILE_HEADER_SIZE);
	CU_ASSERT_EQUAL(logfile_writer_append(&w, 1, 100, "a\nbb\ncc", 7), 0);
	CU_ASSERT_EQUAL(logfile_writer_append(&w, 2, 200, "e\n", 2), 0);
	CU_ASSERT_EQUAL(file_size("output.log"), LOGFILE_HEADER_SIZE + 4 * 16 + 9);
	logfile_writer_close(&w);

	/* Reopened by a restarted agent: appended to, not replaced. */
	CU_ASSERT_EQUAL_FATAL(logfile_writer_open(&w, dir, &limits), 0);
	CU_ASSERT_EQUAL(logfile_writer_append(&w, 1, 300, "f\n", 2), 0);
	logfile_writer_close(&w);

	CU_ASSERT_EQUAL_FATAL(logfile_reader_open(&r, dir), 0);
	CU_ASSERT_EQUAL(read_all(&r, text, sizeof(text)), 5);
	CU_ASSERT_STRING_EQUAL(text, "1:a\n|1:bb\n|1:cc|2:e\n|1:f\n|");

	CU_ASSERT_EQUAL(logfile_reader_tail(&r, 2), 0);
	CU_ASSERT_EQUAL(read_all(&r, text, sizeof(text)), 2);
	CU_ASSERT_STRING_EQUAL(text, "2:e\n|1:f\n|");
	CU_ASSERT_EQUAL(logfile_reader_tail(&r, 0), 0);
	CU_ASSERT_EQUAL(read_all(&r, text, sizeof(text)), 0);
	CU_ASSERT_EQUAL(logfile_reader_tail(&r, 99), 0);
	CU_ASSERT_EQUAL(read_all(&r, text, sizeof(text)), 5);
	logfile_reader_close(&r);
	remove_dir();
}

/* Writes lines "NNNN\n" from first to last, one append each. */
static void write_numbered(struct logfile_writer *w, int first, int last)
{
	char line[16];

	for (int i = first; i <= last; i++) {
		snprintf(line, sizeof(line), "%04d\n", i);
		CU_ASSERT_EQUAL(logfile_writer_append(w, 1, (uint64_t)i, line, 5), 0);
	}
}

static void test_rotation(void)
{
	/* 21 bytes a record: 9 records fit beside the header. */
	struct logfile_limits limits = { .max_size = 16 + 9 * 21, .max_files = 3 };
	static uint8_t payload[LOGFILE_RECORD_MAX];
	struct logfile_record rec;
	struct logfile_writer w;
	struct logfile_reader r;
	int expect, k;

	make_dir();
	logfile_writer_init(&w);
	CU_ASSERT_EQUAL_FATAL(logfile_writer_open(&w, dir, &limits), 0);
	write_numbered(&w, 1, 100);
	logfile_writer_close(&w);

	CU_ASSERT_TRUE(file_size("output.log") <= (off_t)limits.max_size);
	CU_ASSERT_EQUAL(file_size("output.log.1"), (off_t)limits.max_size);
	CU_ASSERT_EQUAL(file_size("output.log.2"), (off_t)limits.max_size);
	CU_ASSERT_EQUAL(file_size("output.log.3"), -1);

	/* The kept records are the newest, in order, across the files. */
	CU_ASSERT_EQUAL_FATAL(logfile_reader_open(&r, dir), 0);
	expect = 100 - 9 * 2 - (int)((file_size("output.log") - 16) / 21) + 1;
	while ((k = logfile_reader_next(&r, &rec, payload)) == 1) {
		CU_ASSERT_EQUAL(atoi((const char *)payload), expect);
		CU_ASSERT_EQUAL(rec.time_ns, (uint64_t)expect);
		expect++;
	}
	CU_ASSERT_EQUAL(k, 0);
	CU_ASSERT_EQUAL(expect, 101);
	logfile_reader_close(&r);
	remove_dir();
}

static void test_follow_rotation(void)
{
	struct logfile_limits limits = { .max_size = 16 + 9 * 21, .max_files = 3 };
	static uint8_t payload[LOGFILE_RECORD_MAX];
	struct logfile_record rec;
	struct logfile_writer w;
	struct logfile_reader r;
	int expect = 1, k;

	make_dir();
	logfile_writer_init(&w);
	CU_ASSERT_EQUAL_FATAL(logfile_writer_open(&w, dir, &limits), 0);
	CU_ASSERT_EQUAL_FATAL(logfile_reader_open(&r, dir), 0);
	/* Read after every 5 writes: each rotation is seen before the next. */
	for (int round = 0; round < 10; round++) {
		write_numbered(&w, round * 5 + 1, round * 5 + 5);
		for (;;) {
			k = logfile_reader_next(&r, &rec, payload);
			if (k == 1) {
				CU_ASSERT_EQUAL(atoi((const char *)payload), expect);
				expect++;
				continue;
			}
			CU_ASSERT_EQUAL(k, 0);
			if (!logfile_reader_follow_rotation(&r))
				break;
		}
	}
	CU_ASSERT_EQUAL(expect, 51);
	logfile_writer_close(&w);
	logfile_reader_close(&r);
	remove_dir();
}

static void test_partial_record(void)
{
	struct logfile_limits limits = { .max_size = 1 << 20, .max_files = 1 };
	static uint8_t payload[LOGFILE_RECORD_MAX];
	uint8_t h[LOGFILE_RECORD_HEADER_SIZE];
	struct logfile_record rec = { .stream = 1, .len = 4, .time_ns = 9 };
	struct logfile_writer w;
	struct logfile_reader r;

	make_dir();
	logfile_writer_init(&w);
	CU_ASSERT_EQUAL_FATAL(logfile_writer_open(&w, dir, &limits), 0);
	CU_ASSERT_EQUAL_FATAL(logfile_reader_open(&r, dir), 0);

	/* A header and half of the payload: not a record yet. */
	logfile_record_header_encode(h, &rec);
	CU_ASSERT_EQUAL(write(w.fd, h, sizeof(h)), (ssize_t)sizeof(h));
	CU_ASSERT_EQUAL(write(w.fd, "ab", 2), 2);
	CU_ASSERT_EQUAL(logfile_reader_next(&r, &rec, payload), 0);
	CU_ASSERT_EQUAL(logfile_reader_tail(&r, 5), 0);
	CU_ASSERT_EQUAL(logfile_reader_next(&r, &rec, payload), 0);
	CU_ASSERT_EQUAL(write(w.fd, "cd", 2), 2);
	CU_ASSERT_EQUAL(logfile_reader_next(&r, &rec, payload), 1);
	CU_ASSERT_EQUAL(memcmp(payload, "abcd", 4), 0);
	CU_ASSERT_EQUAL(rec.time_ns, 9);

	/* A bad stream byte is a corrupt file. */
	h[0] = 7;
	CU_ASSERT_EQUAL(write(w.fd, h, sizeof(h)), (ssize_t)sizeof(h));
	CU_ASSERT_EQUAL(logfile_reader_next(&r, &rec, payload), -EPROTO);
	logfile_writer_close(&w);
	logfile_reader_close(&r);
	remove_dir();
}

static void test_legacy_file(void)
{
	struct logfile_limits limits = { .max_size = 1 << 20, .max_files = 3 };
	struct logfile_writer w;
	struct logfile_reader r;
	char path[128], text[256];
	int fd;

	make_dir();
	snprintf(path, sizeof(path), "%s/%s", dir, LOGFILE_NAME);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	CU_ASSERT_TRUE_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(frame_append(fd, FRAME_STREAM_STDERR, "old\n", 4), 0);
	close(fd);

	/* The writer keeps the old file as output.log.1 and starts anew. */
	logfile_writer_init(&w);
	CU_ASSERT_EQUAL_FATAL(logfile_writer_open(&w, dir, &limits), 0);
	CU_ASSERT_EQUAL(file_size("output.log.1"), 12);
	CU_ASSERT_EQUAL(logfile_writer_append(&w, 1, 5, "new\n", 4), 0);
	logfile_writer_close(&w);

	CU_ASSERT_EQUAL_FATAL(logfile_reader_open(&r, dir), 0);
	CU_ASSERT_EQUAL(read_all(&r, text, sizeof(text)), 2);
	CU_ASSERT_STRING_EQUAL(text, "2:old\n|1:new\n|");
	logfile_reader_close(&r);
	remove_dir();
}

static void test_missing_file(void)
{
	struct logfile_reader r;
	char text[16];

	make_dir();
	CU_ASSERT_EQUAL_FATAL(logfile_reader_open(&r, dir), 0);
	CU_ASSERT_EQUAL(read_all(&r, text, sizeof(text)), 0);
	CU_ASSERT_EQUAL(logfile_reader_tail(&r, 3), 0);
	CU_ASSERT_EQUAL(logfile_reader_follow_rotation(&r), 0);
	logfile_reader_close(&r);
	remove_dir();
}

static const struct cunit_test tests[] = {
	{ "headers encode and decode", test_headers },
	{ "one record per line", test_lines },
	{ "rotation keeps newest records", test_rotation },
	{ "follow across rotations", test_follow_rotation },
	{ "partial record waits", test_partial_record },
	{ "old format read and rotated", test_legacy_file },
	{ "missing log is empty", test_missing_file },
	{ NULL, NULL },
};

int main(void)
{
	return cunit_run("agent_logfile", tests);
}
