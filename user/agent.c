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

struct gauge_ent {
	uint32_t netns;
	uint64_t snap_ms;
	struct ns_tcp_gauge g;
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

static int prune_key_rst(void *ctx, const void *key)
{
	const uint32_t *gone = ctx;

	return *(const uint32_t *)key != *gone;	/* both key structs start with the netns */
}

/* Namespaces the table forgot: drop their kernel counters so the maps never fill with the dead. */
static void prune_expired(struct agent_ctx *ac)
{
	uint32_t gone[256];
	size_t n, i;

	while ((n = ns_ctr_table_take_expired(&ac->s->table, gone, 256)) > 0) {
		for (i = 0; i < n; i++) {
			ns_map_prune(ns_find_map(ns_session_feat(ac->s, NS_FEAT_RST), "rst_counts"), prune_key_rst,
				     &gone[i]);
			if (ns_session_feat(ac->s, NS_FEAT_TCPSTATE))
				ns_map_prune(ns_find_map(ns_session_feat(ac->s, NS_FEAT_TCPSTATE), "tcpstate_counts"),
					     prune_key_rst, &gone[i]);
			gauge_drop(ac, gone[i]);
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

static bool wanted(const struct agent_ctx *ac, uint32_t netns)
{
	return ns_session_wanted(ac->s, netns);
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
	ac->rep.nanomalies = 0;
	for (i = 0; i < ac->corr.nan; i++) {
		if (!wanted(ac, ac->corr.an[i].netns) ||
		    NS_VEC_RESERVE(ac->rep.anomalies, ac->rep.cap_anomalies, ac->rep.nanomalies, 4, 0))
			continue;
		describe(ac, &ac->corr.an[i], &ac->rep.anomalies[ac->rep.nanomalies++]);
		sig = mix(sig, ac->corr.an[i].resets);
	}
	prune_expired(ac);

	ns_buf_reset(&ac->out);
	if (ac->o->json) {
		now_str(ts, sizeof(ts), true);
		ns_report_json(&ac->rep, &ac->s->fmt, ts, final, &ac->out);
	} else if (final || !ac->printed_once || sig != ac->last_sig) {
		now_str(ts, sizeof(ts), false);
		snprintf(title, sizeof(title), "%s netsleuth report%s", ts,
			 final ? " (at exit)" : "");
		ns_report_text(&ac->rep, &ac->s->fmt, title, &ac->out);
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

static int tick(void *ctx)
{
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
		"%s",
		NS_COMMON_HELP);
}

int cmd_agent(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "events", no_argument, NULL, 'E' },
		{ "tcp-resync", required_argument, NULL, 0x201 },
		{ "help", no_argument, NULL, 'h' },
		NS_COMMON_LONGOPTS,
		{ 0 },
	};
	struct ns_common_opts o;
	struct ns_session s;
	struct agent_ctx ac = { .s = &s, .o = &o, .resync_ms = 60000 };
	uint64_t interval_ms = 5000;
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

	ns_signals_install();
	err = ns_session_open(&s, NS_FEAT_BIT(NS_FEAT_RST), NS_FEAT_BIT(NS_FEAT_TCPSTATE) | NS_FEAT_BIT(NS_FEAT_CT), &o.cfg, o.netns, o.nr_netns,
			      &o.ident, on_event, &ac);
	if (err)
		return NS_EXIT_FAIL;
	s.poll_ms = o.poll_ms;
	s.fmt.utc = o.utc;
	ns_session_report_hooks(&s, true);
	ns_info("agent running; report every %llu ms; Ctrl-C to stop", (unsigned long long)interval_ms);
	err = ns_session_run(&s, o.duration_ms, interval_ms, tick, &ac);
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
	ns_buf_free(&ac.out);
	ns_session_close(&s);
	return err ? NS_EXIT_FAIL : NS_EXIT_OK;
}
