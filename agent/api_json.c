/* SPDX-License-Identifier: MIT */
/*
 * Conversions between container records and the Docker-shaped JSON of the
 * API. Field names follow Docker's Engine API so that existing scripts read
 * them; mstat's own additions sit under "Mstat".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/api_json.h"
#include "runtime/user.h"

static const char *json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number with a fraction or exponent";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "unknown";
}

static int wrong_type(const char *field, const char *expected, const json_t *v, struct mst_err *err)
{
	return err_setx(err, EINVAL, "invalid field '%s': expected %s, got %s", field, expected,
			json_type_name(v));
}

/* Reads an optional array of strings; absent or null leaves *ret NULL. */
static int get_strv(json_t *obj, const char *key, const char *field, char ***ret,
		    struct mst_err *err)
{
	json_t *arr = json_object_get(obj, key), *item;
	size_t i;
	char **v;

	if (!arr || json_is_null(arr)) {
		*ret = NULL;
		return 0;
	}
	if (!json_is_array(arr))
		return wrong_type(field, "an array of strings", arr, err);

	json_array_foreach(arr, i, item) if (!json_is_string(item)) return err_setx(
	    err, EINVAL, "invalid field '%s': element %zu is %s, expected a string", field, i,
	    json_type_name(item));

	v = calloc(json_array_size(arr) + 1, sizeof(*v));
	if (!v)
		return err_set(err, ENOMEM, "%s", field);
	json_array_foreach(arr, i, item)
	{
		v[i] = strdup(json_string_value(item));
		if (!v[i]) {
			for (size_t j = 0; j < i; j++)
				free(v[j]);
			free(v);
			return err_set(err, ENOMEM, "%s", field);
		}
	}
	*ret = v;
	return 0;
}

/* Reads optional docker-style Labels, an object of strings, into a
 * NULL-terminated KEY=VALUE list; absent, null or {} leaves *ret NULL. A key
 * must be non-empty and free of '=', so that the list splits back. */
static int get_labels(json_t *obj, struct rt_spec *spec, struct mst_err *err)
{
	json_t *labels = json_object_get(obj, "Labels"), *value;
	const char *key;
	size_t n = 0;
	char **v;

	spec->labels = NULL;
	if (!labels || json_is_null(labels) ||
	    (json_is_object(labels) && !json_object_size(labels)))
		return 0;
	if (!json_is_object(labels))
		return wrong_type("Labels", "an object of strings", labels, err);
	json_object_foreach(labels, key, value)
	{
		if (!key[0] || strchr(key, '='))
			return err_setx(
			    err, EINVAL,
			    "invalid label key '%s': expected a non-empty key without '='", key);
		if (!json_is_string(value))
			return err_setx(err, EINVAL,
					"invalid label '%s': its value is %s, expected a string",
					key, json_type_name(value));
	}

	v = calloc(json_object_size(labels) + 1, sizeof(*v));
	if (!v)
		return err_set(err, ENOMEM, "Labels");
	json_object_foreach(labels, key, value)
	{
		if (asprintf(&v[n], "%s=%s", key, json_string_value(value)) < 0) {
			v[n] = NULL;
			for (size_t j = 0; j < n; j++)
				free(v[j]);
			free(v);
			return err_set(err, ENOMEM, "Labels");
		}
		n++;
	}
	spec->labels = v;
	return 0;
}

/* Reads an optional string; absent, null or "" leaves *ret NULL. */
static int get_string(json_t *obj, const char *key, const char *field, char **ret,
		      struct mst_err *err)
{
	json_t *v = json_object_get(obj, key);

	*ret = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return wrong_type(field, "a string", v, err);
	if (json_string_length(v) == 0)
		return 0;
	*ret = strdup(json_string_value(v));
	if (!*ret)
		return err_set(err, ENOMEM, "%s", field);
	return 0;
}

/* Reads an optional integer of at least min; absent or null leaves *ret 0. */
static int get_int(json_t *obj, const char *key, const char *field, long long min, long long *ret,
		   struct mst_err *err)
{
	json_t *v = json_object_get(obj, key);

	*ret = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v))
		return wrong_type(field, "an integer", v, err);
	if (json_integer_value(v) < min)
		return err_setx(err, EINVAL, "invalid field '%s': %lld is below the minimum %lld",
				field, (long long)json_integer_value(v), min);
	*ret = json_integer_value(v);
	return 0;
}

