// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The overlay audit's judgement (ns_overlay_check) on hand-built namespaces,
 * and on the dumps captured from the incident's reproduction
 * (tests/unit/data/rtnl/README, "ovl").
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <linux/if.h>
#include <linux/neighbour.h>
#include <sys/socket.h>
#include "overlay.h"
#include "ut.h"
#include "ut_data.h"

static void mac_of(const char *s, uint8_t m[6])
{
	sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]);
}

static struct ns_link eth(int ifindex, const char *name, const char *mac)
{
	struct ns_link l;

	memset(&l, 0, sizeof(l));
	l.ifindex = ifindex;
	snprintf(l.name, sizeof(l.name), "%s", name);
	snprintf(l.kind, sizeof(l.kind), "veth");
	l.flags = IFF_UP;
	l.link_netnsid = -1;
	if (mac) {
		mac_of(mac, l.mac);
		l.has_mac = true;
	}
	return l;
}

static struct ns_link lo(void)
{
	struct ns_link l = eth(1, "lo", NULL);

	l.kind[0] = '\0';
	l.flags |= IFF_LOOPBACK;
	return l;
}

static struct ns_link vxlan(int ifindex, const char *name, uint32_t vni, const char *local)
{
	struct ns_link l = eth(ifindex, name, "ee:2b:03:1b:9b:e8");

	snprintf(l.kind, sizeof(l.kind), "vxlan");
	l.vxlan.valid = true;
	l.vxlan.vni = vni;
	l.vxlan.proxy = true;
	l.vxlan.learning = false;
	l.vxlan.port = 4789;
	if (local) {
		l.vxlan.local_family = AF_INET;
		inet_pton(AF_INET, local, l.vxlan.local);
	}
	return l;
}

static struct ns_addr addr(int ifindex, const char *text)
{
	struct ns_addr a;

	memset(&a, 0, sizeof(a));
	a.ifindex = ifindex;
	a.family = strchr(text, ':') ? AF_INET6 : AF_INET;
	inet_pton(a.family, text, a.addr);
	a.prefixlen = a.family == AF_INET ? 24 : 64;
	return a;
}

static struct ns_neigh fdb(int ifindex, const char *mac, const char *dst)
{
	struct ns_neigh n;

	memset(&n, 0, sizeof(n));
	n.ifindex = ifindex;
	n.family = AF_BRIDGE;
	n.state = NUD_PERMANENT | NUD_NOARP;
	n.flags = NTF_SELF;
	mac_of(mac, n.lladdr);
	n.has_lladdr = true;
	if (dst) {
		n.dst_family = strchr(dst, ':') ? AF_INET6 : AF_INET;
		inet_pton(n.dst_family, dst, n.dst);
	}
	return n;
}

static struct ns_neigh neigh(int ifindex, const char *ip, const char *mac, uint16_t state)
{
	struct ns_neigh n;

	memset(&n, 0, sizeof(n));
	n.ifindex = ifindex;
	n.family = n.dst_family = strchr(ip, ':') ? AF_INET6 : AF_INET;
	inet_pton(n.family, ip, n.dst);
	n.state = state;
	if (mac) {
		mac_of(mac, n.lladdr);
		n.has_lladdr = true;
	}
	return n;
}

static void ident(struct ns_overlay_ns *ns, enum ns_ident_kind kind, const char *name, uint32_t netns)
{
	ns->netns = netns;
	ns->ident.kind = kind;
	ns->ident.netns = netns;
	snprintf(ns->ident.name, sizeof(ns->ident.name), "%s", name);
}

/*
 * The incident on one host: overlay namespace "ovl" (br0, vxlan1 vni 42,
 * VTEP 10.99.0.1 on under0, veth ports), containers "web" (10.0.0.3) and
 * "db" (10.0.0.2) behind it, and the host. The bad entries come per test.
 */
struct lab {
	struct ns_link ovl_links[5], web_links[2], db_links[2], host_links[2];
	struct ns_addr ovl_addrs[2], web_addrs[3], db_addrs[1], host_addrs[2];
	struct ns_neigh neighs[16];
	struct ns_overlay_ns ns[4];
	struct ns_overlay_input in;
};

#define WEB_MAC "02:42:0a:00:00:03"
#define DB_MAC "02:42:0a:00:00:02"
#define REMOTE_MAC "02:42:0a:00:00:09"

