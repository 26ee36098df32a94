// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Packets the kernel drops, with the kernel's own reason (issue #6).
 *
 * One hook, kfree_skb, in two shapes:
 *
 *  with reason: the tracepoint's third argument, enum skb_drop_reason, came in
 *               5.17 ("net: skb: introduce kfree_skb_reason()"); 6.11 added a
 *               fourth (rx_sk, "net: introduce sk_skb_reason_drop"), which we
 *               do not need: skb->sk and skb->dev say where the packet was.
 *               A program reading the third argument does not load (tp_btf) or
 *               attach (raw_tp) before 5.17, so the probe picks by itself.
 *  without:     before 5.17: the same tracepoint, reason unknown (degraded).
 *
 * SKB_CONSUMED (6.3, "net: skb: introduce SKB_CONSUMED") marks a normal free,
 * not a drop: skipped when the running kernel has it (CO-RE enum check). Since
 * 6.3 such frees go to the consume_skb tracepoint anyway; the check is for the
 * kernels in between and for any path that still passes it here.
 *
 * Counted per (netns, reason, ifindex) in a per-CPU hash, always. Events are
 * rate-limited per (netns, reason): at most drop_events_per_sec per second,
 * the rest counted in drop_rate as suppressed (a busy host frees thousands of
 * NOT_SPECIFIED packets a second; the counts say how many, one event says what).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "drop.h"
#include "ns_common.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86DD
#define IPPROTO_TCP	6
#define IPPROTO_UDP	17
#define NSEC_PER_SEC	1000000000ULL

/* Events per second per (netns, reason); ~0U: no limit; 0: counts only. */
const volatile __u32 drop_events_per_sec = 10;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct drop_count_key);
	__type(value, __u64);
} drop_counts SEC(".maps");

/* LRU: a limiter forgotten under pressure only restarts its window. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct drop_rate_key);
	__type(value, struct drop_rate_val);
} drop_rate SEC(".maps");

/* The event under construction: 104 bytes is too much for the 512-byte stack next to the reads. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct drop_event);
} drop_scratch SEC(".maps");

static __always_inline __u32 dev_netns(const struct net_device *dev)
{
	return BPF_CORE_READ(dev, nd_net.net, ns.inum);
}

/*
 * Where the packet was when dropped. A socket's skb (before it crosses a veth
 * the owner is kept; dev_forward_skb() orphans it) is its owner's; else the
 * device's. skb->dev shares a union with dev_scratch, which UDP uses for
 * queued packets, hence the socket first. Without either, the route's device.
 */
static __always_inline __u32 skb_where(const struct sk_buff *skb, struct drop_event *e)
{
	const struct net_device *dev = BPF_CORE_READ(skb, dev);
	const struct sock *sk = BPF_CORE_READ(skb, sk);
	__u32 inum = 0;

	if (sk) {
		inum = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
		e->flags |= NS_DROP_F_SOCK;
	}
	if (dev) {
		__u32 dn = dev_netns(dev);

		if (!inum)
			inum = dn;
		if (dn == inum) {
			e->ifindex = BPF_CORE_READ(dev, ifindex);
			BPF_CORE_READ_STR_INTO(&e->ifname, dev, name);
		}
	}
	if (!inum) {
		struct dst_entry *dst = (void *)(BPF_CORE_READ(skb, _skb_refdst) & ~1UL);

		inum = BPF_CORE_READ(dst, dev, nd_net.net, ns.inum);
	}
	if (!e->ifindex)
		e->ifindex = BPF_CORE_READ(skb, skb_iif);
	return inum;
}

/* 5-tuple from the IP header when the skb has one (network_header set and matching skb->protocol). */
static __always_inline void skb_tuple(const struct sk_buff *skb, struct drop_event *e)
{
	unsigned char *head = BPF_CORE_READ(skb, head);
	__u16 nh = BPF_CORE_READ(skb, network_header);
	__u16 proto = bpf_ntohs(BPF_CORE_READ(skb, protocol));
	__u32 th = 0;
	__u8 ver;

	e->l3proto = proto;
	if (!head || nh == (__u16)~0U || (proto != ETH_P_IP && proto != ETH_P_IPV6))
		return;
	if (bpf_probe_read_kernel(&ver, 1, head + nh))
		return;
	ver >>= 4;
	if (ver == 4 && proto == ETH_P_IP) {
		struct iphdr ip;

		if (bpf_probe_read_kernel(&ip, sizeof(ip), head + nh))
			return;
		e->family = AF_INET;
		__builtin_memcpy(e->saddr, &ip.saddr, 4);
		__builtin_memcpy(e->daddr, &ip.daddr, 4);
		e->l4proto = ip.protocol;
		/* ports only in the first fragment */
		if (!(bpf_ntohs(ip.frag_off) & 0x1fff))
			th = nh + ((((__u8 *)&ip)[0] & 0xf) << 2);
	} else if (ver == 6 && proto == ETH_P_IPV6) {
		struct ipv6hdr ip6;

		if (bpf_probe_read_kernel(&ip6, sizeof(ip6), head + nh))
			return;
		e->family = AF_INET6;
		__builtin_memcpy(e->saddr, &ip6.saddr, 16);
		__builtin_memcpy(e->daddr, &ip6.daddr, 16);
		e->l4proto = ip6.nexthdr;
		/* extension headers are not walked: ports for plain TCP/UDP only */
		th = nh + sizeof(ip6);
	} else {
		return;
	}
	e->flags |= NS_DROP_F_ADDRS;
	if (!th || (e->l4proto != IPPROTO_TCP && e->l4proto != IPPROTO_UDP))
		return;
	if (e->l4proto == IPPROTO_TCP) {
		struct tcphdr tcp;

		if (bpf_probe_read_kernel(&tcp, sizeof(tcp), head + th))
			return;
		e->sport = bpf_ntohs(tcp.source);
		e->dport = bpf_ntohs(tcp.dest);
		e->tcp_flags = ((__u8 *)&tcp)[13];
		e->flags |= NS_DROP_F_PORTS | NS_DROP_F_TCP;
	} else {
		struct udphdr udp;

		if (bpf_probe_read_kernel(&udp, sizeof(udp), head + th))
			return;
		e->sport = bpf_ntohs(udp.source);
		e->dport = bpf_ntohs(udp.dest);
		e->flags |= NS_DROP_F_PORTS;
	}
}

