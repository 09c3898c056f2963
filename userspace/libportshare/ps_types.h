/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kernel types kmod/request.c uses, for libportshare, which compiles
 * that very file (the primary API answers with portshare.ko's parser), and
 * for the parser's unit test and fuzz target (selftests/fuzz).
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
