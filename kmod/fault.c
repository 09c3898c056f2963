// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection for the tests: with CONFIG_FAULT_INJECTION_DEBUG_FS,
 * /sys/kernel/debug/fail_portshare_secondary (the usual fault_attr files,
 * Documentation/fault-injection/) fails the allocation of secondaries,
 * so the wire's "403 Out of Resources" and netlink's -ENOMEM can be seen.
 * failslab cannot aim at it: the allocation is a kmalloc() from a work
 * item, and fail_function's int3 handler trips lockdep on the debug
 * kernel (should_fail() takes a spinlock in NMI context).
 */

#include "portshare.h"

#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/fault-inject.h>

static DECLARE_FAULT_ATTR(fail_sec_alloc);
static struct dentry *fault_dir;

void portshare_fault_init(void)
{
	struct dentry *dir;

	dir = fault_create_debugfs_attr("fail_portshare_secondary", NULL,
					&fail_sec_alloc);
	/* Without it, nothing fails: the module works as ever. */
	fault_dir = IS_ERR(dir) ? NULL : dir;
}

void portshare_fault_exit(void)
{
	debugfs_remove_recursive(fault_dir);
}

bool portshare_fail_sec_alloc(void)
{
	return should_fail(&fail_sec_alloc, 1);
}