/* Whether this event may go out now; counts it as suppressed when not. */
static __always_inline bool rate_ok(__u32 netns, __u32 reason, __u64 now, __u64 *suppressed)
{
	struct drop_rate_key k = { .netns = netns, .reason = reason };
	struct drop_rate_val *v, init = {};

	if (drop_events_per_sec == ~0U)
		return true;
	v = bpf_map_lookup_elem(&drop_rate, &k);
	if (!v) {
		init.window_ns = now;
		bpf_map_update_elem(&drop_rate, &k, &init, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&drop_rate, &k);
		if (!v)
			return false;
	}
	/* the window reset races between CPUs: at worst a few extra events, never a lost count */
	if (now - v->window_ns >= NSEC_PER_SEC) {
		v->window_ns = now;
		v->emitted = 0;
	}
	if (v->emitted < drop_events_per_sec) {
		__sync_fetch_and_add(&v->emitted, 1);
		*suppressed = v->suppressed;
		return true;
	}
	__sync_fetch_and_add(&v->suppressed, 1);
	return false;
}

/* kreason < 0: the hook has no reason argument. */
static __always_inline int handle_drop(const struct sk_buff *skb, void *location, int kreason)
{
	struct drop_count_key key = {};
	struct drop_event *e;
	__u32 zero = 0;
	__u64 now, sup = 0;

	if (!skb)
		return 0;
	if (kreason >= 0 && bpf_core_enum_value_exists(enum skb_drop_reason, SKB_CONSUMED) &&
	    (__u32)kreason == (__u32)bpf_core_enum_value(enum skb_drop_reason, SKB_CONSUMED))
		return 0;
	e = bpf_map_lookup_elem(&drop_scratch, &zero);
	if (!e)
		return 0;
	__builtin_memset(e, 0, sizeof(*e));
	e->hdr.type = NS_EV_DROP;
	e->hdr.netns = skb_where(skb, e);
	if (kreason >= 0) {
		e->reason = kreason;
		e->flags |= NS_DROP_F_REASON;
	}
	key.netns = e->hdr.netns;
	key.reason = e->reason;
	key.ifindex = e->ifindex;
	NS_COUNT(drop_counts, &key);
	if (!ns_event_wanted(NS_EV_DROP, e->hdr.netns)) {
		ns_stat_inc(NS_STAT_FILTERED);
		return 0;
	}
	now = bpf_ktime_get_ns();
	if (!rate_ok(e->hdr.netns, e->reason, now, &sup)) {
		ns_stat_inc(NS_STAT_FILTERED);
		return 0;
	}
	skb_tuple(skb, e);
	e->location = (__u64)location;
	e->suppressed = sup;
	e->len = BPF_CORE_READ(skb, len);
	e->hdr.ts_ns = now;
	e->hdr.size = sizeof(*e);
	ns_emit(e, sizeof(*e));
	return 0;
}

/* --- 5.17+: with the kernel's reason --- */
SEC("tp_btf/kfree_skb")
int BPF_PROG(drop_tp3, struct sk_buff *skb, void *location, enum skb_drop_reason reason)
{
	return handle_drop(skb, location, (int)reason);
}

SEC("raw_tp/kfree_skb")
int BPF_PROG(drop_raw3, struct sk_buff *skb, void *location, int reason)
{
	return handle_drop(skb, location, reason);
}

/* --- before 5.17: no reason --- */
SEC("tp_btf/kfree_skb")
int BPF_PROG(drop_tp2, struct sk_buff *skb, void *location)
{
	return handle_drop(skb, location, -1);
}

SEC("raw_tp/kfree_skb")
int BPF_PROG(drop_raw2, struct sk_buff *skb, void *location)
{
	return handle_drop(skb, location, -1);
}