static int get_bool(json_t *obj, const char *key, bool *ret, struct mst_err *err)
{
	json_t *v = json_object_get(obj, key);

	*ret = false;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return wrong_type(key, "a boolean", v, err);
	*ret = json_is_true(v);
	return 0;
}

/* Reads Tty, OpenStdin and HostConfig.ConsoleSize ([rows, columns]). */
static int get_terminal(json_t *body, struct rt_spec *spec, struct mst_err *err)
{
	json_t *host = json_object_get(body, "HostConfig");
	json_t *size = json_is_object(host) ? json_object_get(host, "ConsoleSize") : NULL;
	json_t *rows = json_array_get(size, 0), *cols = json_array_get(size, 1);

	if (get_bool(body, "Tty", &spec->tty, err) < 0 ||
	    get_bool(body, "OpenStdin", &spec->open_stdin, err) < 0)
		return -EINVAL;
	if (!size || json_is_null(size))
		return 0;
	if (!json_is_array(size) || json_array_size(size) != 2 || !json_is_integer(rows) ||
	    !json_is_integer(cols) || json_integer_value(rows) < 0 ||
	    json_integer_value(rows) > 65535 || json_integer_value(cols) < 0 ||
	    json_integer_value(cols) > 65535)
		return err_setx(err, EINVAL,
				"invalid field 'HostConfig.ConsoleSize': expected [rows, columns] "
				"with each from 0 to 65535");
	spec->console_rows = (unsigned)json_integer_value(rows);
	spec->console_cols = (unsigned)json_integer_value(cols);
	return 0;
}

/* Reads NetworkMode after the ports: without a mode, a container that
 * publishes ports goes on the bridge and any other gets its own namespace
 * with lo only. */
static int get_network(json_t *host, struct rt_spec *spec, struct mst_err *err)
{
	json_t *v = json_object_get(host, "NetworkMode");
	const char *mode;

	spec->network = spec->n_ports ? RT_NET_BRIDGE : RT_NET_NONE;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return wrong_type("HostConfig.NetworkMode", "a string", v, err);

	mode = json_string_value(v);
	if (mode[0] == '\0' || strcmp(mode, "default") == 0)
		return 0;
	if (rt_network_from_string(mode, &spec->network) < 0)
		return err_setx(err, EINVAL,
				"invalid field 'HostConfig.NetworkMode': '%s' is not supported, "
				"use 'none', 'host' or 'bridge'",
				mode);
	return 0;
}

static int get_device_rate(json_t *item, const char *field, size_t i, struct rt_device_rate *ret,
			   struct mst_err *err)
{
	json_t *path = json_object_get(item, "Path"), *rate = json_object_get(item, "Rate");

	if (!json_is_object(item))
		return err_setx(err, EINVAL,
				"invalid field '%s': element %zu is %s, expected an object "
				"{Path, Rate}",
				field, i, json_type_name(item));
	if (!json_is_string(path) || json_string_length(path) == 0)
		return err_setx(err, EINVAL,
				"invalid field '%s[%zu].Path': expected the path of a block device "
				"node as a non-empty string",
				field, i);
	if (!json_is_integer(rate) || json_integer_value(rate) < 0)
		return err_setx(err, EINVAL,
				"invalid field '%s[%zu].Rate': expected bytes per second as an "
				"integer of at least 0",
				field, i);
	ret->path = strdup(json_string_value(path));
	if (!ret->path)
		return err_set(err, ENOMEM, "%s", field);
	ret->rate = (uint64_t)json_integer_value(rate);
	return 0;
}

/* Reads an optional array of {Path, Rate}; absent, null or [] leaves *ret NULL. */
static int get_device_rates(json_t *host, const char *key, const char *field,
			    struct rt_device_rate **ret, size_t *ret_n, struct mst_err *err)
{
	json_t *arr = json_object_get(host, key), *item;
	struct rt_device_rate *rates;
	size_t i;

	if (!arr || json_is_null(arr))
		return 0;
	if (!json_is_array(arr))
		return wrong_type(field, "an array of {Path, Rate} objects", arr, err);
	if (json_array_size(arr) == 0)
		return 0;
	if (json_array_size(arr) > RT_DEVICE_RATES_MAX)
		return err_setx(err, EINVAL, "invalid field '%s': %zu devices, the maximum is %d",
				field, json_array_size(arr), RT_DEVICE_RATES_MAX);

