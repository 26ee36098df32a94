// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include "summary.h"
#include "ut.h"

static char *reason_tab[] = { "NOT_SPECIFIED", "NO_SOCKET", NULL, NULL, NULL, NULL, "TCP_FLAGS" };
static const struct ns_enum_names reasons = { reason_tab, 7 };

static bool names(void *ctx, uint32_t inode, struct ns_ident *out)
{
	(void)ctx;
	if (inode == 100) {
		out->kind = NS_IDENT_HOST;
		strcpy(out->name, "host");
	} else if (inode == 200) {
		out->kind = NS_IDENT_NETNS;
		strcpy(out->name, "nsB");
		strcpy(out->ipns, "nsB");
	} else {
		return false;
	}
	return true;
}

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

UT_TEST(summary_text_and_json)
{
	struct ns_rst_summary s = {}, prev = {};
	struct ns_fmt f = { .rst_reasons = &reasons, .ident = names };
	struct ns_buf b = {};

	add(&prev, 200, NS_EV_RST_SENT, 1, 10);
	add(&s, 200, NS_EV_RST_SENT, 1, 12);
	add(&s, 200, NS_EV_RST_SENT, 6, 3);
	add(&s, 100, NS_EV_RST_RECV, 0, 4);
	s.lost = 2;
	ns_rst_summary_sort(&s);
	ns_rst_summary_text(&s, &prev, &f, "T", &b);
	UT_ASSERT(strstr(b.p, "nsB              200                  15          0  NO_SOCKET=12 TCP_FLAGS=3  (+5 sent, +0 received)\n"));
	UT_ASSERT(strstr(b.p, "host             100                   0          4    (+0 sent, +4 received)\n"));
	UT_ASSERT(strstr(b.p, "events lost (ring buffer full): 2;"));
	ns_buf_reset(&b);
	ns_rst_summary_json(&s, &prev, &f, "2026-01-01T00:00:00Z", true, &b);
	UT_EQ_STR(b.p, "{\"type\":\"rst_summary\",\"ts\":\"2026-01-01T00:00:00Z\",\"final\":true,\"events_lost\":2,"
		       "\"counter_updates_lost\":0,\"netns\":[{\"netns\":200,\"netns_name\":\"nsB\",\"container\":null,\"sent\":15,"
		       "\"received\":0,\"sent_delta\":5,\"received_delta\":0,\"sent_by_reason\":{\"NO_SOCKET\":12,"
		       "\"TCP_FLAGS\":3}},{\"netns\":100,\"netns_name\":\"host\",\"container\":null,\"sent\":0,\"received\":4,"
		       "\"sent_delta\":0,\"received_delta\":4,\"sent_by_reason\":{}}]}\n");
	ns_buf_reset(&b);
	ns_rst_summary_clear(&s);
	ns_rst_summary_text(&s, NULL, &f, "T", &b);
	UT_ASSERT(strstr(b.p, "no TCP resets seen"));
	ns_buf_free(&b);
	ns_rst_summary_free(&s);
	ns_rst_summary_free(&prev);
}
