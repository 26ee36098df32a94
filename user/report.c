// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fmt.h"
#include "report.h"
#include "vec.h"

struct ns_report_row *ns_report_add(struct ns_report *r)
{
	if (NS_VEC_RESERVE(r->rows, r->cap, r->n, 32, 0))
		return NULL;
	memset(&r->rows[r->n], 0, sizeof(r->rows[0]));
	return &r->rows[r->n++];
}

void ns_report_free(struct ns_report *r)
{
	if (!r)
		return;
	free(r->anomalies);
	free(r->rows);
	free(r->flaps);
	free(r->bridges);
	free(r->dups);
	ns_buf_free(&r->overlay_text);
	ns_buf_free(&r->overlay_json);
	memset(r, 0, sizeof(*r));
}

#define CT_FIX "sysctl -w net.netfilter.nf_conntrack_tcp_be_liberal=1, or iptables -I INPUT -m conntrack --ctstate INVALID -j DROP"

void ns_report_anomaly_line(const struct ns_report_anomaly *a, struct ns_buf *b)
{
	ns_buf_printf(b, "ANOMALY conntrack-invalid-reset in %s: %llu reset%s of %s -> %s%s%s%s: out-of-window "
			 "packets marked INVALID by conntrack escaped DNAT and the host answered with RST "
			 "(\"connection reset by peer\"); first %s, last %s; fix: %s%s\n",
		      a->where, (unsigned long long)a->resets, a->resets == 1 ? "" : "s", a->client, a->pub,
		      a->target[0] ? " (DNAT to " : "", a->target, a->target[0] ? ")" : "", a->first, a->last, CT_FIX,
		      a->liberal ? " (be_liberal is now on here)" : a->drop_rule[0] ? " (an INVALID drop rule is now in place)" : "");
}

void ns_report_anomaly_json(const struct ns_report_anomaly *a, struct ns_json *j)
{
	nj_obj_begin(j);
	nj_kv_str(j, "kind", "conntrack_invalid_reset");
	nj_kv_str(j, "where", a->where);
	nj_kv_u64(j, "netns", a->netns);
	nj_kv_str(j, "client", a->client);
	nj_kv_str(j, "public", a->pub);
	nj_kv_str(j, "dnat_target", a->target[0] ? a->target : NULL);
	nj_kv_str(j, "conntrack_state", a->flow_state[0] ? a->flow_state : NULL);
	nj_kv_u64(j, "resets", a->resets);
	nj_kv_str(j, "first", a->first);
	nj_kv_str(j, "last", a->last);
	nj_key(j, "active");
	nj_bool(j, a->active);
	nj_key(j, "be_liberal_now");
	nj_bool(j, a->liberal);
	nj_kv_str(j, "invalid_drop_rule_now", a->drop_rule[0] ? a->drop_rule : NULL);
	nj_kv_str(j, "fix", CT_FIX);
	nj_obj_end(j);
}

static int kind_rank(enum ns_ident_kind k)
{
	switch (k) {
	case NS_IDENT_HOST:
		return 0;
	case NS_IDENT_CONTAINER:
		return 1;
	case NS_IDENT_NETNS:
		return 2;
	default:
		return 3;
	}
}

static int cmp_row(const void *a, const void *b)
{
	const struct ns_report_row *x = a, *y = b;
	int c = kind_rank(x->id.kind) - kind_rank(y->id.kind);

	if (c)
		return c;
	if (x->id.kind != NS_IDENT_UNKNOWN && (c = strcmp(x->id.name, y->id.name)))
		return c;
	return x->id.netns < y->id.netns ? -1 : x->id.netns > y->id.netns;
}

void ns_report_sort(struct ns_report *r)
{
	qsort(r->rows, r->n, sizeof(r->rows[0]), cmp_row);
}

static const char *human(uint64_t v, char *buf, size_t len)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double d = (double)v;
	int u = 0;

	while (d >= 1024 && u < 4) {
		d /= 1024;
		u++;
	}
	if (u)
		snprintf(buf, len, "%.1f %s", d, unit[u]);
	else
		snprintf(buf, len, "%llu B", (unsigned long long)v);
	return buf;
}