	rates = calloc(json_array_size(arr), sizeof(*rates));
	if (!rates)
		return err_set(err, ENOMEM, "%s", field);
	json_array_foreach(arr, i, item)
	{
		if (get_device_rate(item, field, i, &rates[i], err) < 0) {
			for (size_t j = 0; j < i; j++)
				free(rates[j].path);
			free(rates);
			return -EINVAL;
		}
	}
	*ret = rates;
	*ret_n = json_array_size(arr);
	return 0;
}

/* Reads RestartPolicy {Name, MaximumRetryCount} of a HostConfig or an update
 * body; absent or null leaves *ret as it is. prefix names the object in
 * messages. */
static int get_restart_policy(json_t *obj, const char *prefix, struct restart_policy *ret,
			      struct mst_err *err)
{
	json_t *policy = json_object_get(obj, "RestartPolicy"), *name;
	struct restart_policy p = { .mode = RESTART_NO, .max_retries = 0 };
	char field[64];
	long long count;

	if (!policy || json_is_null(policy))
		return 0;
	snprintf(field, sizeof(field), "%sRestartPolicy", prefix);
	if (!json_is_object(policy))
		return wrong_type(field, "an object", policy, err);
	name = json_object_get(policy, "Name");
	if (name && !json_is_null(name) && !json_is_string(name)) {
		snprintf(field, sizeof(field), "%sRestartPolicy.Name", prefix);
		return wrong_type(field, "a string", name, err);
	}
	/* Docker reads a missing or empty Name as "no". */
	if (json_is_string(name) && json_string_length(name) > 0 &&
	    restart_mode_from_string(json_string_value(name), &p.mode) < 0)
		return err_setx(err, EINVAL,
				"invalid field '%sRestartPolicy.Name': '%s' is not a restart "
				"policy; use no, always, unless-stopped or on-failure",
				prefix, json_string_value(name));

	snprintf(field, sizeof(field), "%sRestartPolicy.MaximumRetryCount", prefix);
	if (get_int(policy, "MaximumRetryCount", field, 0, &count, err) < 0)
		return -EINVAL;
	if (count > RESTART_MAX_RETRIES)
		return err_setx(err, EINVAL, "invalid field '%s': %lld is above the maximum %d",
				field, count, RESTART_MAX_RETRIES);
	if (count > 0 && p.mode != RESTART_ON_FAILURE)
		return err_setx(err, EINVAL,
				"invalid field '%s': a retry count needs the on-failure policy, "
				"not %s",
				field, restart_mode_to_string(p.mode));
	p.max_retries = (unsigned)count;
	*ret = p;
	return 0;
}

static int get_options(json_t *host, struct ctr_options *ret, struct mst_err *err)
{
	json_t *auto_remove = json_object_get(host, "AutoRemove");

	if (auto_remove && !json_is_null(auto_remove)) {
		if (!json_is_boolean(auto_remove))
			return wrong_type("HostConfig.AutoRemove", "a boolean", auto_remove, err);
		ret->auto_remove = json_is_true(auto_remove);
	}
	if (get_restart_policy(host, "HostConfig.", &ret->restart, err) < 0)
		return -EINVAL;
	/* As dockerd: a container removed at its exit cannot be restarted. */
	if (ret->auto_remove && ret->restart.mode != RESTART_NO)
		return err_setx(err, EINVAL,
				"conflicting fields 'HostConfig.AutoRemove' and "
				"'HostConfig.RestartPolicy': a container removed at exit cannot "
				"restart; drop one of them");
	return 0;
}

static int get_host_config(json_t *body, struct rt_spec *spec, struct ctr_options *ret_options,
			   struct mst_err *err)
{
	json_t *host = json_object_get(body, "HostConfig");
	long long memory, swap, nano_cpus, shares, pids;

	*ret_options = (struct ctr_options){ .auto_remove = false };
	if (!host || json_is_null(host))
		return 0;
	if (!json_is_object(host))
		return wrong_type("HostConfig", "an object", host, err);

