// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Bridge forwarding-table changes and neighbour (ARP/NDP) changes, every
 * bridge and every namespace.
 *
 * The incident (issue #5): a Swarm overlay's vxlan device held static
 * entries for containers on the same host, so with proxy ARP on it answered
 * ARP for them too; the bridge learned the container's MAC alternately on
 * its veth port and on the vxlan port and the container fell off the overlay
 * for minutes. Every learning call is counted here, but an event leaves the
 * kernel only when something changes: the last port of each (bridge, vlan,
 * MAC) is kept in an LRU map, so an ARP storm costs a lookup per packet.
 *
 * Learning, best first:
 *  - tp_btf/raw_tp br_fdb_update (4.x+): fires when an entry is created or
 *    its port or flags change (net/bridge/br_fdb.c), never for a refresh;
 *  - fentry/kprobe br_fdb_update: every learning call, refreshes included;
 *    it runs before the kernel decides, so a MAC the kernel refuses to move
 *    (sticky, or the bridge's own address) is still counted as moved.
 *  The fifth argument changed from `bool added_by_user` to `unsigned long
 *  flags` in 5.8 ("net: bridge: use flags in br_fdb_update"): not read.
 * Deletions and administrative adds: fdb_delete, br_fdb_add and
 * br_fdb_external_learn_add tracepoints (4.x+).
 * Neighbours: neigh_update (state before) + neigh_update_done (result),
 * both added in 5.3 ("net: Add neigh tracepoints").
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "fdb.h"
#include "ns_common.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* include/net/neighbour.h, include/uapi/linux/neighbour.h: stable UAPI values. */
#define NUD_INCOMPLETE	0x01
#define NUD_REACHABLE	0x02
#define NUD_STALE	0x04
#define NUD_DELAY	0x08
#define NUD_PROBE	0x10
#define NUD_NOARP	0x40
#define NUD_PERMANENT	0x80
#define NUD_VALID	(NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | NUD_PROBE | NUD_STALE | NUD_DELAY)
#define NEIGH_UPDATE_F_ADMIN	0x80000000

/* Sized by user space (--fdb-entries). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct fdb_mac_key);
	__type(value, struct fdb_mac_val);
} fdb_last SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct fdb_count_key);
	__type(value, __u64);
} fdb_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct neigh_count_key);
	__type(value, __u64);
} neigh_counts SEC(".maps");

/* Last answer from the wire per neighbour entry, for duplicate answers. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);	/* struct neighbour * */
	__type(value, __u64);	/* CLOCK_MONOTONIC ns */
} neigh_answer SEC(".maps");

/*
 * neigh_update fires before the entry's lock is taken, so a softirq on the
 * same CPU may run another update between it and neigh_update_done: a few
 * slots per CPU, matched by entry.
 */
#define NEIGH_SLOTS 4
struct neigh_slot {
	__u64 n;
	__u32 flags;
	__u32 pid;
	__u8 old_state;
	__u8 req_state;
	__u8 old_ha[6];
};
struct neigh_slots {
	struct neigh_slot s[NEIGH_SLOTS];
};
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct neigh_slots);
} neigh_pending SEC(".maps");

/* Two answers for one IP closer than this are duplicates (a proxy answering for a local host). */
const volatile __u64 dup_window_ns = 100000000;

static __always_inline __u32 dev_netns(const struct net_device *dev)
{
	return BPF_CORE_READ(dev, nd_net.net, ns.inum);
}

/* rtnl_link_ops->kind: "veth", "vxlan", "bridge"...; none for a physical NIC. */
static __always_inline void dev_kind(const struct net_device *dev, char out[16])
{
	const char *kind = BPF_CORE_READ(dev, rtnl_link_ops, kind);

	if (kind)
		bpf_probe_read_kernel_str(out, 16, kind);
}

static __always_inline void count_fdb(const struct fdb_mac_key *k, __u32 port, __u8 action)
{
	struct fdb_count_key ck = {
		.netns = k->netns,
		.br_ifindex = k->br_ifindex,
		.port_ifindex = port,
		.action = action,
	};

	NS_COUNT(fdb_counts, &ck);
}

