// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <arpa/inet.h>
#include "anomaly.h"
#include "ut.h"

static struct ct_event invalid(uint64_t ts, uint16_t cport, uint32_t seq)
{
	struct ct_event e = {};

	e.hdr.type = NS_EV_CT_INVALID;
	e.hdr.netns = 7;
	e.hdr.ts_ns = ts;
	e.family = 2;
	e.flags = NS_CT_F_TCP;
	e.proto = 6;
	e.tcp_flags = 0x10;
	inet_pton(AF_INET, "10.0.0.2", e.saddr);
	inet_pton(AF_INET, "10.0.0.1", e.daddr);
	e.sport = cport;
	e.dport = 8080;
	e.seq = seq;
	return e;
}

static struct rst_event rst(uint64_t ts, uint16_t cport, uint32_t answered_seq)
{
	struct rst_event e = {};

	e.hdr.type = NS_EV_RST_SENT;
	e.hdr.netns = 7;
	e.hdr.ts_ns = ts;
	e.family = 2;
	e.flags = NS_RST_F_SKB;
	inet_pton(AF_INET, "10.0.0.1", e.saddr);
	inet_pton(AF_INET, "10.0.0.2", e.daddr);
	e.sport = 8080;
	e.dport = cport;
	e.seq = answered_seq;
	return e;
}

UT_TEST(anomaly_matches_either_order_once_per_packet)
{
	struct ns_corr c;
	struct ct_event i1 = invalid(1000, 40000, 111), i2 = invalid(2000, 40000, 222);
	struct rst_event r1 = rst(1500, 40000, 111), r2 = rst(2500, 40000, 222);
	struct ns_ctreset *a;

	ns_corr_init(&c);
	UT_ASSERT(!ns_corr_invalid(&c, &i1));
	a = ns_corr_rst(&c, &r1);	/* RST after its INVALID */
	UT_ASSERT(a && a->resets == 1 && a->pport == 8080);
	UT_ASSERT(!ns_corr_rst(&c, &r1));	/* the same RST again matches nothing */
	UT_ASSERT(!ns_corr_rst(&c, &r2));	/* the other ring buffer was read first */
	a = ns_corr_invalid(&c, &i2);
	UT_ASSERT(a && a->resets == 2);
	UT_EQ_INT(c.nan, 1);		/* one anomaly per client and public address:port */
	UT_EQ_INT(ns_corr_resets_in(&c, 7), 2);
	UT_EQ_INT(ns_corr_resets_in(&c, 8), 0);
	UT_EQ_INT(c.invalid_tcp, 2);
	ns_corr_free(&c);
}

UT_TEST(anomaly_needs_same_packet_netns_and_window)
{
	struct ns_corr c;
	struct ct_event i = invalid(1000, 40000, 111);
	struct rst_event other_seq = rst(1100, 40000, 112), other_port = rst(1100, 40001, 111);
	struct rst_event late = rst(1000 + 2 * NS_CORR_WINDOW_NS, 40000, 111), elsewhere = rst(1100, 40000, 111);
	struct ct_event rst_pkt = invalid(1000, 40000, 5);

	ns_corr_init(&c);
	ns_corr_invalid(&c, &i);
	elsewhere.hdr.netns = 8;
	UT_ASSERT(!ns_corr_rst(&c, &other_seq));
	UT_ASSERT(!ns_corr_rst(&c, &other_port));
	UT_ASSERT(!ns_corr_rst(&c, &late));
	UT_ASSERT(!ns_corr_rst(&c, &elsewhere));
	rst_pkt.tcp_flags = 0x04;	/* an INVALID RST is never answered: not even counted */
	UT_ASSERT(!ns_corr_invalid(&c, &rst_pkt));
	UT_EQ_INT(c.nan, 0);
	UT_EQ_INT(c.invalid_tcp, 1);
	ns_corr_free(&c);
	ns_corr_free(NULL);
}
