/* SPDX-License-Identifier: GPL-2.0 OR LGPL-2.1+ */
/*
 * The rows of replies.def as a table, for both primaries: portshare.ko
 * and libportshare.  Pure C like request.c, so that a reply's code, text
 * and errno are looked up in one place.
 */
#ifndef _PORTSHARE_REPLY_H
#define _PORTSHARE_REPLY_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include "ps_types.h"
#endif
#include <linux/portshare.h>

/* A row's index in ps_replies[]: PS_REPLY_ROW_OK, ..._NO_RESOURCES. */
#define PS_REPLY(name, code, text, err) PS_REPLY_ROW_##name,
enum ps_reply_row {
#include "replies.def"
	PS_REPLY_ROWS
};

#undef PS_REPLY

/**
 * struct ps_reply - one row of replies.def
 * @code: the wire code, PORTSHARE_REPLY_<name>
 * @err: the positive errno of the same refusal over netlink (0 for OK)
 * @string: the whole reply, "code text", without a newline
 */
struct ps_reply {
	u16 code;
	u16 err;
	const char *string;
};

extern const struct ps_reply ps_replies[PS_REPLY_ROWS];

/* The whole reply of a row: PS_REPLY_TEXT(LIST_FULL) is "401 ERROR. List Full". */
#define PS_REPLY_TEXT(name)	(ps_replies[PS_REPLY_ROW_##name].string)

const struct ps_reply *ps_reply_of_code(int code, bool drop);

#endif /* _PORTSHARE_REPLY_H */
