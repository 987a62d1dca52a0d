/* SPDX-License-Identifier: MIT */
/*
 * Container state files: JSON serialisation of records and atomic writes
 * (temporary file, fsync, rename, directory fsync), and the unsynced variant
 * for changes whose loss in a power failure only costs the newest status.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/api_json.h"
#include "agent/state.h"

static json_t *state_base_to_json(const struct ctr_record *r)
{
	return json_pack(
	    "{s:i, s:s, s:s, s:o, s:{s:s, s:i, s:I, s:b, s:I, s:I, s:I, s:i, s:o, s:o, s:I, s:b}}",
	    "Version", STATE_FORMAT_VERSION, "Id", r->spec.id, "Name", r->spec.name, "Config",
	    api_spec_to_json(&r->spec, &r->options), "State", "Status",
	    ctr_status_to_string(r->status), "ExitCode", r->exit_code, "OOMKillCount",
	    (json_int_t)r->oom_kill_count, "OOMKilled", r->oom_killed, "Created",
	    (json_int_t)r->created_ns, "StartedAt", (json_int_t)r->started_ns, "FinishedAt",
	    (json_int_t)r->finished_ns, "Pid", (int)r->pid, "CgroupPath",
	    r->cgroup_path ? json_string(r->cgroup_path) : json_null(), "Error",
	    r->error ? json_string(r->error) : json_null(), "RestartCount",
	    (json_int_t)r->restart_count, "ManuallyStopped", r->manually_stopped);
}

json_t *state_to_json(const struct ctr_record *r)
{
	json_t *root = state_base_to_json(r);

	if (root && json_object_set_new(root, "Seq", json_integer((json_int_t)r->state_seq)) < 0) {
		json_decref(root);
		return NULL;
	}
	/* The bridge address stays with the container until rm, across
	 * restarts of the container and of the agent. */
	if (!root || r->spec.endpoint.address == 0)
		return root;
	if (json_object_set_new(root, "NetworkSettings", api_endpoint_to_json(&r->spec.endpoint)) <
	    0) {
		json_decref(root);
		return NULL;
	}
	return root;
}

static int read_identity(json_t *root, struct ctr_record *r, struct mst_err *err)
{
	json_t *id = json_object_get(root, "Id"), *name = json_object_get(root, "Name");
	json_t *version = json_object_get(root, "Version");

	if (!json_is_integer(version) || json_integer_value(version) != STATE_FORMAT_VERSION)
		return err_setx(err, EINVAL, "unsupported 'Version': expected %d",
				STATE_FORMAT_VERSION);
	if (!json_is_string(id) || json_string_length(id) != 64)
		return err_setx(err, EINVAL, "invalid field 'Id': expected 64 hex digits");
	if (!json_is_string(name) || json_string_length(name) == 0 ||
	    json_string_length(name) >= RT_NAME_MAX)
		return err_setx(err, EINVAL, "invalid field 'Name'");

	memcpy(r->spec.id, json_string_value(id), 65);
	memcpy(r->spec.name, json_string_value(name), json_string_length(name) + 1);
	return 0;
}

