// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Stalled flows and the per-destination view (stall.h says what a stall is). Pure logic. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fmt.h"
#include "stall.h"
#include "vec.h"

static bool key_eq(const struct ns_flow_key *a, const struct ns_flow_key *b)
{
	return a->netns == b->netns && a->family == b->family && a->sport == b->sport && a->dport == b->dport &&
	       !memcmp(a->saddr, b->saddr, 16) && !memcmp(a->daddr, b->daddr, 16);
}

static uint64_t max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

void ns_stalls_init(struct ns_stalls *s, uint64_t threshold_ms)
{
	memset(s, 0, sizeof(*s));
	s->threshold_ms = threshold_ms ? threshold_ms : NS_STALL_DEFAULT_THRESHOLD_MS;
}

void ns_stalls_free(struct ns_stalls *s)
{
	if (!s)
		return;
	free(s->v);
	free(s->d);
	memset(s, 0, sizeof(*s));
}

static struct ns_stall_flow *find(const struct ns_stalls *s, const struct ns_flow_key *k)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (key_eq(&s->v[i].k, k))
			return &s->v[i];
	return NULL;
}

static void forget(struct ns_stalls *s, struct ns_stall_flow *f)
{
	size_t i = (size_t)(f - s->v);

	s->v[i] = s->v[--s->n];
	if (s->rr > s->n)
		s->rr = 0;
}

static uint64_t quiet_since(const struct ns_stall_flow *f)
{
	return max64(max64(f->last_retrans_ms, f->progress_ms), f->probed_ms);
}

/* Room for one more flow: when full, the quietest flow that is not stalled goes. */
static struct ns_stall_flow *slot(struct ns_stalls *s)
{
	struct ns_stall_flow *victim = NULL;
	size_t i;

	if (s->n < NS_STALL_MAX_FLOWS) {
		if (NS_VEC_RESERVE(s->v, s->cap, s->n, 64, NS_STALL_MAX_FLOWS))
			return NULL;
		return &s->v[s->n++];
	}
	for (i = 0; i < s->n; i++)
		if (!s->v[i].open && (!victim || quiet_since(&s->v[i]) < quiet_since(victim)))
			victim = &s->v[i];
	return victim;
}

static struct ns_stall_dest *dest_get(struct ns_stalls *s, const struct ns_flow_key *k)
{
	size_t i;

	for (i = 0; i < s->nd; i++)
		if (s->d[i].netns == k->netns && s->d[i].family == k->family && s->d[i].dport == k->dport &&
		    !memcmp(s->d[i].daddr, k->daddr, 16))
			return &s->d[i];
	if (NS_VEC_RESERVE(s->d, s->capd, s->nd, 16, 0))
		return NULL;
	memset(&s->d[s->nd], 0, sizeof(s->d[0]));
	s->d[s->nd].netns = k->netns;
	s->d[s->nd].family = k->family;
	s->d[s->nd].dport = k->dport;
	memcpy(s->d[s->nd].daddr, k->daddr, 16);
	return &s->d[s->nd++];
}

int ns_stalls_retrans(struct ns_stalls *s, const struct ns_flow_key *k, uint64_t ts_ms, uint64_t flow_retrans,
		      uint64_t bytes_acked, uint64_t bytes_sent)
{
	struct ns_stall_flow *f = find(s, k);

	if (!f) {
		f = slot(s);
		if (!f) {
			s->dropped++;
			return -E2BIG;
		}
		memset(f, 0, sizeof(*f));
		f->k = *k;
		f->first_retrans_ms = f->last_retrans_ms = f->progress_ms = ts_ms;
		f->acked = bytes_acked;
		f->sent = bytes_sent;
		f->retrans = flow_retrans ? flow_retrans : 1;
		return 0;
	}
	/* a retransmission proves the socket alive, whatever a lookup said */
	f->gone_ms = 0;
	if (bytes_acked > f->acked) {
		f->acked = bytes_acked;
		f->progress_ms = max64(f->progress_ms, ts_ms);
	}
	f->sent = max64(f->sent, bytes_sent);
	f->last_retrans_ms = max64(f->last_retrans_ms, ts_ms);
	f->retrans = flow_retrans ? max64(f->retrans, flow_retrans) : f->retrans + 1;
	return 0;
}

