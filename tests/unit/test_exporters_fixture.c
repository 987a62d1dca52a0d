/* SPDX-License-Identifier: MIT */
/*
 * Builds the snapshot described in test_exporters_fixture.h. The snapshot is
 * allocated here with calloc instead of snapshot_new(), so that the exporter
 * tests do not depend on the collectors library.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/parse.h"
#include "tests/unit/test_exporters_fixture.h"

static void fixture_netif(struct sample *s, const char *name, const uint64_t v[8])
{
	struct sample_netif *nif = &s->netif[s->n_netif++];

	snprintf(nif->name, sizeof(nif->name), "%s", name);
	nif->rx_bytes = v[0];
	nif->rx_packets = v[1];
	nif->rx_errors = v[2];
	nif->rx_dropped = v[3];
	nif->tx_bytes = v[4];
	nif->tx_packets = v[5];
	nif->tx_errors = v[6];
	nif->tx_dropped = v[7];
}

static void fixture_blkdev(struct sample *s, uint32_t major, uint32_t minor, uint64_t rbytes,
			   uint64_t wbytes, uint64_t rios, uint64_t wios)
{
	struct sample_blkdev *d = &s->blkdev[s->n_blkdev++];

	d->major = major;
	d->minor = minor;
	d->read_bytes = rbytes;
	d->write_bytes = wbytes;
	d->read_ops = rios;
	d->write_ops = wios;
}

/* A cgroup v1 container with every value present and a previous sample. */
static void fixture_fill_v1(struct snapshot_entry *e)
{
	struct sample *s = &e->cur;

	e->meta.id = (char *)FIXTURE_V1_CGROUP;
	e->meta.name = (char *)FIXTURE_V1_NAME;
	e->meta.container_id = (char *)FIXTURE_V1_CONTAINER_ID;
	e->meta.state = (char *)"running";
	e->meta.created_ns = 1700000000123456789ULL;
	e->meta.started_ns = 1700000001000000000ULL;

	s->real_ns = 1700000100500000000ULL;
	sample_set(s, SAMPLE_CPU_USAGE_NS, 1500000000);
	sample_set(s, SAMPLE_CPU_USER_NS, 1000000000);
	sample_set(s, SAMPLE_CPU_SYSTEM_NS, 400000000);
	sample_set(s, SAMPLE_CPU_PERIODS, 100);
	sample_set(s, SAMPLE_CPU_THROTTLED_PERIODS, 7);
	sample_set(s, SAMPLE_CPU_THROTTLED_NS, 250000000);
	sample_set(s, SAMPLE_CPU_QUOTA_US, 50000);
	sample_set(s, SAMPLE_CPU_PERIOD_US, 100000);
	sample_set(s, SAMPLE_CPU_SHARES, 512);

	sample_set(s, SAMPLE_MEM_USAGE, 104857600);
	sample_set(s, SAMPLE_MEM_MAX_USAGE, 209715200);
	sample_set(s, SAMPLE_MEM_LIMIT, 268435456);
	sample_set(s, SAMPLE_MEM_SWAP_USAGE, 4096);
	sample_set(s, SAMPLE_MEM_SWAP_LIMIT, 268435456);
	sample_set(s, SAMPLE_MEM_CACHE, 52428800);
	sample_set(s, SAMPLE_MEM_RSS, 41943040);
	sample_set(s, SAMPLE_MEM_MAPPED_FILE, 1048576);
	sample_set(s, SAMPLE_MEM_ACTIVE_ANON, 40000000);
	sample_set(s, SAMPLE_MEM_INACTIVE_ANON, 1943040);
	sample_set(s, SAMPLE_MEM_ACTIVE_FILE, 31457280);
	sample_set(s, SAMPLE_MEM_INACTIVE_FILE, 20971520);
	sample_set(s, SAMPLE_MEM_PGFAULT, 12345);
	sample_set(s, SAMPLE_MEM_PGMAJFAULT, 67);
	sample_set(s, SAMPLE_MEM_WORKING_SET, 83886080);
	sample_set(s, SAMPLE_MEM_FAILCNT, 3);
	sample_set(s, SAMPLE_MEM_OOM_KILL, 1);

	sample_set(s, SAMPLE_PIDS_CURRENT, 5);
	sample_set(s, SAMPLE_PIDS_LIMIT, 100);

	fixture_blkdev(s, 8, 0, 4096, 1048576, 1, 256);
	fixture_blkdev(s, 253, 1, 8192, 0, 2, 0);
	sample_set(s, SAMPLE_IO_READ_BYTES, 12288);
	sample_set(s, SAMPLE_IO_WRITE_BYTES, 1048576);
	sample_set(s, SAMPLE_IO_READ_OPS, 3);
	sample_set(s, SAMPLE_IO_WRITE_OPS, 256);

	/* eth1 first: the JSON must list interfaces sorted by name. */
	fixture_netif(s, "eth1", (const uint64_t[8]){ 500, 5, 0, 0, 250, 3, 0, 0 });
	fixture_netif(s, "eth0", (const uint64_t[8]){ 1000, 10, 1, 2, 2000, 20, 3, 4 });
	sample_set(s, SAMPLE_NET_RX_BYTES, 1500);
	sample_set(s, SAMPLE_NET_RX_PACKETS, 15);
	sample_set(s, SAMPLE_NET_RX_ERRORS, 1);
	sample_set(s, SAMPLE_NET_RX_DROPPED, 2);
	sample_set(s, SAMPLE_NET_TX_BYTES, 2250);
	sample_set(s, SAMPLE_NET_TX_PACKETS, 23);
	sample_set(s, SAMPLE_NET_TX_ERRORS, 3);
	sample_set(s, SAMPLE_NET_TX_DROPPED, 4);

	e->has_prev = true;
	e->prev.real_ns = 1700000099500000000ULL;
	sample_set(&e->prev, SAMPLE_CPU_USAGE_NS, 1000000000);
	sample_set(&e->prev, SAMPLE_CPU_USER_NS, 700000000);
	sample_set(&e->prev, SAMPLE_CPU_SYSTEM_NS, 250000000);
	e->host_cpu_ns_prev = 100000000000ULL;
	e->host_cpu_ns_cur = 102000000000ULL;
}

