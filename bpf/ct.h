/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Packets nf_conntrack leaves without an entry: INVALID (issue #4). */
#ifndef NETSLEUTH_CT_H
#define NETSLEUTH_CT_H

#include "common.h"

/* ct_event.flags */
#define NS_CT_F_IPV6	0x01
#define NS_CT_F_TCP	0x02	/* sport/dport/seq/ack/tcp_flags valid */
#define NS_CT_F_REASON	0x04	/* reason and the sender's window (td_*) valid: conntrack said why */

/* An IPv4/IPv6 packet that passed nf_conntrack without getting an entry. */
struct ct_event {
	struct ns_event_hdr hdr;
	__u8 saddr[16];		/* as on the wire: the packet's own source */
	__u8 daddr[16];
	char ifname[16];
	char reason[48];	/* conntrack's own words: "SEQ is over the upper bound (over the window of the receiver)" */
	__u32 td_end;		/* the sender's tracked window (struct ip_ct_tcp_state) */
	__u32 td_maxend;
	__u32 td_maxwin;
	__u32 seq;
	__u32 ack;
	__u32 ifindex;
	__u32 len;		/* IP payload length (TCP header + data) */
	__u16 sport;
	__u16 dport;
	__u16 family;
	__u16 window;
	__u8 proto;		/* IPPROTO_* */
	__u8 tcp_flags;
	__u8 flags;		/* NS_CT_F_* */
	__u8 hook;		/* NF_INET_* hook it was seen at */
	__u8 reason_code;	/* enum ns_ct_reason */
	__u8 __pad[7];
};
_Static_assert(sizeof(struct ct_event) == 160, "ct_event is ABI");

/* Why conntrack found a TCP packet INVALID, from its own words. ABI: append only. */
enum ns_ct_reason {
	NS_CT_R_UNKNOWN = 0,	/* no kprobe on conntrack's path, or not TCP */
	NS_CT_R_SEQ_OVER = 1,	/* "SEQ is over the upper bound": far ahead of the window */
	NS_CT_R_SEQ_UNDER = 2,	/* "SEQ is under the lower bound" */
	NS_CT_R_ACK_OVER = 3,	/* "ACK is over the upper bound": acks data never sent */
	NS_CT_R_ACK_UNDER = 4,	/* "ACK is under the lower bound" */
	NS_CT_R_OTHER = 5,
};

/* Key of the per-CPU `ct_counts` hash. */
struct ct_count_key {
	__u32 netns;
	__u8 proto;
	__u8 family;	/* 4 or 6 */
	__u8 reason;	/* enum ns_ct_reason */
	__u8 __pad;
};
_Static_assert(sizeof(struct ct_count_key) == 8, "ct_count_key is ABI");

#endif
