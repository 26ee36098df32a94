// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "tcpstate.skel.h"
#include "tcpstate.h"
#include "feature.h"
#include "maps.h"
#include "vec.h"

static const struct ns_hook tcpstate_hooks[] = {
	{ "tp_btf", "inet_sock_set_state tracepoint", { "tcpstate_tp" }, {}, NULL , NULL },
	{ "raw_tp", "inet_sock_set_state tracepoint", { "tcpstate_raw" }, {}, NULL , NULL },
	{ "fentry", "tcp_set_state", { "tcpstate_fe" }, {},
	  "misses LISTEN and listener-clone transitions (inet_sk_state_store); corrected at each resync" , NULL },
	{ "kprobe", "tcp_set_state", { "tcpstate_kp" }, {},
	  "misses LISTEN and listener-clone transitions (inet_sk_state_store); corrected at each resync" , NULL },
};

static const struct ns_source tcpstate_sources[] = {
	{ "tcp-state", "TCP state changes, for live per-namespace connection counts",
	  tcpstate_hooks, sizeof(tcpstate_hooks) / sizeof(tcpstate_hooks[0]) },
};

NS_SKEL_OPS(tcpstate)

static int tcpstate_configure(void *skel, const void *cfgp, bool trial)
{
	struct tcpstate_bpf *s = skel;
	int err;

	(void)cfgp;
	/* counters only: the ring buffer every object carries stays minimal */
	err = bpf_map__set_max_entries(s->maps.events, (__u32)sysconf(_SC_PAGESIZE));
	if (!err && trial)
		err = bpf_map__set_max_entries(s->maps.tcpstate_counts, 1);
	if (!err)
		err = bpf_map__set_max_entries(s->maps.netns_filter, 1);
	return err;
}

static const struct ns_netns_map tcpstate_netns_maps[] = {
	{ "tcpstate_counts", offsetof(struct tcpstate_key, netns) },
	{ NULL, 0 },
};

const struct ns_feature ns_tcpstate_feature = {
	.name = "tcpstate",
	.sources = tcpstate_sources,
	.nr_sources = sizeof(tcpstate_sources) / sizeof(tcpstate_sources[0]),
	.open = tcpstate_open,
	.object = tcpstate_object,
	.destroy = tcpstate_destroy,
	.configure = tcpstate_configure,
	.netns_maps = tcpstate_netns_maps,
};

static struct ns_tcp_trans *set_get(struct ns_tcp_trans_set *s, uint32_t netns)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->v[i].netns == netns)
			return &s->v[i].t;
	if (NS_VEC_RESERVE(s->v, s->cap, s->n, 32, 0))
		return NULL;
	memset(&s->v[s->n], 0, sizeof(s->v[0]));
	s->v[s->n].netns = netns;
	return &s->v[s->n++].t;
}

const struct ns_tcp_trans *ns_tcp_trans_find(const struct ns_tcp_trans_set *s, uint32_t netns)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->v[i].netns == netns)
			return &s->v[i].t;
	return NULL;
}

void ns_tcp_trans_set_free(struct ns_tcp_trans_set *s)
{
	if (!s)
		return;
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static int add_trans(void *ctx, const void *keyp, uint64_t sum)
{
	const struct tcpstate_key *k = keyp;
	struct ns_tcp_trans *t;

	if (k->oldstate >= NS_TCP_NSTATES || k->newstate >= NS_TCP_NSTATES)
		return 0;
	t = set_get(ctx, k->netns);
	if (!t)
		return -ENOMEM;
	t->n[k->oldstate][k->newstate] += sum;
	return 0;
}

int ns_tcpstate_read(const struct ns_loaded *l, struct ns_tcp_trans_set *out)
{
	out->n = 0;
	return ns_map_sum_percpu(ns_find_map(l, "tcpstate_counts"), add_trans, out);
}