/* columns of the TCP state table, in the order an on-call engineer scans them */
static const struct {
	const char *head;
	unsigned state;
} tcp_cols[] = {
	{ "ESTAB", NS_TCP_ESTABLISHED },     { "SYN-SENT", NS_TCP_SYN_SENT },   { "SYN-RECV", NS_TCP_SYN_RECV },
	{ "FIN-WAIT", NS_TCP_FIN_WAIT1 },    { "TIME-WAIT", NS_TCP_TIME_WAIT }, { "CLOSE-WAIT", NS_TCP_CLOSE_WAIT },
	{ "LAST-ACK", NS_TCP_LAST_ACK },     { "LISTEN", NS_TCP_LISTEN },
};

/* Bridges with any activity, MACs that flap, IPs answered twice, the overlay audit. */
static void l2_text(const struct ns_report *r, struct ns_buf *b)
{
	char label[64];
	size_t i;

	for (i = 0; i < r->n; i++) {
		const struct ns_report_row *row = &r->rows[i];

		if (!row->fdb_moves && !row->neigh_dup_answers)
			continue;
		ns_buf_printf(b, "  %s: its MACs moved %llu time%s between bridge ports; %llu duplicate neighbour answer%s\n",
			      ns_ident_label(&row->id, label, sizeof(label)), (unsigned long long)row->fdb_moves,
			      row->fdb_moves == 1 ? "" : "s", (unsigned long long)row->neigh_dup_answers,
			      row->neigh_dup_answers == 1 ? "" : "s");
	}
	for (i = 0; i < r->nbridges; i++) {
		const struct ns_report_bridge *br = &r->bridges[i];

		ns_buf_printf(b, "  bridge %s in %s: learned %llu, moved %llu, deleted %llu, added %llu%s\n", br->name,
			      br->where, (unsigned long long)br->learned, (unsigned long long)br->moves,
			      (unsigned long long)br->deleted, (unsigned long long)br->added,
			      br->flapping ? "  FLAPPING" : "");
	}
	for (i = 0; i < r->ndups; i++) {
		const struct ns_report_dup *d = &r->dups[i];

		ns_buf_printf(b, "  duplicate answers for %s on %s in %s: %llu (last %s, %s)\n", d->addr, d->ifname,
			      d->where, (unsigned long long)d->count, d->last, d->lladdr);
	}
	for (i = 0; i < r->nflaps; i++) {
		ns_buf_puts(b, "  ");
		ns_flap_desc_line(&r->flaps[i], b);
	}
	if (r->overlay_text.len)
		ns_buf_putn(b, r->overlay_text.p, r->overlay_text.len);
}

