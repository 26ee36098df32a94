// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * `netsleuth agent`: the main job. Loads every feature and reports, per
 * network namespace (container, host, `ip netns`), RST counts from the
 * kernel's exact counters, live TCP state counts and interface counters,
 * every interval and at exit.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "args.h"
#include "cmd.h"
#include "events.h"
#include "log.h"
#include "maps.h"
#include "anomaly.h"
#include "nfaudit.h"
#include "report.h"
#include "sockdiag.h"
#include "vec.h"
#include "fmt_l2.h"
#include "l2.h"
#include "overlay.h"
#include "pathwatch.h"

struct gauge_ent {
	uint32_t netns;
	uint64_t snap_ms;
	struct ns_tcp_gauge g;
};

/* IPs answered twice (neighbour events with NS_NEIGH_F_DUP). */
struct dup_ent {
	uint32_t netns, ifindex;
	uint16_t family;
	uint8_t addr[16];
	uint8_t lladdr[6];
	char ifname[16];
	uint64_t count, last_ts;
};

/* Bridge names as the kernel reported them, for counters of bridges whose events came and went. */
struct br_name {
	uint32_t netns, ifindex;
	char name[16];
};

/* Moves per owning namespace, summed from the kernel's per-MAC record. */
struct mac_moves {
	uint32_t netns;
	uint64_t moves;
};

struct agent_ctx {
	struct ns_session *s;
	struct ns_common_opts *o;
	struct ns_rst_summary a, b;
	struct ns_rst_summary *cur, *prev;
	struct ns_tcp_trans_set trans;
	struct gauge_ent *g;
	size_t ng, cap_g;
	uint64_t resync_ms;
	struct ns_report rep;
	struct ns_corr corr;
	struct ns_ct_counts ct;
	struct ns_buf out;
	uint64_t last_sig;	/* what the last text report showed, to print only changes */
	bool print_events;
	bool printed_once;
	uint64_t events;
	/* bridge FDB / neighbours (issue #5) */
	struct ns_flaps flaps;
	uint64_t interval_ms, next_report_ms;
	struct ns_overlay_report ovl;	/* the latest overlay audit */
	bool ovl_done;
	uint64_t ovl_ms, ovl_interval_ms;	/* when it ran; how often (0: only when a MAC flaps) */
	struct ns_flap_desc *closed;	/* flaps closed since the last report: shown once more */
	size_t nclosed, cap_closed;
	struct ns_fdb_counts fdbc;
	struct ns_neigh_counts nc;
	struct dup_ent *dups;
	size_t ndups, cap_dups;
	struct br_name *brs;
	size_t nbrs, cap_brs;
	struct mac_moves *mm;
	size_t nmm, cap_mm;
	/* drops, retransmissions, stalled flows (issue #6) */
	struct ns_pathwatch path;
	uint64_t stall_ms;
};

static void wall(const struct agent_ctx *ac, uint64_t mono_ns, char *buf, size_t len)
{
	time_t sec = (time_t)(((int64_t)mono_ns + ac->s->fmt.mono_to_real_ns) / 1000000000);
	struct tm tm;

	localtime_r(&sec, &tm);
	strftime(buf, len, "%H:%M:%S", &tm);
}

static void endpoint(int family, const uint8_t *addr, uint16_t port, char *buf, size_t len)
{
	if (port)
		ns_fmt_endpoint((uint16_t)family, addr, port, buf, len);
	else
		ns_fmt_addr((uint16_t)family, addr, buf, len);
}

static void describe(struct agent_ctx *ac, const struct ns_ctreset *a, struct ns_report_anomaly *out)
{
	char addr[64], label[64], v[32];
	struct ns_nf_audit au;
	struct ns_ident id;

	memset(out, 0, sizeof(*out));
	out->netns = a->netns;
	ns_ctr_ident_netns(&ac->s->table, a->netns, &id);
	snprintf(out->where, sizeof(out->where), "%s", ns_ident_label(&id, label, sizeof(label)));
	endpoint(a->family, a->client, 0, out->client, sizeof(out->client));
	endpoint(a->family, a->pub, a->pport, out->pub, sizeof(out->pub));
	if (a->target_known) {
		endpoint(a->family, a->target, a->target_port, addr, sizeof(addr));
		if (ns_ctr_ident_ip(&ac->s->table, a->family, a->target, &id))
			snprintf(out->target, sizeof(out->target), "%s %s", ns_ident_label(&id, label, sizeof(label)),
				 addr);
		else
			snprintf(out->target, sizeof(out->target), "%s", addr);
		snprintf(out->flow_state, sizeof(out->flow_state), "%s", a->flow_state);
	}
	wall(ac, a->first_ts, out->first, sizeof(out->first));
	wall(ac, a->last_ts, out->last, sizeof(out->last));
	out->resets = a->resets;
	out->active = ns_now_ms() * 1000000ULL - a->last_ts < 60ULL * 1000000000ULL;
	out->liberal = !ns_netns_sysctl(&ac->s->table, a->netns, "/proc/sys/net/netfilter/nf_conntrack_tcp_be_liberal",
					v, sizeof(v)) && !strcmp(v, "1");
	if (!ns_nf_audit(&ac->s->table, a->netns, &au) && au.invalid_drop)
		snprintf(out->drop_rule, sizeof(out->drop_rule), "%s", au.rule);
}

/* A new conntrack-invalid reset: find where DNAT sends the flow and say so at once, in one line. */
static void anomaly_found(struct agent_ctx *ac, struct ns_ctreset *a)
{
	struct ns_report_anomaly d;
	struct ns_ct_flow f;
	struct ns_json j;

	if (!ns_ct_flow_lookup(&ac->s->table, a->netns, a->family, a->client, a->last_cport, a->pub, a->pport, &f)) {
		a->target_known = true;
		memcpy(a->target, f.target, 16);
		a->target_port = f.target_port;
		snprintf(a->flow_state, sizeof(a->flow_state), "%s", f.state);
	}
	describe(ac, a, &d);
	ns_buf_reset(&ac->out);
	if (ac->o->json) {
		nj_init(&j, &ac->out);
		nj_obj_begin(&j);
		nj_kv_str(&j, "type", "anomaly");
		nj_key(&j, "anomaly");
		ns_report_anomaly_json(&d, &j);
		nj_obj_end(&j);
		ns_buf_puts(&ac->out, "\n");
		fwrite(ac->out.p, 1, ac->out.len, stdout);
		fflush(stdout);
	} else {
		ns_report_anomaly_line(&d, &ac->out);
		ns_warn("%.*s", (int)ac->out.len - 1, ac->out.p);
	}
}

