/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Overlay audit (issue #5): vxlan forwarding-database and neighbour entries
 * that point at containers living on this very host.
 *
 * The incident: on a Docker Swarm overlay, the overlay namespace's vxlan
 * device (proxy on, learning off) held static FDB entries (`bridge fdb add
 * MAC dev vxlan1 dst 127.0.0.1`, or dst = the local VTEP) and static
 * neighbour entries (`ip neigh add IP lladdr MAC dev vxlan1`) for a container
 * of this host. With proxy on, vxlan answers ARP from its neighbour table
 * whenever the MAC's FDB entry has a remote that is not the any-address
 * (drivers/net/vxlan arp_reduce), so it answers for the local container too,
 * and the bridge learns that container's MAC alternately on its veth port and
 * on the vxlan port: FDB flapping. The fix is deleting those entries.
 *
 * The judgement (ns_overlay_check) is pure: it takes per-namespace snapshots
 * (links, addresses, neighbours, identities) and is unit-tested with built
 * inputs; ns_overlay_audit fills them from the kernel (rtnetlink on the
 * namespace worker) for every live namespace of a container table.
 */
#ifndef NETSLEUTH_OVERLAY_H
#define NETSLEUTH_OVERLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ident.h"
#include "json.h"
#include "rtnl.h"

struct ns_ctr_table;

/* How a shell on the host gets into a namespace: decides the fix command's prefix. */
enum ns_overlay_enter {
	NS_OVL_ENTER_NONE = 0,	/* no way known: the command is printed commented out */
	NS_OVL_ENTER_HOST,	/* the host's namespace: no prefix */
	NS_OVL_ENTER_IPNS,	/* `ip netns exec NAME ` */
	NS_OVL_ENTER_DOCKER,	/* `nsenter --net=<docker_netns_dir>/NAME ` */
	NS_OVL_ENTER_PID,	/* `nsenter -t PID -n ` */
};

/* One namespace as read. Neighbours matter only where there are vxlan devices. */
struct ns_overlay_ns {
	uint32_t netns;
	struct ns_ident ident;
	enum ns_overlay_enter enter;
	char enter_name[64];		/* IPNS: the `ip netns` name; DOCKER: the name under docker_netns_dir */
	int pid;			/* PID: a process inside */
	const struct ns_link *links;
	size_t nlinks;
	const struct ns_addr *addrs;
	size_t naddrs;
	const struct ns_neigh *neighs;	/* AF_BRIDGE (FDB) and AF_INET/AF_INET6 entries, any order */
	size_t nneighs;
};

struct ns_overlay_input {
	const struct ns_overlay_ns *ns;
	size_t nns;
	const char *docker_netns_dir;	/* for NS_OVL_ENTER_DOCKER; NULL: /run/docker/netns */
};

enum ns_overlay_kind {
	NS_OVL_FDB = 0,		/* vxlan FDB entry: MAC -> remote VTEP */
	NS_OVL_NEIGH,		/* neighbour entry on the vxlan device: IP -> MAC */
};

/* What the remote VTEP of an entry is, seen from this host. */
enum ns_overlay_dst {
	NS_OVL_DST_NONE = 0,	/* a neighbour entry whose MAC has no vxlan FDB entry */
	NS_OVL_DST_LOOPBACK,	/* 127.0.0.0/8, ::1 */
	NS_OVL_DST_LOCAL_VTEP,	/* the vxlan device's own local address */
	NS_OVL_DST_LOCAL_ADDRESS,	/* another address of an interface of this host (any namespace) */
	NS_OVL_DST_OTHER,
};

struct ns_overlay_finding {
	enum ns_overlay_kind kind;
	uint32_t netns;			/* the vxlan device's namespace */
	char where[128];		/* its label (ns_ident_label) */
	char vxlan[16];
	uint32_t vni;
	bool proxy, learning;
	uint16_t state;			/* NUD_* of the entry */
	bool has_mac;
	uint8_t mac[6];			/* FDB: the entry's MAC; neighbour: its lladdr */
	int ip_family;			/* neighbour: the entry's IP; FDB: the owner interface's first address; 0: none */
	uint8_t ip[16];
	int dst_family;			/* the remote VTEP (for a neighbour: of its MAC's FDB entry); 0: none */
	uint8_t dst[16];
	enum ns_overlay_dst dst_kind;
	struct {
		uint32_t netns;
		char where[128];
		char ifname[16];
		char container[128];	/* "" when the namespace is no container's */
	} owner;			/* the interface of this host the MAC or IP belongs to */
	char fix[768];			/* the command that removes the entry, from the host's shell */
};

struct ns_overlay_report {
	struct ns_overlay_finding *v;
	size_t n, cap;
	unsigned nns;			/* namespaces read */
	unsigned nvxlan;		/* vxlan devices seen */
	unsigned nunreadable;		/* live namespaces that could not be entered or dumped */
};

/*
 * The judgement. Local MACs and IPs are those of the interfaces of every
 * namespace other than the vxlan device's own (lo, all-zero and multicast
 * MACs, loopback and multicast addresses excepted). A finding is
 *  - a vxlan FDB entry (NTF_SELF on the vxlan device; not the all-zero flood
 *    entry) with a local MAC and a remote that is not the any-address;
 *  - a neighbour entry on the vxlan device with a MAC for a local IP
 *    (PERMANENT/NOARP are the classic case; INCOMPLETE/FAILED are skipped).
 * out is overwritten (its old findings are not freed): free it with
 * ns_overlay_report_free(). 0 or -ENOMEM.
 */
int ns_overlay_check(const struct ns_overlay_input *in, struct ns_overlay_report *out);

/*
 * Reads every live namespace of t (which the caller has refreshed): links and
 * addresses, and where there are vxlan devices the AF_BRIDGE FDB and the
 * IPv4/IPv6 neighbour tables, then judges them with ns_overlay_check.
 * Namespaces that cannot be entered are counted in out->nunreadable.
 * 0, -ENOMEM, or the error of the namespace snapshot.
 */
int ns_overlay_audit(struct ns_ctr_table *t, struct ns_overlay_report *out);

/* One line per finding (each ending with "; fix: <command>"), nothing when there is none. */
void ns_overlay_report_text(const struct ns_overlay_report *r, struct ns_buf *b);
/* An array of one object per finding (docs/cli.md, doctor). */
void ns_overlay_report_json(const struct ns_overlay_report *r, struct ns_json *j);
void ns_overlay_report_free(struct ns_overlay_report *r);

const char *ns_overlay_dst_name(enum ns_overlay_dst k);

#endif
