// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * TCP resets, sent and received, with the cause.
 *
 * Several entry points per event source; user space (user/probe.c) loads the
 * first set that works on the running kernel and leaves the rest unloaded:
 *
 *  sent, full:  tp_btf/raw_tp tcp_send_reset with enum sk_rst_reason (6.10+).
 *               The reason argument and firing for socketless RSTs landed in
 *               the same release ("tcp: rstreason: ..." and "trace: tcp: fully
 *               support trace_tcp_send_reset", 6.10): a program reading the
 *               third argument fails to load on kernels that lack both.
 *  sent, older: fentry or kprobe on tcp_v4_send_reset/tcp_v6_send_reset for
 *               RSTs answering a packet (before 6.10 the tracepoint is not
 *               reached for socketless RSTs, measured on Debian 6.1), plus the
 *               2-argument tracepoint for active resets only (skb == NULL).
 *  sent, degraded: the 2-argument tracepoint alone (misses socketless RSTs).
 *  received:    tcp_receive_reset tracepoint, or fentry/kprobe on tcp_reset.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "rst.h"
#include "ns_common.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define TCP_FLAG_RST	0x04
#define RTN_LOCAL	2

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct rst_count_key);
	__type(value, __u64);
} rst_counts SEC(".maps");

/* Before 5.16 the rx ifindex lived in inet_sock ("inet: move inet->rx_dst_ifindex to sk->sk_rx_dst_ifindex"). */
struct inet_sock___pre516 {
	int rx_dst_ifindex;
} __attribute__((preserve_access_index));

static __always_inline __u32 sk_netns(const struct sock *sk)
{
	return BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
}

/* Only for full sockets: timewait and request socks end after sock_common. */
static __always_inline __u32 sk_rx_ifindex(const struct sock *sk)
{
	if (bpf_core_field_exists(sk->sk_rx_dst_ifindex))
		return BPF_CORE_READ(sk, sk_rx_dst_ifindex);
	return BPF_CORE_READ((struct inet_sock___pre516 *)sk, rx_dst_ifindex);
}

/* Full sockets only: the local port comes from inet_sport, which survives inet_put_port() zeroing skc_num when a linger-0 close moves the socket to CLOSE just before its RST. */
static __always_inline void tuple_from_sk(struct rst_event *e, const struct sock *sk, bool sender_is_local)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	__u16 lport = bpf_ntohs(BPF_CORE_READ((struct inet_sock *)sk, inet_sport));
	__u16 rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	__u8 *l = sender_is_local ? e->saddr : e->daddr;
	__u8 *r = sender_is_local ? e->daddr : e->saddr;

	e->family = family;
	if (family == AF_INET6) {
		e->flags |= NS_RST_F_IPV6;
		bpf_core_read(l, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(r, 16, &sk->__sk_common.skc_v6_daddr);
	} else {
		bpf_core_read(l, 4, &sk->__sk_common.skc_rcv_saddr);
		bpf_core_read(r, 4, &sk->__sk_common.skc_daddr);
	}
	e->sport = sender_is_local ? lport : rport;
	e->dport = sender_is_local ? rport : lport;
}

/*
 * The RST answers `skb`: its source is the packet's destination. Returns
 * false when the packet cannot be parsed or is itself a RST (the kernel never
 * answers those; the function hooks fire before that check).
 */
