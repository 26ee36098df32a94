/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* TCP sockets per state in any network namespace, from NETLINK_SOCK_DIAG (what `ss` uses). */
#ifndef NETSLEUTH_SOCKDIAG_H
#define NETSLEUTH_SOCKDIAG_H

#include <stddef.h>
#include <stdint.h>

struct ns_nsworker;

/*
 * IPv4 + IPv6 TCP sockets by state, counts[state] with the kernel's numbering
 * (1 ESTABLISHED .. 11 CLOSING, 10 LISTEN), as `ss -tan` shows them:
 * time-wait sockets count under their substate (TIME_WAIT, or FIN_WAIT2 for
 * an orphan closed in FIN_WAIT2), request sockets (TCP_NEW_SYN_RECV, 12)
 * under SYN_RECV (3), so counts[12] stays 0. Unconnected sockets are not
 * counted (ss does not show them either). netns_fd: an open
 * /proc/PID/ns/net or /run/netns/X, -1 for our own; entered by the
 * process-wide worker of rtnl.h, never by the caller.
 */
int ns_sockdiag_tcp_states(int netns_fd, uint64_t counts[16]);
/* The same on a worker of the caller's choosing (NULL: the process-wide one). */
int ns_sockdiag_tcp_states_w(struct ns_nsworker *w, int netns_fd, int timeout_ms, uint64_t counts[16]);
/* The dump itself, in the calling thread's namespace: see ns_rtnl_dump_here(). */
int ns_sockdiag_tcp_states_here(uint64_t counts[16]);

/*
 * Pure (rtnl_parse.c, unit-tested): adds the sockets in received datagrams
 * of an inet_diag dump to counts. Returns as ns_rtnl_parse_buf: 1 at
 * NLMSG_DONE, 0 for more, -EINTR inconsistent dump, -errno of NLMSG_ERROR,
 * -ESRCH wrong seq/port, -EBADMSG malformed. *bad counts short messages
 * and states out of range, which are skipped.
 */
int ns_sockdiag_parse_buf(const void *buf, size_t len, uint32_t seq, uint32_t portid, uint64_t counts[16],
			  size_t *bad);

#endif
