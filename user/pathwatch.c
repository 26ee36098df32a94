// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Drops, retransmissions and stalled flows for the agent (pathwatch.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "events.h"
#include "flowdiag.h"
#include "fmt_path.h"
#include "log.h"
#include "pathwatch.h"
#include "vec.h"

/* event timestamps are CLOCK_MONOTONIC ns, like ns_now_ms() */
#define NS_MS(ns) ((ns) / 1000000ULL)

int ns_path_init(struct ns_pathwatch *pw, struct ns_session *s, uint64_t stall_threshold_ms)
{
	if (!pw || !s)
		return -EINVAL;
	memset(pw, 0, sizeof(*pw));
	pw->s = s;
	ns_stalls_init(&pw->st, stall_threshold_ms);
	return 0;
}

void ns_path_free(struct ns_pathwatch *pw)
{
	if (!pw)
		return;
	ns_stalls_free(&pw->st);
	ns_dest_table_free(&pw->dest);
	ns_drop_counts_free(&pw->drops);
	ns_retrans_counts_free(&pw->rc);
	ns_retrans_dests_free(&pw->rd);
	free(pw->ends);
	memset(pw, 0, sizeof(*pw));
}

static void key_of(struct ns_flow_key *k, uint32_t netns, uint16_t family, const uint8_t *saddr, uint16_t sport,
		   const uint8_t *daddr, uint16_t dport)
{
	memset(k, 0, sizeof(*k));
	k->netns = netns;
	k->family = family;
	k->sport = sport;
	k->dport = dport;
	memcpy(k->saddr, saddr, 16);
	memcpy(k->daddr, daddr, 16);
}

void ns_path_event(struct ns_pathwatch *pw, const struct ns_event_hdr *h)
{
	struct ns_flow_key k;

	if (!pw || !pw->s)
		return;
	if (h->type == NS_EV_RETRANS) {
		const struct retrans_event *e = (const void *)h;

		/* connects that never complete are counted per destination; only data can stall */
		if (e->kind != NS_RT_DATA)
			return;
		key_of(&k, h->netns, e->family, e->saddr, e->sport, e->daddr, e->dport);
		ns_stalls_retrans(&pw->st, &k, NS_MS(h->ts_ns), e->flow_retrans, e->bytes_acked, e->bytes_sent);
	} else if (h->type == NS_EV_FLOW_END) {
		const struct flow_end_event *e = (const void *)h;
		struct ns_path_end *pe;

		/* closed at the next tick, where anomalies can be emitted */
		if (NS_VEC_RESERVE(pw->ends, pw->cap_ends, pw->nends, 16, 65536))
			return;
		pe = &pw->ends[pw->nends++];
		key_of(&pe->k, h->netns, e->family, e->saddr, e->sport, e->daddr, e->dport);
		pe->end = ns_stall_end_of_flow_end(e->end);
		pe->acked = e->bytes_acked;
		pe->sent = e->bytes_sent;
		pe->ts_ms = NS_MS(h->ts_ns);
	}
}

struct tick_ctx {
	struct ns_pathwatch *pw;
	uint64_t now_ms, forget_ms;
	void (*emit)(void *ctx, const struct ns_stall_anomaly *a, int transition);
	void *ctx;
};

/* Every emitted close is also kept for the reports. */
static void emit_wrap(void *ctxp, const struct ns_stall_anomaly *a, int transition)
{
	struct tick_ctx *t = ctxp;
	struct ns_pathwatch *pw = t->pw;

	if (transition == NS_STALL_CLOSED) {
		pw->recent[pw->recent_head] = *a;
		pw->recent_head = (pw->recent_head + 1) % NS_PATH_RECENT_CLOSED;
		if (pw->nrecent < NS_PATH_RECENT_CLOSED)
			pw->nrecent++;
	}
	if (t->emit)
		t->emit(t->ctx, a, transition);
}

