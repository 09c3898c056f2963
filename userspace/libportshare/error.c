// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Error values and their messages: negated errnos and PORTSHARE_E_*, and
 * the mapping between reply codes and refusals, by the rows of
 * shared/replies.def.
 */
#include <string.h>

#include "portshare.h"
#include "reply.h"

/* PORTSHARE_E_<name> of each row of replies.def; "100 OK" is 0. */
#define PORTSHARE_E_OK 0
#define PS_REPLY(name, code, text, err) [PS_REPLY_ROW_##name] = PORTSHARE_E_##name,
static const int row_error[PS_REPLY_ROWS] = {
#include "replies.def"
};

#undef PS_REPLY

/* The row of a PORTSHARE_E_* refusal, or NULL for another error. */
static const struct ps_reply *refusal_of(int err)
{
	int i;

	for (i = 0; err && i < PS_REPLY_ROWS; i++)
		if (row_error[i] == err)
			return &ps_replies[i];
	return NULL;
}

const char *portshare_strerror(int err)
{
	const struct ps_reply *r = refusal_of(err);
	const char *s;

	if (r)
		return r->string;
	switch (err) {
	case 0:
		return "Success";
	case PORTSHARE_E_NO_REPLY:
		return "no reply from the primary";
	case PORTSHARE_E_BAD_MESSAGE:
		return "not a valid portshare message";
	case PORTSHARE_E_NO_SPACE:
		return "buffer too small";
	case PORTSHARE_E_INVALID:
		return "invalid argument";
	case PORTSHARE_E_NO_REG_PORT:
		return "no default registration port above port 52535: give one";
	case PORTSHARE_E_CLOSED:
		return "registration ended (dropped or shut down)";
	case PORTSHARE_E_RESOLVE:
		return "host name does not resolve";
	case PORTSHARE_E_REFUSED:
		return "refused by the primary with an unknown code";
	case PORTSHARE_E_HOST_BITS:
		return "network has bits set beyond its prefix length: clear them";
	case PORTSHARE_E_TABLE_FULL:
		return "too many ports or acl entries for one primary";
	case PORTSHARE_E_PORT_CONFLICT:
		return "port is already one of this primary's contested ports: give each port once";
	case PORTSHARE_E_VERIFY:
		return "the primary wants a cookie the secondary could not give (102 VERIFY again: do its replies reach the source address?)";
	}
	if (err < 0 && err > PORTSHARE_E_BASE) {
		s = strerrordesc_np(-err);
		if (s)
			return s;
	}
	return "unknown error";
}

int portshare_reply_error(int code, int cmd)
{
	const struct ps_reply *r;

	r = ps_reply_of_code(code, cmd == PORTSHARE_REQ_DROP);
	return r ? row_error[r - ps_replies] : PORTSHARE_E_REFUSED;
}

int portshare_error_reply(int err, const char **text)
{
	const struct ps_reply *r;

	r = err ? refusal_of(err) : &ps_replies[PS_REPLY_ROW_OK];
	if (!r)
		return PORTSHARE_E_INVALID;
	*text = r->string;
	return r->code;
}