static __always_inline bool mac_key(struct fdb_mac_key *k, const struct net_device *brdev, const unsigned char *addr,
				    __u16 vid)
{
	k->netns = dev_netns(brdev);
	k->br_ifindex = BPF_CORE_READ(brdev, ifindex);
	k->vlan = vid;
	return !bpf_probe_read_kernel(k->mac, 6, addr);
}

static __always_inline void emit_fdb(const struct fdb_mac_key *k, const struct net_device *brdev,
				     const struct net_device *pdev, __u32 port, __u8 action,
				     const struct fdb_mac_val *old, __u64 moves)
{
	struct fdb_event e = {};

	if (!ns_event_wanted(NS_EV_FDB, k->netns)) {
		ns_stat_inc(NS_STAT_FILTERED);
		return;
	}
	e.hdr.ts_ns = bpf_ktime_get_ns();
	e.hdr.netns = k->netns;
	e.hdr.type = NS_EV_FDB;
	e.hdr.size = sizeof(e);
	e.moves = moves;
	BPF_CORE_READ_STR_INTO(&e.br_name, brdev, name);
	if (pdev) {
		BPF_CORE_READ_STR_INTO(&e.port, pdev, name);
		dev_kind(pdev, e.port_kind);
	}
	if (old) {
		e.old_port_ifindex = old->port_ifindex;
		__builtin_memcpy(e.old_port, old->port, sizeof(e.old_port));
		__builtin_memcpy(e.old_port_kind, old->port_kind, sizeof(e.old_port_kind));
	}
	e.br_ifindex = k->br_ifindex;
	e.port_ifindex = port;
	e.vlan = k->vlan;
	__builtin_memcpy(e.mac, k->mac, 6);
	e.action = action;
	ns_emit(&e, sizeof(e));
}

/*
 * A MAC seen on a port (learning, external learning, or an administrative
 * add): compare with the port remembered for it and report only a change.
 */
static __always_inline int handle_learn(const struct net_device *brdev, const struct net_device *pdev,
					const unsigned char *addr, __u16 vid, __u8 how)
{
	struct fdb_mac_key k = {};
	struct fdb_mac_val nv = {}, prev, *v;
	__u32 port;
	__u8 action;
	__u64 moves = 0;

	if (!brdev || !addr || !mac_key(&k, brdev, addr, vid))
		return 0;
	port = pdev ? BPF_CORE_READ(pdev, ifindex) : 0;
	v = bpf_map_lookup_elem(&fdb_last, &k);
	if (!v) {
		nv.updates = 1;
		nv.port_ifindex = port;
		if (pdev) {
			BPF_CORE_READ_STR_INTO(&nv.port, pdev, name);
			dev_kind(pdev, nv.port_kind);
		}
		/* EEXIST: another CPU learned it first; the next packet sorts it out */
		bpf_map_update_elem(&fdb_last, &k, &nv, BPF_NOEXIST);
		action = how;
		count_fdb(&k, port, action);
		emit_fdb(&k, brdev, pdev, port, action, NULL, 0);
		return 0;
	}
	__sync_fetch_and_add(&v->updates, 1);
	if (!(v->flags & NS_FDB_V_GONE) && v->port_ifindex == port) {
		count_fdb(&k, port, NS_FDB_REFRESH);
		return 0;
	}
	prev = *v;
	if (v->flags & NS_FDB_V_GONE || how != NS_FDB_LEARN) {
		action = how;	/* relearned after deletion, or put there on purpose */
	} else {
		action = NS_FDB_MOVE;
		moves = __sync_fetch_and_add(&v->moves, 1) + 1;
		if (!v->first_move_ns)
			v->first_move_ns = bpf_ktime_get_ns();
		v->last_move_ns = bpf_ktime_get_ns();
	}
	v->port_ifindex = port;
	v->flags = 0;
	__builtin_memset(v->port, 0, sizeof(v->port));
	__builtin_memset(v->port_kind, 0, sizeof(v->port_kind));
	if (pdev) {
		BPF_CORE_READ_STR_INTO(&v->port, pdev, name);
		dev_kind(pdev, v->port_kind);
	}
	count_fdb(&k, port, action);
	emit_fdb(&k, brdev, pdev, port, action, &prev, action == NS_FDB_MOVE ? moves : prev.moves);
	return 0;
}

