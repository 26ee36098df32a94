// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Netlink dump replies -> plain structs: rtnetlink links and addresses, and
 * sock_diag TCP states. Pure (libc + libmnl) so the unit tests can feed it
 * captured dumps and broken ones.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/inet_diag.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include "rtnl.h"
#include "sockdiag.h"

/* TCP_SYN_RECV and TCP_NEW_SYN_RECV from the kernel's enum (no uapi header has them). */
#define KERNEL_TCP_SYN_RECV 3
#define KERNEL_TCP_NEW_SYN_RECV 12

/*
 * Calls fn for every data message of received datagrams. libmnl's
 * mnl_nlmsg_ok() casts nlmsg_len to int, so a length >= 2^31 would pass as
 * negative: the length is checked against what is left here first.
 */
static int walk(const void *buf, size_t len, uint32_t seq, uint32_t portid,
		int (*fn)(const struct nlmsghdr *nlh, void *data), void *data)
{
	const struct nlmsghdr *nlh = buf;
	const struct nlmsgerr *e;
	int left, err;

	if (len > INT_MAX)
		return -EBADMSG;
	left = (int)len;
	while (left >= (int)sizeof(*nlh) && nlh->nlmsg_len <= (uint32_t)left && mnl_nlmsg_ok(nlh, left)) {
		if (!mnl_nlmsg_seq_ok(nlh, seq) || !mnl_nlmsg_portid_ok(nlh, portid))
			return -ESRCH;
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			return -EINTR;
		switch (nlh->nlmsg_type) {
		case NLMSG_NOOP:
			break;
		case NLMSG_OVERRUN:
			return -ENOBUFS;
		case NLMSG_DONE:
			/* the int after the header is the dump's own error, when it failed late */
			if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int)) {
				int r;

				memcpy(&r, mnl_nlmsg_get_payload(nlh), sizeof(r));
				if (r < 0)
					return r;
			}
			return 1;
		case NLMSG_ERROR:
			if (mnl_nlmsg_get_payload_len(nlh) < sizeof(e->error))
				return -EBADMSG;
			e = mnl_nlmsg_get_payload(nlh);
			if (e->error > 0)
				return -EBADMSG;
			if (e->error < 0)
				return e->error;
			break;	/* an ACK */
		default:
			err = fn(nlh, data);
			if (err)
				return err;
		}
		nlh = mnl_nlmsg_next(nlh, &left);
	}
	/* a partial message: datagrams never split one, so the bytes are corrupt */
	return left > 0 ? -EBADMSG : 0;
}

struct attr_tab {
	const struct nlattr **tb;
	unsigned max;
};

static int attr_cb(const struct nlattr *attr, void *data)
{
	const struct attr_tab *t = data;
	uint16_t type = mnl_attr_get_type(attr);

	/* attributes newer than our headers are not for us */
	if (type <= t->max)
		t->tb[type] = attr;
	return MNL_CB_OK;
}

static int parse_attrs(const struct nlmsghdr *nlh, size_t hdr, const struct nlattr **tb, unsigned max)
{
	struct attr_tab t = { tb, max };

	if (mnl_nlmsg_get_payload_len(nlh) < hdr)
		return -EINVAL;
	return mnl_attr_parse(nlh, (unsigned)hdr, attr_cb, &t) == MNL_CB_ERROR ? -EINVAL : 0;
}

static int parse_nested(const struct nlattr *nest, const struct nlattr **tb, unsigned max)
{
	struct attr_tab t = { tb, max };

	return mnl_attr_parse_nested(nest, attr_cb, &t) == MNL_CB_ERROR ? -EINVAL : 0;
}

static int get_u32(const struct nlattr *a, uint32_t *v)
{
	if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
		return -EINVAL;
	*v = mnl_attr_get_u32(a);
	return 0;
}

static int get_u8(const struct nlattr *a, uint8_t *v)
{
	if (mnl_attr_validate(a, MNL_TYPE_U8) < 0)
		return -EINVAL;
	*v = mnl_attr_get_u8(a);
	return 0;
}

static int get_u16(const struct nlattr *a, uint16_t *v)
{
	if (mnl_attr_validate(a, MNL_TYPE_U16) < 0)
		return -EINVAL;
	*v = mnl_attr_get_u16(a);
	return 0;
}