/* The kernel's flow table: flows whose events were lost or held back by the rate limit are tracked too. */
static int from_table(void *ctxp, const struct retrans_flow *f)
{
	struct tick_ctx *t = ctxp;
	struct ns_flow_key k;
	uint64_t last = NS_MS(f->last_ns);

	if (f->retrans <= f->syn || last + t->forget_ms < t->now_ms || !ns_session_wanted(t->pw->s, f->netns))
		return 0;
	key_of(&k, f->netns, f->family, f->saddr, f->sport, f->daddr, f->dport);
	ns_stalls_retrans(&t->pw->st, &k, last, f->retrans, f->bytes_acked, f->bytes_sent);
	return 0;
}

static void probe_netns(struct tick_ctx *t, uint32_t netns, const struct ns_flow_key *keys, size_t n)
{
	struct ns_pathwatch *pw = t->pw;
	struct ns_flowdiag_q q[NS_FLOWDIAG_BATCH];
	struct ns_flowdiag_res r[NS_FLOWDIAG_BATCH];
	struct ns_stall_probe p;
	size_t i, m = 0;
	int fd, err;

	for (i = 0; i < n && m < NS_FLOWDIAG_BATCH; i++) {
		if (keys[i].netns != netns)
			continue;
		q[m].family = keys[i].family;
		q[m].sport = keys[i].sport;
		q[m].dport = keys[i].dport;
		memcpy(q[m].saddr, keys[i].saddr, 16);
		memcpy(q[m].daddr, keys[i].daddr, 16);
		m++;
	}
	fd = ns_ctr_table_open_netns(&pw->s->table, netns);
	if (fd < 0) {
		/* cannot enter it: the tracker judges from retransmissions alone */
		pw->probe_errors++;
		return;
	}
	err = ns_flowdiag_lookup(NULL, fd, q, r, m, NS_NSWORKER_TIMEOUT_MS);
	close(fd);
	pw->probes++;
	if (err) {
		pw->probe_errors++;
		ns_dbg("sock_diag lookups in netns %u: %s", netns, strerror(-err));
		return;
	}
	for (i = 0; i < m; i++) {
		struct ns_flow_key k;

		key_of(&k, netns, q[i].family, q[i].saddr, q[i].sport, q[i].daddr, q[i].dport);
		memset(&p, 0, sizeof(p));
		p.found = r[i].found;
		p.state = r[i].state;
		p.unacked = r[i].unacked;
		p.bytes_acked = r[i].bytes_acked;
		p.bytes_sent = r[i].bytes_sent;
		ns_stalls_probed(&pw->st, &k, &p, t->now_ms, emit_wrap, t);
	}
}

void ns_path_refresh(struct ns_pathwatch *pw, uint64_t now_ms)
{
	if (!pw || !pw->s)
		return;
	const struct ns_loaded *d = ns_session_feat(pw->s, NS_FEAT_DROP), *r = ns_session_feat(pw->s, NS_FEAT_RETRANS);
	int err;

	if (d && (err = ns_drop_read_counts(d, &pw->drops)))
		ns_warn("reading drop counters: %s", strerror(-err));
	if (r && (err = ns_retrans_read_counts(r, &pw->rc)))
		ns_warn("reading retransmission counters: %s", strerror(-err));
	if (r && (err = ns_retrans_read_dests(r, &pw->rd)))
		ns_warn("reading retransmissions per destination: %s", strerror(-err));
	if ((err = ns_dest_build(&pw->dest, pw->rd.v, pw->rd.n, &pw->st, now_ms)))
		ns_warn("per-destination view: %s", strerror(-err));
}

