/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * One TCP socket's tcp_info by its exact 4-tuple, inside any network
 * namespace (sock_diag exact lookup, no dump): what the stall detector uses
 * to see whether a retransmitting flow still makes progress.
 */
#ifndef NETSLEUTH_FLOWDIAG_H
#define NETSLEUTH_FLOWDIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ns_nsworker;

/* Lookups done in one trip into a namespace. */
#define NS_FLOWDIAG_BATCH 32

struct ns_flowdiag_q {
	uint16_t family;	/* AF_INET / AF_INET6 */
	uint16_t sport, dport;	/* local, remote; host order */
	uint8_t saddr[16];	/* local address */
	uint8_t daddr[16];	/* remote address */
};

struct ns_flowdiag_res {
	bool found;		/* a full socket with exactly this tuple (not a listener, not TIME_WAIT) */
	uint8_t state;		/* TCP state, kernel numbering */
	uint32_t unacked;	/* tcpi_unacked: segments sent and not yet acknowledged */
	uint32_t retransmits;	/* tcpi_retransmits: consecutive RTO timeouts now */
	uint64_t bytes_acked;	/* tcpi_bytes_acked */
	uint64_t bytes_sent;	/* tcpi_bytes_sent (4.19+; 0 before) */
	uint64_t bytes_received;
};

/*
 * Up to NS_FLOWDIAG_BATCH lookups in the netns behind netns_fd (-1: our own)
 * on worker w (NULL: the process-wide one). res[i] answers q[i]; a socket
 * that is gone is found == false, not an error. Returns 0, -E2BIG (n too
 * big), or the worker's / netlink's negative errno.
 */
int ns_flowdiag_lookup(struct ns_nsworker *w, int netns_fd, const struct ns_flowdiag_q *q, struct ns_flowdiag_res *res,
		       size_t n, int timeout_ms);
/* The same in the calling thread's namespace. */
int ns_flowdiag_lookup_here(const struct ns_flowdiag_q *q, struct ns_flowdiag_res *res, size_t n);

#endif