static bool wanted(const struct agent_ctx *ac, uint32_t netns)
{
	return ns_session_wanted(ac->s, netns);
}

/*
 * The overlay audit (user/overlay.c): vxlan FDB/neighbour entries for
 * containers of this host. Run every --audit-interval, and at once when a
 * MAC starts flapping (it names the cause), but not twice within 5 s: it
 * enters every namespace.
 */
static void overlay_audit_now(struct agent_ctx *ac)
{
	struct ns_overlay_report r = {};
	uint64_t now = ns_now_ms();
	struct ns_json j;
	size_t prev = ac->ovl.n;
	int err;

	if (ac->ovl_done && now - ac->ovl_ms < 5000)
		return;
	ac->ovl_ms = now;
	ns_ctr_table_refresh(&ac->s->table, now);
	err = ns_overlay_audit(&ac->s->table, &r);
	if (err) {
		ns_warn("overlay audit: %s", strerror(-err));
		ns_overlay_report_free(&r);
		return;
	}
	ns_overlay_report_free(&ac->ovl);
	ac->ovl = r;
	ac->ovl_done = true;
	ns_buf_reset(&ac->rep.overlay_text);
	ns_buf_reset(&ac->rep.overlay_json);
	ns_buf_reset(&ac->out);
	ns_overlay_report_text(&ac->ovl, &ac->out);
	/* one report line per finding, indented like the rest of the report */
	for (const char *p = ac->out.p, *e; p && p < ac->out.p + ac->out.len; p = e + 1) {
		e = memchr(p, '\n', (size_t)(ac->out.p + ac->out.len - p));
		if (!e)
			e = ac->out.p + ac->out.len;
		ns_buf_printf(&ac->rep.overlay_text, "  overlay audit: %.*s\n", (int)(e - p), p);
	}
	nj_init(&j, &ac->rep.overlay_json);
	ns_overlay_report_json(&ac->ovl, &j);
	/* new findings are news: the report carries them from now on */
	if (ac->ovl.n != prev && ac->ovl.n && !ac->o->json) {
		ns_buf_reset(&ac->out);
		ns_overlay_report_text(&ac->ovl, &ac->out);
		ns_warn("overlay audit: %zu vxlan entr%s for containers of this host:\n%.*s", ac->ovl.n,
			ac->ovl.n == 1 ? "y" : "ies", (int)ac->out.len, ac->out.p);
	}
}

/* A flap whose MAC the last overlay audit found in a vxlan table of the bridge's namespace: the cause. */
static void overlay_cause(struct agent_ctx *ac, const struct ns_flap *fl, struct ns_flap_desc *d)
{
	size_t i, nc = 0, nf = 0;
	char ip[64], dst[64];

	for (i = 0; i < ac->ovl.n; i++) {
		const struct ns_overlay_finding *f = &ac->ovl.v[i];

		if (f->netns != fl->netns || !f->has_mac || memcmp(f->mac, fl->mac, 6))
			continue;
		ip[0] = dst[0] = '\0';
		if (f->ip_family)
			ns_fmt_addr((uint16_t)(f->ip_family == 10 ? 10 : 2), f->ip, ip, sizeof(ip));
		if (f->dst_family)
			ns_fmt_addr((uint16_t)(f->dst_family == 10 ? 10 : 2), f->dst, dst, sizeof(dst));
		if (f->kind == NS_OVL_FDB)
			nc += (size_t)snprintf(d->cause + nc, nc < sizeof(d->cause) ? sizeof(d->cause) - nc : 0,
					       "%s%s holds a static FDB entry for this local MAC (dst %s, %s)",
					       nc ? "; " : "", f->vxlan, dst[0] ? dst : "none",
					       ns_overlay_dst_name(f->dst_kind));
		else
			nc += (size_t)snprintf(d->cause + nc, nc < sizeof(d->cause) ? sizeof(d->cause) - nc : 0,
					       "%s%s holds a neighbour entry %s -> this MAC%s", nc ? "; " : "", f->vxlan, ip,
					       f->proxy ? ", and with proxy ARP on it answers ARP for the local container too"
							: "");
		nf += (size_t)snprintf(d->fix + nf, nf < sizeof(d->fix) ? sizeof(d->fix) - nf : 0, "%s%s",
				       nf ? " && " : "", f->fix);
		if (nc >= sizeof(d->cause) || nf >= sizeof(d->fix))
			break;
	}
}

static void br_remember(struct agent_ctx *ac, uint32_t netns, uint32_t ifindex, const char *name)
{
	size_t i;

	for (i = 0; i < ac->nbrs; i++)
		if (ac->brs[i].netns == netns && ac->brs[i].ifindex == ifindex)
			return;
	if (ac->nbrs >= 4096 || NS_VEC_RESERVE(ac->brs, ac->cap_brs, ac->nbrs, 16, 0))
		return;
	ac->brs[ac->nbrs].netns = netns;
	ac->brs[ac->nbrs].ifindex = ifindex;
	memcpy(ac->brs[ac->nbrs].name, name, 16);
	ac->brs[ac->nbrs].name[15] = '\0';
	ac->nbrs++;
}

static const char *br_lookup(const struct agent_ctx *ac, uint32_t netns, uint32_t ifindex)
{
	size_t i;

	for (i = 0; i < ac->nbrs; i++)
		if (ac->brs[i].netns == netns && ac->brs[i].ifindex == ifindex)
			return ac->brs[i].name;
	return NULL;
}

/*
 * Who is behind a bridge port: the namespace holding the other end of the
 * veth (ifindex and peer ifindex both match, so equal ifindex numbers in
 * different namespaces do not confuse it).
 */
