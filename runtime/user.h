/* SPDX-License-Identifier: MIT */
/*
 * The user a container's process runs as: docker's `--user USER[:GROUP]`
 * resolved through the container root's /etc/passwd and /etc/group, as runc's
 * user lookup does. Resolution allocates and runs before any clone; only
 * applying the result runs in the child.
 */
#ifndef MSTAT_RUNTIME_USER_H
#define MSTAT_RUNTIME_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

/* Largest uid or gid accepted, as runc and docker: 2^31 - 1. */
#define RT_USER_ID_MAX 2147483647U

/* Maximum length of a line of /etc/passwd or /etc/group, newline excluded. */
#define RT_USER_LINE_MAX 65536

/* Largest /etc/passwd or /etc/group read. */
#define RT_USER_FILE_MAX (16U * 1024 * 1024)

/* Most supplementary groups, the kernel's NGROUPS_MAX. */
#define RT_USER_GROUPS_MAX 65536

/* One side of USER[:GROUP]: a name, or a number when is_id. */
struct rt_user_part {
	const char *name; /* points into the parsed text; NULL when absent */
	size_t len;
	bool is_id;
	uint32_t id; /* when is_id */
};

/* docker's --user value split into its parts. */
struct rt_user_arg {
	struct rt_user_part user;
	struct rt_user_part group; /* name NULL without ":GROUP" */
};

/* A resolved user. */
struct rt_user {
	uint32_t uid;
	uint32_t gid;
	uint32_t *groups; /* supplementary groups: gid first, then the memberships, as docker */
	size_t n_groups;
	char *home; /* from the passwd entry, "/" without one */
};

/* Splits USER[:GROUP] (names or numbers) and checks each part: present, one
 * colon at most, no leading '-' or '+', numbers within 0..RT_USER_ID_MAX.
 * Returns 0 or -EINVAL with err naming the value. */
int rt_user_parse(const char *text, struct rt_user_arg *ret, struct mst_err *err);

/* Checks one --group-add value: a group name or a gid. Returns 0 or
 * -EINVAL with err naming the value. */
int rt_group_parse(const char *text, struct mst_err *err);

/*
 * Resolves text as runc does for docker. A name must have a passwd entry, a
 * number need not. The entry gives the gid and HOME. Without :GROUP the
 * supplementary groups are those of /etc/group that list the user's name;
 * with :GROUP there are none. group_add (NULL-terminated, may be NULL) adds
 * groups by name or number, as docker's --group-add. A NULL passwd or group
 * means the file does not exist. Fails on a line longer than
 * RT_USER_LINE_MAX or a NUL byte, naming the file and line.
 */
int rt_user_resolve_text(const char *text, char *const *group_add, const char *passwd,
			 size_t passwd_len, const char *group, size_t group_len,
			 struct rt_user *ret, struct mst_err *err);

/* Reads etc/passwd and etc/group beneath the directory root_fd, resolving
 * every symlink inside it (openat2 RESOLVE_IN_ROOT), and resolves text. A
 * missing file counts as empty; one that is not a regular file or is larger
 * than RT_USER_FILE_MAX is an error. */
int rt_user_resolve(int root_fd, const char *text, char *const *group_add, struct rt_user *ret,
		    struct mst_err *err);

/* Same as rt_user_resolve() with the root given by path. */
int rt_user_resolve_path(const char *root, const char *text, char *const *group_add,
			 struct rt_user *ret, struct mst_err *err);

void rt_user_free(struct rt_user *u); /* accepts NULL */

#endif
