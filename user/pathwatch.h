/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The agent's glue for issue #6: drop and retransmission counters per
 * namespace, the per-destination view, and stalled flows (stall.h) fed from
 * the session's events, the kernel's flow table and sock_diag lookups.
 */
#ifndef NETSLEUTH_PATHWATCH_H
#define NETSLEUTH_PATHWATCH_H

#include <stdbool.h>
#include <stdint.h>
#include "json.h"
#include "path.h"
#include "stall.h"

struct ns_session;
struct ns_event_hdr;

#define NS_PATH_TOP_REASONS 5
#define NS_PATH_RECENT_CLOSED 16	/* closed stalls kept for reports */

struct ns_path_counters {
	uint64_t drops;
	unsigned ntop;
	struct {
		char reason[48];	/* "NETFILTER_DROP"; "UNKNOWN" on kernels without reasons */
		uint64_t n;
	} top[NS_PATH_TOP_REASONS];	/* most frequent first */
	uint64_t retrans_syn, retrans_data, retrans_synack;	/* retransmissions by kind */
	uint64_t retrans_rto, retrans_fast;	/* of SYN + data ones, by cause */
	uint64_t retrans_segs;			/* segments, as TcpRetransSegs counts them */
	uint64_t flows_timeout, flows_reset;	/* retransmitting flows that died so */
	uint64_t stalls_open, stalls_total;
};

struct ns_path_end {
	struct ns_flow_key k;
	enum ns_stall_end end;
	uint64_t acked, sent, ts_ms;
};

struct ns_pathwatch {
	struct ns_session *s;
	struct ns_stalls st;
	struct ns_dest_table dest;
	struct ns_drop_counts drops;
	struct ns_retrans_counts rc;
	struct ns_retrans_dests rd;
	struct ns_path_end *ends;	/* flow ends seen since the last tick */
	size_t nends, cap_ends;
	struct ns_stall_anomaly recent[NS_PATH_RECENT_CLOSED];	/* ring of closed stalls */
	unsigned nrecent, recent_head;
	uint64_t probes, probe_errors;
};

/* 0 (also when neither feature is loaded: then it reports nothing), or -errno. */
int ns_path_init(struct ns_pathwatch *pw, struct ns_session *s, uint64_t stall_threshold_ms);
/* Every record the session hands the agent; only DROP/RETRANS/FLOW_END matter here. */
void ns_path_event(struct ns_pathwatch *pw, const struct ns_event_hdr *h);
/* Re-read counters, look flows up, decide stalls; emit(ctx, anomaly, enum ns_stall_transition). */
void ns_path_tick(struct ns_pathwatch *pw, uint64_t now_ms,
		  void (*emit)(void *ctx, const struct ns_stall_anomaly *a, int transition), void *ctx);
/* Counters of one namespace as of the last tick. */
int ns_path_netns_counters(struct ns_pathwatch *pw, uint32_t netns, struct ns_path_counters *out);
/* The per-destination table (text: up to max_rows, 0 all) and stall anomalies (open ones, then recently closed). */
void ns_path_dest_text(const struct ns_pathwatch *pw, size_t max_rows, struct ns_buf *b);
void ns_path_dest_json(const struct ns_pathwatch *pw, size_t max_rows, struct ns_json *j);
void ns_path_stalls_text(const struct ns_pathwatch *pw, uint64_t now_ms, struct ns_buf *b);
/* A JSON array of stalled_flow objects (docs/anomalies.md). */
void ns_path_stalls_json(const struct ns_pathwatch *pw, uint64_t now_ms, struct ns_json *j);
/*
 * The agent's report section for all this, as of the last tick: one JSON line
 * {"type":"path",...} (docs/events.md#path-reports) or a text block; nothing
 * when neither feature is loaded.
 */
/*
 * Re-read the kernel's drop and retransmission counters and rebuild the
 * per-destination view: before a report, not every tick (a walk of every
 * per-CPU counter map).
 */
void ns_path_refresh(struct ns_pathwatch *pw, uint64_t now_ms);
void ns_path_report_json(struct ns_pathwatch *pw, const char *ts, bool final, uint64_t now_ms, struct ns_buf *b);
void ns_path_report_text(struct ns_pathwatch *pw, uint64_t now_ms, struct ns_buf *b);
void ns_path_free(struct ns_pathwatch *pw);

#endif