void ns_report_text(const struct ns_report *r, const struct ns_fmt *f, const char *title, struct ns_buf *b)
{
	char label[64], rbuf[32], h1[32], h2[32], mac[24];
	size_t i, c;
	unsigned k;

	ns_buf_printf(b, "%s\n", title);
	ns_buf_printf(b, "  %-20s %-11s %9s %9s", "WHERE", "NETNS", "RST-SENT", "RST-RECV");
	for (c = 0; c < sizeof(tcp_cols) / sizeof(tcp_cols[0]); c++)
		ns_buf_printf(b, " %10s", tcp_cols[c].head);
	ns_buf_puts(b, "\n");
	for (i = 0; i < r->n; i++) {
		const struct ns_report_row *row = &r->rows[i];

		ns_buf_printf(b, "  %-20s %-11u %9llu %9llu", ns_ident_label(&row->id, label, sizeof(label)),
			      row->id.netns, (unsigned long long)row->rst.sent, (unsigned long long)row->rst.recv);
		for (c = 0; c < sizeof(tcp_cols) / sizeof(tcp_cols[0]); c++) {
			uint64_t v = row->tcp[tcp_cols[c].state];

			if (tcp_cols[c].state == NS_TCP_FIN_WAIT1)
				v += row->tcp[NS_TCP_FIN_WAIT2];
			if (tcp_cols[c].state == NS_TCP_SYN_RECV)
				v += row->tcp[NS_TCP_NEW_SYN_RECV];
			if (row->has_tcp)
				ns_buf_printf(b, " %10llu", (unsigned long long)v);
			else
				ns_buf_printf(b, " %10s", "-");
		}
		if (!row->alive)
			ns_buf_puts(b, "  (gone)");
		ns_buf_puts(b, "\n");
		if (row->id.kind == NS_IDENT_CONTAINER)
			ns_buf_printf(b, "      %.12s %s%s%s\n", row->id.id, row->id.image[0] ? row->id.image : "",
				      row->id.pod[0] ? "  pod " : "", row->id.pod);
		if (row->rst.nreasons) {
			ns_buf_puts(b, "      RSTs sent by reason:");
			for (k = 0; k < row->rst.nreasons; k++) {
				struct rst_event e = { .reason = row->rst.reasons[k].reason,
						       .reason_src = row->rst.reasons[k].reason_src };
				const char *name = ns_rst_reason_name(f, &e, rbuf, sizeof(rbuf));

				ns_buf_printf(b, " %s=%llu", name ? name : "-", (unsigned long long)row->rst.reasons[k].n);
			}
			if (row->rst_sent_delta || row->rst_recv_delta)
				ns_buf_printf(b, "  (+%llu sent, +%llu received this interval)",
					      (unsigned long long)row->rst_sent_delta,
					      (unsigned long long)row->rst_recv_delta);
			ns_buf_puts(b, "\n");
		}
		for (k = 0; k < row->nlinks; k++) {
			const struct ns_report_link *l = &row->links[k];

			if (l->has_mac)
				snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", l->mac[0], l->mac[1], l->mac[2],
					 l->mac[3], l->mac[4], l->mac[5]);
			else
				snprintf(mac, sizeof(mac), "-");
			ns_buf_printf(b, "      %-12s %-6s %-17s rx %s/%llu pkts  tx %s/%llu pkts  errors %llu/%llu  drops %llu/%llu%s%s\n",
				      l->name, l->kind[0] ? l->kind : "-", mac, human(l->rx_bytes, h1, sizeof(h1)),
				      (unsigned long long)l->rx_packets, human(l->tx_bytes, h2, sizeof(h2)),
				      (unsigned long long)l->tx_packets, (unsigned long long)l->rx_errors,
				      (unsigned long long)l->tx_errors, (unsigned long long)l->rx_dropped,
				      (unsigned long long)l->tx_dropped, l->peer[0] ? "  host side " : "", l->peer);
			if (l->naddrs) {
				ns_buf_puts(b, "                   ");
				for (unsigned a = 0; a < l->naddrs; a++)
					ns_buf_printf(b, " %s", l->addrs[a]);
				ns_buf_puts(b, "\n");
			}
		}
	}
	for (i = 0; i < r->n; i++) {
		const struct ns_report_row *row = &r->rows[i];
		char note[160] = "";

		if (!row->ct_invalid)
			continue;
		if (!row->ct_invalid_resets)
			snprintf(note, sizeof(note), " (harmless: %s%s)",
				 row->ct_drop_rule[0] ? "dropped by a rule in " : "nothing answered them", row->ct_drop_rule);
		ns_buf_printf(b, "  %s: %llu packet%s INVALID to conntrack, %llu answered with a RST%s\n",
			      ns_ident_label(&row->id, label, sizeof(label)), (unsigned long long)row->ct_invalid,
			      row->ct_invalid == 1 ? "" : "s", (unsigned long long)row->ct_invalid_resets, note);
	}
	for (i = 0; i < r->nanomalies; i++) {
		ns_buf_puts(b, "  ");
		ns_report_anomaly_line(&r->anomalies[i], b);
	}
	l2_text(r, b);
	if (!r->api_up)
		ns_buf_puts(b, "  container runtime API unreachable: containers shown by ID only\n");
	if (r->events_lost || r->counter_updates_lost)
		ns_buf_printf(b, "  events lost (ring buffer full): %llu; counter updates lost (map full): %llu\n",
			      (unsigned long long)r->events_lost, (unsigned long long)r->counter_updates_lost);
}

