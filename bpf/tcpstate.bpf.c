// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * TCP state transitions, counted per (netns, old, new) in the kernel. User
 * space turns them into live per-namespace state gauges on top of a
 * sock_diag snapshot (user/tcpgauge.c says which states it cannot follow).
 *
 * Best hook: inet_sock_set_state (4.16+), which also sees inet_sk_state_store()
 * (LISTEN, the SYN_RECV clone of a listener). tcp_set_state() function hooks
 * are the fallback and miss those two.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "tcpstate.h"
#include "ns_common.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define IPPROTO_TCP 6

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct tcpstate_key);
	__type(value, __u64);
} tcpstate_counts SEC(".maps");

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

static __always_inline int handle_state(const struct sock *sk, int oldstate, int newstate)
{
	struct tcpstate_key key = {};

	if (!sk || oldstate == newstate || sk_proto(sk) != IPPROTO_TCP)
		return 0;
	key.netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	key.oldstate = oldstate;
	key.newstate = newstate;
	NS_COUNT(tcpstate_counts, &key);
	return 0;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(tcpstate_tp, const struct sock *sk, int oldstate, int newstate)
{
	return handle_state(sk, oldstate, newstate);
}

SEC("raw_tp/inet_sock_set_state")
int BPF_PROG(tcpstate_raw, const struct sock *sk, int oldstate, int newstate)
{
	return handle_state(sk, oldstate, newstate);
}

SEC("fentry/tcp_set_state")
int BPF_PROG(tcpstate_fe, struct sock *sk, int state)
{
	return handle_state(sk, BPF_CORE_READ(sk, __sk_common.skc_state), state);
}

SEC("kprobe/tcp_set_state")
int BPF_KPROBE(tcpstate_kp, struct sock *sk, int state)
{
	return handle_state(sk, BPF_CORE_READ(sk, __sk_common.skc_state), state);
}
