/* SPDX-License-Identifier: MIT */
/*
 * The container state directory: <state-dir>/containers/<id>/ contains
 * state.json (the record, rewritten atomically), output.log (the
 * multiplexed output) and the init's exit file. A restarted agent reads the
 * records back from state.json.
 */
#ifndef MSTAT_AGENT_STATE_H
#define MSTAT_AGENT_STATE_H

#include <jansson.h>

#include "agent/record.h"
#include "common/err.h"

#define STATE_FILE	     "state.json"
#define STATE_OUTPUT_FILE    "output.log"
#define STATE_CONTAINERS_DIR "containers"
#define STATE_FORMAT_VERSION 1

json_t *state_to_json(const struct ctr_record *r);

/* Reads a record back; -EINVAL with a message naming the field when the JSON
 * does not have the shape state_to_json() writes. */
int state_from_json(json_t *root, struct ctr_record *ret, struct mst_err *err);

/* Writes <dir>/state.json atomically: a temporary file in dir, fsync, rename
 * over the old file, then fsync of dir. The temporary file is gone on return,
 * whether it succeeded or not. */
int state_write(const char *dir, const struct ctr_record *r, struct mst_err *err);

int state_read(const char *dir, struct ctr_record *ret, struct mst_err *err);

/* Creates a directory and its missing parents with the given mode. */
int state_mkdir_p(const char *path, mode_t mode);

/* Removes a container's directory, every file in it (state, output, the
 * init's exit file) and its empty subdirectories. Returns 0 when the
 * directory is gone, also when it never existed. */
int state_remove_dir(const char *dir);

#endif
