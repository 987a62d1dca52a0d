/* SPDX-License-Identifier: MIT */
/*
 * The collector registry: built-in collectors and plugins register here, and
 * the pipeline opens every registered collector on each target. The registry
 * keeps pointers only, and only the agent's main thread uses it.
 */
#include <errno.h>
#include <string.h>

#include "collectors/builtin.h"
#include "collectors/collector.h"

/* NOTE: the capacity is fixed. Registering more collectors fails with -ENOSPC. */
#define COLLECTOR_REGISTRY_MAX 32

static const struct collector *registry[COLLECTOR_REGISTRY_MAX];
static size_t registry_len;

int collector_register(const struct collector *c)
{
	if (!c || c->abi_version != COLLECTOR_ABI_VERSION)
		return -EINVAL;
	if (!c->name || !c->name[0] || !c->open || !c->collect || !c->close)
		return -EINVAL;

	for (size_t i = 0; i < registry_len; i++)
		if (strcmp(registry[i]->name, c->name) == 0)
			return -EEXIST;
	if (registry_len == COLLECTOR_REGISTRY_MAX)
		return -ENOSPC;

	registry[registry_len++] = c;
	return 0;
}

int collectors_register_builtin(void)
{
	static const struct collector *const builtins[] = {
		&collector_cpu,	 &collector_memory, &collector_io,
		&collector_pids, &collector_net,    &collector_pressure,
	};

	for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++) {
		int r = collector_register(builtins[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

const struct collector *collector_at(size_t i)
{
	return i < registry_len ? registry[i] : NULL;
}

void collector_registry_reset(void)
{
	memset(registry, 0, sizeof(registry));
	registry_len = 0;
}