static void fill(const struct ns_stall_flow *f, uint64_t now_ms, enum ns_stall_end end, struct ns_stall_anomaly *a)
{
	memset(a, 0, sizeof(*a));
	a->k = f->k;
	a->bytes_acked = f->acked;
	a->bytes_sent = f->sent;
	a->retransmits = f->retrans;
	a->unacked = f->unacked;
	a->state = f->state;
	a->open = f->open && end == NS_STALL_END_NONE;
	a->end = end;
	/* stuck since the last progress before it opened; a recovery is the first progress after */
	a->first_ms = f->open || end != NS_STALL_END_NONE ? f->opened_ms : f->progress_ms;
	a->last_ms = now_ms;
	if (end == NS_STALL_END_RECOVERED)
		a->stuck_ms = f->progress_ms > a->first_ms ? f->progress_ms - a->first_ms : 0;
	else
		a->stuck_ms = now_ms > a->first_ms ? now_ms - a->first_ms : 0;
}

static void close_stall(struct ns_stalls *s, struct ns_stall_flow *f, uint64_t now_ms, enum ns_stall_end end,
			ns_stall_emit_fn emit, void *ctx)
{
	struct ns_stall_dest *d = dest_get(s, &f->k);
	struct ns_stall_anomaly a;

	fill(f, now_ms, end, &a);
	f->open = false;
	s->closed++;
	if (d && d->open)
		d->open--;
	if (emit)
		emit(ctx, &a, NS_STALL_CLOSED);
}

void ns_stalls_end(struct ns_stalls *s, const struct ns_flow_key *k, enum ns_stall_end end, uint64_t bytes_acked,
		   uint64_t bytes_sent, uint64_t ts_ms, ns_stall_emit_fn emit, void *ctx)
{
	struct ns_stall_flow *f = find(s, k);

	if (!f)
		return;
	if (f->open) {
		/* the last bytes may have been acked on the way out: that is not a recovery */
		f->acked = max64(f->acked, bytes_acked);
		f->sent = max64(f->sent, bytes_sent);
		close_stall(s, f, max64(ts_ms, f->opened_ms), end == NS_STALL_END_NONE ? NS_STALL_END_CLOSED : end, emit,
			    ctx);
	}
	forget(s, f);
}

size_t ns_stalls_probe_list(struct ns_stalls *s, struct ns_flow_key *out, size_t max)
{
	size_t i, n = 0, start;

	for (i = 0; i < s->n && n < max; i++)
		if (s->v[i].open)
			out[n++] = s->v[i].k;
	if (!s->n)
		return n;
	start = s->rr % s->n;
	for (i = 0; i < s->n && n < max; i++) {
		size_t j = (start + i) % s->n;

		if (!s->v[j].open)
			out[n++] = s->v[j].k;
		s->rr = j + 1;
	}
	return n;
}

void ns_stalls_probed(struct ns_stalls *s, const struct ns_flow_key *k, const struct ns_stall_probe *p, uint64_t now_ms,
		      ns_stall_emit_fn emit, void *ctx)
{
	struct ns_stall_flow *f = find(s, k);

	(void)emit;
	(void)ctx;
	if (!f)
		return;
	if (!p->found) {
		if (!f->gone_ms)
			f->gone_ms = now_ms;
		return;
	}
	f->gone_ms = 0;
	f->probed_ms = now_ms;
	f->unacked = p->unacked;
	f->state = p->state;
	if (p->bytes_acked > f->acked) {
		f->acked = p->bytes_acked;
		f->progress_ms = max64(f->progress_ms, now_ms);
	}
	f->sent = max64(f->sent, p->bytes_sent);
}