static void lab_init(struct lab *l)
{
	memset(l, 0, sizeof(*l));
	l->ovl_links[0] = lo();
	l->ovl_links[1] = eth(2, "under0", "ce:de:2a:a2:7e:38");
	l->ovl_links[2] = eth(3, "br0", "c2:28:ac:c8:40:cb");
	l->ovl_links[3] = vxlan(4, "vxlan1", 42, "10.99.0.1");
	l->ovl_links[4] = eth(5, "veth0", "c2:28:ac:c8:40:cb");	/* port of br0: the vxlan's own namespace */
	l->ovl_addrs[0] = addr(2, "10.99.0.1");
	l->ovl_addrs[1] = addr(3, "10.0.0.1");
	l->web_links[0] = lo();
	l->web_links[1] = eth(7, "eth0", WEB_MAC);
	l->web_addrs[0] = addr(1, "127.0.0.1");
	l->web_addrs[1] = addr(7, "10.0.0.3");
	l->web_addrs[2] = addr(7, "fd00::3");
	l->db_links[0] = lo();
	l->db_links[1] = eth(9, "eth0", DB_MAC);
	l->db_addrs[0] = addr(9, "10.0.0.2");
	l->host_links[0] = lo();
	l->host_links[1] = eth(2, "eth0", "02:fc:00:00:00:01");
	l->host_addrs[0] = addr(2, "192.168.1.10");
	l->host_addrs[1] = addr(1, "127.0.0.1");

	ident(&l->ns[0], NS_IDENT_NETNS, "ovl", 4026532386u);
	l->ns[0].enter = NS_OVL_ENTER_IPNS;
	snprintf(l->ns[0].enter_name, sizeof(l->ns[0].enter_name), "ovl");
	l->ns[0].links = l->ovl_links;
	l->ns[0].nlinks = 5;
	l->ns[0].addrs = l->ovl_addrs;
	l->ns[0].naddrs = 2;
	l->ns[0].neighs = l->neighs;
	ident(&l->ns[1], NS_IDENT_CONTAINER, "web", 4026532526u);
	l->ns[1].enter = NS_OVL_ENTER_PID;
	l->ns[1].pid = 4242;
	l->ns[1].links = l->web_links;
	l->ns[1].nlinks = 2;
	l->ns[1].addrs = l->web_addrs;
	l->ns[1].naddrs = 3;
	ident(&l->ns[2], NS_IDENT_CONTAINER, "db", 4026532457u);
	l->ns[2].enter = NS_OVL_ENTER_PID;
	l->ns[2].pid = 4343;
	l->ns[2].links = l->db_links;
	l->ns[2].nlinks = 2;
	l->ns[2].addrs = l->db_addrs;
	l->ns[2].naddrs = 1;
	ident(&l->ns[3], NS_IDENT_HOST, "host", 4026531833u);
	l->ns[3].enter = NS_OVL_ENTER_HOST;
	l->ns[3].links = l->host_links;
	l->ns[3].nlinks = 2;
	l->ns[3].addrs = l->host_addrs;
	l->ns[3].naddrs = 2;
	l->in.ns = l->ns;
	l->in.nns = 4;
}

static void lab_add(struct lab *l, struct ns_neigh n)
{
	l->neighs[l->ns[0].nneighs++] = n;
}

/* What Docker's overlay driver rightly keeps for remote containers, and what the kernel adds itself. */
static void lab_remote_entries(struct lab *l)
{
	struct ns_neigh own = fdb(4, "ee:2b:03:1b:9b:e8", NULL);

	lab_add(l, fdb(4, "00:00:00:00:00:00", "10.99.0.2"));		/* the flood entry */
	lab_add(l, fdb(4, REMOTE_MAC, "10.99.0.2"));
	lab_add(l, neigh(4, "10.0.0.9", REMOTE_MAC, NUD_PERMANENT));
	lab_add(l, neigh(4, "ff02::16", "33:33:00:00:00:16", NUD_NOARP));
	own.flags = 0;							/* br0's entry for its port: not vxlan's */
	own.master = 3;
	lab_add(l, own);
	own = fdb(4, WEB_MAC, NULL);					/* br0 learned web's MAC on vxlan1 */
	own.flags = 0;
	own.state = NUD_REACHABLE;
	own.master = 3;
	lab_add(l, own);
	lab_add(l, fdb(4, "c2:28:ac:c8:40:cb", "10.99.0.2"));		/* own namespace's MAC: not another's */
	lab_add(l, fdb(5, DB_MAC, "127.0.0.1"));			/* on a veth, not on vxlan */
	lab_add(l, neigh(4, "10.0.0.2", NULL, NUD_FAILED));		/* never resolved */
	lab_add(l, neigh(2, "10.0.0.2", DB_MAC, NUD_PERMANENT));	/* not on the vxlan */
}