static int get_str(const struct nlattr *a, char *out, size_t size)
{
	const char *s;
	size_t n;

	if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
		return -EINVAL;
	s = mnl_attr_get_str(a);
	n = strnlen(s, mnl_attr_get_payload_len(a));
	if (n >= size)
		return -EINVAL;		/* IFNAMSIZ and kind names are shorter than that */
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

/* IFLA_INFO_DATA of a vxlan: what the overlay audit needs to judge its FDB and neighbour entries. */
static int parse_vxlan(const struct nlattr *data, struct ns_vxlan *x)
{
	const struct nlattr *tb[IFLA_VXLAN_MAX + 1] = {};
	uint8_t u8;
	uint16_t port;

	if (parse_nested(data, tb, IFLA_VXLAN_MAX))
		return -EINVAL;
	if (tb[IFLA_VXLAN_ID] && get_u32(tb[IFLA_VXLAN_ID], &x->vni))
		return -EINVAL;
	if (tb[IFLA_VXLAN_PROXY]) {
		if (get_u8(tb[IFLA_VXLAN_PROXY], &u8))
			return -EINVAL;
		x->proxy = u8 != 0;
	}
	if (tb[IFLA_VXLAN_LEARNING]) {
		if (get_u8(tb[IFLA_VXLAN_LEARNING], &u8))
			return -EINVAL;
		x->learning = u8 != 0;
	}
	/* the kernel sends one of the two, and only when a local address is configured */
	if (tb[IFLA_VXLAN_LOCAL]) {
		if (mnl_attr_get_payload_len(tb[IFLA_VXLAN_LOCAL]) != 4)
			return -EINVAL;
		x->local_family = AF_INET;
		memcpy(x->local, mnl_attr_get_payload(tb[IFLA_VXLAN_LOCAL]), 4);
	} else if (tb[IFLA_VXLAN_LOCAL6]) {
		if (mnl_attr_get_payload_len(tb[IFLA_VXLAN_LOCAL6]) != 16)
			return -EINVAL;
		x->local_family = AF_INET6;
		memcpy(x->local, mnl_attr_get_payload(tb[IFLA_VXLAN_LOCAL6]), 16);
	}
	if (tb[IFLA_VXLAN_PORT]) {
		if (get_u16(tb[IFLA_VXLAN_PORT], &port))
			return -EINVAL;
		x->port = ntohs(port);	/* the kernel sends it in network order (nla_put_be16) */
	}
	/* recent kernels send 0.0.0.0 when none is configured: that is no VTEP address */
	if (x->local_family && !memcmp(x->local, (const uint8_t[16]){ 0 }, 16))
		x->local_family = 0;
	x->valid = true;
	return 0;
}

int ns_rtnl_parse_link(const struct nlmsghdr *nlh, struct ns_link *l)
{
	const struct nlattr *tb[IFLA_MAX + 1] = {}, *info[IFLA_INFO_MAX + 1] = {};
	struct ifinfomsg ifi;
	struct rtnl_link_stats64 st = {};
	uint32_t v;

	memset(l, 0, sizeof(*l));
	l->link_netnsid = -1;
	if (nlh->nlmsg_type != RTM_NEWLINK || parse_attrs(nlh, sizeof(ifi), tb, IFLA_MAX))
		return -EINVAL;
	memcpy(&ifi, mnl_nlmsg_get_payload(nlh), sizeof(ifi));
	if (ifi.ifi_index <= 0 || !tb[IFLA_IFNAME] || get_str(tb[IFLA_IFNAME], l->name, sizeof(l->name)))
		return -EINVAL;
	l->ifindex = ifi.ifi_index;
	l->flags = ifi.ifi_flags;
	if (tb[IFLA_ADDRESS] && mnl_attr_get_payload_len(tb[IFLA_ADDRESS]) == sizeof(l->mac)) {
		static const uint8_t zero[6];

		memcpy(l->mac, mnl_attr_get_payload(tb[IFLA_ADDRESS]), sizeof(l->mac));
		/* lo has 00:00:00:00:00:00, which would match every other such "MAC" */
		l->has_mac = memcmp(l->mac, zero, sizeof(zero)) != 0;
	}
	if (tb[IFLA_LINK]) {
		if (get_u32(tb[IFLA_LINK], &v) || v > INT_MAX)
			return -EINVAL;
		l->link_ifindex = (int)v;
	}
	if (tb[IFLA_LINK_NETNSID]) {
		if (get_u32(tb[IFLA_LINK_NETNSID], &v))
			return -EINVAL;
		l->link_netnsid = (int32_t)v;
	}
	if (tb[IFLA_MASTER]) {
		if (get_u32(tb[IFLA_MASTER], &v) || v > INT_MAX)
			return -EINVAL;
		l->master = (int)v;
	}
	if (tb[IFLA_STATS64]) {
		size_t n = mnl_attr_get_payload_len(tb[IFLA_STATS64]);

		/* the struct grows with kernels; the eight counters we read lead it since 2.6.35 */
		if (n < 8 * sizeof(uint64_t))
			return -EINVAL;
		memcpy(&st, mnl_attr_get_payload(tb[IFLA_STATS64]), n < sizeof(st) ? n : sizeof(st));
		l->rx_packets = st.rx_packets;
		l->tx_packets = st.tx_packets;
		l->rx_bytes = st.rx_bytes;
		l->tx_bytes = st.tx_bytes;
		l->rx_errors = st.rx_errors;
		l->tx_errors = st.tx_errors;
		l->rx_dropped = st.rx_dropped;
		l->tx_dropped = st.tx_dropped;
	}
	if (tb[IFLA_LINKINFO]) {
		if (parse_nested(tb[IFLA_LINKINFO], info, IFLA_INFO_MAX))
			return -EINVAL;
		if (info[IFLA_INFO_KIND] && get_str(info[IFLA_INFO_KIND], l->kind, sizeof(l->kind)))
			return -EINVAL;
		if (!strcmp(l->kind, "vxlan") && info[IFLA_INFO_DATA] && parse_vxlan(info[IFLA_INFO_DATA], &l->vxlan))
			return -EINVAL;
	}
	return 0;
}

int ns_rtnl_parse_addr(const struct nlmsghdr *nlh, struct ns_addr *a)
{
	const struct nlattr *tb[IFA_MAX + 1] = {}, *src;
	struct ifaddrmsg ifa;
	size_t alen;

	memset(a, 0, sizeof(*a));
	if (nlh->nlmsg_type != RTM_NEWADDR || parse_attrs(nlh, sizeof(ifa), tb, IFA_MAX))
		return -EINVAL;
	memcpy(&ifa, mnl_nlmsg_get_payload(nlh), sizeof(ifa));
	if (ifa.ifa_family == AF_INET)
		alen = 4;
	else if (ifa.ifa_family == AF_INET6)
		alen = 16;
	else
		return -EAFNOSUPPORT;
	/* IFA_LOCAL is ours; IFA_ADDRESS is the peer on point-to-point links (IPv4) */
	src = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!src || mnl_attr_get_payload_len(src) != alen || !ifa.ifa_index || ifa.ifa_index > INT_MAX ||
	    ifa.ifa_prefixlen > alen * 8)
		return -EINVAL;
	a->ifindex = (int)ifa.ifa_index;
	a->family = ifa.ifa_family;
	a->prefixlen = ifa.ifa_prefixlen;
	memcpy(a->addr, mnl_attr_get_payload(src), alen);
	return 0;
}