/*
 * Stuck: no progress for the threshold, retransmitting since the last
 * progress, and - when a lookup is recent - data outstanding. Without a recent
 * lookup (the namespace could not be entered), the retransmissions themselves
 * must span half the threshold: one retransmission long ago proves nothing.
 */
static bool stalled(const struct ns_stalls *s, const struct ns_stall_flow *f, uint64_t now_ms)
{
	if (now_ms < f->progress_ms + s->threshold_ms || f->last_retrans_ms < f->progress_ms)
		return false;
	if (f->probed_ms && f->probed_ms >= f->progress_ms && f->probed_ms + s->threshold_ms >= now_ms)
		return f->unacked > 0;
	return f->last_retrans_ms - f->progress_ms >= s->threshold_ms / 2;
}

void ns_stalls_tick(struct ns_stalls *s, uint64_t now_ms, ns_stall_emit_fn emit, void *ctx)
{
	uint64_t forget_ms = max64(NS_STALL_FORGET_MS, 3 * s->threshold_ms);
	struct ns_stall_anomaly a;
	size_t i = 0;

	while (i < s->n) {
		struct ns_stall_flow *f = &s->v[i];

		/* gone at an earlier tick and no flow end explained it since */
		if (f->gone_ms && now_ms > f->gone_ms) {
			if (f->open)
				close_stall(s, f, now_ms, NS_STALL_END_CLOSED, emit, ctx);
			forget(s, f);
			continue;
		}
		if (f->open && f->progress_ms > f->opened_ms) {
			close_stall(s, f, now_ms, NS_STALL_END_RECOVERED, emit, ctx);
		} else if (!f->open && stalled(s, f, now_ms)) {
			struct ns_stall_dest *d = dest_get(s, &f->k);

			f->open = true;
			f->opened_ms = f->progress_ms;
			f->emitted_ms = now_ms;
			f->emitted_retrans = f->retrans;
			s->opened++;
			if (d) {
				d->open++;
				d->total++;
			}
			fill(f, now_ms, NS_STALL_END_NONE, &a);
			if (emit)
				emit(ctx, &a, NS_STALL_OPENED);
		} else if (f->open && now_ms - f->emitted_ms >= s->threshold_ms) {
			f->emitted_ms = now_ms;
			f->emitted_retrans = f->retrans;
			fill(f, now_ms, NS_STALL_END_NONE, &a);
			if (emit)
				emit(ctx, &a, NS_STALL_UPDATED);
		}
		/* event times can be a little ahead of the tick's clock reading: no unsigned wrap */
		if (!f->open && now_ms > quiet_since(f) && now_ms - quiet_since(f) >= forget_ms) {
			forget(s, f);
			continue;
		}
		i++;
	}
}

size_t ns_stalls_open_list(const struct ns_stalls *s, uint64_t now_ms, struct ns_stall_anomaly *out, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < s->n; i++) {
		if (!s->v[i].open)
			continue;
		if (n < max)
			fill(&s->v[i], now_ms, NS_STALL_END_NONE, &out[n]);
		n++;
	}
	return n;
}

void ns_stalls_netns(const struct ns_stalls *s, uint32_t netns, uint64_t *open, uint64_t *total)
{
	size_t i;

	*open = *total = 0;
	for (i = 0; i < s->nd; i++)
		if (!netns || s->d[i].netns == netns) {
			*open += s->d[i].open;
			*total += s->d[i].total;
		}
}

enum ns_stall_end ns_stall_end_of_flow_end(unsigned flow_end)
{
	switch (flow_end) {
	case NS_FE_RESET:
		return NS_STALL_END_RESET;
	case NS_FE_TIMEOUT:
	case NS_FE_ERROR:	/* tcp_write_err() reports a soft error (an ICMP unreachable) in place of ETIMEDOUT */
		return NS_STALL_END_TIMEOUT;
	default:
		return NS_STALL_END_CLOSED;
	}
}

