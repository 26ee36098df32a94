// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "summary.h"
#include "vec.h"

void ns_rst_summary_free(struct ns_rst_summary *s)
{
	if (!s)
		return;
	free(s->rows);
	memset(s, 0, sizeof(*s));
}

void ns_rst_summary_clear(struct ns_rst_summary *s)
{
	s->n = 0;
	s->lost = s->count_full = 0;
}

static struct ns_rst_row *row_get(struct ns_rst_summary *s, uint32_t netns)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->rows[i].netns == netns)
			return &s->rows[i];
	if (NS_VEC_RESERVE(s->rows, s->cap, s->n, 16, 0))
		return NULL;
	memset(&s->rows[s->n], 0, sizeof(s->rows[0]));
	s->rows[s->n].netns = netns;
	return &s->rows[s->n++];
}

int ns_rst_summary_add(struct ns_rst_summary *s, const struct rst_count_key *k, uint64_t n)
{
	struct ns_rst_row *r;
	unsigned i;

	if (!n)
		return 0;
	r = row_get(s, k->netns);
	if (!r)
		return -ENOMEM;
	if (k->type == NS_EV_RST_RECV) {
		r->recv += n;
		return 0;
	}
	if (k->type != NS_EV_RST_SENT)
		return -EINVAL;
	r->sent += n;
	for (i = 0; i < r->nreasons; i++) {
		if (r->reasons[i].reason == k->reason && r->reasons[i].reason_src == k->reason_src) {
			r->reasons[i].n += n;
			return 0;
		}
	}
	if (r->nreasons == NS_SUMMARY_MAX_REASONS)
		return -E2BIG;	/* total stays exact; only the breakdown is cut */
	r->reasons[r->nreasons].reason = k->reason;
	r->reasons[r->nreasons].reason_src = k->reason_src;
	r->reasons[r->nreasons].n = n;
	r->nreasons++;
	return 0;
}

static int cmp_reason(const void *a, const void *b)
{
	const struct ns_rst_reason_count *x = a, *y = b;

	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return x->reason < y->reason ? -1 : x->reason > y->reason;
}

static int cmp_row(const void *a, const void *b)
{
	const struct ns_rst_row *x = a, *y = b;
	uint64_t tx = x->sent + x->recv, ty = y->sent + y->recv;

	if (tx != ty)
		return tx < ty ? 1 : -1;
	return x->netns < y->netns ? -1 : x->netns > y->netns;
}

void ns_rst_summary_sort(struct ns_rst_summary *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		qsort(s->rows[i].reasons, s->rows[i].nreasons, sizeof(s->rows[i].reasons[0]), cmp_reason);
	qsort(s->rows, s->n, sizeof(s->rows[0]), cmp_row);
}

const struct ns_rst_row *ns_rst_summary_find(const struct ns_rst_summary *s, uint32_t netns)
{
	size_t i;

	for (i = 0; s && i < s->n; i++)
		if (s->rows[i].netns == netns)
			return &s->rows[i];
	return NULL;
}

static const char *reason_label(const struct ns_fmt *f, const struct ns_rst_reason_count *rc, char *buf,
				size_t len)
{
	struct rst_event e = { .reason = rc->reason, .reason_src = rc->reason_src };
	const char *name = ns_rst_reason_name(f, &e, buf, len);

	return name ? name : "-";
}

void ns_rst_summary_text(const struct ns_rst_summary *s, const struct ns_rst_summary *prev,
			 const struct ns_fmt *f, const char *title, struct ns_buf *b)
{
	char nsbuf[16], label[64], rbuf[32], deltas[48];
	struct ns_ident id;
	size_t i;
	unsigned k;

	ns_buf_printf(b, "%s\n", title);
	if (!s->n) {
		ns_buf_puts(b, "  no TCP resets seen\n");
	} else {
		ns_buf_printf(b, "  %-16s %-12s %10s %10s  %s\n", "WHERE", "NETNS", "SENT", "RECEIVED",
			      "SENT BY REASON");
	}
	for (i = 0; i < s->n; i++) {
		const struct ns_rst_row *r = &s->rows[i], *p = ns_rst_summary_find(prev, r->netns);
		ns_fmt_ident(f, r->netns, &id);
		snprintf(nsbuf, sizeof(nsbuf), "%u", r->netns);
		ns_buf_printf(b, "  %-16s %-12s %10llu %10llu  ", id.kind ? ns_ident_label(&id, label, sizeof(label)) : "?", nsbuf,
			      (unsigned long long)r->sent, (unsigned long long)r->recv);
		for (k = 0; k < r->nreasons; k++)
			ns_buf_printf(b, "%s%s=%llu", k ? " " : "", reason_label(f, &r->reasons[k], rbuf, sizeof(rbuf)),
				      (unsigned long long)r->reasons[k].n);
		if (prev) {
			snprintf(deltas, sizeof(deltas), "  (+%llu sent, +%llu received)",
				 (unsigned long long)(r->sent - (p ? p->sent : 0)),
				 (unsigned long long)(r->recv - (p ? p->recv : 0)));
			ns_buf_puts(b, deltas);
		}
		ns_buf_puts(b, "\n");
	}
	if (s->lost || s->count_full)
		ns_buf_printf(b, "  events lost (ring buffer full): %llu; counter updates lost (map full): %llu\n",
			      (unsigned long long)s->lost, (unsigned long long)s->count_full);
}

void ns_rst_summary_json(const struct ns_rst_summary *s, const struct ns_rst_summary *prev,
			 const struct ns_fmt *f, const char *ts, bool final, struct ns_buf *b)
{
	struct ns_ident id;
	struct ns_json j;
	char rbuf[32];
	size_t i;
	unsigned k;

	nj_init(&j, b);
	nj_obj_begin(&j);
	nj_kv_str(&j, "type", "rst_summary");
	nj_kv_str(&j, "ts", ts);
	nj_key(&j, "final");
	nj_bool(&j, final);
	nj_kv_u64(&j, "events_lost", s->lost);
	nj_kv_u64(&j, "counter_updates_lost", s->count_full);
	nj_key(&j, "netns");
	nj_arr_begin(&j);
	for (i = 0; i < s->n; i++) {
		const struct ns_rst_row *r = &s->rows[i], *p = ns_rst_summary_find(prev, r->netns);

		nj_obj_begin(&j);
		nj_kv_u64(&j, "netns", r->netns);
		ns_fmt_ident(f, r->netns, &id);
		ns_fmt_ident_json(&j, &id);
		nj_kv_u64(&j, "sent", r->sent);
		nj_kv_u64(&j, "received", r->recv);
		nj_kv_u64(&j, "sent_delta", r->sent - (p ? p->sent : 0));
		nj_kv_u64(&j, "received_delta", r->recv - (p ? p->recv : 0));
		nj_key(&j, "sent_by_reason");
		nj_obj_begin(&j);
		for (k = 0; k < r->nreasons; k++)
			nj_kv_u64(&j, reason_label(f, &r->reasons[k], rbuf, sizeof(rbuf)), r->reasons[k].n);
		nj_obj_end(&j);
		nj_obj_end(&j);
	}
	nj_arr_end(&j);
	nj_obj_end(&j);
	ns_buf_puts(b, "\n");
}
