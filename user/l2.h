/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Bridge FDB and neighbour tables (issue #5): the kernel's counters as read
 * by user/fdb.c, and the flap detector (user/flap.c, pure logic).
 */
#ifndef NETSLEUTH_L2_H
#define NETSLEUTH_L2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "fdb.h"
#include "ident.h"
#include "json.h"

struct ns_loaded;
extern const struct ns_feature ns_fdb_feature;

struct ns_fdb_count {
	uint32_t netns, br_ifindex, port_ifindex;
	uint8_t action;		/* enum ns_fdb_action */
	uint64_t n;
};
struct ns_fdb_counts {
	struct ns_fdb_count *v;
	size_t n, cap;
};
int ns_fdb_read_counts(const struct ns_loaded *l, struct ns_fdb_counts *out);

struct ns_neigh_count {
	uint32_t netns, ifindex;
	uint8_t family, old_state, new_state, flags;	/* NS_NEIGH_F_STATE | LLADDR | DUP */
	uint64_t n;
};
struct ns_neigh_counts {
	struct ns_neigh_count *v;
	size_t n, cap;
};
int ns_neigh_read_counts(const struct ns_loaded *l, struct ns_neigh_counts *out);

/* The kernel's record of one (bridge, vlan, MAC): exact move count even when events were lost. */
int ns_fdb_mac_lookup(const struct ns_loaded *l, uint32_t netns, uint32_t br_ifindex, uint16_t vlan,
		      const uint8_t mac[6], struct fdb_mac_val *out);
/* cb for every remembered MAC that moved at least once; stops on cb != 0 (negative: returned). */
int ns_fdb_moves_walk(const struct ns_loaded *l,
		      int (*cb)(void *ctx, const struct fdb_mac_key *k, const struct fdb_mac_val *v), void *ctx);

/* --- flap detector (pure) --- */

#define NS_FLAP_MAX_PORTS 4
#define NS_FLAP_MAX_THRESHOLD 63
#define NS_FLAP_MAX_TRACKED 4096
#define NS_FLAP_DEFAULT_MOVES 5
#define NS_FLAP_DEFAULT_WINDOW_NS (60ULL * 1000000000ULL)

struct ns_flap_port {
	uint32_t ifindex;
	char name[16];
	char kind[16];		/* "" = physical */
	uint64_t arrivals;	/* moves onto this port while tracked */
};

/* One (bridge, vlan, MAC) that moved recently; an anomaly once `open`. */
struct ns_flap {
	uint32_t netns, br_ifindex;
	uint16_t vlan;
	uint8_t mac[6];
	char bridge[16];
	uint64_t recent[NS_FLAP_MAX_THRESHOLD + 1];	/* ring of the last move times (ns) */
	unsigned head, nrecent;
	bool open;
	uint64_t start_ns;	/* first move of the window that crossed the threshold */
	uint64_t last_ns;
	uint64_t moves;		/* moves since start_ns (while open), else in the window */
	uint64_t kernel_moves;	/* the kernel's count for this MAC, all time */
	struct ns_flap_port ports[NS_FLAP_MAX_PORTS];
	unsigned nports;
};

struct ns_flaps {
	struct ns_flap *v;
	size_t n, cap;
	unsigned threshold;	/* an anomaly: more than this many moves ... */
	uint64_t window_ns;	/* ... within this long; closed after this long without one */
	uint64_t opened, closed;	/* anomalies so far */
	uint64_t dropped;	/* trackers given up because NS_FLAP_MAX_TRACKED were busy */
};

void ns_flaps_init(struct ns_flaps *f, unsigned threshold, uint64_t window_ns);
void ns_flaps_free(struct ns_flaps *f);
/* A NS_FDB_MOVE record; *opened set when this move made it an anomaly. NULL: not tracked (ENOMEM/full). */
struct ns_flap *ns_flaps_move(struct ns_flaps *f, const struct fdb_event *e, bool *opened);
/*
 * Anomalies without a move for a whole window are closed (closed() is called
 * with each before it is forgotten); quiet trackers are forgotten.
 */
void ns_flaps_expire(struct ns_flaps *f, uint64_t now_ns, void (*closed)(void *ctx, struct ns_flap *fl), void *ctx);
/* Moves per minute over the anomaly's life so far (a single instant: per the window). */
double ns_flap_rate_per_min(const struct ns_flap *fl, uint64_t window_ns);

/* A flap anomaly ready to print (the agent fills names and the cause). */
struct ns_flap_desc {
	char where[64];		/* namespace of the bridge */
	uint32_t netns;
	char bridge[16];
	char mac[24];
	uint16_t vlan;
	char owner[128];	/* who the MAC belongs to: container / namespace label, "" unknown */
	uint32_t owner_netns;
	struct {
		char name[16];
		char kind[16];
		char owner[64];	/* container whose host-side veth it is, "" */
		uint64_t arrivals;
	} ports[NS_FLAP_MAX_PORTS];
	unsigned nports;
	uint64_t moves;
	uint64_t kernel_moves;
	double rate_per_min;
	char start[32], end[32];
	bool open;
	char cause[512];	/* "" when nothing explains it */
	char fix[768];
};
/* One line, as logged when it opens/closes and in every text report. */
void ns_flap_desc_line(const struct ns_flap_desc *d, struct ns_buf *b);
void ns_flap_desc_json(const struct ns_flap_desc *d, struct ns_json *j);

#endif
