/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Drops and retransmissions (issue #6): the kernel's exact counters and
 * flow table as read by user/drop.c and user/retrans.c.
 */
#ifndef NETSLEUTH_PATH_H
#define NETSLEUTH_PATH_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "drop.h"
#include "retrans.h"

struct ns_loaded;

/* Per-second event limits the BPF objects are loaded with (rodata); what 0 would mean is spelled out. */
#define NS_DROP_EVENTS_PER_SEC_DEFAULT 10	/* per (netns, reason) */
#define NS_RETRANS_EVENTS_PER_SEC_DEFAULT 20	/* per flow */

struct ns_drop_count {
	uint32_t netns, reason, ifindex;
	uint64_t n;
};
struct ns_drop_counts {
	struct ns_drop_count *v;
	size_t n, cap;
};
/* Appends every (netns, reason, ifindex) the kernel counted; out->n is reset first. */
int ns_drop_read_counts(const struct ns_loaded *l, struct ns_drop_counts *out);
void ns_drop_counts_free(struct ns_drop_counts *c);

struct ns_retrans_count {
	uint32_t netns;
	uint8_t kind, cause, unit;	/* enum ns_retrans_kind / _cause / _unit */
	uint64_t n;
};
struct ns_retrans_counts {
	struct ns_retrans_count *v;
	size_t n, cap;
};
int ns_retrans_read_counts(const struct ns_loaded *l, struct ns_retrans_counts *out);
void ns_retrans_counts_free(struct ns_retrans_counts *c);
/* Sum over the rows of netns (0: every namespace) matching kind/cause/unit (-1: any). */
uint64_t ns_retrans_sum(const struct ns_retrans_counts *c, uint32_t netns, int kind, int cause, int unit);

struct ns_retrans_dest {
	uint32_t netns;
	uint16_t family, dport;
	uint8_t daddr[16];
	uint8_t kind;
	uint64_t n;
};
struct ns_retrans_dests {
	struct ns_retrans_dest *v;
	size_t n, cap;
};
int ns_retrans_read_dests(const struct ns_loaded *l, struct ns_retrans_dests *out);
void ns_retrans_dests_free(struct ns_retrans_dests *d);

/* cb for every flow the kernel remembers (retransmitted, not yet closed); stops on cb != 0 (negative: returned). */
int ns_retrans_flows_walk(const struct ns_loaded *l, int (*cb)(void *ctx, const struct retrans_flow *f), void *ctx);

#endif
