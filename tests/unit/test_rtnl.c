// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * rtnetlink and sock_diag reply parsers against dumps captured from
 * namespaces built for it (tests/unit/data/rtnl/README), broken copies of
 * them, and messages built here.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/inet_diag.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include "rtnl.h"
#include "sockdiag.h"
#include "ut.h"
#include "ut_data.h"

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* A .hex fixture: '#' lines are comments, the rest hex digits. malloc() keeps it aligned for nlmsghdr. */
static uint8_t *load_hex(const char *name, size_t *len)
{
	char line[1024];
	uint8_t *buf = NULL, *p;
	size_t cap = 0, n = 0, i;
	FILE *f;

	f = ut_open("rtnl", name, "r");
	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#')
			continue;
		for (i = 0; hexval(line[i]) >= 0 && hexval(line[i + 1]) >= 0; i += 2) {
			if (n == cap) {
				cap = cap ? cap * 2 : 4096;
				p = realloc(buf, cap);
				if (!p) {
					free(buf);
					fclose(f);
					return NULL;
				}
				buf = p;
			}
			buf[n++] = (uint8_t)(hexval(line[i]) << 4 | hexval(line[i + 1]));
		}
	}
	fclose(f);
	*len = n;
	return buf;
}

static int parse_file(const char *name, struct ns_rtnl_acc *acc)
{
	size_t len = 0;
	uint8_t *b = load_hex(name, &len);
	int r;

	if (!b)
		return -999;
	r = ns_rtnl_parse_buf(b, len, 0, 0, acc);
	free(b);
	return r;
}

static const struct ns_link *link_named(const struct ns_rtnl_acc *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->nlinks; i++)
		if (!strcmp(a->links[i].name, name))
			return &a->links[i];
	return NULL;
}

static int has_addr(const struct ns_rtnl_acc *a, int ifindex, const char *text, int prefixlen)
{
	uint8_t want[16] = {};
	int family = strchr(text, ':') ? AF_INET6 : AF_INET;
	size_t i;

	if (inet_pton(family, text, want) != 1)
		return 0;
	for (i = 0; i < a->naddrs; i++)
		if (a->addrs[i].ifindex == ifindex && a->addrs[i].family == family &&
		    a->addrs[i].prefixlen == prefixlen && !memcmp(a->addrs[i].addr, want, 16))
			return 1;
	return 0;
}

UT_TEST(rtnl_container_links)
{
	static const uint8_t mac[6] = { 0x26, 0xff, 0x67, 0xf1, 0x29, 0x8c };
	struct ns_rtnl_acc a = {};
	const struct ns_link *lo, *eth0;

	UT_EQ_INT(parse_file("ctr_link.hex", &a), 1);
	UT_EQ_INT(a.nlinks, 2);
	UT_EQ_INT(a.bad, 0);
	lo = link_named(&a, "lo");
	eth0 = link_named(&a, "eth0");
	UT_ASSERT(lo && eth0);
	UT_EQ_INT(lo->ifindex, 1);
	UT_EQ_STR(lo->kind, "");
	UT_ASSERT(!lo->has_mac);	/* 00:00:00:00:00:00 */
	UT_ASSERT(lo->flags & IFF_LOOPBACK);
	UT_EQ_INT(lo->link_netnsid, -1);
	UT_EQ_INT(eth0->ifindex, 2);
	UT_EQ_STR(eth0->kind, "veth");
	UT_ASSERT(eth0->has_mac && !memcmp(eth0->mac, mac, 6));
	UT_EQ_INT(eth0->link_ifindex, 3);
	UT_EQ_INT(eth0->link_netnsid, 0);
	UT_EQ_INT(eth0->master, 0);
	UT_ASSERT(eth0->flags & IFF_UP);
	UT_EQ_INT(eth0->rx_packets, 21);
	UT_EQ_INT(eth0->rx_bytes, 1818);
	UT_EQ_INT(eth0->tx_packets, 12);
	UT_EQ_INT(eth0->tx_bytes, 1044);
	UT_EQ_INT(eth0->rx_errors + eth0->tx_errors + eth0->rx_dropped + eth0->tx_dropped, 0);
	ns_rtnl_acc_free(&a);
}