static __always_inline bool tuple_from_skb(struct rst_event *e, const struct sk_buff *skb)
{
	unsigned char *head = BPF_CORE_READ(skb, head);
	__u16 nh = BPF_CORE_READ(skb, network_header);
	__u16 th = BPF_CORE_READ(skb, transport_header);
	struct tcphdr tcp;
	__u8 ver;

	if (!head || th == (__u16)~0U)
		return false;
	if (bpf_probe_read_kernel(&ver, 1, head + nh))
		return false;
	ver >>= 4;
	if (ver == 4) {
		struct iphdr ip;

		if (bpf_probe_read_kernel(&ip, sizeof(ip), head + nh))
			return false;
		e->family = AF_INET;
		__builtin_memcpy(e->saddr, &ip.daddr, 4);
		__builtin_memcpy(e->daddr, &ip.saddr, 4);
	} else if (ver == 6) {
		struct ipv6hdr ip6;

		if (bpf_probe_read_kernel(&ip6, sizeof(ip6), head + nh))
			return false;
		e->family = AF_INET6;
		e->flags |= NS_RST_F_IPV6;
		__builtin_memcpy(e->saddr, &ip6.daddr, 16);
		__builtin_memcpy(e->daddr, &ip6.saddr, 16);
	} else {
		return false;
	}
	if (bpf_probe_read_kernel(&tcp, sizeof(tcp), head + th))
		return false;
	e->tcp_flags = ((__u8 *)&tcp)[13];
	if (e->tcp_flags & TCP_FLAG_RST)
		return false;
	e->sport = bpf_ntohs(tcp.dest);
	e->dport = bpf_ntohs(tcp.source);
	e->seq = bpf_ntohl(tcp.seq);
	e->ack = bpf_ntohl(tcp.ack_seq);
	e->flags |= NS_RST_F_SKB;
	e->ifindex = BPF_CORE_READ(skb, skb_iif);
	BPF_CORE_READ_STR_INTO(&e->ifname, skb, dev, name);
	return true;
}

static __always_inline __u32 skb_netns(const struct sk_buff *skb)
{
	__u32 inum = BPF_CORE_READ(skb, dev, nd_net.net, ns.inum);

	if (!inum) {
		/* skb->dev shares a union with dev_scratch; the route's device is what tcp_v4_send_reset itself uses. */
		struct dst_entry *dst = (void *)(BPF_CORE_READ(skb, _skb_refdst) & ~1UL);

		inum = BPF_CORE_READ(dst, dev, nd_net.net, ns.inum);
	}
	return inum;
}

static __always_inline void fill_task(struct rst_event *e)
{
	if (ns_context() != NS_CTX_TASK)
		return;
	e->flags |= NS_RST_F_TASK;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
}

static __always_inline void count_and_emit(struct rst_event *e)
{
	struct rst_count_key key = {
		.netns = e->hdr.netns,
		.reason = e->reason,
		.type = e->hdr.type,
		.reason_src = e->reason_src,
	};

	NS_COUNT(rst_counts, &key);
	if (!ns_event_wanted(e->hdr.type, e->hdr.netns)) {
		ns_stat_inc(NS_STAT_FILTERED);
		return;
	}
	fill_task(e);
	e->hdr.ts_ns = bpf_ktime_get_ns();
	e->hdr.size = sizeof(*e);
	ns_emit(e, sizeof(*e));
}

/*
 * One handler for every way a sent RST is seen. kreason < 0: the hook carries
 * no reason, derive one.
 */
static __always_inline int handle_rst_sent(const struct sock *sk, const struct sk_buff *skb, int kreason)
{
	struct rst_event e = {};

	e.hdr.type = NS_EV_RST_SENT;
	if (skb) {
		if (!tuple_from_skb(&e, skb))
			return 0;
		e.hdr.netns = sk ? sk_netns(sk) : skb_netns(skb);
	} else if (sk) {
		tuple_from_sk(&e, sk, true);
		e.hdr.netns = sk_netns(sk);
		e.ifindex = sk_rx_ifindex(sk);
	} else {
		return 0;
	}
	if (sk) {
		e.flags |= NS_RST_F_SOCK;
		e.state = BPF_CORE_READ(sk, __sk_common.skc_state);
	}
	if (kreason >= 0) {
		e.reason_src = NS_RSN_KERNEL;
		e.reason = kreason;
	} else {
		e.reason_src = NS_RSN_DERIVED;
		e.reason = !skb ? NS_RST_D_ACTIVE : sk ? NS_RST_D_SOCKET : NS_RST_D_NO_SOCKET;
	}
	count_and_emit(&e);
	return 0;
}

static __always_inline int handle_rst_recv(const struct sock *sk)
{
	struct rst_event e = {};

	if (!sk)
		return 0;
	e.hdr.type = NS_EV_RST_RECV;
	e.hdr.netns = sk_netns(sk);
	tuple_from_sk(&e, sk, false);
	e.flags |= NS_RST_F_SOCK;
	e.state = BPF_CORE_READ(sk, __sk_common.skc_state);
	e.ifindex = sk_rx_ifindex(sk);
	count_and_emit(&e);
	return 0;
}

