/* SPDX-License-Identifier: MIT */
/*
 * The container state directory: <state-dir>/containers/<id>/ contains
 * state.json (the record, rewritten atomically and synced to disk),
 * state.unsynced.json (a newer record written without fsync, when there is
 * one), output.log (the multiplexed output) and the init's exit file. A
 * restarted agent reads the newer complete record of the two.
 */
#ifndef MSTAT_AGENT_STATE_H
#define MSTAT_AGENT_STATE_H

#include <jansson.h>

#include "agent/record.h"
#include "common/err.h"

#define STATE_FILE	     "state.json"
#define STATE_UNSYNCED_FILE  "state.unsynced.json"
#define STATE_OUTPUT_FILE    "output.log"
#define STATE_CONTAINERS_DIR "containers"
#define STATE_FORMAT_VERSION 1

json_t *state_to_json(const struct ctr_record *r);

/* Reads a record back; -EINVAL with a message naming the field when the JSON
 * does not have the shape state_to_json() writes. */
int state_from_json(json_t *root, struct ctr_record *ret, struct mst_err *err);

/* Writes <dir>/state.json atomically: a temporary file in dir, fsync, rename
 * over the old file, then fsync of dir. Then removes state.unsynced.json. The
 * temporary file is gone on return, whether it succeeded or not. */
int state_write(const char *dir, const struct ctr_record *r, struct mst_err *err);

/* Writes <dir>/state.unsynced.json atomically (temporary file, rename) but
 * without fsync. After a crash of the agent it contains the whole record,
 * because the page cache survives. After a power loss it may be empty or
 * missing, and state_read() falls back to state.json. r->state_seq must be
 * higher than that of the last state_write(). */
int state_write_unsynced(const char *dir, const struct ctr_record *r, struct mst_err *err);

/* Reads the record back: from state.unsynced.json when it is complete and
 * its "Seq" is higher than state.json's, else from state.json. */
int state_read(const char *dir, struct ctr_record *ret, struct mst_err *err);

/* Creates a directory and its missing parents with the given mode. */
int state_mkdir_p(const char *path, mode_t mode);

/* Removes a container's directory, every file in it (state, output, the
 * init's exit file) and its empty subdirectories. Returns 0 when the
 * directory is gone, also when it never existed. */
int state_remove_dir(const char *dir);

#endif
