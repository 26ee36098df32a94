/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Packets the kernel dropped, with its reason (issue #6). */
#ifndef NETSLEUTH_DROP_H
#define NETSLEUTH_DROP_H

#include "common.h"

/* drop_event.flags */
#define NS_DROP_F_REASON	0x01	/* reason is the kernel's enum skb_drop_reason (5.17+) */
#define NS_DROP_F_ADDRS		0x02	/* family/saddr/daddr/l4proto read from the packet's IP header */
#define NS_DROP_F_PORTS		0x04	/* sport/dport valid (TCP or UDP, first fragment) */
#define NS_DROP_F_TCP		0x08	/* tcp_flags valid */
#define NS_DROP_F_SOCK		0x10	/* the skb belonged to a socket (netns from it when no device) */

/*
 * One dropped packet. Rate-limited per (netns, reason) in the kernel; the
 * per-CPU `drop_counts` stay exact whatever was emitted.
 */
struct drop_event {
	struct ns_event_hdr hdr;
	__u64 location;		/* kernel text address that freed the skb (kfree_skb's `location`) */
	__u64 suppressed;	/* events for this (netns, reason) not emitted by the rate limit, all time */
	__u8 saddr[16];		/* the packet's own addresses, network order; IPv4 in the first 4 bytes */
	__u8 daddr[16];
	char ifname[16];	/* skb->dev, when the skb had one */
	__u32 reason;		/* enum skb_drop_reason of the running kernel; 0 without NS_DROP_F_REASON */
	__u32 ifindex;
	__u32 len;		/* skb->len */
	__u16 sport;		/* host order */
	__u16 dport;
	__u16 family;		/* AF_INET, AF_INET6, or 0 (no IP header found) */
	__u16 l3proto;		/* skb->protocol, host order (ETH_P_*) */
	__u8 l4proto;		/* IPPROTO_* */
	__u8 flags;		/* NS_DROP_F_* */
	__u8 tcp_flags;
	__u8 __pad;
};
_Static_assert(sizeof(struct drop_event) == 104, "drop_event is ABI");

/* Key of the per-CPU `drop_counts` hash: exact totals, rate limit or not. */
struct drop_count_key {
	__u32 netns;
	__u32 reason;		/* 0 on kernels without reasons */
	__u32 ifindex;		/* 0: no device */
};
_Static_assert(sizeof(struct drop_count_key) == 12, "drop_count_key is ABI");

/* Key of the `drop_rate` hash: one rate limiter per (netns, reason). */
struct drop_rate_key {
	__u32 netns;
	__u32 reason;
};
_Static_assert(sizeof(struct drop_rate_key) == 8, "drop_rate_key is ABI");

struct drop_rate_val {
	__u64 window_ns;	/* start of the current one-second window */
	__u64 suppressed;	/* all time */
	__u32 emitted;		/* in the current window */
	__u32 __pad;
};
_Static_assert(sizeof(struct drop_rate_val) == 24, "drop_rate_val is ABI");

#endif /* NETSLEUTH_DROP_H */
