/* SPDX-License-Identifier: MIT */
/*
 * Backend selection, the cgroup handle, and docker's limit conversions shared
 * by both backends. The conversions are pure functions so tests check them
 * against the values runc and dockerd produce.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "runtime/cgroup.h"

const struct cg_ops *cg_ops_for(const struct cg_layout *layout)
{
	return layout->version == CG_V2 ? &cg_ops_v2 : &cg_ops_v1;
}

int rt_cgroup_open(const struct cg_layout *layout, const struct cg_paths *parent, const char *name,
		   struct rt_cgroup **ret)
{
	struct rt_cgroup *cg = calloc(1, sizeof(*cg));
	bool found = false;
	int r;

	if (!cg)
		return -ENOMEM;
	cg->ops = cg_ops_for(layout);
	cg->layout = layout;
	cg->v2_dirfd = -1;
	r = cg_paths_child(parent, name, &cg->paths);
	if (r < 0) {
		free(cg);
		return r;
	}
	for (int c = 0; c < _CG_CTRL_MAX && !found; c++)
		found = cg->paths.dir[c] && access(cg->paths.dir[c], F_OK) == 0;
	if (!found) {
		rt_cgroup_free(cg);
		return -ENOENT;
	}
	*ret = cg;
	return 0;
}

void rt_cgroup_free(struct rt_cgroup *cg)
{
	if (!cg)
		return;
	cg_paths_free(&cg->paths);
	if (cg->v2_dirfd >= 0)
		(void)close(cg->v2_dirfd);
	free(cg);
}

/* dockerd turns --cpus into a CFS quota over a 100 ms period:
 * quota = NanoCpus * period / 1e9 (getCPUResources in daemon/oci_linux.go).
 * Split so that the product cannot overflow. */
uint64_t rt_cpu_quota_us(uint64_t nano_cpus)
{
	const uint64_t nano_per_cpu = 1000000000ULL;

	return nano_cpus / nano_per_cpu * RT_CPU_PERIOD_US +
	       nano_cpus % nano_per_cpu * RT_CPU_PERIOD_US / nano_per_cpu;
}

/*
 * Converts cpu.shares (2..262144, default 1024) to cpu.weight (1..10000,
 * default 100) with the quadratic fit in log2(shares) that maps 2 -> 1,
 * 1024 -> 100 and 262144 -> 10000. This is the conversion of
 * ConvertCPUSharesToCgroupV2Value in opencontainers/cgroups as used by runc
 * 1.3.2 and 1.4 (runc pull request 4785), and of crun 1.23 and later (crun pull
 * request 1767). Older runc and crun used the linear
 * 1 + (shares - 2) * 9999 / 262142, which maps 1024 to 39.
 * Returns 0 for shares 0, meaning "leave the default".
 */
uint64_t rt_cpu_shares_to_weight(uint64_t shares)
{
	if (shares == 0)
		return 0;
	if (shares <= 2)
		return 1;
	if (shares >= 262144)
		return 10000;

	double l = log2((double)shares);
	double exponent = (l * l + 125.0 * l) / 612.0 - 7.0 / 34.0;

	return (uint64_t)ceil(pow(10.0, exponent));
}
