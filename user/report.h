/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The agent's periodic report: one row per network namespace (container,
 * host, `ip netns`), with RST counts, live TCP state counts and interface
 * counters. Rendering is pure logic; the agent fills the rows.
 */
#ifndef NETSLEUTH_REPORT_H
#define NETSLEUTH_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include "ident.h"
#include "json.h"
#include "summary.h"
#include "tcpgauge.h"
#include "l2.h"

#define NS_REPORT_MAX_LINKS 16

struct ns_report_link {
	char name[16];
	char kind[16];		/* veth, bridge, vxlan, "" */
	char peer[16];		/* host-side veth of a container interface, when known */
	int ifindex;
	uint8_t mac[6];
	bool has_mac;
	uint64_t rx_bytes, tx_bytes, rx_packets, tx_packets, rx_errors, tx_errors, rx_dropped, tx_dropped;
	unsigned naddrs;
	char addrs[4][48];	/* "172.17.0.2/16"-style without the prefix: "172.17.0.2" */
};

struct ns_report_row {
	struct ns_ident id;
	bool alive;
	struct ns_rst_row rst;		/* zero when none */
	uint64_t rst_sent_delta, rst_recv_delta;
	bool has_tcp;
	uint64_t tcp[NS_TCP_NSTATES];
	unsigned nlinks;
	struct ns_report_link links[NS_REPORT_MAX_LINKS];
	uint64_t ct_invalid;		/* packets conntrack found INVALID here (kernel count) */
	uint64_t ct_invalid_resets;	/* ... that the host answered with a RST */
	char ct_drop_rule[96];		/* the INVALID drop rule there, when one was found */
	uint64_t ct_by_reason[6];	/* enum ns_ct_reason */
	bool has_l2;			/* the FDB/neighbour feature is loaded */
	uint64_t fdb_moves;		/* bridge FDB moves of MACs this namespace owns */
	uint64_t neigh_changes;		/* neighbour entries here that changed state or address */
	uint64_t neigh_dup_answers;	/* ... answered twice within the duplicate window */
};

/* One bridge's forwarding table activity (kernel counts since netsleuth started). */
struct ns_report_bridge {
	char where[64];
	uint32_t netns;
	char name[16];
	uint32_t ifindex;
	uint64_t learned, moves, deleted, added, refreshes;
	unsigned flapping;		/* MACs flapping on it now */
};

/* An IP answered twice within the duplicate window (two hosts, or a proxy, claim it). */
struct ns_report_dup {
	char where[64];
	uint32_t netns;
	char ifname[16];
	char addr[48];
	char lladdr[24];
	uint64_t count;
	char last[32];
};

/* A conntrack-invalid reset anomaly, ready to print. */
struct ns_report_anomaly {
	char where[64];		/* namespace whose conntrack and stack saw it */
	uint32_t netns;
	char client[48];
	char pub[64];		/* public address:port the client used */
	char target[160];	/* where DNAT sends it: "name ip:port", "" when unknown */
	char flow_state[16];
	char first[32], last[32];
	uint64_t resets;
	bool liberal;		/* nf_conntrack_tcp_be_liberal=1 there now */
	char drop_rule[96];	/* an INVALID drop rule found there now, "" if none */
	bool active;		/* seen in the last minute */
};

struct ns_report {
	struct ns_report_row *rows;
	size_t n, cap;
	struct ns_report_anomaly *anomalies;
	size_t nanomalies, cap_anomalies;
	struct ns_flap_desc *flaps;	/* FDB flapping anomalies, open and recently closed */
	size_t nflaps, cap_flaps;
	struct ns_report_bridge *bridges;
	size_t nbridges, cap_bridges;
	struct ns_report_dup *dups;
	size_t ndups, cap_dups;
	struct ns_buf overlay_text;	/* the latest overlay audit, rendered (empty: none run) */
	struct ns_buf overlay_json;	/* ... as a JSON array */
	uint64_t events_lost;
	uint64_t counter_updates_lost;
	bool api_up;			/* container runtime API reachable */
};

struct ns_report_row *ns_report_add(struct ns_report *r);
void ns_report_free(struct ns_report *r);
/* host, then containers by name, then `ip netns` namespaces, then unknown ones by inode */
void ns_report_sort(struct ns_report *r);
/* The one line an anomaly deserves the moment it is found (and in every report). */
void ns_report_anomaly_line(const struct ns_report_anomaly *a, struct ns_buf *b);
void ns_report_anomaly_json(const struct ns_report_anomaly *a, struct ns_json *j);
void ns_report_text(const struct ns_report *r, const struct ns_fmt *f, const char *title, struct ns_buf *b);
void ns_report_json(const struct ns_report *r, const struct ns_fmt *f, const char *ts, bool final,
		    struct ns_buf *b);

#endif
