/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Drop, retransmission and flow-end records: names and rendering (issue #6). Pure. */
#ifndef NETSLEUTH_FMT_PATH_H
#define NETSLEUTH_FMT_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "drop.h"
#include "retrans.h"

struct ns_fmt;
struct ns_buf;
struct ns_event_hdr;

/*
 * enum skb_drop_reason -> "NETFILTER_DROP" (names from the running kernel's
 * BTF through f->drop_reasons), "REASON_<n>" for a value it has no name for,
 * NULL when the kernel gave no reason (before 5.17).
 */
const char *ns_drop_reason_str(const struct ns_fmt *f, bool has_reason, uint32_t reason, char *buf, size_t len);
const char *ns_retrans_kind_name(unsigned kind);	/* "data", "syn", "synack" */
const char *ns_retrans_cause_name(unsigned cause);	/* "other", "rto", "fast", "unknown" */
const char *ns_flow_end_name(unsigned end);		/* "closed", "reset", "timeout", "error" */

void ns_fmt_drop_text(const struct ns_fmt *f, const struct drop_event *e, struct ns_buf *b);
void ns_fmt_drop_json(const struct ns_fmt *f, const struct drop_event *e, struct ns_buf *b);
void ns_fmt_retrans_text(const struct ns_fmt *f, const struct retrans_event *e, struct ns_buf *b);
void ns_fmt_retrans_json(const struct ns_fmt *f, const struct retrans_event *e, struct ns_buf *b);
void ns_fmt_flow_end_text(const struct ns_fmt *f, const struct flow_end_event *e, struct ns_buf *b);
void ns_fmt_flow_end_json(const struct ns_fmt *f, const struct flow_end_event *e, struct ns_buf *b);
/* NS_EV_DROP / NS_EV_RETRANS / NS_EV_FLOW_END, by the header's type. */
void ns_fmt_path_event(const struct ns_fmt *f, const struct ns_event_hdr *h, bool json, struct ns_buf *b);
/* ns_event_check() for those three types: 0 or -EINVAL. */
int ns_path_event_check(const void *data, size_t size);

#endif
