// SPDX-License-Identifier: GPL-2.0 OR LGPL-2.1+
/*
 * The encap header of copies: see encap.h.
 */

#include "encap.h"

#ifdef __KERNEL__
#include <linux/string.h>
#else
#include <string.h>
#endif

static void put_be(void *field, u64 v, unsigned int n)
{
	u8 *b = field;

	while (n--) {
		b[n] = v & 0xff;
		v >>= 8;
	}
}

static u64 get_be(const void *field, unsigned int n)
{
	const u8 *b = field;
	u64 v = 0;

	while (n--)
		v = v << 8 | *b++;
	return v;
}

static unsigned int addr_len(u8 family)
{
	return family == PORTSHARE_FAMILY_INET ? 4 : 16;
}

/**
 * ps_encap_fill() - write a copy's header
 * @h: PORTSHARE_ENCAP_HDR_LEN bytes
 * @e: its fields
 */
void ps_encap_fill(struct portshare_encap_hdr *h, const struct ps_encap *e)
{
	memset(h, 0, sizeof(*h));
	put_be(&h->magic, PORTSHARE_ENCAP_MAGIC, sizeof(h->magic));
	h->version = PORTSHARE_ENCAP_VERSION;
	h->hdr_len = sizeof(*h);
	h->origin_family = e->origin_family;
	h->secondary_family = e->secondary_family;
	put_be(&h->origin_port, e->origin_port, sizeof(h->origin_port));
	put_be(&h->contested_port, e->contested_port,
	       sizeof(h->contested_port));
	memcpy(h->origin_addr, e->origin_addr, addr_len(e->origin_family));
	memcpy(h->secondary_addr, e->secondary_addr,
	       addr_len(e->secondary_family));
	put_be(&h->payload_len, e->payload_len, sizeof(h->payload_len));
	put_be(&h->seq, e->seq, sizeof(h->seq));
	put_be(&h->timestamp_ns, e->timestamp_ns, sizeof(h->timestamp_ns));
}

/**
 * ps_encap_is_copy() - is a datagram sent to a contested port a copy?
 * @h: its first PORTSHARE_ENCAP_HDR_LEN payload bytes
 * @len: its payload length, at least PORTSHARE_ENCAP_HDR_LEN
 *
 * Some primary has the contested port on a list: sharing the copy would
 * start a loop.  The magic and the lengths decide, not the version or
 * the families, so a later version's copies are recognised too.  Raw and
 * transparent copies look like any datagram: only the control plane's
 * loop checks stop those.
 *
 * Return: true if the datagram is not to be shared.
 */
bool ps_encap_is_copy(const struct portshare_encap_hdr *h, size_t len)
{
	return get_be(&h->magic, sizeof(h->magic)) == PORTSHARE_ENCAP_MAGIC &&
	       h->hdr_len >= sizeof(*h) && h->hdr_len <= len &&
	       get_be(&h->payload_len, sizeof(h->payload_len)) ==
	       len - h->hdr_len;
}
