/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Reading the per-CPU counter maps every BPF object keeps. */
#ifndef NETSLEUTH_MAPS_H
#define NETSLEUTH_MAPS_H

#include <stddef.h>
#include <stdint.h>
#include "probe.h"

struct bpf_map *ns_find_map(const struct ns_loaded *l, const char *name);
/* Calls cb(key, sum over CPUs) for every key of a per-CPU hash with u64 values; stops on cb < 0. */
int ns_map_sum_percpu(struct bpf_map *m, int (*cb)(void *ctx, const void *key, uint64_t sum), void *ctx);
/* Delete every key for which keep(key) is false; returns how many went. */
int ns_map_prune(struct bpf_map *m, int (*keep)(void *ctx, const void *key), void *ctx);
/* Sum the per-CPU `ns_stats` array (enum ns_stat slots). */
int ns_read_stats(const struct ns_loaded *l, uint64_t out[]);
int ns_ringbuf_fd(const struct ns_loaded *l);
int ns_netns_filter_fd(const struct ns_loaded *l);

#endif
