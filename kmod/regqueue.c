// SPDX-License-Identifier: GPL-2.0
/*
 * The requests a namespace's registration sockets receive: vetted in
 * softirq by the shared rules (ps_reg_admit()), copied onto the
 * namespace's queue, then parsed and answered by a work item in process
 * context under portshare_net.lock, where sending may sleep
 * (register.c; DESIGN §3, §7).
 */

#include "portshare.h"
#include "reg_rules.h"
#include "request.h"

#include <linux/inetdevice.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/memcontrol.h>
#include <linux/sched/mm.h>
#include <linux/skbuff.h>
#include <linux/udp.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <net/sock.h>

/* Requests queued per namespace; more are dropped until the worker runs. */
#define REG_QUEUE_LEN	64
/* Requests answered per run of the work item before it yields. */
#define REG_BATCH	16

static struct portshare_reg_req *reg_req(struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct portshare_reg_req) > sizeof(skb->cb));
	return (struct portshare_reg_req *)skb->cb;
}

/*
 * The addresses of a request, read before skb->cb is reused.  Datagrams
 * sent to a broadcast or multicast address, or from port 0, have no
 * primary address or no reply address: they are ignored.
 */
static bool reg_envelope(struct sock *sk, struct sk_buff *skb,
			 struct portshare_reg_req *rq)
{
	const struct udphdr *uh = udp_hdr(skb);

	memset(rq, 0, sizeof(*rq));
	rq->family = sk->sk_family;
	rq->sport = uh->source;
	rq->reg_port = ntohs(uh->dest);
	if (!uh->source)
		return false;
	if (rq->family == AF_INET) {
		rq->saddr.s6_addr32[0] = ip_hdr(skb)->saddr;
		rq->daddr.s6_addr32[0] = ip_hdr(skb)->daddr;
		rq->ifindex = inet_iif(skb);
		return inet_addr_type(sock_net(sk), ip_hdr(skb)->daddr) ==
		       RTN_LOCAL;
	}
	rq->saddr = ipv6_hdr(skb)->saddr;
	rq->daddr = ipv6_hdr(skb)->daddr;
	rq->ifindex = inet6_iif(skb);
	return !ipv6_addr_is_multicast(&rq->daddr);
}

/*
 * A copy of the request's first PS_REQ_MAX_LEN + 1 payload bytes (one
 * more than a request may have tells the parser it is too long), with its
 * envelope in cb: the queue holds at most that much per request, not the
 * datagram's 64 KiB, and nothing the datagram held on to (device, route,
 * conntrack entry, the sender's pages).
 */
static struct sk_buff *reg_trim(const struct sk_buff *skb,
				const struct portshare_reg_req *rq)
{
	unsigned int len = min_t(unsigned int, skb->len - sizeof(struct udphdr),
				 PS_REQ_MAX_LEN + 1);
	struct sk_buff *req;

	req = alloc_skb(len, GFP_ATOMIC);
	if (!req)
		return NULL;
	if (skb_copy_bits(skb, sizeof(struct udphdr), skb_put(req, len), len)) {
		kfree_skb(req);
		return NULL;
	}
	memcpy(reg_req(req), rq, sizeof(*rq));
	return req;
}

/* Queue the request on the namespace's queue, unless the queue is full. */
static bool reg_enqueue(struct portshare_net *pn, struct sk_buff *req)
{
	struct sk_buff_head *q = &pn->reg.queue;
	unsigned long flags;
	bool queued = false;

	spin_lock_irqsave(&q->lock, flags);
	if (skb_queue_len(q) < REG_QUEUE_LEN) {
		__skb_queue_tail(q, req);
		queued = true;
	}
	spin_unlock_irqrestore(&q->lock, flags);
	if (queued)
		queue_work(system_wq, &pn->reg.work);
	else
		kfree_skb(req);
	return queued;
}

/* What ps_reg_admit() asks about one request datagram, in softirq. */
struct admit_ctx {
	struct portshare_net *pn;
	struct sock *sk;
	struct sk_buff *skb;
	struct portshare_reg_req rq;
};

static bool admit_answerable(void *arg)
{
	struct admit_ctx *c = arg;

	return reg_envelope(c->sk, c->skb, &c->rq);
}

