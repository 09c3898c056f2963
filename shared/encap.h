/* SPDX-License-Identifier: GPL-2.0 OR LGPL-2.1+ */
/*
 * The encap header of copies (uapi struct portshare_encap_hdr, DESIGN §3,
 * docs/protocol.md §3), written and recognised the same way by both
 * primaries: portshare.ko (kmod/copy.c, share.c) and psd (libportshare's
 * pri_forward.c, encap.c).  Pure C like request.c; the fields are read and
 * written a byte at a time, so no byte-order helper is needed.
 */
#ifndef _PORTSHARE_ENCAP_H
#define _PORTSHARE_ENCAP_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include "ps_types.h"
#endif
#include <linux/portshare.h>

/**
 * struct ps_encap - the fields of one copy's header, host byte order
 * @origin_family: the original datagram's, PORTSHARE_FAMILY_INET or _INET6
 * @secondary_family: the secondary's
 * @origin_addr: the original source address, 4 or 16 bytes
 * @secondary_addr: the secondary's address, 4 or 16 bytes
 * @origin_port: the original source port
 * @contested_port: the port it was sent to
 * @payload_len: the length of the payload after the header
 * @seq: the datagram's index among those the port shared
 * @timestamp_ns: when it was received, ns since the epoch
 */
struct ps_encap {
	u8 origin_family;
	u8 secondary_family;
	const void *origin_addr;
	const void *secondary_addr;
	u16 origin_port;
	u16 contested_port;
	u32 payload_len;
	u32 seq;
	u64 timestamp_ns;
};

void ps_encap_fill(struct portshare_encap_hdr *h, const struct ps_encap *e);
bool ps_encap_is_copy(const struct portshare_encap_hdr *h, size_t len);

#endif /* _PORTSHARE_ENCAP_H */