static int read_u64(json_t *state, const char *key, uint64_t *ret, struct mst_err *err)
{
	json_t *v = json_object_get(state, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return err_setx(err, EINVAL, "invalid field 'State.%s': expected an integer >= 0",
				key);
	*ret = (uint64_t)json_integer_value(v);
	return 0;
}

static int read_optional_string(json_t *state, const char *key, char **ret, struct mst_err *err)
{
	json_t *v = json_object_get(state, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return err_setx(err, EINVAL, "invalid field 'State.%s': expected a string", key);
	if (ctr_set_string(ret, json_string_value(v)) < 0)
		return err_set(err, ENOMEM, "State.%s", key);
	return 0;
}

static int read_state(json_t *state, struct ctr_record *r, struct mst_err *err)
{
	json_t *status = json_object_get(state, "Status");
	json_t *exit_code = json_object_get(state, "ExitCode");
	json_t *oom_killed = json_object_get(state, "OOMKilled");
	json_t *pid = json_object_get(state, "Pid");

	if (!json_is_object(state))
		return err_setx(err, EINVAL, "missing field 'State'");
	if (!json_is_string(status) ||
	    ctr_status_from_string(json_string_value(status), &r->status) < 0)
		return err_setx(err, EINVAL, "invalid field 'State.Status'");
	if (!json_is_integer(exit_code))
		return err_setx(err, EINVAL, "invalid field 'State.ExitCode': expected an integer");
	if (!json_is_boolean(oom_killed))
		return err_setx(err, EINVAL, "invalid field 'State.OOMKilled': expected a boolean");
	if (!json_is_integer(pid) || json_integer_value(pid) < 0)
		return err_setx(err, EINVAL, "invalid field 'State.Pid': expected an integer >= 0");
	r->exit_code = (int)json_integer_value(exit_code);
	r->oom_killed = json_is_true(oom_killed);
	r->pid = (pid_t)json_integer_value(pid);

	if (read_u64(state, "OOMKillCount", &r->oom_kill_count, err) < 0 ||
	    read_u64(state, "Created", &r->created_ns, err) < 0 ||
	    read_u64(state, "StartedAt", &r->started_ns, err) < 0 ||
	    read_u64(state, "FinishedAt", &r->finished_ns, err) < 0 ||
	    read_optional_string(state, "CgroupPath", &r->cgroup_path, err) < 0 ||
	    read_optional_string(state, "Error", &r->error, err) < 0)
		return -EINVAL;

	/* Absent in state files of mstatd versions without restart policies. */
	json_t *manually_stopped = json_object_get(state, "ManuallyStopped");
	if (json_object_get(state, "RestartCount") &&
	    read_u64(state, "RestartCount", &r->restart_count, err) < 0)
		return -EINVAL;
	if (manually_stopped && !json_is_boolean(manually_stopped))
		return err_setx(err, EINVAL,
				"invalid field 'State.ManuallyStopped': expected a boolean");
	r->manually_stopped = json_is_true(manually_stopped);
	return 0;
}

int state_from_json(json_t *root, struct ctr_record *ret, struct mst_err *err)
{
	struct ctr_record r = { 0 };
	char name[RT_NAME_MAX], id[65];

	if (!json_is_object(root))
		return err_setx(err, EINVAL, "invalid state: expected an object");
	if (read_identity(root, &r, err) < 0)
		return -EINVAL;
	/* Absent in state files of mstatd versions that wrote only state.json. */
	json_t *seq = json_object_get(root, "Seq");
	if (seq && (!json_is_integer(seq) || json_integer_value(seq) < 0))
		return err_setx(err, EINVAL, "invalid field 'Seq': expected an integer >= 0");
	r.state_seq = seq ? (uint64_t)json_integer_value(seq) : 0;

	/* api_spec_from_json() fills the whole spec, so keep name and id aside. */
	memcpy(name, r.spec.name, sizeof(name));
	memcpy(id, r.spec.id, sizeof(id));
	if (api_spec_from_json(json_object_get(root, "Config"), &r.spec, &r.options, err) < 0)
		return err_prefix(err, "Config");
	memcpy(r.spec.name, name, sizeof(name));
	memcpy(r.spec.id, id, sizeof(id));

	if (api_endpoint_from_json(json_object_get(root, "NetworkSettings"), &r.spec.endpoint,
				   err) < 0) {
		ctr_record_free(&r);
		return -EINVAL;
	}
	if (read_state(json_object_get(root, "State"), &r, err) < 0) {
		ctr_record_free(&r);
		return -EINVAL;
	}
	*ret = r;
	return 0;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		r = -errno;
	close(fd);
	return r;
}

/* Replaces <dir>/<name> with the record through a temporary file and a
 * rename; with sync, the file and then dir are synced to disk as well. */
static int write_record(const char *dir, const char *name, const struct ctr_record *r, bool sync,
			struct mst_err *err)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	json_t *root = state_to_json(r);
	char *text = root ? json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
	int fd, ret;

	json_decref(root);
	if (!text)
		return err_set(err, ENOMEM, "serialising the state of %s", r->spec.name);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		ret = err_set(err, errno, "creating %s", tmp);
		free(text);
		return ret;
	}
	ret = write_all(fd, text, strlen(text));
	if (ret == 0 && sync && fsync(fd) < 0)
		ret = -errno;
	free(text);
	close(fd);
	if (ret < 0) {
		(void)unlink(tmp);
		return err_set(err, -ret, "writing %s", tmp);
	}

	if (rename(tmp, path) < 0) {
		ret = err_set(err, errno, "renaming %s to %s", tmp, path);
		(void)unlink(tmp);
		return ret;
	}
	ret = sync ? fsync_dir(dir) : 0;
	if (ret < 0)
		return err_set(err, -ret, "syncing %s", dir);
	return 0;
}

