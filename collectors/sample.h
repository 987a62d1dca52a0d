/* SPDX-License-Identifier: MIT */
/*
 * One sample: what the collectors read for one target in one pass. Scalar
 * values are indexed by enum sample_key and carry a presence bit, because a
 * value the kernel does not provide is absent, never zero. Limits use
 * MST_UNLIMITED for "no limit". The per-device and per-interface lists are
 * outside the struct. A sample being collected points at lists of the full
 * capacity (struct sample_lists), and a kept or published sample at lists of
 * its own length, so idle samples reserve no room for devices they lack.
 */
#ifndef MSTAT_COLLECTORS_SAMPLE_H
#define MSTAT_COLLECTORS_SAMPLE_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

enum sample_key {
	/* cpu, cumulative */
	SAMPLE_CPU_USAGE_NS, /* cpuacct.usage, cpu.stat usage_usec */
	SAMPLE_CPU_USER_NS,  /* cpuacct.stat user, cpu.stat user_usec */
	SAMPLE_CPU_SYSTEM_NS,
	SAMPLE_CPU_PERIODS,	      /* nr_periods */
	SAMPLE_CPU_THROTTLED_PERIODS, /* nr_throttled */
	SAMPLE_CPU_THROTTLED_NS,      /* throttled_time, throttled_usec */
	/* cpu, configuration */
	SAMPLE_CPU_QUOTA_US, /* MST_UNLIMITED when there is no quota */
	SAMPLE_CPU_PERIOD_US,
	SAMPLE_CPU_SHARES, /* v1 cpu.shares; v2 cpu.weight converted */
	SAMPLE_CPU_WEIGHT, /* v2 cpu.weight as read */

	/* memory, bytes unless noted */
	SAMPLE_MEM_USAGE,      /* memory.usage_in_bytes, memory.current */
	SAMPLE_MEM_MAX_USAGE,  /* memory.max_usage_in_bytes, memory.peak */
	SAMPLE_MEM_LIMIT,      /* MST_UNLIMITED when unlimited */
	SAMPLE_MEM_SWAP_USAGE, /* swap only (v1: memsw - usage) */
	SAMPLE_MEM_SWAP_LIMIT, /* swap only (v1: memsw limit - limit) */
	SAMPLE_MEM_CACHE,      /* v1 cache (total_cache), v2 file */
	SAMPLE_MEM_RSS,	       /* v1 rss (total_rss), v2 anon */
	SAMPLE_MEM_SHMEM,
	SAMPLE_MEM_MAPPED_FILE,
	SAMPLE_MEM_ACTIVE_ANON,
	SAMPLE_MEM_INACTIVE_ANON,
	SAMPLE_MEM_ACTIVE_FILE,
	SAMPLE_MEM_INACTIVE_FILE,
	SAMPLE_MEM_KERNEL,		    /* v2 kernel, v1 kmem usage */
	SAMPLE_MEM_PGFAULT,		    /* count */
	SAMPLE_MEM_PGMAJFAULT,		    /* count */
	SAMPLE_MEM_WORKING_SET,		    /* usage - inactive_file, floored at 0 */
	SAMPLE_MEM_FAILCNT,		    /* v1 memory.failcnt, count */
	SAMPLE_MEM_EVENTS_HIGH,		    /* v2 memory.events high, count */
	SAMPLE_MEM_EVENTS_MAX,		    /* v2 memory.events max, count */
	SAMPLE_MEM_OOM,			    /* v2 memory.events oom, count */
	SAMPLE_MEM_OOM_KILL,		    /* memory.events oom_kill, v1 oom_control oom_kill */
	SAMPLE_MEM_OOM_GROUP_KILL,	    /* v2 memory.events oom_group_kill, count */
	SAMPLE_MEM_FILE_DIRTY,		    /* v2 file_dirty, v1 total_dirty */
	SAMPLE_MEM_FILE_WRITEBACK,	    /* v2 file_writeback, v1 total_writeback */
	SAMPLE_MEM_PGSCAN,		    /* v2 pgscan, count */
	SAMPLE_MEM_PGSTEAL,		    /* v2 pgsteal, count */
	SAMPLE_MEM_WORKINGSET_REFAULT_ANON, /* v2 workingset_refault_anon, count */
	SAMPLE_MEM_WORKINGSET_REFAULT_FILE, /* v2 workingset_refault_file, count */

	/* pids */
	SAMPLE_PIDS_CURRENT,
	SAMPLE_PIDS_LIMIT, /* MST_UNLIMITED when unlimited */

	/* block I/O, sums over all devices of blkdev[] */
	SAMPLE_IO_READ_BYTES,
	SAMPLE_IO_WRITE_BYTES,
	SAMPLE_IO_READ_OPS,
	SAMPLE_IO_WRITE_OPS,