UT_TEST(rtnl_host_links_bridge_vxlan)
{
	struct ns_rtnl_acc a = {};
	const struct ns_link *br, *vh, *vx;

	UT_EQ_INT(parse_file("host_link.hex", &a), 1);
	UT_EQ_INT(a.nlinks, 4);
	br = link_named(&a, "br0");
	vh = link_named(&a, "vh0");
	vx = link_named(&a, "vx0");
	UT_ASSERT(br && vh && vx);
	UT_EQ_STR(br->kind, "bridge");
	UT_EQ_STR(vh->kind, "veth");
	UT_EQ_STR(vx->kind, "vxlan");
	UT_EQ_INT(vh->master, br->ifindex);
	UT_EQ_INT(vx->master, br->ifindex);
	UT_EQ_INT(br->master, 0);
	UT_EQ_INT(vx->link_ifindex, 0);
	UT_EQ_INT(vx->link_netnsid, -1);
	UT_EQ_INT(vx->tx_dropped, 24);	/* no remote to send to */
	/* a bridge takes the lowest MAC of its ports */
	UT_ASSERT(br->has_mac && !memcmp(br->mac, vh->mac, 6));
	ns_rtnl_acc_free(&a);
}

/* What attribution rests on: the container's eth0 names the host-side veth, and back. */
UT_TEST(rtnl_veth_peers_across_namespaces)
{
	struct ns_rtnl_acc host = {}, ctr = {};
	const struct ns_link *vh, *eth0;

	UT_EQ_INT(parse_file("host_link.hex", &host), 1);
	UT_EQ_INT(parse_file("ctr_link.hex", &ctr), 1);
	vh = link_named(&host, "vh0");
	eth0 = link_named(&ctr, "eth0");
	UT_ASSERT(vh && eth0);
	UT_EQ_INT(eth0->link_ifindex, vh->ifindex);
	UT_EQ_INT(vh->link_ifindex, eth0->ifindex);
	UT_ASSERT(eth0->link_netnsid >= 0 && vh->link_netnsid >= 0);
	/* one pair, seen from both ends: what one sends the other receives */
	UT_EQ_INT(eth0->rx_bytes, vh->tx_bytes);
	UT_EQ_INT(eth0->tx_bytes, vh->rx_bytes);
	ns_rtnl_acc_free(&host);
	ns_rtnl_acc_free(&ctr);
}

UT_TEST(rtnl_addresses)
{
	struct ns_rtnl_acc a = {};

	UT_EQ_INT(parse_file("ctr_addr.hex", &a), 1);
	UT_EQ_INT(a.naddrs, 6);
	UT_EQ_INT(a.nlinks, 0);
	UT_ASSERT(has_addr(&a, 1, "127.0.0.1", 8));
	UT_ASSERT(has_addr(&a, 2, "10.77.0.2", 24));
	UT_ASSERT(has_addr(&a, 2, "10.77.1.2", 32));	/* IFA_LOCAL, not the peer 10.77.1.1 */
	UT_ASSERT(!has_addr(&a, 2, "10.77.1.1", 32));
	UT_ASSERT(has_addr(&a, 2, "fd00:77::2", 64));
	UT_ASSERT(has_addr(&a, 1, "::1", 128));
	ns_rtnl_acc_free(&a);
	UT_EQ_INT(parse_file("host_addr.hex", &a), 1);
	UT_EQ_INT(a.naddrs, 7);
	UT_ASSERT(has_addr(&a, 2, "10.77.0.1", 24));
	UT_ASSERT(has_addr(&a, 2, "fd00:77::1", 64));
	ns_rtnl_acc_free(&a);
}

static int diag_file(const char *name, uint64_t c[16], size_t *bad)
{
	size_t len = 0;
	uint8_t *b = load_hex(name, &len);
	int r;

	memset(c, 0, 16 * sizeof(c[0]));
	*bad = 0;
	if (!b)
		return -999;
	r = ns_sockdiag_parse_buf(b, len, 0, 0, c, bad);
	free(b);
	return r;
}

