/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Anomalies correlated from events. Pure logic.
 *
 * conntrack-invalid reset (issue #4): a packet conntrack marked INVALID in a
 * namespace, answered within a short window by a RST sent from the same
 * namespace for the reverse tuple, answering exactly that packet (the RST's
 * answered seq is the INVALID packet's seq). The two events come from
 * different ring buffers, so either may arrive first: both sides are kept
 * briefly and matched whichever comes second.
 */
#ifndef NETSLEUTH_ANOMALY_H
#define NETSLEUTH_ANOMALY_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>
#include "ct.h"
#include "rst.h"

#define NS_CORR_RING 1024
#define NS_CORR_WINDOW_NS 1000000000ULL

struct ns_corr_pkt {
	uint64_t ts;
	uint32_t netns;
	uint32_t seq;
	uint16_t family;
	uint16_t cport;		/* client's port */
	uint16_t pport;		/* public (pre-DNAT) port */
	uint8_t client[16];
	uint8_t pub[16];
	bool valid;
};

struct ns_ctreset {
	uint32_t netns;		/* where conntrack and the host stack saw it */
	uint16_t family;
	uint16_t pport;
	uint8_t client[16];
	uint8_t pub[16];
	uint64_t first_ts, last_ts;	/* CLOCK_MONOTONIC ns */
	uint64_t resets;
	uint16_t last_cport;
	bool target_known;	/* target_* resolved by the agent */
	uint8_t target[16];	/* where DNAT sends the flow */
	uint16_t target_port;
	char flow_state[16];	/* conntrack's state of the tracked flow */
};

struct ns_corr {
	struct ns_corr_pkt inv[NS_CORR_RING];
	struct ns_corr_pkt rst[NS_CORR_RING];
	unsigned inv_head, rst_head;
	struct ns_ctreset *an;
	size_t nan, cap;
	uint64_t window_ns;
	uint64_t last_invalid_ts;	/* newest INVALID seen: no RST after its window needs a scan */
	uint64_t invalid_tcp;		/* INVALID TCP packets seen as events */
	uint64_t invalid_reset;		/* ... of which a RST answered */
};

void ns_corr_init(struct ns_corr *c);
void ns_corr_free(struct ns_corr *c);
/* Return the anomaly a new match updated, or NULL. */
struct ns_ctreset *ns_corr_invalid(struct ns_corr *c, const struct ct_event *e);
struct ns_ctreset *ns_corr_rst(struct ns_corr *c, const struct rst_event *e);
/* Resets correlated in a namespace so far. */
uint64_t ns_corr_resets_in(const struct ns_corr *c, uint32_t netns);

#endif