UT_TEST(overlay_clean_setup_has_no_findings)
{
	struct ns_overlay_report r;
	struct lab l;

	lab_init(&l);
	lab_remote_entries(&l);
	UT_EQ_INT(ns_overlay_check(&l.in, &r), 0);
	UT_EQ_INT(r.n, 0);
	UT_EQ_INT(r.nvxlan, 1);
	ns_overlay_report_free(&r);
	/* no vxlan at all */
	l.ns[0].nlinks = 3;
	UT_EQ_INT(ns_overlay_check(&l.in, &r), 0);
	UT_EQ_INT(r.n + r.nvxlan, 0);
	ns_overlay_report_free(&r);
	ns_overlay_report_free(NULL);
}

UT_TEST(overlay_bad_fdb_entry_found)
{
	struct ns_overlay_report r;
	const struct ns_overlay_finding *f;
	struct lab l;
	char ip[INET6_ADDRSTRLEN];

	lab_init(&l);
	lab_remote_entries(&l);
	lab_add(&l, fdb(4, WEB_MAC, "127.0.0.1"));
	UT_EQ_INT(ns_overlay_check(&l.in, &r), 0);
	UT_EQ_INT(r.n, 1);
	f = &r.v[0];
	UT_EQ_INT(f->kind, NS_OVL_FDB);
	UT_EQ_INT(f->netns, 4026532386u);
	UT_EQ_STR(f->where, "ovl");
	UT_EQ_STR(f->vxlan, "vxlan1");
	UT_EQ_INT(f->vni, 42);
	UT_ASSERT(f->proxy && !f->learning);
	UT_EQ_INT(f->dst_kind, NS_OVL_DST_LOOPBACK);
	UT_EQ_INT(f->owner.netns, 4026532526u);
	UT_EQ_STR(f->owner.ifname, "eth0");
	UT_EQ_STR(f->owner.container, "web");
	UT_EQ_STR(f->owner.where, "web");
	/* the owner interface's IPv4 address, for the reader */
	UT_EQ_INT(f->ip_family, AF_INET);
	UT_EQ_STR(inet_ntop(AF_INET, f->ip, ip, sizeof(ip)), "10.0.0.3");
	UT_EQ_STR(f->fix, "ip netns exec ovl bridge fdb del 02:42:0a:00:00:03 dev vxlan1 dst 127.0.0.1 self");
	ns_overlay_report_free(&r);
}

UT_TEST(overlay_dst_kinds_and_fdb_options)
{
	struct ns_overlay_report r;
	struct ns_neigh n;
	struct lab l;

	lab_init(&l);
	lab_add(&l, fdb(4, WEB_MAC, "10.99.0.1"));	/* the local VTEP */
	lab_add(&l, fdb(4, DB_MAC, "192.168.1.10"));	/* the host's eth0 */
	n = fdb(4, "02:fc:00:00:00:01", "10.99.0.7");	/* the host's own MAC, sent to another VTEP */
	n.has_port = true;
	n.port = 8472;
	n.has_vni = true;
	n.vni = 43;
	n.via_ifindex = 2;
	n.has_vlan = true;
	n.vlan = 10;
	lab_add(&l, n);
	lab_add(&l, fdb(4, WEB_MAC, "0.0.0.0"));		/* the any-address: never answered for */
	lab_add(&l, fdb(4, WEB_MAC, "::"));
	lab_add(&l, fdb(4, DB_MAC, "::1"));		/* IPv6 loopback */
	UT_EQ_INT(ns_overlay_check(&l.in, &r), 0);
	UT_EQ_INT(r.n, 4);
	UT_EQ_INT(r.v[0].dst_kind, NS_OVL_DST_LOCAL_VTEP);
	UT_EQ_INT(r.v[1].dst_kind, NS_OVL_DST_LOCAL_ADDRESS);
	UT_EQ_STR(r.v[1].owner.container, "db");
	UT_EQ_INT(r.v[2].dst_kind, NS_OVL_DST_OTHER);
	UT_EQ_STR(r.v[2].owner.where, "host");
	UT_EQ_STR(r.v[2].owner.container, "");
	/* the kernel deletes only the remote matching port, VNI and via as well */
	UT_EQ_STR(r.v[2].fix, "ip netns exec ovl bridge fdb del 02:fc:00:00:00:01 dev vxlan1 dst 10.99.0.7 port 8472 "
			      "vni 43 via under0 vlan 10 self");
	UT_EQ_INT(r.v[3].dst_kind, NS_OVL_DST_LOOPBACK);
	UT_EQ_INT(r.v[3].dst_family, AF_INET6);
	UT_EQ_STR(ns_overlay_dst_name(NS_OVL_DST_LOCAL_ADDRESS), "local_address");
	UT_ASSERT(!ns_overlay_dst_name(NS_OVL_DST_NONE));
	ns_overlay_report_free(&r);
}

