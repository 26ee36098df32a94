// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * conntrack INVALID packets. A netfilter program (Linux 6.4+, BPF_PROG_TYPE_
 * NETFILTER) at PRE_ROUTING priority -199, right after conntrack (-200): a
 * packet conntrack tracked carries skb->_nfct, one it found INVALID does not.
 * That is the whole fast path for the common, tracked packet: one load, one
 * branch.
 *
 * _nfct is also 0 in a namespace where conntrack is not hooked at all
 * (conntrack registers per netns and per family only once a NAT or ct rule
 * needs it). So for an untracked packet we check that conntrack's own hook
 * is in this namespace's PRE_ROUTING list, comparing hook functions with
 * ipv4_conntrack_in/ipv6_conntrack_in (function symbols: in /proc/kallsyms
 * on any kernel). Explicitly untracked packets (-j NOTRACK) carry
 * IP_CT_UNTRACKED and are not INVALID.
 *
 * Netfilter links are per network namespace: user space creates one per
 * namespace and family (user/ct.c).
 *
 * Why a TCP packet is INVALID, and by how much it missed the window, only
 * conntrack knows: a kprobe on nf_tcp_log_invalid() (called by tcp_in_window()
 * with its verdict, the sender's tracked window and the reason as a format
 * string, since 6.1's "ignore overly delayed tcp packets") leaves them in a
 * per-CPU slot that the netfilter program, running next for the same skb on
 * the same CPU, picks up. Where netfilter programs do not exist (before 6.4)
 * the kprobe reports INVALID TCP packets itself (reason_emits).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "ct.h"
#include "ns_common.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define NF_ACCEPT 1
#define NFPROTO_IPV4 2
#define NFPROTO_IPV6 10
#define NF_INET_PRE_ROUTING 0
#define IPPROTO_TCP 6
#define MAX_HOOKS 16

extern const void ipv4_conntrack_in __ksym __weak;
extern const void ipv6_conntrack_in __ksym __weak;

#define IP_CT_TCP_FLAG_BE_LIBERAL 0x08

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct ct_count_key);
	__type(value, __u64);
} ct_counts SEC(".maps");

struct ct_reason {
	__u64 skb;
	char reason[48];
	__u32 td_end, td_maxend, td_maxwin;
};

/* conntrack's verdict for the skb this CPU is processing, from the kprobe */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ct_reason);
} ct_reason_slot SEC(".maps");

/* set by user space when no netfilter program runs: the kprobe reports INVALID packets itself */
const volatile __u8 reason_emits = 0;

static __always_inline bool ct_hooked(const struct net *net, __u8 pf)
{
	const struct nf_hook_entries *e;
	__u64 want = pf == NFPROTO_IPV6 ? (__u64)&ipv6_conntrack_in : (__u64)&ipv4_conntrack_in;
	__u32 size = bpf_core_type_size(struct nf_hook_entry);
	__u32 off = bpf_core_field_offset(struct nf_hook_entries, hooks);
	__u16 n;
	int i;

	if (!want)
		return false;	/* conntrack not in this kernel: nothing is INVALID */
	if (pf == NFPROTO_IPV6)
		e = BPF_CORE_READ(net, nf.hooks_ipv6[NF_INET_PRE_ROUTING]);
	else
		e = BPF_CORE_READ(net, nf.hooks_ipv4[NF_INET_PRE_ROUTING]);
	if (!e)
		return false;
	n = BPF_CORE_READ(e, num_hook_entries);
	for (i = 0; i < MAX_HOOKS && i < n; i++) {
		__u64 fn = 0;

		bpf_probe_read_kernel(&fn, sizeof(fn), (const void *)e + off + i * size);
		if (fn == want)
			return true;
	}
	return false;
}

/* conntrack's reason strings, as tcp_in_window() words them (stable since 2.6) */
static __always_inline __u8 reason_code(const char *r)
{
	bool seq = r[0] == 'S' && r[1] == 'E' && r[2] == 'Q';
	bool ack = r[0] == 'A' && r[1] == 'C' && r[2] == 'K';

	if (!seq && !ack)
		return r[0] ? NS_CT_R_OTHER : NS_CT_R_UNKNOWN;
	/* "SEQ is over ..." / "SEQ is under ..." */
	if (r[7] == 'o' && r[8] == 'v')
		return seq ? NS_CT_R_SEQ_OVER : NS_CT_R_ACK_OVER;
	if (r[7] == 'u' && r[8] == 'n')
		return seq ? NS_CT_R_SEQ_UNDER : NS_CT_R_ACK_UNDER;
	return NS_CT_R_OTHER;
}

/*
 * Fill, count and emit an INVALID packet. transport_header is not set yet at
 * PRE_ROUTING, so the TCP header is found from the IP header.
 */