int state_write(const char *dir, const struct ctr_record *r, struct mst_err *err)
{
	char unsynced[PATH_MAX];
	int ret = write_record(dir, STATE_FILE, r, true, err);

	if (ret < 0)
		return ret;
	/* Older than the record just written. Should the removal be lost in a
	 * power failure, its lower Seq still ranks it below state.json. */
	snprintf(unsynced, sizeof(unsynced), "%s/%s", dir, STATE_UNSYNCED_FILE);
	(void)unlink(unsynced);
	return 0;
}

int state_write_unsynced(const char *dir, const struct ctr_record *r, struct mst_err *err)
{
	return write_record(dir, STATE_UNSYNCED_FILE, r, false, err);
}

/* Reads the record of <dir>/<name>. */
static int read_record(const char *dir, const char *name, struct ctr_record *ret,
		       struct mst_err *err)
{
	char path[PATH_MAX];
	json_error_t jerr;
	json_t *root;
	int r;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		if (access(path, F_OK) < 0)
			return err_set(err, errno, "reading %s", path);
		return err_setx(err, EINVAL, "reading %s: line %d: %s", path, jerr.line, jerr.text);
	}
	r = state_from_json(root, ret, err);
	json_decref(root);
	if (r < 0)
		return err_prefix(err, "%s", path);
	return 0;
}

int state_read(const char *dir, struct ctr_record *ret, struct mst_err *err)
{
	struct mst_err ignored = { 0 };
	struct ctr_record synced, unsynced;
	int r = read_record(dir, STATE_FILE, &synced, err);
	bool newer;

	/* An unsynced record that is incomplete or missing is the expected
	 * result of a power failure, not an error. */
	if (read_record(dir, STATE_UNSYNCED_FILE, &unsynced, &ignored) < 0) {
		if (r == 0)
			*ret = synced;
		return r;
	}
	newer = r < 0 || (strcmp(unsynced.spec.id, synced.spec.id) == 0 &&
			  unsynced.state_seq > synced.state_seq);
	if (!newer) {
		ctr_record_free(&unsynced);
		*ret = synced;
		return 0;
	}
	if (r == 0)
		ctr_record_free(&synced);
	err_clear(err);
	*ret = unsynced;
	return 0;
}

int state_mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, path, len + 1);

	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int state_remove_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	d = fdopendir(fd);
	if (!d) {
		r = -errno;
		close(fd);
		return r;
	}

	/* The directory contains files that mstatd and the init wrote, and the
	 * empty directories the runtime uses as mount points. Nothing is removed
	 * recursively, so a mount that is still attached stops the removal. */
	while ((de = readdir(d))) {
		int flags = de->d_type == DT_DIR ? AT_REMOVEDIR : 0;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (unlinkat(dirfd(d), de->d_name, flags) < 0 && errno != ENOENT && r == 0)
			r = -errno;
	}
	closedir(d);
	if (r < 0)
		return r;
	if (rmdir(dir) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}