	if (get_strv(host, "GroupAdd", "HostConfig.GroupAdd", &spec->group_add, err) < 0 ||
	    get_int(host, "Memory", "HostConfig.Memory", 0, &memory, err) < 0 ||
	    get_int(host, "MemorySwap", "HostConfig.MemorySwap", -1, &swap, err) < 0 ||
	    get_int(host, "NanoCpus", "HostConfig.NanoCpus", 0, &nano_cpus, err) < 0 ||
	    get_int(host, "CpuShares", "HostConfig.CpuShares", 0, &shares, err) < 0 ||
	    get_int(host, "PidsLimit", "HostConfig.PidsLimit", -1, &pids, err) < 0)
		return -EINVAL;
	spec->limits.memory = (uint64_t)memory;
	spec->limits.memory_swap = swap;
	spec->limits.nano_cpus = (uint64_t)nano_cpus;
	spec->limits.cpu_shares = (uint64_t)shares;
	spec->limits.pids_limit = pids;

	if (api_ports_from_json(host, spec, err) < 0 || get_network(host, spec, err) < 0)
		return -EINVAL;
	if (get_device_rates(host, "BlkioDeviceReadBps", "HostConfig.BlkioDeviceReadBps",
			     &spec->limits.device_read_bps, &spec->limits.n_device_read_bps,
			     err) < 0 ||
	    get_device_rates(host, "BlkioDeviceWriteBps", "HostConfig.BlkioDeviceWriteBps",
			     &spec->limits.device_write_bps, &spec->limits.n_device_write_bps,
			     err) < 0)
		return -EINVAL;

	return get_options(host, ret_options, err);
}

int api_spec_from_json(json_t *body, struct rt_spec *ret_spec, struct ctr_options *ret_options,
		       struct mst_err *err)
{
	struct rt_spec spec = { 0 };
	struct ctr_options options;

	if (!json_is_object(body))
		return wrong_type("body", "an object", body, err);

	if (get_strv(body, "Cmd", "Cmd", &spec.argv, err) < 0)
		goto fail;
	if (!spec.argv || !spec.argv[0]) {
		err_setx(err, EINVAL,
			 "missing field 'Cmd': give the command as an array of strings");
		goto fail;
	}
	if (get_strv(body, "Env", "Env", &spec.env, err) < 0 || get_labels(body, &spec, err) < 0 ||
	    get_string(body, "WorkingDir", "WorkingDir", &spec.cwd, err) < 0 ||
	    get_string(body, "Hostname", "Hostname", &spec.hostname, err) < 0 ||
	    get_string(body, "Rootfs", "Rootfs", &spec.rootfs, err) < 0 ||
	    get_string(body, "User", "User", &spec.user, err) < 0 ||
	    get_host_config(body, &spec, &options, err) < 0 || get_terminal(body, &spec, err) < 0)
		goto fail;

	*ret_spec = spec;
	*ret_options = options;
	return 0;

fail:
	ctr_spec_free(&spec);
	return -EINVAL;
}

/* Reads an optional integer field of an update body into *ret and sets bit in
 * *fields when it is present. Docker clients send 0 for "unchanged", so 0
 * sets no bit unless zero_is_value. */
static int get_update_int(json_t *body, const char *key, long long min, bool zero_is_value,
			  unsigned bit, long long *ret, unsigned *fields, struct mst_err *err)
{
	json_t *v = json_object_get(body, key);

	if (!v || json_is_null(v))
		return 0;
	if (get_int(body, key, key, min, ret, err) < 0)
		return -EINVAL;
	if (*ret != 0 || zero_is_value)
		*fields |= bit;
	return 0;
}

int api_update_from_json(json_t *body, struct rt_limits *ret_limits,
			 struct restart_policy *ret_restart, unsigned *ret_fields,
			 struct mst_err *err)
{
	struct rt_limits l = { 0 };
	struct restart_policy restart = { .mode = RESTART_NO };
	unsigned fields = 0;
	long long memory = 0, swap = 0, nano_cpus = 0, shares = 0, pids = 0;

