/* SPDX-License-Identifier: MIT */
/*
 * A hand-built snapshot shared by the exporter tests: one entry shaped like a
 * cgroup v1 container with every value present, and one shaped like a cgroup
 * v2 first sample with absent keys, unlimited limits and a name that needs
 * escaping. The figures are chosen so that every derived number is exact.
 */
#ifndef MSTAT_TESTS_EXPORTERS_FIXTURE_H
#define MSTAT_TESTS_EXPORTERS_FIXTURE_H

#include "collectors/snapshot.h"

/* Entries are sorted by name, as the pipeline sorts them. */
#define FIXTURE_V2 0
#define FIXTURE_V1 1

#define FIXTURE_V1_NAME		"web"
#define FIXTURE_V1_CGROUP	"/mstat/web"
#define FIXTURE_V1_CONTAINER_ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define FIXTURE_V2_NAME		"we\"ird\\name\nline"
#define FIXTURE_V2_NAME_ESCAPED "we\\\"ird\\\\name\\nline"
#define FIXTURE_V2_CGROUP	"/mstat/weird"

#define FIXTURE_HOST_MEMORY 8000000000ULL
#define FIXTURE_ONLINE_CPUS 2

/* Allocates the snapshot; free it with fixture_free(). Exits the test binary
 * when out of memory. */
struct snapshot *fixture_snapshot(void);
void fixture_free(struct snapshot *s);

#endif
