// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * TCP retransmissions per flow, and how the flows that retransmitted end
 * (issue #6).
 *
 * retransmits: the tcp_retransmit_skb tracepoint, fired from
 *   __tcp_retransmit_skb() after TcpRetransSegs was counted, so tail loss
 *   probes are seen too. Newer kernels (6.18 has it) pass a third argument,
 *   err, and fire for failed attempts as well ("tcp: add the error code to
 *   the tcp_retransmit_skb tracepoint"); older ones fire on success only
 *   and have two arguments. A program reading err does not load (tp_btf)
 *   or attach (raw_tp) where it is missing, so the probe picks by itself.
 *   Fallbacks without the tracepoint: fexit on tcp_retransmit_skb (its
 *   return value is __tcp_retransmit_skb's err), kprobe on it (attempts,
 *   failures included). Not on __tcp_retransmit_skb itself: gcc may split
 *   it (Debian's 6.1: __tcp_retransmit_skb.part.0, which tcp_retransmit_skb
 *   calls directly), and then a hook on the symbol sees only the tail loss
 *   probes, the one caller left (tcp_send_loss_probe). The price: tail loss
 *   probes are missed by these two (not by the tracepoint).
 * synack: the tcp_retransmit_synack tracepoint (tcp_rtx_synack(), on
 *   success): a listener's retransmitted SYN-ACKs, also in TcpRetransSegs.
 * flow-end: inet_sock_set_state to TCP_CLOSE, or tcp_set_state() hooks.
 *
 * Counts per (netns, kind, cause, unit) and per remote end are exact (per-CPU
 * hashes); events are rate-limited per flow. Flows are remembered in an LRU
 * hash from their first retransmission until they reach TCP_CLOSE, when a
 * NS_EV_FLOW_END record says how they died.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "retrans.h"
#include "ns_common.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define IPPROTO_TCP	6
#define TCPHDR_SYN	0x02
#define TCP_SYN_SENT	2
#define TCP_CLOSE	7
#define NSEC_PER_SEC	1000000000ULL
/* include/uapi/asm-generic/errno.h: the same on every architecture netsleuth builds for */
#define NS_EPIPE	32
#define NS_ECONNRESET	104
#define NS_ETIMEDOUT	110
#define NS_ECONNREFUSED	111

/* Retransmit events per second per flow; ~0U: no limit; 0: counts only. */
const volatile __u32 retrans_events_per_flow_sec = 20;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct retrans_count_key);
	__type(value, __u64);
} retrans_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct retrans_dest_key);
	__type(value, __u64);
} retrans_dests SEC(".maps");

/*
 * Keyed by the socket's address: valid from the first retransmission until
 * TCP_CLOSE, when the entry goes (a socket is freed only after TCP_CLOSE). An
 * entry whose close was missed is what the LRU evicts first.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct retrans_flow);
} retrans_flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct retrans_event);
} retrans_scratch SEC(".maps");

/* Before 5.6 sk_protocol was a bitfield ("net: sock: make sk_protocol a 16-bit value"). */
struct sock___pre56 {
	unsigned int sk_protocol : 8;
} __attribute__((preserve_access_index));

static __always_inline __u16 sk_proto(const struct sock *sk)
{
	if (bpf_core_field_size(sk->sk_protocol) == 2)
		return BPF_CORE_READ(sk, sk_protocol);
	return BPF_CORE_READ_BITFIELD_PROBED((struct sock___pre56 *)sk, sk_protocol);
}

static __always_inline __u32 sk_netns(const struct sock *sk)
{
	return BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
}

/* Local and remote end from sock_common (full sockets, request socks alike). */
static __always_inline __u16 common_tuple(const struct sock_common *c, __u8 *saddr, __u8 *daddr, __u16 *sport,
					  __u16 *dport)
{
	__u16 family = BPF_CORE_READ(c, skc_family);

	if (family == AF_INET6) {
		bpf_core_read(saddr, 16, &c->skc_v6_rcv_saddr);
		bpf_core_read(daddr, 16, &c->skc_v6_daddr);
	} else {
		bpf_core_read(saddr, 4, &c->skc_rcv_saddr);
		bpf_core_read(daddr, 4, &c->skc_daddr);
	}
	*sport = BPF_CORE_READ(c, skc_num);
	*dport = bpf_ntohs(BPF_CORE_READ(c, skc_dport));
	return family;
}

/* tcp_sock.bytes_sent came in 4.19 ("tcp: add SNMP counter for the number of bytes sent"). */
static __always_inline __u64 tp_bytes_sent(const struct tcp_sock *tp)
{
	if (bpf_core_field_exists(tp->bytes_sent))
		return BPF_CORE_READ(tp, bytes_sent);
	return 0;
}

