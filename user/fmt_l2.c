// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Bridge FDB and neighbour records as text columns and JSON lines (docs/events.md). */
#include <stdio.h>
#include <string.h>
#include "fmt.h"
#include "fmt_l2.h"

const char *ns_fdb_action_name(unsigned action)
{
	static const char *const names[] = {
		[NS_FDB_REFRESH] = "refresh", [NS_FDB_LEARN] = "learn", [NS_FDB_MOVE] = "move",
		[NS_FDB_DEL] = "delete",      [NS_FDB_ADD] = "add",     [NS_FDB_EXT_LEARN] = "external_learn",
	};

	return action < sizeof(names) / sizeof(names[0]) && names[action] ? names[action] : "unknown";
}

const char *ns_port_kind(const char *kind)
{
	return kind && *kind ? kind : "physical";
}

void ns_fmt_mac(const uint8_t *m, char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

const char *ns_nud_state_name(unsigned state, char *buf, size_t len)
{
	/* include/uapi/linux/neighbour.h; several bits at once only in masks, never in an entry */
	static const char *const bits[] = { "INCOMPLETE", "REACHABLE", "STALE", "DELAY",
					    "PROBE",	  "FAILED",    "NOARP", "PERMANENT" };
	size_t n = 0;
	int i;

	if (!state)
		return "NONE";
	if (len)
		buf[0] = '\0';
	for (i = 0; i < 8; i++) {
		if (!(state & (1u << i)))
			continue;
		n += (size_t)snprintf(buf + (n < len ? n : len), n < len ? len - n : 0, "%s%s", n ? "|" : "", bits[i]);
	}
	return buf;
}

/* "name(kind)" or "-" */
static void port_label(const char *name, size_t name_sz, const char *kind, size_t kind_sz, uint32_t ifindex,
		       char *buf, size_t len)
{
	char k[17];

	snprintf(k, sizeof(k), "%.*s", (int)kind_sz, kind);
	if (name[0])
		snprintf(buf, len, "%.*s(%s)", (int)name_sz, name, ns_port_kind(k));
	else if (ifindex)
		snprintf(buf, len, "if%u(%s)", ifindex, ns_port_kind(k));
	else
		snprintf(buf, len, "-");
}

/* the columns of `trace` (fmt.c): TIME EVENT WHERE IFACE SOURCE DESTINATION STATE REASON PROCESS */
#define L2_COLS "%-12s  %-8s  %-12s  %-10s  %-24s  %-24s  %-12s  %-16s  -\n"

void ns_fmt_fdb_text(const struct ns_fmt *f, const struct fdb_event *e, struct ns_buf *b)
{
	char tbuf[80], nsbuf[64], br[24], mac[48], port[48], old[48], detail[96];
	struct ns_ident id;

	ns_fmt_time(f, e->hdr.ts_ns, false, tbuf, sizeof(tbuf));
	ns_fmt_ident(f, e->hdr.netns, &id);
	snprintf(br, sizeof(br), "%.*s", (int)sizeof(e->br_name), e->br_name);
	ns_fmt_mac(e->mac, mac, sizeof(mac));
	if (e->vlan)
		snprintf(mac + strlen(mac), sizeof(mac) - strlen(mac), " vlan %u", e->vlan);
	port_label(e->port, sizeof(e->port), e->port_kind, sizeof(e->port_kind), e->port_ifindex, port, sizeof(port));
	port_label(e->old_port, sizeof(e->old_port), e->old_port_kind, sizeof(e->old_port_kind), e->old_port_ifindex,
		   old, sizeof(old));
	if (e->action == NS_FDB_MOVE)
		snprintf(detail, sizeof(detail), "from %s, move #%llu", old, (unsigned long long)e->moves);
	else if (e->old_port_ifindex && e->old_port_ifindex != e->port_ifindex)
		snprintf(detail, sizeof(detail), "was on %s", old);
	else
		snprintf(detail, sizeof(detail), "-");
	ns_buf_printf(b, L2_COLS, tbuf, "fdb", ns_ident_label(&id, nsbuf, sizeof(nsbuf)), br, mac, port,
		      ns_fdb_action_name(e->action), detail);
}

static void port_json(struct ns_json *j, const char *key, const char *name, size_t name_sz, const char *kind,
		      size_t kind_sz, uint32_t ifindex)
{
	char n[17], k[17];

	nj_key(j, key);
	if (!ifindex && !name[0]) {
		nj_null(j);
		return;
	}
	snprintf(n, sizeof(n), "%.*s", (int)name_sz, name);
	snprintf(k, sizeof(k), "%.*s", (int)kind_sz, kind);
	nj_obj_begin(j);
	nj_kv_str(j, "name", n[0] ? n : NULL);
	nj_kv_u64(j, "ifindex", ifindex);
	nj_kv_str(j, "kind", ns_port_kind(k));
	nj_obj_end(j);
}

void ns_fmt_fdb_json(const struct ns_fmt *f, const struct fdb_event *e, struct ns_buf *b)
{
	char br[17], mac[24];
	struct ns_json j;

	ns_fmt_json_head(&j, f, &e->hdr, b);
	nj_kv_str(&j, "action", ns_fdb_action_name(e->action));
	snprintf(br, sizeof(br), "%.*s", (int)sizeof(e->br_name), e->br_name);
	nj_kv_str(&j, "bridge", br);
	nj_kv_u64(&j, "bridge_ifindex", e->br_ifindex);
	ns_fmt_mac(e->mac, mac, sizeof(mac));
	nj_kv_str(&j, "mac", mac);
	nj_kv_u64(&j, "vlan", e->vlan);
	port_json(&j, "port", e->port, sizeof(e->port), e->port_kind, sizeof(e->port_kind), e->port_ifindex);
	if (e->old_port_ifindex && (e->action == NS_FDB_MOVE || e->old_port_ifindex != e->port_ifindex))
		port_json(&j, "old_port", e->old_port, sizeof(e->old_port), e->old_port_kind,
			  sizeof(e->old_port_kind), e->old_port_ifindex);
	else
		port_json(&j, "old_port", "", 1, "", 1, 0);
	nj_kv_u64(&j, "moves", e->moves);
	nj_obj_end(&j);
	ns_buf_puts(b, "\n");
}

void ns_fmt_neigh_text(const struct ns_fmt *f, const struct neigh_event *e, struct ns_buf *b)
{
	char tbuf[80], nsbuf[64], ifn[24], addr[64], ll[24], oll[24], st[64], ost[64], detail[160];
	struct ns_ident id;
	size_t n = 0;

	ns_fmt_time(f, e->hdr.ts_ns, false, tbuf, sizeof(tbuf));
	ns_fmt_ident(f, e->hdr.netns, &id);
	snprintf(ifn, sizeof(ifn), "%.*s", (int)sizeof(e->ifname), e->ifname);
	ns_fmt_addr(e->family, e->addr, addr, sizeof(addr));
	ns_fmt_mac(e->lladdr, ll, sizeof(ll));
	ns_fmt_mac(e->old_lladdr, oll, sizeof(oll));
	detail[0] = '\0';
	if (e->flags & NS_NEIGH_F_STATE)
		n += (size_t)snprintf(detail + n, sizeof(detail) - n, "was %s",
				      ns_nud_state_name(e->old_state, ost, sizeof(ost)));
	if ((e->flags & NS_NEIGH_F_LLADDR) && n < sizeof(detail))
		n += (size_t)snprintf(detail + n, sizeof(detail) - n, "%slladdr changed from %s", n ? ", " : "", oll);
	if ((e->flags & NS_NEIGH_F_DUP) && n < sizeof(detail))
		n += (size_t)snprintf(detail + n, sizeof(detail) - n, "%sduplicate answer", n ? ", " : "");
	if ((e->flags & NS_NEIGH_F_ADMIN) && n < sizeof(detail))
		n += (size_t)snprintf(detail + n, sizeof(detail) - n, "%sby netlink", n ? ", " : "");
	if ((e->flags & NS_NEIGH_F_FAILED) && n < sizeof(detail))
		snprintf(detail + n, sizeof(detail) - n, "%srefused", n ? ", " : "");
	ns_buf_printf(b, L2_COLS, tbuf, "neigh", ns_ident_label(&id, nsbuf, sizeof(nsbuf)), ifn, addr,
		      (e->new_state & NS_NUD_VALID) ? ll : "-", ns_nud_state_name(e->new_state, st, sizeof(st)),
		      detail[0] ? detail : "-");
}

void ns_fmt_neigh_json(const struct ns_fmt *f, const struct neigh_event *e, struct ns_buf *b)
{
	char addr[64], mac[24], st[64];
	struct ns_json j;

	ns_fmt_json_head(&j, f, &e->hdr, b);
	nj_kv_str(&j, "family", e->family == 10 ? "ipv6" : "ipv4");
	ns_fmt_addr(e->family, e->addr, addr, sizeof(addr));
	nj_kv_str(&j, "addr", addr);
	snprintf(mac, sizeof(mac), "%.*s", (int)sizeof(e->ifname), e->ifname);
	nj_kv_str(&j, "ifname", mac);
	nj_kv_u64(&j, "ifindex", e->ifindex);
	nj_kv_str(&j, "old_state", ns_nud_state_name(e->old_state, st, sizeof(st)));
	nj_kv_str(&j, "state", ns_nud_state_name(e->new_state, st, sizeof(st)));
	ns_fmt_mac(e->old_lladdr, mac, sizeof(mac));
	nj_kv_str(&j, "old_lladdr", (e->old_state & NS_NUD_VALID) ? mac : NULL);
	ns_fmt_mac(e->lladdr, mac, sizeof(mac));
	nj_kv_str(&j, "lladdr", (e->new_state & NS_NUD_VALID) ? mac : NULL);
	nj_key(&j, "changes");
	nj_arr_begin(&j);
	if (e->flags & NS_NEIGH_F_STATE)
		nj_str(&j, "state");
	if (e->flags & NS_NEIGH_F_LLADDR)
		nj_str(&j, "lladdr");
	if (e->flags & NS_NEIGH_F_DUP)
		nj_str(&j, "duplicate_answer");
	nj_arr_end(&j);
	nj_key(&j, "admin");
	nj_bool(&j, e->flags & NS_NEIGH_F_ADMIN);
	nj_key(&j, "new");
	nj_bool(&j, e->flags & NS_NEIGH_F_NEW);
	nj_key(&j, "refused");
	nj_bool(&j, e->flags & NS_NEIGH_F_FAILED);
	nj_obj_end(&j);
	ns_buf_puts(b, "\n");
}
