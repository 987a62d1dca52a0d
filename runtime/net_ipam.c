/* SPDX-License-Identifier: MIT */
/*
 * The IPv4 address allocator of the bridge's subnet: a bitmap with next-fit
 * search, and the strict parser of the subnet flag. Pure computation; the
 * caller persists what it hands out.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/parse.h"
#include "runtime/net.h"

/* Offsets 0 (network), 1 (gateway) and size - 1 (broadcast) are reserved. */
static bool offset_is_reserved(const struct rt_ipam *ipam, uint32_t offset)
{
	return offset < 2 || offset == ipam->size - 1;
}

static bool bit_get(const struct rt_ipam *ipam, uint32_t offset)
{
	return ipam->used[offset / 8] & (1u << (offset % 8));
}

static void bit_set(struct rt_ipam *ipam, uint32_t offset, bool on)
{
	if (on)
		ipam->used[offset / 8] |= (uint8_t)(1u << (offset % 8));
	else
		ipam->used[offset / 8] &= (uint8_t) ~(1u << (offset % 8));
}

/* Turns an address into its offset in the subnet; -ERANGE when outside. */
static int address_offset(const struct rt_ipam *ipam, uint32_t address, uint32_t *ret_offset)
{
	uint32_t host = ntohl(address);
	uint32_t mask = ~(uint32_t)0 << (32 - ipam->prefix_len);

	if ((host & mask) != ipam->network)
		return -ERANGE;
	*ret_offset = host - ipam->network;
	return 0;
}

int rt_parse_subnet(const char *s, uint32_t *ret_network, unsigned *ret_prefix_len)
{
	const char *slash = strchr(s, '/');
	char quad[INET_ADDRSTRLEN];
	struct in_addr addr;
	uint64_t prefix;
	size_t len;

	if (!slash)
		return -EINVAL;
	len = (size_t)(slash - s);
	if (len == 0 || len >= sizeof(quad))
		return -EINVAL;
	memcpy(quad, s, len);
	quad[len] = '\0';
	if (inet_pton(AF_INET, quad, &addr) != 1)
		return -EINVAL;
	if (slash[1] == '\0' || parse_u64_str(slash + 1, &prefix) < 0 ||
	    prefix < RT_SUBNET_PREFIX_MIN || prefix > RT_SUBNET_PREFIX_MAX)
		return -EINVAL;

	uint32_t host = ntohl(addr.s_addr);
	uint32_t mask = ~(uint32_t)0 << (32 - prefix);
	if ((host & ~mask) != 0)
		return -EINVAL;
	*ret_network = addr.s_addr;
	*ret_prefix_len = (unsigned)prefix;
	return 0;
}

int rt_ipam_init(struct rt_ipam *ipam, uint32_t network, unsigned prefix_len)
{
	uint32_t size;
	uint8_t *used;

	if (prefix_len < RT_SUBNET_PREFIX_MIN || prefix_len > RT_SUBNET_PREFIX_MAX)
		return -EINVAL;
	size = (uint32_t)1 << (32 - prefix_len);
	if ((ntohl(network) & (size - 1)) != 0)
		return -EINVAL;
	used = calloc(size / 8 ? size / 8 : 1, 1);
	if (!used)
		return -ENOMEM;
	*ipam = (struct rt_ipam){
		.network = ntohl(network),
		.prefix_len = prefix_len,
		.size = size,
		.next = 2,
		.used = used,
	};
	return 0;
}

void rt_ipam_free(struct rt_ipam *ipam)
{
	if (!ipam)
		return;
	free(ipam->used);
	memset(ipam, 0, sizeof(*ipam));
}

uint32_t rt_ipam_gateway(const struct rt_ipam *ipam)
{
	return htonl(ipam->network + 1);
}

int rt_ipam_allocate(struct rt_ipam *ipam, uint32_t *ret_address)
{
	for (uint32_t i = 0; i < ipam->size; i++) {
		uint32_t offset = (ipam->next + i) % ipam->size;

		if (offset_is_reserved(ipam, offset) || bit_get(ipam, offset))
			continue;
		bit_set(ipam, offset, true);
		ipam->next = (offset + 1) % ipam->size;
		*ret_address = htonl(ipam->network + offset);
		return 0;
	}
	return -ENOSPC;
}

int rt_ipam_reserve(struct rt_ipam *ipam, uint32_t address)
{
	uint32_t offset;

	if (address_offset(ipam, address, &offset) < 0 || offset_is_reserved(ipam, offset))
		return -ERANGE;
	if (bit_get(ipam, offset))
		return -EEXIST;
	bit_set(ipam, offset, true);
	return 0;
}

void rt_ipam_release(struct rt_ipam *ipam, uint32_t address)
{
	uint32_t offset;

	if (address_offset(ipam, address, &offset) < 0 || offset_is_reserved(ipam, offset))
		return;
	bit_set(ipam, offset, false);
}