const char *ns_stall_end_name(enum ns_stall_end e)
{
	switch (e) {
	case NS_STALL_END_RECOVERED:
		return "recovered";
	case NS_STALL_END_RESET:
		return "reset";
	case NS_STALL_END_TIMEOUT:
		return "timeout";
	case NS_STALL_END_CLOSED:
		return "closed";
	default:
		return NULL;
	}
}

static void human_bytes(uint64_t v, char *buf, size_t len)
{
	if (v >= 1ULL << 30)
		snprintf(buf, len, "%.1f GiB", (double)v / (1ULL << 30));
	else if (v >= 1ULL << 20)
		snprintf(buf, len, "%.1f MiB", (double)v / (1ULL << 20));
	else if (v >= 1ULL << 10)
		snprintf(buf, len, "%.1f KiB", (double)v / (1ULL << 10));
	else
		snprintf(buf, len, "%llu B", (unsigned long long)v);
}

void ns_stall_anomaly_line(const struct ns_stall_anomaly *a, const struct ns_fmt *f, struct ns_buf *b)
{
	char where[64], src[64], dst[64], acked[24], sent[24], since[32];
	struct ns_ident id;

	ns_fmt_ident(f, a->k.netns, &id);
	ns_ident_label(&id, where, sizeof(where));
	ns_fmt_endpoint(a->k.family, a->k.saddr, a->k.sport, src, sizeof(src));
	ns_fmt_endpoint(a->k.family, a->k.daddr, a->k.dport, dst, sizeof(dst));
	human_bytes(a->bytes_acked, acked, sizeof(acked));
	human_bytes(a->bytes_sent, sent, sizeof(sent));
	ns_fmt_time(f, a->first_ms * 1000000ULL, false, since, sizeof(since));
	ns_buf_printf(b, "ANOMALY stalled-flow in %s: %s -> %s %s %.1fs: no progress after %s acked (%s sent), %llu retransmits%s%s; stuck since %s",
		      where, src, dst, a->open ? "stuck for" : "was stuck for", (double)a->stuck_ms / 1000.0, acked,
		      sent, (unsigned long long)a->retransmits, a->state ? ", " : "",
		      a->state ? ns_tcp_state_name(a->state) : "", since);
	if (!a->open)
		ns_buf_printf(b, "; ended: %s", ns_stall_end_name(a->end) ? ns_stall_end_name(a->end) : "closed");
	ns_buf_puts(b, "\n");
}

void ns_stall_anomaly_json(const struct ns_stall_anomaly *a, const struct ns_fmt *f, struct ns_json *j)
{
	char where[64], addr[64], t[80];
	struct ns_ident id;

	ns_fmt_ident(f, a->k.netns, &id);
	nj_obj_begin(j);
	nj_kv_str(j, "kind", "stalled_flow");
	nj_kv_u64(j, "netns", a->k.netns);
	nj_kv_str(j, "where", ns_ident_label(&id, where, sizeof(where)));
	ns_fmt_ident_json(j, &id);
	nj_kv_str(j, "family", a->k.family == 10 ? "ipv6" : "ipv4");
	ns_fmt_addr(a->k.family, a->k.saddr, addr, sizeof(addr));
	nj_kv_str(j, "saddr", addr);
	nj_kv_u64(j, "sport", a->k.sport);
	ns_fmt_addr(a->k.family, a->k.daddr, addr, sizeof(addr));
	nj_kv_str(j, "daddr", addr);
	nj_kv_u64(j, "dport", a->k.dport);
	nj_kv_u64(j, "bytes_acked", a->bytes_acked);
	nj_kv_u64(j, "bytes_sent", a->bytes_sent);
	nj_kv_u64(j, "stuck_ms", a->stuck_ms);
	nj_kv_u64(j, "retransmits", a->retransmits);
	nj_kv_u64(j, "unacked", a->unacked);
	nj_kv_str(j, "tcp_state", a->state ? ns_tcp_state_name(a->state) : NULL);
	nj_kv_str(j, "state", a->open ? "open" : "closed");
	nj_kv_str(j, "end", a->open ? NULL : ns_stall_end_name(a->end));
	ns_fmt_time(f, a->first_ms * 1000000ULL, true, t, sizeof(t));
	nj_kv_str(j, "first", t);
	ns_fmt_time(f, a->last_ms * 1000000ULL, true, t, sizeof(t));
	nj_kv_str(j, "last", t);
	nj_obj_end(j);
}