	/* network, sums over all interfaces of netif[] (lo excluded) */
	SAMPLE_NET_RX_BYTES,
	SAMPLE_NET_RX_PACKETS,
	SAMPLE_NET_RX_ERRORS,
	SAMPLE_NET_RX_DROPPED,
	SAMPLE_NET_TX_BYTES,
	SAMPLE_NET_TX_PACKETS,
	SAMPLE_NET_TX_ERRORS,
	SAMPLE_NET_TX_DROPPED,

	/* pressure stall information (v2 only), cumulative "total=" microseconds
	 * converted to nanoseconds. "some" is time in which at least one task
	 * waited, "full" time in which all non-idle tasks stalled at once. */
	SAMPLE_PSI_CPU_SOME_NS,
	SAMPLE_PSI_CPU_FULL_NS,
	SAMPLE_PSI_MEMORY_SOME_NS,
	SAMPLE_PSI_MEMORY_FULL_NS,
	SAMPLE_PSI_IO_SOME_NS,
	SAMPLE_PSI_IO_FULL_NS,

	_SAMPLE_KEY_MAX,
};

/* The room a collector may fill in a sample it is given. Devices or
 * interfaces beyond it are left out of the lists but still counted in the
 * totals. The bound keeps an odd kernel file from growing memory without
 * limit. */
#define SAMPLE_MAX_BLKDEVS 128
#define SAMPLE_MAX_NETIFS  128

struct sample_blkdev {
	uint32_t major, minor;
	uint64_t read_bytes, write_bytes, read_ops, write_ops;
};

struct sample_netif {
	char name[IF_NAMESIZE];
	uint64_t rx_bytes, rx_packets, rx_errors, rx_dropped;
	uint64_t tx_bytes, tx_packets, tx_errors, tx_dropped;
};

struct sample {
	uint64_t mono_ns; /* CLOCK_MONOTONIC when the pass read this target */
	uint64_t real_ns; /* CLOCK_REALTIME at the same moment */
	/* Set by the pipeline when a collector must read the target's limit
	 * files in this pass instead of repeating their last values: after
	 * mstatd changed the limits, and in a target's final pass. */
	bool reread_limits;
	uint64_t value[_SAMPLE_KEY_MAX];
	uint64_t present[(_SAMPLE_KEY_MAX + 63) / 64];
	/* In a sample passed to collect(), blkdev and netif have room for
	 * SAMPLE_MAX_BLKDEVS and SAMPLE_MAX_NETIFS entries; elsewhere, for
	 * n_blkdev and n_netif. */
	unsigned n_blkdev;
	struct sample_blkdev *blkdev;
	unsigned n_netif;
	struct sample_netif *netif;
};

/* Lists of the full capacity, for a sample that collectors fill. */
struct sample_lists {
	struct sample_blkdev blkdev[SAMPLE_MAX_BLKDEVS];
	struct sample_netif netif[SAMPLE_MAX_NETIFS];
};

/* Declares a sample `name` that collectors may fill, with its lists beside
 * it, and resets it. */
#define SAMPLE_DECLARE(name)                                                                       \
	struct sample_lists name##_lists;                                                          \
	struct sample name;                                                                        \
	sample_init(&name, &name##_lists)

static inline void sample_set(struct sample *s, enum sample_key k, uint64_t v)
{
	s->value[k] = v;
	s->present[k / 64] |= UINT64_C(1) << (k % 64);
}

static inline bool sample_has(const struct sample *s, enum sample_key k)
{
	return s->present[k / 64] & (UINT64_C(1) << (k % 64));
}

/* Returns true and stores the value when k is present. */
static inline bool sample_get(const struct sample *s, enum sample_key k, uint64_t *ret)
{
	if (!sample_has(s, k))
		return false;
	*ret = s->value[k];
	return true;
}

/* Resets s and points its lists at l. */
void sample_init(struct sample *s, struct sample_lists *l);

/* Clears the values and empties the lists, keeping where the lists are; used
 * at the start of a pass. */
void sample_reset(struct sample *s);

/* Copies the values and the lists of src into dst, whose lists hold
 * *cap_blkdev and *cap_netif entries in memory from malloc(); grows them when
 * src has more. Returns -ENOMEM and leaves dst alone when growing fails. */
int sample_copy_grow(struct sample *dst, unsigned *cap_blkdev, unsigned *cap_netif,
		     const struct sample *src);

/* Copies src into dst with its lists placed at *blkdev_pool and *netif_pool,
 * which then move past them. The pools must have room for src's lists. */
void sample_copy_into(struct sample *dst, const struct sample *src,
		      struct sample_blkdev **blkdev_pool, struct sample_netif **netif_pool);

/* Frees lists that sample_copy_grow() allocated and resets s. */
void sample_free_lists(struct sample *s);

#endif
