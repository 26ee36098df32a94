// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Bridge FDB and neighbour changes (bpf/fdb.bpf.c says which hook sees what). */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "fdb.skel.h"
#include "fdb.h"
#include "feature.h"
#include "l2.h"
#include "maps.h"
#include "vec.h"

#define BRIDGE_HINT " (bridge tracepoints live in the bridge module: is it loaded? `modprobe bridge`, or create a bridge, then restart)"

static const struct ns_hook fdb_learn_hooks[] = {
	{ "tp_btf", "br_fdb_update tracepoint", { "fdb_learn_tp" }, {}, NULL, BRIDGE_HINT },
	{ "raw_tp", "br_fdb_update tracepoint", { "fdb_learn_raw" }, {}, NULL, BRIDGE_HINT },
	{ "fentry", "br_fdb_update", { "fdb_learn_fe" }, {},
	  "runs before the kernel decides: a MAC it refuses to move (sticky, own address) counts as moved", NULL },
	{ "kprobe", "br_fdb_update", { "fdb_learn_kp" }, {},
	  "runs before the kernel decides: a MAC it refuses to move (sticky, own address) counts as moved", NULL },
};

static const struct ns_hook fdb_admin_hooks[] = {
	{ "tp_btf", "fdb_delete + br_fdb_add + br_fdb_external_learn_add tracepoints", { "fdb_del_tp" },
	  { "fdb_add_tp", "fdb_ext_tp" }, NULL, BRIDGE_HINT },
	{ "raw_tp", "fdb_delete + br_fdb_add + br_fdb_external_learn_add tracepoints", { "fdb_del_raw" },
	  { "fdb_add_raw", "fdb_ext_raw" }, NULL, BRIDGE_HINT },
};

static const struct ns_hook neigh_hooks[] = {
	{ "tp_btf", "neigh_update + neigh_update_done tracepoints", { "neigh_upd_tp", "neigh_done_tp" }, {}, NULL,
	  " (neighbour tracepoints appeared in Linux 5.3)" },
	{ "raw_tp", "neigh_update + neigh_update_done tracepoints", { "neigh_upd_raw", "neigh_done_raw" }, {}, NULL,
	  " (neighbour tracepoints appeared in Linux 5.3)" },
};

static const struct ns_source fdb_sources[] = {
	{ "fdb-learn", "bridge FDB learning: MACs appearing on and moving between bridge ports", fdb_learn_hooks,
	  sizeof(fdb_learn_hooks) / sizeof(fdb_learn_hooks[0]) },
	{ "fdb-admin", "bridge FDB deletions (ageing, flushes) and netlink adds", fdb_admin_hooks,
	  sizeof(fdb_admin_hooks) / sizeof(fdb_admin_hooks[0]) },
	{ "neigh", "neighbour (ARP/NDP) entry changes and duplicate answers", neigh_hooks,
	  sizeof(neigh_hooks) / sizeof(neigh_hooks[0]) },
};

NS_SKEL_OPS(fdb)

static int fdb_configure(void *skel, const void *cfgp, bool trial)
{
	const struct ns_bpf_cfg *cfg = cfgp;
	struct fdb_bpf *s = skel;
	int err;

	err = NS_SKEL_EVENTS_CFG(s, cfg, trial);
	if (!err && trial) {
		err = bpf_map__set_max_entries(s->maps.fdb_last, 1) ?: bpf_map__set_max_entries(s->maps.fdb_counts, 1) ?:
		      bpf_map__set_max_entries(s->maps.neigh_counts, 1) ?:
		      bpf_map__set_max_entries(s->maps.neigh_answer, 1) ?:
		      bpf_map__set_max_entries(s->maps.netns_filter, 1);
	} else if (!err && cfg->fdb_entries) {
		err = bpf_map__set_max_entries(s->maps.fdb_last, cfg->fdb_entries);
	}
	return err;
}

