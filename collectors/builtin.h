/* SPDX-License-Identifier: MIT */
/*
 * The built-in collectors, registered by collectors_register_builtin().
 * Internal to collectors/; other modules find them through the registry.
 */
#ifndef MSTAT_COLLECTORS_BUILTIN_H
#define MSTAT_COLLECTORS_BUILTIN_H

#include "collectors/collector.h"

extern const struct collector collector_cpu;
extern const struct collector collector_memory;
extern const struct collector collector_io;
extern const struct collector collector_pids;
extern const struct collector collector_net;
extern const struct collector collector_pressure;

#endif
