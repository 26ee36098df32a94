/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Network namespaces by inode: what --netns accepts, and which one is the host's. */
#ifndef NETSLEUTH_NETNS_H
#define NETSLEUTH_NETNS_H

#include <stddef.h>
#include <stdint.h>

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

#endif
