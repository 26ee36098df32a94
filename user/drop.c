// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Packet drops with the kernel's reason (bpf/drop.bpf.c says which hook sees what). */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "drop.skel.h"
#include "feature.h"
#include "maps.h"
#include "path.h"
#include "vec.h"

#define NO_REASON_HINT " (no reason argument: a kernel before 5.17)"

static const struct ns_hook drop_hooks[] = {
	{ "tp_btf", "kfree_skb tracepoint with reason", { "drop_tp3" }, {}, NULL, NO_REASON_HINT },
	{ "raw_tp", "kfree_skb tracepoint with reason", { "drop_raw3" }, {}, NULL, NO_REASON_HINT },
	{ "tp_btf", "kfree_skb tracepoint (no reason)", { "drop_tp2" }, {},
	  "drop reasons unknown: the kernel says why only since Linux 5.17", NULL },
	{ "raw_tp", "kfree_skb tracepoint (no reason)", { "drop_raw2" }, {},
	  "drop reasons unknown: the kernel says why only since Linux 5.17", NULL },
};

static const struct ns_source drop_sources[] = {
	{ "drop", "packets the kernel dropped, with its reason (netfilter, no socket, checksum, ...)", drop_hooks,
	  sizeof(drop_hooks) / sizeof(drop_hooks[0]) },
};

NS_SKEL_OPS(drop)

static int drop_configure(void *skel, const void *cfgp, bool trial)
{
	const struct ns_bpf_cfg *cfg = cfgp;
	struct drop_bpf *s = skel;
	int err;

	s->rodata->drop_events_per_sec = NS_DROP_EVENTS_PER_SEC_DEFAULT;
	err = NS_SKEL_EVENTS_CFG(s, cfg, trial);
	if (!err && trial)
		err = bpf_map__set_max_entries(s->maps.drop_counts, 1) ?: bpf_map__set_max_entries(s->maps.drop_rate, 1) ?:
		      bpf_map__set_max_entries(s->maps.netns_filter, 1);
	return err;
}

static const struct ns_netns_map drop_netns_maps[] = {
	{ "drop_counts", offsetof(struct drop_count_key, netns) },
	{ NULL, 0 },
};

const struct ns_feature ns_drop_feature = {
	.name = "drop",
	.sources = drop_sources,
	.nr_sources = sizeof(drop_sources) / sizeof(drop_sources[0]),
	.open = drop_open,
	.object = drop_object,
	.destroy = drop_destroy,
	.configure = drop_configure,
	.has_events = true,
	.netns_maps = drop_netns_maps,
};

static int add_drop(void *ctx, const void *keyp, uint64_t sum)
{
	const struct drop_count_key *k = keyp;
	struct ns_drop_counts *c = ctx;

	if (NS_VEC_RESERVE(c->v, c->cap, c->n, 64, 0))
		return -ENOMEM;
	c->v[c->n].netns = k->netns;
	c->v[c->n].reason = k->reason;
	c->v[c->n].ifindex = k->ifindex;
	c->v[c->n].n = sum;
	c->n++;
	return 0;
}

int ns_drop_read_counts(const struct ns_loaded *l, struct ns_drop_counts *out)
{
	out->n = 0;
	return ns_map_sum_percpu(ns_find_map(l, "drop_counts"), add_drop, out);
}

void ns_drop_counts_free(struct ns_drop_counts *c)
{
	if (!c)
		return;
	free(c->v);
	memset(c, 0, sizeof(*c));
}
