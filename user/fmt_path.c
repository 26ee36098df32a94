// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Drop, retransmission and flow-end records as text columns and JSON (docs/events.md). Pure. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "fmt.h"
#include "fmt_path.h"

/* The trace's columns (ns_fmt_rst_header): TIME EVENT WHERE IFACE SOURCE DESTINATION STATE REASON DETAIL */
#define PATH_COLS "%-12s  %-8s  %-12s  %-10s  %-24s  %-24s  %-12s  %-16s  %s\n"

const char *ns_drop_reason_str(const struct ns_fmt *f, bool has_reason, uint32_t reason, char *buf, size_t len)
{
	if (!has_reason)
		return NULL;
	if (f && f->drop_reasons && reason < f->drop_reasons->n && f->drop_reasons->name[reason])
		return f->drop_reasons->name[reason];
	snprintf(buf, len, "REASON_%u", reason);
	return buf;
}

const char *ns_retrans_kind_name(unsigned kind)
{
	static const char *const names[] = { [NS_RT_DATA] = "data", [NS_RT_SYN] = "syn", [NS_RT_SYNACK] = "synack" };

	return kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "unknown";
}

const char *ns_retrans_cause_name(unsigned cause)
{
	static const char *const names[] = {
		[NS_RT_C_OTHER] = "other", [NS_RT_C_RTO] = "rto", [NS_RT_C_FAST] = "fast", [NS_RT_C_UNKNOWN] = "unknown",
	};

	return cause < sizeof(names) / sizeof(names[0]) ? names[cause] : "unknown";
}

const char *ns_flow_end_name(unsigned end)
{
	static const char *const names[] = {
		[NS_FE_CLOSED] = "closed", [NS_FE_RESET] = "reset", [NS_FE_TIMEOUT] = "timeout", [NS_FE_ERROR] = "error",
	};

	return end < sizeof(names) / sizeof(names[0]) ? names[end] : "error";
}

static void label(const struct ns_fmt *f, uint32_t netns, char *buf, size_t len)
{
	struct ns_ident id;

	ns_fmt_ident(f, netns, &id);
	ns_ident_label(&id, buf, len);
}

static void ifname_str(const char *name, size_t n, uint32_t ifindex, char *buf, size_t len)
{
	if (name[0])
		snprintf(buf, len, "%.*s", (int)n, name);
	else if (ifindex)
		snprintf(buf, len, "if%u", ifindex);
	else
		snprintf(buf, len, "-");
}

static void upper(char *s)
{
	for (; *s; s++)
		if (*s >= 'a' && *s <= 'z')
			*s = (char)(*s - 'a' + 'A');
}

static void kv_iso(struct ns_json *j, const struct ns_fmt *f, const char *k, uint64_t ts_ns)
{
	char tbuf[80];

	nj_key(j, k);
	if (!ts_ns) {
		nj_null(j);
		return;
	}
	ns_fmt_time(f, ts_ns, true, tbuf, sizeof(tbuf));
	nj_str(j, tbuf);
}

static void kv_addr_port(struct ns_json *j, const char *ka, const char *kp, uint16_t family, const uint8_t *addr,
			 bool has_port, uint16_t port)
{
	char a[64];

	nj_key(j, ka);
	if (family == 2 || family == 10) {
		ns_fmt_addr(family, addr, a, sizeof(a));
		nj_str(j, a);
	} else {
		nj_null(j);
	}
	nj_key(j, kp);
	if (has_port)
		nj_u64(j, port);
	else
		nj_null(j);
}

static const char *family_name(uint16_t family)
{
	return family == 10 ? "ipv6" : family == 2 ? "ipv4" : NULL;
}

/* --- drop --- */

static void drop_endpoints(const struct drop_event *e, char *src, char *dst, size_t len)
{
	if (!(e->flags & NS_DROP_F_ADDRS)) {
		snprintf(src, len, "-");
		snprintf(dst, len, "-");
	} else if (e->flags & NS_DROP_F_PORTS) {
		ns_fmt_endpoint(e->family, e->saddr, e->sport, src, len);
		ns_fmt_endpoint(e->family, e->daddr, e->dport, dst, len);
	} else {
		ns_fmt_addr(e->family, e->saddr, src, len);
		ns_fmt_addr(e->family, e->daddr, dst, len);
	}
}