static __always_inline void count(__u32 netns, __u8 kind, __u8 cause, __u8 unit, __u32 n)
{
	struct retrans_count_key k = { .netns = netns, .kind = kind, .cause = cause, .unit = unit };
	__u64 *v = bpf_map_lookup_elem(&retrans_counts, &k), init = n;

	/* NS_COUNT by n: segments come several at a time */
	if (v) {
		*v += n;	/* per-CPU slot */
		return;
	}
	if (bpf_map_update_elem(&retrans_counts, &k, &init, BPF_NOEXIST)) {
		v = bpf_map_lookup_elem(&retrans_counts, &k);	/* EEXIST: created meanwhile */
		if (v)
			*v += n;
		else
			ns_stat_inc(NS_STAT_COUNT_FULL);
	}
}

static __always_inline void count_dest(__u32 netns, __u16 family, const __u8 *daddr, __u16 dport, __u8 kind)
{
	struct retrans_dest_key k = {};

	__builtin_memcpy(k.daddr, daddr, 16);
	k.netns = netns;
	k.dport = dport;
	k.family = family;
	k.kind = kind;
	NS_COUNT(retrans_dests, &k);
}

static __always_inline __u8 cause_of(const struct sock *sk)
{
	__u8 ca = BPF_CORE_READ_BITFIELD_PROBED((struct inet_connection_sock *)sk, icsk_ca_state);

	if (ca == TCP_CA_Loss)
		return NS_RT_C_RTO;
	if (ca == TCP_CA_Recovery)
		return NS_RT_C_FAST;
	return NS_RT_C_OTHER;
}

/* The flow's record, created at its first retransmission; NULL when the LRU cannot take it. */
static __always_inline struct retrans_flow *flow_get(const struct sock *sk, const struct retrans_event *e, __u64 now)
{
	__u64 key = (__u64)sk;
	struct retrans_flow *f = bpf_map_lookup_elem(&retrans_flows, &key), init = {};

	if (f)
		return f;
	init.first_ns = now;
	init.window_ns = now;
	__builtin_memcpy(init.saddr, e->saddr, 16);
	__builtin_memcpy(init.daddr, e->daddr, 16);
	init.netns = e->hdr.netns;
	init.sport = e->sport;
	init.dport = e->dport;
	init.family = e->family;
	bpf_map_update_elem(&retrans_flows, &key, &init, BPF_NOEXIST);
	return bpf_map_lookup_elem(&retrans_flows, &key);
}

/*
 * One retransmission of a full TCP socket. err: the tracepoint's (or
 * tcp_retransmit_skb's) result, 0 where the hook fires on success only.
 * The socket is locked (timer or softirq with the lock owned), so its flow
 * record is updated by one CPU at a time.
 */