UT_TEST(overlay_bad_neigh_entry_found)
{
	struct ns_overlay_report r;
	const struct ns_overlay_finding *f;
	struct lab l;

	lab_init(&l);
	lab_remote_entries(&l);
	lab_add(&l, neigh(4, "10.0.0.3", WEB_MAC, NUD_PERMANENT));
	lab_add(&l, neigh(4, "fd00::3", WEB_MAC, NUD_NOARP));
	lab_add(&l, neigh(4, "10.0.0.2", DB_MAC, NUD_STALE));	/* learned: still wrong, still removable */
	UT_EQ_INT(ns_overlay_check(&l.in, &r), 0);
	UT_EQ_INT(r.n, 3);
	f = &r.v[0];
	UT_EQ_INT(f->kind, NS_OVL_NEIGH);
	UT_EQ_INT(f->state, NUD_PERMANENT);
	UT_EQ_STR(f->owner.container, "web");
	UT_EQ_INT(f->dst_family, 0);	/* no FDB entry for that MAC: nothing to send to */
	UT_EQ_INT(f->dst_kind, NS_OVL_DST_NONE);
	UT_EQ_STR(f->fix, "ip netns exec ovl ip neigh del 10.0.0.3 dev vxlan1");
	UT_EQ_STR(r.v[1].fix, "ip netns exec ovl ip neigh del fd00::3 dev vxlan1");
	UT_EQ_STR(r.v[2].owner.container, "db");
	ns_overlay_report_free(&r);

	/* with the FDB entry proxy ARP relies on, the neighbour finding names its remote */
	lab_add(&l, fdb(4, WEB_MAC, "10.99.0.1"));
	UT_EQ_INT(ns_overlay_check(&l.in, &r), 0);
	UT_EQ_INT(r.n, 4);	/* that FDB entry, and the three neighbours */
	UT_EQ_INT(r.v[0].kind, NS_OVL_FDB);
	UT_EQ_INT(r.v[1].kind, NS_OVL_NEIGH);
	UT_EQ_INT(r.v[1].dst_kind, NS_OVL_DST_LOCAL_VTEP);
	ns_overlay_report_free(&r);
}

