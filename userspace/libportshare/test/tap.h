/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The TAP reporting shared by libportshare's unit tests: OK() prints one
 * test point, tap_done() the plan and totals and gives the exit status.
 */
#ifndef PORTSHARE_TEST_TAP_H
#define PORTSHARE_TEST_TAP_H

#include <stdio.h>

static int ntest, nfail;

/* Flushed at once: the tests fork and talk to processes over sockets. */
#define OK(cond, ...) do {						\
	ntest++;							\
	if (cond) {							\
		printf("ok %d - ", ntest);				\
	} else {							\
		nfail++;						\
		printf("not ok %d - ", ntest);				\
	}								\
	printf(__VA_ARGS__);						\
	printf("\n");							\
	fflush(stdout);							\
} while (0)

static inline int tap_done(void)
{
	printf("1..%d\n# %d passed, %d failed\n", ntest, ntest - nfail, nfail);
	return nfail ? 1 : 0;
}

#endif