static __always_inline int handle_retrans(const struct sock *sk, const struct sk_buff *skb, int err)
{
	const struct tcp_sock *tp = (const struct tcp_sock *)sk;
	struct tcp_skb_cb *tcb;
	struct retrans_event *e;
	struct retrans_flow *f;
	__u32 zero = 0, netns;
	__u64 now;
	__u8 kind, cause;

	if (!sk || !skb)
		return 0;
	netns = sk_netns(sk);
	tcb = (struct tcp_skb_cb *)&skb->cb[0];
	e = bpf_map_lookup_elem(&retrans_scratch, &zero);
	if (!e)
		return 0;
	__builtin_memset(e, 0, sizeof(*e));
	e->state = BPF_CORE_READ(sk, __sk_common.skc_state);
	/* tcp_flags: __u8 before 6.2, __u16 since ("tcp: add TCPHDR_AE"): read by its real size */
	e->tcp_flags = BPF_CORE_READ_BITFIELD_PROBED(tcb, tcp_flags);
	kind = (e->tcp_flags & TCPHDR_SYN) || e->state == TCP_SYN_SENT ? NS_RT_SYN : NS_RT_DATA;
	cause = cause_of(sk);
	if (err) {
		count(netns, kind, cause, NS_RT_U_FAILED, 1);
		return 0;
	}
	e->segs = BPF_CORE_READ(tcb, tcp_gso_segs);
	if (!e->segs)
		e->segs = 1;
	count(netns, kind, cause, NS_RT_U_RETRANS, 1);
	count(netns, kind, cause, NS_RT_U_SEGS, e->segs);

	e->hdr.type = NS_EV_RETRANS;
	e->hdr.netns = netns;
	e->family = common_tuple(&sk->__sk_common, e->saddr, e->daddr, &e->sport, &e->dport);
	count_dest(netns, e->family, e->daddr, e->dport, kind);
	e->kind = kind;
	e->cause = cause;
	e->ca_state = BPF_CORE_READ_BITFIELD_PROBED((struct inet_connection_sock *)sk, icsk_ca_state);
	e->seq = BPF_CORE_READ(tcb, seq);
	e->len = BPF_CORE_READ(tcb, end_seq) - e->seq;
	e->snd_una = BPF_CORE_READ(tp, snd_una);
	e->snd_nxt = BPF_CORE_READ(tp, snd_nxt);
	e->srtt_us = BPF_CORE_READ(tp, srtt_us) >> 3;
	e->bytes_acked = BPF_CORE_READ(tp, bytes_acked);
	e->bytes_sent = tp_bytes_sent(tp);

	now = bpf_ktime_get_ns();
	f = flow_get(sk, e, now);
	if (!f) {
		ns_stat_inc(NS_STAT_COUNT_FULL);
		e->first_ns = now;
		e->flow_retrans = 1;
	} else {
		f->last_ns = now;
		f->retrans++;
		f->syn += kind == NS_RT_SYN;
		f->rto += cause == NS_RT_C_RTO;
		f->fast += cause == NS_RT_C_FAST;
		f->bytes_acked = e->bytes_acked;
		f->bytes_sent = e->bytes_sent;
		f->snd_una = e->snd_una;
		f->state = e->state;
		e->first_ns = f->first_ns;
		e->flow_retrans = f->retrans;
		if (retrans_events_per_flow_sec != ~0U) {
			if (now - f->window_ns >= NSEC_PER_SEC) {
				f->window_ns = now;
				f->emitted = 0;
			}
			if (f->emitted >= retrans_events_per_flow_sec) {
				f->suppressed++;
				ns_stat_inc(NS_STAT_FILTERED);
				return 0;
			}
			f->emitted++;
		}
		e->flow_suppressed = f->suppressed;
	}
	if (!ns_event_wanted(NS_EV_RETRANS, netns)) {
		ns_stat_inc(NS_STAT_FILTERED);
		return 0;
	}
	e->hdr.ts_ns = now;
	e->hdr.size = sizeof(*e);
	ns_emit(e, sizeof(*e));
	return 0;
}

/* A listener's SYN-ACK sent again: counted and reported, not tracked (no full socket yet). */
static __always_inline int handle_synack(const struct request_sock *req)
{
	struct retrans_event *e;
	__u32 zero = 0;

	if (!req)
		return 0;
	e = bpf_map_lookup_elem(&retrans_scratch, &zero);
	if (!e)
		return 0;
	__builtin_memset(e, 0, sizeof(*e));
	e->hdr.type = NS_EV_RETRANS;
	e->hdr.netns = BPF_CORE_READ(req, __req_common.skc_net.net, ns.inum);
	e->family = common_tuple(&req->__req_common, e->saddr, e->daddr, &e->sport, &e->dport);
	e->kind = NS_RT_SYNACK;
	e->cause = NS_RT_C_UNKNOWN;
	e->state = BPF_CORE_READ(req, __req_common.skc_state);
	e->tcp_flags = TCPHDR_SYN | 0x10;
	e->segs = 1;
	e->flow_retrans = BPF_CORE_READ(req, num_retrans);
	count(e->hdr.netns, NS_RT_SYNACK, NS_RT_C_UNKNOWN, NS_RT_U_RETRANS, 1);
	count(e->hdr.netns, NS_RT_SYNACK, NS_RT_C_UNKNOWN, NS_RT_U_SEGS, 1);
	count_dest(e->hdr.netns, e->family, e->daddr, e->dport, NS_RT_SYNACK);
	if (!ns_event_wanted(NS_EV_RETRANS, e->hdr.netns)) {
		ns_stat_inc(NS_STAT_FILTERED);
		return 0;
	}
	e->hdr.ts_ns = bpf_ktime_get_ns();
	e->first_ns = e->hdr.ts_ns;
	e->hdr.size = sizeof(*e);
	ns_emit(e, sizeof(*e));
	return 0;
}

static __always_inline __u8 end_of(__u32 err)
{
	switch (err) {
	case 0:
		return NS_FE_CLOSED;
	case NS_ECONNRESET:
	case NS_EPIPE:
	case NS_ECONNREFUSED:
		return NS_FE_RESET;
	case NS_ETIMEDOUT:
		return NS_FE_TIMEOUT;
	default:
		return NS_FE_ERROR;
	}
}

/*
 * A tracked flow reaching TCP_CLOSE: say how it died and forget it. sk_err is
 * set before the state changes on both ways to die (tcp_done_with_error() /
 * tcp_write_err() and tcp_reset() write it, then call tcp_done()).
 */
