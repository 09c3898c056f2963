/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel types kmod/request.c uses, for psd, which compiles that very
 * file (the same registration parser as portshare.ko).
 */
#ifndef _PS_TYPES_H
#define _PS_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;

#endif /* _PS_TYPES_H */
