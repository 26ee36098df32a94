// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "args.h"
#include "fmt.h"
#include "fmt_l2.h"
#include "fmt_path.h"

const char *ns_tcp_state_name(unsigned state)
{
	/* include/net/tcp_states.h: numbering is stable user-visible ABI (ss, /proc/net/tcp). */
	static const char *const names[] = {
		[1] = "ESTABLISHED", [2] = "SYN_SENT",	 [3] = "SYN_RECV",    [4] = "FIN_WAIT1",
		[5] = "FIN_WAIT2",   [6] = "TIME_WAIT",	 [7] = "CLOSE",	      [8] = "CLOSE_WAIT",
		[9] = "LAST_ACK",    [10] = "LISTEN",	 [11] = "CLOSING",    [12] = "NEW_SYN_RECV",
		[13] = "BOUND_INACTIVE",
	};

	if (state < sizeof(names) / sizeof(names[0]) && names[state])
		return names[state];
	return "UNKNOWN";
}

const char *ns_rst_reason_name(const struct ns_fmt *f, const struct rst_event *e, char *buf, size_t len)
{
	static const char *const derived[] = {
		[NS_RST_D_UNKNOWN] = "UNKNOWN",
		[NS_RST_D_NO_SOCKET] = "NO_SOCKET",
		[NS_RST_D_SOCKET] = "SOCKET",
		[NS_RST_D_ACTIVE] = "ACTIVE",
	};

	switch (e->reason_src) {
	case NS_RSN_KERNEL:
		if (f && f->rst_reasons && e->reason < f->rst_reasons->n && f->rst_reasons->name[e->reason])
			return f->rst_reasons->name[e->reason];
		snprintf(buf, len, "REASON_%u", e->reason);
		return buf;
	case NS_RSN_DERIVED:
		if (e->reason < sizeof(derived) / sizeof(derived[0]))
			return derived[e->reason];
		snprintf(buf, len, "DERIVED_%u", e->reason);
		return buf;
	default:
		return NULL;
	}
}

void ns_tcp_flags_str(uint8_t flags, char *buf, size_t len)
{
	/* tcpdump's letters, '.' for ACK, in header bit order from FIN up */
	static const char letters[] = "FSRP.UEW";
	size_t n = 0;
	int i;

	for (i = 0; i < 8 && n + 1 < len; i++)
		if (flags & (1u << i))
			buf[n++] = letters[i];
	if (len)
		buf[n < len ? n : len - 1] = '\0';
}