/* --- per destination --- */

struct dest_ent {
	uint16_t family, port;
	uint8_t addr[16];
	struct ns_dest_ns c;
};

static int cmp_ent(const void *pa, const void *pb)
{
	const struct dest_ent *a = pa, *b = pb;
	int r;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	r = memcmp(a->addr, b->addr, 16);
	if (r)
		return r;
	return a->c.netns < b->c.netns ? -1 : a->c.netns > b->c.netns;
}

static uint64_t ns_weight(const struct ns_dest_ns *n)
{
	return n->stalls_open * 1000000 + n->stalls_total * 1000 + n->syn + n->data + n->synack;
}

static int cmp_ns(const void *pa, const void *pb)
{
	uint64_t a = ns_weight(pa), b = ns_weight(pb);

	if (a != b)
		return a > b ? -1 : 1;
	return ((const struct ns_dest_ns *)pa)->netns < ((const struct ns_dest_ns *)pb)->netns ? -1 : 1;
}

static int cmp_row(const void *pa, const void *pb)
{
	const struct ns_dest_row *a = pa, *b = pb;
	uint64_t wa = a->stalls_open * 1000000 + a->stalls_total * 1000 + a->syn + a->data + a->synack;
	uint64_t wb = b->stalls_open * 1000000 + b->stalls_total * 1000 + b->syn + b->data + b->synack;

	if (wa != wb)
		return wa > wb ? -1 : 1;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	return memcmp(a->addr, b->addr, 16);
}

static const struct ns_dest_row *prev_row(const struct ns_dest_table *t, const struct ns_dest_row *r)
{
	size_t i;

	for (i = 0; i < t->nprev; i++)
		if (t->prev[i].family == r->family && t->prev[i].port == r->port && !memcmp(t->prev[i].addr, r->addr, 16))
			return &t->prev[i];
	return NULL;
}

