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
};

struct ns_report {
	struct ns_report_row *rows;
	size_t n, cap;
	uint64_t events_lost;
	uint64_t counter_updates_lost;
	bool api_up;			/* container runtime API reachable */
};

struct ns_report_row *ns_report_add(struct ns_report *r);
void ns_report_free(struct ns_report *r);
/* host, then containers by name, then `ip netns` namespaces, then unknown ones by inode */
void ns_report_sort(struct ns_report *r);
void ns_report_text(const struct ns_report *r, const struct ns_fmt *f, const char *title, struct ns_buf *b);
void ns_report_json(const struct ns_report *r, const struct ns_fmt *f, const char *ts, bool final,
		    struct ns_buf *b);

#endif