static __always_inline void report_invalid(const struct nf_hook_state *state, const struct sk_buff *skb, __u8 pf,
					   const struct ct_reason *why)
{
	struct ct_count_key key = {};
	struct ct_event e = {};
	unsigned char *head;
	__u16 nh, th;

	head = BPF_CORE_READ(skb, head);
	nh = BPF_CORE_READ(skb, network_header);
	th = BPF_CORE_READ(skb, transport_header);
	e.hdr.type = NS_EV_CT_INVALID;
	e.hdr.netns = BPF_CORE_READ(state, net, ns.inum);
	e.hook = BPF_CORE_READ(state, hook);
	e.ifindex = BPF_CORE_READ(skb, skb_iif);
	BPF_CORE_READ_STR_INTO(&e.ifname, skb, dev, name);
	if (pf == NFPROTO_IPV4) {
		struct iphdr ip;

		if (bpf_probe_read_kernel(&ip, sizeof(ip), head + nh))
			return;
		e.family = AF_INET;
		e.proto = ip.protocol;
		__builtin_memcpy(e.saddr, &ip.saddr, 4);
		__builtin_memcpy(e.daddr, &ip.daddr, 4);
		e.len = bpf_ntohs(ip.tot_len) - ip.ihl * 4;
		/* transport_header is not set yet at PRE_ROUTING */
		th = nh + ip.ihl * 4;
	} else {
		struct ipv6hdr ip6;

		if (bpf_probe_read_kernel(&ip6, sizeof(ip6), head + nh))
			return;
		e.family = AF_INET6;
		e.flags |= NS_CT_F_IPV6;
		e.proto = ip6.nexthdr;	/* extension headers: reported as such, not parsed */
		__builtin_memcpy(e.saddr, &ip6.saddr, 16);
		__builtin_memcpy(e.daddr, &ip6.daddr, 16);
		e.len = bpf_ntohs(ip6.payload_len);
		th = nh + sizeof(ip6);
	}
	if (e.proto == IPPROTO_TCP) {
		struct tcphdr tcp;

		if (!bpf_probe_read_kernel(&tcp, sizeof(tcp), head + th)) {
			e.flags |= NS_CT_F_TCP;
			e.sport = bpf_ntohs(tcp.source);
			e.dport = bpf_ntohs(tcp.dest);
			e.seq = bpf_ntohl(tcp.seq);
			e.ack = bpf_ntohl(tcp.ack_seq);
			e.window = bpf_ntohs(tcp.window);
			e.tcp_flags = ((__u8 *)&tcp)[13];
		}
	}
	if (why) {
		e.flags |= NS_CT_F_REASON;
		__builtin_memcpy(e.reason, why->reason, sizeof(e.reason));
		e.td_end = why->td_end;
		e.td_maxend = why->td_maxend;
		e.td_maxwin = why->td_maxwin;
		e.reason_code = reason_code(why->reason);
	}
	key.netns = e.hdr.netns;
	key.proto = e.proto;
	key.family = e.family == AF_INET6 ? 6 : 4;
	key.reason = e.reason_code;
	NS_COUNT(ct_counts, &key);
	if (!ns_event_wanted(NS_EV_CT_INVALID, e.hdr.netns)) {
		ns_stat_inc(NS_STAT_FILTERED);
		return;
	}
	e.hdr.ts_ns = bpf_ktime_get_ns();
	e.hdr.size = sizeof(e);
	ns_emit(&e, sizeof(e));
}

static __always_inline int handle_invalid(const struct bpf_nf_ctx *ctx)
{
	const struct nf_hook_state *state = ctx->state;
	const struct sk_buff *skb = ctx->skb;
	struct ct_reason *why;
	__u32 zero = 0;
	__u8 pf;

	pf = BPF_CORE_READ(state, pf);
	if (!ct_hooked(BPF_CORE_READ(state, net), pf))
		return NF_ACCEPT;
	why = bpf_map_lookup_elem(&ct_reason_slot, &zero);
	if (why && why->skb != (__u64)skb)
		why = NULL;
	report_invalid(state, skb, pf, why);
	if (why)
		why->skb = 0;
	return NF_ACCEPT;
}

/* libbpf 1.1 does not know SEC("netfilter"): user space sets the program type before load. */
SEC("netfilter")
int ct_invalid_nf(struct bpf_nf_ctx *ctx)
{
	/* the common case: conntrack attached an entry (or NOTRACK's untracked marker) */
	if (ctx->skb->_nfct)
		return NF_ACCEPT;
	return handle_invalid(ctx);
}

/*
 * nf_tcp_log_invalid() has two shapes, and which one a kernel has is not a
 * matter of its version number:
 *  - mainline since 6.1 (and this project's 6.18 test VM): (skb, ct, state,
 *    sender, ret, fmt, ...): verdict in `ret`, reason as a format string (6th
 *    argument, r9 on x86-64: libbpf 1.1 has no PT_REGS_PARM6), the sender's
 *    window in `sender`;
 *  - Debian's 6.1.192 and 6.12.117 (measured from their modules' BTF):
 *    (skb, ct, state, const struct nf_tcp_invalid_log *log) with log->type
 *    (SEQ_OVER=2, ACK_OVER=3 are INVALID; SEQ_UNDER=4, ACK_UNDER=5 are the
 *    overly delayed segments conntrack ignores) and log->value (the bound);
 *    be_liberal is checked by the caller. The window is read from the
 *    conntrack entry.
 * The struct's presence in the running kernel's BTF tells them apart.
 */
