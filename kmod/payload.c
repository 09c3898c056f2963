// SPDX-License-Identifier: GPL-2.0
/*
 * A datagram's payload, copied once and shared by all its copies: the
 * first copy that needs it copies the payload out of the original into
 * page fragments, and every copy then carries references to those
 * fragments after its own headers.  N copies cost one memcpy of the
 * payload, not N.  Tiny payloads are copied into each copy's head instead:
 * for them a page reference costs more than the copy.
 */

#include "portshare.h"

#include <linux/mm.h>
#include <linux/skbuff.h>

/* Up to this many bytes, each copy gets its own copy of the payload. */
#define PAYLOAD_INLINE_MAX	64

static int payload_build(struct portshare_payload *pl,
			 const struct portshare_dgram *d)
{
	unsigned int off, chunk;
	void *buf;

	for (off = 0; off < d->len; off += chunk) {
		chunk = min_t(unsigned int, d->len - off, PAGE_SIZE);
		buf = netdev_alloc_frag(chunk);
		if (unlikely(!buf))
			return -ENOMEM;
		pl->chunk[pl->nr++] = buf;
		if (unlikely(skb_copy_bits(d->skb, d->offset + off, buf, chunk)))
			return -EFAULT;
	}
	return 0;
}

static int payload_get(struct portshare_dgram *d)
{
	struct portshare_payload *pl = &d->payload;

	BUILD_BUG_ON(PS_PAYLOAD_CHUNKS > MAX_SKB_FRAGS);
	if (unlikely(pl->failed))
		return -ENOMEM;
	if (likely(pl->nr))
		return 0;
	if (unlikely(payload_build(pl, d))) {
		pl->failed = true;
		return -ENOMEM;
	}
	return 0;
}

/**
 * portshare_payload_attach() - append the datagram's payload to a copy
 * @skb: the copy, its headers (if any) in its head; for a payload of up to
 *	PAYLOAD_INLINE_MAX bytes it has that much tailroom
 * @d: the datagram
 *
 * Return: 0, or -ENOMEM if the shared payload could not be built.
 */
int portshare_payload_attach(struct sk_buff *skb, struct portshare_dgram *d)
{
	const struct portshare_payload *pl = &d->payload;
	unsigned int i, left = d->len, size;
	struct page *page;

	if (d->len <= PAYLOAD_INLINE_MAX)
		return skb_copy_bits(d->skb, d->offset, skb_put(skb, d->len),
				     d->len);
	if (payload_get(d))
		return -ENOMEM;
	for (i = 0; i < pl->nr; i++, left -= size) {
		size = min_t(unsigned int, left, PAGE_SIZE);
		page = virt_to_head_page(pl->chunk[i]);
		get_page(page);
		skb_fill_page_desc(skb, i, page,
				   pl->chunk[i] - page_address(page), size);
		skb->truesize += SKB_DATA_ALIGN(size);
	}
	skb->len += d->len;
	skb->data_len += d->len;
	return 0;
}

/**
 * portshare_payload_tailroom() - head room a copy needs for the payload
 * @d: the datagram
 *
 * Return: the payload length if it is copied into each copy's head, else 0.
 */
unsigned int portshare_payload_tailroom(const struct portshare_dgram *d)
{
	return d->len <= PAYLOAD_INLINE_MAX ? d->len : 0;
}

/**
 * portshare_payload_put() - drop the datagram's own hold on its payload
 * @d: the datagram, all its copies made
 *
 * The copies keep the fragments they reference.
 */
void portshare_payload_put(struct portshare_dgram *d)
{
	struct portshare_payload *pl = &d->payload;

	while (pl->nr)
		skb_free_frag(pl->chunk[--pl->nr]);
	pl->failed = false;
}