static __always_inline int handle_state(const struct sock *sk, int oldstate, int newstate)
{
	const struct tcp_sock *tp = (const struct tcp_sock *)sk;
	struct flow_end_event e = {};
	struct retrans_flow *f;
	__u64 key = (__u64)sk;

	if (!sk || newstate != TCP_CLOSE || oldstate == TCP_CLOSE)
		return 0;
	f = bpf_map_lookup_elem(&retrans_flows, &key);
	if (!f)
		return 0;
	if (sk_proto(sk) != IPPROTO_TCP) {
		bpf_map_delete_elem(&retrans_flows, &key);
		return 0;
	}
	e.hdr.type = NS_EV_FLOW_END;
	e.hdr.netns = f->netns;
	e.first_ns = f->first_ns;
	e.last_ns = f->last_ns;
	__builtin_memcpy(e.saddr, f->saddr, 16);
	__builtin_memcpy(e.daddr, f->daddr, 16);
	e.sport = f->sport;
	e.dport = f->dport;
	e.family = f->family;
	e.retrans = f->retrans;
	e.syn = f->syn;
	e.rto = f->rto;
	e.fast = f->fast;
	bpf_map_delete_elem(&retrans_flows, &key);
	e.bytes_acked = BPF_CORE_READ(tp, bytes_acked);
	e.bytes_sent = tp_bytes_sent(tp);
	e.bytes_received = BPF_CORE_READ(tp, bytes_received);
	e.sk_err = BPF_CORE_READ(sk, sk_err);
	e.end = end_of(e.sk_err);
	e.oldstate = oldstate;
	count(e.hdr.netns, 0, e.end, NS_RT_U_FLOW_END, 1);
	if (!ns_event_wanted(NS_EV_FLOW_END, e.hdr.netns)) {
		ns_stat_inc(NS_STAT_FILTERED);
		return 0;
	}
	e.hdr.ts_ns = bpf_ktime_get_ns();
	e.hdr.size = sizeof(e);
	ns_emit(&e, sizeof(e));
	return 0;
}

/* --- retransmits: tracepoint with err (newer kernels) --- */
SEC("tp_btf/tcp_retransmit_skb")
int BPF_PROG(retrans_tp3, const struct sock *sk, const struct sk_buff *skb, int err)
{
	return handle_retrans(sk, skb, err);
}

SEC("raw_tp/tcp_retransmit_skb")
int BPF_PROG(retrans_raw3, const struct sock *sk, const struct sk_buff *skb, int err)
{
	return handle_retrans(sk, skb, err);
}

/* --- retransmits: two-argument tracepoint, fired on success only --- */
SEC("tp_btf/tcp_retransmit_skb")
int BPF_PROG(retrans_tp2, const struct sock *sk, const struct sk_buff *skb)
{
	return handle_retrans(sk, skb, 0);
}

SEC("raw_tp/tcp_retransmit_skb")
int BPF_PROG(retrans_raw2, const struct sock *sk, const struct sk_buff *skb)
{
	return handle_retrans(sk, skb, 0);
}

/* --- retransmits: function hooks --- */
SEC("fexit/tcp_retransmit_skb")
int BPF_PROG(retrans_fx, struct sock *sk, struct sk_buff *skb, int segs, int ret)
{
	return handle_retrans(sk, skb, ret);
}

SEC("kprobe/tcp_retransmit_skb")
int BPF_KPROBE(retrans_kp, struct sock *sk, struct sk_buff *skb)
{
	return handle_retrans(sk, skb, 0);
}

/* --- SYN-ACKs --- */
SEC("tp_btf/tcp_retransmit_synack")
int BPF_PROG(synack_tp, const struct sock *sk, const struct request_sock *req)
{
	return handle_synack(req);
}

SEC("raw_tp/tcp_retransmit_synack")
int BPF_PROG(synack_raw, const struct sock *sk, const struct request_sock *req)
{
	return handle_synack(req);
}

/* --- flow end --- */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(flowend_tp, const struct sock *sk, int oldstate, int newstate)
{
	return handle_state(sk, oldstate, newstate);
}

SEC("raw_tp/inet_sock_set_state")
int BPF_PROG(flowend_raw, const struct sock *sk, int oldstate, int newstate)
{
	return handle_state(sk, oldstate, newstate);
}

SEC("fentry/tcp_set_state")
int BPF_PROG(flowend_fe, struct sock *sk, int state)
{
	return handle_state(sk, BPF_CORE_READ(sk, __sk_common.skc_state), state);
}

SEC("kprobe/tcp_set_state")
int BPF_KPROBE(flowend_kp, struct sock *sk, int state)
{
	return handle_state(sk, BPF_CORE_READ(sk, __sk_common.skc_state), state);
}