static const char *const tcp_names[NS_TCP_NSTATES] = {
	[NS_TCP_ESTABLISHED] = "ESTABLISHED", [NS_TCP_SYN_SENT] = "SYN_SENT",	[NS_TCP_SYN_RECV] = "SYN_RECV",
	[NS_TCP_FIN_WAIT1] = "FIN_WAIT1",     [NS_TCP_FIN_WAIT2] = "FIN_WAIT2", [NS_TCP_TIME_WAIT] = "TIME_WAIT",
	[NS_TCP_CLOSE_WAIT] = "CLOSE_WAIT",   [NS_TCP_LAST_ACK] = "LAST_ACK",	[NS_TCP_LISTEN] = "LISTEN",
	[NS_TCP_CLOSING] = "CLOSING",	      [NS_TCP_NEW_SYN_RECV] = "NEW_SYN_RECV",
};

static void l2_json(const struct ns_report *r, struct ns_json *j)
{
	size_t i;

	nj_key(j, "bridges");
	nj_arr_begin(j);
	for (i = 0; i < r->nbridges; i++) {
		const struct ns_report_bridge *br = &r->bridges[i];

		nj_obj_begin(j);
		nj_kv_str(j, "name", br->name);
		nj_kv_u64(j, "ifindex", br->ifindex);
		nj_kv_u64(j, "netns", br->netns);
		nj_kv_str(j, "where", br->where);
		nj_kv_u64(j, "learned", br->learned);
		nj_kv_u64(j, "moves", br->moves);
		nj_kv_u64(j, "deleted", br->deleted);
		nj_kv_u64(j, "added", br->added);
		nj_kv_u64(j, "refreshes", br->refreshes);
		nj_kv_u64(j, "flapping_macs", br->flapping);
		nj_obj_end(j);
	}
	nj_arr_end(j);
	nj_key(j, "duplicate_answers");
	nj_arr_begin(j);
	for (i = 0; i < r->ndups; i++) {
		const struct ns_report_dup *d = &r->dups[i];

		nj_obj_begin(j);
		nj_kv_u64(j, "netns", d->netns);
		nj_kv_str(j, "where", d->where);
		nj_kv_str(j, "ifname", d->ifname);
		nj_kv_str(j, "addr", d->addr);
		nj_kv_str(j, "lladdr", d->lladdr);
		nj_kv_u64(j, "count", d->count);
		nj_kv_str(j, "last", d->last);
		nj_obj_end(j);
	}
	nj_arr_end(j);
	nj_key(j, "overlay_audit");
	if (r->overlay_json.len)
		nj_raw(j, r->overlay_json.p, r->overlay_json.len);
	else
		nj_null(j);
}

void ns_report_json(const struct ns_report *r, const struct ns_fmt *f, const char *ts, bool final,
		    struct ns_buf *b)
{
	char rbuf[32], mac[24];
	struct ns_json j;
	size_t i;
	unsigned k;

