// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/neighbour.h>
#include <net/if.h>
#include <sys/socket.h>
#include "containers.h"
#include "fmt_l2.h"
#include "overlay.h"
#include "vec.h"

#define DEFAULT_DOCKER_NETNS_DIR "/run/docker/netns"

/* --- the judgement (pure) --- */

/* A MAC or an IP of some namespace's interface: what entries are looked up in. */
struct local_key {
	int family;		/* 0 for a MAC */
	uint8_t key[16];	/* MAC in the first 6 bytes */
	size_t ns;		/* index into the input */
	size_t link;		/* index into that namespace's links; SIZE_MAX: none (address of an unknown link) */
};

static int cmp_key(const void *a, const void *b)
{
	const struct local_key *x = a, *y = b;
	int c;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	c = memcmp(x->key, y->key, sizeof(x->key));
	if (c)
		return c;
	/* ties in input order: the same input always names the same owner */
	if (x->ns != y->ns)
		return x->ns < y->ns ? -1 : 1;
	return (x->link > y->link) - (x->link < y->link);
}

static size_t addr_len(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

static bool is_any(int family, const uint8_t *a)
{
	static const uint8_t zero[16];

	return !memcmp(a, zero, addr_len(family));
}

static bool is_loopback(int family, const uint8_t *a)
{
	static const uint8_t v6lo[16] = { [15] = 1 };

	return family == AF_INET ? a[0] == 127 : !memcmp(a, v6lo, 16);
}

static bool is_multicast(int family, const uint8_t *a)
{
	return family == AF_INET ? (a[0] & 0xf0) == 0xe0 : a[0] == 0xff;
}

static const struct ns_link *link_by_index(const struct ns_overlay_ns *ns, int ifindex, size_t *idx)
{
	size_t i;

	for (i = 0; i < ns->nlinks; i++)
		if (ns->links[i].ifindex == ifindex) {
			if (idx)
				*idx = i;
			return &ns->links[i];
		}
	return NULL;
}

struct index {
	struct local_key *macs, *ips;
	size_t nmacs, nips, cap_macs, cap_ips;
};

static int index_build(const struct ns_overlay_input *in, struct index *x)
{
	size_t i, k, li = 0;

	memset(x, 0, sizeof(*x));
	for (i = 0; i < in->nns; i++) {
		const struct ns_overlay_ns *ns = &in->ns[i];

		for (k = 0; k < ns->nlinks; k++) {
			const struct ns_link *l = &ns->links[k];
			struct local_key *e;

			/* lo's MAC is all zero (has_mac false); group and broadcast MACs are nobody's */
			if (!l->has_mac || (l->flags & IFF_LOOPBACK) || (l->mac[0] & 1))
				continue;
			if (NS_VEC_RESERVE(x->macs, x->cap_macs, x->nmacs, 64, 0))
				return -ENOMEM;
			e = &x->macs[x->nmacs++];
			memset(e, 0, sizeof(*e));
			memcpy(e->key, l->mac, 6);
			e->ns = i;
			e->link = k;
		}
		for (k = 0; k < ns->naddrs; k++) {
			const struct ns_addr *a = &ns->addrs[k];
			const struct ns_link *l = link_by_index(ns, a->ifindex, &li);
			struct local_key *e;

			if ((a->family != AF_INET && a->family != AF_INET6) || is_loopback(a->family, a->addr) ||
			    is_multicast(a->family, a->addr) || (l && (l->flags & IFF_LOOPBACK)))
				continue;
			if (NS_VEC_RESERVE(x->ips, x->cap_ips, x->nips, 64, 0))
				return -ENOMEM;
			e = &x->ips[x->nips++];
			memset(e, 0, sizeof(*e));
			e->family = a->family;
			memcpy(e->key, a->addr, addr_len(a->family));
			e->ns = i;
			e->link = l ? li : SIZE_MAX;
		}
	}
	if (x->nmacs)
		qsort(x->macs, x->nmacs, sizeof(*x->macs), cmp_key);
	if (x->nips)
		qsort(x->ips, x->nips, sizeof(*x->ips), cmp_key);
	return 0;
}

static void index_free(struct index *x)
{
	free(x->macs);
	free(x->ips);
}

/* The first entry for key (family 0: a MAC) not in namespace `not_ns` (SIZE_MAX: any). */
static const struct local_key *index_find(const struct local_key *v, size_t n, int family, const uint8_t *key,
					  size_t keylen, size_t not_ns)
{
	struct local_key want = { .family = family };
	size_t lo = 0, hi = n, mid;

	memcpy(want.key, key, keylen);
	/* lower bound of (family, key) with ns 0, link 0 */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (cmp_key(&v[mid], &want) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < n && v[lo].family == family && !memcmp(v[lo].key, want.key, sizeof(want.key)); lo++)
		if (v[lo].ns != not_ns)
			return &v[lo];
	return NULL;
}

/* Shell-safe as is, or single-quoted: names come from whoever created the namespace or device. */
static const char *shq(const char *s, char *buf, size_t len)
{
	size_t i, o = 0;
	bool plain = *s != '\0';

	for (i = 0; s[i] && plain; i++)
		plain = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
			strchr("._-+:@%=,/", s[i]);
	if (plain)
		return s;
	if (len < 3)
		return "''";
	buf[o++] = '\'';
	for (i = 0; s[i] && o + 5 < len; i++) {
		if (s[i] == '\'') {
			memcpy(buf + o, "'\\''", 4);
			o += 4;
		} else {
			buf[o++] = s[i];
		}
	}
	buf[o++] = '\'';
	buf[o] = '\0';
	return buf;
}

static void fix_prefix(const struct ns_overlay_input *in, const struct ns_overlay_ns *ns, char *buf, size_t len)
{
	char q[160], path[512];

	switch (ns->enter) {
	case NS_OVL_ENTER_HOST:
		buf[0] = '\0';
		break;
	case NS_OVL_ENTER_IPNS:
		snprintf(buf, len, "ip netns exec %s ", shq(ns->enter_name, q, sizeof(q)));
		break;
	case NS_OVL_ENTER_DOCKER:
		snprintf(path, sizeof(path), "%s/%s", in->docker_netns_dir ? in->docker_netns_dir : DEFAULT_DOCKER_NETNS_DIR,
			 ns->enter_name);
		snprintf(buf, len, "nsenter --net=%s ", shq(path, q, sizeof(q)));
		break;
	case NS_OVL_ENTER_PID:
		snprintf(buf, len, "nsenter -t %d -n ", ns->pid);
		break;
	default:
		/* commented out: pasted as is, it must not run in the host's namespace instead */
		snprintf(buf, len, "# in netns %u: ", ns->netns);
	}
}

static void fmt_ip(int family, const uint8_t *a, char *buf, size_t len)
{
	if (!family || !inet_ntop(family, a, buf, (socklen_t)len))
		snprintf(buf, len, "-");
}

static enum ns_overlay_dst classify_dst(const struct index *x, const struct ns_link *vx, int family, const uint8_t *dst)
{
	if (is_loopback(family, dst))
		return NS_OVL_DST_LOOPBACK;
	if (vx->vxlan.local_family == family && !memcmp(vx->vxlan.local, dst, addr_len(family)))
		return NS_OVL_DST_LOCAL_VTEP;
	if (index_find(x->ips, x->nips, family, dst, addr_len(family), SIZE_MAX))
		return NS_OVL_DST_LOCAL_ADDRESS;
	return NS_OVL_DST_OTHER;
}

/* A vxlan FDB entry with a real remote: what makes proxy ARP answer for its MAC. */
static bool fdb_remote(const struct ns_neigh *n, int vx_ifindex)
{
	static const uint8_t zero[6];

	return n->family == AF_BRIDGE && n->ifindex == vx_ifindex && (n->flags & NTF_SELF) && n->has_lladdr &&
	       memcmp(n->lladdr, zero, 6) && !(n->lladdr[0] & 1) && n->dst_family &&
	       !is_any(n->dst_family, n->dst);
}

static struct ns_overlay_finding *add_finding(struct ns_overlay_report *out, const struct ns_overlay_input *in,
					      size_t vns, const struct ns_link *vx, const struct local_key *owner)
{
	const struct ns_overlay_ns *ns = &in->ns[vns], *ons = &in->ns[owner->ns];
	struct ns_overlay_finding *f;
	size_t k;

	if (NS_VEC_RESERVE(out->v, out->cap, out->n, 8, 0))
		return NULL;
	f = &out->v[out->n++];
	memset(f, 0, sizeof(*f));
	f->netns = ns->netns;
	ns_ident_label(&ns->ident, f->where, sizeof(f->where));
	ns_strlcpy(f->vxlan, vx->name, sizeof(f->vxlan));
	f->vni = vx->vxlan.vni;
	f->proxy = vx->vxlan.proxy;
	f->learning = vx->vxlan.learning;
	f->owner.netns = ons->netns;
	ns_ident_label(&ons->ident, f->owner.where, sizeof(f->owner.where));
	if (owner->link != SIZE_MAX)
		ns_strlcpy(f->owner.ifname, ons->links[owner->link].name, sizeof(f->owner.ifname));
	if (ons->ident.kind == NS_IDENT_CONTAINER)
		ns_strlcpy(f->owner.container, f->owner.where, sizeof(f->owner.container));
	/* an FDB finding: the owner interface's address says which container that is at a glance */
	if (owner->family == 0 && owner->link != SIZE_MAX) {
		for (k = 0; k < ons->naddrs && !f->ip_family; k++) {
			const struct ns_addr *a = &ons->addrs[k];

			if (a->ifindex == ons->links[owner->link].ifindex && a->family == AF_INET) {
				f->ip_family = AF_INET;
				memcpy(f->ip, a->addr, 4);
			}
		}
		for (k = 0; k < ons->naddrs && !f->ip_family; k++) {
			const struct ns_addr *a = &ons->addrs[k];

			if (a->ifindex == ons->links[owner->link].ifindex && a->family == AF_INET6) {
				f->ip_family = AF_INET6;
				memcpy(f->ip, a->addr, 16);
			}
		}
	}
	return f;
}

static void fdb_fix(const struct ns_overlay_input *in, const struct ns_overlay_ns *ns, const struct ns_neigh *n,
		    struct ns_overlay_finding *f)
{
	char prefix[192], mac[24], dst[INET6_ADDRSTRLEN], dev[80], via[80], extra[160];
	const struct ns_link *vl;
	size_t o = 0;

	fix_prefix(in, ns, prefix, sizeof(prefix));
	ns_fmt_mac(n->lladdr, mac, sizeof(mac));
	fmt_ip(n->dst_family, n->dst, dst, sizeof(dst));
	extra[0] = '\0';
	/*
	 * The kernel deletes only the remote matching dst, port, vni and via; it
	 * takes the device's own dstport and VNI for what is not given, and the
	 * dump carries port and VNI only where they differ from those.
	 */
	if (n->has_port)
		o += (size_t)snprintf(extra + o, sizeof(extra) - o, " port %u", n->port);
	if (n->has_vni && o < sizeof(extra))
		o += (size_t)snprintf(extra + o, sizeof(extra) - o, " vni %u", n->vni);
	if (n->via_ifindex && o < sizeof(extra)) {
		vl = link_by_index(ns, n->via_ifindex, NULL);
		if (vl)
			o += (size_t)snprintf(extra + o, sizeof(extra) - o, " via %s", shq(vl->name, via, sizeof(via)));
	}
	if (n->has_vlan && o < sizeof(extra))
		snprintf(extra + o, sizeof(extra) - o, " vlan %u", n->vlan);
	snprintf(f->fix, sizeof(f->fix), "%sbridge fdb del %s dev %s dst %s%s self", prefix, mac,
		 shq(f->vxlan, dev, sizeof(dev)), dst, extra);
}

static int check_vxlan(const struct ns_overlay_input *in, const struct index *x, size_t vns, const struct ns_link *vx,
		       struct ns_overlay_report *out)
{
	const struct ns_overlay_ns *ns = &in->ns[vns];
	struct ns_overlay_finding *f;
	const struct local_key *owner;
	size_t k, j;

	for (k = 0; k < ns->nneighs; k++) {
		const struct ns_neigh *n = &ns->neighs[k];

		if (!fdb_remote(n, vx->ifindex))
			continue;
		owner = index_find(x->macs, x->nmacs, 0, n->lladdr, 6, vns);
		if (!owner)
			continue;	/* a remote container's MAC: what the FDB is for */
		f = add_finding(out, in, vns, vx, owner);
		if (!f)
			return -ENOMEM;
		f->kind = NS_OVL_FDB;
		f->state = n->state;
		f->has_mac = true;
		memcpy(f->mac, n->lladdr, 6);
		f->dst_family = n->dst_family;
		memcpy(f->dst, n->dst, sizeof(f->dst));
		f->dst_kind = classify_dst(x, vx, n->dst_family, n->dst);
		fdb_fix(in, ns, n, f);
	}
	for (k = 0; k < ns->nneighs; k++) {
		const struct ns_neigh *n = &ns->neighs[k];
		char prefix[192], ip[INET6_ADDRSTRLEN], dev[80];

		if ((n->family != AF_INET && n->family != AF_INET6) || n->ifindex != vx->ifindex ||
		    n->dst_family != n->family || !n->has_lladdr || !(n->state & ~(NUD_INCOMPLETE | NUD_FAILED)) ||
		    is_multicast(n->family, n->dst))
			continue;
		owner = index_find(x->ips, x->nips, n->family, n->dst, addr_len(n->family), vns);
		if (!owner)
			continue;
		f = add_finding(out, in, vns, vx, owner);
		if (!f)
			return -ENOMEM;
		f->kind = NS_OVL_NEIGH;
		f->state = n->state;
		f->has_mac = true;
		memcpy(f->mac, n->lladdr, 6);
		f->ip_family = n->family;
		memcpy(f->ip, n->dst, sizeof(f->ip));
		/* where vxlan would send to that MAC: the FDB entry proxy ARP relies on */
		for (j = 0; j < ns->nneighs; j++)
			if (fdb_remote(&ns->neighs[j], vx->ifindex) && !memcmp(ns->neighs[j].lladdr, n->lladdr, 6)) {
				f->dst_family = ns->neighs[j].dst_family;
				memcpy(f->dst, ns->neighs[j].dst, sizeof(f->dst));
				f->dst_kind = classify_dst(x, vx, f->dst_family, f->dst);
				break;
			}
		fix_prefix(in, ns, prefix, sizeof(prefix));
		fmt_ip(n->family, n->dst, ip, sizeof(ip));
		snprintf(f->fix, sizeof(f->fix), "%sip neigh del %s dev %s", prefix, ip, shq(f->vxlan, dev, sizeof(dev)));
	}
	return 0;
}

int ns_overlay_check(const struct ns_overlay_input *in, struct ns_overlay_report *out)
{
	struct index x;
	size_t i, k;
	int err;

	memset(out, 0, sizeof(*out));
	err = index_build(in, &x);
	for (i = 0; !err && i < in->nns; i++)
		for (k = 0; !err && k < in->ns[i].nlinks; k++) {
			const struct ns_link *l = &in->ns[i].links[k];

			if (!l->vxlan.valid)
				continue;
			out->nvxlan++;
			err = check_vxlan(in, &x, i, l, out);
		}
	index_free(&x);
	if (err)
		ns_overlay_report_free(out);
	return err;
}

void ns_overlay_report_free(struct ns_overlay_report *r)
{
	if (!r)
		return;
	free(r->v);
	memset(r, 0, sizeof(*r));
}

/* --- reading the kernel --- */

struct audit_ns {
	struct ns_link *links;
	struct ns_addr *addrs;
	struct ns_neigh *neighs;
};

static bool has_vxlan(const struct ns_link *l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (l[i].vxlan.valid)
			return true;
	return false;
}

/* The FDB and both neighbour tables, in one array. */
static int dump_neighs(int fd, struct ns_neigh **v, size_t *n)
{
	struct ns_neigh *fdb = NULL, *nb = NULL, *all;
	size_t nfdb = 0, nnb = 0;
	int err;

	*v = NULL;
	*n = 0;
	err = ns_rtnl_neigh_dump(fd, AF_BRIDGE, &fdb, &nfdb);
	if (!err)
		err = ns_rtnl_neigh_dump(fd, AF_UNSPEC, &nb, &nnb);
	if (err)
		goto cleanup;
	all = malloc((nfdb + nnb ? nfdb + nnb : 1) * sizeof(*all));
	if (!all) {
		err = -ENOMEM;
		goto cleanup;
	}
	if (nfdb)
		memcpy(all, fdb, nfdb * sizeof(*all));
	if (nnb)
		memcpy(all + nfdb, nb, nnb * sizeof(*all));
	*v = all;
	*n = nfdb + nnb;
cleanup:
	free(fdb);
	free(nb);
	return err;
}

int ns_overlay_audit(struct ns_ctr_table *t, struct ns_overlay_report *out)
{
	struct ns_nsinfo *snap = NULL;
	struct ns_overlay_ns *in = NULL;
	struct audit_ns *own = NULL;
	struct ns_overlay_input input = { .docker_netns_dir = t->docker_netns_dir };
	size_t nsnap = 0, n = 0, i;
	unsigned nunreadable = 0;
	int err, fd;

	memset(out, 0, sizeof(*out));
	err = ns_ctr_table_namespaces(t, &snap, &nsnap);
	if (err)
		return err;
	in = calloc(nsnap ? nsnap : 1, sizeof(*in));
	own = calloc(nsnap ? nsnap : 1, sizeof(*own));
	if (!in || !own) {
		err = -ENOMEM;
		goto cleanup;
	}
	for (i = 0; i < nsnap; i++) {
		const struct ns_nsinfo *s = &snap[i];
		struct ns_overlay_ns *ns = &in[n];
		struct audit_ns *o = &own[n];

		if (!s->alive)
			continue;
		fd = ns_ctr_table_open_netns(t, s->netns);
		if (fd < 0) {
			nunreadable++;
			continue;
		}
		/* every link, not the table's first NS_NS_MAX_LINKS: an overlay namespace has one veth per container */
		err = ns_rtnl_dump(fd, &o->links, &ns->nlinks, &o->addrs, &ns->naddrs);
		if (!err && has_vxlan(o->links, ns->nlinks))
			err = dump_neighs(fd, &o->neighs, &ns->nneighs);
		close(fd);
		if (err == -ENOMEM)
			goto cleanup;
		if (err) {
			free(o->links);
			free(o->addrs);
			free(o->neighs);
			memset(o, 0, sizeof(*o));
			memset(ns, 0, sizeof(*ns));
			nunreadable++;
			err = 0;
			continue;
		}
		ns->links = o->links;
		ns->addrs = o->addrs;
		ns->neighs = o->neighs;
		ns->netns = s->netns;
		ns_ctr_ident_netns(t, s->netns, &ns->ident);
		/* the way in that lasts longest: a name, then a bind mount, then a process */
		if (s->host) {
			ns->enter = NS_OVL_ENTER_HOST;
		} else if (s->ipns[0]) {
			ns->enter = NS_OVL_ENTER_IPNS;
			ns_strlcpy(ns->enter_name, s->ipns, sizeof(ns->enter_name));
		} else if (s->dockerns[0]) {
			ns->enter = NS_OVL_ENTER_DOCKER;
			ns_strlcpy(ns->enter_name, s->dockerns, sizeof(ns->enter_name));
		} else if (s->pid > 0) {
			ns->enter = NS_OVL_ENTER_PID;
			ns->pid = s->pid;
		}
		n++;
	}
	input.ns = in;
	input.nns = n;
	err = ns_overlay_check(&input, out);
	if (!err) {
		out->nns = (unsigned)n;
		out->nunreadable = nunreadable;
	}
cleanup:
	for (i = 0; own && i < nsnap; i++) {
		free(own[i].links);
		free(own[i].addrs);
		free(own[i].neighs);
	}
	free(own);
	free(in);
	free(snap);
	return err;
}

/* --- rendering --- */

const char *ns_overlay_dst_name(enum ns_overlay_dst k)
{
	switch (k) {
	case NS_OVL_DST_LOOPBACK:
		return "loopback";
	case NS_OVL_DST_LOCAL_VTEP:
		return "local_vtep";
	case NS_OVL_DST_LOCAL_ADDRESS:
		return "local_address";
	case NS_OVL_DST_OTHER:
		return "other";
	default:
		return NULL;
	}
}

void ns_overlay_report_text(const struct ns_overlay_report *r, struct ns_buf *b)
{
	char mac[24], ip[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN + 32], st[64], owner[256];
	size_t i;

	for (i = 0; i < r->n; i++) {
		const struct ns_overlay_finding *f = &r->v[i];

		ns_fmt_mac(f->mac, mac, sizeof(mac));
		fmt_ip(f->ip_family, f->ip, ip, sizeof(ip));
		ns_nud_state_name(f->state, st, sizeof(st));
		if (f->dst_family) {
			char a[INET6_ADDRSTRLEN];

			fmt_ip(f->dst_family, f->dst, a, sizeof(a));
			snprintf(dst, sizeof(dst), "%s (%s)", a, ns_overlay_dst_name(f->dst_kind));
		} else {
			snprintf(dst, sizeof(dst), "none");
		}
		/* "eth0 of web (172.18.0.2, netns 4026532526)" */
		snprintf(owner, sizeof(owner), "%s%s%s (%s%snetns %u)", f->owner.ifname, f->owner.ifname[0] ? " of " : "",
			 f->owner.where, f->kind == NS_OVL_FDB && f->ip_family ? ip : "",
			 f->kind == NS_OVL_FDB && f->ip_family ? ", " : "", f->owner.netns);
		ns_buf_printf(b, "%s on %s (vni %u, proxy %s, learning %s) in %s (netns %u): ",
			      f->kind == NS_OVL_FDB ? "fdb" : "neigh", f->vxlan, f->vni, f->proxy ? "on" : "off",
			      f->learning ? "on" : "off", f->where, f->netns);
		if (f->kind == NS_OVL_FDB)
			ns_buf_printf(b, "%s dst %s %s: that MAC is %s on this host", mac, dst, st, owner);
		else
			ns_buf_printf(b, "%s lladdr %s %s, fdb dst %s: that IP is %s on this host%s", ip, mac, st, dst,
				      owner,
				      !f->proxy ? ""
				      : f->dst_family ? ", and with proxy on vxlan answers ARP/ND for it"
						      : " (proxy on: answered once an FDB entry with a remote exists)");
		ns_buf_printf(b, "; fix: %s\n", f->fix);
	}
}

void ns_overlay_report_json(const struct ns_overlay_report *r, struct ns_json *j)
{
	char mac[24], ip[INET6_ADDRSTRLEN], st[64];
	size_t i;

	nj_arr_begin(j);
	for (i = 0; i < r->n; i++) {
		const struct ns_overlay_finding *f = &r->v[i];

		nj_obj_begin(j);
		nj_kv_u64(j, "netns", f->netns);
		nj_kv_str(j, "where", f->where);
		nj_kv_str(j, "vxlan", f->vxlan);
		nj_kv_u64(j, "vni", f->vni);
		nj_key(j, "proxy");
		nj_bool(j, f->proxy);
		nj_key(j, "learning");
		nj_bool(j, f->learning);
		nj_kv_str(j, "kind", f->kind == NS_OVL_FDB ? "fdb" : "neigh");
		nj_kv_str(j, "state", ns_nud_state_name(f->state, st, sizeof(st)));
		ns_fmt_mac(f->mac, mac, sizeof(mac));
		nj_kv_str(j, "mac", f->has_mac ? mac : NULL);
		fmt_ip(f->ip_family, f->ip, ip, sizeof(ip));
		nj_kv_str(j, "ip", f->ip_family ? ip : NULL);
		fmt_ip(f->dst_family, f->dst, ip, sizeof(ip));
		nj_kv_str(j, "dst", f->dst_family ? ip : NULL);
		nj_kv_str(j, "dst_kind", ns_overlay_dst_name(f->dst_kind));
		nj_key(j, "owner");
		nj_obj_begin(j);
		nj_kv_u64(j, "netns", f->owner.netns);
		nj_kv_str(j, "where", f->owner.where);
		nj_kv_str(j, "ifname", f->owner.ifname[0] ? f->owner.ifname : NULL);
		nj_kv_str(j, "container", f->owner.container[0] ? f->owner.container : NULL);
		nj_obj_end(j);
		nj_kv_str(j, "fix", f->fix);
		nj_obj_end(j);
	}
	nj_arr_end(j);
}
