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
