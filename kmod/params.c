// SPDX-License-Identifier: GPL-2.0
/*
 * Module parameters: ports= designates ports in the initial namespace at
 * load time, max_secondaries= is the default cap on a distribution list,
 * copy_budget= bounds the bytes one datagram's copies may carry;
 * max_ports= and max_total_secondaries= bound what one namespace may hold
 * (an unprivileged user namespace may manage its own network namespace).
 */

#include "portshare.h"

#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/string.h>

unsigned int portshare_max_secondaries = PORTSHARE_DEFAULT_MAX_SECONDARIES;
module_param_named(max_secondaries, portshare_max_secondaries, uint, 0444);
MODULE_PARM_DESC(max_secondaries,
		 "default cap on a port's list of secondaries, 1..4096 (default 64)");

unsigned int portshare_max_ports = 256;
module_param_named(max_ports, portshare_max_ports, uint, 0644);
MODULE_PARM_DESC(max_ports,
		 "contested ports per network namespace (default 256)");

unsigned int portshare_max_total_secondaries = 16384;
module_param_named(max_total_secondaries, portshare_max_total_secondaries,
		   uint, 0644);
MODULE_PARM_DESC(max_total_secondaries,
		 "secondaries per network namespace, over all its ports (default 16384)");

static char *ports;
module_param(ports, charp, 0444);
MODULE_PARM_DESC(ports,
		 "ports to designate in the initial namespace at load, e.g. 161,162,427");

/**
 * portshare_params_check() - validate the parameters that need no namespace
 *
 * Return: 0, or -EINVAL after logging what is wrong.
 */
int portshare_params_check(void)
{
	if (portshare_max_secondaries < 1 ||
	    portshare_max_secondaries > PORTSHARE_MAX_SECONDARIES_LIMIT) {
		pr_err("max_secondaries=%u is invalid: give 1..%u\n",
		       portshare_max_secondaries,
		       PORTSHARE_MAX_SECONDARIES_LIMIT);
		return -EINVAL;
	}
	return 0;
}

static int designate_token(struct portshare_net *pn, const char *tok)
{
	struct netlink_ext_ack extack = {};
	struct portshare_port_cfg cfg;
	u16 port;
	int ret;

	if (kstrtou16(tok, 10, &port) || !port) {
		pr_err("ports=%s: '%s' is not a port: give comma-separated ports 1..65535, e.g. ports=161,162,427\n",
		       ports, tok);
		return -EINVAL;
	}
	portshare_port_cfg_init(&cfg, port);
	ret = portshare_port_designate(pn, &cfg, PORTSHARE_REASON_PARAM,
				       &extack);
	if (ret == -ENOMEM)
		return ret;
	if (ret) {
		pr_err("ports=%s: %s\n", ports, extack._msg);
		return -EINVAL;
	}
	return 0;
}

/**
 * portshare_params_apply() - designate the ports= ports
 * @net: the initial namespace
 *
 * On error some ports may be designated; unregistering the pernet
 * operations undoes them.
 *
 * Return: 0, -ENOMEM, or -EINVAL after logging the bad token and why.
 */
int portshare_params_apply(struct net *net)
{
	struct portshare_net *pn;
	char *buf, *cur, *tok;
	int ret = 0;

	if (!ports || !*ports)
		return 0;
	pn = portshare_net_get(net);
	buf = kstrdup(ports, GFP_KERNEL);
	if (!pn || !buf) {
		kfree(buf);
		return -ENOMEM;
	}
	cur = buf;
	mutex_lock(&pn->lock);
	while (!ret && (tok = strsep(&cur, ",")))
		ret = designate_token(pn, tok);
	mutex_unlock(&pn->lock);
	kfree(buf);
	return ret;
}

/*
 * One 64 KiB datagram to 4096 secondaries would be 256 MiB of copies in
 * one softirq.  The default covers a full default list (64) of the largest
 * datagrams with room to spare; 0 lifts the bound.
 */
unsigned int portshare_copy_budget = 8 << 20;
module_param_named(copy_budget, portshare_copy_budget, uint, 0644);
MODULE_PARM_DESC(copy_budget,
		 "bytes (payload and encap header) one datagram's copies may carry on one port; 0: no limit (default 8388608)");