void ns_path_tick(struct ns_pathwatch *pw, uint64_t now_ms,
		  void (*emit)(void *ctx, const struct ns_stall_anomaly *a, int transition), void *ctx)
{
	struct tick_ctx t = { .pw = pw, .now_ms = now_ms, .emit = emit, .ctx = ctx };
	struct ns_flow_key keys[NS_STALL_PROBES_PER_TICK];
	const struct ns_loaded *r;
	size_t i, j, n;

	if (!pw || !pw->s)
		return;
	r = ns_session_feat(pw->s, NS_FEAT_RETRANS);
	t.forget_ms = NS_STALL_FORGET_MS > 3 * pw->st.threshold_ms ? NS_STALL_FORGET_MS : 3 * pw->st.threshold_ms;
	for (i = 0; i < pw->nends; i++)
		ns_stalls_end(&pw->st, &pw->ends[i].k, pw->ends[i].end, pw->ends[i].acked, pw->ends[i].sent,
			      pw->ends[i].ts_ms, emit_wrap, &t);
	pw->nends = 0;
	if (r)
		ns_retrans_flows_walk(r, from_table, &t);
	n = ns_stalls_probe_list(&pw->st, keys, NS_STALL_PROBES_PER_TICK);
	/* one trip per namespace: group the lookups */
	for (i = 0; i < n; i++) {
		bool seen = false;

		for (j = 0; j < i && !seen; j++)
			seen = keys[j].netns == keys[i].netns;
		if (!seen)
			probe_netns(&t, keys[i].netns, keys + i, n - i);
	}
	ns_stalls_tick(&pw->st, now_ms, emit_wrap, &t);
}

struct reason_n {
	uint32_t reason;
	uint64_t n;
};

static int cmp_reason(const void *a, const void *b)
{
	const struct reason_n *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return x->reason < y->reason ? -1 : x->reason > y->reason;
}

int ns_path_netns_counters(struct ns_pathwatch *pw, uint32_t netns, struct ns_path_counters *out)
{
	struct reason_n *rs = NULL;
	size_t nr = 0, cap = 0, i, k;
	int err = 0;

	if (!pw || !pw->s || !out || !netns)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	for (i = 0; i < pw->drops.n; i++) {
		const struct ns_drop_count *c = &pw->drops.v[i];

		if (c->netns != netns)
			continue;
		out->drops += c->n;
		for (k = 0; k < nr && rs[k].reason != c->reason; k++)
			;
		if (k == nr) {
			if (NS_VEC_RESERVE(rs, cap, nr, 16, 0)) {
				err = -ENOMEM;
				break;
			}
			rs[nr].reason = c->reason;
			rs[nr++].n = 0;
		}
		rs[k].n += c->n;
	}
	if (nr)
		qsort(rs, nr, sizeof(*rs), cmp_reason);
	for (k = 0; k < nr && k < NS_PATH_TOP_REASONS; k++) {
		char buf[32];
		const char *name = pw->s->fmt.drop_reasons
					   ? ns_drop_reason_str(&pw->s->fmt, true, rs[k].reason, buf, sizeof(buf))
					   : "UNKNOWN";

		ns_strlcpy(out->top[k].reason, name, sizeof(out->top[k].reason));
		out->top[k].n = rs[k].n;
	}
	out->ntop = (unsigned)k;
	free(rs);
	out->retrans_syn = ns_retrans_sum(&pw->rc, netns, NS_RT_SYN, -1, NS_RT_U_RETRANS);
	out->retrans_data = ns_retrans_sum(&pw->rc, netns, NS_RT_DATA, -1, NS_RT_U_RETRANS);
	out->retrans_synack = ns_retrans_sum(&pw->rc, netns, NS_RT_SYNACK, -1, NS_RT_U_RETRANS);
	out->retrans_rto = ns_retrans_sum(&pw->rc, netns, -1, NS_RT_C_RTO, NS_RT_U_RETRANS);
	out->retrans_fast = ns_retrans_sum(&pw->rc, netns, -1, NS_RT_C_FAST, NS_RT_U_RETRANS);
	out->retrans_segs = ns_retrans_sum(&pw->rc, netns, -1, -1, NS_RT_U_SEGS);
	out->flows_timeout = ns_retrans_sum(&pw->rc, netns, 0, NS_FE_TIMEOUT, NS_RT_U_FLOW_END);
	out->flows_reset = ns_retrans_sum(&pw->rc, netns, 0, NS_FE_RESET, NS_RT_U_FLOW_END);
	ns_stalls_netns(&pw->st, netns, &out->stalls_open, &out->stalls_total);
	return err;
}

void ns_path_dest_text(const struct ns_pathwatch *pw, size_t max_rows, struct ns_buf *b)
{
	ns_dest_text(&pw->dest, &pw->s->fmt, max_rows, b);
}

