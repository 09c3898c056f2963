// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The encap header of copies (uapi struct portshare_encap_hdr, DESIGN §3,
 * docs/protocol.md §3): 64 bytes in network byte order, written by the
 * shared ps_encap_fill() that portshare.ko uses too, and parsed here for
 * secondaries.
 */
#include <endian.h>
#include <stddef.h>
#include <string.h>

#include "encap.h"
#include "portshare.h"
#include "primary.h"

_Static_assert(sizeof(struct portshare_encap_hdr) == PORTSHARE_ENCAP_HDR_LEN,
	       "the encap header is 64 bytes");
_Static_assert(offsetof(struct portshare_encap_hdr, origin_addr) == 16,
	       "origin_addr at offset 16");
_Static_assert(offsetof(struct portshare_encap_hdr, timestamp_ns) == 56,
	       "timestamp_ns at offset 56");

static bool family_ok(uint8_t f)
{
	return f == PORTSHARE_FAMILY_INET || f == PORTSHARE_FAMILY_INET6;
}

static void addr_get(struct portshare_addr *a, uint8_t family,
		     const uint8_t *bytes)
{
	memset(a, 0, sizeof(*a));
	a->family = family;
	memcpy(a->addr, bytes, family == PORTSHARE_FAMILY_INET ? 4 : 16);
}

int portshare_encap_parse(const void *buf, size_t len,
			  struct portshare_copy_hdr *hdr,
			  const void **payload)
{
	struct portshare_encap_hdr h;

	memset(hdr, 0, sizeof(*hdr));
	if (len < sizeof(h))
		return PORTSHARE_E_BAD_MESSAGE;
	memcpy(&h, buf, sizeof(h));
	if (be32toh(h.magic) != PORTSHARE_ENCAP_MAGIC ||
	    h.version != PORTSHARE_ENCAP_VERSION ||
	    h.hdr_len < sizeof(h) || h.hdr_len > len ||
	    be32toh(h.payload_len) != len - h.hdr_len ||
	    !family_ok(h.origin_family) || !family_ok(h.secondary_family))
		return PORTSHARE_E_BAD_MESSAGE;
	hdr->version = h.version;
	hdr->hdr_len = h.hdr_len;
	hdr->flags = be16toh(h.flags);
	addr_get(&hdr->origin, h.origin_family, h.origin_addr);
	hdr->origin_port = be16toh(h.origin_port);
	hdr->contested_port = be16toh(h.contested_port);
	addr_get(&hdr->secondary, h.secondary_family, h.secondary_addr);
	hdr->payload_len = be32toh(h.payload_len);
	hdr->seq = be32toh(h.seq);
	hdr->timestamp_ns = be64toh(h.timestamp_ns);
	if (payload)
		*payload = (const uint8_t *)buf + h.hdr_len;
	return 0;
}

int portshare_encap_write(const struct portshare_copy_hdr *hdr, void *buf,
			  size_t size)
{
	struct portshare_encap_hdr h;
	struct ps_encap e = {
		.origin_family = hdr->origin.family,
		.secondary_family = hdr->secondary.family,
		.origin_addr = hdr->origin.addr,
		.secondary_addr = hdr->secondary.addr,
		.origin_port = hdr->origin_port,
		.contested_port = hdr->contested_port,
		.payload_len = hdr->payload_len,
		.seq = hdr->seq,
		.timestamp_ns = hdr->timestamp_ns,
	};

	if (size < sizeof(h))
		return PORTSHARE_E_NO_SPACE;
	if (!family_ok(hdr->origin.family) ||
	    !family_ok(hdr->secondary.family))
		return PORTSHARE_E_INVALID;
	ps_encap_fill(&h, &e);
	memcpy(buf, &h, sizeof(h));
	return (int)sizeof(h);
}

/* Is a datagram to a contested port a copy (ps_encap_is_copy())? */
bool pri_is_copy(const void *buf, size_t len)
{
	struct portshare_encap_hdr h;

	if (len < sizeof(h))
		return false;
	memcpy(&h, buf, sizeof(h));
	return ps_encap_is_copy(&h, len);
}