void ns_fmt_addr(uint16_t family, const uint8_t *addr, char *buf, size_t len)
{
	if (!inet_ntop(family == 10 ? AF_INET6 : AF_INET, addr, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

void ns_fmt_endpoint(uint16_t family, const uint8_t *addr, uint16_t port, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	ns_fmt_addr(family, addr, a, sizeof(a));
	if (family == 10)
		snprintf(buf, len, "[%s]:%u", a, port);
	else
		snprintf(buf, len, "%s:%u", a, port);
}

void ns_fmt_time(const struct ns_fmt *f, uint64_t ts_ns, bool iso, char *buf, size_t len)
{
	int64_t real = (int64_t)ts_ns + (f ? f->mono_to_real_ns : 0);
	time_t sec = (time_t)(real / 1000000000);
	long nsec = (long)(real % 1000000000);
	struct tm tm;

	if (nsec < 0) {
		nsec += 1000000000;
		sec--;
	}
	if (iso) {
		gmtime_r(&sec, &tm);
		snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
			 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, nsec / 1000);
	} else {
		if (f && f->utc)
			gmtime_r(&sec, &tm);
		else
			localtime_r(&sec, &tm);
		snprintf(buf, len, "%02d:%02d:%02d.%03ld", tm.tm_hour, tm.tm_min, tm.tm_sec, nsec / 1000000);
	}
}

void ns_fmt_ident(const struct ns_fmt *f, uint32_t netns, struct ns_ident *out)
{
	memset(out, 0, sizeof(*out));
	out->netns = netns;
	if (!f || !f->ident || !f->ident(f->ident_ctx, netns, out)) {
		memset(out, 0, sizeof(*out));
		out->netns = netns;
	}
}

const char *ns_ident_label(const struct ns_ident *id, char *buf, size_t len)
{
	char *p;

	if (id->kind == NS_IDENT_UNKNOWN || !id->name[0])
		snprintf(buf, len, "%u", id->netns);
	else
		snprintf(buf, len, "%s", id->name);
	/* names come from a runtime API: never let one break a text line */
	for (p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return buf;
}

static void kv_opt(struct ns_json *j, const char *k, const char *v)
{
	nj_kv_str(j, k, v && *v ? v : NULL);
}

void ns_fmt_ident_json(struct ns_json *j, const struct ns_ident *id)
{
	nj_kv_str(j, "netns_name", id->kind == NS_IDENT_HOST ? "host" : id->ipns[0] ? id->ipns : NULL);
	nj_key(j, "container");
	if (id->kind != NS_IDENT_CONTAINER) {
		nj_null(j);
		return;
	}
	nj_obj_begin(j);
	nj_kv_str(j, "id", id->id);
	nj_kv_str(j, "name", id->name);
	nj_key(j, "named");
	nj_bool(j, id->named);
	kv_opt(j, "image", id->image);
	kv_opt(j, "runtime", id->runtime);
	kv_opt(j, "pod", id->pod);
	kv_opt(j, "k8s_namespace", id->k8s_namespace);
	kv_opt(j, "k8s_container", id->k8s_container);
	nj_obj_end(j);
}

#define RST_COLS "%-12s  %-8s  %-12s  %-10s  %-24s  %-24s  %-12s  %-16s  %s\n"

void ns_fmt_rst_header(struct ns_buf *b)
{
	ns_buf_printf(b, RST_COLS, "TIME", "EVENT", "WHERE", "IFACE", "SOURCE", "DESTINATION", "STATE",
		      "REASON", "PROCESS");
}

void ns_fmt_rst_text(const struct ns_fmt *f, const struct rst_event *e, struct ns_buf *b)
{
	char tbuf[80], nsbuf[64], ifbuf[24], src[64], dst[64], rbuf[32], proc[40];
	const char *ns, *reason;
	struct ns_ident id;

	ns_fmt_time(f, e->hdr.ts_ns, false, tbuf, sizeof(tbuf));
	ns_fmt_ident(f, e->hdr.netns, &id);
	ns = ns_ident_label(&id, nsbuf, sizeof(nsbuf));
	if (e->ifname[0])
		snprintf(ifbuf, sizeof(ifbuf), "%.*s", (int)sizeof(e->ifname), e->ifname);
	else if (e->ifindex)
		snprintf(ifbuf, sizeof(ifbuf), "if%u", e->ifindex);
	else
		snprintf(ifbuf, sizeof(ifbuf), "-");
	ns_fmt_endpoint(e->family, e->saddr, e->sport, src, sizeof(src));
	ns_fmt_endpoint(e->family, e->daddr, e->dport, dst, sizeof(dst));
	reason = ns_rst_reason_name(f, e, rbuf, sizeof(rbuf));
	if (e->flags & NS_RST_F_TASK)
		snprintf(proc, sizeof(proc), "%u/%.*s", e->pid, (int)sizeof(e->comm), e->comm);
	else
		snprintf(proc, sizeof(proc), "-");
	ns_buf_printf(b, RST_COLS, tbuf, e->hdr.type == NS_EV_RST_SENT ? "rst-sent" : "rst-recv", ns, ifbuf,
		      src, dst, (e->flags & NS_RST_F_SOCK) ? ns_tcp_state_name(e->state) : "-",
		      reason ? reason : "-", proc);
}

void ns_fmt_tcp_flags_json(struct ns_json *j, uint8_t flags)
{
	static const char *const names[] = { "FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR" };
	int i;

	nj_arr_begin(j);
	for (i = 0; i < 8; i++)
		if (flags & (1u << i))
			nj_str(j, names[i]);
	nj_arr_end(j);
}

/* Opens an event's JSON object with the members every event has (docs/events.md). */
void ns_fmt_json_head(struct ns_json *j, const struct ns_fmt *f, const struct ns_event_hdr *h, struct ns_buf *b)
{
	char tbuf[80];
	struct ns_ident id;

	ns_fmt_ident(f, h->netns, &id);
	nj_init(j, b);
	nj_obj_begin(j);
	ns_fmt_time(f, h->ts_ns, true, tbuf, sizeof(tbuf));
	nj_kv_str(j, "ts", tbuf);
	nj_kv_u64(j, "ts_ns", h->ts_ns);
	nj_kv_str(j, "event", ns_event_name(h->type));
	nj_kv_u64(j, "netns", h->netns);
	ns_fmt_ident_json(j, &id);
}

void ns_fmt_rst_json(const struct ns_fmt *f, const struct rst_event *e, struct ns_buf *b)
{
	char addr[INET6_ADDRSTRLEN], rbuf[32];
	const char *reason;
	struct ns_json j;

	ns_fmt_json_head(&j, f, &e->hdr, b);
	nj_kv_str(&j, "family", e->family == 10 ? "ipv6" : "ipv4");
	ns_fmt_addr(e->family, e->saddr, addr, sizeof(addr));
	nj_kv_str(&j, "saddr", addr);
	nj_kv_u64(&j, "sport", e->sport);
	ns_fmt_addr(e->family, e->daddr, addr, sizeof(addr));
	nj_kv_str(&j, "daddr", addr);
	nj_kv_u64(&j, "dport", e->dport);
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
	nj_kv_str(&j, "state", (e->flags & NS_RST_F_SOCK) ? ns_tcp_state_name(e->state) : NULL);
	reason = ns_rst_reason_name(f, e, rbuf, sizeof(rbuf));
	nj_kv_str(&j, "reason", reason);
	nj_kv_str(&j, "reason_source",
		  e->reason_src == NS_RSN_KERNEL ? "kernel" : e->reason_src == NS_RSN_DERIVED ? "derived" : NULL);
	nj_key(&j, "socket");
	nj_bool(&j, e->flags & NS_RST_F_SOCK);
	if (e->flags & NS_RST_F_SKB) {
		nj_key(&j, "answered");
		nj_obj_begin(&j);
		nj_key(&j, "tcp_flags");
		ns_fmt_tcp_flags_json(&j, e->tcp_flags);
		nj_kv_u64(&j, "seq", e->seq);
		nj_kv_u64(&j, "ack", e->ack);
		nj_obj_end(&j);
	}
	nj_key(&j, "pid");
	if (e->flags & NS_RST_F_TASK)
		nj_u64(&j, e->pid);
	else
		nj_null(&j);
	nj_key(&j, "comm");
	if (e->flags & NS_RST_F_TASK)
		nj_strn(&j, e->comm, strnlen(e->comm, sizeof(e->comm)));
	else
		nj_null(&j);
	nj_obj_end(&j);
	ns_buf_putn(b, "\n", 1);
}

const char *ns_ip_proto_name(uint8_t p, char *buf, size_t len)
{
	switch (p) {
	case 6:
		return "tcp";
	case 17:
		return "udp";
	case 1:
		return "icmp";
	case 58:
		return "icmpv6";
	default:
		snprintf(buf, len, "proto%u", p);
		return buf;
	}
}

const char *ns_ct_reason_name(unsigned code)
{
	static const char *const names[] = {
		[NS_CT_R_UNKNOWN] = "UNKNOWN",	       [NS_CT_R_SEQ_OVER] = "SEQ_OVER_UPPER",
		[NS_CT_R_SEQ_UNDER] = "SEQ_UNDER_LOWER", [NS_CT_R_ACK_OVER] = "ACK_OVER_UPPER",
		[NS_CT_R_ACK_UNDER] = "ACK_UNDER_LOWER", [NS_CT_R_OTHER] = "OTHER",
	};

	return code <= NS_CT_R_OTHER ? names[code] : "OTHER";
}

/* How far the segment missed the sender's window: >0 above the upper bound, <0 below the lower. */
static int64_t window_miss(const struct ct_event *e)
{
	int32_t over = (int32_t)(e->seq - e->td_maxend);
	int32_t under = (int32_t)(e->seq - (e->td_end - e->td_maxwin));

	if (over > 0)
		return over;
	if (under < 0)
		return under;
	return 0;
}

void ns_fmt_ct_text(const struct ns_fmt *f, const struct ct_event *e, struct ns_buf *b)
{
	char tbuf[80], nsbuf[64], ifbuf[24], src[64], dst[64], fl[16], detail[192], pbuf[16];
	struct ns_ident id;

	ns_fmt_time(f, e->hdr.ts_ns, false, tbuf, sizeof(tbuf));
	ns_fmt_ident(f, e->hdr.netns, &id);
	if (e->ifname[0])
		snprintf(ifbuf, sizeof(ifbuf), "%.*s", (int)sizeof(e->ifname), e->ifname);
	else
		snprintf(ifbuf, sizeof(ifbuf), "if%u", e->ifindex);
	ns_fmt_endpoint(e->family, e->saddr, e->sport, src, sizeof(src));
	ns_fmt_endpoint(e->family, e->daddr, e->dport, dst, sizeof(dst));
	if (e->flags & NS_CT_F_TCP) {
		ns_tcp_flags_str(e->tcp_flags, fl, sizeof(fl));
		if (e->flags & NS_CT_F_REASON)
			snprintf(detail, sizeof(detail), "[%s] seq %u ack %u len %u: %.*s (%lld bytes off the window)", fl,
				 e->seq, e->ack, e->len, (int)sizeof(e->reason), e->reason, (long long)window_miss(e));
		else
			snprintf(detail, sizeof(detail), "[%s] seq %u ack %u len %u", fl, e->seq, e->ack, e->len);
	} else {
		snprintf(detail, sizeof(detail), "%s len %u", ns_ip_proto_name(e->proto, pbuf, sizeof(pbuf)), e->len);
	}
	ns_buf_printf(b, RST_COLS, tbuf, "ct-inval", ns_ident_label(&id, nsbuf, sizeof(nsbuf)), ifbuf, src, dst, "-",
		      "INVALID", detail);
}

void ns_fmt_ct_json(const struct ns_fmt *f, const struct ct_event *e, struct ns_buf *b)
{
	char addr[INET6_ADDRSTRLEN], pbuf[16];
	struct ns_json j;

	ns_fmt_json_head(&j, f, &e->hdr, b);
	nj_kv_str(&j, "family", e->family == 10 ? "ipv6" : "ipv4");
	nj_kv_str(&j, "proto", ns_ip_proto_name(e->proto, pbuf, sizeof(pbuf)));
	ns_fmt_addr(e->family, e->saddr, addr, sizeof(addr));
	nj_kv_str(&j, "saddr", addr);
	nj_key(&j, "sport");
	if (e->flags & NS_CT_F_TCP)
		nj_u64(&j, e->sport);
	else
		nj_null(&j);
	ns_fmt_addr(e->family, e->daddr, addr, sizeof(addr));
	nj_kv_str(&j, "daddr", addr);
	nj_key(&j, "dport");
	if (e->flags & NS_CT_F_TCP)
		nj_u64(&j, e->dport);
	else
		nj_null(&j);
	nj_kv_u64(&j, "ifindex", e->ifindex);
	nj_key(&j, "ifname");
	if (e->ifname[0])
		nj_strn(&j, e->ifname, strnlen(e->ifname, sizeof(e->ifname)));
	else
		nj_null(&j);
	nj_kv_u64(&j, "len", e->len);
	nj_kv_str(&j, "hook", "prerouting");
	nj_key(&j, "tcp");
	if (e->flags & NS_CT_F_TCP) {
		nj_obj_begin(&j);
		nj_key(&j, "flags");
		ns_fmt_tcp_flags_json(&j, e->tcp_flags);
		nj_kv_u64(&j, "seq", e->seq);
		nj_kv_u64(&j, "ack", e->ack);
		nj_kv_u64(&j, "window", e->window);
		nj_obj_end(&j);
	} else {
		nj_null(&j);
	}
	nj_key(&j, "conntrack");
	if (e->flags & NS_CT_F_REASON) {
		nj_obj_begin(&j);
		nj_kv_str(&j, "reason_code", ns_ct_reason_name(e->reason_code));
		nj_key(&j, "reason");
		nj_strn(&j, e->reason, strnlen(e->reason, sizeof(e->reason)));
		nj_kv_u64(&j, "td_end", e->td_end);
		nj_kv_u64(&j, "td_maxend", e->td_maxend);
		nj_kv_u64(&j, "td_maxwin", e->td_maxwin);
		nj_key(&j, "window_miss");
		nj_i64(&j, window_miss(e));
		nj_obj_end(&j);
	} else {
		nj_null(&j);
	}
	nj_obj_end(&j);
	ns_buf_putn(b, "\n", 1);
}

void ns_fmt_event(const struct ns_fmt *f, const struct ns_event_hdr *h, bool json, struct ns_buf *b)
{
	switch (h->type) {
	case NS_EV_RST_SENT:
	case NS_EV_RST_RECV:
		if (json)
			ns_fmt_rst_json(f, (const void *)h, b);
		else
			ns_fmt_rst_text(f, (const void *)h, b);
		break;
	case NS_EV_CT_INVALID:
		if (json)
			ns_fmt_ct_json(f, (const void *)h, b);
		else
			ns_fmt_ct_text(f, (const void *)h, b);
		break;
	case NS_EV_FDB:
		if (json)
			ns_fmt_fdb_json(f, (const void *)h, b);
		else
			ns_fmt_fdb_text(f, (const void *)h, b);
		break;
	case NS_EV_NEIGH:
		if (json)
			ns_fmt_neigh_json(f, (const void *)h, b);
		else
			ns_fmt_neigh_text(f, (const void *)h, b);
		break;
	case NS_EV_DROP:
	case NS_EV_RETRANS:
	case NS_EV_FLOW_END:
		ns_fmt_path_event(f, h, json, b);
		break;
	}
}

int ns_event_check(const void *data, size_t size)
{
	const struct ns_event_hdr *h = data;

	if (size < sizeof(*h) || h->size > size || h->size < sizeof(*h))
		return -EINVAL;
	switch (h->type) {
	case NS_EV_RST_SENT:
	case NS_EV_RST_RECV:
		if (h->size < sizeof(struct rst_event))
			return -EINVAL;
		if (((const struct rst_event *)data)->family != 2 && ((const struct rst_event *)data)->family != 10)
			return -EINVAL;
		return 0;
	case NS_EV_CT_INVALID:
		if (h->size < sizeof(struct ct_event))
			return -EINVAL;
		if (((const struct ct_event *)data)->family != 2 && ((const struct ct_event *)data)->family != 10)
			return -EINVAL;
		return 0;
	case NS_EV_FDB:
		return h->size < sizeof(struct fdb_event) ? -EINVAL : 0;
	case NS_EV_NEIGH:
		if (h->size < sizeof(struct neigh_event))
			return -EINVAL;
		if (((const struct neigh_event *)data)->family != 2 && ((const struct neigh_event *)data)->family != 10)
			return -EINVAL;
		return 0;
	case NS_EV_DROP:
	case NS_EV_RETRANS:
	case NS_EV_FLOW_END:
		return ns_path_event_check(data, h->size);
	default:
		return -EINVAL;	/* unknown type: a newer BPF object; skip it */
	}
}
