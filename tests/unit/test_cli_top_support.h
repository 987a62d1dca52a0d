/* SPDX-License-Identifier: MIT */
/*
 * Builders shared by the live view's unit tests: ContainerStats messages as
 * mstatd would send them, framed with their varint length and fed to a model
 * through the real stream decoder.
 */
#ifndef MSTAT_TESTS_CLI_TOP_SUPPORT_H
#define MSTAT_TESTS_CLI_TOP_SUPPORT_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/top_model.h"

/* Appends msg to buf at *len with its varint length prefix. */
static void frame_message(const Mstat__Stats__ContainerStats *msg, uint8_t *buf, size_t *len)
{
	size_t size = mstat__stats__container_stats__get_packed_size(msg);
	size_t v = size;

	do {
		buf[(*len)++] = (uint8_t)((v & 0x7f) | (v >= 0x80 ? 0x80 : 0));
		v >>= 7;
	} while (v > 0);
	*len += mstat__stats__container_stats__pack(msg, buf + *len);
}

/* A running container with a CPU % and memory use; other fields absent. */
static Mstat__Stats__ContainerStats make_stats(const char *name, uint64_t generation,
					       uint32_t index, uint32_t count, double cpu,
					       uint64_t mem)
{
	Mstat__Stats__ContainerStats m = MSTAT__STATS__CONTAINER_STATS__INIT;

	m.generation = generation;
	m.index = index;
	m.count = count;
	m.has_generation = m.has_index = m.has_count = true;
	m.name = (char *)name;
	m.container_id = (char *)name; /* unique per test container */
	m.state = (char *)"running";
	m.cpu_percent = cpu;
	m.has_cpu_percent = true;
	m.mem_usage = mem;
	m.mem_limit = UINT64_C(1) << 30;
	m.has_mem_usage = m.has_mem_limit = true;
	m.mem_percent = (double)mem / (double)(UINT64_C(1) << 30) * 100.0;
	m.has_mem_percent = true;
	return m;
}

/* Feeds n messages of one snapshot to model m; returns top_stream_feed's result. */
static int feed_snapshot(struct top_model *m, const Mstat__Stats__ContainerStats *msgs, size_t n)
{
	static uint8_t buf[1 << 16];
	struct top_stream s;
	size_t len = 0;
	int r;

	for (size_t i = 0; i < n; i++)
		frame_message(&msgs[i], buf, &len);
	top_stream_init(&s);
	r = top_stream_feed(&s, buf, len, m);
	top_stream_free(&s);
	return r;
}

#endif