int ns_dest_build(struct ns_dest_table *t, const struct ns_retrans_dest *d, size_t nd, const struct ns_stalls *s,
		  uint64_t now_ms)
{
	struct dest_ent *e = NULL;
	struct ns_dest_ns *tmpn = NULL;
	size_t ne = 0, cape = 0, i, k, g;
	struct ns_dest_row *swap;
	size_t swapcap;
	int err = 0;

	/* the previous build becomes the base for rates */
	swap = t->prev;
	swapcap = t->capprev;
	t->prev = t->rows;
	t->capprev = t->cap;
	t->nprev = t->n;
	t->rows = swap;
	t->cap = swapcap;
	t->n = 0;
	t->prev_ms = t->built_ms;
	t->built_ms = now_ms;

	for (i = 0; i < nd + (s ? s->nd : 0); i++) {
		if (NS_VEC_RESERVE(e, cape, ne, 64, 0)) {
			err = -ENOMEM;
			goto cleanup;
		}
		memset(&e[ne], 0, sizeof(e[0]));
		if (i < nd) {
			e[ne].family = d[i].family;
			e[ne].port = d[i].dport;
			memcpy(e[ne].addr, d[i].daddr, 16);
			e[ne].c.netns = d[i].netns;
			if (d[i].kind == NS_RT_SYN)
				e[ne].c.syn = d[i].n;
			else if (d[i].kind == NS_RT_SYNACK)
				e[ne].c.synack = d[i].n;
			else
				e[ne].c.data = d[i].n;
		} else {
			const struct ns_stall_dest *sd = &s->d[i - nd];

			e[ne].family = sd->family;
			e[ne].port = sd->dport;
			memcpy(e[ne].addr, sd->daddr, 16);
			e[ne].c.netns = sd->netns;
			e[ne].c.stalls_open = sd->open;
			e[ne].c.stalls_total = sd->total;
		}
		ne++;
	}
	if (ne)
		qsort(e, ne, sizeof(e[0]), cmp_ent);
	/* merge (destination, netns) duplicates in place */
	for (i = 0, k = 0; i < ne; i++) {
		if (k && !cmp_ent(&e[k - 1], &e[i])) {
			e[k - 1].c.syn += e[i].c.syn;
			e[k - 1].c.data += e[i].c.data;
			e[k - 1].c.synack += e[i].c.synack;
			e[k - 1].c.stalls_open += e[i].c.stalls_open;
			e[k - 1].c.stalls_total += e[i].c.stalls_total;
		} else {
			e[k++] = e[i];
		}
	}
	ne = k;
	for (g = 0; g < ne; g = i) {
		struct ns_dest_row *r;
		const struct ns_dest_row *p;
		size_t n;

		for (i = g; i < ne && e[i].family == e[g].family && e[i].port == e[g].port &&
			    !memcmp(e[i].addr, e[g].addr, 16);
		     i++)
			;
		if (NS_VEC_RESERVE(t->rows, t->cap, t->n, 16, 0)) {
			err = -ENOMEM;
			goto cleanup;
		}
		r = &t->rows[t->n++];
		memset(r, 0, sizeof(*r));
		r->family = e[g].family;
		r->port = e[g].port;
		memcpy(r->addr, e[g].addr, 16);
		n = i - g;
		{
			struct ns_dest_ns *grown = realloc(tmpn, n * sizeof(*tmpn));

			if (!grown) {
				err = -ENOMEM;
				goto cleanup;
			}
			tmpn = grown;
		}
		for (k = 0; k < n; k++) {
			const struct ns_dest_ns *c = &e[g + k].c;

			tmpn[k] = *c;
			r->syn += c->syn;
			r->data += c->data;
			r->synack += c->synack;
			r->stalls_open += c->stalls_open;
			r->stalls_total += c->stalls_total;
		}
		qsort(tmpn, n, sizeof(struct ns_dest_ns), cmp_ns);
		r->nns_total = (unsigned)n;
		r->nns = n < NS_DEST_MAX_NS ? (unsigned)n : NS_DEST_MAX_NS;
		memcpy(r->ns, tmpn, r->nns * sizeof(struct ns_dest_ns));
		p = prev_row(t, r);
		if (t->prev_ms && now_ms > t->prev_ms) {
			double dt = (double)(now_ms - t->prev_ms) / 1000.0;

			r->syn_rate = (double)(r->syn - (p && p->syn <= r->syn ? p->syn : 0)) / dt;
			r->data_rate = (double)(r->data - (p && p->data <= r->data ? p->data : 0)) / dt;
		}
	}
	if (t->n)
		qsort(t->rows, t->n, sizeof(t->rows[0]), cmp_row);
cleanup:
	free(e);
	free(tmpn);
	return err;
}

void ns_dest_table_free(struct ns_dest_table *t)
{
	if (!t)
		return;
	free(t->rows);
	free(t->prev);
	memset(t, 0, sizeof(*t));
}

#define DEST_COLS "  %-28s %12s %13s %14s %10s  %s\n"

