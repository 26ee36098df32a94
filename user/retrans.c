// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* TCP retransmissions and flow ends (bpf/retrans.bpf.c says which hook sees what). */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "retrans.skel.h"
#include "feature.h"
#include "maps.h"
#include "path.h"
#include "vec.h"

/* Best first: the tracepoint that says err counts only what went out, as TcpRetransSegs does. */
static const struct ns_hook retrans_hooks[] = {
	{ "tp_btf", "tcp_retransmit_skb tracepoint with err", { "retrans_tp3" }, {}, NULL,
	  " (no err argument: an older kernel, whose tracepoint fires on success only: the next hook)" },
	{ "raw_tp", "tcp_retransmit_skb tracepoint with err", { "retrans_raw3" }, {}, NULL,
	  " (no err argument: an older kernel, whose tracepoint fires on success only: the next hook)" },
	{ "tp_btf", "tcp_retransmit_skb tracepoint", { "retrans_tp2" }, {}, NULL, NULL },
	{ "raw_tp", "tcp_retransmit_skb tracepoint", { "retrans_raw2" }, {}, NULL, NULL },
	{ "fexit", "tcp_retransmit_skb", { "retrans_fx" }, {},
	  "misses tail loss probes (tcp_send_loss_probe calls __tcp_retransmit_skb itself)",
	  " (fexit needs BPF trampolines and ftrace on the target)" },
	{ "kprobe", "tcp_retransmit_skb", { "retrans_kp" }, {},
	  "runs before the retransmission: attempts that fail locally count too; misses tail loss probes",
	  " (kernel built without kprobes?)" },
};

static const struct ns_hook synack_hooks[] = {
	{ "tp_btf", "tcp_retransmit_synack tracepoint", { "synack_tp" }, {}, NULL, NULL },
	{ "raw_tp", "tcp_retransmit_synack tracepoint", { "synack_raw" }, {}, NULL, NULL },
};

static const struct ns_hook flowend_hooks[] = {
	{ "tp_btf", "inet_sock_set_state tracepoint", { "flowend_tp" }, {}, NULL, NULL },
	{ "raw_tp", "inet_sock_set_state tracepoint", { "flowend_raw" }, {}, NULL, NULL },
	{ "fentry", "tcp_set_state", { "flowend_fe" }, {}, NULL, NULL },
	{ "kprobe", "tcp_set_state", { "flowend_kp" }, {}, NULL, NULL },
};

static const struct ns_source retrans_sources[] = {
	{ "retrans", "TCP retransmissions (SYN and data; RTO or fast retransmit) per flow", retrans_hooks,
	  sizeof(retrans_hooks) / sizeof(retrans_hooks[0]) },
	{ "retrans-synack", "SYN-ACKs a listener sent again", synack_hooks,
	  sizeof(synack_hooks) / sizeof(synack_hooks[0]) },
	{ "flow-end", "how a flow that retransmitted ended (closed, reset, timed out)", flowend_hooks,
	  sizeof(flowend_hooks) / sizeof(flowend_hooks[0]) },
};

NS_SKEL_OPS(retrans)

static int retrans_configure(void *skel, const void *cfgp, bool trial)
{
	const struct ns_bpf_cfg *cfg = cfgp;
	struct retrans_bpf *s = skel;
	int err;

	s->rodata->retrans_events_per_flow_sec = NS_RETRANS_EVENTS_PER_SEC_DEFAULT;
	err = NS_SKEL_EVENTS_CFG(s, cfg, trial);
	if (!err && trial)
		err = bpf_map__set_max_entries(s->maps.retrans_counts, 1) ?:
		      bpf_map__set_max_entries(s->maps.retrans_dests, 1) ?:
		      bpf_map__set_max_entries(s->maps.retrans_flows, 1) ?:
		      bpf_map__set_max_entries(s->maps.netns_filter, 1);
	return err;
}

static const struct ns_netns_map retrans_netns_maps[] = {
	{ "retrans_counts", offsetof(struct retrans_count_key, netns) },
	{ "retrans_dests", offsetof(struct retrans_dest_key, netns) },
	{ NULL, 0 },
};

const struct ns_feature ns_retrans_feature = {
	.name = "retrans",
	.sources = retrans_sources,
	.nr_sources = sizeof(retrans_sources) / sizeof(retrans_sources[0]),
	.open = retrans_open,
	.object = retrans_object,
	.destroy = retrans_destroy,
	.configure = retrans_configure,
	.has_events = true,
	.netns_maps = retrans_netns_maps,
};

static int add_count(void *ctx, const void *keyp, uint64_t sum)
{
	const struct retrans_count_key *k = keyp;
	struct ns_retrans_counts *c = ctx;

	if (NS_VEC_RESERVE(c->v, c->cap, c->n, 64, 0))
		return -ENOMEM;
	c->v[c->n].netns = k->netns;
	c->v[c->n].kind = k->kind;
	c->v[c->n].cause = k->cause;
	c->v[c->n].unit = k->unit;
	c->v[c->n].n = sum;
	c->n++;
	return 0;
}

int ns_retrans_read_counts(const struct ns_loaded *l, struct ns_retrans_counts *out)
{
	out->n = 0;
	return ns_map_sum_percpu(ns_find_map(l, "retrans_counts"), add_count, out);
}

void ns_retrans_counts_free(struct ns_retrans_counts *c)
{
	if (!c)
		return;
	free(c->v);
	memset(c, 0, sizeof(*c));
}

uint64_t ns_retrans_sum(const struct ns_retrans_counts *c, uint32_t netns, int kind, int cause, int unit)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; c && i < c->n; i++) {
		const struct ns_retrans_count *r = &c->v[i];

		if ((!netns || r->netns == netns) && (kind < 0 || r->kind == kind) && (cause < 0 || r->cause == cause) &&
		    (unit < 0 || r->unit == unit))
			n += r->n;
	}
	return n;
}

static int add_dest(void *ctx, const void *keyp, uint64_t sum)
{
	const struct retrans_dest_key *k = keyp;
	struct ns_retrans_dests *d = ctx;

	if (NS_VEC_RESERVE(d->v, d->cap, d->n, 64, 0))
		return -ENOMEM;
	d->v[d->n].netns = k->netns;
	d->v[d->n].family = k->family;
	d->v[d->n].dport = k->dport;
	memcpy(d->v[d->n].daddr, k->daddr, 16);
	d->v[d->n].kind = k->kind;
	d->v[d->n].n = sum;
	d->n++;
	return 0;
}

int ns_retrans_read_dests(const struct ns_loaded *l, struct ns_retrans_dests *out)
{
	out->n = 0;
	return ns_map_sum_percpu(ns_find_map(l, "retrans_dests"), add_dest, out);
}

void ns_retrans_dests_free(struct ns_retrans_dests *d)
{
	if (!d)
		return;
	free(d->v);
	memset(d, 0, sizeof(*d));
}

int ns_retrans_flows_walk(const struct ns_loaded *l, int (*cb)(void *ctx, const struct retrans_flow *f), void *ctx)
{
	struct bpf_map *m = ns_find_map(l, "retrans_flows");
	struct retrans_flow v;
	__u64 k, next;
	bool first = true;
	int fd, err;

	if (!m)
		return -ENOENT;
	fd = bpf_map__fd(m);
	while (!bpf_map_get_next_key(fd, first ? NULL : &k, &next)) {
		first = false;
		k = next;
		if (bpf_map_lookup_elem(fd, &k, &v))
			continue;	/* closed under us */
		err = cb(ctx, &v);
		if (err)
			return err < 0 ? err : 0;
	}
	return 0;
}

