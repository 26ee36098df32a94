/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Rendering events as aligned text columns or one JSON object per line. */
#ifndef NETSLEUTH_FMT_H
#define NETSLEUTH_FMT_H

#include <linux/types.h>
#include <stdbool.h>
#include <stdint.h>
#include "ident.h"
#include "json.h"
#include "ct.h"
#include "rst.h"

/* Names of a kernel enum by value (read from BTF at run time); slots may be NULL. */
struct ns_enum_names {
	char **name;
	unsigned n;
};

struct ns_fmt {
	const struct ns_enum_names *rst_reasons;	/* enum sk_rst_reason, NULL if absent */
	const struct ns_enum_names *drop_reasons;	/* enum skb_drop_reason, NULL if absent */
	ns_ident_fn ident;	/* netns inode -> container / host / `ip netns`; may be NULL */
	void *ident_ctx;
	int64_t mono_to_real_ns;	/* CLOCK_REALTIME - CLOCK_MONOTONIC */
	bool utc;			/* text timestamps in UTC rather than local time */
};

const char *ns_tcp_state_name(unsigned state);
/* "NO_SOCKET", "TCP_FLAGS", ... or NULL for received RSTs. */
const char *ns_rst_reason_name(const struct ns_fmt *f, const struct rst_event *e, char *buf, size_t len);
/* ["SYN","ACK"]: TCP flags as a JSON array, in header bit order. */
void ns_fmt_tcp_flags_json(struct ns_json *j, uint8_t flags);
/* tcpdump-style "S." for SYN|ACK; "" for none. */
void ns_tcp_flags_str(uint8_t flags, char *buf, size_t len);
/* "10.0.0.1:80" / "[2001:db8::1]:80" */
void ns_fmt_endpoint(uint16_t family, const uint8_t *addr, uint16_t port, char *buf, size_t len);
void ns_fmt_addr(uint16_t family, const uint8_t *addr, char *buf, size_t len);

void ns_fmt_rst_header(struct ns_buf *b);
void ns_fmt_rst_text(const struct ns_fmt *f, const struct rst_event *e, struct ns_buf *b);
void ns_fmt_rst_json(const struct ns_fmt *f, const struct rst_event *e, struct ns_buf *b);
/* IP protocol number -> "tcp", "udp", "icmp", "icmpv6", else "protoN" in buf. */
const char *ns_ip_proto_name(uint8_t p, char *buf, size_t len);
/* enum ns_ct_reason -> "SEQ_OVER_UPPER", ... */
const char *ns_ct_reason_name(unsigned code);
void ns_fmt_ct_text(const struct ns_fmt *f, const struct ct_event *e, struct ns_buf *b);
void ns_fmt_ct_json(const struct ns_fmt *f, const struct ct_event *e, struct ns_buf *b);
/* Any record that passed ns_event_check(), by its type. */
void ns_fmt_event(const struct ns_fmt *f, const struct ns_event_hdr *h, bool json, struct ns_buf *b);

/* Identity of a namespace through f->ident (kind UNKNOWN when there is none). */
void ns_fmt_ident(const struct ns_fmt *f, uint32_t netns, struct ns_ident *out);
/* "netns_name" and "container" members of a JSON object. */
void ns_fmt_ident_json(struct ns_json *j, const struct ns_ident *id);

/* Event time: "HH:MM:SS.mmm" (local or f->utc) or RFC 3339 UTC with microseconds (iso). */
void ns_fmt_time(const struct ns_fmt *f, uint64_t ts_ns, bool iso, char *buf, size_t len);
/* Opens a JSON event object with the common fields (docs/events.md); the caller adds its own and closes it. */
void ns_fmt_json_head(struct ns_json *j, const struct ns_fmt *f, const struct ns_event_hdr *h, struct ns_buf *b);

/* Validates a raw ring-buffer record before any field is trusted: 0 or -EINVAL. */
int ns_event_check(const void *data, size_t size);

#endif