/*
 * The function hooks fire on entry, before tcp_v4_send_reset's own early
 * returns; mirror the socketless one (a RST is only sent for locally
 * destined packets). The RST-answers-RST return is in tuple_from_skb.
 */
static __always_inline bool v4_would_send(const struct sock *sk, const struct sk_buff *skb)
{
	struct rtable *rt;

	if (sk)
		return true;
	rt = (void *)(BPF_CORE_READ(skb, _skb_refdst) & ~1UL);
	return !rt || BPF_CORE_READ(rt, rt_type) == RTN_LOCAL;
}

/* --- sent: 6.10+ tracepoint with reason --- */
SEC("tp_btf/tcp_send_reset")
int BPF_PROG(rst_send_tp3, const struct sock *sk, const struct sk_buff *skb, int reason)
{
	return handle_rst_sent(sk, skb, reason);
}

SEC("raw_tp/tcp_send_reset")
int BPF_PROG(rst_send_raw3, const struct sock *sk, const struct sk_buff *skb, int reason)
{
	return handle_rst_sent(sk, skb, reason);
}

/* --- sent: function hooks, for kernels whose tracepoint misses socketless RSTs --- */
SEC("fentry/tcp_v4_send_reset")
int BPF_PROG(rst_send_fe4, const struct sock *sk, struct sk_buff *skb)
{
	if (!v4_would_send(sk, skb))
		return 0;
	return handle_rst_sent(sk, skb, -1);
}

SEC("fentry/tcp_v6_send_reset")
int BPF_PROG(rst_send_fe6, const struct sock *sk, struct sk_buff *skb)
{
	return handle_rst_sent(sk, skb, -1);
}

SEC("kprobe/tcp_v4_send_reset")
int BPF_KPROBE(rst_send_kp4, const struct sock *sk, struct sk_buff *skb)
{
	if (!v4_would_send(sk, skb))
		return 0;
	return handle_rst_sent(sk, skb, -1);
}

SEC("kprobe/tcp_v6_send_reset")
int BPF_KPROBE(rst_send_kp6, const struct sock *sk, struct sk_buff *skb)
{
	return handle_rst_sent(sk, skb, -1);
}

/* Active resets only: the packet-answering ones come from the function hooks above. */
SEC("tp_btf/tcp_send_reset")
int BPF_PROG(rst_act_tp2, const struct sock *sk, const struct sk_buff *skb)
{
	if (skb)
		return 0;
	return handle_rst_sent(sk, skb, -1);
}

SEC("raw_tp/tcp_send_reset")
int BPF_PROG(rst_act_raw2, const struct sock *sk, const struct sk_buff *skb)
{
	if (skb)
		return 0;
	return handle_rst_sent(sk, skb, -1);
}

/* --- sent, degraded: pre-6.10 tracepoint alone --- */
SEC("tp_btf/tcp_send_reset")
int BPF_PROG(rst_send_tp2, const struct sock *sk, const struct sk_buff *skb)
{
	return handle_rst_sent(sk, skb, -1);
}

SEC("raw_tp/tcp_send_reset")
int BPF_PROG(rst_send_raw2, const struct sock *sk, const struct sk_buff *skb)
{
	return handle_rst_sent(sk, skb, -1);
}

/* --- received --- */
SEC("tp_btf/tcp_receive_reset")
int BPF_PROG(rst_recv_tp, const struct sock *sk)
{
	return handle_rst_recv(sk);
}

SEC("raw_tp/tcp_receive_reset")
int BPF_PROG(rst_recv_raw, const struct sock *sk)
{
	return handle_rst_recv(sk);
}

SEC("fentry/tcp_reset")
int BPF_PROG(rst_recv_fe, struct sock *sk)
{
	return handle_rst_recv(sk);
}

SEC("kprobe/tcp_reset")
int BPF_KPROBE(rst_recv_kp, struct sock *sk)
{
	return handle_rst_recv(sk);
}