/* A cgroup v2 first sample: no previous sample, no I/O, no network, no
 * quota, unlimited memory and pids, and several memory keys absent. */
static void fixture_fill_v2(struct snapshot_entry *e)
{
	struct sample *s = &e->cur;

	e->meta.id = (char *)FIXTURE_V2_CGROUP;
	e->meta.name = (char *)FIXTURE_V2_NAME;

	s->real_ns = 1700000100250000000ULL;
	sample_set(s, SAMPLE_CPU_USAGE_NS, 3000000000ULL);
	sample_set(s, SAMPLE_CPU_USER_NS, 2000000000ULL);
	sample_set(s, SAMPLE_CPU_SYSTEM_NS, 1000000000ULL);
	sample_set(s, SAMPLE_CPU_PERIODS, 0);
	sample_set(s, SAMPLE_CPU_THROTTLED_PERIODS, 0);
	sample_set(s, SAMPLE_CPU_THROTTLED_NS, 0);
	sample_set(s, SAMPLE_CPU_QUOTA_US, MST_UNLIMITED);
	sample_set(s, SAMPLE_CPU_PERIOD_US, 100000);
	sample_set(s, SAMPLE_CPU_SHARES, 2597);
	sample_set(s, SAMPLE_CPU_WEIGHT, 100);

	sample_set(s, SAMPLE_MEM_USAGE, 50000000);
	sample_set(s, SAMPLE_MEM_LIMIT, MST_UNLIMITED);
	sample_set(s, SAMPLE_MEM_CACHE, 20000000);
	sample_set(s, SAMPLE_MEM_RSS, 25000000);
	sample_set(s, SAMPLE_MEM_SHMEM, 1000000);
	sample_set(s, SAMPLE_MEM_MAPPED_FILE, 2000000);
	sample_set(s, SAMPLE_MEM_ACTIVE_FILE, 10000000);
	sample_set(s, SAMPLE_MEM_INACTIVE_FILE, 10000000);
	sample_set(s, SAMPLE_MEM_PGFAULT, 999);
	sample_set(s, SAMPLE_MEM_WORKING_SET, 40000000);
	sample_set(s, SAMPLE_MEM_EVENTS_HIGH, 0);
	sample_set(s, SAMPLE_MEM_EVENTS_MAX, 2);
	sample_set(s, SAMPLE_MEM_OOM, 2);
	sample_set(s, SAMPLE_MEM_OOM_KILL, 0);
	sample_set(s, SAMPLE_MEM_OOM_GROUP_KILL, 0);
	sample_set(s, SAMPLE_MEM_FILE_DIRTY, 262144);
	sample_set(s, SAMPLE_MEM_FILE_WRITEBACK, 0);
	sample_set(s, SAMPLE_MEM_PGSCAN, 10);
	sample_set(s, SAMPLE_MEM_PGSTEAL, 8);
	sample_set(s, SAMPLE_MEM_WORKINGSET_REFAULT_ANON, 1);
	sample_set(s, SAMPLE_MEM_WORKINGSET_REFAULT_FILE, 2);

	/* Pressure as in the VM's cpu.pressure, memory.pressure and io.pressure,
	 * except that cpu.pressure has no "full" line, as on older kernels. */
	sample_set(s, SAMPLE_PSI_CPU_SOME_NS, 4533359000ULL);
	sample_set(s, SAMPLE_PSI_MEMORY_SOME_NS, 10044000ULL);
	sample_set(s, SAMPLE_PSI_MEMORY_FULL_NS, 8226000ULL);
	sample_set(s, SAMPLE_PSI_IO_SOME_NS, 5000ULL);
	sample_set(s, SAMPLE_PSI_IO_FULL_NS, 0);

	sample_set(s, SAMPLE_PIDS_CURRENT, 3);
	sample_set(s, SAMPLE_PIDS_LIMIT, MST_UNLIMITED);

	e->has_prev = false;
	e->host_cpu_ns_cur = 400000000000ULL;
}