static bool port_owner(struct agent_ctx *ac, uint32_t br_netns, uint32_t ifindex, char *label, size_t len)
{
	struct ns_nsinfo *nss = NULL;
	const struct ns_nsinfo *brns = NULL;
	const struct ns_link *port = NULL;
	struct ns_ident id;
	size_t nns = 0, i;
	unsigned k;
	bool found = false;

	if (ns_ctr_table_namespaces(&ac->s->table, &nss, &nns))
		return false;
	for (i = 0; i < nns && !brns; i++)
		if (nss[i].netns == br_netns)
			brns = &nss[i];
	for (k = 0; brns && k < brns->nlinks && !port; k++)
		if (brns->links[k].ifindex == (int)ifindex && !strcmp(brns->links[k].kind, "veth"))
			port = &brns->links[k];
	for (i = 0; port && i < nns && !found; i++) {
		if (&nss[i] == brns)
			continue;
		for (k = 0; k < nss[i].nlinks && !found; k++) {
			const struct ns_link *l = &nss[i].links[k];

			if (l->ifindex == port->link_ifindex && l->link_ifindex == port->ifindex &&
			    !strcmp(l->kind, "veth")) {
				ns_ctr_ident_netns(&ac->s->table, nss[i].netns, &id);
				ns_ident_label(&id, label, len);
				found = true;
			}
		}
	}
	free(nss);
	return found;
}

static void flap_describe(struct agent_ctx *ac, const struct ns_flap *fl, struct ns_flap_desc *d)
{
	struct fdb_mac_val v;
	struct ns_ident id;
	unsigned i;

	memset(d, 0, sizeof(*d));
	d->netns = fl->netns;
	ns_ctr_ident_netns(&ac->s->table, fl->netns, &id);
	ns_ident_label(&id, d->where, sizeof(d->where));
	memcpy(d->bridge, fl->bridge, sizeof(d->bridge));
	ns_fmt_mac(fl->mac, d->mac, sizeof(d->mac));
	d->vlan = fl->vlan;
	if (ns_ctr_ident_mac(&ac->s->table, fl->mac, &id)) {
		ns_ident_label(&id, d->owner, sizeof(d->owner));
		d->owner_netns = id.netns;
	}
	for (i = 0; i < fl->nports; i++) {
		memcpy(d->ports[i].name, fl->ports[i].name, 16);
		memcpy(d->ports[i].kind, fl->ports[i].kind, 16);
		d->ports[i].arrivals = fl->ports[i].arrivals;
		if (!strcmp(fl->ports[i].kind, "veth"))
			port_owner(ac, fl->netns, fl->ports[i].ifindex, d->ports[i].owner, sizeof(d->ports[i].owner));
	}
	d->nports = fl->nports;
	d->moves = fl->moves;
	/* the kernel's count stays exact when the ring buffer dropped events */
	d->kernel_moves = fl->kernel_moves;
	if (!ns_fdb_mac_lookup(ns_session_feat(ac->s, NS_FEAT_FDB), fl->netns, fl->br_ifindex, fl->vlan, fl->mac, &v))
		d->kernel_moves = v.moves;
	d->rate_per_min = ns_flap_rate_per_min(fl, ac->flaps.window_ns);
	wall(ac, fl->start_ns, d->start, sizeof(d->start));
	wall(ac, fl->last_ns, d->end, sizeof(d->end));
	d->open = fl->open;
	overlay_cause(ac, fl, d);
}

static void flap_print(struct agent_ctx *ac, const struct ns_flap_desc *d)
{
	struct ns_json j;

	ns_buf_reset(&ac->out);
	if (ac->o->json) {
		nj_init(&j, &ac->out);
		nj_obj_begin(&j);
		nj_kv_str(&j, "type", "anomaly");
		nj_key(&j, "anomaly");
		ns_flap_desc_json(d, &j);
		nj_obj_end(&j);
		ns_buf_puts(&ac->out, "\n");
		fwrite(ac->out.p, 1, ac->out.len, stdout);
		fflush(stdout);
	} else {
		ns_flap_desc_line(d, &ac->out);
		ns_warn("%.*s", (int)ac->out.len - 1, ac->out.p);
	}
}

static void on_fdb(struct agent_ctx *ac, const struct fdb_event *e)
{
	struct ns_flap_desc d;
	struct ns_flap *fl;
	bool opened;

	br_remember(ac, e->hdr.netns, e->br_ifindex, e->br_name);
	if (e->action != NS_FDB_MOVE)
		return;
	fl = ns_flaps_move(&ac->flaps, e, &opened);
	if (!fl || !opened)
		return;
	/* say it the moment it is seen, once; reports carry it while it lasts */
	overlay_audit_now(ac);
	flap_describe(ac, fl, &d);
	flap_print(ac, &d);
}

static void flap_closed(void *ctx, struct ns_flap *fl)
{
	struct agent_ctx *ac = ctx;
	struct ns_flap_desc d;

	flap_describe(ac, fl, &d);
	flap_print(ac, &d);
	if (!NS_VEC_RESERVE(ac->closed, ac->cap_closed, ac->nclosed, 4, 0))
		ac->closed[ac->nclosed++] = d;
}

static void on_dup(struct agent_ctx *ac, const struct neigh_event *e)
{
	size_t i;

	for (i = 0; i < ac->ndups; i++) {
		struct dup_ent *d = &ac->dups[i];

		if (d->netns == e->hdr.netns && d->ifindex == e->ifindex && d->family == e->family &&
		    !memcmp(d->addr, e->addr, 16))
			break;
	}
	if (i == ac->ndups) {
		if (ac->ndups >= 1024 || NS_VEC_RESERVE(ac->dups, ac->cap_dups, ac->ndups, 16, 0))
			return;
		memset(&ac->dups[i], 0, sizeof(ac->dups[i]));
		ac->dups[i].netns = e->hdr.netns;
		ac->dups[i].ifindex = e->ifindex;
		ac->dups[i].family = e->family;
		memcpy(ac->dups[i].addr, e->addr, 16);
		memcpy(ac->dups[i].ifname, e->ifname, 16);
		ac->dups[i].ifname[15] = '\0';
		ac->ndups++;
	}
	ac->dups[i].count++;
	ac->dups[i].last_ts = e->hdr.ts_ns;
	memcpy(ac->dups[i].lladdr, e->lladdr, 6);
}

