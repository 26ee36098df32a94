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
#include <linux/neighbour.h>
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

/* --- the overlay fixtures (README: "ovl" netns, vxlan1 with a bad FDB and neighbour entry) --- */

static const uint8_t c2_mac[6] = { 0x8a, 0x7d, 0xe4, 0x52, 0x17, 0xae };

UT_TEST(rtnl_vxlan_details)
{
	static const uint8_t vtep[4] = { 10, 99, 0, 1 };
	struct ns_rtnl_acc a = {};
	const struct ns_link *vx, *br, *c2eth;

	UT_EQ_INT(parse_file("ovl_link.hex", &a), 1);
	UT_EQ_INT(a.bad, 0);
	UT_EQ_INT(a.nlinks, 6);
	vx = link_named(&a, "vxlan1");
	br = link_named(&a, "br0");
	UT_ASSERT(vx && br);
	UT_EQ_STR(vx->kind, "vxlan");
	UT_ASSERT(vx->vxlan.valid);
	UT_EQ_INT(vx->vxlan.vni, 42);
	UT_ASSERT(vx->vxlan.proxy);
	UT_ASSERT(!vx->vxlan.learning);
	UT_EQ_INT(vx->vxlan.local_family, AF_INET);
	UT_ASSERT(!memcmp(vx->vxlan.local, vtep, 4));
	UT_EQ_INT(vx->vxlan.port, 4789);
	UT_EQ_INT(vx->master, br->ifindex);
	UT_ASSERT(!br->vxlan.valid);	/* only vxlan's IFLA_INFO_DATA is read */
	ns_rtnl_acc_free(&a);
	/* the first capture's vx0: local 10.77.0.1, no proxy, learning by default */
	UT_EQ_INT(parse_file("host_link.hex", &a), 1);
	vx = link_named(&a, "vx0");
	UT_ASSERT(vx && vx->vxlan.valid);
	UT_EQ_INT(vx->vxlan.vni, 42);
	UT_EQ_INT(vx->vxlan.local_family, AF_INET);
	UT_ASSERT(!memcmp(vx->vxlan.local, (const uint8_t[4]){ 10, 77, 0, 1 }, 4));
	UT_ASSERT(!vx->vxlan.proxy);
	UT_ASSERT(vx->vxlan.learning);	/* the kernel's default */
	ns_rtnl_acc_free(&a);
	UT_EQ_INT(parse_file("c2_link.hex", &a), 1);
	c2eth = link_named(&a, "eth0");
	UT_ASSERT(c2eth && c2eth->has_mac && !memcmp(c2eth->mac, c2_mac, 6));
	ns_rtnl_acc_free(&a);
}