static const struct ns_netns_map fdb_netns_maps[] = {
	{ "fdb_counts", offsetof(struct fdb_count_key, netns) },
	{ "neigh_counts", offsetof(struct neigh_count_key, netns) },
	{ "fdb_last", offsetof(struct fdb_mac_key, netns) },
	{ NULL, 0 },
};

const struct ns_feature ns_fdb_feature = {
	.name = "fdb",
	.sources = fdb_sources,
	.nr_sources = sizeof(fdb_sources) / sizeof(fdb_sources[0]),
	.open = fdb_open,
	.object = fdb_object,
	.destroy = fdb_destroy,
	.configure = fdb_configure,
	.has_events = true,
	.netns_maps = fdb_netns_maps,
};

static int add_fdb(void *ctx, const void *keyp, uint64_t sum)
{
	const struct fdb_count_key *k = keyp;
	struct ns_fdb_counts *c = ctx;

	if (k->action >= NS_FDB_ACTION_MAX)
		return 0;
	if (NS_VEC_RESERVE(c->v, c->cap, c->n, 64, 0))
		return -ENOMEM;
	c->v[c->n].netns = k->netns;
	c->v[c->n].br_ifindex = k->br_ifindex;
	c->v[c->n].port_ifindex = k->port_ifindex;
	c->v[c->n].action = k->action;
	c->v[c->n].n = sum;
	c->n++;
	return 0;
}

int ns_fdb_read_counts(const struct ns_loaded *l, struct ns_fdb_counts *out)
{
	out->n = 0;
	return ns_map_sum_percpu(ns_find_map(l, "fdb_counts"), add_fdb, out);
}

static int add_neigh(void *ctx, const void *keyp, uint64_t sum)
{
	const struct neigh_count_key *k = keyp;
	struct ns_neigh_counts *c = ctx;

	if (NS_VEC_RESERVE(c->v, c->cap, c->n, 64, 0))
		return -ENOMEM;
	c->v[c->n].netns = k->netns;
	c->v[c->n].ifindex = k->ifindex;
	c->v[c->n].family = k->family;
	c->v[c->n].old_state = k->old_state;
	c->v[c->n].new_state = k->new_state;
	c->v[c->n].flags = k->flags;
	c->v[c->n].n = sum;
	c->n++;
	return 0;
}

int ns_neigh_read_counts(const struct ns_loaded *l, struct ns_neigh_counts *out)
{
	out->n = 0;
	return ns_map_sum_percpu(ns_find_map(l, "neigh_counts"), add_neigh, out);
}

int ns_fdb_mac_lookup(const struct ns_loaded *l, uint32_t netns, uint32_t br_ifindex, uint16_t vlan,
		      const uint8_t mac[6], struct fdb_mac_val *out)
{
	struct bpf_map *m = ns_find_map(l, "fdb_last");
	struct fdb_mac_key k;

	if (!m)
		return -ENOENT;
	memset(&k, 0, sizeof(k));
	k.netns = netns;
	k.br_ifindex = br_ifindex;
	k.vlan = vlan;
	memcpy(k.mac, mac, 6);
	return bpf_map_lookup_elem(bpf_map__fd(m), &k, out) ? -errno : 0;
}

int ns_fdb_moves_walk(const struct ns_loaded *l, int (*cb)(void *ctx, const struct fdb_mac_key *k,
							   const struct fdb_mac_val *v),
		      void *ctx)
{
	struct bpf_map *m = ns_find_map(l, "fdb_last");
	struct fdb_mac_key k, next;
	struct fdb_mac_val v;
	bool first = true;
	int fd, err;

	if (!m)
		return -ENOENT;
	fd = bpf_map__fd(m);
	while (!bpf_map_get_next_key(fd, first ? NULL : &k, &next)) {
		first = false;
		k = next;
		if (bpf_map_lookup_elem(fd, &k, &v))
			continue;	/* evicted under us */
		if (!v.moves)
			continue;
		err = cb(ctx, &k, &v);
		if (err)
			return err < 0 ? err : 0;
	}
	return 0;
}
