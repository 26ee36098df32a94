// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include "summary.h"
#include "ut.h"

static void add(struct ns_rst_summary *s, uint32_t ns, uint16_t type, uint32_t reason, uint64_t n)
{
	struct rst_count_key k = { .netns = ns, .type = type, .reason = reason,
				   .reason_src = type == NS_EV_RST_SENT ? NS_RSN_KERNEL : NS_RSN_NONE };

	ns_rst_summary_add(s, &k, n);
}

UT_TEST(summary_aggregates_per_netns_and_reason)
{
	struct ns_rst_summary s = {};
	const struct ns_rst_row *r;

	add(&s, 200, NS_EV_RST_SENT, 1, 700);
	add(&s, 100, NS_EV_RST_RECV, 0, 5);
	add(&s, 200, NS_EV_RST_SENT, 6, 300);
	add(&s, 200, NS_EV_RST_SENT, 1, 300);	/* another CPU's share of the same key */
	add(&s, 300, NS_EV_RST_SENT, 1, 0);	/* zero: no row */
	ns_rst_summary_sort(&s);
	UT_EQ_INT(s.n, 2);
	UT_EQ_INT(s.rows[0].netns, 200);	/* busiest first */
	UT_EQ_INT(s.rows[0].sent, 1300);
	UT_EQ_INT(s.rows[0].recv, 0);
	UT_EQ_INT(s.rows[0].nreasons, 2);
	UT_EQ_INT(s.rows[0].reasons[0].reason, 1);
	UT_EQ_INT(s.rows[0].reasons[0].n, 1000);
	r = ns_rst_summary_find(&s, 100);
	UT_ASSERT(r && r->recv == 5 && r->sent == 0);
	UT_ASSERT(!ns_rst_summary_find(&s, 300));
	ns_rst_summary_free(&s);
}

UT_TEST(summary_rejects_unknown_type)
{
	struct ns_rst_summary s = {};
	struct rst_count_key k = { .netns = 1, .type = 9 };

	UT_EQ_INT(ns_rst_summary_add(&s, &k, 1), -EINVAL);
	ns_rst_summary_free(&s);
}

UT_TEST(summary_reason_overflow_keeps_total_exact)
{
	struct ns_rst_summary s = {};
	uint32_t i;

	for (i = 0; i < NS_SUMMARY_MAX_REASONS + 5; i++)
		add(&s, 1, NS_EV_RST_SENT, i, 1);
	UT_EQ_INT(s.rows[0].sent, NS_SUMMARY_MAX_REASONS + 5);
	UT_EQ_INT(s.rows[0].nreasons, NS_SUMMARY_MAX_REASONS);
	ns_rst_summary_free(&s);
}