	if (!json_is_object(body))
		return wrong_type("body", "an object", body, err);
	if (get_update_int(body, "Memory", 0, false, CTR_UPDATE_MEMORY, &memory, &fields, err) <
		0 ||
	    get_update_int(body, "MemorySwap", -1, false, CTR_UPDATE_MEMORY_SWAP, &swap, &fields,
			   err) < 0 ||
	    get_update_int(body, "NanoCpus", 0, false, CTR_UPDATE_NANO_CPUS, &nano_cpus, &fields,
			   err) < 0 ||
	    get_update_int(body, "CpuShares", 0, false, CTR_UPDATE_CPU_SHARES, &shares, &fields,
			   err) < 0 ||
	    get_update_int(body, "PidsLimit", -1, true, CTR_UPDATE_PIDS_LIMIT, &pids, &fields,
			   err) < 0)
		return -EINVAL;
	l.memory = (uint64_t)memory;
	l.memory_swap = swap;
	l.nano_cpus = (uint64_t)nano_cpus;
	l.cpu_shares = (uint64_t)shares;
	/* Docker's update API: 0 or -1 removes the limit. */
	l.pids_limit = pids <= 0 ? -1 : pids;

	if (get_restart_policy(body, "", &restart, err) < 0)
		return -EINVAL;
	/* Docker clients send {"Name": ""} when --restart was not given. */
	json_t *policy = json_object_get(body, "RestartPolicy");
	json_t *policy_name = json_is_object(policy) ? json_object_get(policy, "Name") : NULL;
	if (json_is_string(policy_name) && json_string_length(policy_name) > 0)
		fields |= CTR_UPDATE_RESTART_POLICY;

	/* A present list, even [], replaces the devices' limits. */
	if (get_device_rates(body, "BlkioDeviceReadBps", "BlkioDeviceReadBps", &l.device_read_bps,
			     &l.n_device_read_bps, err) < 0)
		return -EINVAL;
	if (get_device_rates(body, "BlkioDeviceWriteBps", "BlkioDeviceWriteBps",
			     &l.device_write_bps, &l.n_device_write_bps, err) < 0) {
		struct rt_spec owner = { .limits = l };

		ctr_spec_free(&owner);
		return -EINVAL;
	}
	if (json_is_array(json_object_get(body, "BlkioDeviceReadBps")))
		fields |= CTR_UPDATE_DEVICE_READ_BPS;
	if (json_is_array(json_object_get(body, "BlkioDeviceWriteBps")))
		fields |= CTR_UPDATE_DEVICE_WRITE_BPS;

	*ret_limits = l;
	*ret_restart = restart;
	*ret_fields = fields;
	return 0;
}

int api_exec_from_json(json_t *body, struct rt_spec *ret_spec, struct mst_err *err)
{
	struct rt_spec spec = { 0 };

	if (!json_is_object(body))
		return wrong_type("body", "an object", body, err);
	if (get_strv(body, "Cmd", "Cmd", &spec.argv, err) < 0)
		goto fail;
	if (!spec.argv || !spec.argv[0] || !spec.argv[0][0]) {
		err_setx(err, EINVAL,
			 "missing field 'Cmd': give the command as an array of strings");
		goto fail;
	}
	if (get_strv(body, "Env", "Env", &spec.env, err) < 0 ||
	    get_string(body, "WorkingDir", "WorkingDir", &spec.cwd, err) < 0 ||
	    get_string(body, "User", "User", &spec.user, err) < 0 ||
	    get_bool(body, "Tty", &spec.tty, err) < 0 ||
	    get_bool(body, "AttachStdin", &spec.open_stdin, err) < 0)
		goto fail;
	if (spec.cwd && spec.cwd[0] != '/') {
		err_setx(err, EINVAL, "invalid field 'WorkingDir': '%s' is not an absolute path",
			 spec.cwd);
		goto fail;
	}
	struct rt_user_arg user;

	if (spec.user && spec.user[0] && rt_user_parse(spec.user, &user, err) < 0)
		goto fail;
	*ret_spec = spec;
	return 0;

fail:
	ctr_spec_free(&spec);
	return -EINVAL;
}

/* True for a value that requests something: true, a non-empty string, array
 * or object, or any number. False, null, "", [] and {} request nothing. */
static bool json_value_is_set(const json_t *v)
{
	if (!v || json_is_null(v) || json_is_false(v))
		return false;
	if (json_is_string(v))
		return json_string_length(v) > 0;
	if (json_is_array(v))
		return json_array_size(v) > 0;
	if (json_is_object(v))
		return json_object_size(v) > 0;
	return true;
}

