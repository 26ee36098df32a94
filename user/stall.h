/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Stalled flows and the per-destination view (issue #6). Pure logic: fed
 * with retransmissions and flow ends (kernel events or its flow table) and
 * with what sock_diag says about the live socket, it decides when a flow is
 * stuck; no clock or system call of its own (times are monotonic ms).
 *
 * A flow is stalled when it retransmits and its acknowledged bytes do not
 * advance for longer than the threshold, with data outstanding. Progress is
 * observed, never guessed: a retransmission event carries bytes_acked, and
 * every tick a bounded number of tracked flows are looked up (tcp_info). An
 * idle connection never retransmits, so it is never tracked; a lossy but
 * moving flow retransmits and keeps advancing, so it never opens one.
 */
#ifndef NETSLEUTH_STALL_H
#define NETSLEUTH_STALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ident.h"
#include "json.h"
#include "path.h"

struct ns_fmt;

#define NS_STALL_DEFAULT_THRESHOLD_MS 10000
#define NS_STALL_MAX_FLOWS 4096		/* tracked at once; the quietest non-stalled one makes room */
#define NS_STALL_PROBES_PER_TICK 64	/* sock_diag lookups per tick, all namespaces together */
#define NS_STALL_FORGET_MS 60000	/* a flow without retransmissions this long (and more than 3 thresholds) is forgotten */

/* One TCP flow as its own end sees it: local saddr:sport, remote daddr:dport. */
struct ns_flow_key {
	uint32_t netns;
	uint16_t family;	/* AF_INET / AF_INET6 */
	uint16_t sport, dport;
	uint8_t saddr[16], daddr[16];
};

/* How a stall ended. ABI of the JSON: names only ever added. */
enum ns_stall_end {
	NS_STALL_END_NONE = 0,		/* still open */
	NS_STALL_END_RECOVERED,		/* acknowledged bytes advanced again */
	NS_STALL_END_RESET,
	NS_STALL_END_TIMEOUT,		/* the kernel gave up retransmitting (ETIMEDOUT or a soft error) */
	NS_STALL_END_CLOSED,		/* closed without an error, or the socket is gone */
};

enum ns_stall_transition { NS_STALL_OPENED, NS_STALL_UPDATED, NS_STALL_CLOSED };

struct ns_stall_anomaly {
	struct ns_flow_key k;
	uint64_t bytes_acked, bytes_sent;	/* moved so far (the latest known) */
	uint64_t stuck_ms;		/* since the last progress seen (or the first retransmission) */
	uint64_t retransmits;		/* the flow's retransmissions, all (the kernel's count) */
	uint64_t first_ms;		/* stuck since (monotonic ms) */
	uint64_t last_ms;		/* last update: retransmission, lookup, or the end */
	uint32_t unacked;		/* segments outstanding, from the last lookup */
	uint8_t state;			/* TCP state from the last lookup, 0 unknown */
	bool open;
	enum ns_stall_end end;
};

/* What sock_diag said about the live socket (tcp_info). */
struct ns_stall_probe {
	bool found;
	uint8_t state;
	uint32_t unacked;
	uint64_t bytes_acked, bytes_sent;
};

typedef void (*ns_stall_emit_fn)(void *ctx, const struct ns_stall_anomaly *a, int transition);

struct ns_stall_flow {
	struct ns_flow_key k;
	uint64_t first_retrans_ms, last_retrans_ms;
	uint64_t retrans;		/* kernel's per-flow count, or retransmissions seen */
	uint64_t acked, sent;		/* latest known */
	uint64_t progress_ms;		/* when acked last advanced (first retransmission until then) */
	uint64_t probed_ms;		/* last lookup that found the socket, 0 never */
	uint64_t gone_ms;		/* a lookup did not find it: closed unless a flow end explains it first */
	uint32_t unacked;
	uint8_t state;
	bool open;
	uint64_t opened_ms, emitted_ms, emitted_retrans;
};

struct ns_stall_dest {
	uint32_t netns;
	uint16_t family, dport;
	uint8_t daddr[16];
	uint64_t open, total;
};

struct ns_stalls {
	struct ns_stall_flow *v;
	size_t n, cap;
	struct ns_stall_dest *d;	/* stalls per (netns, destination), for the destination view */
	size_t nd, capd;
	uint64_t threshold_ms;
	size_t rr;			/* round-robin cursor of lookups */
	uint64_t opened, closed;	/* anomalies so far */
	uint64_t dropped;		/* flows not tracked: NS_STALL_MAX_FLOWS busy with stalls */
};

void ns_stalls_init(struct ns_stalls *s, uint64_t threshold_ms);
void ns_stalls_free(struct ns_stalls *s);
/*
 * A data retransmission (SYN and SYN-ACK ones are not tracked: a connect that
 * never completes is counted per destination, not a stall). flow_retrans: the
 * kernel's count for the flow (0: count this one).
 */
int ns_stalls_retrans(struct ns_stalls *s, const struct ns_flow_key *k, uint64_t ts_ms, uint64_t flow_retrans,
		      uint64_t bytes_acked, uint64_t bytes_sent);
/* The flow reached TCP_CLOSE (NS_EV_FLOW_END): an open stall closes with `end`; the flow is forgotten. */
void ns_stalls_end(struct ns_stalls *s, const struct ns_flow_key *k, enum ns_stall_end end, uint64_t bytes_acked,
		   uint64_t bytes_sent, uint64_t ts_ms, ns_stall_emit_fn emit, void *ctx);
/* Up to max flows to look up now: open stalls first, then round robin. */
size_t ns_stalls_probe_list(struct ns_stalls *s, struct ns_flow_key *out, size_t max);
void ns_stalls_probed(struct ns_stalls *s, const struct ns_flow_key *k, const struct ns_stall_probe *p, uint64_t now_ms,
		      ns_stall_emit_fn emit, void *ctx);
/* Opens, updates (at most once per threshold), closes vanished ones, forgets quiet ones. */
void ns_stalls_tick(struct ns_stalls *s, uint64_t now_ms, ns_stall_emit_fn emit, void *ctx);
/* Open anomalies as of now_ms into out (up to max); returns how many are open. */
size_t ns_stalls_open_list(const struct ns_stalls *s, uint64_t now_ms, struct ns_stall_anomaly *out, size_t max);
/* Open stalls / stalls so far in netns (0: all). */
void ns_stalls_netns(const struct ns_stalls *s, uint32_t netns, uint64_t *open, uint64_t *total);

/* ns_flow_end (bpf/retrans.h) -> how a stall ends. */
enum ns_stall_end ns_stall_end_of_flow_end(unsigned flow_end);
const char *ns_stall_end_name(enum ns_stall_end e);	/* "recovered", ...; NULL for NONE */

/* One line for logs and text reports; JSON object (docs/anomalies.md#stalled_flow). */
void ns_stall_anomaly_line(const struct ns_stall_anomaly *a, const struct ns_fmt *f, struct ns_buf *b);
void ns_stall_anomaly_json(const struct ns_stall_anomaly *a, const struct ns_fmt *f, struct ns_json *j);

/* --- per destination: "every container's flows to X:443 suffer, others are fine" --- */

#define NS_DEST_MAX_NS 8	/* namespaces listed per destination, busiest first (totals cover all) */

struct ns_dest_ns {
	uint32_t netns;
	uint64_t syn, data, synack;
	uint64_t stalls_open, stalls_total;
};

struct ns_dest_row {
	uint16_t family, port;
	uint8_t addr[16];
	uint64_t syn, data, synack;	/* retransmissions to it, all namespaces */
	double syn_rate, data_rate;	/* per second since the previous build */
	uint64_t stalls_open, stalls_total;
	unsigned nns_total;		/* namespaces with anything towards it */
	unsigned nns;
	struct ns_dest_ns ns[NS_DEST_MAX_NS];
};

struct ns_dest_table {
	struct ns_dest_row *rows;
	size_t n, cap;
	struct ns_dest_row *prev;	/* the previous build, for rates */
	size_t nprev, capprev;
	uint64_t built_ms, prev_ms;
};

/* Rebuild from the kernel's per-destination counts and the stall tracker (may be NULL); worst first. */
int ns_dest_build(struct ns_dest_table *t, const struct ns_retrans_dest *d, size_t nd, const struct ns_stalls *s,
		  uint64_t now_ms);
void ns_dest_table_free(struct ns_dest_table *t);
/* Up to max_rows rows (0: all). */
void ns_dest_text(const struct ns_dest_table *t, const struct ns_fmt *f, size_t max_rows, struct ns_buf *b);
void ns_dest_json(const struct ns_dest_table *t, const struct ns_fmt *f, size_t max_rows, struct ns_json *j);

#endif
