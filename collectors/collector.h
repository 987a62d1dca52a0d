/* SPDX-License-Identifier: MIT */
/*
 * The collector interface. A collector is a named set of callbacks: open()
 * prepares per-target state (kept file descriptors), collect() fills a sample,
 * close() releases the state. Built-in collectors register the same way a
 * plugin does. Collectors never log above debug and never allocate in
 * collect().
 */
#ifndef MSTAT_COLLECTORS_COLLECTOR_H
#define MSTAT_COLLECTORS_COLLECTOR_H

#include <sys/types.h>

#include "collectors/sample.h"
#include "common/cglayout.h"
#include "common/err.h"

/* 2: pressure and memory keys added to struct sample; 3: its reread_limits;
 * 4: its device and interface lists moved out of the struct */
#define COLLECTOR_ABI_VERSION 4

/* The target description a collector receives when it opens a target. */
struct target_info {
	const struct cg_layout *layout;
	const struct cg_paths *cgroup;
	pid_t pid; /* a process in the target's network namespace; 0 when none */
};

struct collector {
	unsigned abi_version; /* COLLECTOR_ABI_VERSION */
	const char *name;     /* "cpu", "memory", ... */

	/* Prepares state for one target. Returns 0 and sets *ret_state, -ENOENT
	 * when this collector has nothing to read for the target (then it is
	 * skipped for that target), or another negative errno. */
	int (*open)(const struct target_info *t, void **ret_state, struct mst_err *err);

	/* Adds this collector's values to s. Returns 0, -ENODEV or -ENOENT when the
	 * cgroup vanished (the target ends quietly), or another negative errno. */
	int (*collect)(void *state, struct sample *s);

	/* Releases state; accepts NULL. */
	void (*close)(void *state);
};

/* Registers c. The registry keeps the pointer, so c must outlive it (static
 * storage for built-ins, the loaded object for plugins). Returns -EEXIST when
 * the name is taken and -EINVAL on an ABI mismatch. */
int collector_register(const struct collector *c);

/* Registers cpu, memory, io, pids, net and pressure. */
int collectors_register_builtin(void);

/* Iterates the registry: returns the i-th collector or NULL past the end. */
const struct collector *collector_at(size_t i);

/* Clears the registry (tests). */
void collector_registry_reset(void);

#endif
