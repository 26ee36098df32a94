/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* TCP retransmissions and the flows that suffer them (issue #6). */
#ifndef NETSLEUTH_RETRANS_H
#define NETSLEUTH_RETRANS_H

#include "common.h"

/* What was retransmitted. ABI: append only. */
enum ns_retrans_kind {
	NS_RT_DATA = 0,		/* data or FIN of an established (or closing) connection */
	NS_RT_SYN = 1,		/* the SYN of a connect(): the server did not answer */
	NS_RT_SYNACK = 2,	/* a listener's SYN-ACK: the client's ACK did not arrive */
	NS_RT_KIND_MAX,
};

/* Why, where the kernel tells (icsk_ca_state at the retransmit). ABI: append only. */
enum ns_retrans_cause {
	NS_RT_C_OTHER = 0,	/* TCP_CA_Open/Disorder/CWR: tail loss probe, RACK, ... */
	NS_RT_C_RTO = 1,	/* TCP_CA_Loss: the retransmission timer fired */
	NS_RT_C_FAST = 2,	/* TCP_CA_Recovery: fast retransmit (dup ACKs / SACK) */
	NS_RT_C_UNKNOWN = 3,	/* no socket congestion state (SYN-ACKs of request socks) */
	NS_RT_CAUSE_MAX,
};

/* What a retrans_count_key counts. ABI: append only. */
enum ns_retrans_unit {
	NS_RT_U_RETRANS = 0,	/* retransmissions (one per skb sent again) */
	NS_RT_U_SEGS = 1,	/* segments, as TcpRetransSegs counts them (a TSO skb is several) */
	NS_RT_U_FAILED = 2,	/* retransmit attempts that failed locally (kernels whose tracepoint says) */
	NS_RT_U_FLOW_END = 3,	/* tracked flows that reached TCP_CLOSE; `cause` holds enum ns_flow_end, kind 0 */
	NS_RT_UNIT_MAX,
};

/* How a tracked flow ended (flow_end_event.end). ABI: append only. */
enum ns_flow_end {
	NS_FE_CLOSED = 0,	/* sk_err 0: an orderly close (or an abort by its own process) */
	NS_FE_RESET = 1,	/* ECONNRESET, EPIPE, ECONNREFUSED: the peer reset it */
	NS_FE_TIMEOUT = 2,	/* ETIMEDOUT: the kernel gave up retransmitting */
	NS_FE_ERROR = 3,	/* any other sk_err (an ICMP error, ...): see sk_err */
};

/* One retransmission (events are rate-limited per flow; counts are exact). */
struct retrans_event {
	struct ns_event_hdr hdr;
	__u64 first_ns;		/* this flow's first retransmission */
	__u64 bytes_acked;	/* tcp_sock.bytes_acked now (RFC 4898 tcpEStatsAppHCThruOctetsAcked) */
	__u64 bytes_sent;	/* tcp_sock.bytes_sent now (4.19+; 0 before) */
	__u8 saddr[16];		/* local end, network order; IPv4 in the first 4 bytes */
	__u8 daddr[16];		/* remote end */
	__u32 seq;		/* first sequence number retransmitted */
	__u32 snd_una;
	__u32 snd_nxt;
	__u32 len;		/* sequence space retransmitted (end_seq - seq) */
	__u32 segs;		/* segments (tcp_skb_pcount) */
	__u32 srtt_us;		/* smoothed RTT */
	__u32 flow_retrans;	/* this flow's retransmissions so far, this one included */
	__u32 flow_suppressed;	/* this flow's events the rate limit held back, so far */
	__u16 sport;		/* host order */
	__u16 dport;
	__u16 family;		/* AF_INET or AF_INET6 */
	__u8 kind;		/* enum ns_retrans_kind */
	__u8 cause;		/* enum ns_retrans_cause */
	__u8 state;		/* TCP state (kernel numbering) */
	__u8 ca_state;		/* icsk_ca_state (TCP_CA_*) */
	__u8 tcp_flags;		/* of the segment retransmitted */
	__u8 __pad[5];
};
_Static_assert(sizeof(struct retrans_event) == 120, "retrans_event is ABI");

/* A flow that retransmitted reached TCP_CLOSE. */
struct flow_end_event {
	struct ns_event_hdr hdr;
	__u64 first_ns;		/* first and last retransmission */
	__u64 last_ns;
	__u64 bytes_acked;	/* final tcp_sock counters */
	__u64 bytes_sent;
	__u64 bytes_received;
	__u8 saddr[16];		/* local */
	__u8 daddr[16];		/* remote */
	__u32 retrans;		/* retransmissions over the flow's life (tracked ones) */
	__u32 syn;		/* of which SYN */
	__u32 rto;		/* of which with TCP_CA_Loss */
	__u32 fast;		/* of which with TCP_CA_Recovery */
	__u32 sk_err;		/* errno the socket died with, 0 for none */
	__u16 sport;
	__u16 dport;
	__u16 family;
	__u8 end;		/* enum ns_flow_end */
	__u8 oldstate;		/* TCP state it closed from */
	__u8 __pad[4];
};
_Static_assert(sizeof(struct flow_end_event) == 120, "flow_end_event is ABI");

/* Key of the per-CPU `retrans_counts` hash. */
struct retrans_count_key {
	__u32 netns;
	__u8 kind;		/* enum ns_retrans_kind */
	__u8 cause;		/* enum ns_retrans_cause */
	__u8 unit;		/* enum ns_retrans_unit */
	__u8 __pad;
};
_Static_assert(sizeof(struct retrans_count_key) == 8, "retrans_count_key is ABI");

/* Key of the per-CPU `retrans_dests` hash: retransmissions by remote end. */
struct retrans_dest_key {
	__u8 daddr[16];
	__u32 netns;
	__u16 dport;
	__u16 family;
	__u8 kind;		/* enum ns_retrans_kind */
	__u8 __pad[3];
};
_Static_assert(sizeof(struct retrans_dest_key) == 28, "retrans_dest_key is ABI");

/* Value of the `retrans_flows` LRU hash, keyed by the socket's address (never shown). */
struct retrans_flow {
	__u64 first_ns;
	__u64 last_ns;
	__u64 bytes_acked;	/* tcp_sock at the last retransmission */
	__u64 bytes_sent;
	__u64 window_ns;	/* event rate limit: start of the current second */
	__u8 saddr[16];
	__u8 daddr[16];
	__u32 netns;
	__u32 snd_una;		/* at the last retransmission */
	__u32 retrans;
	__u32 syn;
	__u32 rto;
	__u32 fast;
	__u32 emitted;		/* events in the current second */
	__u32 suppressed;	/* events held back, all time */
	__u16 sport;
	__u16 dport;
	__u16 family;
	__u8 state;
	__u8 __pad;
};
_Static_assert(sizeof(struct retrans_flow) == 112, "retrans_flow is ABI");

#endif /* NETSLEUTH_RETRANS_H */