static bool admit_allowed(void *arg)
{
	struct admit_ctx *c = arg;

	c->rq.flags = portshare_acl_check(c->pn, c->skb, c->rq.family,
					  &c->rq.saddr);
	return c->rq.flags & PS_REG_F_ALLOWED;
}

/* PS_REG_F_LOCAL: one of our own registration ports sent it. */
static bool admit_looped(void *arg)
{
	struct admit_ctx *c = arg;

	return (c->rq.flags & PS_REG_F_LOCAL) &&
	       portshare_port_by_reg(c->pn, ntohs(c->rq.sport));
}

static bool admit_within_rate(void *arg)
{
	struct admit_ctx *c = arg;

	return portshare_rl_allow(&c->pn->reg.rl, c->rq.family, &c->rq.saddr);
}

static const struct ps_reg_admit_ops admit_ops = {
	.answerable = admit_answerable,
	.allowed = admit_allowed,
	.looped = admit_looped,
	.within_rate = admit_within_rate,
};

static const enum portshare_reg_counter admit_counter[] = {
	[PS_ADMIT_IGNORED] = PS_REG_IGNORED,
	[PS_ADMIT_DENIED] = PS_REG_DENIED,
	[PS_ADMIT_RATE_LIMITED] = PS_REG_RATE_LIMITED,
};

/**
 * portshare_reg_encap_rcv() - a datagram for a registration socket
 * @sk: the socket
 * @skb: the datagram; its checksum is verified, skb->data is the UDP header
 *
 * softirq.  The socket's encap_rcv: every datagram ends here.
 *
 * Return: 0, the datagram is consumed.
 */
int portshare_reg_encap_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct admit_ctx c = {
		.pn = portshare_net(sock_net(sk)), .sk = sk, .skb = skb,
	};
	struct portshare_port *p = rcu_dereference_sk_user_data(sk);
	enum ps_admit admit;
	struct sk_buff *req;

	if (unlikely(!p))
		goto drop;
	portshare_reg_count(p, PS_REG_REQUESTS);
	admit = ps_reg_admit(&admit_ops, &c);
	if (admit != PS_ADMIT_ANSWER) {
		portshare_reg_count(p, admit_counter[admit]);
		goto drop;
	}
	req = reg_trim(skb, &c.rq);
	if (req && reg_enqueue(c.pn, req)) {
		consume_skb(skb);
		return 0;
	}
	portshare_reg_count(p, PS_REG_IGNORED);
drop:
	kfree_skb(skb);
	return 0;
}

static void reg_process(struct portshare_net *pn, struct sk_buff *req)
{
	const struct portshare_reg_req *rq = reg_req(req);
	struct portshare_port *p;

	mutex_lock(&pn->lock);
	p = portshare_port_by_reg(pn, rq->reg_port);
	if (p)
		portshare_register_handle(pn, p, rq, req->data, req->len);
	mutex_unlock(&pn->lock);
	consume_skb(req);
}

/*
 * What a registration allocates is charged to the namespace's memory
 * cgroup (portshare_net.memcg), not to whoever runs the work item.
 */
static void reg_work(struct work_struct *work)
{
	struct portshare_net *pn = container_of(work, struct portshare_net,
						reg.work);
	struct mem_cgroup *old = set_active_memcg(pn->memcg);
	struct sk_buff *skb;
	int n = 0;

	while (n++ < REG_BATCH && (skb = skb_dequeue(&pn->reg.queue)))
		reg_process(pn, skb);
	set_active_memcg(old);
	if (!skb_queue_empty_lockless(&pn->reg.queue))
		queue_work(system_wq, work);
}

/**
 * portshare_reg_net_init() - set up a namespace's registration state
 * @pn: the namespace, being created
 */
void portshare_reg_net_init(struct portshare_net *pn)
{
	skb_queue_head_init(&pn->reg.queue);
	INIT_WORK(&pn->reg.work, reg_work);
	portshare_rl_init(&pn->reg.rl);
	RCU_INIT_POINTER(pn->reg.acl, NULL);
	portshare_cookie_init(&pn->reg.cookie_key);
}

/**
 * portshare_reg_net_exit() - free a namespace's registration state
 * @pn: the namespace, whose ports are all undesignated
 */
void portshare_reg_net_exit(struct portshare_net *pn)
{
	cancel_work_sync(&pn->reg.work);
	skb_queue_purge(&pn->reg.queue);
	portshare_acl_free(pn);
}
