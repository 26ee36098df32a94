/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef NETSLEUTH_FEATURE_H
#define NETSLEUTH_FEATURE_H

#include <linux/types.h>
#include <stdbool.h>
#include <stdint.h>
#include "probe.h"
#include "rst.h"
#include "summary.h"

/* What every BPF object is configured with (rodata, map sizes). */
struct ns_bpf_cfg {
	uint32_t event_mask;		/* NS_EV_BIT(type) */
	bool filter_netns;		/* only netns in the netns_filter map */
	uint64_t ringbuf_bytes;		/* power of two, >= page size */
	uint64_t wakeup_bytes;		/* queued bytes that force a consumer wake-up */
};

extern const struct ns_feature ns_rst_feature;

/* Sum the per-CPU counters into `s` (cleared first). */
int ns_rst_read_counts(const struct ns_loaded *l, struct ns_rst_summary *s);
/* Sum the per-CPU `ns_stats` array (enum ns_stat slots). */
int ns_read_stats(const struct ns_loaded *l, uint64_t out[]);
/* Ring buffer, netns filter map of a loaded object. */
int ns_ringbuf_fd(const struct ns_loaded *l);
int ns_netns_filter_fd(const struct ns_loaded *l);

#endif
