/* SPDX-License-Identifier: MIT */
/*
 * The net collector: interface counters of the target's network namespace,
 * read from <proc_root>/<pid>/net/dev of a process inside it. The file is
 * opened once, and the descriptor keeps the namespace it was opened in, even
 * after that process exits. Never logs, never allocates in collect().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "collectors/builtin.h"
#include "collectors/cgfile.h"

/* Room for about a hundred interfaces before the first pass. */
#define NET_MIN_BUFFER 16384

struct net_state {
	int fd;
	char *buf;
	size_t cap;
};

static void net_close(void *state)
{
	struct net_state *st = state;

	if (!st)
		return;
	if (st->fd >= 0)
		close(st->fd);
	free(st->buf);
	free(st);
}

static int net_open(const struct target_info *t, void **ret_state, struct mst_err *err)
{
	char dir[PATH_MAX];
	struct net_state *st;
	int r;

	if (t->pid <= 0)
		return -ENOENT;
	if (snprintf(dir, sizeof(dir), "%s/%d/net", t->layout->proc_root, (int)t->pid) >=
	    (int)sizeof(dir))
		return err_setx(err, ENAMETOOLONG, "proc root %s is too long",
				t->layout->proc_root);

	st = calloc(1, sizeof(*st));
	if (!st)
		return err_set(err, ENOMEM, "open %s/dev", dir);
	st->fd = -1;
	st->cap = NET_MIN_BUFFER;
	st->buf = malloc(st->cap);
	if (!st->buf) {
		r = err_set(err, ENOMEM, "open %s/dev", dir);
		goto fail;
	}

	r = cgfile_open(dir, "dev", &st->fd);
	if (r == -ENOENT || r == -ESRCH)
		goto fail; /* the process is gone: nothing to read, not an error */
	if (r < 0) {
		r = err_set(err, -r, "open %s/dev", dir);
		goto fail;
	}
	r = cgfile_fit_buffer(st->fd, &st->buf, &st->cap);
	if (r < 0) {
		r = err_set(err, -r, "read %s/dev", dir);
		goto fail;
	}
	*ret_state = st;
	return 0;

fail:
	net_close(st);
	return r == -ESRCH ? -ENOENT : r;
}

static int net_collect(void *state, struct sample *s)
{
	struct net_state *st = state;
	size_t len;

	int r = cgfile_read(st->fd, st->buf, st->cap, &len);
	if (r < 0)
		return r;
	return cgparse_net_dev(st->buf, len, s);
}

const struct collector collector_net = {
	.abi_version = COLLECTOR_ABI_VERSION,
	.name = "net",
	.open = net_open,
	.collect = net_collect,
	.close = net_close,
};
