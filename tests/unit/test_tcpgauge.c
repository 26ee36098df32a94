// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "tcpgauge.h"
#include "ut.h"

UT_TEST(tcpgauge_follows_transitions_after_snapshot)
{
	struct ns_tcp_gauge g = {};
	struct ns_tcp_trans t = {};
	uint64_t snap[NS_TCP_NSTATES] = {};

	snap[NS_TCP_LISTEN] = 1;
	snap[NS_TCP_ESTABLISHED] = 2;
	snap[NS_TCP_TIME_WAIT] = 7;
	t.n[NS_TCP_CLOSE][NS_TCP_SYN_SENT] = 100;	/* before the snapshot: ignored */
	ns_tcp_gauge_snapshot(&g, snap, &t);
	/* 3 active opens, 2 established, one of those closed by the peer */
	t.n[NS_TCP_CLOSE][NS_TCP_SYN_SENT] += 3;
	t.n[NS_TCP_SYN_SENT][NS_TCP_ESTABLISHED] += 2;
	t.n[NS_TCP_ESTABLISHED][NS_TCP_CLOSE_WAIT] += 1;
	/* a passive open: listener clone, then established; the listener stays */
	t.n[NS_TCP_LISTEN][NS_TCP_SYN_RECV] += 1;
	t.n[NS_TCP_SYN_RECV][NS_TCP_ESTABLISHED] += 1;
	/* one established connection goes through FIN_WAIT to TIME_WAIT (seen as CLOSE) */
	t.n[NS_TCP_ESTABLISHED][NS_TCP_FIN_WAIT1] += 1;
	t.n[NS_TCP_FIN_WAIT1][NS_TCP_FIN_WAIT2] += 1;
	t.n[NS_TCP_FIN_WAIT2][NS_TCP_CLOSE] += 1;
	ns_tcp_gauge_update(&g, &t);
	UT_EQ_INT(g.cur[NS_TCP_LISTEN], 1);
	UT_EQ_INT(g.cur[NS_TCP_SYN_SENT], 1);
	UT_EQ_INT(g.cur[NS_TCP_ESTABLISHED], 2 + 2 + 1 - 1 - 1);
	UT_EQ_INT(g.cur[NS_TCP_CLOSE_WAIT], 1);
	UT_EQ_INT(g.cur[NS_TCP_FIN_WAIT2], 0);
	UT_EQ_INT(g.cur[NS_TCP_TIME_WAIT], 7);	/* snapshot only */
	UT_EQ_INT(g.cur[NS_TCP_CLOSE], 0);
	UT_ASSERT(!g.drift);
}

UT_TEST(tcpgauge_negative_means_drift)
{
	struct ns_tcp_gauge g = {};
	struct ns_tcp_trans t = {};
	uint64_t snap[NS_TCP_NSTATES] = {};

	ns_tcp_gauge_snapshot(&g, snap, &t);
	t.n[NS_TCP_ESTABLISHED][NS_TCP_CLOSE] = 2;	/* closed sockets the snapshot never saw */
	ns_tcp_gauge_update(&g, &t);
	UT_EQ_INT(g.cur[NS_TCP_ESTABLISHED], 0);
	UT_ASSERT(g.drift);
	ns_tcp_gauge_snapshot(&g, snap, &t);
	UT_ASSERT(!g.drift);
}

UT_TEST(tcpgauge_without_snapshot_does_nothing)
{
	struct ns_tcp_gauge g = {};
	struct ns_tcp_trans t = {};

	t.n[NS_TCP_CLOSE][NS_TCP_SYN_SENT] = 5;
	ns_tcp_gauge_update(&g, &t);
	UT_EQ_INT(g.cur[NS_TCP_SYN_SENT], 0);
	UT_ASSERT(!g.valid);
	UT_ASSERT(ns_tcp_state_tracked(NS_TCP_LISTEN));
	UT_ASSERT(!ns_tcp_state_tracked(NS_TCP_TIME_WAIT));
	UT_ASSERT(!ns_tcp_state_tracked(99));
}

UT_TEST(tcpgauge_volatile_when_timewait_may_have_changed)
{
	struct ns_tcp_gauge g = {};
	struct ns_tcp_trans t = {};
	uint64_t snap[NS_TCP_NSTATES] = {};

	UT_ASSERT(ns_tcp_gauge_volatile(&g, &t));	/* no snapshot yet */
	snap[NS_TCP_ESTABLISHED] = 4;
	ns_tcp_gauge_snapshot(&g, snap, &t);
	t.n[NS_TCP_CLOSE][NS_TCP_SYN_SENT] = 1;
	t.n[NS_TCP_SYN_SENT][NS_TCP_ESTABLISHED] = 1;
	UT_ASSERT(!ns_tcp_gauge_volatile(&g, &t));	/* followed exactly */
	t.n[NS_TCP_FIN_WAIT2][NS_TCP_CLOSE] = 1;	/* looks like TIME_WAIT entry */
	UT_ASSERT(ns_tcp_gauge_volatile(&g, &t));
	ns_tcp_gauge_snapshot(&g, snap, &t);
	UT_ASSERT(!ns_tcp_gauge_volatile(&g, &t));
	snap[NS_TCP_TIME_WAIT] = 1;
	ns_tcp_gauge_snapshot(&g, snap, &t);
	UT_ASSERT(ns_tcp_gauge_volatile(&g, &t));	/* timewait socks expire unseen */
}