/* The counts `ss -tan` showed when each dump was captured (see the fixtures' first line). */
UT_TEST(sockdiag_states_like_ss)
{
	uint64_t c[16], c6[16];
	size_t bad;

	UT_EQ_INT(diag_file("client_diag4.hex", c, &bad), 1);
	UT_EQ_INT(bad, 0);
	UT_EQ_INT(c[1], 3);	/* ESTABLISHED */
	UT_EQ_INT(c[2], 4);	/* SYN_SENT: 2 to a dropped SYN-ACK, 2 into the void */
	UT_EQ_INT(c[5], 2);	/* FIN_WAIT2 */
	UT_EQ_INT(c[6], 4);	/* TIME_WAIT */
	UT_EQ_INT(c[1] + c[2] + c[5] + c[6], 13);
	UT_EQ_INT(diag_file("client_diag6.hex", c6, &bad), 1);
	UT_EQ_INT(c6[1], 2);
	UT_EQ_INT(diag_file("server_diag4.hex", c, &bad), 1);
	UT_EQ_INT(c[1], 3);
	UT_EQ_INT(c[3], 2);	/* request sockets count as SYN_RECV */
	UT_EQ_INT(c[8], 2);	/* CLOSE_WAIT */
	UT_EQ_INT(c[10], 4);	/* LISTEN */
	UT_EQ_INT(c[12], 0);
	UT_EQ_INT(diag_file("server_diag6.hex", c6, &bad), 1);
	UT_EQ_INT(c6[1], 2);
	UT_EQ_INT(c6[10], 1);
	/* the old request: both families in one walk, replies typed TCPDIAG_GETSOCK */
	UT_EQ_INT(diag_file("client_diag_compat.hex", c, &bad), 1);
	UT_EQ_INT(bad, 0);
	UT_EQ_INT(c[1], 5);
	UT_EQ_INT(c[2], 4);
	UT_EQ_INT(c[5], 2);
	UT_EQ_INT(c[6], 11);
	UT_EQ_INT(diag_file("server_diag_compat.hex", c, &bad), 1);
	UT_EQ_INT(c[1], 5);
	UT_EQ_INT(c[3], 4);
	UT_EQ_INT(c[8], 2);
	UT_EQ_INT(c[10], 5);
}

UT_TEST(rtnl_broken_fixtures)
{
	struct ns_rtnl_acc a = {};

	UT_EQ_INT(parse_file("bad_truncated.hex", &a), -EBADMSG);
	ns_rtnl_acc_free(&a);
	UT_EQ_INT(parse_file("bad_hugelen.hex", &a), -EBADMSG);
	UT_EQ_INT(a.nlinks, 0);
	UT_EQ_INT(parse_file("bad_shortlen.hex", &a), -EBADMSG);
	UT_EQ_INT(parse_file("bad_dump_intr.hex", &a), -EINTR);
	UT_EQ_INT(parse_file("bad_garbage.hex", &a), -EBADMSG);
	UT_EQ_INT(parse_file("bad_eperm.hex", &a), -EPERM);
	UT_EQ_INT(a.nlinks, 0);
	UT_EQ_INT(parse_file("bad_ifname_nul.hex", &a), 1);
	UT_EQ_INT(a.nlinks, 1);
	UT_EQ_INT(a.bad, 1);
	UT_EQ_STR(a.links[0].name, "lo");
	ns_rtnl_acc_free(&a);
	ns_rtnl_acc_free(NULL);
}

static int names_terminated(const struct ns_rtnl_acc *a)
{
	size_t i;

	for (i = 0; i < a->nlinks; i++)
		if (!memchr(a->links[i].name, 0, sizeof(a->links[i].name)) ||
		    !memchr(a->links[i].kind, 0, sizeof(a->links[i].kind)))
			return 0;
	return 1;
}

/* Every prefix of every capture (exact-size copies: ASan sees any overread), then byte flips. */
UT_TEST(rtnl_truncations_and_flips)
{
	static const char *const names[] = { "host_link.hex", "ctr_link.hex", "ctr_addr.hex", "host_addr.hex",
					     "client_diag4.hex", "server_diag_compat.hex" };
	unsigned seed = 4242;
	size_t i, k, len, bad;
	uint64_t c[16];
	uint8_t *b, *cut;
	int r;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct ns_rtnl_acc a = {};

		b = load_hex(names[i], &len);
		UT_ASSERT(b);
		for (k = 0; k <= len; k++) {
			cut = malloc(k ? k : 1);
			UT_ASSERT(cut);
			memcpy(cut, b, k);
			r = ns_rtnl_parse_buf(cut, k, 0, 0, &a);
			UT_ASSERT(r == 0 || r == 1 || r == -EBADMSG);
			UT_ASSERT(names_terminated(&a));
			ns_rtnl_acc_free(&a);
			r = ns_sockdiag_parse_buf(cut, k, 0, 0, c, &bad);
			UT_ASSERT(r == 0 || r == 1 || r == -EBADMSG);
			free(cut);
		}
		for (k = 0; k < 3000; k++) {
			seed = seed * 1103515245u + 12345u;
			b[(seed >> 8) % len] ^= (uint8_t)(1u << ((seed >> 4) & 7));
			r = ns_rtnl_parse_buf(b, len, 0, 0, &a);
			UT_ASSERT(r <= 1);
			UT_ASSERT(names_terminated(&a));
			ns_rtnl_acc_free(&a);
			bad = 0;
			memset(c, 0, sizeof(c));
			r = ns_sockdiag_parse_buf(b, len, 0, 0, c, &bad);
			UT_ASSERT(r <= 1);
		}
		free(b);
	}
}

