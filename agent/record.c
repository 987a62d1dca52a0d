/* SPDX-License-Identifier: MIT */
/*
 * Container records: copying, freeing, status names, id generation and
 * lookup by name, id or id prefix.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "agent/record.h"

static const char *const ctr_status_names[_CTR_STATUS_MAX];

static void free_strv(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

static int copy_strv(char *const *src, char ***ret)
{
	size_t n = 0;
	char **v;

	if (!src) {
		*ret = NULL;
		return 0;
	}
	while (src[n])
		n++;

	v = calloc(n + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		v[i] = strdup(src[i]);
		if (!v[i]) {
			free_strv(v);
			return -ENOMEM;
		}
	}
	*ret = v;
	return 0;
}

static int copy_string(const char *src, char **ret)
{
	char *s = NULL;

	if (src) {
		s = strdup(src);
		if (!s)
			return -ENOMEM;
	}
	*ret = s;
	return 0;
}

static void free_device_rates(struct rt_device_rate *rates, size_t n)
{
	for (size_t i = 0; rates && i < n; i++)
		free(rates[i].path);
	free(rates);
}

static int copy_device_rates(const struct rt_device_rate *src, size_t n,
			     struct rt_device_rate **ret)
{
	struct rt_device_rate *rates;

	if (!src || n == 0) {
		*ret = NULL;
		return 0;
	}
	rates = calloc(n, sizeof(*rates));
	if (!rates)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		rates[i].rate = src[i].rate;
		if (copy_string(src[i].path, &rates[i].path) < 0) {
			free_device_rates(rates, i);
			return -ENOMEM;
		}
	}
	*ret = rates;
	return 0;
}

int ctr_set_string(char **slot, const char *value)
{
	char *copy;

	if (copy_string(value, &copy) < 0)
		return -ENOMEM;
	free(*slot);
	*slot = copy;
	return 0;
}

void ctr_spec_free(struct rt_spec *spec)
{
	if (!spec)
		return;
	free_strv(spec->argv);
	free_strv(spec->env);
	free_strv(spec->labels);
	free(spec->cwd);
	free(spec->hostname);
	free(spec->rootfs);
	free(spec->user);
	free_strv(spec->group_add);
	free_device_rates(spec->limits.device_read_bps, spec->limits.n_device_read_bps);
	free_device_rates(spec->limits.device_write_bps, spec->limits.n_device_write_bps);
	free(spec->ports);
	memset(spec, 0, sizeof(*spec));
}

int ctr_spec_copy(const struct rt_spec *src, struct rt_spec *ret)
{
	struct rt_spec s = *src;

	s.argv = NULL;
	s.env = NULL;
	s.labels = NULL;
	s.cwd = NULL;
	s.hostname = NULL;
	s.rootfs = NULL;
	s.user = NULL;
	s.group_add = NULL;
	s.limits.device_read_bps = NULL;
	s.limits.device_write_bps = NULL;
	s.ports = NULL;
	if (src->n_ports) {
		s.ports = malloc(src->n_ports * sizeof(*s.ports));
		if (!s.ports)
			return -ENOMEM;
		memcpy(s.ports, src->ports, src->n_ports * sizeof(*s.ports));
	}
	if (copy_strv(src->argv, &s.argv) < 0 || copy_strv(src->env, &s.env) < 0 ||
	    copy_strv(src->labels, &s.labels) < 0 || copy_string(src->cwd, &s.cwd) < 0 ||
	    copy_string(src->hostname, &s.hostname) < 0 ||
	    copy_string(src->rootfs, &s.rootfs) < 0 || copy_string(src->user, &s.user) < 0 ||
	    copy_strv(src->group_add, &s.group_add) < 0 ||
	    copy_device_rates(src->limits.device_read_bps, src->limits.n_device_read_bps,
			      &s.limits.device_read_bps) < 0 ||
	    copy_device_rates(src->limits.device_write_bps, src->limits.n_device_write_bps,
			      &s.limits.device_write_bps) < 0) {
		ctr_spec_free(&s);
		return -ENOMEM;
	}
	*ret = s;
	return 0;
}

void ctr_record_free(struct ctr_record *r)
{
	if (!r)
		return;
	ctr_spec_free(&r->spec);
	free(r->cgroup_path);
	free(r->error);
	memset(r, 0, sizeof(*r));
}

int ctr_record_copy(const struct ctr_record *src, struct ctr_record *ret)
{
	struct ctr_record r = *src;

	r.cgroup_path = NULL;
	r.error = NULL;
	if (ctr_spec_copy(&src->spec, &r.spec) < 0)
		return -ENOMEM;
	if (copy_string(src->cgroup_path, &r.cgroup_path) < 0 ||
	    copy_string(src->error, &r.error) < 0) {
		ctr_record_free(&r);
		return -ENOMEM;
	}
	*ret = r;
	return 0;
}

int ctr_id_generate(char ret[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char bytes[32];
	size_t have = 0;

	while (have < sizeof(bytes)) {
		ssize_t n = getrandom(bytes + have, sizeof(bytes) - have, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		have += (size_t)n;
	}

	for (size_t i = 0; i < sizeof(bytes); i++) {
		ret[2 * i] = hex[bytes[i] >> 4];
		ret[2 * i + 1] = hex[bytes[i] & 0xf];
	}
	ret[64] = '\0';
	return 0;
}

int ctr_lookup(const void *set, size_t n, ctr_record_at_fn at, const char *key, size_t *ret_index)
{
	size_t key_len = strlen(key), found = 0, matches = 0;

	if (key_len == 0)
		return -ENOENT;

	for (size_t i = 0; i < n; i++)
		if (strcmp(at(set, i)->spec.id, key) == 0) {
			*ret_index = i;
			return 0;
		}

	for (size_t i = 0; i < n; i++)
		if (strcmp(at(set, i)->spec.name, key) == 0) {
			*ret_index = i;
			return 0;
		}

	for (size_t i = 0; i < n; i++)
		if (strncmp(at(set, i)->spec.id, key, key_len) == 0) {
			found = i;
			matches++;
		}
	if (matches == 0)
		return -ENOENT;
	if (matches > 1)
		return -ENOTUNIQ;
	*ret_index = found;
	return 0;
}

const char *ctr_status_to_string(enum ctr_status s)
{
	if ((unsigned)s >= _CTR_STATUS_MAX)
		return NULL;
	return ctr_status_names[s];
}

int ctr_status_from_string(const char *s, enum ctr_status *ret)
{
	for (unsigned i = 0; i < _CTR_STATUS_MAX; i++)
		if (strcmp(ctr_status_names[i], s) == 0) {
			*ret = (enum ctr_status)i;
			return 0;
		}
	return -EINVAL;
}

/* The State.Status values of docker's inspect object. */
static const char *const ctr_status_names[_CTR_STATUS_MAX] = {
	[CTR_STATUS_CREATED] = "created", [CTR_STATUS_RUNNING] = "running",
	[CTR_STATUS_EXITED] = "exited",	  [CTR_STATUS_REMOVING] = "removing",
	[CTR_STATUS_DEAD] = "dead",	  [CTR_STATUS_RESTARTING] = "restarting",
};