static __always_inline int handle_br_learn(const struct net_bridge *br, const struct net_bridge_port *p,
					   const unsigned char *addr, __u16 vid, __u8 how)
{
	return handle_learn(br ? BPF_CORE_READ(br, dev) : NULL, p ? BPF_CORE_READ(p, dev) : NULL, addr, vid, how);
}

/*
 * 5.6 turned the entry's bitfields into bit numbers of `flags` ("net: bridge:
 * convert and rename fdb flags to bitops"); BR_FDB_LOCAL is bit 0, in an
 * anonymous enum CO-RE cannot name.
 */
struct net_bridge_fdb_entry___pre56 {
	unsigned char is_local : 1;
} __attribute__((preserve_access_index));

static __always_inline bool fdb_is_local(const struct net_bridge_fdb_entry *f)
{
	if (bpf_core_field_exists(f->flags))
		return BPF_CORE_READ(f, flags) & 1UL;
	return BPF_CORE_READ_BITFIELD_PROBED((struct net_bridge_fdb_entry___pre56 *)f, is_local);
}

static __always_inline int handle_delete(const struct net_bridge *br, const struct net_bridge_fdb_entry *f)
{
	const struct net_device *brdev = BPF_CORE_READ(br, dev), *pdev = NULL;
	const struct net_bridge_port *p = BPF_CORE_READ(f, dst);
	struct fdb_mac_key k = {};
	struct fdb_mac_val *v;
	__u32 port = 0;

	if (!brdev || !mac_key(&k, brdev, (const unsigned char *)&f->key.addr, BPF_CORE_READ(f, key.vlan_id)))
		return 0;
	/* the bridge's and its ports' own addresses: never learned, never moving; not our business */
	if (fdb_is_local(f))
		return 0;
	if (p) {
		pdev = BPF_CORE_READ(p, dev);
		port = BPF_CORE_READ(pdev, ifindex);
	}
	v = bpf_map_lookup_elem(&fdb_last, &k);
	if (v) {
		v->flags |= NS_FDB_V_GONE;
		v->port_ifindex = port;
	}
	count_fdb(&k, port, NS_FDB_DEL);
	emit_fdb(&k, brdev, pdev, port, NS_FDB_DEL, NULL, v ? v->moves : 0);
	return 0;
}

/*
 * `bridge fdb add MAC dev PORT master`: dev is a bridge port (its
 * rx_handler_data is the net_bridge_port) or the bridge itself.
 */
static __always_inline int handle_add(const struct net_device *dev, const unsigned char *addr, __u16 vid)
{
	const struct net_bridge_port *p = BPF_CORE_READ(dev, rx_handler_data);
	const struct net_device *brdev;

	char kind[16] = {};

	/* priv_flags (IFF_EBRIDGE) became a bitfield in 6.x: the kind string says it on every kernel */
	dev_kind(dev, kind);
	if (kind[0] == 'b' && kind[1] == 'r' && kind[2] == 'i' && kind[3] == 'd' && kind[4] == 'g' && kind[5] == 'e' &&
	    !kind[6])
		return handle_learn(dev, NULL, addr, vid, NS_FDB_ADD);
	if (!p)
		return 0;
	brdev = BPF_CORE_READ(p, br, dev);
	return handle_learn(brdev, dev, addr, vid, NS_FDB_ADD);
}

SEC("tp_btf/br_fdb_update")
int BPF_PROG(fdb_learn_tp, struct net_bridge *br, struct net_bridge_port *source, const unsigned char *addr, u16 vid)
{
	return handle_br_learn(br, source, addr, vid, NS_FDB_LEARN);
}

