/* SPDX-License-Identifier: MIT */
/*
 * Sample helpers that are not inline: resetting a sample and copying one into
 * lists of another length, which is how the pipeline keeps samples and
 * snapshots publish them without the full-capacity lists.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/sample.h"

void sample_init(struct sample *s, struct sample_lists *l)
{
	memset(s, 0, sizeof(*s));
	s->blkdev = l->blkdev;
	s->netif = l->netif;
}

void sample_reset(struct sample *s)
{
	struct sample_blkdev *blkdev = s->blkdev;
	struct sample_netif *netif = s->netif;

	memset(s, 0, sizeof(*s));
	s->blkdev = blkdev;
	s->netif = netif;
}

/* Makes *list (of *cap entries of size each) hold at least n entries. */
static int list_reserve(void **list, unsigned *cap, unsigned n, size_t size)
{
	void *v;

	if (n <= *cap)
		return 0;
	v = realloc(*list, (size_t)n * size);
	if (!v)
		return -ENOMEM;
	*list = v;
	*cap = n;
	return 0;
}

/* Copies src into dst with its lists written to blkdev and netif. */
static void copy_to(struct sample *dst, const struct sample *src, struct sample_blkdev *blkdev,
		    struct sample_netif *netif)
{
	*dst = *src;
	dst->blkdev = blkdev;
	dst->netif = netif;
	if (src->n_blkdev > 0)
		memcpy(blkdev, src->blkdev, src->n_blkdev * sizeof(src->blkdev[0]));
	if (src->n_netif > 0)
		memcpy(netif, src->netif, src->n_netif * sizeof(src->netif[0]));
}

int sample_copy_grow(struct sample *dst, unsigned *cap_blkdev, unsigned *cap_netif,
		     const struct sample *src)
{
	void *blkdev = dst->blkdev, *netif = dst->netif;

	if (list_reserve(&blkdev, cap_blkdev, src->n_blkdev, sizeof(src->blkdev[0])) < 0)
		return -ENOMEM;
	dst->blkdev = blkdev;
	if (list_reserve(&netif, cap_netif, src->n_netif, sizeof(src->netif[0])) < 0)
		return -ENOMEM;
	dst->netif = netif;
	copy_to(dst, src, blkdev, netif);
	return 0;
}

void sample_copy_into(struct sample *dst, const struct sample *src,
		      struct sample_blkdev **blkdev_pool, struct sample_netif **netif_pool)
{
	copy_to(dst, src, *blkdev_pool, *netif_pool);
	*blkdev_pool += src->n_blkdev;
	*netif_pool += src->n_netif;
}

void sample_free_lists(struct sample *s)
{
	free(s->blkdev);
	free(s->netif);
	memset(s, 0, sizeof(*s));
}