/* The AF_BRIDGE entry for mac: a device's own (want_self) or a bridge's. */
static const struct ns_neigh *fdb_entry(const struct ns_rtnl_acc *a, const char *mac, uint8_t want_self)
{
	uint8_t m[6];
	size_t i;

	if (sscanf(mac, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6)
		return NULL;
	for (i = 0; i < a->nneighs; i++)
		if (a->neighs[i].family == AF_BRIDGE && a->neighs[i].has_lladdr && !memcmp(a->neighs[i].lladdr, m, 6) &&
		    !(a->neighs[i].flags & NTF_SELF) == !want_self)
			return &a->neighs[i];
	return NULL;
}

static int is_ip(int family, const uint8_t *addr, const char *text)
{
	uint8_t want[16] = {};

	return inet_pton(family, text, want) == 1 && !memcmp(addr, want, family == AF_INET ? 4 : 16);
}

UT_TEST(rtnl_vxlan_fdb_dump)
{
	struct ns_rtnl_acc a = {};
	const struct ns_neigh *bad, *flood, *remote, *other, *own;
	size_t i, self = 0;

	UT_EQ_INT(parse_file("ovl_fdb.hex", &a), 1);
	UT_EQ_INT(a.bad, 0);
	UT_EQ_INT(a.nlinks + a.naddrs, 0);
	UT_ASSERT(a.nneighs >= 5);
	for (i = 0; i < a.nneighs; i++) {
		UT_EQ_INT(a.neighs[i].family, AF_BRIDGE);
		self += a.neighs[i].ifindex == 4 && (a.neighs[i].flags & NTF_SELF);
	}
	UT_EQ_INT(self, 4);	/* vxlan1 (ifindex 4): the four entries added with `self` */
	bad = fdb_entry(&a, "8a:7d:e4:52:17:ae", NTF_SELF);
	UT_ASSERT(bad);
	UT_EQ_INT(bad->ifindex, 4);
	UT_EQ_INT(bad->dst_family, AF_INET);
	UT_ASSERT(is_ip(AF_INET, bad->dst, "127.0.0.1"));
	UT_ASSERT(bad->state & NUD_PERMANENT);
	UT_ASSERT(!bad->has_port && !bad->has_vni && !bad->has_vlan && !bad->via_ifindex);
	flood = fdb_entry(&a, "00:00:00:00:00:00", NTF_SELF);
	UT_ASSERT(flood && is_ip(AF_INET, flood->dst, "10.99.0.2"));
	remote = fdb_entry(&a, "02:11:22:33:44:55", NTF_SELF);
	UT_ASSERT(remote && is_ip(AF_INET, remote->dst, "10.99.0.2"));
	other = fdb_entry(&a, "02:11:22:33:44:66", NTF_SELF);
	UT_ASSERT(other && is_ip(AF_INET, other->dst, "10.99.0.3"));
	/* sent only where they differ from the device's own dstport and VNI */
	UT_ASSERT(other->has_port && other->port == 8472);
	UT_ASSERT(other->has_vni && other->vni == 43);
	/* the bridge's entry for vxlan1's own MAC: no NTF_SELF (nor NTF_MASTER: the kernel leaves ndm_flags 0), NDA_MASTER = br0 (3) */
	own = fdb_entry(&a, "ee:2b:03:1b:9b:e8", 0);
	UT_ASSERT(own && own->ifindex == 4 && own->master == 3 && own->dst_family == 0);
	ns_rtnl_acc_free(&a);
}

UT_TEST(rtnl_neigh_dump)
{
	struct ns_rtnl_acc a = {};
	bool v4 = false, v6p = false, v6n = false, failed = false;
	size_t i;

	UT_EQ_INT(parse_file("ovl_neigh.hex", &a), 1);
	UT_EQ_INT(a.bad, 0);
	for (i = 0; i < a.nneighs; i++) {
		const struct ns_neigh *n = &a.neighs[i];

		UT_ASSERT(n->family == AF_INET || n->family == AF_INET6);
		UT_EQ_INT(n->dst_family, n->family);
		if (n->ifindex == 4 && is_ip(AF_INET, n->dst, "10.0.0.3") && n->family == AF_INET) {
			UT_ASSERT(n->has_lladdr && !memcmp(n->lladdr, c2_mac, 6));
			UT_EQ_INT(n->state, NUD_PERMANENT);
			v4 = true;
		}
		if (n->family == AF_INET6 && is_ip(AF_INET6, n->dst, "fd00::9"))
			v6p = n->state == NUD_PERMANENT && n->ifindex == 4;
		if (n->family == AF_INET6 && is_ip(AF_INET6, n->dst, "fd00::a"))
			v6n = n->state == NUD_NOARP && n->has_lladdr;
		if (n->family == AF_INET && is_ip(AF_INET, n->dst, "10.99.0.2"))
			failed = n->state == NUD_FAILED && !n->has_lladdr && n->ifindex == 2;
	}
	UT_ASSERT(v4 && v6p && v6n && failed);
	ns_rtnl_acc_free(&a);
}

static struct nlmsghdr *put_neigh(char *buf, int family, int ifindex, uint16_t state, uint8_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ndmsg *ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));

	nlh->nlmsg_type = RTM_NEWNEIGH;
	ndm->ndm_family = (uint8_t)family;
	ndm->ndm_ifindex = ifindex;
	ndm->ndm_state = state;
	ndm->ndm_flags = flags;
	return nlh;
}

