// SPDX-License-Identifier: GPL-2.0
/*
 * The registration acl of a namespace (DESIGN §7): requests are accepted
 * from the namespace's own addresses and from the networks an admin added
 * with "psnl acl add"; an entry's third-party flag lets its sources
 * register addresses other than their own.  Entries only ever grant.
 *
 * The acl is an array replaced as a whole under portshare_net.lock and
 * read under RCU in softirq.  The prefix match itself is acl_match.c,
 * which psd shares.
 */

#include "portshare.h"
#include "acl_match.h"

#include <linux/netdevice.h>
#include <linux/overflow.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <net/addrconf.h>
#include <net/ipv6.h>
#include <net/route.h>

/* "ffff:...:ffff/128" */
#define ACL_NAME_LEN	48

/**
 * struct portshare_acl - an immutable version of a namespace's acl
 * @rcu: frees the version after readers are done
 * @n: number of entries
 * @e: the entries, in the order they were added
 */
struct portshare_acl {
	struct rcu_head rcu;
	u32 n;
	struct portshare_acl_entry e[];
};

static void acl_name(char *buf, const struct portshare_acl_entry *e)
{
	if (e->family == AF_INET)
		snprintf(buf, ACL_NAME_LEN, "%pI4/%u", &e->addr.s6_addr32[0],
			 e->prefix_len);
	else
		snprintf(buf, ACL_NAME_LEN, "%pI6c/%u", &e->addr, e->prefix_len);
}

static_assert(PS_ACL_INET == PORTSHARE_FAMILY_INET);
static_assert(PS_ACL_INET6 == PORTSHARE_FAMILY_INET6);

/* AF_INET or AF_INET6 as acl_match.c's family. */
static u8 match_family(u8 family)
{
	return family == AF_INET ? PS_ACL_INET : PS_ACL_INET6;
}

static bool entry_same(const struct portshare_acl_entry *a,
		       const struct portshare_acl_entry *b)
{
	return a->family == b->family && a->prefix_len == b->prefix_len &&
	       ipv6_addr_equal(&a->addr, &b->addr);
}

/* The acl; an empty one for a namespace without portshare state. */
static struct portshare_acl *acl_locked(struct portshare_net *pn)
{
	return pn ? rcu_dereference_protected(pn->reg.acl,
					      lockdep_is_held(&pn->lock)) :
		    NULL;
}

static int acl_find(const struct portshare_acl *acl,
		    const struct portshare_acl_entry *e)
{
	u32 i;

	for (i = 0; acl && i < acl->n; i++)
		if (entry_same(&acl->e[i], e))
			return i;
	return -1;
}

/* Host bits must be zero, as in "ip route": 10.0.0.0/8, not 10.1.2.3/8. */
static bool host_bits_clear(const struct portshare_acl_entry *e)
{
	return ps_acl_net_valid(match_family(e->family), e->addr.s6_addr,
				e->prefix_len);
}

/* A copy of @old without entry @skip (-1: none) and with room for @extra. */
static struct portshare_acl *acl_copy(const struct portshare_acl *old,
				      int skip, u32 extra)
{
	u32 n = old ? old->n : 0, i;
	struct portshare_acl *acl;

	acl = kmalloc(struct_size(acl, e, n + extra), GFP_KERNEL_ACCOUNT);
	if (!acl)
		return NULL;
	acl->n = 0;
	for (i = 0; i < n; i++)
		if ((int)i != skip)
			acl->e[acl->n++] = old->e[i];
	return acl;
}

static void acl_replace(struct portshare_net *pn, struct portshare_acl *acl)
{
	struct portshare_acl *old = acl_locked(pn);

	if (acl && !acl->n) {
		kfree(acl);
		acl = NULL;
	}
	rcu_assign_pointer(pn->reg.acl, acl);
	pn->generation++;
	if (old)
		kfree_rcu(old, rcu);
}

/**
 * portshare_acl_add() - allow a network to send registration requests
 * @pn: the namespace; the caller holds @pn->lock
 * @e: the entry
 * @extack: told what is wrong
 *
 * Return: 0, -EINVAL (host bits set), -EEXIST (the same network is in the
 * acl), -ENOSPC (PORTSHARE_ACL_MAX entries) or -ENOMEM.
 */
int portshare_acl_add(struct portshare_net *pn,
		      const struct portshare_acl_entry *e,
		      struct netlink_ext_ack *extack)
{
	struct portshare_acl *old = acl_locked(pn), *acl;
	char name[ACL_NAME_LEN];

