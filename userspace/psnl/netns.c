// SPDX-License-Identifier: GPL-2.0
/*
 * -n NAME: the netlink socket is created inside /run/netns/NAME (as with
 * "ip -n"), then psnl returns to its own namespace.  A socket stays in the
 * namespace it was created in, so every request acts there, while host
 * names keep resolving where psnl was started, for every batch line alike.
 * A NAME containing "/" is taken as a path, e.g. /proc/PID/ns/net.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "psnl.h"

#define NETNS_RUN_DIR "/run/netns"

static const char *hint(int err)
{
	return err == EPERM ? " (run as root)" : "";
}

static int enter_failed(const char *name, const char *path)
{
	int err = errno;

	psnl_error("cannot enter network namespace \"%s\": %s: %s%s",
		   name, path, strerror(err), hint(err));
	return -err;
}

/* Enter NAME; *saved gets our own namespace for psnl_netns_return(). */
int psnl_netns_enter(const char *name, int *saved)
{
	char path[PATH_MAX];
	int fd, err = 0;

	if (strchr(name, '/'))
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR, name);

	*saved = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (*saved < 0)
		return enter_failed(name, "/proc/self/ns/net");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0)
		err = enter_failed(name, path);
	if (fd >= 0)
		close(fd);
	if (err) {
		close(*saved);
		*saved = -1;
	}
	return err;
}

int psnl_netns_return(int saved)
{
	int err = 0;

	if (setns(saved, CLONE_NEWNET) < 0) {
		err = -errno;
		psnl_error("cannot return to the original network namespace: %s",
			   strerror(-err));
	}
	close(saved);
	return err;
}

/**
 * psnl_netns_identify() - the name of psnl's own network namespace
 * @buf: where the name is written
 * @size: its size
 *
 * As "ip netns identify": the entry of /run/netns that is the namespace
 * psnl runs in.
 *
 * Return: @buf, or NULL when no entry is (the initial namespace, say).
 */
const char *psnl_netns_identify(char *buf, size_t size)
{
	char path[PATH_MAX];
	struct stat self, st;
	struct dirent *e;
	const char *name = NULL;
	DIR *dir;

	if (stat("/proc/self/ns/net", &self))
		return NULL;
	dir = opendir(NETNS_RUN_DIR);
	if (!dir)
		return NULL;
	while (!name && (e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR, e->d_name);
		if (!stat(path, &st) && st.st_dev == self.st_dev &&
		    st.st_ino == self.st_ino &&
		    (size_t)snprintf(buf, size, "%s", e->d_name) < size)
			name = buf;
	}
	closedir(dir);
	return name;
}