#if defined(__TARGET_ARCH_x86)
#define NS_PARM6(ctx) ((ctx)->r9)
#else
#define NS_PARM6(ctx) 0
#endif

/* CO-RE matches an enum field only with an enum: the enumerators are the kernel's own, unnamed here */
enum nf_tcp_invalid_log_type___ns { NS_LOG_TYPE_ANY___ns };

struct nf_tcp_invalid_log___ns {
	enum nf_tcp_invalid_log_type___ns type;
	__u32 value;
} __attribute__((preserve_access_index));

#define NS_LOG_SEQ_OVER 2
#define NS_LOG_ACK_OVER 3

static __always_inline int reason_fill_logged(struct ct_reason *why, const struct sk_buff *skb, const struct nf_conn *ct,
					      const struct nf_tcp_invalid_log___ns *log)
{
	static const char seq_over[] = "SEQ is over upper bound (over the window of the receiver)";
	static const char ack_over[] = "ACK is over upper bound (ACKed data not seen yet)";
	int type = (int)BPF_CORE_READ(log, type);
	__u64 nfct = BPF_CORE_READ(skb, _nfct);
	int dir = (nfct & 7) >= 3;	/* IP_CT_IS_REPLY */

	if (type != NS_LOG_SEQ_OVER && type != NS_LOG_ACK_OVER)
		return -1;
	if (type == NS_LOG_SEQ_OVER)
		__builtin_memcpy(why->reason, seq_over, sizeof(why->reason) < sizeof(seq_over) ? sizeof(why->reason) - 1 : sizeof(seq_over));
	else
		__builtin_memcpy(why->reason, ack_over, sizeof(why->reason) < sizeof(ack_over) ? sizeof(why->reason) - 1 : sizeof(ack_over));
	why->reason[sizeof(why->reason) - 1] = '\0';
	why->td_end = BPF_CORE_READ(ct, proto.tcp.seen[dir].td_end);
	why->td_maxwin = BPF_CORE_READ(ct, proto.tcp.seen[dir].td_maxwin);
	/* log->value is the bound the segment crossed: td_maxend + 1 for SEQ_OVER */
	why->td_maxend = BPF_CORE_READ(log, value) - 1;
	return 0;
}

static __always_inline int reason_fill_fmt(struct ct_reason *why, struct pt_regs *ctx, const struct nf_conn *ct,
					   const struct ip_ct_tcp_state *sender, int ret)
{
	const struct net *net = BPF_CORE_READ(ct, ct_net.net);
	const char *fmt;

	/*
	 * The enum's values moved: {INVALID, ACCEPT} when the function appeared,
	 * {IGNORE, INVALID, ACCEPT} since "ignore overly delayed tcp packets".
	 */
	if (ret != (int)bpf_core_enum_value(enum nf_ct_tcp_action, NFCT_TCP_INVALID))
		return -1;
	/* this shape returns early when be_liberal applies; the kprobe fires before */
	if ((BPF_CORE_READ(sender, flags) & IP_CT_TCP_FLAG_BE_LIBERAL) ||
	    BPF_CORE_READ(net, ct.nf_ct_proto.tcp.tcp_be_liberal))
		return -1;
	fmt = (const char *)NS_PARM6(ctx);
	if (!fmt || bpf_probe_read_kernel_str(why->reason, sizeof(why->reason), fmt) < 0)
		why->reason[0] = '\0';
	why->td_end = BPF_CORE_READ(sender, td_end);
	why->td_maxend = BPF_CORE_READ(sender, td_maxend);
	why->td_maxwin = BPF_CORE_READ(sender, td_maxwin);
	return 0;
}

SEC("kprobe/nf_tcp_log_invalid")
int BPF_KPROBE(ct_reason_kp, const struct sk_buff *skb, const struct nf_conn *ct, const struct nf_hook_state *state,
	       const void *arg4, int ret)
{
	struct ct_reason *why;
	__u32 zero = 0;
	int err;

	why = bpf_map_lookup_elem(&ct_reason_slot, &zero);
	if (!why)
		return 0;
	if (bpf_core_type_exists(struct nf_tcp_invalid_log___ns))
		err = reason_fill_logged(why, skb, ct, arg4);
	else
		err = reason_fill_fmt(why, ctx, ct, arg4, ret);
	if (err)
		return 0;
	why->skb = (__u64)skb;
	/* the host's own RST is INVALID on its way out too (LOCAL_OUT): count inbound only */
	if (reason_emits && BPF_CORE_READ(state, hook) == NF_INET_PRE_ROUTING) {
		__u8 pf = BPF_CORE_READ(state, pf);

		report_invalid(state, skb, pf, why);
		why->skb = 0;
	}
	return 0;
}