UT_TEST(overlay_fix_prefix_per_namespace_kind)
{
	struct ns_overlay_report r;
	struct lab l;

	lab_init(&l);
	lab_add(&l, neigh(4, "10.0.0.3", WEB_MAC, NUD_PERMANENT));

	l.ns[0].enter = NS_OVL_ENTER_DOCKER;
	snprintf(l.ns[0].enter_name, sizeof(l.ns[0].enter_name), "1-abcdef1234");
	UT_EQ_INT(ns_overlay_check(&l.in, &r), 0);
	UT_EQ_STR(r.v[0].fix, "nsenter --net=/run/docker/netns/1-abcdef1234 ip neigh del 10.0.0.3 dev vxlan1");
	ns_overlay_report_free(&r);
	l.in.docker_netns_dir = "/var/run/docker/netns";
	UT_EQ_INT(ns_overlay_check(&l.in, &r), 0);
	UT_EQ_STR(r.v[0].fix, "nsenter --net=/var/run/docker/netns/1-abcdef1234 ip neigh del 10.0.0.3 dev vxlan1");
	ns_overlay_report_free(&r);

	l.ns[0].enter = NS_OVL_ENTER_PID;
	l.ns[0].pid = 777;
	UT_EQ_INT(ns_overlay_check(&l.in, &r), 0);
	UT_EQ_STR(r.v[0].fix, "nsenter -t 777 -n ip neigh del 10.0.0.3 dev vxlan1");
	ns_overlay_report_free(&r);

	l.ns[0].enter = NS_OVL_ENTER_HOST;
	UT_EQ_INT(ns_overlay_check(&l.in, &r), 0);
	UT_EQ_STR(r.v[0].fix, "ip neigh del 10.0.0.3 dev vxlan1");
	ns_overlay_report_free(&r);

	/* no way in: printed commented out, so pasting it cannot hit the host's own tables */
	l.ns[0].enter = NS_OVL_ENTER_NONE;
	UT_EQ_INT(ns_overlay_check(&l.in, &r), 0);
	UT_EQ_STR(r.v[0].fix, "# in netns 4026532386: ip neigh del 10.0.0.3 dev vxlan1");
	ns_overlay_report_free(&r);

	/* names are whatever their creator chose: quoted for the shell */
	l.ns[0].enter = NS_OVL_ENTER_IPNS;
	snprintf(l.ns[0].enter_name, sizeof(l.ns[0].enter_name), "it's $(x)");
	UT_EQ_INT(ns_overlay_check(&l.in, &r), 0);
	UT_EQ_STR(r.v[0].fix, "ip netns exec 'it'\\''s $(x)' ip neigh del 10.0.0.3 dev vxlan1");
	ns_overlay_report_free(&r);
}

UT_TEST(overlay_report_text_and_json)
{
	struct ns_overlay_report r;
	struct ns_buf b = {};
	struct ns_json j;
	struct lab l;

	lab_init(&l);
	lab_add(&l, fdb(4, WEB_MAC, "127.0.0.1"));
	lab_add(&l, neigh(4, "10.0.0.3", WEB_MAC, NUD_PERMANENT));
	UT_EQ_INT(ns_overlay_check(&l.in, &r), 0);
	ns_overlay_report_text(&r, &b);
	UT_ASSERT(b.p && !b.oom);
	UT_EQ_STR(b.p, "fdb on vxlan1 (vni 42, proxy on, learning off) in ovl (netns 4026532386): 02:42:0a:00:00:03 "
		       "dst 127.0.0.1 (loopback) NOARP|PERMANENT: that MAC is eth0 of web (10.0.0.3, netns 4026532526) "
		       "on this host; fix: ip netns exec ovl bridge fdb del 02:42:0a:00:00:03 dev vxlan1 dst 127.0.0.1 "
		       "self\n"
		       "neigh on vxlan1 (vni 42, proxy on, learning off) in ovl (netns 4026532386): 10.0.0.3 lladdr "
		       "02:42:0a:00:00:03 PERMANENT, fdb dst 127.0.0.1 (loopback): that IP is eth0 of web (netns "
		       "4026532526) on this host, and with proxy on vxlan answers ARP/ND for it; fix: ip netns exec ovl "
		       "ip neigh del 10.0.0.3 dev vxlan1\n");
	ns_buf_reset(&b);
	nj_init(&j, &b);
	ns_overlay_report_json(&r, &j);
	UT_ASSERT(b.p && !b.oom);
	UT_EQ_STR(b.p,
		  "[{\"netns\":4026532386,\"where\":\"ovl\",\"vxlan\":\"vxlan1\",\"vni\":42,\"proxy\":true,"
		  "\"learning\":false,\"kind\":\"fdb\",\"state\":\"NOARP|PERMANENT\",\"mac\":\"02:42:0a:00:00:03\","
		  "\"ip\":\"10.0.0.3\",\"dst\":\"127.0.0.1\",\"dst_kind\":\"loopback\",\"owner\":{\"netns\":4026532526,"
		  "\"where\":\"web\",\"ifname\":\"eth0\",\"container\":\"web\"},\"fix\":\"ip netns exec ovl bridge fdb "
		  "del 02:42:0a:00:00:03 dev vxlan1 dst 127.0.0.1 self\"},"
		  "{\"netns\":4026532386,\"where\":\"ovl\",\"vxlan\":\"vxlan1\",\"vni\":42,\"proxy\":true,"
		  "\"learning\":false,\"kind\":\"neigh\",\"state\":\"PERMANENT\",\"mac\":\"02:42:0a:00:00:03\","
		  "\"ip\":\"10.0.0.3\",\"dst\":\"127.0.0.1\",\"dst_kind\":\"loopback\",\"owner\":{\"netns\":4026532526,"
		  "\"where\":\"web\",\"ifname\":\"eth0\",\"container\":\"web\"},\"fix\":\"ip netns exec ovl ip neigh "
		  "del 10.0.0.3 dev vxlan1\"}]");
	ns_overlay_report_free(&r);
	/* nothing found: no text, an empty array */
	UT_EQ_INT(ns_overlay_check(&(struct ns_overlay_input){ 0 }, &r), 0);
	ns_buf_reset(&b);
	ns_overlay_report_text(&r, &b);
	UT_ASSERT(!b.len);
	nj_init(&j, &b);
	ns_overlay_report_json(&r, &j);
	UT_EQ_STR(b.p, "[]");
	ns_buf_free(&b);
}

