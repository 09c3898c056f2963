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

/**
 * ps_reply_code_of_errno() - the reply to a refusal met as an errno
 * @err: a negated errno, not 0
 *
 * Return: the code of the first row with that errno; 403 (Out of
 * Resources) for an errno no row has, which only a failure of the primary
 * itself returns.
 */
int ps_reply_code_of_errno(int err)
{
	int i;

	for (i = 0; i < PS_REPLY_ROWS; i++)
		if (ps_replies[i].err && ps_replies[i].err == -err)
			return ps_replies[i].code;
	return PORTSHARE_REPLY_NO_RESOURCES;
}
