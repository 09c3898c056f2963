// SPDX-License-Identifier: GPL-2.0
/*
 * Dropping privileges once every socket is bound.  psd needs root (or
 * CAP_NET_BIND_SERVICE) only to bind ports below 1024 and CAP_NET_RAW only
 * to open the raw sockets of transparent copies; both happen before this,
 * and the descriptors keep working afterwards.  So psd keeps nothing:
 * started as root it becomes USER (-u, default nobody) with no
 * supplementary groups and no capabilities, and sets no_new_privs so that
 * nothing it could exec regains any.
 */
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "psd.h"

#define DEFAULT_USER	"nobody"

/* Empty the permitted, effective and inheritable capability sets. */
static int clear_capabilities(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof(data));
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

/* Root to @pw: groups first, then the gid, the uid last (it ends root). */
static int become(const struct passwd *pw)
{
	if (setgroups(0, NULL))
		return -errno;
	if (setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid))
		return -errno;
	if (setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid))
		return -errno;
	/* a uid change that could be undone would be no change at all */
	if (pw->pw_uid && !setuid(0))
		return -EPERM;
	return 0;
}

static int lock_down(void)
{
	int err = clear_capabilities();

	if (err)
		return err;
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ? -errno : 0;
}

/* Not root: only the user psd already runs as may be asked for. */
static bool may_stay(const char *user)
{
	struct passwd *pw;

	if (!user)
		return true;
	pw = getpwnam(user);
	if (pw && pw->pw_uid == getuid())
		return true;
	psd_log("-u %s: only root can change user; run psd as root or without -u",
		user);
	return false;
}

/**
 * psd_drop_privileges() - run as @user from now on
 * @user: the -u user; NULL for "nobody" when root, nobody else otherwise
 * @verbose: log the user psd runs as
 *
 * A -u naming root keeps root: it was asked for explicitly.
 *
 * Return: 0, or -1 with the reason logged: psd must not run on.
 */
int psd_drop_privileges(const char *user, bool verbose)
{
	const char *name = user ? user : DEFAULT_USER;
	struct passwd *pw = NULL;
	int err = 0;

	if (geteuid() != 0) {
		if (!may_stay(user))
			return -1;
	} else {
		pw = getpwnam(name);
		if (!pw) {
			psd_log("%s %s: no such user; give -u an existing unprivileged user",
				user ? "-u" : "default user", name);
			return -1;
		}
		if (!pw->pw_uid)
			return 0;
		err = become(pw);
		if (err) {
			psd_log("cannot become %s (uid %u gid %u): %s; psd needs CAP_SETUID and CAP_SETGID and a user this user namespace maps: give another -u, or -u root to keep root",
				name, (unsigned int)pw->pw_uid,
				(unsigned int)pw->pw_gid, strerror(-err));
			return -1;
		}
	}
	err = lock_down();
	if (err) {
		psd_log("clearing capabilities and setting no_new_privs: %s; psd must not run on with privileges it cannot shed",
			strerror(-err));
		return -1;
	}
	if (verbose)
		psd_log("running as uid %u gid %u", (unsigned int)getuid(),
			(unsigned int)getgid());
	return 0;
}
