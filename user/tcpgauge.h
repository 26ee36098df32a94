/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Live TCP state counts per network namespace: a sock_diag snapshot plus the
 * transitions inet_sock_set_state counted in the kernel since. Pure logic.
 *
 * Not every state can be followed from transitions: a socket entering
 * TIME_WAIT is replaced by a timewait sock (the tracepoint only shows the
 * full socket going to CLOSE), timewait socks expire silently, and request
 * socks (what `ss` shows as SYN-RECV) never pass the tracepoint. Those come
 * from the latest snapshot, which the agent refreshes periodically
 * (--tcp-resync) and whenever a gauge would go negative.
 */
#ifndef NETSLEUTH_TCPGAUGE_H
#define NETSLEUTH_TCPGAUGE_H

#include <stdbool.h>
#include <stdint.h>

#define NS_TCP_NSTATES 16

enum {
	NS_TCP_ESTABLISHED = 1, NS_TCP_SYN_SENT, NS_TCP_SYN_RECV, NS_TCP_FIN_WAIT1, NS_TCP_FIN_WAIT2,
	NS_TCP_TIME_WAIT, NS_TCP_CLOSE, NS_TCP_CLOSE_WAIT, NS_TCP_LAST_ACK, NS_TCP_LISTEN, NS_TCP_CLOSING,
	NS_TCP_NEW_SYN_RECV,
};

/* Cumulative transition counts old -> new, as summed from the kernel's per-CPU map. */
struct ns_tcp_trans {
	uint64_t n[NS_TCP_NSTATES][NS_TCP_NSTATES];
};

struct ns_tcp_gauge {
	uint64_t snap[NS_TCP_NSTATES];	/* sock_diag counts at the snapshot */
	struct ns_tcp_trans base;	/* transitions counted up to the snapshot */
	uint64_t cur[NS_TCP_NSTATES];	/* current estimate */
	bool valid;			/* a snapshot was taken */
	bool drift;			/* an estimate went negative: take a snapshot */
};

/* States followed from transitions (the others: snapshot only). */
bool ns_tcp_state_tracked(unsigned state);
void ns_tcp_gauge_snapshot(struct ns_tcp_gauge *g, const uint64_t counts[NS_TCP_NSTATES],
			   const struct ns_tcp_trans *now);
void ns_tcp_gauge_update(struct ns_tcp_gauge *g, const struct ns_tcp_trans *now);
/*
 * The snapshot-only states may have changed since the snapshot: it holds
 * timewait or request socks (they come and go unseen), or a socket has
 * closed from FIN_WAIT1/FIN_WAIT2/CLOSING since, which is how entering
 * TIME_WAIT looks from the tracepoint. Quiet namespaces then need no
 * sock_diag walk, busy ones get one per report.
 */
bool ns_tcp_gauge_volatile(const struct ns_tcp_gauge *g, const struct ns_tcp_trans *now);

#endif
