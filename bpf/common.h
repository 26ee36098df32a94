/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Shared between BPF programs and the agent: fixed-width __u* types only, so
 * both compilers lay the structs out identically. Every ring-buffer record
 * starts with struct ns_event_hdr; `size` lets a consumer skip records of
 * types it does not know (an older agent against newer BPF objects).
 */
#ifndef NETSLEUTH_COMMON_H
#define NETSLEUTH_COMMON_H

/* Record types. ABI: append only, never renumber (docs/events.md). */
enum ns_event_type {
	NS_EV_RST_SENT = 1,
	NS_EV_RST_RECV = 2,
	NS_EV_CT_INVALID = 3,
	NS_EV_FDB = 4,		/* bridge FDB entry learned, moved, added, deleted (fdb.h) */
	NS_EV_NEIGH = 5,	/* neighbour entry changed (fdb.h) */
	NS_EV_DROP = 6,		/* kfree_skb with a drop reason (drop.h) */
	NS_EV_RETRANS = 7,	/* TCP retransmission (retrans.h) */
	NS_EV_FLOW_END = 8,	/* a retransmitting TCP flow closed (retrans.h) */
	NS_EV_TYPE_MAX,
};

struct ns_event_hdr {
	__u64 ts_ns;	/* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u32 netns;	/* inode of the network namespace the event belongs to */
	__u16 type;	/* enum ns_event_type */
	__u16 size;	/* whole record, header included */
};
_Static_assert(sizeof(struct ns_event_hdr) == 16, "ns_event_hdr is ABI");

/* Slots of the per-CPU `ns_stats` array every BPF object carries. */
enum ns_stat {
	NS_STAT_EVENTS = 0,	/* records written to the ring buffer */
	NS_STAT_RB_LOST = 1,	/* records dropped: ring buffer full */
	NS_STAT_COUNT_FULL = 2,	/* counter increments lost: counter map full */
	NS_STAT_FILTERED = 3,	/* events counted but not emitted (filters) */
	NS_STAT_MAX,
};

/* Bits of the `event_mask` rodata: 1 << enum ns_event_type. */
#define NS_EV_BIT(t) (1U << (t))

#endif /* NETSLEUTH_COMMON_H */