static int add_warning(json_t *warnings, const char *field)
{
	char msg[160];

	snprintf(msg, sizeof(msg), "%s is not supported by mstat and was ignored", field);
	return json_array_append_new(warnings, json_string(msg));
}

json_t *api_create_warnings(json_t *body)
{
	static const char *const host_fields[] = { "Privileged", "Binds",   "Mounts",	  "Devices",
						   "CapAdd",	 "CapDrop", "SecurityOpt" };
	json_t *warnings = json_array();
	json_t *host = json_is_object(body) ? json_object_get(body, "HostConfig") : NULL;
	char field[64];
	int r = 0;

	if (!warnings || !json_is_object(body))
		return warnings;
	if (!json_is_object(host))
		host = NULL;
	if (json_value_is_set(json_object_get(body, "Image")))
		r |= add_warning(warnings, "Image");
	for (size_t i = 0; host && i < sizeof(host_fields) / sizeof(host_fields[0]); i++) {
		if (!json_value_is_set(json_object_get(host, host_fields[i])))
			continue;
		snprintf(field, sizeof(field), "HostConfig.%s", host_fields[i]);
		r |= add_warning(warnings, field);
	}
	if (r < 0) {
		json_decref(warnings);
		return NULL;
	}
	return warnings;
}

static json_t *strv_to_json(char *const *v)
{
	json_t *arr = json_array();

	if (!arr)
		return NULL;
	for (size_t i = 0; v && v[i]; i++)
		if (json_array_append_new(arr, json_string(v[i])) < 0) {
			json_decref(arr);
			return NULL;
		}
	return arr;
}

/* Turns a KEY=VALUE list into docker's Labels object. */
static json_t *labels_to_json(char *const *labels)
{
	json_t *obj = json_object();

	for (size_t i = 0; obj && labels && labels[i]; i++) {
		const char *eq = strchr(labels[i], '=');
		size_t key_len = eq ? (size_t)(eq - labels[i]) : strlen(labels[i]);
		char *key = strndup(labels[i], key_len);

		if (!key || json_object_set_new(obj, key, json_string(eq ? eq + 1 : "")) < 0) {
			free(key);
			json_decref(obj);
			return NULL;
		}
		free(key);
	}
	return obj;
}

static json_t *string_or_empty(const char *s)
{
	return json_string(s ? s : "");
}

static json_t *device_rates_to_json(const struct rt_device_rate *rates, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < n; i++) {
		json_t *item = json_pack("{s:s, s:I}", "Path", rates[i].path ? rates[i].path : "",
					 "Rate", (json_int_t)rates[i].rate);

		if (json_array_append_new(arr, item) < 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

/* Builds HostConfig. With effective_swap, MemorySwap is the value dockerd
 * stores at create (adaptContainerSettings in moby's daemon/daemon_unix.go):
 * twice Memory when Memory is set and MemorySwap is 0. The state file keeps
 * the requested value instead. */
static json_t *host_config_base_to_json(const struct rt_spec *spec,
					const struct ctr_options *options, bool effective_swap)
{
	const struct rt_limits *l = &spec->limits;
	int64_t swap = l->memory_swap;

	if (effective_swap && l->memory > 0 && swap == 0)
		swap = (int64_t)(l->memory * 2);
	return json_pack(
	    "{s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:s, s:b, s:{s:s, s:i}, s:[i, i]}", "Memory",
	    (json_int_t)l->memory, "MemorySwap", (json_int_t)swap, "NanoCpus",
	    (json_int_t)l->nano_cpus, "CpuShares", (json_int_t)l->cpu_shares, "PidsLimit",
	    (json_int_t)l->pids_limit, "BlkioDeviceReadBps",
	    device_rates_to_json(l->device_read_bps, l->n_device_read_bps), "BlkioDeviceWriteBps",
	    device_rates_to_json(l->device_write_bps, l->n_device_write_bps), "NetworkMode",
	    rt_network_to_string(spec->network), "AutoRemove", options->auto_remove,
	    "RestartPolicy", "Name", restart_mode_to_string(options->restart.mode),
	    "MaximumRetryCount", (int)options->restart.max_retries, "ConsoleSize",
	    (int)spec->console_rows, (int)spec->console_cols);
}

/* Sets key to value in obj; on failure, or when value is NULL, frees obj
 * and returns NULL. Steals value. */
static json_t *add_field(json_t *obj, const char *key, json_t *value)
{
	if (!obj || !value || json_object_set_new(obj, key, value) < 0) {
		json_decref(obj);
		if (!obj)
			json_decref(value);
		return NULL;
	}
	return obj;
}

static json_t *host_config_to_json(const struct rt_spec *spec, const struct ctr_options *options,
				   bool effective_swap)
{
	json_t *host = add_field(host_config_base_to_json(spec, options, effective_swap),
				 "PortBindings", api_ports_to_json(spec));

	return add_field(host, "GroupAdd",
			 spec->group_add ? strv_to_json(spec->group_add) : json_null());
}

json_t *api_spec_to_json(const struct rt_spec *spec, const struct ctr_options *options)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:b}", "Cmd",
			 strv_to_json(spec->argv), "Env", strv_to_json(spec->env), "Labels",
			 labels_to_json(spec->labels), "WorkingDir", string_or_empty(spec->cwd),
			 "Hostname", string_or_empty(spec->hostname), "Rootfs",
			 string_or_empty(spec->rootfs), "User", string_or_empty(spec->user),
			 "HostConfig", host_config_to_json(spec, options, false), "Tty", spec->tty,
			 "OpenStdin", spec->open_stdin);
}

