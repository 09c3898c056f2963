// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input
 * PRF", 2012): the keyed hash of the primary's return-routability
 * cookies (pri_verify.c), as portshare.ko's come from the kernel's
 * siphash().  A PRF, so a cookie tells nothing of the key and cannot be
 * forged for another source without it.
 */
#include "primary.h"

#define ROTL(x, b)	(uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

/* Little-endian, whatever the host: the paper's byte order. */
static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void sip_round(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = ROTL(v[1], 13);
	v[1] ^= v[0];
	v[0] = ROTL(v[0], 32);
	v[2] += v[3];
	v[3] = ROTL(v[3], 16);
	v[3] ^= v[2];
	v[0] += v[3];
	v[3] = ROTL(v[3], 21);
	v[3] ^= v[0];
	v[2] += v[1];
	v[1] = ROTL(v[1], 17);
	v[1] ^= v[2];
	v[2] = ROTL(v[2], 32);
}

/* One 8-byte word: 2 compression rounds. */
static void sip_word(uint64_t v[4], uint64_t m)
{
	v[3] ^= m;
	sip_round(v);
	sip_round(v);
	v[0] ^= m;
}

/**
 * pri_siphash() - SipHash-2-4 of @len bytes at @in under @key
 * @key: the 128-bit key, as 16 bytes (k0 little-endian first)
 * @in: the message
 * @len: its length
 *
 * Return: the 64-bit hash.
 */
uint64_t pri_siphash(const uint8_t key[PRI_SIPHASH_KEY], const void *in,
		     size_t len)
{
	const uint8_t *p = in;
	uint64_t k0 = le64(key), k1 = le64(key + 8);
	uint64_t v[4] = {
		k0 ^ 0x736f6d6570736575ULL, k1 ^ 0x646f72616e646f6dULL,
		k0 ^ 0x6c7967656e657261ULL, k1 ^ 0x7465646279746573ULL,
	};
	uint8_t last[8] = { 0 };
	size_t i;

	for (i = 0; i + 8 <= len; i += 8)
		sip_word(v, le64(p + i));
	/* the rest, and the length's low byte in the top byte */
	for (; i < len; i++)
		last[i % 8] = p[i];
	last[7] = (uint8_t)len;
	sip_word(v, le64(last));
	v[2] ^= 0xff;
	for (i = 0; i < 4; i++)
		sip_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}
