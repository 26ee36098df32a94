/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* TCP reset events and counters (issue #2). */
#ifndef NETSLEUTH_RST_H
#define NETSLEUTH_RST_H

#include "common.h"

/* Where rst_event.reason comes from. ABI: append only. */
enum ns_rst_reason_src {
	NS_RSN_NONE = 0,	/* received RSTs carry no reason */
	NS_RSN_KERNEL = 1,	/* enum sk_rst_reason of the running kernel (6.10+) */
	NS_RSN_DERIVED = 2,	/* enum ns_rst_derived: older kernels */
};

/* Reasons netsleuth derives when the kernel does not say. ABI: append only. */
enum ns_rst_derived {
	NS_RST_D_UNKNOWN = 0,
	NS_RST_D_NO_SOCKET = 1,	/* answered a packet no socket matched */
	NS_RST_D_SOCKET = 2,	/* answered a packet on a socket (listener, timewait, ...) */
	NS_RST_D_ACTIVE = 3,	/* socket aborted its own connection (linger 0, close with unread data, ...) */
};

/* rst_event.flags */
#define NS_RST_F_SOCK	0x01	/* a socket was involved (state is valid) */
#define NS_RST_F_SKB	0x02	/* tuple/seq/ack read from the packet answered */
#define NS_RST_F_TASK	0x04	/* process context: pid/comm are the sender's */
#define NS_RST_F_IPV6	0x08

/*
 * One RST, sent or received. Addresses and ports are those of the RST packet
 * itself: s* = the end that sent the RST, d* = the end it was sent to. For a
 * sent RST they are read from the packet being answered (a listener's socket
 * would say 0.0.0.0:port), for a received one from the socket.
 */
struct rst_event {
	struct ns_event_hdr hdr;
	__u8 saddr[16];		/* IPv4 in the first 4 bytes, network order */
	__u8 daddr[16];
	char comm[16];		/* valid with NS_RST_F_TASK */
	char ifname[16];	/* device the answered packet came in on, when known */
	__u32 seq;		/* sent: seq/ack of the packet answered; recv: 0 */
	__u32 ack;
	__u32 pid;		/* tgid, valid with NS_RST_F_TASK */
	__u32 ifindex;
	__u32 reason;		/* meaning given by reason_src */
	__u16 sport;		/* host order */
	__u16 dport;
	__u16 family;		/* AF_INET or AF_INET6 */
	__u8 reason_src;	/* enum ns_rst_reason_src */
	__u8 state;		/* TCP state of the socket (kernel numbering), 0 without one */
	__u8 flags;		/* NS_RST_F_* */
	__u8 tcp_flags;		/* sent: TCP flags of the packet answered */
	__u8 __pad[2];
};
_Static_assert(sizeof(struct rst_event) == 112, "rst_event is ABI");

/* Key of the per-CPU `rst_counts` hash: exact totals, ring buffer or not. */
struct rst_count_key {
	__u32 netns;
	__u32 reason;
	__u16 type;		/* NS_EV_RST_SENT / NS_EV_RST_RECV */
	__u8 reason_src;
	__u8 __pad;
};
_Static_assert(sizeof(struct rst_count_key) == 12, "rst_count_key is ABI");

#endif /* NETSLEUTH_RST_H */
