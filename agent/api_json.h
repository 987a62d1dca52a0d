/* SPDX-License-Identifier: MIT */
/*
 * JSON shapes of the API, after Docker's Engine API: the create request body
 * (also stored in the state file), the inspect object and the list entry.
 * Pure functions over records; nothing here touches the container table.
 */
#ifndef MSTAT_AGENT_API_JSON_H
#define MSTAT_AGENT_API_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent/record.h"
#include "common/err.h"

/*
 * Converts a create body {Cmd, Env, WorkingDir, Hostname, Rootfs, HostConfig}
 * into ret_spec (name and id left empty) and ret_options (HostConfig's
 * AutoRemove and RestartPolicy). Unknown
 * fields are ignored. On a missing or mistyped field, returns -EINVAL with a
 * message naming the field. Does not run rt_spec_validate().
 */
int api_spec_from_json(json_t *body, struct rt_spec *ret_spec, struct ctr_options *ret_options,
		       struct mst_err *err);

/*
 * Converts an update body (docker's UpdateConfig: Memory, MemorySwap,
 * NanoCpus, CpuShares, PidsLimit, BlkioDeviceReadBps, BlkioDeviceWriteBps,
 * RestartPolicy) into the new values and the CTR_UPDATE_* bits of the fields
 * it changes. As dockerd, it reads 0 as "unchanged" for the first four, 0
 * or -1 as "no limit" for PidsLimit, and an empty RestartPolicy.Name as
 * "unchanged". ret_limits owns the device lists.
 * Returns 0 or -EINVAL with a message naming the field.
 */
int api_update_from_json(json_t *body, struct rt_limits *ret_limits,
			 struct restart_policy *ret_restart, unsigned *ret_fields,
			 struct mst_err *err);

/* Converts an exec create body {Cmd, Env, WorkingDir, Tty, AttachStdin}
 * into the argv, env, cwd, tty and open_stdin of ret_spec. Returns -EINVAL
 * with a message naming the field on a missing or invalid one. */
int api_exec_from_json(json_t *body, struct rt_spec *ret_spec, struct mst_err *err);

/* Builds the Warnings array of a create reply: one message per field that
 * a Docker client may send but mstat ignores (Image, HostConfig.Privileged,
 * Binds, Mounts, Devices, CapAdd, CapDrop, SecurityOpt), when it requests
 * something. NULL on allocation failure. */
json_t *api_create_warnings(json_t *body);

/* The inverse of api_spec_from_json(); NULL on allocation failure. */
json_t *api_spec_to_json(const struct rt_spec *spec, const struct ctr_options *options);

/* Docker's inspect object for a record. */
json_t *api_json_inspect(const struct ctr_record *r);

/* One entry of GET /v1/containers; now_ns (CLOCK_REALTIME) is used for the
 * human-readable Status ("Up 5 minutes"). */
json_t *api_json_list_entry(const struct ctr_record *r, uint64_t now_ns);

/* Formats a CLOCK_REALTIME time in RFC 3339 with nanoseconds, UTC; 0 becomes
 * docker's zero time "0001-01-01T00:00:00Z". */
void api_format_time(uint64_t ns, char *buf, size_t size);

/* Formats docker's approximate duration ("5 seconds", "About an hour"). */
void api_format_duration(uint64_t seconds, char *buf, size_t size);

/* Network parts (api_json_net.c). */

/* Reads HostConfig.PortBindings into spec->ports; absent, null or {} leaves
 * no ports. -EINVAL with a message naming the port on a bad shape. */
int api_ports_from_json(json_t *host, struct rt_spec *spec, struct mst_err *err);
json_t *api_ports_to_json(const struct rt_spec *spec);	       /* PortBindings */
json_t *api_exposed_ports_to_json(const struct rt_spec *spec); /* Config.ExposedPorts */
json_t *api_network_settings_to_json(const struct ctr_record *r);
json_t *api_list_ports_to_json(const struct ctr_record *r); /* Ports of a list entry */
/* The bridge endpoint as the state file keeps it, and back; null or absent
 * reads as no endpoint. */
json_t *api_endpoint_to_json(const struct rt_net_endpoint *ep);
int api_endpoint_from_json(json_t *obj, struct rt_net_endpoint *ret, struct mst_err *err);

/* Builds {"message": msg}. */
json_t *api_json_message(const char *msg);

#endif