UT_TEST(rtnl_built_neighbours)
{
	static const uint8_t mac[6] = { 2, 0x42, 10, 0, 1, 5 }, v6[16] = { 0xfd, [15] = 3 }, bad3[3] = { 1, 2, 3 };
	char buf[512] __attribute__((aligned(4)));
	struct nlmsghdr *nlh;
	struct ns_neigh n;

	nlh = put_neigh(buf, AF_BRIDGE, 7, NUD_NOARP, NTF_SELF);
	mnl_attr_put(nlh, NDA_LLADDR, 6, mac);
	mnl_attr_put(nlh, NDA_DST, 16, v6);
	mnl_attr_put_u16(nlh, NDA_VLAN, 100);
	mnl_attr_put_u16(nlh, NDA_PORT, htons(4790));
	mnl_attr_put_u32(nlh, NDA_VNI, 4097);
	mnl_attr_put_u32(nlh, NDA_IFINDEX, 2);
	mnl_attr_put_u32(nlh, NDA_MASTER, 9);
	mnl_attr_put_u32(nlh, 0x3fff, 1);	/* newer than our headers: ignored */
	UT_EQ_INT(ns_rtnl_parse_neigh(nlh, &n), 0);
	UT_EQ_INT(n.ifindex, 7);
	UT_EQ_INT(n.family, AF_BRIDGE);
	UT_EQ_INT(n.state, NUD_NOARP);
	UT_EQ_INT(n.flags, NTF_SELF);
	UT_ASSERT(n.has_lladdr && !memcmp(n.lladdr, mac, 6));
	UT_EQ_INT(n.dst_family, AF_INET6);
	UT_ASSERT(!memcmp(n.dst, v6, 16));
	UT_ASSERT(n.has_vlan && n.vlan == 100);
	UT_ASSERT(n.has_port && n.port == 4790);
	UT_ASSERT(n.has_vni && n.vni == 4097);
	UT_EQ_INT(n.via_ifindex, 2);
	UT_EQ_INT(n.master, 9);

	/* a 3-byte destination, a short VLAN, no ifindex, not RTM_NEWNEIGH */
	nlh = put_neigh(buf, AF_INET, 7, NUD_REACHABLE, 0);
	mnl_attr_put(nlh, NDA_DST, 3, bad3);
	UT_EQ_INT(ns_rtnl_parse_neigh(nlh, &n), -EINVAL);
	nlh = put_neigh(buf, AF_BRIDGE, 7, NUD_REACHABLE, 0);
	mnl_attr_put(nlh, NDA_VLAN, 1, bad3);
	UT_EQ_INT(ns_rtnl_parse_neigh(nlh, &n), -EINVAL);
	UT_EQ_INT(ns_rtnl_parse_neigh(put_neigh(buf, AF_INET, 0, NUD_REACHABLE, 0), &n), -EINVAL);
	nlh = put_neigh(buf, AF_INET, 7, NUD_REACHABLE, 0);
	nlh->nlmsg_type = RTM_DELNEIGH;
	UT_EQ_INT(ns_rtnl_parse_neigh(nlh, &n), -EINVAL);
	/* a non-Ethernet link-layer address is no MAC, but the entry stands */
	nlh = put_neigh(buf, AF_INET, 7, NUD_PERMANENT, 0);
	mnl_attr_put(nlh, NDA_LLADDR, 3, bad3);
	UT_EQ_INT(ns_rtnl_parse_neigh(nlh, &n), 0);
	UT_ASSERT(!n.has_lladdr);
	/* in a dump: a bad one is counted and skipped */
	{
		struct ns_rtnl_acc a = {};
		char two[1024] __attribute__((aligned(4)));
		struct nlmsghdr *m2;

		nlh = put_neigh(two, AF_INET, 7, NUD_PERMANENT, 0);
		nlh->nlmsg_flags = NLM_F_MULTI;
		m2 = put_neigh(two + nlh->nlmsg_len, AF_INET, 0, NUD_PERMANENT, 0);
		UT_EQ_INT(ns_rtnl_parse_buf(two, nlh->nlmsg_len + m2->nlmsg_len, 0, 0, &a), 0);
		UT_EQ_INT(a.nneighs, 1);
		UT_EQ_INT(a.bad, 1);
		ns_rtnl_acc_free(&a);
	}
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
					     "client_diag4.hex", "server_diag_compat.hex", "ovl_link.hex",
					     "ovl_fdb.hex", "ovl_neigh.hex" };
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
