/* SPDX-License-Identifier: GPL-2.0 OR LGPL-2.1+ */
/*
 * The kernel types the files of shared/ use, when they are built outside
 * the kernel: into libportshare (the primary API answers with
 * portshare.ko's parser and replies), and into the parser's unit test and
 * fuzz target (selftests/fuzz).
 */
#ifndef _PS_TYPES_H
#define _PS_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#endif /* _PS_TYPES_H */
