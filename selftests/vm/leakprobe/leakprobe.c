// SPDX-License-Identifier: GPL-2.0
/*
 * leakprobe: the debug kernel harness's negative control.  It allocates
 * one object at load and forgets it at unload, so a run that loads it must
 * fail with a kmemleak report; if it does not, a clean kernel log after the
 * suites proves nothing (selftests/vm/check, "leak-control").
 */
#include <linux/module.h>
#include <linux/slab.h>

static void *leakprobe_object;

static int __init leakprobe_init(void)
{
	leakprobe_object = kmalloc(128, GFP_KERNEL);
	return leakprobe_object ? 0 : -ENOMEM;
}

static void __exit leakprobe_exit(void)
{
	/* Deliberately not freed: the last reference goes with the module. */
	leakprobe_object = NULL;
}

module_init(leakprobe_init);
module_exit(leakprobe_exit);
MODULE_DESCRIPTION("Leaks one object on purpose: kmemleak harness control");
MODULE_LICENSE("GPL");