	acl_name(name, e);
	if (!host_bits_clear(e)) {
		PS_SET_ERR(extack, NULL, "%s has host bits set", name);
		return -EINVAL;
	}
	if (acl_find(old, e) >= 0) {
		PS_SET_ERR(extack, NULL, "%s is already in the acl", name);
		return -EEXIST;
	}
	if (old && old->n >= PORTSHARE_ACL_MAX) {
		PS_SET_ERR(extack, NULL, "the acl is full (%u entries)",
			   PORTSHARE_ACL_MAX);
		return -ENOSPC;
	}
	acl = acl_copy(old, -1, 1);
	if (!acl)
		return -ENOMEM;
	acl->e[acl->n++] = *e;
	acl_replace(pn, acl);
	return 0;
}

/**
 * portshare_acl_del() - remove a network from the acl
 * @pn: the namespace; the caller holds @pn->lock; NULL: no state (-ENOENT)
 * @e: the entry; only its family, address and prefix length count
 * @extack: told what is wrong
 *
 * Return: 0, -ENOENT or -ENOMEM.
 */
int portshare_acl_del(struct portshare_net *pn,
		      const struct portshare_acl_entry *e,
		      struct netlink_ext_ack *extack)
{
	struct portshare_acl *old = acl_locked(pn), *acl;
	char name[ACL_NAME_LEN];
	int idx;

	idx = acl_find(old, e);
	if (idx < 0) {
		acl_name(name, e);
		PS_SET_ERR(extack, NULL, "%s is not in the acl", name);
		return -ENOENT;
	}
	acl = acl_copy(old, idx, 0);
	if (!acl)
		return -ENOMEM;
	acl_replace(pn, acl);
	return 0;
}

/**
 * portshare_acl_get() - an entry of the acl, for dumps
 * @pn: the namespace; the caller holds @pn->lock
 * @idx: the entry's position
 *
 * Return: the entry, or NULL past the end.
 */
const struct portshare_acl_entry *portshare_acl_get(struct portshare_net *pn,
						    u32 idx)
{
	struct portshare_acl *acl = acl_locked(pn);

	return acl && idx < acl->n ? &acl->e[idx] : NULL;
}

/*
 * Sent by a process of this namespace: from one of its addresses, over
 * loopback (local traffic always is), so a spoofed source from outside
 * does not count.
 */
static bool source_is_local(struct net *net, const struct sk_buff *skb,
			    u8 family, const struct in6_addr *saddr)
{
	if (!skb->dev || !(skb->dev->flags & IFF_LOOPBACK))
		return false;
	if (family == AF_INET)
		return inet_addr_type(net, saddr->s6_addr32[0]) == RTN_LOCAL;
	return ipv6_chk_addr(net, saddr, NULL, 0);
}

/**
 * portshare_acl_check() - what the source of a request may do
 * @pn: the namespace
 * @skb: the request, as received
 * @family: AF_INET or AF_INET6
 * @saddr: its source address
 *
 * Softirq, under rcu_read_lock().
 *
 * Return: PS_REG_F_* flags; without PS_REG_F_ALLOWED the request is
 * ignored.
 */
u8 portshare_acl_check(struct portshare_net *pn, const struct sk_buff *skb,
		       u8 family, const struct in6_addr *saddr)
{
	const struct portshare_acl *acl;
	u8 flags = 0;
	u32 i;

	if (source_is_local(pn->net, skb, family, saddr))
		flags |= PS_REG_F_ALLOWED | PS_REG_F_LOCAL;
	acl = rcu_dereference(pn->reg.acl);
	for (i = 0; acl && i < acl->n; i++) {
		const struct portshare_acl_entry *e = &acl->e[i];

		if (!ps_acl_match(match_family(e->family), e->addr.s6_addr,
				  e->prefix_len, match_family(family),
				  saddr->s6_addr))
			continue;
		flags |= PS_REG_F_ALLOWED;
		if (e->flags & PORTSHARE_ACL_F_THIRD_PARTY)
			flags |= PS_REG_F_THIRD_PARTY;
		if (e->flags & PORTSHARE_ACL_F_VERIFY)
			flags |= PS_REG_F_VERIFY;
	}
	return flags;
}

/**
 * portshare_acl_free() - free a namespace's acl
 * @pn: the namespace, going away: no reader is left
 */
void portshare_acl_free(struct portshare_net *pn)
{
	kfree(rcu_dereference_protected(pn->reg.acl, true));
	RCU_INIT_POINTER(pn->reg.acl, NULL);
}