/* --- messages built here --- */

static struct nlmsghdr *put_link(char *buf, int ifindex, const char *name)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_seq = 7;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = IFF_UP;
	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nlh;
}

UT_TEST(rtnl_built_link_attributes)
{
	uint64_t st[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	char buf[1024] __attribute__((aligned(4)));
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct ns_link l;

	nlh = put_link(buf, 9, "veth0");
	mnl_attr_put_u32(nlh, IFLA_LINK, 17);
	mnl_attr_put_u32(nlh, IFLA_LINK_NETNSID, 3);
	mnl_attr_put_u32(nlh, IFLA_MASTER, 4);
	mnl_attr_put(nlh, IFLA_STATS64, sizeof(st), st);	/* shorter than today's struct: fine */
	mnl_attr_put_u32(nlh, 0x3fff, 1);			/* newer than our headers: ignored */
	nest = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	mnl_attr_nest_end(nlh, nest);
	UT_EQ_INT(ns_rtnl_parse_link(nlh, &l), 0);
	UT_EQ_INT(l.ifindex, 9);
	UT_EQ_STR(l.name, "veth0");
	UT_EQ_STR(l.kind, "veth");
	UT_EQ_INT(l.link_ifindex, 17);
	UT_EQ_INT(l.link_netnsid, 3);
	UT_EQ_INT(l.master, 4);
	UT_EQ_INT(l.rx_packets, 1);
	UT_EQ_INT(l.tx_packets, 2);
	UT_EQ_INT(l.rx_bytes, 3);
	UT_EQ_INT(l.tx_bytes, 4);
	UT_EQ_INT(l.tx_dropped, 8);
	UT_ASSERT(!l.has_mac);

	/* no name, bad index, short stats, short u32, over-long name, not RTM_NEWLINK */
	UT_EQ_INT(ns_rtnl_parse_link(put_link(buf, 9, NULL), &l), -EINVAL);
	UT_EQ_INT(ns_rtnl_parse_link(put_link(buf, 0, "x"), &l), -EINVAL);
	nlh = put_link(buf, 9, "x");
	mnl_attr_put(nlh, IFLA_STATS64, 7 * sizeof(uint64_t), st);
	UT_EQ_INT(ns_rtnl_parse_link(nlh, &l), -EINVAL);
	nlh = put_link(buf, 9, "x");
	mnl_attr_put(nlh, IFLA_MASTER, 2, st);
	UT_EQ_INT(ns_rtnl_parse_link(nlh, &l), -EINVAL);
	UT_EQ_INT(ns_rtnl_parse_link(put_link(buf, 9, "abcdefghijklmnopq"), &l), -EINVAL);
	nlh = put_link(buf, 9, "x");
	nlh->nlmsg_type = RTM_DELLINK;
	UT_EQ_INT(ns_rtnl_parse_link(nlh, &l), -EINVAL);
	/* shorter than an ifinfomsg */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	mnl_nlmsg_put_extra_header(nlh, 4);
	UT_EQ_INT(ns_rtnl_parse_link(nlh, &l), -EINVAL);
}

static struct nlmsghdr *put_addr(char *buf, int family, int index, int plen, int attr, const void *a, size_t alen)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));

	nlh->nlmsg_type = RTM_NEWADDR;
	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_index = (uint32_t)index;
	ifa->ifa_prefixlen = (uint8_t)plen;
	if (a)
		mnl_attr_put(nlh, (uint16_t)attr, alen, a);
	return nlh;
}

UT_TEST(rtnl_built_addresses)
{
	static const uint8_t v4[4] = { 10, 1, 2, 3 }, v6[16] = { 0xfd, [15] = 1 };
	char buf[256] __attribute__((aligned(4)));
	struct ns_addr a;

	UT_EQ_INT(ns_rtnl_parse_addr(put_addr(buf, AF_INET, 5, 24, IFA_ADDRESS, v4, 4), &a), 0);
	UT_EQ_INT(a.family, AF_INET);
	UT_EQ_INT(a.ifindex, 5);
	UT_EQ_INT(a.prefixlen, 24);
	UT_ASSERT(!memcmp(a.addr, v4, 4) && !a.addr[4]);
	UT_EQ_INT(ns_rtnl_parse_addr(put_addr(buf, AF_INET6, 5, 64, IFA_ADDRESS, v6, 16), &a), 0);
	UT_ASSERT(!memcmp(a.addr, v6, 16));
	UT_EQ_INT(ns_rtnl_parse_addr(put_addr(buf, AF_INET, 5, 24, IFA_ADDRESS, v6, 16), &a), -EINVAL);
	UT_EQ_INT(ns_rtnl_parse_addr(put_addr(buf, AF_INET, 5, 33, IFA_ADDRESS, v4, 4), &a), -EINVAL);
	UT_EQ_INT(ns_rtnl_parse_addr(put_addr(buf, AF_INET, 0, 24, IFA_ADDRESS, v4, 4), &a), -EINVAL);
	UT_EQ_INT(ns_rtnl_parse_addr(put_addr(buf, AF_INET, 5, 24, IFA_LABEL, "eth0", 5), &a), -EINVAL);
	UT_EQ_INT(ns_rtnl_parse_addr(put_addr(buf, AF_PACKET, 5, 0, IFA_ADDRESS, v4, 4), &a), -EAFNOSUPPORT);
}