static int sum_mac_moves(void *ctx, const struct fdb_mac_key *k, const struct fdb_mac_val *v)
{
	struct agent_ctx *ac = ctx;
	struct ns_ident id;
	size_t i;

	if (!ns_ctr_ident_mac(&ac->s->table, k->mac, &id))
		return 0;
	for (i = 0; i < ac->nmm; i++)
		if (ac->mm[i].netns == id.netns)
			break;
	if (i == ac->nmm) {
		if (NS_VEC_RESERVE(ac->mm, ac->cap_mm, ac->nmm, 16, 0))
			return -ENOMEM;
		ac->mm[ac->nmm].netns = id.netns;
		ac->mm[ac->nmm].moves = 0;
		ac->nmm++;
	}
	ac->mm[i].moves += v->moves;
	return 0;
}

static struct ns_report_bridge *bridge_get(struct agent_ctx *ac, uint32_t netns, uint32_t ifindex)
{
	struct ns_report_bridge *br;
	struct ns_ident id;
	const char *name;
	size_t i;

	for (i = 0; i < ac->rep.nbridges; i++)
		if (ac->rep.bridges[i].netns == netns && ac->rep.bridges[i].ifindex == ifindex)
			return &ac->rep.bridges[i];
	if (NS_VEC_RESERVE(ac->rep.bridges, ac->rep.cap_bridges, ac->rep.nbridges, 8, 0))
		return NULL;
	br = &ac->rep.bridges[ac->rep.nbridges++];
	memset(br, 0, sizeof(*br));
	br->netns = netns;
	br->ifindex = ifindex;
	ns_ctr_ident_netns(&ac->s->table, netns, &id);
	ns_ident_label(&id, br->where, sizeof(br->where));
	name = br_lookup(ac, netns, ifindex);
	if (name)
		snprintf(br->name, sizeof(br->name), "%s", name);
	else
		snprintf(br->name, sizeof(br->name), "if%u", ifindex);
	return br;
}

/* Per-bridge and per-namespace L2 counters, open flaps, duplicate answers: into the report. */
static void l2_report(struct agent_ctx *ac, uint64_t now_ns)
{
	const struct ns_loaded *l = ns_session_feat(ac->s, NS_FEAT_FDB);
	size_t i, k;
	int err;

	ac->rep.nflaps = ac->rep.nbridges = ac->rep.ndups = 0;
	if (!l)
		return;
	ns_flaps_expire(&ac->flaps, now_ns, flap_closed, ac);
	if ((err = ns_fdb_read_counts(l, &ac->fdbc)))
		ns_warn("reading FDB counters: %s", strerror(-err));
	if ((err = ns_neigh_read_counts(l, &ac->nc)))
		ns_warn("reading neighbour counters: %s", strerror(-err));
	ac->nmm = 0;
	if ((err = ns_fdb_moves_walk(l, sum_mac_moves, ac)))
		ns_warn("reading FDB move records: %s", strerror(-err));
	for (i = 0; i < ac->fdbc.n; i++) {
		const struct ns_fdb_count *c = &ac->fdbc.v[i];
		struct ns_report_bridge *br;

		if (!wanted(ac, c->netns) || !(br = bridge_get(ac, c->netns, c->br_ifindex)))
			continue;
		switch (c->action) {
		case NS_FDB_LEARN:
		case NS_FDB_EXT_LEARN:
			br->learned += c->n;
			break;
		case NS_FDB_MOVE:
			br->moves += c->n;
			break;
		case NS_FDB_DEL:
			br->deleted += c->n;
			break;
		case NS_FDB_ADD:
			br->added += c->n;
			break;
		default:
			br->refreshes += c->n;
		}
	}
	for (i = 0; i < ac->flaps.n; i++) {
		const struct ns_flap *fl = &ac->flaps.v[i];
		struct ns_report_bridge *br;

		if (!fl->open || !wanted(ac, fl->netns))
			continue;
		if ((br = bridge_get(ac, fl->netns, fl->br_ifindex)))
			br->flapping++;
		if (NS_VEC_RESERVE(ac->rep.flaps, ac->rep.cap_flaps, ac->rep.nflaps, 4, 0))
			continue;
		flap_describe(ac, fl, &ac->rep.flaps[ac->rep.nflaps++]);
	}
	for (i = 0; i < ac->nclosed; i++)
		if (!NS_VEC_RESERVE(ac->rep.flaps, ac->rep.cap_flaps, ac->rep.nflaps, 4, 0))
			ac->rep.flaps[ac->rep.nflaps++] = ac->closed[i];
	ac->nclosed = 0;
	for (i = 0; i < ac->ndups; i++) {
		const struct dup_ent *d = &ac->dups[i];
		struct ns_report_dup *rd;
		struct ns_ident id;

		if (!wanted(ac, d->netns) || NS_VEC_RESERVE(ac->rep.dups, ac->rep.cap_dups, ac->rep.ndups, 8, 0))
			continue;
		rd = &ac->rep.dups[ac->rep.ndups++];
		memset(rd, 0, sizeof(*rd));
		rd->netns = d->netns;
		ns_ctr_ident_netns(&ac->s->table, d->netns, &id);
		ns_ident_label(&id, rd->where, sizeof(rd->where));
		snprintf(rd->ifname, sizeof(rd->ifname), "%s", d->ifname);
		ns_fmt_addr(d->family, d->addr, rd->addr, sizeof(rd->addr));
		ns_fmt_mac(d->lladdr, rd->lladdr, sizeof(rd->lladdr));
		rd->count = d->count;
		wall(ac, d->last_ts, rd->last, sizeof(rd->last));
	}
	for (k = 0; k < ac->rep.n; k++) {
		struct ns_report_row *row = &ac->rep.rows[k];

		row->has_l2 = true;
		for (i = 0; i < ac->nmm; i++)
			if (ac->mm[i].netns == row->id.netns)
				row->fdb_moves = ac->mm[i].moves;
		for (i = 0; i < ac->nc.n; i++) {
			if (ac->nc.v[i].netns != row->id.netns || !ac->nc.v[i].flags)
				continue;
			row->neigh_changes += ac->nc.v[i].n;
			if (ac->nc.v[i].flags & NS_NEIGH_F_DUP)
				row->neigh_dup_answers += ac->nc.v[i].n;
		}
	}
}

