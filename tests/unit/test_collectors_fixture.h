/* SPDX-License-Identifier: MIT */
/*
 * Fixture access for the collector tests: reading a file of
 * $MSTAT_FIXTURES/collectors, and copying a fixture tree to a temporary
 * directory that a test may change. It is header-only, so include it once
 * per binary.
 */
#ifndef MSTAT_TESTS_COLLECTORS_FIXTURE_H
#define MSTAT_TESTS_COLLECTORS_FIXTURE_H

#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The absolute path of a file or folder under $MSTAT_FIXTURES/collectors. */
__attribute__((unused)) static const char *fixture_path(const char *rel)
{
	static char path[PATH_MAX];
	const char *root = getenv("MSTAT_FIXTURES");

	if (!root) {
		fprintf(stderr, "MSTAT_FIXTURES is not set: run the test through ctest\n");
		exit(77);
	}
	snprintf(path, sizeof(path), "%s/collectors/%s", root, rel);
	return path;
}

/* Reads a fixture file into a NUL-terminated buffer the caller frees. Fails
 * the test when the file cannot be read. */
__attribute__((unused)) static char *fixture_read(const char *rel, size_t *ret_len)
{
	const char *path = fixture_path(rel);
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0, len = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	for (;;) {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap);
			CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
		}
		size_t n = fread(buf + len, 1, cap - len - 1, f);
		if (n == 0)
			break;
		len += n;
	}
	fclose(f);
	buf[len] = '\0';
	*ret_len = len;
	return buf;
}

/* Copies fixture folders into a new temporary directory, whose path is
 * written to dir (PATH_MAX bytes). */
__attribute__((unused)) static void fixture_copy(const char *const *rels, size_t n, char *dir)
{
	char cmd[3 * PATH_MAX];

	snprintf(dir, PATH_MAX, "/tmp/mstat-collectors-XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	for (size_t i = 0; i < n; i++) {
		snprintf(cmd, sizeof(cmd), "cp -r '%s' '%s/'", fixture_path(rels[i]), dir);
		CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
	}
}

/* Removes a directory made by fixture_copy(). */
__attribute__((unused)) static void fixture_remove(const char *dir)
{
	char cmd[PATH_MAX + 32];

	if (strncmp(dir, "/tmp/mstat-collectors-", 22) != 0)
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	(void)system(cmd);
}

/* Rewrites dir/rel in place (same inode), so that descriptors a collector
 * keeps open read the new content. */
__attribute__((unused)) static void fixture_rewrite(const char *dir, const char *rel,
						    const char *content)
{
	char path[2 * PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	CU_ASSERT_FATAL(fd >= 0);
	size_t len = strlen(content);
	CU_ASSERT_EQUAL_FATAL(write(fd, content, len), (ssize_t)len);
	close(fd);
}

#endif
