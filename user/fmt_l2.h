/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Bridge FDB and neighbour records: names and rendering. Pure. */
#ifndef NETSLEUTH_FMT_L2_H
#define NETSLEUTH_FMT_L2_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "fdb.h"

struct ns_fmt;
struct ns_buf;

/* NUD_VALID of include/net/neighbour.h: states in which the entry has an address. */
#define NS_NUD_VALID 0xde

/* enum ns_fdb_action -> "learn", "move", ... */
const char *ns_fdb_action_name(unsigned action);
/* rtnl_link_ops kind as read in the kernel; "" (no ops: a NIC) -> "physical". */
const char *ns_port_kind(const char *kind);
void ns_fmt_mac(const uint8_t *mac, char *buf, size_t len);
/* NUD_* bits -> "REACHABLE", "NONE", "STALE|..." */
const char *ns_nud_state_name(unsigned state, char *buf, size_t len);

void ns_fmt_fdb_text(const struct ns_fmt *f, const struct fdb_event *e, struct ns_buf *b);
void ns_fmt_fdb_json(const struct ns_fmt *f, const struct fdb_event *e, struct ns_buf *b);
void ns_fmt_neigh_text(const struct ns_fmt *f, const struct neigh_event *e, struct ns_buf *b);
void ns_fmt_neigh_json(const struct ns_fmt *f, const struct neigh_event *e, struct ns_buf *b);

#endif