int ns_rtnl_parse_neigh(const struct nlmsghdr *nlh, struct ns_neigh *n)
{
	const struct nlattr *tb[NDA_MAX + 1] = {};
	struct ndmsg ndm;
	uint32_t v;
	size_t len;

	memset(n, 0, sizeof(*n));
	if (nlh->nlmsg_type != RTM_NEWNEIGH || parse_attrs(nlh, sizeof(ndm), tb, NDA_MAX))
		return -EINVAL;
	memcpy(&ndm, mnl_nlmsg_get_payload(nlh), sizeof(ndm));
	if (ndm.ndm_ifindex <= 0)
		return -EINVAL;
	n->ifindex = ndm.ndm_ifindex;
	n->family = ndm.ndm_family;
	n->state = ndm.ndm_state;
	n->flags = ndm.ndm_flags;
	n->type = ndm.ndm_type;
	if (tb[NDA_LLADDR] && mnl_attr_get_payload_len(tb[NDA_LLADDR]) == sizeof(n->lladdr)) {
		memcpy(n->lladdr, mnl_attr_get_payload(tb[NDA_LLADDR]), sizeof(n->lladdr));
		n->has_lladdr = true;
	}
	/* other link layers (ipip's 4-byte "lladdr", infiniband's 20) have no MAC for us */
	if (tb[NDA_DST]) {
		len = mnl_attr_get_payload_len(tb[NDA_DST]);
		/* AF_BRIDGE entries say nothing of the address family but through its length */
		if (len == 4)
			n->dst_family = AF_INET;
		else if (len == 16)
			n->dst_family = AF_INET6;
		else
			return -EINVAL;
		memcpy(n->dst, mnl_attr_get_payload(tb[NDA_DST]), len);
	}
	if (tb[NDA_VLAN]) {
		if (get_u16(tb[NDA_VLAN], &n->vlan))
			return -EINVAL;
		n->has_vlan = true;
	}
	if (tb[NDA_PORT]) {
		if (get_u16(tb[NDA_PORT], &n->port))
			return -EINVAL;
		n->port = ntohs(n->port);	/* nla_put_be16 */
		n->has_port = true;
	}
	if (tb[NDA_VNI]) {
		if (get_u32(tb[NDA_VNI], &n->vni))
			return -EINVAL;
		n->has_vni = true;
	}
	if (tb[NDA_IFINDEX]) {
		if (get_u32(tb[NDA_IFINDEX], &v) || v > INT_MAX)
			return -EINVAL;
		n->via_ifindex = (int)v;
	}
	if (tb[NDA_MASTER]) {
		if (get_u32(tb[NDA_MASTER], &v) || v > INT_MAX)
			return -EINVAL;
		n->master = (int)v;
	}
	return 0;
}