void ns_fmt_drop_text(const struct ns_fmt *f, const struct drop_event *e, struct ns_buf *b)
{
	char tbuf[80], nsbuf[64], ifbuf[24], src[64], dst[64], rbuf[32], pbuf[16], fl[16], detail[160];
	const char *reason = ns_drop_reason_str(f, e->flags & NS_DROP_F_REASON, e->reason, rbuf, sizeof(rbuf));
	int n;

	ns_fmt_time(f, e->hdr.ts_ns, false, tbuf, sizeof(tbuf));
	label(f, e->hdr.netns, nsbuf, sizeof(nsbuf));
	ifname_str(e->ifname, sizeof(e->ifname), e->ifindex, ifbuf, sizeof(ifbuf));
	drop_endpoints(e, src, dst, sizeof(src));
	if (e->flags & NS_DROP_F_ADDRS)
		n = snprintf(detail, sizeof(detail), "%s", ns_ip_proto_name(e->l4proto, pbuf, sizeof(pbuf)));
	else
		n = snprintf(detail, sizeof(detail), "ethertype 0x%04x", e->l3proto);
	if (e->flags & NS_DROP_F_TCP) {
		ns_tcp_flags_str(e->tcp_flags, fl, sizeof(fl));
		n += snprintf(detail + n, sizeof(detail) - (size_t)n, " [%s]", fl);
	}
	n += snprintf(detail + n, sizeof(detail) - (size_t)n, " len %u", e->len);
	if (e->suppressed)
		snprintf(detail + n, sizeof(detail) - (size_t)n, "; %llu more like it not shown (rate limit)",
			 (unsigned long long)e->suppressed);
	ns_buf_printf(b, PATH_COLS, tbuf, "drop", nsbuf, ifbuf, src, dst, "-", reason ? reason : "UNKNOWN", detail);
}

void ns_fmt_drop_json(const struct ns_fmt *f, const struct drop_event *e, struct ns_buf *b)
{
	char rbuf[32], pbuf[16], loc[24];
	const char *reason = ns_drop_reason_str(f, e->flags & NS_DROP_F_REASON, e->reason, rbuf, sizeof(rbuf));
	bool addrs = e->flags & NS_DROP_F_ADDRS, ports = e->flags & NS_DROP_F_PORTS;
	struct ns_json j;

	ns_fmt_json_head(&j, f, &e->hdr, b);
	nj_kv_str(&j, "family", addrs ? family_name(e->family) : NULL);
	nj_kv_str(&j, "proto", addrs ? ns_ip_proto_name(e->l4proto, pbuf, sizeof(pbuf)) : NULL);
	nj_kv_u64(&j, "ethertype", e->l3proto);
	kv_addr_port(&j, "saddr", "sport", addrs ? e->family : 0, e->saddr, ports, e->sport);
	kv_addr_port(&j, "daddr", "dport", addrs ? e->family : 0, e->daddr, ports, e->dport);
	nj_key(&j, "tcp_flags");
	if (e->flags & NS_DROP_F_TCP)
		ns_fmt_tcp_flags_json(&j, e->tcp_flags);
	else
		nj_null(&j);
	nj_key(&j, "ifindex");
	if (e->ifindex)
		nj_u64(&j, e->ifindex);
	else
		nj_null(&j);
	nj_key(&j, "ifname");
	if (e->ifname[0])
		nj_strn(&j, e->ifname, strnlen(e->ifname, sizeof(e->ifname)));
	else
		nj_null(&j);
	nj_kv_u64(&j, "len", e->len);
	nj_kv_str(&j, "reason", reason);
	nj_kv_str(&j, "reason_source", reason ? "kernel" : NULL);
	snprintf(loc, sizeof(loc), "0x%llx", (unsigned long long)e->location);
	nj_kv_str(&j, "location", e->location ? loc : NULL);
	nj_key(&j, "socket");
	nj_bool(&j, e->flags & NS_DROP_F_SOCK);
	nj_kv_u64(&j, "suppressed", e->suppressed);
	nj_obj_end(&j);
	ns_buf_putn(b, "\n", 1);
}

/* --- retrans --- */

