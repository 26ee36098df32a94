/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Network namespace identities: inode numbers <-> names a user recognises. */
#ifndef NETSLEUTH_NETNS_H
#define NETSLEUTH_NETNS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Inode of the netns behind a path (/proc/PID/ns/net, /run/netns/NAME). */
int ns_netns_inode_of(const char *path, uint32_t *inode);

/*
 * The host's network namespace: PID 1's. Where PID 1 cannot be inspected (a
 * sandbox whose init is not ours), the agent's own, which is the host's in
 * any supported deployment (host networking).
 */
int ns_netns_host(uint32_t *inode);

/*
 * --netns argument: a decimal inode, "host" (PID 1's netns), a path, or the
 * name of an `ip netns` namespace looked up in `netns_dir`.
 */
int ns_netns_parse(const char *arg, const char *netns_dir, uint32_t *inode);

struct ns_netns_entry {
	uint32_t inode;
	char name[64];
};

/* inode -> name, from `ip netns` names and PID 1 ("host"); rescanned lazily. */
struct ns_netns_names {
	const char *netns_dir;		/* default /run/netns */
	const char *host_ns_path;	/* default /proc/1/ns/net */
	struct ns_netns_entry *v;
	size_t n, cap;
	struct timespec last_scan;
};

void ns_netns_names_init(struct ns_netns_names *c);
void ns_netns_names_free(struct ns_netns_names *c);
int ns_netns_names_scan(struct ns_netns_names *c);
/* NULL when unknown even after a rescan (at most one per second). */
const char *ns_netns_name(struct ns_netns_names *c, uint32_t inode);

#endif