/* Room for each sample's lists: two entries, cur and prev. */
#define FIXTURE_LIST_ROOM 4

struct snapshot *fixture_snapshot(void)
{
	struct snapshot *s = calloc(1, sizeof(*s));

	if (s) {
		s->entries = calloc(2, sizeof(*s->entries));
		s->blkdev_pool = calloc(4 * FIXTURE_LIST_ROOM, sizeof(*s->blkdev_pool));
		s->netif_pool = calloc(4 * FIXTURE_LIST_ROOM, sizeof(*s->netif_pool));
	}
	if (!s || !s->entries || !s->blkdev_pool || !s->netif_pool) {
		fprintf(stderr, "fixture_snapshot: out of memory\n");
		exit(2);
	}
	for (size_t i = 0; i < 4; i++) {
		struct snapshot_entry *e = &s->entries[i / 2];
		struct sample *sample = i % 2 ? &e->prev : &e->cur;

		sample->blkdev = s->blkdev_pool + i * FIXTURE_LIST_ROOM;
		sample->netif = s->netif_pool + i * FIXTURE_LIST_ROOM;
	}
	atomic_init(&s->refcount, 1);
	s->generation = 42;
	s->real_ns = 1700000100600000000ULL;
	s->pass_duration_ns = 1234567;
	s->online_cpus = FIXTURE_ONLINE_CPUS;
	s->host_memory_bytes = FIXTURE_HOST_MEMORY;
	s->n_entries = 2;
	s->n_collectors = 2;
	s->collectors[0] = (struct snapshot_collector_stat){ "cpu", 1500, 0 };
	s->collectors[1] = (struct snapshot_collector_stat){ "memory", 2500000, 1 };
	fixture_fill_v2(&s->entries[FIXTURE_V2]);
	fixture_fill_v1(&s->entries[FIXTURE_V1]);
	return s;
}

void fixture_free(struct snapshot *s)
{
	if (!s)
		return;
	free(s->entries);
	free(s->blkdev_pool);
	free(s->netif_pool);
	free(s);
}
