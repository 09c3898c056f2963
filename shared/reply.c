// SPDX-License-Identifier: GPL-2.0 OR LGPL-2.1+
/*
 * The reply table and its lookups.  Pure C: the errno values come from the
 * kernel's or libc's header, and nothing else is called.
 */

#include "reply.h"

#ifdef __KERNEL__
#include <linux/errno.h>
#else
#include <errno.h>
#endif

/* The code is the uapi enum's; codec_test checks it against the string. */
#define PS_REPLY(name, code, text, err) \
	[PS_REPLY_ROW_##name] = { PORTSHARE_REPLY_##name, err, #code " " text },
const struct ps_reply ps_replies[PS_REPLY_ROWS] = {
#include "replies.def"
};

#undef PS_REPLY

/**
 * ps_reply_of_code() - the row of a reply code
 * @code: a wire code
 * @drop: the request was a DROP, which 200 answers with "Not in List"
 *
 * Return: the row, or NULL for a code no row has.
 */
const struct ps_reply *ps_reply_of_code(int code, bool drop)
{
	int i;

	if (code == PORTSHARE_REPLY_LISTED)
		return &ps_replies[drop ? PS_REPLY_ROW_NOT_IN_LIST :
				   PS_REPLY_ROW_ALREADY_ADDED];
	for (i = 0; i < PS_REPLY_ROWS; i++)
		if (ps_replies[i].code == code)
			return &ps_replies[i];
	return NULL;
}