void api_format_time(uint64_t ns, char *buf, size_t size)
{
	time_t seconds = (time_t)(ns / 1000000000ULL);
	struct tm tm;
	char date[32];

	if (ns == 0 || !gmtime_r(&seconds, &tm)) {
		snprintf(buf, size, "0001-01-01T00:00:00Z");
		return;
	}
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%09lluZ", date, (unsigned long long)(ns % 1000000000ULL));
}

static json_t *time_to_json(uint64_t ns)
{
	char buf[64];

	api_format_time(ns, buf, sizeof(buf));
	return json_string(buf);
}

static json_t *state_to_json(const struct ctr_record *r)
{
	return json_pack("{s:s, s:b, s:b, s:b, s:b, s:b, s:i, s:i, s:s, s:o, s:o}", "Status",
			 ctr_status_to_string(r->status), "Running",
			 r->status == CTR_STATUS_RUNNING, "Paused", 0, "Restarting",
			 r->status == CTR_STATUS_RESTARTING, "OOMKilled", r->oom_killed, "Dead",
			 r->status == CTR_STATUS_DEAD, "Pid", (int)r->pid, "ExitCode", r->exit_code,
			 "Error", r->error ? r->error : "", "StartedAt",
			 time_to_json(r->started_ns), "FinishedAt", time_to_json(r->finished_ns));
}

static json_t *config_base_to_json(const struct ctr_record *r)
{
	char short_id[13];

	snprintf(short_id, sizeof(short_id), "%.12s", r->spec.id);
	return json_pack("{s:s, s:s, s:o, s:o, s:s, s:o, s:b, s:b}", "Hostname",
			 r->spec.hostname ? r->spec.hostname : short_id, "User",
			 r->spec.user ? r->spec.user : "", "Env", strv_to_json(r->spec.env), "Cmd",
			 strv_to_json(r->spec.argv), "WorkingDir", r->spec.cwd ? r->spec.cwd : "",
			 "Labels", labels_to_json(r->spec.labels), "Tty", r->spec.tty, "OpenStdin",
			 r->spec.open_stdin);
}

static json_t *config_to_json(const struct ctr_record *r)
{
	return add_field(config_base_to_json(r), "ExposedPorts",
			 api_exposed_ports_to_json(&r->spec));
}

static json_t *inspect_base_to_json(const struct ctr_record *r)
{
	char name[RT_NAME_MAX + 1];
	const char *path = r->spec.argv && r->spec.argv[0] ? r->spec.argv[0] : "";
	char *const *args = r->spec.argv && r->spec.argv[0] ? r->spec.argv + 1 : NULL;

	snprintf(name, sizeof(name), "/%s", r->spec.name);
	return json_pack("{s:s, s:s, s:o, s:s, s:o, s:o, s:I, s:o, s:o, s:{s:o, s:I, s:s}}", "Id",
			 r->spec.id, "Name", name, "Created", time_to_json(r->created_ns), "Path",
			 path, "Args", strv_to_json(args), "State", state_to_json(r),
			 "RestartCount", (json_int_t)r->restart_count, "HostConfig",
			 host_config_to_json(&r->spec, &r->options, true), "Config",
			 config_to_json(r), "Mstat", "CgroupPath",
			 r->cgroup_path ? json_string(r->cgroup_path) : json_null(), "OOMKillCount",
			 (json_int_t)r->oom_kill_count, "Rootfs",
			 r->spec.rootfs ? r->spec.rootfs : "");
}