/* A stalled flow opened, is still stuck, or ended: said at once, like every anomaly. */
static void stall_emit(void *ctx, const struct ns_stall_anomaly *a, int transition)
{
	static const char *const names[] = { "opened", "updated", "closed" };
	struct agent_ctx *ac = ctx;
	struct ns_json j;

	if (!ns_session_wanted(ac->s, a->k.netns))
		return;
	ns_buf_reset(&ac->out);
	if (ac->o->json) {
		nj_init(&j, &ac->out);
		nj_obj_begin(&j);
		nj_kv_str(&j, "type", "anomaly");
		nj_kv_str(&j, "transition", names[transition < 3 ? transition : 2]);
		nj_key(&j, "anomaly");
		ns_stall_anomaly_json(a, &ac->s->fmt, &j);
		nj_obj_end(&j);
		ns_buf_puts(&ac->out, "\n");
		fwrite(ac->out.p, 1, ac->out.len, stdout);
		fflush(stdout);
	} else {
		ns_stall_anomaly_line(a, &ac->s->fmt, &ac->out);
		ns_warn("%.*s", (int)ac->out.len - 1, ac->out.p);
	}
	ns_buf_reset(&ac->out);
}

static int on_event(void *ctx, const struct ns_event_hdr *h, size_t size)
{
	struct agent_ctx *ac = ctx;
	struct ns_ctreset *a = NULL;

	(void)size;
	ac->events++;
	if (h->type == NS_EV_CT_INVALID)
		a = ns_corr_invalid(&ac->corr, (const void *)h);
	else if (h->type == NS_EV_RST_SENT)
		a = ns_corr_rst(&ac->corr, (const void *)h);
	if (a && a->resets == 1)
		anomaly_found(ac, a);
	if (h->type == NS_EV_FDB)
		on_fdb(ac, (const void *)h);
	else if (h->type == NS_EV_NEIGH && (((const struct neigh_event *)h)->flags & NS_NEIGH_F_DUP))
		on_dup(ac, (const void *)h);
	ns_path_event(&ac->path, h);
	if (!ac->print_events)
		return 0;
	ns_buf_reset(&ac->out);
	ns_fmt_event(&ac->s->fmt, h, ac->o->json, &ac->out);
	fwrite(ac->out.p, 1, ac->out.len, stdout);
	return 0;
}

static struct gauge_ent *gauge_get(struct agent_ctx *ac, uint32_t netns)
{
	size_t i;

	for (i = 0; i < ac->ng; i++)
		if (ac->g[i].netns == netns)
			return &ac->g[i];
	if (NS_VEC_RESERVE(ac->g, ac->cap_g, ac->ng, 32, 0))
		return NULL;
	memset(&ac->g[ac->ng], 0, sizeof(ac->g[0]));
	ac->g[ac->ng].netns = netns;
	return &ac->g[ac->ng++];
}

static void gauge_drop(struct agent_ctx *ac, uint32_t netns)
{
	size_t i;

	for (i = 0; i < ac->ng; i++)
		if (ac->g[i].netns == netns) {
			ac->g[i] = ac->g[--ac->ng];
			return;
		}
}

/*
 * TCP states of one namespace: a sock_diag snapshot when there is none yet,
 * when transitions no longer add up, when states the tracepoint cannot follow
 * may have changed (ns_tcp_gauge_volatile), or every --tcp-resync; otherwise
 * the kernel's transition counters keep it current without walking the
 * kernel's connection table (~300 us per namespace, measured).
 */
static bool tcp_states(struct agent_ctx *ac, uint32_t netns, uint64_t now, uint64_t out[NS_TCP_NSTATES])
{
	const struct ns_tcp_trans *t = ns_tcp_trans_find(&ac->trans, netns);
	bool tracking = ns_session_feat(ac->s, NS_FEAT_TCPSTATE) != NULL;
	struct gauge_ent *ge = gauge_get(ac, netns);
	struct ns_tcp_trans zero;
	uint64_t counts[NS_TCP_NSTATES];
	int fd, err;

	if (!ge)
		return false;
	if (!t) {
		memset(&zero, 0, sizeof(zero));
		t = &zero;
	}
	if (tracking && ge->g.valid) {
		ns_tcp_gauge_update(&ge->g, t);
		if (!ge->g.drift && !ns_tcp_gauge_volatile(&ge->g, t) && now - ge->snap_ms < ac->resync_ms)
			goto done;
	}
	fd = ns_ctr_table_open_netns(&ac->s->table, netns);
	if (fd < 0)
		return ge->g.valid ? (memcpy(out, ge->g.cur, sizeof(ge->g.cur)), true) : false;
	err = ns_sockdiag_tcp_states(fd, counts);
	close(fd);
	if (err) {
		ns_dbg("sock_diag in netns %u: %s", netns, strerror(-err));
		return false;
	}
	ns_tcp_gauge_snapshot(&ge->g, counts, t);
	ge->snap_ms = now;
done:
	memcpy(out, ge->g.cur, sizeof(ge->g.cur));
	return true;
}

static const struct ns_link *find_link(const struct ns_nsinfo *n, int ifindex)
{
	unsigned k;

	for (k = 0; n && k < n->nlinks; k++)
		if (n->links[k].ifindex == ifindex)
			return &n->links[k];
	return NULL;
}

/*
 * The other end of a container's veth: by ifindex in the host namespace
 * first, else in whichever namespace holds a veth pointing back at it (the
 * bridge may live in a namespace of its own: docker-in-netns, test labs).
 */
