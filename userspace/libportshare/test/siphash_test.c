// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * SipHash-2-4 (siphash.c), the keyed hash of verify's cookies, against
 * the reference: the paper's test vector (Aumasson and Bernstein,
 * "SipHash: a fast short-input PRF", appendix A: key 00..0f, message
 * 00..0e) and the reference code's vectors.h for other lengths, so every
 * tail length and a full second word are covered.  Prints TAP.
 */
#include <stdint.h>

#include "primary.h"
#include "tap.h"

/* vectors.h's vectors_sip64[len] for the message 00..len-1. */
static const struct {
	size_t len;
	uint64_t hash;
} vectors[] = {
	{ 0, 0x726fdb47dd0e0e31ULL },
	{ 1, 0x74f839c593dc67fdULL },
	{ 7, 0xab0200f58b01d137ULL },
	{ 8, 0x93f5f5799a932462ULL },
	{ 15, 0xa129ca6149be45e5ULL },	/* the paper's */
	{ 16, 0x3f2acc7f57c29bdbULL },
	{ 63, 0x958a324ceb064572ULL },
};

int main(void)
{
	uint8_t key[PRI_SIPHASH_KEY], msg[64];
	uint64_t got;
	size_t i;

	printf("TAP version 13\n");
	for (i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)i;
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		got = pri_siphash(key, msg, vectors[i].len);
		OK(got == vectors[i].hash,
		   "SipHash-2-4 of %zu bytes: %016llx (want %016llx)",
		   vectors[i].len, (unsigned long long)got,
		   (unsigned long long)vectors[i].hash);
	}
	return tap_done();
}