void ns_fmt_retrans_text(const struct ns_fmt *f, const struct retrans_event *e, struct ns_buf *b)
{
	char tbuf[80], nsbuf[64], src[64], dst[64], why[24], detail[200];

	ns_fmt_time(f, e->hdr.ts_ns, false, tbuf, sizeof(tbuf));
	label(f, e->hdr.netns, nsbuf, sizeof(nsbuf));
	ns_fmt_endpoint(e->family, e->saddr, e->sport, src, sizeof(src));
	ns_fmt_endpoint(e->family, e->daddr, e->dport, dst, sizeof(dst));
	snprintf(why, sizeof(why), "%s/%s", ns_retrans_kind_name(e->kind), ns_retrans_cause_name(e->cause));
	upper(why);
	if (e->kind == NS_RT_SYNACK)
		snprintf(detail, sizeof(detail), "SYN-ACK sent again (%u so far)", e->flow_retrans);
	else
		snprintf(detail, sizeof(detail), "#%u of this flow, for %.1fs; seq %u len %u; %llu B acked of %llu sent",
			 e->flow_retrans, (double)(e->hdr.ts_ns - e->first_ns) / 1e9, e->seq, e->len,
			 (unsigned long long)e->bytes_acked, (unsigned long long)e->bytes_sent);
	ns_buf_printf(b, PATH_COLS, tbuf, "retrans", nsbuf, "-", src, dst, ns_tcp_state_name(e->state), why, detail);
}

void ns_fmt_retrans_json(const struct ns_fmt *f, const struct retrans_event *e, struct ns_buf *b)
{
	struct ns_json j;
	bool sock = e->kind != NS_RT_SYNACK;

	ns_fmt_json_head(&j, f, &e->hdr, b);
	nj_kv_str(&j, "family", family_name(e->family));
	kv_addr_port(&j, "saddr", "sport", e->family, e->saddr, true, e->sport);
	kv_addr_port(&j, "daddr", "dport", e->family, e->daddr, true, e->dport);
	nj_kv_str(&j, "kind", ns_retrans_kind_name(e->kind));
	nj_kv_str(&j, "cause", ns_retrans_cause_name(e->cause));
	nj_kv_str(&j, "state", ns_tcp_state_name(e->state));
	nj_key(&j, "tcp_flags");
	ns_fmt_tcp_flags_json(&j, e->tcp_flags);
	nj_kv_u64(&j, "seq", e->seq);
	nj_kv_u64(&j, "len", e->len);
	nj_kv_u64(&j, "segs", e->segs);
	nj_key(&j, "snd_una");
	sock ? nj_u64(&j, e->snd_una) : nj_null(&j);
	nj_key(&j, "snd_nxt");
	sock ? nj_u64(&j, e->snd_nxt) : nj_null(&j);
	nj_key(&j, "srtt_us");
	sock ? nj_u64(&j, e->srtt_us) : nj_null(&j);
	nj_key(&j, "bytes_acked");
	sock ? nj_u64(&j, e->bytes_acked) : nj_null(&j);
	nj_key(&j, "bytes_sent");
	sock ? nj_u64(&j, e->bytes_sent) : nj_null(&j);
	nj_kv_u64(&j, "flow_retrans", e->flow_retrans);
	nj_kv_u64(&j, "flow_suppressed", e->flow_suppressed);
	kv_iso(&j, f, "flow_first_retrans", e->first_ns);
	nj_kv_u64(&j, "retransmitting_ms", e->hdr.ts_ns > e->first_ns ? (e->hdr.ts_ns - e->first_ns) / 1000000 : 0);
	nj_obj_end(&j);
	ns_buf_putn(b, "\n", 1);
}

/* --- flow end --- */

static const char *errno_name(uint32_t err, char *buf, size_t len)
{
	/* the errnos a TCP socket dies with; include/uapi/asm-generic/errno*.h */
	switch (err) {
	case 0:
		return NULL;
	case 32:
		return "EPIPE";
	case 104:
		return "ECONNRESET";
	case 110:
		return "ETIMEDOUT";
	case 111:
		return "ECONNREFUSED";
	case 113:
		return "EHOSTUNREACH";
	case 101:
		return "ENETUNREACH";
	case 71:
		return "EPROTO";
	default:
		snprintf(buf, len, "errno %u", err);
		return buf;
	}
}