SEC("raw_tp/br_fdb_update")
int BPF_PROG(fdb_learn_raw, struct net_bridge *br, struct net_bridge_port *source, const unsigned char *addr, u16 vid)
{
	return handle_br_learn(br, source, addr, vid, NS_FDB_LEARN);
}

SEC("fentry/br_fdb_update")
int BPF_PROG(fdb_learn_fe, struct net_bridge *br, struct net_bridge_port *source, const unsigned char *addr, u16 vid)
{
	return handle_br_learn(br, source, addr, vid, NS_FDB_LEARN);
}

SEC("kprobe/br_fdb_update")
int BPF_KPROBE(fdb_learn_kp, struct net_bridge *br, struct net_bridge_port *source, const unsigned char *addr, u16 vid)
{
	return handle_br_learn(br, source, addr, vid, NS_FDB_LEARN);
}

SEC("tp_btf/fdb_delete")
int BPF_PROG(fdb_del_tp, struct net_bridge *br, struct net_bridge_fdb_entry *f)
{
	return handle_delete(br, f);
}

SEC("raw_tp/fdb_delete")
int BPF_PROG(fdb_del_raw, struct net_bridge *br, struct net_bridge_fdb_entry *f)
{
	return handle_delete(br, f);
}

SEC("tp_btf/br_fdb_add")
int BPF_PROG(fdb_add_tp, struct ndmsg *ndm, struct net_device *dev, const unsigned char *addr, u16 vid)
{
	return handle_add(dev, addr, vid);
}

SEC("raw_tp/br_fdb_add")
int BPF_PROG(fdb_add_raw, struct ndmsg *ndm, struct net_device *dev, const unsigned char *addr, u16 vid)
{
	return handle_add(dev, addr, vid);
}

SEC("tp_btf/br_fdb_external_learn_add")
int BPF_PROG(fdb_ext_tp, struct net_bridge *br, struct net_bridge_port *p, const unsigned char *addr, u16 vid)
{
	return handle_br_learn(br, p, addr, vid, NS_FDB_EXT_LEARN);
}

SEC("raw_tp/br_fdb_external_learn_add")
int BPF_PROG(fdb_ext_raw, struct net_bridge *br, struct net_bridge_port *p, const unsigned char *addr, u16 vid)
{
	return handle_br_learn(br, p, addr, vid, NS_FDB_EXT_LEARN);
}

/* --- neighbours --- */

static __always_inline struct neigh_slots *slots(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&neigh_pending, &zero);
}

static __always_inline int handle_neigh_update(const struct neighbour *n, __u8 req_state, __u32 flags, __u32 pid)
{
	struct neigh_slots *ss = slots();
	struct neigh_slot *s = NULL;
	int i;

	if (!ss || !n)
		return 0;
	for (i = 0; i < NEIGH_SLOTS; i++) {
		if (!ss->s[i].n || ss->s[i].n == (__u64)n) {
			s = &ss->s[i];
			break;
		}
	}
	if (!s)
		s = &ss->s[0];	/* deeper nesting than any kernel path has: give up the oldest */
	s->n = (__u64)n;
	s->flags = flags;
	s->pid = pid;
	s->req_state = req_state;
	s->old_state = BPF_CORE_READ(n, nud_state);
	bpf_probe_read_kernel(s->old_ha, 6, &n->ha);
	return 0;
}

static __always_inline bool mac_eq(const __u8 *a, const __u8 *b)
{
	return a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && a[3] == b[3] && a[4] == b[4] && a[5] == b[5];
}

