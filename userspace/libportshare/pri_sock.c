// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A contested port's sockets (US 6,363,081 FIG. 3): bind the contested
 * port (failing that, another application is its primary), then the
 * registration port (failing that, run standalone), for IPv4 and IPv6
 * each.  Also the SHUTDOWN notices of Table 3, sending from a chosen
 * source address (IP_PKTINFO) and the source routing picks.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "primary.h"

#define SOCK_BUF	(4 << 20)

static int fam_af(int fam)
{
	return fam == PRI_V4 ? AF_INET : AF_INET6;
}

/* A non-blocking UDP socket bound to any address and @port; -errno. */
static int udp_bind(int fam, uint16_t port, bool reg)
{
	struct portshare_addr any = {
		.family = fam == PRI_V4 ? PORTSHARE_FAMILY_INET :
					  PORTSHARE_FAMILY_INET6,
	};
	struct sockaddr_storage ss;
	int fd, one = 1, size = SOCK_BUF, err;
	socklen_t len;

	fd = socket(fam_af(fam), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (fam == PRI_V6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (reg && fam == PRI_V4)
		setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
	if (reg && fam == PRI_V6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one,
			   sizeof(one));
	if (!reg)
		setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, reg ? SO_SNDBUFFORCE : SO_RCVBUFFORCE,
		       &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, reg ? SO_SNDBUF : SO_RCVBUF, &size,
			   sizeof(size));
	len = (socklen_t)portshare_addr_to_sockaddr(&any, port, &ss);
	if (bind(fd, (struct sockaddr *)&ss, len)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

static int watch(struct portshare_primary *pri, int fd, uint32_t tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = tag };

	return epoll_ctl(pri->epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

/*
 * epoll tags: port number * 4 + (0 contested, 2 registration) + family;
 * the number, not the index, so removing a port leaves the others' valid.
 */
static uint32_t tag_of(const struct pri_port *p, bool reg, int fam)
{
	return (uint32_t)p->port * 4 + (reg ? 2 : 0) + (uint32_t)fam;
}

/*
 * IPv6 may be missing (EAFNOSUPPORT) and is then skipped; any other
 * failure of one family's bind fails the port.
 */
static int bind_family(struct portshare_primary *pri, struct pri_port *p,
		       bool reg, int fam)
{
	uint16_t port = reg ? p->reg_port : p->port;
	int *fds = reg ? p->rfd : p->cfd;
	int fd;

	fd = udp_bind(fam, port, reg);
	if (fd == -EAFNOSUPPORT && fam == PRI_V6)
		return 0;
	if (fd < 0)
		return fd;
	fds[fam] = fd;
	return watch(pri, fd, tag_of(p, reg, fam));
}

/*
 * Out of the epoll set before closing: a copy of the descriptor in a child
 * the application forked would otherwise keep it there, readable for ever
 * under a tag that names no port (or a port added again later).
 */
static void close_fds(struct portshare_primary *pri, int *fds)
{
	int i;

	for (i = 0; i < PRI_NFAM; i++) {
		if (fds[i] >= 0) {
			epoll_ctl(pri->epfd, EPOLL_CTL_DEL, fds[i], NULL);
			close(fds[i]);
		}
		fds[i] = -1;
	}
}

/**
 * pri_port_bind() - become the primary of a contested port (FIG. 3)
 * @pri: the primary
 * @p: the port, with @port and @reg_port set
 *
 * The sockets copies leave from get IP_RECVERR (pri_icmp.c).
 *
 * Return: 0 (possibly standalone: @standalone and @reg_error say so), or
 * -errno if the contested port could not be bound: the caller is then not
 * its primary.
 */
int pri_port_bind(struct portshare_primary *pri, struct pri_port *p)
{
	int fam, ret;

	for (fam = 0; fam < PRI_NFAM; fam++)
		p->cfd[fam] = p->rfd[fam] = -1;
	for (fam = 0; fam < PRI_NFAM; fam++) {
		ret = bind_family(pri, p, false, fam);
		if (ret) {
			close_fds(pri, p->cfd);
			return ret;
		}
	}
	for (fam = 0; fam < PRI_NFAM; fam++) {
		ret = bind_family(pri, p, true, fam);
		if (ret)
			break;
	}
	if (ret) {
		close_fds(pri, p->rfd);
		p->standalone = true;
		p->reg_error = ret;
	}
	for (fam = 0; fam < PRI_NFAM; fam++)
		if (p->cfd[fam] >= 0)
			pri_icmp_enable(p->rfd[fam] >= 0 ? p->rfd[fam] :
							   p->cfd[fam], fam);
	return 0;
}

void pri_port_close(struct portshare_primary *pri, struct pri_port *p)
{
	close_fds(pri, p->cfd);
	close_fds(pri, p->rfd);
}

/* A control message that makes @src the source address of the datagram. */
static socklen_t pktinfo_fill(const struct portshare_addr *src, void *cbuf)
{
	struct cmsghdr *c = cbuf;

	if (src->family == PORTSHARE_FAMILY_INET) {
		struct in_pktinfo pi = { 0 };

		memcpy(&pi.ipi_spec_dst, src->addr, 4);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		return CMSG_SPACE(sizeof(pi));
	}
	if (src->family == PORTSHARE_FAMILY_INET6) {
		struct in6_pktinfo pi = { 0 };

		memcpy(&pi.ipi6_addr, src->addr, 16);
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		return CMSG_SPACE(sizeof(pi));
	}
	return 0;
}

/**
 * pri_msg_fill() - a msghdr to @to:@port from @src (family 0: any)
 * @msg: filled in; its name, control and iov buffers are the caller's
 * @src: the source address
 * @to: the destination
 * @port: the destination port
 * @ss: storage for the destination
 * @cbuf: storage for the control message, CMSG_SPACE(in6_pktinfo)
 */
void pri_msg_fill(struct msghdr *msg, const struct portshare_addr *src,
		  const struct portshare_addr *to, uint16_t port,
		  struct sockaddr_storage *ss, void *cbuf)
{
	msg->msg_name = ss;
	msg->msg_namelen = (socklen_t)portshare_addr_to_sockaddr(to, port, ss);
	msg->msg_control = cbuf;
	msg->msg_controllen = pktinfo_fill(src, cbuf);
	if (!msg->msg_controllen)
		msg->msg_control = NULL;
	msg->msg_flags = 0;
}

/**
 * pri_send_from() - send one datagram from a chosen source address
 * @fd: the socket; it gives the source port
 * @src: the source address; family 0 lets the route choose
 * @to: the destination address
 * @port: the destination port
 * @buf: the payload
 * @len: its length
 *
 * Return: 0 or -errno.  Never blocks.
 */
int pri_send_from(int fd, const struct portshare_addr *src,
		  const struct portshare_addr *to, uint16_t port,
		  const void *buf, size_t len)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} cbuf;
	struct sockaddr_storage ss;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	memset(&cbuf, 0, sizeof(cbuf));
	pri_msg_fill(&msg, src, to, port, &ss, cbuf.buf);
	return sendmsg(fd, &msg, MSG_DONTWAIT) < 0 ? -errno : 0;
}

/* The socket copies to secondaries of @family leave from. */
int pri_port_tx_fd(const struct pri_port *p, uint8_t family)
{
	int fam = pri_fam(family);

	return p->rfd[fam] >= 0 ? p->rfd[fam] : p->cfd[fam];
}

/**
 * pri_port_shutdown() - SHUTDOWN to every secondary, then purge (Table 3)
 * @p: the port
 *
 * A standalone port has no registration port to name and sends none.
 */
void pri_port_shutdown(struct pri_port *p)
{
	char buf[PORTSHARE_REPLY_MAX];
	unsigned int i;
	int len, fd;

	for (i = 0; !p->standalone && i < p->nsecs; i++) {
		const struct portshare_list_entry *s = &p->secs[i].e;

		fd = pri_port_tx_fd(p, s->addr.family);
		len = portshare_shutdown_format(&s->src, p->reg_port, buf,
						sizeof(buf));
		if (fd >= 0 && len > 0)
			pri_send_from(fd, &s->src, &s->addr, s->data_port, buf,
				      (size_t)len);
	}
	p->nsecs = 0;
}

/**
 * pri_route_src() - the source address routing picks towards @a
 * @a: the destination
 * @port: its port
 * @src: the result; family 0 if there is no route
 */
void pri_route_src(const struct portshare_addr *a, uint16_t port,
		   struct portshare_addr *src)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;

	memset(src, 0, sizeof(*src));
	len = (socklen_t)portshare_addr_to_sockaddr(a, port, &ss);
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (!connect(fd, (struct sockaddr *)&ss, len)) {
		len = sizeof(ss);
		if (!getsockname(fd, (struct sockaddr *)&ss, &len))
			portshare_addr_from_sockaddr((struct sockaddr *)&ss,
						     src, NULL);
	}
	close(fd);
}
