/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Bridge FDB learning/moves and neighbour changes (issue #5). */
#ifndef NETSLEUTH_FDB_H
#define NETSLEUTH_FDB_H

#include "common.h"

/* fdb_event.action and fdb_count_key.action. ABI: append only. */
enum ns_fdb_action {
	NS_FDB_REFRESH = 0,	/* seen again on the port it is on: counted, never an event */
	NS_FDB_LEARN = 1,	/* learned from traffic, no live entry before */
	NS_FDB_MOVE = 2,	/* learned on another port than the entry's */
	NS_FDB_DEL = 3,		/* entry deleted: aged out, flushed, port gone, `bridge fdb del` */
	NS_FDB_ADD = 4,		/* added through netlink (`bridge fdb add ... master`) */
	NS_FDB_EXT_LEARN = 5,	/* learned by a switchdev driver (br_fdb_external_learn_add) */
	NS_FDB_ACTION_MAX,
};

/*
 * One change of a bridge's forwarding table. Names and kinds are read in the
 * kernel when it happens: a veth may be gone by the time anyone looks.
 * kind is the device's rtnl_link_ops kind ("veth", "vxlan", "bond", ...);
 * "" is a device without one: a physical NIC.
 */
struct fdb_event {
	struct ns_event_hdr hdr;
	__u64 moves;		/* moves of this (bridge, vlan, MAC) since netsleuth started, this one included */
	char br_name[16];
	char port[16];		/* the port the entry is on now (DEL: was on) */
	char port_kind[16];
	char old_port[16];	/* MOVE: the port it was on; LEARN: the last port before it vanished, if any */
	char old_port_kind[16];
	__u32 br_ifindex;
	__u32 port_ifindex;	/* 0: the bridge itself */
	__u32 old_port_ifindex;
	__u16 vlan;
	__u8 mac[6];
	__u8 action;		/* enum ns_fdb_action */
	__u8 __pad[3];
};
_Static_assert(sizeof(struct fdb_event) == 128, "fdb_event is ABI");

/* Key of the `fdb_last` LRU map: one forwarding entry. */
struct fdb_mac_key {
	__u32 netns;
	__u32 br_ifindex;
	__u16 vlan;
	__u8 mac[6];
};
_Static_assert(sizeof(struct fdb_mac_key) == 16, "fdb_mac_key is ABI");

/*
 * Value of `fdb_last`: where the MAC was last seen and how often it moved.
 * The port's name and kind are kept so a move can name the port it left
 * without looking the device up (the kernel has no helper for that).
 */
struct fdb_mac_val {
	__u64 moves;
	__u64 updates;		/* every learning call or tracepoint hit for it */
	__u64 first_move_ns;	/* CLOCK_MONOTONIC of its first move, 0 if none */
	__u64 last_move_ns;
	char port[16];
	char port_kind[16];
	__u32 port_ifindex;	/* with NS_FDB_V_GONE: the port it was on when deleted */
	__u32 flags;		/* NS_FDB_V_* */
};
_Static_assert(sizeof(struct fdb_mac_val) == 72, "fdb_mac_val is ABI");
#define NS_FDB_V_GONE 0x1

/* Key of the per-CPU `fdb_counts` hash: exact counts per bridge port and action. */
struct fdb_count_key {
	__u32 netns;
	__u32 br_ifindex;
	__u32 port_ifindex;	/* the port the action landed on */
	__u8 action;		/* enum ns_fdb_action */
	__u8 __pad[3];
};
_Static_assert(sizeof(struct fdb_count_key) == 16, "fdb_count_key is ABI");

/* neigh_event.flags */
#define NS_NEIGH_F_STATE	0x01	/* nud state changed */
#define NS_NEIGH_F_LLADDR	0x02	/* link-layer address changed */
#define NS_NEIGH_F_DUP		0x04	/* a second answer from the wire within dup_window_ns of the last */
#define NS_NEIGH_F_ADMIN	0x08	/* from netlink (`ip neigh`), not from the wire */
#define NS_NEIGH_F_NEW		0x10	/* first resolution of an entry (old state had no address) */
#define NS_NEIGH_F_FAILED	0x20	/* the update was refused (neigh_update_done err != 0) */

/*
 * One neighbour (ARP/NDP) entry change. old_* as it was before the update,
 * the rest after it.
 */
struct neigh_event {
	struct ns_event_hdr hdr;
	__u8 addr[16];		/* the neighbour's IP; IPv4 in the first 4 bytes */
	char ifname[16];
	__u32 ifindex;
	__u32 update_flags;	/* NEIGH_UPDATE_F_* the caller passed */
	__u32 nlmsg_pid;	/* netlink port of an `ip neigh` request; 0 from the wire */
	__u16 family;		/* AF_INET / AF_INET6 */
	__u8 old_state;		/* NUD_* bits */
	__u8 new_state;
	__u8 old_lladdr[6];
	__u8 lladdr[6];
	__u8 flags;		/* NS_NEIGH_F_* */
	__u8 __pad[3];
};
_Static_assert(sizeof(struct neigh_event) == 80, "neigh_event is ABI");

/* Key of the per-CPU `neigh_counts` hash. */
struct neigh_count_key {
	__u32 netns;
	__u32 ifindex;
	__u8 family;
	__u8 old_state;
	__u8 new_state;
	__u8 flags;		/* NS_NEIGH_F_STATE | LLADDR | DUP; 0: an update that changed nothing */
};
_Static_assert(sizeof(struct neigh_count_key) == 12, "neigh_count_key is ABI");

#endif /* NETSLEUTH_FDB_H */
