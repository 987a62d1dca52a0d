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
 * into ret_spec (name and id left empty) and the AutoRemove flag. Unknown
 * fields are ignored. On a missing or mistyped field, returns -EINVAL with a
 * message naming the field. Does not run rt_spec_validate().
 */
int api_spec_from_json(json_t *body, struct rt_spec *ret_spec, bool *ret_auto_remove,
		       struct mst_err *err);

/* Converts an exec create body {Cmd, Env, WorkingDir, Tty, AttachStdin}
 * into the argv, env, cwd, tty and open_stdin of ret_spec. Returns -EINVAL
 * with a message naming the field on a missing or invalid one. */
int api_exec_from_json(json_t *body, struct rt_spec *ret_spec, struct mst_err *err);

/* Builds the Warnings array of a create reply: one message per field that
 * a Docker client may send but mstat ignores (Image, HostConfig.Privileged,
 * Binds, PortBindings, Mounts, Devices, CapAdd, CapDrop, SecurityOpt, and a
 * RestartPolicy other than "no"), when it requests for something. NULL on
 * allocation failure. */
json_t *api_create_warnings(json_t *body);

/* The inverse of api_spec_from_json(); NULL on allocation failure. */
json_t *api_spec_to_json(const struct rt_spec *spec, bool auto_remove);

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

/* Builds {"message": msg}. */
json_t *api_json_message(const char *msg);

#endif