UT_TEST(rtnl_walk_control_messages)
{
	char buf[512] __attribute__((aligned(4)));
	struct ns_rtnl_acc a = {};
	struct nlmsghdr *nlh;
	struct nlmsgerr *e;
	size_t len, bad = 0;
	uint64_t c[16] = {};
	int *done;

	/* a link then DONE; seq checked when asked */
	nlh = put_link(buf, 3, "eth1");
	len = nlh->nlmsg_len;
	nlh = mnl_nlmsg_put_header(buf + len);
	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_seq = 7;
	done = mnl_nlmsg_put_extra_header(nlh, sizeof(int));
	*done = 0;
	len += nlh->nlmsg_len;
	UT_EQ_INT(ns_rtnl_parse_buf(buf, len, 7, 0, &a), 1);
	UT_EQ_INT(a.nlinks, 1);
	ns_rtnl_acc_free(&a);
	UT_EQ_INT(ns_rtnl_parse_buf(buf, len, 8, 0, &a), -ESRCH);
	ns_rtnl_acc_free(&a);
	/* DONE carrying the dump's own late error */
	*done = -ENOBUFS;
	UT_EQ_INT(ns_rtnl_parse_buf(buf, len, 0, 0, &a), -ENOBUFS);
	ns_rtnl_acc_free(&a);
	/* an ACK is not the end; an error is */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = 0;
	UT_EQ_INT(ns_rtnl_parse_buf(buf, nlh->nlmsg_len, 0, 0, &a), 0);
	e->error = -EACCES;
	UT_EQ_INT(ns_sockdiag_parse_buf(buf, nlh->nlmsg_len, 0, 0, c, &bad), -EACCES);
	e->error = 5;
	UT_EQ_INT(ns_rtnl_parse_buf(buf, nlh->nlmsg_len, 0, 0, &a), -EBADMSG);
	/* an NLMSG_ERROR too short for its errno */
	nlh->nlmsg_len = sizeof(*nlh) + 2;
	UT_EQ_INT(ns_rtnl_parse_buf(buf, NLMSG_ALIGN(nlh->nlmsg_len), 0, 0, &a), -EBADMSG);
	/* nothing yet */
	UT_EQ_INT(ns_rtnl_parse_buf(buf, 0, 0, 0, &a), 0);
	UT_EQ_INT(ns_rtnl_parse_buf(buf, (size_t)INT_MAX + 1, 0, 0, &a), -EBADMSG);
}

UT_TEST(sockdiag_built_messages)
{
	char buf[1024] __attribute__((aligned(4)));
	struct inet_diag_msg *m;
	struct nlmsghdr *nlh;
	uint64_t c[16] = {};
	size_t len = 0, bad = 0;
	static const int states[] = { 1, 12, 3, 0, 16, 10 };
	size_t i;

	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		nlh = mnl_nlmsg_put_header(buf + len);
		nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
		m = mnl_nlmsg_put_extra_header(nlh, sizeof(*m));
		m->idiag_state = (uint8_t)states[i];
		len += nlh->nlmsg_len;
	}
	/* a reply too short for an inet_diag_msg */
	nlh = mnl_nlmsg_put_header(buf + len);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	mnl_nlmsg_put_extra_header(nlh, 8);
	len += nlh->nlmsg_len;
	UT_EQ_INT(ns_sockdiag_parse_buf(buf, len, 0, 0, c, &bad), 0);
	UT_EQ_INT(c[1], 1);
	UT_EQ_INT(c[3], 2);	/* NEW_SYN_RECV folded into SYN_RECV */
	UT_EQ_INT(c[10], 1);
	UT_EQ_INT(c[12], 0);
	UT_EQ_INT(c[0], 0);
	UT_EQ_INT(bad, 3);	/* state 0, state 16, the short one */
}