void ns_path_dest_json(const struct ns_pathwatch *pw, size_t max_rows, struct ns_json *j)
{
	ns_dest_json(&pw->dest, &pw->s->fmt, max_rows, j);
}

#define MAX_LISTED 64

void ns_path_stalls_text(const struct ns_pathwatch *pw, uint64_t now_ms, struct ns_buf *b)
{
	struct ns_stall_anomaly a[MAX_LISTED];
	size_t n = ns_stalls_open_list(&pw->st, now_ms, a, MAX_LISTED), i;
	unsigned k;

	for (i = 0; i < n && i < MAX_LISTED; i++) {
		ns_buf_puts(b, "  ");
		ns_stall_anomaly_line(&a[i], &pw->s->fmt, b);
	}
	for (k = 0; k < pw->nrecent; k++) {
		ns_buf_puts(b, "  ");
		ns_stall_anomaly_line(&pw->recent[(pw->recent_head + NS_PATH_RECENT_CLOSED - pw->nrecent + k) %
						  NS_PATH_RECENT_CLOSED],
				      &pw->s->fmt, b);
	}
}

void ns_path_stalls_json(const struct ns_pathwatch *pw, uint64_t now_ms, struct ns_json *j)
{
	struct ns_stall_anomaly a[MAX_LISTED];
	size_t n = ns_stalls_open_list(&pw->st, now_ms, a, MAX_LISTED), i;
	unsigned k;

	nj_arr_begin(j);
	for (i = 0; i < n && i < MAX_LISTED; i++)
		ns_stall_anomaly_json(&a[i], &pw->s->fmt, j);
	for (k = 0; k < pw->nrecent; k++)
		ns_stall_anomaly_json(
			&pw->recent[(pw->recent_head + NS_PATH_RECENT_CLOSED - pw->nrecent + k) % NS_PATH_RECENT_CLOSED],
			&pw->s->fmt, j);
	nj_arr_end(j);
}

/* Namespaces with anything to report, wanted by the session's filter, sorted by inode. */
static size_t report_netns(struct ns_pathwatch *pw, uint32_t **out)
{
	uint32_t *v = NULL;
	size_t n = 0, cap = 0, i, k, total = pw->drops.n + pw->rc.n + pw->st.nd;

	for (i = 0; i < total; i++) {
		uint32_t ns = i < pw->drops.n		   ? pw->drops.v[i].netns
			      : i < pw->drops.n + pw->rc.n ? pw->rc.v[i - pw->drops.n].netns
							   : pw->st.d[i - pw->drops.n - pw->rc.n].netns;

		if (!ns || !ns_session_wanted(pw->s, ns))
			continue;
		for (k = 0; k < n && v[k] != ns; k++)
			;
		if (k < n)
			continue;
		if (NS_VEC_RESERVE(v, cap, n, 16, 0))
			break;
		v[n++] = ns;
	}
	for (i = 1; i < n; i++)
		for (k = i; k > 0 && v[k - 1] > v[k]; k--) {
			uint32_t t = v[k];

			v[k] = v[k - 1];
			v[k - 1] = t;
		}
	*out = v;
	return n;
}

static bool active(const struct ns_pathwatch *pw)
{
	return ns_session_feat(pw->s, NS_FEAT_DROP) || ns_session_feat(pw->s, NS_FEAT_RETRANS);
}

