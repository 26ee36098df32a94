/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef NETSLEUTH_FEATURE_H
#define NETSLEUTH_FEATURE_H

#include <linux/types.h>
#include <stdbool.h>
#include <stdint.h>
#include "probe.h"
#include "rst.h"
#include "summary.h"
#include "tcpgauge.h"

/* What every BPF object is configured with (rodata, map sizes). */
struct ns_bpf_cfg {
	uint32_t event_mask;		/* NS_EV_BIT(type) */
	bool filter_netns;		/* only netns in the netns_filter map */
	uint64_t ringbuf_bytes;		/* power of two, >= page size */
	uint64_t wakeup_bytes;		/* queued bytes that force a consumer wake-up */
	uint32_t fdb_entries;		/* (bridge, vlan, MAC) entries remembered; 0: the object's default */
	const char *hook_methods;	/* --hooks: "fentry,kprobe"; only hooks made of these; NULL: any */
};

/*
 * The skeleton glue every feature has (struct ns_feature's open/object/
 * destroy) for a bpftool skeleton named <feat>_bpf.
 */
#define NS_SKEL_OPS(feat)                                                      \
	static void *feat##_open(void)                                         \
	{                                                                      \
		return feat##_bpf__open();                                     \
	}                                                                      \
	static struct bpf_object *feat##_object(void *skel)                    \
	{                                                                      \
		return ((struct feat##_bpf *)skel)->obj;                       \
	}                                                                      \
	static void feat##_destroy(void *skel)                                 \
	{                                                                      \
		feat##_bpf__destroy(skel);                                     \
	}

/*
 * The rodata every object with events carries (ns_common.bpf.h), and its
 * ring buffer: a page for a trial load, the configured size otherwise.
 * Evaluates to 0 or a negative errno.
 */
#define NS_SKEL_EVENTS_CFG(skel, cfg, trial)                                                        \
	({                                                                                          \
		(skel)->rodata->event_mask = (cfg)->event_mask;                                     \
		(skel)->rodata->filter_netns = (cfg)->filter_netns;                                 \
		(skel)->rodata->wakeup_bytes = (cfg)->wakeup_bytes;                                 \
		bpf_map__set_max_entries((skel)->maps.events, (trial) ? (__u32)sysconf(_SC_PAGESIZE) \
								: (__u32)(cfg)->ringbuf_bytes);     \
	})

extern const struct ns_feature ns_rst_feature;

/* Sum the per-CPU counters into `s` (cleared first). */
int ns_rst_read_counts(const struct ns_loaded *l, struct ns_rst_summary *s);

extern const struct ns_feature ns_tcpstate_feature;
/* Drops and retransmissions (issue #6); their counters are read through path.h. */
extern const struct ns_feature ns_drop_feature;
extern const struct ns_feature ns_retrans_feature;
extern const struct ns_feature ns_ct_feature;

struct ns_ctr_table;

/* Netfilter links of the conntrack INVALID program, one per namespace and family. */
struct ns_ct_link {
	uint32_t netns;
	int fd4, fd6;
};
struct ns_ct_links {
	int prog_fd;
	struct ns_ct_link *v;
	size_t n, cap;
};
void ns_ct_links_init(struct ns_ct_links *l, const struct ns_loaded *ct);
void ns_ct_links_free(struct ns_ct_links *l);
/* Hook every live namespace of the table, unhook the gone; returns how many were added. */
int ns_ct_links_sync(struct ns_ct_links *l, struct ns_ctr_table *t);

struct ns_ct_count {
	uint32_t netns;
	uint8_t proto, family, reason;
	uint64_t n;
};
struct ns_ct_counts {
	struct ns_ct_count *v;
	size_t n, cap;
};
int ns_ct_read_counts(const struct ns_loaded *l, struct ns_ct_counts *out);
uint64_t ns_ct_invalid_total(const struct ns_ct_counts *c, uint32_t netns);
/* INVALID packets of netns by enum ns_ct_reason (out has NS_CT_R_OTHER + 1 slots). */
void ns_ct_invalid_by_reason(const struct ns_ct_counts *c, uint32_t netns, uint64_t *out);


/* What conntrack tracks for an original tuple: where DNAT sends it, and its TCP state. */
struct ns_ct_flow {
	bool found;
	uint8_t target[16];
	uint16_t target_port;
	char state[16];
};
int ns_ct_flow_lookup(struct ns_ctr_table *t, uint32_t netns, int family, const uint8_t *src, uint16_t sport,
		      const uint8_t *dst, uint16_t dport, struct ns_ct_flow *out);
/* A sysctl (e.g. /proc/sys/net/netfilter/nf_conntrack_tcp_be_liberal) as seen inside `netns`. */
int ns_netns_sysctl(struct ns_ctr_table *t, uint32_t netns, const char *path, char *out, size_t len);

/* netns -> cumulative TCP transitions, from the kernel's per-CPU counters. */
struct ns_tcp_trans_entry {
	uint32_t netns;
	struct ns_tcp_trans t;
};
struct ns_tcp_trans_set {
	struct ns_tcp_trans_entry *v;
	size_t n, cap;
};
int ns_tcpstate_read(const struct ns_loaded *l, struct ns_tcp_trans_set *out);
const struct ns_tcp_trans *ns_tcp_trans_find(const struct ns_tcp_trans_set *s, uint32_t netns);
void ns_tcp_trans_set_free(struct ns_tcp_trans_set *s);

#endif
