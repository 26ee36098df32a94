/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Pieces every netsleuth BPF object carries: its ring buffer, the per-CPU
 * stats array, the netns filter, and the config knobs user space sets in
 * .rodata between open and load.
 */
#ifndef NETSLEUTH_NS_COMMON_BPF_H
#define NETSLEUTH_NS_COMMON_BPF_H

#include "common.h"

#define AF_INET		2
#define AF_INET6	10

/* Sized by user space (--ringbuf-kb) before load. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NS_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} ns_stats SEC(".maps");

/* netns inodes whose events are wanted, when filter_netns is set. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u8);
} netns_filter SEC(".maps");

const volatile __u32 event_mask = ~0U;	/* NS_EV_BIT(type) */
const volatile __u8 filter_netns = 0;
/*
 * Wake the consumer only once this much is queued; below it the consumer's
 * timed poll picks records up. Waking per record cost 38% of an RST storm's
 * rate and ~8 us of consumer CPU per event on the 6.18 test VM.
 */
const volatile __u64 wakeup_bytes = 64 << 10;

static __always_inline void ns_stat_inc(__u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(&ns_stats, &slot);

	if (v)
		*v += 1;	/* per-CPU slot: no atomics needed */
}

static __always_inline bool ns_event_wanted(__u16 type, __u32 netns)
{
	if (!(event_mask & NS_EV_BIT(type)))
		return false;
	if (filter_netns && !bpf_map_lookup_elem(&netns_filter, &netns))
		return false;
	return true;
}

/* Copy a fully built record into the ring buffer with batched wake-ups. */
static __always_inline void ns_emit(void *ev, __u32 size)
{
	__u64 flags = BPF_RB_NO_WAKEUP;

	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) + size >= wakeup_bytes)
		flags = BPF_RB_FORCE_WAKEUP;
	if (bpf_ringbuf_output(&events, ev, size, flags)) {
		ns_stat_inc(NS_STAT_RB_LOST);
		return;
	}
	ns_stat_inc(NS_STAT_EVENTS);
}

/* Exact per-CPU counting into a hash keyed by K; survives ring buffer loss. */
#define NS_COUNT(map, key)							\
	({									\
		__u64 *__v = bpf_map_lookup_elem(&(map), (key));		\
		if (__v) {							\
			*__v += 1;						\
		} else {							\
			__u64 __one = 1;					\
			/* EEXIST: another CPU created it first. */		\
			if (bpf_map_update_elem(&(map), (key), &__one, BPF_NOEXIST)) { \
				__v = bpf_map_lookup_elem(&(map), (key));	\
				if (__v)					\
					*__v += 1;				\
				else						\
					ns_stat_inc(NS_STAT_COUNT_FULL);	\
			}							\
		}							\
	})

/*
 * Whether we run in process context, so that pid/comm name the task that
 * caused the event rather than whoever a softirq interrupted (a RST answering
 * a veth packet runs in the *sending* task's softirq). Read from the preempt
 * count; where it lives differs per kernel, so this is the one place that
 * knows:
 *  - x86 before 6.2 and from 6.15 on: per-CPU int __preempt_count;
 *  - x86 6.2 .. 6.14: pcpu_hot.preempt_count ("x86/percpu: Move preempt_count
 *    into pcpu_hot", removed again by "x86: Remove pcpu_hot").
 * The symbols are typeless weak ksyms, resolved by libbpf from /proc/kallsyms:
 * per-CPU data symbols are only there with CONFIG_KALLSYMS_ALL (distribution
 * kernels; not the minimal Firecracker 6.18 test VM). A typed ksym would make
 * the whole object fail to load there ("ldimm64 failed to find the address");
 * typeless ones resolve to 0 and we report no pid rather than a wrong one.
 */
#define NS_NMI_MASK		0x00f00000
#define NS_HARDIRQ_MASK		0x000f0000
#define NS_SOFTIRQ_OFFSET	0x00000100

extern const void __per_cpu_offset __ksym __weak;
#if defined(__TARGET_ARCH_x86)
extern const void __preempt_count __ksym __weak;
extern const void pcpu_hot __ksym __weak;
struct pcpu_hot___ns {
	int preempt_count;
} __attribute__((preserve_access_index));
#endif

enum ns_ctx { NS_CTX_UNKNOWN, NS_CTX_TASK, NS_CTX_IRQ };

static __always_inline enum ns_ctx ns_context(void)
{
#if defined(__TARGET_ARCH_x86)
	__u64 base, off, addr;
	__u32 cpu;
	int pc;

	if (!&__per_cpu_offset)
		return NS_CTX_UNKNOWN;
	if (&__preempt_count)
		base = (__u64)&__preempt_count;
	else if (&pcpu_hot)	/* dead code where the symbol is missing: CO-RE poison never reached */
		base = (__u64)&pcpu_hot + bpf_core_field_offset(struct pcpu_hot___ns, preempt_count);
	else
		return NS_CTX_UNKNOWN;
	cpu = bpf_get_smp_processor_id();
	if (cpu >= 8192)
		return NS_CTX_UNKNOWN;
	/* per_cpu_ptr(): link-time address + __per_cpu_offset[cpu] */
	if (bpf_probe_read_kernel(&off, sizeof(off), (const void *)((__u64)&__per_cpu_offset + cpu * 8)))
		return NS_CTX_UNKNOWN;
	addr = base + off;
	if (bpf_probe_read_kernel(&pc, sizeof(pc), (const void *)addr))
		return NS_CTX_UNKNOWN;
	return pc & (NS_NMI_MASK | NS_HARDIRQ_MASK | NS_SOFTIRQ_OFFSET) ? NS_CTX_IRQ : NS_CTX_TASK;
#else
	return NS_CTX_UNKNOWN;
#endif
}

#endif /* NETSLEUTH_NS_COMMON_BPF_H */