void ns_fmt_flow_end_text(const struct ns_fmt *f, const struct flow_end_event *e, struct ns_buf *b)
{
	char tbuf[80], nsbuf[64], src[64], dst[64], why[24], ebuf[16], detail[240];
	const char *en = errno_name(e->sk_err, ebuf, sizeof(ebuf));

	ns_fmt_time(f, e->hdr.ts_ns, false, tbuf, sizeof(tbuf));
	label(f, e->hdr.netns, nsbuf, sizeof(nsbuf));
	ns_fmt_endpoint(e->family, e->saddr, e->sport, src, sizeof(src));
	ns_fmt_endpoint(e->family, e->daddr, e->dport, dst, sizeof(dst));
	snprintf(why, sizeof(why), "%s", ns_flow_end_name(e->end));
	upper(why);
	snprintf(detail, sizeof(detail),
		 "%s%s%u retransmits (syn %u, rto %u, fast %u) over %.1fs; %llu B acked of %llu sent, %llu received",
		 en ? en : "", en ? "; " : "", e->retrans, e->syn, e->rto, e->fast,
		 (double)(e->last_ns - e->first_ns) / 1e9, (unsigned long long)e->bytes_acked,
		 (unsigned long long)e->bytes_sent, (unsigned long long)e->bytes_received);
	ns_buf_printf(b, PATH_COLS, tbuf, "flow-end", nsbuf, "-", src, dst, ns_tcp_state_name(e->oldstate), why,
		      detail);
}

void ns_fmt_flow_end_json(const struct ns_fmt *f, const struct flow_end_event *e, struct ns_buf *b)
{
	char ebuf[16];
	struct ns_json j;

	ns_fmt_json_head(&j, f, &e->hdr, b);
	nj_kv_str(&j, "family", family_name(e->family));
	kv_addr_port(&j, "saddr", "sport", e->family, e->saddr, true, e->sport);
	kv_addr_port(&j, "daddr", "dport", e->family, e->daddr, true, e->dport);
	nj_kv_str(&j, "end", ns_flow_end_name(e->end));
	nj_kv_str(&j, "error", errno_name(e->sk_err, ebuf, sizeof(ebuf)));
	nj_kv_str(&j, "from_state", ns_tcp_state_name(e->oldstate));
	nj_kv_u64(&j, "retransmits", e->retrans);
	nj_kv_u64(&j, "syn_retransmits", e->syn);
	nj_kv_u64(&j, "rto", e->rto);
	nj_kv_u64(&j, "fast", e->fast);
	nj_kv_u64(&j, "bytes_acked", e->bytes_acked);
	nj_kv_u64(&j, "bytes_sent", e->bytes_sent);
	nj_kv_u64(&j, "bytes_received", e->bytes_received);
	kv_iso(&j, f, "first_retrans", e->first_ns);
	kv_iso(&j, f, "last_retrans", e->last_ns);
	nj_obj_end(&j);
	ns_buf_putn(b, "\n", 1);
}

void ns_fmt_path_event(const struct ns_fmt *f, const struct ns_event_hdr *h, bool json, struct ns_buf *b)
{
	switch (h->type) {
	case NS_EV_DROP:
		json ? ns_fmt_drop_json(f, (const void *)h, b) : ns_fmt_drop_text(f, (const void *)h, b);
		break;
	case NS_EV_RETRANS:
		json ? ns_fmt_retrans_json(f, (const void *)h, b) : ns_fmt_retrans_text(f, (const void *)h, b);
		break;
	case NS_EV_FLOW_END:
		json ? ns_fmt_flow_end_json(f, (const void *)h, b) : ns_fmt_flow_end_text(f, (const void *)h, b);
		break;
	}
}

static bool family_ok(uint16_t family)
{
	return family == 2 || family == 10;
}

int ns_path_event_check(const void *data, size_t size)
{
	const struct ns_event_hdr *h = data;

	switch (h->type) {
	case NS_EV_DROP:
		if (size < sizeof(struct drop_event))
			return -EINVAL;
		/* a drop without an IP header has family 0; with one it must be a real family */
		if ((((const struct drop_event *)data)->flags & NS_DROP_F_ADDRS) &&
		    !family_ok(((const struct drop_event *)data)->family))
			return -EINVAL;
		return 0;
	case NS_EV_RETRANS:
		if (size < sizeof(struct retrans_event) || !family_ok(((const struct retrans_event *)data)->family))
			return -EINVAL;
		return 0;
	case NS_EV_FLOW_END:
		if (size < sizeof(struct flow_end_event) || !family_ok(((const struct flow_end_event *)data)->family))
			return -EINVAL;
		return 0;
	default:
		return -EINVAL;
	}
}