/* --- the captured reproduction: exactly the two entries added for c2 --- */

static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int load_dump(const char *name, struct ns_rtnl_acc *acc)
{
	char line[1024];
	uint8_t *buf = NULL, *p;
	size_t cap = 0, n = 0, i;
	FILE *f = ut_open("rtnl", name, "r");
	int r;

	if (!f)
		return -ENOENT;
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
					return -ENOMEM;
				}
				buf = p;
			}
			buf[n++] = (uint8_t)(hexval(line[i]) << 4 | hexval(line[i + 1]));
		}
	}
	fclose(f);
	r = ns_rtnl_parse_buf(buf, n, 0, 0, acc);
	free(buf);
	return r;
}

UT_TEST(overlay_captured_reproduction)
{
	struct ns_rtnl_acc ovl = {}, ovlfdb = {}, ovlnb = {}, c2 = {};
	struct ns_neigh all[256];
	struct ns_addr c2addr = addr(2, "10.0.0.3");
	struct ns_overlay_ns ns[2] = {};
	struct ns_overlay_input in = { .ns = ns, .nns = 2 };
	struct ns_overlay_report r;

	UT_EQ_INT(load_dump("ovl_link.hex", &ovl), 1);
	UT_EQ_INT(load_dump("ovl_fdb.hex", &ovlfdb), 1);
	UT_EQ_INT(load_dump("ovl_neigh.hex", &ovlnb), 1);
	UT_EQ_INT(load_dump("c2_link.hex", &c2), 1);
	UT_ASSERT(ovlfdb.nneighs + ovlnb.nneighs <= 256);
	memcpy(all, ovlfdb.neighs, ovlfdb.nneighs * sizeof(all[0]));
	memcpy(all + ovlfdb.nneighs, ovlnb.neighs, ovlnb.nneighs * sizeof(all[0]));
	ident(&ns[0], NS_IDENT_NETNS, "ovl", 1);
	ns[0].enter = NS_OVL_ENTER_IPNS;
	snprintf(ns[0].enter_name, sizeof(ns[0].enter_name), "ovl");
	ns[0].links = ovl.links;
	ns[0].nlinks = ovl.nlinks;
	ns[0].neighs = all;
	ns[0].nneighs = ovlfdb.nneighs + ovlnb.nneighs;
	ident(&ns[1], NS_IDENT_NETNS, "c2", 2);
	ns[1].links = c2.links;
	ns[1].nlinks = c2.nlinks;
	ns[1].addrs = &c2addr;	/* the address dump of c2 was not captured: 10.0.0.3 on eth0 (ifindex 2) */
	ns[1].naddrs = 1;
	UT_EQ_INT(ns_overlay_check(&in, &r), 0);
	UT_EQ_INT(r.nvxlan, 1);
	UT_EQ_INT(r.n, 2);
	UT_EQ_STR(r.v[0].fix, "ip netns exec ovl bridge fdb del 8a:7d:e4:52:17:ae dev vxlan1 dst 127.0.0.1 self");
	UT_EQ_STR(r.v[0].owner.where, "c2");
	UT_EQ_STR(r.v[0].owner.ifname, "eth0");
	UT_EQ_STR(r.v[1].fix, "ip netns exec ovl ip neigh del 10.0.0.3 dev vxlan1");
	UT_EQ_INT(r.v[1].dst_kind, NS_OVL_DST_LOOPBACK);
	ns_overlay_report_free(&r);
	ns_rtnl_acc_free(&ovl);
	ns_rtnl_acc_free(&ovlfdb);
	ns_rtnl_acc_free(&ovlnb);
	ns_rtnl_acc_free(&c2);
}
