// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Error values and their messages: negated errnos and PORTSHARE_E_*, and
 * the mapping between reply codes and refusals (uapi enum portshare_reply).
 */
#include <string.h>

#include "portshare.h"

struct refusal {
	int err;
	int code;
	const char *text;
};

/* Index i is PORTSHARE_E_ALREADY_ADDED - i. */
static const struct refusal refusals[] = {
	{ PORTSHARE_E_ALREADY_ADDED, PORTSHARE_REPLY_LISTED,
	  PORTSHARE_REPLY_TEXT_ALREADY_ADDED },
	{ PORTSHARE_E_NOT_IN_LIST, PORTSHARE_REPLY_LISTED,
	  PORTSHARE_REPLY_TEXT_NOT_IN_LIST },
	{ PORTSHARE_E_INVALID_ADDRESS, PORTSHARE_REPLY_INVALID_ADDRESS,
	  PORTSHARE_REPLY_TEXT_INVALID_ADDRESS },
	{ PORTSHARE_E_PORT_MISSING, PORTSHARE_REPLY_PORT_MISSING,
	  PORTSHARE_REPLY_TEXT_PORT_MISSING },
	{ PORTSHARE_E_INVALID_PORT, PORTSHARE_REPLY_INVALID_PORT,
	  PORTSHARE_REPLY_TEXT_INVALID_PORT },
	{ PORTSHARE_E_UNKNOWN_PORT, PORTSHARE_REPLY_UNKNOWN_PORT,
	  PORTSHARE_REPLY_TEXT_UNKNOWN_PORT },
	{ PORTSHARE_E_MALFORMED, PORTSHARE_REPLY_MALFORMED,
	  PORTSHARE_REPLY_TEXT_MALFORMED },
	{ PORTSHARE_E_UNKNOWN_COMMAND, PORTSHARE_REPLY_UNKNOWN_COMMAND,
	  PORTSHARE_REPLY_TEXT_UNKNOWN_COMMAND },
	{ PORTSHARE_E_UNKNOWN_OPTION, PORTSHARE_REPLY_UNKNOWN_OPTION,
	  PORTSHARE_REPLY_TEXT_UNKNOWN_OPTION },
	{ PORTSHARE_E_NOT_PERMITTED, PORTSHARE_REPLY_NOT_PERMITTED,
	  PORTSHARE_REPLY_TEXT_NOT_PERMITTED },
	{ PORTSHARE_E_LIST_FULL, PORTSHARE_REPLY_LIST_FULL,
	  PORTSHARE_REPLY_TEXT_LIST_FULL },
	{ PORTSHARE_E_LOOP, PORTSHARE_REPLY_LOOP,
	  PORTSHARE_REPLY_TEXT_LOOP },
	{ PORTSHARE_E_NO_RESOURCES, PORTSHARE_REPLY_NO_RESOURCES,
	  PORTSHARE_REPLY_TEXT_NO_RESOURCES },
};

#define NREFUSALS (sizeof(refusals) / sizeof(refusals[0]))

static const struct refusal *refusal_of(int err)
{
	int i = PORTSHARE_E_ALREADY_ADDED - err;

	if (i < 0 || (size_t)i >= NREFUSALS)
		return NULL;
	return &refusals[i];
}

const char *portshare_strerror(int err)
{
	const struct refusal *r = refusal_of(err);
	const char *s;

	if (r)
		return r->text;
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
	size_t i;

	if (code == PORTSHARE_REPLY_OK)
		return 0;
	if (code == PORTSHARE_REPLY_LISTED)
		return cmd == PORTSHARE_REQ_DROP ? PORTSHARE_E_NOT_IN_LIST :
						   PORTSHARE_E_ALREADY_ADDED;
	for (i = 0; i < NREFUSALS; i++)
		if (refusals[i].code == code)
			return refusals[i].err;
	return PORTSHARE_E_REFUSED;
}

int portshare_error_reply(int err, const char **text)
{
	const struct refusal *r = refusal_of(err);

	if (!err) {
		*text = PORTSHARE_REPLY_TEXT_OK;
		return PORTSHARE_REPLY_OK;
	}
	if (!r)
		return PORTSHARE_E_INVALID;
	*text = r->text;
	return r->code;
}
