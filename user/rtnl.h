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

/* What the vxlan driver reports in IFLA_INFO_DATA (valid only for kind "vxlan"). */
struct ns_vxlan {
	bool valid;		/* kind "vxlan" and the kernel sent its IFLA_INFO_DATA */
	bool proxy;		/* IFLA_VXLAN_PROXY: answers ARP/ND itself from its neighbour table */
	bool learning;		/* IFLA_VXLAN_LEARNING: learns remote MACs from received packets */
	uint32_t vni;		/* IFLA_VXLAN_ID */
	int local_family;	/* AF_INET, AF_INET6, 0: no local VTEP address configured */
	uint8_t local[16];	/* IFLA_VXLAN_LOCAL / IFLA_VXLAN_LOCAL6; IPv4 in the first 4 bytes */
	uint16_t port;		/* IFLA_VXLAN_PORT, host byte order; 0 when absent */
};

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
	struct ns_vxlan vxlan;	/* zero unless kind is "vxlan" */
};

struct ns_addr {
	int ifindex;
	int family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];	/* IPv4 in the first 4 bytes, the rest 0 */
	uint8_t prefixlen;
};

/*
 * One RTM_NEWNEIGH of a dump: an IPv4/IPv6 neighbour (ARP/ND cache) or, for
 * family AF_BRIDGE, a forwarding database entry of a bridge (NTF_MASTER) or
 * of a device's own table (NTF_SELF: vxlan's MAC -> remote VTEP entries).
 */
struct ns_neigh {
	int ifindex;		/* ndm_ifindex */
	int family;		/* ndm_family: AF_INET, AF_INET6 or AF_BRIDGE */
	uint16_t state;		/* ndm_state: NUD_* */
	uint8_t flags;		/* ndm_flags: NTF_* */
	uint8_t type;		/* ndm_type */
	bool has_lladdr;	/* NDA_LLADDR of Ethernet length */
	uint8_t lladdr[6];	/* the neighbour's MAC; for AF_BRIDGE, the entry's MAC */
	int dst_family;		/* NDA_DST: AF_INET/AF_INET6 by its length, 0 when absent */
	uint8_t dst[16];	/* the neighbour's IP; for a vxlan FDB entry, the remote VTEP */
	bool has_vlan;
	uint16_t vlan;		/* NDA_VLAN */
	bool has_port;
	uint16_t port;		/* NDA_PORT (vxlan: UDP port differing from the device's), host order */
	bool has_vni;
	uint32_t vni;		/* NDA_VNI (vxlan: VNI differing from the device's) */
	int via_ifindex;	/* NDA_IFINDEX (vxlan: outgoing device for the remote); 0 if absent */
	int master;		/* NDA_MASTER: the bridge, on bridge FDB entries; 0 if absent */
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
/* -EINVAL: not an RTM_NEWNEIGH, too short, an attribute of the wrong size, or no ifindex. */
int ns_rtnl_parse_neigh(const struct nlmsghdr *nlh, struct ns_neigh *n);

struct ns_rtnl_acc {
	struct ns_link *links;
	size_t nlinks, cap_links;
	struct ns_addr *addrs;
	size_t naddrs, cap_addrs;
	struct ns_neigh *neighs;
	size_t nneighs, cap_neighs;
	size_t bad;		/* messages skipped because they did not parse */
};

/*
 * One or more received datagrams of an RTM_GETLINK/RTM_GETADDR/RTM_GETNEIGH dump, appended
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

/*
 * Neighbour entries of the netns behind netns_fd (-1: our own), on the
 * process-wide worker (or w) like ns_rtnl_dump, NLM_F_DUMP_INTR retried.
 * family: AF_BRIDGE for the forwarding databases (bridges' and devices' own,
 * vxlan's among them), AF_INET or AF_INET6 for one neighbour table,
 * AF_UNSPEC for both IPv4 and IPv6 (not the FDB: the kernel serves AF_BRIDGE
 * dumps from another handler). *v is malloc()ed (NULL when empty): free() it.
 */
int ns_rtnl_neigh_dump(int netns_fd, int family, struct ns_neigh **v, size_t *n);
int ns_rtnl_neigh_dump_w(struct ns_nsworker *w, int netns_fd, int timeout_ms, int family, struct ns_neigh **v,
			 size_t *n);
/* The dump in the calling thread's namespace (see ns_rtnl_dump_here); acc is reset first. */
int ns_rtnl_neigh_dump_here(int family, struct ns_rtnl_acc *acc);

#endif
