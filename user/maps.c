// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <linux/types.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "common.h"
#include "maps.h"

struct bpf_map *ns_find_map(const struct ns_loaded *l, const char *name)
{
	return l && l->skel ? bpf_object__find_map_by_name(l->feat->object(l->skel), name) : NULL;
}

int ns_ringbuf_fd(const struct ns_loaded *l)
{
	struct bpf_map *m = ns_find_map(l, "events");

	return m ? bpf_map__fd(m) : -ENOENT;
}

int ns_netns_filter_fd(const struct ns_loaded *l)
{
	struct bpf_map *m = ns_find_map(l, "netns_filter");

	return m ? bpf_map__fd(m) : -ENOENT;
}

int ns_map_sum_percpu(struct bpf_map *m, int (*cb)(void *ctx, const void *key, uint64_t sum), void *ctx)
{
	int ncpu = libbpf_num_possible_cpus(), fd, c, err = 0;
	size_t ksz;
	char *key = NULL, *next = NULL;
	__u64 *vals = NULL, sum;
	bool first = true;

	if (!m)
		return -ENOENT;
	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	ksz = bpf_map__key_size(m);
	fd = bpf_map__fd(m);
	key = calloc(1, ksz);
	next = calloc(1, ksz);
	vals = calloc((size_t)ncpu, sizeof(*vals));
	if (!key || !next || !vals) {
		err = -ENOMEM;
		goto cleanup;
	}
	while (!bpf_map_get_next_key(fd, first ? NULL : key, next)) {
		first = false;
		memcpy(key, next, ksz);
		if (bpf_map_lookup_elem(fd, key, vals))
			continue;	/* deleted under us */
		for (sum = 0, c = 0; c < ncpu; c++)
			sum += vals[c];
		err = cb(ctx, key, sum);
		if (err < 0)
			goto cleanup;
		err = 0;
	}
cleanup:
	free(key);
	free(next);
	free(vals);
	return err;
}

int ns_map_prune(struct bpf_map *m, int (*keep)(void *ctx, const void *key), void *ctx)
{
	char *key = NULL, *next = NULL;
	int fd, n = 0;
	size_t ksz;
	bool first = true;

	if (!m)
		return -ENOENT;
	ksz = bpf_map__key_size(m);
	fd = bpf_map__fd(m);
	key = calloc(1, ksz);
	next = calloc(1, ksz);
	if (!key || !next) {
		free(key);
		free(next);
		return -ENOMEM;
	}
	while (!bpf_map_get_next_key(fd, first ? NULL : key, next)) {
		/* Deleting the current key would restart iteration: look ahead first. */
		if (!first && !keep(ctx, key) && !bpf_map_delete_elem(fd, key))
			n++;
		first = false;
		memcpy(key, next, ksz);
	}
	if (!first && !keep(ctx, key) && !bpf_map_delete_elem(fd, key))
		n++;
	free(key);
	free(next);
	return n;
}

int ns_read_stats(const struct ns_loaded *l, uint64_t out[])
{
	struct bpf_map *m = ns_find_map(l, "ns_stats");
	int ncpu = libbpf_num_possible_cpus(), fd, c, err = 0;
	__u64 *vals;
	__u32 k;

	if (!m)
		return -ENOENT;
	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	vals = calloc((size_t)ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	fd = bpf_map__fd(m);
	for (k = 0; k < NS_STAT_MAX; k++) {
		out[k] = 0;
		if (bpf_map_lookup_elem(fd, &k, vals)) {
			err = -errno;
			break;
		}
		for (c = 0; c < ncpu; c++)
			out[k] += vals[c];
	}
	free(vals);
	return err;
}