static void *grow(void *v, size_t *cap, size_t n, size_t size)
{
	size_t c = *cap ? *cap * 2 : 16;
	void *p;

	if (n < *cap)
		return v;
	if (c > SIZE_MAX / size)
		return NULL;
	p = realloc(v, c * size);
	if (p)
		*cap = c;
	return p;
}

static int rtnl_msg(const struct nlmsghdr *nlh, void *data)
{
	struct ns_rtnl_acc *acc = data;
	void *p;

	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
		p = grow(acc->links, &acc->cap_links, acc->nlinks, sizeof(*acc->links));
		if (!p)
			return -ENOMEM;
		acc->links = p;
		if (ns_rtnl_parse_link(nlh, &acc->links[acc->nlinks]))
			acc->bad++;
		else
			acc->nlinks++;
		break;
	case RTM_NEWADDR:
		p = grow(acc->addrs, &acc->cap_addrs, acc->naddrs, sizeof(*acc->addrs));
		if (!p)
			return -ENOMEM;
		acc->addrs = p;
		switch (ns_rtnl_parse_addr(nlh, &acc->addrs[acc->naddrs])) {
		case 0:
			acc->naddrs++;
			break;
		case -EAFNOSUPPORT:
			break;
		default:
			acc->bad++;
		}
		break;
	case RTM_NEWNEIGH:
		p = grow(acc->neighs, &acc->cap_neighs, acc->nneighs, sizeof(*acc->neighs));
		if (!p)
			return -ENOMEM;
		acc->neighs = p;
		if (ns_rtnl_parse_neigh(nlh, &acc->neighs[acc->nneighs]))
			acc->bad++;
		else
			acc->nneighs++;
		break;
	default:
		acc->bad++;
	}
	return 0;
}

int ns_rtnl_parse_buf(const void *buf, size_t len, uint32_t seq, uint32_t portid, struct ns_rtnl_acc *acc)
{
	return walk(buf, len, seq, portid, rtnl_msg, acc);
}

void ns_rtnl_acc_free(struct ns_rtnl_acc *acc)
{
	if (!acc)
		return;
	free(acc->links);
	free(acc->addrs);
	free(acc->neighs);
	memset(acc, 0, sizeof(*acc));
}

struct diag_ctx {
	uint64_t *counts;
	size_t *bad;
};

static int diag_msg(const struct nlmsghdr *nlh, void *data)
{
	struct diag_ctx *c = data;
	struct inet_diag_msg m;

	/* replies carry the request's type: TCPDIAG_GETSOCK for the old request */
	if ((nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY && nlh->nlmsg_type != TCPDIAG_GETSOCK) ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(m)) {
		(*c->bad)++;
		return 0;
	}
	memcpy(&m, mnl_nlmsg_get_payload(nlh), sizeof(m));
	/* the kernel already reports request sockets as SYN_RECV; keep it that way if one day it does not */
	if (m.idiag_state == KERNEL_TCP_NEW_SYN_RECV)
		m.idiag_state = KERNEL_TCP_SYN_RECV;
	if (!m.idiag_state || m.idiag_state >= 16)
		(*c->bad)++;
	else
		c->counts[m.idiag_state]++;
	return 0;
}

int ns_sockdiag_parse_buf(const void *buf, size_t len, uint32_t seq, uint32_t portid, uint64_t counts[16],
			  size_t *bad)
{
	struct diag_ctx c = { .counts = counts, .bad = bad };

	return walk(buf, len, seq, portid, diag_msg, &c);
}