void ns_path_report_json(struct ns_pathwatch *pw, const char *ts, bool final, uint64_t now_ms, struct ns_buf *b)
{
	struct ns_path_counters c;
	struct ns_json j;
	uint32_t *nss = NULL;
	size_t n, i;
	unsigned k;

	if (!pw || !pw->s || !active(pw))
		return;
	n = report_netns(pw, &nss);
	nj_init(&j, b);
	nj_obj_begin(&j);
	nj_kv_str(&j, "type", "path");
	nj_kv_str(&j, "ts", ts);
	nj_key(&j, "final");
	nj_bool(&j, final);
	nj_kv_u64(&j, "stall_threshold_ms", pw->st.threshold_ms);
	nj_key(&j, "namespaces");
	nj_arr_begin(&j);
	for (i = 0; i < n; i++) {
		struct ns_ident id;
		char where[64];

		if (ns_path_netns_counters(pw, nss[i], &c))
			continue;
		ns_fmt_ident(&pw->s->fmt, nss[i], &id);
		nj_obj_begin(&j);
		nj_kv_u64(&j, "netns", nss[i]);
		nj_kv_str(&j, "where", ns_ident_label(&id, where, sizeof(where)));
		ns_fmt_ident_json(&j, &id);
		nj_key(&j, "drops");
		nj_obj_begin(&j);
		nj_kv_u64(&j, "total", c.drops);
		nj_key(&j, "by_reason");
		nj_obj_begin(&j);
		for (k = 0; k < c.ntop; k++)
			nj_kv_u64(&j, c.top[k].reason, c.top[k].n);
		nj_obj_end(&j);
		nj_obj_end(&j);
		nj_key(&j, "retrans");
		nj_obj_begin(&j);
		nj_kv_u64(&j, "syn", c.retrans_syn);
		nj_kv_u64(&j, "data", c.retrans_data);
		nj_kv_u64(&j, "synack", c.retrans_synack);
		nj_kv_u64(&j, "rto", c.retrans_rto);
		nj_kv_u64(&j, "fast", c.retrans_fast);
		nj_kv_u64(&j, "segments", c.retrans_segs);
		nj_obj_end(&j);
		nj_key(&j, "flows_died");
		nj_obj_begin(&j);
		nj_kv_u64(&j, "timeout", c.flows_timeout);
		nj_kv_u64(&j, "reset", c.flows_reset);
		nj_obj_end(&j);
		nj_key(&j, "stalls");
		nj_obj_begin(&j);
		nj_kv_u64(&j, "open", c.stalls_open);
		nj_kv_u64(&j, "total", c.stalls_total);
		nj_obj_end(&j);
		nj_obj_end(&j);
	}
	nj_arr_end(&j);
	nj_key(&j, "destinations");
	ns_path_dest_json(pw, 50, &j);
	nj_key(&j, "stalled_flows");
	ns_path_stalls_json(pw, now_ms, &j);
	nj_obj_end(&j);
	ns_buf_puts(b, "\n");
	free(nss);
}

void ns_path_report_text(struct ns_pathwatch *pw, uint64_t now_ms, struct ns_buf *b)
{
	struct ns_path_counters c;
	uint32_t *nss = NULL;
	size_t n, i;
	unsigned k;

	if (!pw || !pw->s || !active(pw))
		return;
	n = report_netns(pw, &nss);
	if (n)
		ns_buf_printf(b, "  %-20s %-12s %10s %10s %10s %8s %8s %8s  %s\n", "WHERE", "NETNS", "DROPS",
			      "SYN-RTX", "DATA-RTX", "RTO", "FAST", "STALLS", "TOP DROP REASONS");
	for (i = 0; i < n; i++) {
		struct ns_ident id;
		char where[64], st[24];

		if (ns_path_netns_counters(pw, nss[i], &c))
			continue;
		ns_fmt_ident(&pw->s->fmt, nss[i], &id);
		snprintf(st, sizeof(st), "%llu/%llu", (unsigned long long)c.stalls_open,
			 (unsigned long long)c.stalls_total);
		ns_buf_printf(b, "  %-20s %-12u %10llu %10llu %10llu %8llu %8llu %8s  ", ns_ident_label(&id, where, sizeof(where)),
			      nss[i], (unsigned long long)c.drops, (unsigned long long)c.retrans_syn,
			      (unsigned long long)c.retrans_data, (unsigned long long)c.retrans_rto,
			      (unsigned long long)c.retrans_fast, st);
		for (k = 0; k < c.ntop; k++)
			ns_buf_printf(b, "%s%s=%llu", k ? " " : "", c.top[k].reason, (unsigned long long)c.top[k].n);
		ns_buf_puts(b, "\n");
	}
	free(nss);
	ns_path_dest_text(pw, 10, b);
	ns_path_stalls_text(pw, now_ms, b);
}