json_t *api_json_inspect(const struct ctr_record *r)
{
	return add_field(inspect_base_to_json(r), "NetworkSettings",
			 api_network_settings_to_json(r));
}

void api_format_duration(uint64_t s, char *buf, size_t size)
{
	const uint64_t minute = 60, hour = 60 * minute, day = 24 * hour;

	if (s < 1)
		snprintf(buf, size, "Less than a second");
	else if (s == 1)
		snprintf(buf, size, "1 second");
	else if (s < minute)
		snprintf(buf, size, "%llu seconds", (unsigned long long)s);
	else if (s < 2 * minute)
		snprintf(buf, size, "About a minute");
	else if (s < hour)
		snprintf(buf, size, "%llu minutes", (unsigned long long)(s / minute));
	else if (s < 2 * hour)
		snprintf(buf, size, "About an hour");
	else if (s < 2 * day)
		snprintf(buf, size, "%llu hours", (unsigned long long)(s / hour));
	else if (s < 14 * day)
		snprintf(buf, size, "%llu days", (unsigned long long)(s / day));
	else if (s < 90 * day)
		snprintf(buf, size, "%llu weeks", (unsigned long long)(s / (7 * day)));
	else if (s < 730 * day)
		snprintf(buf, size, "%llu months", (unsigned long long)(s / (30 * day)));
	else
		snprintf(buf, size, "%llu years", (unsigned long long)(s / (365 * day)));
}

static void format_list_status(const struct ctr_record *r, uint64_t now_ns, char *buf, size_t size)
{
	char since[48];
	uint64_t from = r->status == CTR_STATUS_RUNNING ? r->started_ns : r->finished_ns;
	uint64_t seconds = now_ns > from ? (now_ns - from) / 1000000000ULL : 0;

	api_format_duration(seconds, since, sizeof(since));
	switch (r->status) {
	case CTR_STATUS_RUNNING:
		snprintf(buf, size, "Up %s", since);
		break;
	case CTR_STATUS_EXITED:
		snprintf(buf, size, "Exited (%d) %s ago", r->exit_code, since);
		break;
	case CTR_STATUS_RESTARTING:
		snprintf(buf, size, "Restarting (%d) %s ago", r->exit_code, since);
		break;
	case CTR_STATUS_CREATED:
		snprintf(buf, size, "Created");
		break;
	case CTR_STATUS_REMOVING:
		snprintf(buf, size, "Removal In Progress");
		break;
	default:
		snprintf(buf, size, "Dead");
		break;
	}
}

static char *join_command(char *const *argv)
{
	size_t len = 1;
	char *s;

	for (size_t i = 0; argv && argv[i]; i++)
		len += strlen(argv[i]) + 1;
	s = calloc(1, len);
	if (!s)
		return NULL;
	for (size_t i = 0; argv && argv[i]; i++) {
		if (i > 0)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

json_t *api_json_list_entry(const struct ctr_record *r, uint64_t now_ns)
{
	char name[RT_NAME_MAX + 1], status[96];
	char *command = join_command(r->spec.argv);
	json_t *entry;

	if (!command)
		return NULL;
	snprintf(name, sizeof(name), "/%s", r->spec.name);
	format_list_status(r, now_ns, status, sizeof(status));

	entry =
	    json_pack("{s:s, s:[s], s:s, s:I, s:s, s:s}", "Id", r->spec.id, "Names", name,
		      "Command", command, "Created", (json_int_t)(r->created_ns / 1000000000ULL),
		      "State", ctr_status_to_string(r->status), "Status", status);
	free(command);
	return add_field(entry, "Ports", api_list_ports_to_json(r));
}

json_t *api_json_message(const char *msg)
{
	return json_pack("{s:s}", "message", msg);
}