void ns_dest_text(const struct ns_dest_table *t, const struct ns_fmt *f, size_t max_rows, struct ns_buf *b)
{
	size_t i, n = max_rows && max_rows < t->n ? max_rows : t->n;
	unsigned k;

	if (!t->n)
		return;
	ns_buf_printf(b, DEST_COLS, "DESTINATION", "SYN-RETRANS", "DATA-RETRANS", "PER-SEC S/D", "STALLS", "BY NAMESPACE");
	for (i = 0; i < n; i++) {
		const struct ns_dest_row *r = &t->rows[i];
		char ep[64], rate[32], st[24], who[64], syn[24], data[24];
		struct ns_buf list = {};

		ns_fmt_endpoint(r->family, r->addr, r->port, ep, sizeof(ep));
		snprintf(rate, sizeof(rate), "%.1f/%.1f", r->syn_rate, r->data_rate);
		snprintf(st, sizeof(st), "%llu/%llu", (unsigned long long)r->stalls_open,
			 (unsigned long long)r->stalls_total);
		for (k = 0; k < r->nns; k++) {
			struct ns_ident id;

			ns_fmt_ident(f, r->ns[k].netns, &id);
			ns_buf_printf(&list, "%s%s(%llu/%llu%s)", k ? ", " : "", ns_ident_label(&id, who, sizeof(who)),
				      (unsigned long long)r->ns[k].syn, (unsigned long long)r->ns[k].data,
				      r->ns[k].stalls_open ? ", STALLED" : "");
		}
		if (r->nns_total > r->nns)
			ns_buf_printf(&list, ", +%u more", r->nns_total - r->nns);
		snprintf(syn, sizeof(syn), "%llu", (unsigned long long)r->syn);
		snprintf(data, sizeof(data), "%llu", (unsigned long long)r->data);
		ns_buf_printf(b, DEST_COLS, ep, syn, data, rate, st, list.p ? list.p : "");
		ns_buf_free(&list);
	}
}

void ns_dest_json(const struct ns_dest_table *t, const struct ns_fmt *f, size_t max_rows, struct ns_json *j)
{
	size_t i, n = max_rows && max_rows < t->n ? max_rows : t->n;
	char addr[64], who[64];
	unsigned k;

	nj_arr_begin(j);
	for (i = 0; i < n; i++) {
		const struct ns_dest_row *r = &t->rows[i];

		nj_obj_begin(j);
		nj_kv_str(j, "family", r->family == 10 ? "ipv6" : "ipv4");
		ns_fmt_addr(r->family, r->addr, addr, sizeof(addr));
		nj_kv_str(j, "daddr", addr);
		nj_kv_u64(j, "dport", r->port);
		nj_kv_u64(j, "syn_retransmits", r->syn);
		nj_kv_u64(j, "data_retransmits", r->data);
		nj_kv_u64(j, "synack_retransmits", r->synack);
		nj_key(j, "syn_per_s");
		nj_double(j, r->syn_rate);
		nj_key(j, "data_per_s");
		nj_double(j, r->data_rate);
		nj_kv_u64(j, "stalls_open", r->stalls_open);
		nj_kv_u64(j, "stalls_total", r->stalls_total);
		nj_kv_u64(j, "namespaces_total", r->nns_total);
		nj_key(j, "namespaces");
		nj_arr_begin(j);
		for (k = 0; k < r->nns; k++) {
			struct ns_ident id;

			ns_fmt_ident(f, r->ns[k].netns, &id);
			nj_obj_begin(j);
			nj_kv_u64(j, "netns", r->ns[k].netns);
			nj_kv_str(j, "where", ns_ident_label(&id, who, sizeof(who)));
			nj_kv_u64(j, "syn_retransmits", r->ns[k].syn);
			nj_kv_u64(j, "data_retransmits", r->ns[k].data);
			nj_kv_u64(j, "synack_retransmits", r->ns[k].synack);
			nj_kv_u64(j, "stalls_open", r->ns[k].stalls_open);
			nj_kv_u64(j, "stalls_total", r->ns[k].stalls_total);
			nj_obj_end(j);
		}
		nj_arr_end(j);
		nj_obj_end(j);
	}
	nj_arr_end(j);
}
