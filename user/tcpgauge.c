// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <string.h>
#include "tcpgauge.h"

bool ns_tcp_state_tracked(unsigned state)
{
	switch (state) {
	case NS_TCP_ESTABLISHED:
	case NS_TCP_SYN_SENT:
	case NS_TCP_FIN_WAIT1:
	case NS_TCP_FIN_WAIT2:
	case NS_TCP_CLOSE_WAIT:
	case NS_TCP_LAST_ACK:
	case NS_TCP_LISTEN:
	case NS_TCP_CLOSING:
		return true;
	default:	/* SYN_RECV, TIME_WAIT, CLOSE, NEW_SYN_RECV: see tcpgauge.h */
		return false;
	}
}

void ns_tcp_gauge_snapshot(struct ns_tcp_gauge *g, const uint64_t counts[NS_TCP_NSTATES],
			   const struct ns_tcp_trans *now)
{
	memcpy(g->snap, counts, sizeof(g->snap));
	memcpy(g->cur, counts, sizeof(g->cur));
	if (now)
		g->base = *now;
	else
		memset(&g->base, 0, sizeof(g->base));
	g->valid = true;
	g->drift = false;
}

void ns_tcp_gauge_update(struct ns_tcp_gauge *g, const struct ns_tcp_trans *now)
{
	int64_t est[NS_TCP_NSTATES];
	unsigned o, n;

	if (!g->valid)
		return;
	for (o = 0; o < NS_TCP_NSTATES; o++)
		est[o] = (int64_t)g->snap[o];
	for (o = 0; o < NS_TCP_NSTATES; o++) {
		for (n = 0; n < NS_TCP_NSTATES; n++) {
			/* counters only grow; a smaller value means the map entry was recreated */
			int64_t d = now->n[o][n] >= g->base.n[o][n] ? (int64_t)(now->n[o][n] - g->base.n[o][n]) : 0;

			if (!d)
				continue;
			/* a listener's clone starts life as LISTEN -> SYN_RECV: the listener stays */
			if (o == NS_TCP_LISTEN && n == NS_TCP_SYN_RECV)
				continue;
			if (ns_tcp_state_tracked(o))
				est[o] -= d;
			if (ns_tcp_state_tracked(n))
				est[n] += d;
		}
	}
	for (o = 0; o < NS_TCP_NSTATES; o++) {
		if (est[o] < 0) {
			g->drift = true;
			est[o] = 0;
		}
		g->cur[o] = (uint64_t)est[o];
	}
}

bool ns_tcp_gauge_volatile(const struct ns_tcp_gauge *g, const struct ns_tcp_trans *now)
{
	static const unsigned tw_from[] = { NS_TCP_FIN_WAIT1, NS_TCP_FIN_WAIT2, NS_TCP_CLOSING };
	unsigned i;

	if (!g->valid)
		return true;
	if (g->snap[NS_TCP_TIME_WAIT] || g->snap[NS_TCP_SYN_RECV] || g->snap[NS_TCP_NEW_SYN_RECV])
		return true;
	for (i = 0; i < sizeof(tw_from) / sizeof(tw_from[0]); i++)
		if (now->n[tw_from[i]][NS_TCP_CLOSE] != g->base.n[tw_from[i]][NS_TCP_CLOSE])
			return true;
	return false;
}
