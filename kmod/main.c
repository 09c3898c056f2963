// SPDX-License-Identifier: GPL-2.0
/*
 * portshare: share the datagrams of a contested UDP port with registered
 * secondaries (US 6,363,081).  Module init and exit.
 */

#include "portshare.h"

#include <linux/init.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <net/genetlink.h>

static int __init portshare_init(void)
{
	int ret;

	ret = portshare_params_check();
	if (ret)
		return ret;
	ret = portshare_pernet_register();
	if (ret)
		return ret;
	ret = portshare_params_apply(&init_net);
	if (ret)
		goto err_unregister_pernet;
	ret = portshare_genl_register();
	if (ret)
		goto err_unregister_pernet;
	portshare_fault_init();
	return 0;

err_unregister_pernet:
	portshare_pernet_unregister();
	rcu_barrier();
	return ret;
}

static void __exit portshare_exit(void)
{
	portshare_fault_exit();
	portshare_genl_unregister();
	portshare_pernet_unregister();
	rcu_barrier();
}

module_init(portshare_init);
module_exit(portshare_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Share the datagrams of contested UDP ports with registered secondaries");
MODULE_AUTHOR("portshare developers");
MODULE_ALIAS_GENL_FAMILY(PORTSHARE_GENL_NAME);