static const struct ns_link *veth_peer(const struct ns_link *l, const struct ns_nsinfo *self,
				       const struct ns_nsinfo *nss, size_t nns, const struct ns_nsinfo *host)
{
	const struct ns_link *p = find_link(host, l->link_ifindex);
	size_t i;

	if (p && !strcmp(p->kind, "veth") && p->link_ifindex == l->ifindex)
		return p;
	for (i = 0; i < nns; i++) {
		if (&nss[i] == self || &nss[i] == host)
			continue;
		p = find_link(&nss[i], l->link_ifindex);
		if (p && !strcmp(p->kind, "veth") && p->link_ifindex == l->ifindex)
			return p;
	}
	return NULL;
}

static void fill_links(struct ns_report_row *row, const struct ns_nsinfo *n, const struct ns_nsinfo *nss,
		       size_t nns, const struct ns_nsinfo *host)
{
	unsigned k;

	for (k = 0; k < n->nlinks && row->nlinks < NS_REPORT_MAX_LINKS; k++) {
		const struct ns_link *l = &n->links[k];
		struct ns_report_link *rl;

		if (!strcmp(l->name, "lo"))
			continue;
		rl = &row->links[row->nlinks++];
		snprintf(rl->name, sizeof(rl->name), "%s", l->name);
		snprintf(rl->kind, sizeof(rl->kind), "%s", l->kind);
		rl->ifindex = l->ifindex;
		rl->has_mac = l->has_mac;
		memcpy(rl->mac, l->mac, 6);
		rl->rx_bytes = l->rx_bytes;
		rl->tx_bytes = l->tx_bytes;
		rl->rx_packets = l->rx_packets;
		rl->tx_packets = l->tx_packets;
		rl->rx_errors = l->rx_errors;
		rl->tx_errors = l->tx_errors;
		rl->rx_dropped = l->rx_dropped;
		rl->tx_dropped = l->tx_dropped;
		/* a container's veth names its host-side peer by ifindex in the host namespace */
		for (unsigned a = 0; a < n->naddrs && rl->naddrs < 4; a++)
			if (n->addrs[a].ifindex == l->ifindex &&
			    inet_ntop(n->addrs[a].family == 10 ? AF_INET6 : AF_INET, n->addrs[a].addr,
				      rl->addrs[rl->naddrs], sizeof(rl->addrs[0])))
				rl->naddrs++;
		if (row->id.kind == NS_IDENT_CONTAINER && !strcmp(l->kind, "veth") && l->link_netnsid >= 0) {
			const struct ns_link *peer = veth_peer(l, n, nss, nns, host);

			if (peer)
				snprintf(rl->peer, sizeof(rl->peer), "%s", peer->name);
		}
	}
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	return (h ^ v) * 0x100000001b3ULL;
}

/* A namespace forgotten: the agent's own records of its duplicate answers and bridges go too. */
static void l2_netns_gone(struct agent_ctx *ac, uint32_t netns)
{
	size_t i;

	for (i = 0; i < ac->ndups;)
		if (ac->dups[i].netns == netns)
			ac->dups[i] = ac->dups[--ac->ndups];
		else
			i++;
	for (i = 0; i < ac->nbrs;)
		if (ac->brs[i].netns == netns)
			ac->brs[i] = ac->brs[--ac->nbrs];
		else
			i++;
}

/* Namespaces the table forgot: drop their kernel counters so the maps never fill with the dead. */
static void prune_expired(struct agent_ctx *ac)
{
	uint32_t gone[256];
	size_t n, i;

	while ((n = ns_ctr_table_take_expired(&ac->s->table, gone, 256)) > 0) {
		for (i = 0; i < n; i++) {
			/* every feature's per-namespace kernel maps (struct ns_feature.netns_maps) */
			ns_session_prune_netns(ac->s, gone[i]);
			gauge_drop(ac, gone[i]);
			l2_netns_gone(ac, gone[i]);
		}
	}
}

static void now_str(char *buf, size_t len, bool iso)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (iso) {
		gmtime_r(&ts.tv_sec, &tm);
		strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	} else {
		localtime_r(&ts.tv_sec, &tm);
		strftime(buf, len, "%H:%M:%S", &tm);
	}
}