static __always_inline int handle_neigh_done(const struct neighbour *n, int err)
{
	struct neigh_slots *ss = slots();
	struct neigh_slot s = {};
	struct neigh_count_key ck = {};
	struct neigh_event e = {};
	const struct net_device *dev;
	__u16 family;
	__u64 now, *last;
	int i;

	if (!ss || !n)
		return 0;
	for (i = 0; i < NEIGH_SLOTS; i++) {
		if (ss->s[i].n == (__u64)n) {
			s = ss->s[i];
			ss->s[i].n = 0;
			break;
		}
	}
	if (!s.n)
		return 0;	/* the update began before we attached */
	family = BPF_CORE_READ(n, tbl, family);
	if (family != AF_INET && family != AF_INET6)
		return 0;
	dev = BPF_CORE_READ(n, dev);
	e.hdr.netns = dev_netns(dev);
	e.ifindex = BPF_CORE_READ(dev, ifindex);
	e.family = family;
	e.old_state = s.old_state;
	e.new_state = BPF_CORE_READ(n, nud_state);
	__builtin_memcpy(e.old_lladdr, s.old_ha, 6);
	bpf_probe_read_kernel(e.lladdr, 6, &n->ha);
	e.update_flags = s.flags;
	e.nlmsg_pid = s.pid;
	if (e.old_state != e.new_state)
		e.flags |= NS_NEIGH_F_STATE;
	if ((e.old_state & NUD_VALID) && (e.new_state & NUD_VALID) && !mac_eq(e.old_lladdr, e.lladdr))
		e.flags |= NS_NEIGH_F_LLADDR;
	if (!(e.old_state & NUD_VALID) && (e.new_state & NUD_VALID))
		e.flags |= NS_NEIGH_F_NEW;
	if (s.pid || (s.flags & NEIGH_UPDATE_F_ADMIN))
		e.flags |= NS_NEIGH_F_ADMIN;
	if (err)
		e.flags |= NS_NEIGH_F_FAILED;
	/* an answer from the wire: ARP reply / solicited NA asserting reachability */
	if (!err && !(e.flags & NS_NEIGH_F_ADMIN) && s.req_state == NUD_REACHABLE) {
		__u64 key = s.n;

		now = bpf_ktime_get_ns();
		last = bpf_map_lookup_elem(&neigh_answer, &key);
		if (last) {
			if (now - *last < dup_window_ns)
				e.flags |= NS_NEIGH_F_DUP;
			*last = now;
		} else {
			bpf_map_update_elem(&neigh_answer, &key, &now, BPF_ANY);
		}
	}
	ck.netns = e.hdr.netns;
	ck.ifindex = e.ifindex;
	ck.family = (__u8)family;
	ck.old_state = e.old_state;
	ck.new_state = e.new_state;
	ck.flags = e.flags & (NS_NEIGH_F_STATE | NS_NEIGH_F_LLADDR | NS_NEIGH_F_DUP);
	NS_COUNT(neigh_counts, &ck);
	if (!(e.flags & (NS_NEIGH_F_STATE | NS_NEIGH_F_LLADDR | NS_NEIGH_F_DUP)))
		return 0;
	if (!ns_event_wanted(NS_EV_NEIGH, e.hdr.netns)) {
		ns_stat_inc(NS_STAT_FILTERED);
		return 0;
	}
	bpf_probe_read_kernel(e.addr, family == AF_INET6 ? 16 : 4,
			      (const void *)n + bpf_core_field_offset(struct neighbour, primary_key));
	BPF_CORE_READ_STR_INTO(&e.ifname, dev, name);
	e.hdr.ts_ns = bpf_ktime_get_ns();
	e.hdr.type = NS_EV_NEIGH;
	e.hdr.size = sizeof(e);
	ns_emit(&e, sizeof(e));
	return 0;
}

SEC("tp_btf/neigh_update")
int BPF_PROG(neigh_upd_tp, struct neighbour *n, const u8 *lladdr, u8 new, u32 flags, u32 nlmsg_pid)
{
	return handle_neigh_update(n, new, flags, nlmsg_pid);
}

SEC("tp_btf/neigh_update_done")
int BPF_PROG(neigh_done_tp, struct neighbour *n, int err)
{
	return handle_neigh_done(n, err);
}

SEC("raw_tp/neigh_update")
int BPF_PROG(neigh_upd_raw, struct neighbour *n, const u8 *lladdr, u8 new, u32 flags, u32 nlmsg_pid)
{
	return handle_neigh_update(n, new, flags, nlmsg_pid);
}

SEC("raw_tp/neigh_update_done")
int BPF_PROG(neigh_done_raw, struct neighbour *n, int err)
{
	return handle_neigh_done(n, err);
}
