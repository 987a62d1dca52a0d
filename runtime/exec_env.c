/* SPDX-License-Identifier: MIT */
/*
 * The environment of a container's command and of a command run in it by
 * exec: the given entries plus the PATH, HOSTNAME and HOME that docker adds
 * when they are missing. Built in the parent, before any clone.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/spawn_child.h"

/* The PATH docker sets when the image defines none. */
#define RT_DEFAULT_PATH_ENV "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* True when env has an entry "KEY=..." for the first key_len bytes of key. */
static bool env_has_key(char *const *env, const char *key, size_t key_len)
{
	for (size_t i = 0; env && env[i]; i++) {
		if (strncmp(env[i], key, key_len) == 0 && env[i][key_len] == '=')
			return true;
	}
	return false;
}

static bool either_has_key(char *const *first, char *const *second, const char *key)
{
	return env_has_key(first, key, strlen(key)) || env_has_key(second, key, strlen(key));
}

static size_t count(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

int rt_env_build(char *const *first, char *const *second, const char *hostname, bool tty,
		 struct rt_env *ret)
{
	struct rt_env e = { 0 };
	size_t n = 0;

	e.envp = calloc(count(first) + count(second) + 5, sizeof(char *));
	if (!e.envp)
		return -ENOMEM;
	for (size_t i = 0; first && first[i]; i++)
		e.envp[n++] = first[i];
	for (size_t i = 0; second && second[i]; i++) {
		const char *eq = strchr(second[i], '=');
		size_t key_len = eq ? (size_t)(eq - second[i]) : strlen(second[i]);

		if (!env_has_key(first, second[i], key_len))
			e.envp[n++] = second[i];
	}
	if (!either_has_key(first, second, "PATH"))
		e.envp[n++] = RT_DEFAULT_PATH_ENV;
	if (!either_has_key(first, second, "HOSTNAME")) {
		if (asprintf(&e.extra[0], "HOSTNAME=%s", hostname) < 0) {
			e.extra[0] = NULL;
			rt_env_free(&e);
			return -ENOMEM;
		}
		e.envp[n++] = e.extra[0];
	}
	if (!either_has_key(first, second, "HOME")) {
		e.extra[1] = strdup("HOME=/root");
		if (!e.extra[1]) {
			rt_env_free(&e);
			return -ENOMEM;
		}
		e.envp[n++] = e.extra[1];
	}
	/* docker run -t and docker exec -t set TERM=xterm for programs that
	 * need a terminal type. */
	if (tty && !either_has_key(first, second, "TERM"))
		e.envp[n++] = "TERM=xterm";
	*ret = e;
	return 0;
}

void rt_env_free(struct rt_env *e)
{
	free(e->envp);
	free(e->extra[0]);
	free(e->extra[1]);
	memset(e, 0, sizeof(*e));
}

int rt_env_set_default_home(struct rt_env *e, const char *home)
{
	char *entry;

	if (!e->extra[1])
		return 0;
	if (asprintf(&entry, "HOME=%s", home) < 0)
		return -ENOMEM;
	for (size_t i = 0; e->envp[i]; i++) {
		if (e->envp[i] == e->extra[1])
			e->envp[i] = entry;
	}
	free(e->extra[1]);
	e->extra[1] = entry;
	return 0;
}

const char *rt_env_get(char *const *envp, const char *key)
{
	size_t len = strlen(key);

	for (size_t i = 0; envp && envp[i]; i++) {
		if (strncmp(envp[i], key, len) == 0 && envp[i][len] == '=')
			return envp[i] + len + 1;
	}
	return NULL;
}