static int report(struct agent_ctx *ac, bool final)
{
	struct ns_nsinfo *nss = NULL, *host = NULL;
	uint64_t now = ns_now_ms(), sig = 0;
	struct ns_rst_summary *t;
	char ts[64], title[160];
	size_t nns = 0, i, k;
	int err;

	ns_ctr_table_refresh(&ac->s->table, now);
	ns_ctr_table_refresh_links(&ac->s->table, now);
	err = ns_rst_read_counts(ns_session_feat(ac->s, NS_FEAT_RST), ac->cur);
	if (err) {
		ns_err("reading RST counters: %s", strerror(-err));
		return err;
	}
	if (ns_session_feat(ac->s, NS_FEAT_TCPSTATE) &&
	    (err = ns_tcpstate_read(ns_session_feat(ac->s, NS_FEAT_TCPSTATE), &ac->trans)))
		ns_warn("reading TCP state counters: %s", strerror(-err));
	if (ns_session_feat(ac->s, NS_FEAT_CT) && (err = ns_ct_read_counts(ns_session_feat(ac->s, NS_FEAT_CT), &ac->ct)))
		ns_warn("reading conntrack counters: %s", strerror(-err));
	err = ns_ctr_table_namespaces(&ac->s->table, &nss, &nns);
	if (err)
		return err;
	for (i = 0; i < nns; i++)
		if (nss[i].host)
			host = &nss[i];

	ac->rep.n = 0;
	ac->rep.events_lost = ac->cur->lost;
	ac->rep.counter_updates_lost = ac->cur->count_full;
	ac->rep.api_up = ac->s->table.api_up;
	for (i = 0; i < nns; i++) {
		const struct ns_rst_row *r = ns_rst_summary_find(ac->cur, nss[i].netns);
		const struct ns_rst_row *p = ns_rst_summary_find(ac->prev, nss[i].netns);
		struct ns_report_row *row;

		if (!wanted(ac, nss[i].netns) || (!nss[i].alive && !r))
			continue;
		row = ns_report_add(&ac->rep);
		if (!row)
			break;
		ns_ctr_ident_netns(&ac->s->table, nss[i].netns, &row->id);
		row->alive = nss[i].alive;
		if (r) {
			row->rst = *r;
			row->rst_sent_delta = r->sent - (p ? p->sent : 0);
			row->rst_recv_delta = r->recv - (p ? p->recv : 0);
		}
		if (nss[i].alive)
			row->has_tcp = tcp_states(ac, nss[i].netns, now, row->tcp);
		row->ct_invalid = ns_ct_invalid_total(&ac->ct, nss[i].netns);
		ns_ct_invalid_by_reason(&ac->ct, nss[i].netns, row->ct_by_reason);
		row->ct_invalid_resets = ns_corr_resets_in(&ac->corr, nss[i].netns);
		if (row->ct_invalid && !row->ct_invalid_resets) {
			struct ns_nf_audit au;

			if (!ns_nf_audit(&ac->s->table, nss[i].netns, &au) && au.invalid_drop)
				snprintf(row->ct_drop_rule, sizeof(row->ct_drop_rule), "%s", au.rule);
		}
		sig = mix(sig, row->ct_invalid);
		fill_links(row, &nss[i], nss, nns, host);
		sig = mix(sig, nss[i].netns);
		sig = mix(sig, row->rst.sent);
		sig = mix(sig, row->rst.recv);
		sig = mix(sig, row->alive);
		for (k = 0; row->has_tcp && k < NS_TCP_NSTATES; k++)
			sig = mix(sig, row->tcp[k]);
	}
	/* RSTs from namespaces nobody could name (no process, no `ip netns` name) still count */
	for (i = 0; i < ac->cur->n; i++) {
		const struct ns_rst_row *r = &ac->cur->rows[i], *p = ns_rst_summary_find(ac->prev, r->netns);
		struct ns_report_row *row;
		bool known = false;

		for (k = 0; k < nns && !known; k++)
			known = nss[k].netns == r->netns;
		if (known || !wanted(ac, r->netns))
			continue;
		row = ns_report_add(&ac->rep);
		if (!row)
			break;
		ns_ctr_ident_netns(&ac->s->table, r->netns, &row->id);
		row->rst = *r;
		row->rst_sent_delta = r->sent - (p ? p->sent : 0);
		row->rst_recv_delta = r->recv - (p ? p->recv : 0);
		sig = mix(sig, r->netns);
		sig = mix(sig, r->sent + r->recv);
	}
	ns_report_sort(&ac->rep);
	free(nss);
	if (ns_session_feat(ac->s, NS_FEAT_FDB) &&
	    (!ac->ovl_done || (ac->ovl_interval_ms && now - ac->ovl_ms >= ac->ovl_interval_ms)))
		overlay_audit_now(ac);
	l2_report(ac, now * 1000000ULL);
	for (i = 0; i < ac->rep.nflaps; i++)
		sig = mix(sig, ac->rep.flaps[i].kernel_moves + ac->rep.flaps[i].open);
	for (i = 0; i < ac->rep.nbridges; i++)
		sig = mix(sig, ac->rep.bridges[i].moves + ac->rep.bridges[i].learned);
	ac->rep.nanomalies = 0;
	for (i = 0; i < ac->corr.nan; i++) {
		if (!wanted(ac, ac->corr.an[i].netns) ||
		    NS_VEC_RESERVE(ac->rep.anomalies, ac->rep.cap_anomalies, ac->rep.nanomalies, 4, 0))
			continue;
		describe(ac, &ac->corr.an[i], &ac->rep.anomalies[ac->rep.nanomalies++]);
		sig = mix(sig, ac->corr.an[i].resets);
	}
	prune_expired(ac);
	if (final)	/* otherwise tick() keeps it current, every second */
		ns_path_tick(&ac->path, now, stall_emit, ac);
	ns_path_refresh(&ac->path, now);
	sig = mix(sig, ac->path.st.opened + ac->path.st.closed);

	ns_buf_reset(&ac->out);
	if (ac->o->json) {
		now_str(ts, sizeof(ts), true);
		ns_report_json(&ac->rep, &ac->s->fmt, ts, final, &ac->out);
		ns_path_report_json(&ac->path, ts, final, now, &ac->out);
	} else if (final || !ac->printed_once || sig != ac->last_sig) {
		now_str(ts, sizeof(ts), false);
		snprintf(title, sizeof(title), "%s netsleuth report%s", ts,
			 final ? " (at exit)" : "");
		ns_report_text(&ac->rep, &ac->s->fmt, title, &ac->out);
		ns_path_report_text(&ac->path, now, &ac->out);
	}
	ac->last_sig = sig;
	if (ac->out.len) {
		fwrite(ac->out.p, 1, ac->out.len, stdout);
		fflush(stdout);
		ac->printed_once = true;
	}
	t = ac->prev;
	ac->prev = ac->cur;
	ac->cur = t;
	return 0;
}

/*
 * Every second: stalled flows are checked (a stall is reported within its
 * threshold plus about a second, whatever the report interval); a report
 * when one is due.
 */
static int tick(void *ctx)
{
	struct agent_ctx *ac = ctx;
	uint64_t now = ns_now_ms();

	ns_path_tick(&ac->path, now, stall_emit, ac);
	if (now < ac->next_report_ms)
		return 0;
	ac->next_report_ms = now + ac->interval_ms;
	return report(ctx, false) ? -1 : 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: netsleuth agent [OPTIONS]\n"
		"\n"
		"Load every probe and report per container / network namespace until stopped.\n"
		"\n"
		"  -i, --interval D     report period (default 5s)\n"
		"      --tcp-resync D   re-count TCP states with sock_diag at least this often (default 60s)\n"
		"  -E, --events         also print every event (as `trace` would)\n"
		"      --flap-moves N   a MAC moving between bridge ports more than N times ... (default 5)\n"
		"      --flap-window D  ... within D is flapping; closed after D without a move (default 60s)\n"
		"      --fdb-entries N  bridge MACs remembered in the kernel (LRU, default 16384)\n"
		"      --audit-interval D  look for vxlan entries pointing at local containers this often\n"
		"                       (default 60s; 0: only when a MAC flaps)\n"
		"      --stall-threshold D  a retransmitting flow without progress this long is stalled (default 10s)\n"
		"%s",
		NS_COMMON_HELP);
}

