// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "rst.skel.h"
#include "feature.h"
#include "maps.h"

/*
 * Best first. Why this order: bpf/rst.bpf.c. A kernel with both function
 * hooks and the 6.10 tracepoint uses the tracepoint: it carries the kernel's
 * own reason and sees active resets too.
 */
static const struct ns_hook rst_sent_hooks[] = {
	{ "tp_btf", "tcp_send_reset tracepoint with reason", { "rst_send_tp3" }, {}, NULL,
	  " (no reason argument: a kernel before 6.10, whose tracepoint also misses socketless RSTs)" },
	{ "raw_tp", "tcp_send_reset tracepoint with reason", { "rst_send_raw3" }, {}, NULL,
	  " (no reason argument: a kernel before 6.10, whose tracepoint also misses socketless RSTs)" },
	{ "fentry", "tcp_v4_send_reset/tcp_v6_send_reset + tcp_send_reset tracepoint for active resets",
	  { "rst_send_fe4", "rst_act_tp2" }, { "rst_send_fe6" }, NULL , NULL },
	{ "kprobe", "tcp_v4_send_reset/tcp_v6_send_reset + tcp_send_reset tracepoint for active resets",
	  { "rst_send_kp4", "rst_act_tp2" }, { "rst_send_kp6" }, NULL , NULL },
	{ "kprobe+raw_tp", "tcp_v4_send_reset/tcp_v6_send_reset + raw tcp_send_reset for active resets",
	  { "rst_send_kp4", "rst_act_raw2" }, { "rst_send_kp6" }, NULL , NULL },
	{ "tp_btf", "tcp_send_reset tracepoint (no reason)", { "rst_send_tp2" }, {},
	  "reasons derived, not the kernel's; before Linux 6.10 misses RSTs sent without a socket" , NULL },
	{ "raw_tp", "tcp_send_reset tracepoint (no reason)", { "rst_send_raw2" }, {},
	  "reasons derived, not the kernel's; before Linux 6.10 misses RSTs sent without a socket" , NULL },
};

static const struct ns_hook rst_recv_hooks[] = {
	{ "tp_btf", "tcp_receive_reset tracepoint", { "rst_recv_tp" }, {}, NULL , NULL },
	{ "raw_tp", "tcp_receive_reset tracepoint", { "rst_recv_raw" }, {}, NULL , NULL },
	{ "fentry", "tcp_reset", { "rst_recv_fe" }, {}, NULL , NULL },
	{ "kprobe", "tcp_reset", { "rst_recv_kp" }, {}, NULL , NULL },
};

static const struct ns_source rst_sources[] = {
	{ "rst-sent", "TCP resets this host or its containers send",
	  rst_sent_hooks, sizeof(rst_sent_hooks) / sizeof(rst_sent_hooks[0]) },
	{ "rst-recv", "TCP resets received by local sockets",
	  rst_recv_hooks, sizeof(rst_recv_hooks) / sizeof(rst_recv_hooks[0]) },
};

NS_SKEL_OPS(rst)

static int rst_configure(void *skel, const void *cfgp, bool trial)
{
	const struct ns_bpf_cfg *cfg = cfgp;
	struct rst_bpf *s = skel;
	int err;

	err = NS_SKEL_EVENTS_CFG(s, cfg, trial);
	if (!err && trial)
		err = bpf_map__set_max_entries(s->maps.rst_counts, 1);
	if (!err && trial)
		err = bpf_map__set_max_entries(s->maps.netns_filter, 1);
	return err;
}

static const struct ns_netns_map rst_netns_maps[] = {
	{ "rst_counts", offsetof(struct rst_count_key, netns) },
	{ NULL, 0 },
};

const struct ns_feature ns_rst_feature = {
	.name = "rst",
	.sources = rst_sources,
	.nr_sources = sizeof(rst_sources) / sizeof(rst_sources[0]),
	.open = rst_open,
	.object = rst_object,
	.destroy = rst_destroy,
	.configure = rst_configure,
	.has_events = true,
	.netns_maps = rst_netns_maps,
};

static int add_count(void *ctx, const void *key, uint64_t sum)
{
	int err = ns_rst_summary_add(ctx, key, sum);

	return err == -E2BIG ? 0 : err;
}

int ns_rst_read_counts(const struct ns_loaded *l, struct ns_rst_summary *s)
{
	uint64_t stats[NS_STAT_MAX];
	int err;

	ns_rst_summary_clear(s);
	err = ns_map_sum_percpu(ns_find_map(l, "rst_counts"), add_count, s);
	if (!err && !ns_read_stats(l, stats)) {
		s->lost = stats[NS_STAT_RB_LOST];
		s->count_full = stats[NS_STAT_COUNT_FULL];
	}
	ns_rst_summary_sort(s);
	return err;
}