	nj_init(&j, b);
	nj_obj_begin(&j);
	nj_kv_str(&j, "type", "report");
	nj_kv_str(&j, "ts", ts);
	nj_key(&j, "final");
	nj_bool(&j, final);
	nj_key(&j, "runtime_api");
	nj_bool(&j, r->api_up);
	nj_kv_u64(&j, "events_lost", r->events_lost);
	nj_kv_u64(&j, "counter_updates_lost", r->counter_updates_lost);
	nj_key(&j, "namespaces");
	nj_arr_begin(&j);
	for (i = 0; i < r->n; i++) {
		const struct ns_report_row *row = &r->rows[i];

		nj_obj_begin(&j);
		nj_kv_u64(&j, "netns", row->id.netns);
		ns_fmt_ident_json(&j, &row->id);
		nj_key(&j, "alive");
		nj_bool(&j, row->alive);
		nj_key(&j, "rst");
		nj_obj_begin(&j);
		nj_kv_u64(&j, "sent", row->rst.sent);
		nj_kv_u64(&j, "received", row->rst.recv);
		nj_kv_u64(&j, "sent_delta", row->rst_sent_delta);
		nj_kv_u64(&j, "received_delta", row->rst_recv_delta);
		nj_key(&j, "sent_by_reason");
		nj_obj_begin(&j);
		for (k = 0; k < row->rst.nreasons; k++) {
			struct rst_event e = { .reason = row->rst.reasons[k].reason,
					       .reason_src = row->rst.reasons[k].reason_src };
			const char *name = ns_rst_reason_name(f, &e, rbuf, sizeof(rbuf));

			nj_kv_u64(&j, name ? name : "-", row->rst.reasons[k].n);
		}
		nj_obj_end(&j);
		nj_obj_end(&j);
		nj_key(&j, "conntrack");
		nj_obj_begin(&j);
		nj_kv_u64(&j, "invalid", row->ct_invalid);
		nj_kv_u64(&j, "invalid_resets", row->ct_invalid_resets);
		nj_kv_str(&j, "invalid_drop_rule", row->ct_drop_rule[0] ? row->ct_drop_rule : NULL);
		nj_key(&j, "invalid_by_reason");
		nj_obj_begin(&j);
		for (k = 0; k < 6; k++)
			if (row->ct_by_reason[k])
				nj_kv_u64(&j, ns_ct_reason_name(k), row->ct_by_reason[k]);
		nj_obj_end(&j);
		nj_obj_end(&j);
		nj_key(&j, "l2");
		if (row->has_l2) {
			nj_obj_begin(&j);
			nj_kv_u64(&j, "fdb_moves", row->fdb_moves);
			nj_kv_u64(&j, "neigh_changes", row->neigh_changes);
			nj_kv_u64(&j, "neigh_duplicate_answers", row->neigh_dup_answers);
			nj_obj_end(&j);
		} else {
			nj_null(&j);
		}
		nj_key(&j, "tcp_states");
		if (row->has_tcp) {
			nj_obj_begin(&j);
			for (k = 1; k < NS_TCP_NSTATES; k++)
				if (tcp_names[k])
					nj_kv_u64(&j, tcp_names[k], row->tcp[k]);
			nj_obj_end(&j);
		} else {
			nj_null(&j);
		}
		nj_key(&j, "interfaces");
		nj_arr_begin(&j);
		for (k = 0; k < row->nlinks; k++) {
			const struct ns_report_link *l = &row->links[k];

			nj_obj_begin(&j);
			nj_kv_str(&j, "name", l->name);
			nj_kv_u64(&j, "ifindex", (uint64_t)l->ifindex);
			nj_kv_str(&j, "kind", l->kind[0] ? l->kind : NULL);
			if (l->has_mac)
				snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", l->mac[0], l->mac[1], l->mac[2],
					 l->mac[3], l->mac[4], l->mac[5]);
			nj_kv_str(&j, "mac", l->has_mac ? mac : NULL);
			nj_kv_str(&j, "host_peer", l->peer[0] ? l->peer : NULL);
			nj_key(&j, "addresses");
			nj_arr_begin(&j);
			for (unsigned a = 0; a < l->naddrs; a++)
				nj_str(&j, l->addrs[a]);
			nj_arr_end(&j);
			nj_kv_u64(&j, "rx_bytes", l->rx_bytes);
			nj_kv_u64(&j, "tx_bytes", l->tx_bytes);
			nj_kv_u64(&j, "rx_packets", l->rx_packets);
			nj_kv_u64(&j, "tx_packets", l->tx_packets);
			nj_kv_u64(&j, "rx_errors", l->rx_errors);
			nj_kv_u64(&j, "tx_errors", l->tx_errors);
			nj_kv_u64(&j, "rx_dropped", l->rx_dropped);
			nj_kv_u64(&j, "tx_dropped", l->tx_dropped);
			nj_obj_end(&j);
		}
		nj_arr_end(&j);
		nj_obj_end(&j);
	}
	nj_arr_end(&j);
	nj_key(&j, "anomalies");
	nj_arr_begin(&j);
	for (i = 0; i < r->nanomalies; i++)
		ns_report_anomaly_json(&r->anomalies[i], &j);
	for (i = 0; i < r->nflaps; i++)
		ns_flap_desc_json(&r->flaps[i], &j);
	nj_arr_end(&j);
	l2_json(r, &j);
	nj_obj_end(&j);
	ns_buf_puts(b, "\n");
}