int cmd_agent(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "events", no_argument, NULL, 'E' },
		{ "tcp-resync", required_argument, NULL, 0x201 },
		{ "flap-moves", required_argument, NULL, 0x202 },
		{ "flap-window", required_argument, NULL, 0x203 },
		{ "fdb-entries", required_argument, NULL, 0x204 },
		{ "audit-interval", required_argument, NULL, 0x205 },
		{ "stall-threshold", required_argument, NULL, 0x210 },
		{ "help", no_argument, NULL, 'h' },
		NS_COMMON_LONGOPTS,
		{ 0 },
	};
	struct ns_common_opts o;
	struct ns_session s;
	struct agent_ctx ac = { .s = &s, .o = &o, .resync_ms = 60000, .ovl_interval_ms = 60000, .stall_ms = NS_STALL_DEFAULT_THRESHOLD_MS };
	uint64_t interval_ms = 5000, flap_moves = NS_FLAP_DEFAULT_MOVES, flap_window_ms = NS_FLAP_DEFAULT_WINDOW_NS / 1000000,
		 fdb_entries = 0;
	int opt, err;

	ac.cur = &ac.a;
	ac.prev = &ac.b;
	ns_corr_init(&ac.corr);
	ns_common_opts_init(&o);
	while ((opt = getopt_long(argc, argv, "i:Eh" NS_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			if (ns_parse_duration_ms(optarg, &interval_ms) || interval_ms < 100) {
				ns_err("--interval %s: want a duration of at least 100ms", optarg);
				return NS_EXIT_FAIL;
			}
			break;
		case 0x201:
			if (ns_parse_duration_ms(optarg, &ac.resync_ms) || ac.resync_ms < 100) {
				ns_err("--tcp-resync %s: want a duration of at least 100ms", optarg);
				return NS_EXIT_FAIL;
			}
			break;
		case 'E':
			ac.print_events = true;
			break;
		case 0x202:
			if (ns_parse_u64(optarg, 1, NS_FLAP_MAX_THRESHOLD, &flap_moves)) {
				ns_err("--flap-moves %s: want a number from 1 to %d", optarg, NS_FLAP_MAX_THRESHOLD);
				return NS_EXIT_FAIL;
			}
			break;
		case 0x203:
			if (ns_parse_duration_ms(optarg, &flap_window_ms) || flap_window_ms < 100 ||
			    flap_window_ms > 24ULL * 3600 * 1000) {
				ns_err("--flap-window %s: want a duration from 100ms to 24h", optarg);
				return NS_EXIT_FAIL;
			}
			break;
		case 0x205:
			if (ns_parse_duration_ms(optarg, &ac.ovl_interval_ms) ||
			    (ac.ovl_interval_ms && ac.ovl_interval_ms < 1000)) {
				ns_err("--audit-interval %s: want 0 or a duration of at least 1s", optarg);
				return NS_EXIT_FAIL;
			}
			break;
		case 0x204:
			if (ns_parse_u64(optarg, 64, 1U << 24, &fdb_entries)) {
				ns_err("--fdb-entries %s: want a number from 64 to %u", optarg, 1U << 24);
				return NS_EXIT_FAIL;
			}
			break;
		case 0x210:
			if (ns_parse_duration_ms(optarg, &ac.stall_ms) || ac.stall_ms < 500 || ac.stall_ms > 24ULL * 3600 * 1000) {
				ns_err("--stall-threshold %s: want a duration from 500ms to 24h", optarg);
				return NS_EXIT_FAIL;
			}
			break;
		case 'h':
			usage(stdout);
			return NS_EXIT_OK;
		default:
			err = ns_common_opt(&o, opt, optarg);
			if (err) {
				if (err > 0)
					usage(stderr);
				return NS_EXIT_FAIL;
			}
		}
	}
	if (optind < argc) {
		ns_err("unexpected argument '%s'", argv[optind]);
		usage(stderr);
		return NS_EXIT_FAIL;
	}

	ns_flaps_init(&ac.flaps, (unsigned)flap_moves, flap_window_ms * 1000000ULL);
	o.cfg.fdb_entries = (uint32_t)fdb_entries;
	ns_signals_install();
	err = ns_session_open(&s, NS_FEAT_BIT(NS_FEAT_RST),
			      NS_FEAT_BIT(NS_FEAT_TCPSTATE) | NS_FEAT_BIT(NS_FEAT_CT) | NS_FEAT_BIT(NS_FEAT_FDB) |
				      NS_FEAT_BIT(NS_FEAT_DROP) | NS_FEAT_BIT(NS_FEAT_RETRANS), &o.cfg, o.netns, o.nr_netns,
			      &o.ident, on_event, &ac);
	if (err)
		return NS_EXIT_FAIL;
	s.poll_ms = o.poll_ms;
	s.fmt.utc = o.utc;
	ns_path_init(&ac.path, &s, ac.stall_ms);
	ns_session_report_hooks(&s, true);
	ns_info("agent running; report every %llu ms; Ctrl-C to stop", (unsigned long long)interval_ms);
	ac.interval_ms = interval_ms;
	ac.next_report_ms = ns_now_ms() + interval_ms;
	err = ns_session_run(&s, o.duration_ms, interval_ms < 1000 ? interval_ms : 1000, tick, &ac);
	if (err)
		ns_err("reading events: %s", strerror(-err));
	report(&ac, true);
	ns_rst_summary_free(&ac.a);
	ns_rst_summary_free(&ac.b);
	ns_tcp_trans_set_free(&ac.trans);
	ns_report_free(&ac.rep);
	ns_corr_free(&ac.corr);
	free(ac.ct.v);
	free(ac.g);
	ns_flaps_free(&ac.flaps);
	ns_overlay_report_free(&ac.ovl);
	free(ac.closed);
	free(ac.fdbc.v);
	free(ac.nc.v);
	free(ac.dups);
	free(ac.brs);
	free(ac.mm);
	ns_path_free(&ac.path);
	ns_buf_free(&ac.out);
	ns_session_close(&s);
	return err ? NS_EXIT_FAIL : NS_EXIT_OK;
}
