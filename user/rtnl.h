/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Interfaces and addresses of any network namespace through rtnetlink, and
 * the worker thread that enters namespaces for it (and for sockdiag.h).
 *
 * setns() changes only the calling thread, and a netlink socket belongs to
 * the namespace it was created in. So a worker thread enters the target,
 * opens its sockets there, dumps, and goes back: the caller never changes
 * namespace. One long-lived worker is reused for every call (see
 * ns_nsworker_run for why and what it costs).
 */
#ifndef NETSLEUTH_RTNL_H
#define NETSLEUTH_RTNL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nlmsghdr;
struct mnl_socket;

struct ns_link {
	int ifindex;
	char name[16];
	char kind[16];		/* IFLA_INFO_KIND: veth, bridge, vxlan, ...; "" for physical and lo */
	uint8_t mac[6];
	bool has_mac;		/* IFLA_ADDRESS of Ethernet length and not all zero (lo's is) */
	int link_ifindex;	/* IFLA_LINK: for a veth, the peer's ifindex (in the peer's netns); 0 if absent */
	int link_netnsid;	/* IFLA_LINK_NETNSID: the peer's netns as this netns numbers it; -1 if absent */
	int master;		/* IFLA_MASTER: the bridge a port belongs to; 0 if none */
	unsigned flags;		/* IFF_* */
	uint64_t rx_bytes, tx_bytes, rx_packets, tx_packets;	/* IFLA_STATS64; 0 when absent */
	uint64_t rx_errors, tx_errors, rx_dropped, tx_dropped;
};

struct ns_addr {
	int ifindex;
	int family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];	/* IPv4 in the first 4 bytes, the rest 0 */
	uint8_t prefixlen;
};

/* --- worker thread that runs functions inside other network namespaces --- */

struct ns_nsworker;

/* The worker starts lazily, on the first run. */
int ns_nsworker_create(struct ns_nsworker **w);
/* No run may be in progress. A thread abandoned after a timeout finishes on its own. */
void ns_nsworker_destroy(struct ns_nsworker *w);

#define NS_NSWORKER_TIMEOUT_MS 5000

/*
 * fn(arg) on the worker thread inside the netns behind netns_fd (an open
 * /proc/PID/ns/net or /run/netns/X; -1: the namespace the process was in when
 * the worker was created). Returns fn's result, or -EPERM/-EINVAL from
 * setns(), -ETIMEDOUT, -EBUSY (too many workers stuck, see below), -ENOMEM,
 * -EIO (a new thread could not enter the home namespace). Calls from several
 * threads are served one at a time: timeout_ms bounds the wait for an
 * earlier caller's job, and then this job (so at most twice in all).
 *
 * arg (arg_size bytes) is copied to the worker and back when fn returns in
 * time, so fn never touches the caller's memory directly. After a timeout the
 * caller's arg is left alone: the stuck thread is abandoned (it finishes,
 * calls discard(its copy) if given, and exits) and the next call starts a
 * fresh one. fn must bound its own blocking (SO_RCVTIMEO); the timeout is for
 * what it cannot bound, such as a netlink call waiting on the kernel's RTNL
 * lock. The worker returns to its home namespace after every call: a
 * thread left inside a container's namespace would keep it, and its veth
 * peer on the host, alive after the container is gone.
 */
int ns_nsworker_run(struct ns_nsworker *w, int netns_fd, int (*fn)(void *arg), void *arg, size_t arg_size,
		    void (*discard)(void *arg), int timeout_ms);

/* The process-wide worker that ns_rtnl_dump and ns_sockdiag_tcp_states use (created on first use). */
int ns_nsworker_shared(struct ns_nsworker **w);
/*
 * For functions run on a worker: a netlink socket of `bus` in the calling
 * thread's namespace, bound, with a receive timeout so no recv blocks for long.
 */
struct mnl_socket *ns_nl_open(int bus, int *err);

/* One or more received datagrams of a dump for ns_nl_dump: 1 at its end, 0 for more, or a negative errno. */
typedef int (*ns_nl_parse_fn)(const void *buf, size_t len, uint32_t seq, uint32_t portid, void *ctx);

/*
 * For functions run on a worker: sends the dump request nlh (which may be
 * built in buf) on nl, then receives into buf (buf_size bytes, room for the
 * kernel's dump datagrams) and hands each datagram to parse(..., ctx) with the
 * request's seq and nl's port, until parse says the dump is over. Returns 0
 * at its end, parse's negative result, -ETIMEDOUT when a recv outwaits the
 * socket's receive timeout, or the -errno of a failed send or recv.
 */
int ns_nl_dump(struct mnl_socket *nl, char *buf, size_t buf_size, const struct nlmsghdr *nlh, ns_nl_parse_fn parse,
	       void *ctx);

/* --- rtnetlink --- */

/*
 * Links and addresses of the netns behind netns_fd (-1: our own), on the
 * process-wide worker with NS_NSWORKER_TIMEOUT_MS. *links and *addrs are
 * malloc()ed (NULL when empty): free() them. A dump the kernel reports as
 * interrupted by a concurrent change (NLM_F_DUMP_INTR) is retried.
 */
int ns_rtnl_dump(int netns_fd, struct ns_link **links, size_t *nlinks, struct ns_addr **addrs, size_t *naddrs);
/* The same on a worker of the caller's choosing (NULL: the process-wide one). */
int ns_rtnl_dump_w(struct ns_nsworker *w, int netns_fd, int timeout_ms, struct ns_link **links, size_t *nlinks,
		   struct ns_addr **addrs, size_t *naddrs);

/* --- parsing (rtnl_parse.c: pure, libmnl only, unit-tested with captured dumps) --- */

/* -EINVAL: not an RTM_NEWLINK, or too short, or an attribute of the wrong size. */
int ns_rtnl_parse_link(const struct nlmsghdr *nlh, struct ns_link *l);
/* -EINVAL as above; -EAFNOSUPPORT: neither IPv4 nor IPv6 (not an error for a dump). */
int ns_rtnl_parse_addr(const struct nlmsghdr *nlh, struct ns_addr *a);

struct ns_rtnl_acc {
	struct ns_link *links;
	size_t nlinks, cap_links;
	struct ns_addr *addrs;
	size_t naddrs, cap_addrs;
	size_t bad;		/* messages skipped because they did not parse */
};

/*
 * One or more received datagrams of an RTM_GETLINK/RTM_GETADDR dump, appended
 * to acc; buf 4-byte aligned (malloc()ed or a recv() buffer). seq, portid: what the replies must carry (0: not checked). Returns 1
 * at NLMSG_DONE, 0 when more is to come, -EINTR when the kernel flags the
 * dump as inconsistent (retry it), the negated errno of an NLMSG_ERROR,
 * -ESRCH on a reply to someone else's request, -EBADMSG when the bytes are
 * not well-formed netlink messages, -ENOMEM.
 */
int ns_rtnl_parse_buf(const void *buf, size_t len, uint32_t seq, uint32_t portid, struct ns_rtnl_acc *acc);
void ns_rtnl_acc_free(struct ns_rtnl_acc *acc);

/*
 * The dump itself, in the calling thread's namespace (rtnl.c): for a function
 * run by ns_nsworker_run that does several things per namespace in one trip
 * (a trip costs ~40 us of CPU, a dump ~90 us). acc is reset first; free it
 * with ns_rtnl_acc_free().
 */
int ns_rtnl_dump_here(struct ns_rtnl_acc *acc);

#endif
