// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The stall detector and the per-destination view (user/stall.c). */
#include <stdio.h>
#include <string.h>
#include "fmt.h"
#include "stall.h"
#include "ut.h"

struct rec {
	int n[3];
	struct ns_stall_anomaly last;
	int last_tr;
};

static void on_emit(void *ctx, const struct ns_stall_anomaly *a, int tr)
{
	struct rec *r = ctx;

	r->n[tr]++;
	r->last = *a;
	r->last_tr = tr;
}

static struct ns_flow_key key(uint32_t netns, uint16_t sport, uint8_t dst_last, uint16_t dport)
{
	struct ns_flow_key k;

	memset(&k, 0, sizeof(k));
	k.netns = netns;
	k.family = 2;
	k.sport = sport;
	k.dport = dport;
	k.saddr[0] = 10, k.saddr[3] = 1;
	k.daddr[0] = 10, k.daddr[3] = dst_last;
	return k;
}

static void probe(struct ns_stalls *s, const struct ns_flow_key *k, bool found, uint64_t acked, uint32_t unacked,
		  uint64_t now, struct rec *r)
{
	struct ns_stall_probe p = { .found = found, .state = 1, .unacked = unacked, .bytes_acked = acked,
				    .bytes_sent = acked + unacked * 1000ULL };

	ns_stalls_probed(s, k, &p, now, on_emit, r);
}

/* A blackholed flow: retransmits, lookups say nothing more is acked: one anomaly after the threshold, updated, closed by the flow's end. */
UT_TEST(stall_blackhole_opens_once_and_closes_on_timeout)
{
	struct ns_flow_key k = key(7, 40000, 3, 443);
	struct ns_stalls s;
	struct rec r = {};
	uint64_t t;

	ns_stalls_init(&s, 3000);
	ns_stalls_retrans(&s, &k, 1000, 1, 5000, 9000);
	for (t = 1000; t <= 3900; t += 1000) {
		probe(&s, &k, true, 5000, 4, t, &r);
		ns_stalls_retrans(&s, &k, t + 200, 0, 5000, 9000);
		ns_stalls_tick(&s, t, on_emit, &r);
	}
	UT_EQ_INT(r.n[NS_STALL_OPENED], 0);	/* 2.9 s: not yet */
	probe(&s, &k, true, 5000, 4, 4100, &r);
	ns_stalls_tick(&s, 4100, on_emit, &r);
	UT_EQ_INT(r.n[NS_STALL_OPENED], 1);
	UT_ASSERT(r.last.open && r.last.end == NS_STALL_END_NONE);
	UT_EQ_INT(r.last.stuck_ms, 3100);
	UT_EQ_INT(r.last.bytes_acked, 5000);
	UT_EQ_INT(r.last.first_ms, 1000);
	/* still stuck: no second "opened", an update once per threshold */
	for (t = 5000; t <= 8000; t += 1000) {
		probe(&s, &k, true, 5000, 4, t, &r);
		ns_stalls_tick(&s, t, on_emit, &r);
	}
	UT_EQ_INT(r.n[NS_STALL_OPENED], 1);
	UT_EQ_INT(r.n[NS_STALL_UPDATED], 1);
	ns_stalls_end(&s, &k, ns_stall_end_of_flow_end(NS_FE_TIMEOUT), 5000, 9000, 8500, on_emit, &r);
	UT_EQ_INT(r.n[NS_STALL_CLOSED], 1);
	UT_ASSERT(!r.last.open && r.last.end == NS_STALL_END_TIMEOUT);
	UT_EQ_STR(ns_stall_end_name(r.last.end), "timeout");
	UT_EQ_INT(r.last.stuck_ms, 7500);
	UT_EQ_INT(s.n, 0);
	{
		uint64_t open, total;

		ns_stalls_netns(&s, 7, &open, &total);
		UT_EQ_INT(open, 0);
		UT_EQ_INT(total, 1);
	}
	ns_stalls_free(&s);
}

/* Lossy but moving: retransmits all the time, acked bytes advance at every lookup: never a stall. */
UT_TEST(stall_lossy_progressing_flow_never_opens)
{
	struct ns_flow_key k = key(7, 40001, 3, 443);
	struct ns_stalls s;
	struct rec r = {};
	uint64_t t, acked = 1000;

	ns_stalls_init(&s, 3000);
	for (t = 0; t < 30000; t += 500) {
		ns_stalls_retrans(&s, &k, t, 0, acked, acked + 5000);
		acked += 10000;
		if (t % 1000 == 0) {
			probe(&s, &k, true, acked, 10, t, &r);
			ns_stalls_tick(&s, t, on_emit, &r);
		}
	}
	UT_EQ_INT(r.n[NS_STALL_OPENED], 0);
	ns_stalls_free(&s);
}

/* One retransmission, then healthy and idle (nothing outstanding): progress is observed, no stall. */
UT_TEST(stall_single_retrans_then_idle_is_not_a_stall)
{
	struct ns_flow_key k = key(7, 40002, 3, 443);
	struct ns_stalls s;
	struct rec r = {};
	uint64_t t;

	ns_stalls_init(&s, 3000);
	ns_stalls_retrans(&s, &k, 0, 1, 100, 200);
	probe(&s, &k, true, 200, 0, 1000, &r);	/* the retransmission was acked */
	for (t = 2000; t < 20000; t += 1000) {
		probe(&s, &k, true, 200, 0, t, &r);
		ns_stalls_tick(&s, t, on_emit, &r);
	}
	UT_EQ_INT(r.n[NS_STALL_OPENED], 0);
	ns_stalls_free(&s);
}

/* Stuck, then acknowledged bytes advance: closed as recovered; stuck time ends at the recovery. */
UT_TEST(stall_recovers)
{
	struct ns_flow_key k = key(9, 40003, 4, 80);
	struct ns_stalls s;
	struct rec r = {};
	uint64_t t;

	ns_stalls_init(&s, 2000);
	ns_stalls_retrans(&s, &k, 0, 1, 700, 900);
	for (t = 1000; t <= 3000; t += 1000) {
		ns_stalls_retrans(&s, &k, t - 100, 0, 700, 900);
		probe(&s, &k, true, 700, 2, t, &r);
		ns_stalls_tick(&s, t, on_emit, &r);
	}
	UT_EQ_INT(r.n[NS_STALL_OPENED], 1);
	probe(&s, &k, true, 5000, 0, 4000, &r);
	ns_stalls_tick(&s, 4000, on_emit, &r);
	UT_EQ_INT(r.n[NS_STALL_CLOSED], 1);
	UT_ASSERT(r.last.end == NS_STALL_END_RECOVERED);
	UT_EQ_INT(r.last.stuck_ms, 4000);
	UT_EQ_INT(r.last.bytes_acked, 5000);
	ns_stalls_free(&s);
}

/* The socket vanishes without a flow end: closed as "closed" one tick later (a late flow end would say more). */
UT_TEST(stall_socket_vanishes)
{
	struct ns_flow_key k = key(9, 40004, 4, 80);
	struct ns_stalls s;
	struct rec r = {};
	uint64_t t;

	ns_stalls_init(&s, 1000);
	ns_stalls_retrans(&s, &k, 0, 1, 700, 900);
	for (t = 500; t <= 2000; t += 500) {
		ns_stalls_retrans(&s, &k, t - 100, 0, 700, 900);
		probe(&s, &k, true, 700, 2, t, &r);
		ns_stalls_tick(&s, t, on_emit, &r);
	}
	UT_EQ_INT(r.n[NS_STALL_OPENED], 1);
	probe(&s, &k, false, 0, 0, 2500, &r);
	ns_stalls_tick(&s, 2500, on_emit, &r);
	UT_EQ_INT(r.n[NS_STALL_CLOSED], 0);
	ns_stalls_tick(&s, 3000, on_emit, &r);
	UT_EQ_INT(r.n[NS_STALL_CLOSED], 1);
	UT_ASSERT(r.last.end == NS_STALL_END_CLOSED);
	UT_EQ_INT(s.n, 0);
	ns_stalls_free(&s);
}

/* No lookups possible: retransmissions must span half the threshold before it counts as stuck. */
UT_TEST(stall_without_lookups_needs_retransmits_across_the_window)
{
	struct ns_flow_key a = key(5, 1, 9, 443), b = key(5, 2, 9, 443);
	struct ns_stalls s;
	struct rec r = {};

	ns_stalls_init(&s, 4000);
	ns_stalls_retrans(&s, &a, 0, 1, 10, 20);	/* once, long ago */
	ns_stalls_retrans(&s, &b, 0, 1, 10, 20);
	ns_stalls_retrans(&s, &b, 2500, 2, 10, 20);	/* and again later, same bytes acked */
	ns_stalls_tick(&s, 5000, on_emit, &r);
	UT_EQ_INT(r.n[NS_STALL_OPENED], 1);
	UT_EQ_INT(r.last.k.sport, 2);
	UT_EQ_INT(r.last.retransmits, 2);
	ns_stalls_free(&s);
}

UT_TEST(stall_anomaly_json_shape)
{
	struct ns_stall_anomaly a;
	struct ns_buf b = {};
	struct ns_json j;

	memset(&a, 0, sizeof(a));
	a.k = key(4026532000u, 40000, 3, 443);
	a.bytes_acked = 1024;
	a.bytes_sent = 4096;
	a.stuck_ms = 12000;
	a.retransmits = 6;
	a.first_ms = 1000;
	a.last_ms = 13000;
	a.open = false;
	a.end = NS_STALL_END_RESET;
	nj_init(&j, &b);
	ns_stall_anomaly_json(&a, NULL, &j);
	UT_ASSERT(b.p != NULL);
	UT_ASSERT(strstr(b.p, "\"kind\":\"stalled_flow\",\"netns\":4026532000,\"where\":\"4026532000\"") != NULL);
	UT_ASSERT(strstr(b.p, "\"saddr\":\"10.0.0.1\",\"sport\":40000,\"daddr\":\"10.0.0.3\",\"dport\":443") != NULL);
	UT_ASSERT(strstr(b.p, "\"bytes_acked\":1024,\"bytes_sent\":4096,\"stuck_ms\":12000,\"retransmits\":6") != NULL);
	UT_ASSERT(strstr(b.p, "\"state\":\"closed\",\"end\":\"reset\"") != NULL);
	ns_buf_reset(&b);
	ns_stall_anomaly_line(&a, NULL, &b);
	UT_ASSERT(strstr(b.p, "10.0.0.1:40000 -> 10.0.0.3:443 was stuck for 12.0s") != NULL);
	UT_ASSERT(strstr(b.p, "ended: reset") != NULL);
	ns_buf_free(&b);
}

/* Every namespace's flows to X:443 suffer, the others' destinations are fine: X first, all namespaces named. */
UT_TEST(dest_view_groups_by_destination)
{
	struct ns_retrans_dest d[5];
	struct ns_dest_table t = {};
	struct ns_stalls s;
	struct ns_flow_key k = key(12, 1000, 3, 443);
	struct ns_buf b = {};
	size_t i;

	memset(d, 0, sizeof(d));
	for (i = 0; i < 5; i++) {
		d[i].family = 2;
		d[i].daddr[0] = 10;
		d[i].daddr[3] = i < 3 ? 3 : 8;
		d[i].dport = i < 3 ? 443 : 80;
		d[i].netns = 10 + (uint32_t)i;
		d[i].kind = NS_RT_DATA;
		d[i].n = 100;
	}
	d[2].kind = NS_RT_SYN;
	d[2].netns = 11;	/* the same namespace as d[1], SYN this time */
	d[2].n = 5;
	ns_stalls_init(&s, 1000);
	ns_stalls_retrans(&s, &k, 0, 1, 1, 1);
	ns_stalls_retrans(&s, &k, 900, 2, 1, 1);
	ns_stalls_tick(&s, 1500, NULL, NULL);	/* no lookups: retransmissions span half the threshold */
	UT_EQ_INT(ns_dest_build(&t, d, 5, &s, 10000), 0);
	UT_EQ_INT(t.n, 2);
	UT_EQ_INT(t.rows[0].port, 443);
	UT_EQ_INT(t.rows[0].stalls_open, 1);
	UT_EQ_INT(t.rows[0].data, 200);
	UT_EQ_INT(t.rows[0].syn, 5);
	UT_EQ_INT(t.rows[0].nns_total, 3);	/* 10, 11, and 12 through its stall */
	UT_EQ_INT(t.rows[0].ns[0].netns, 12);
	d[0].n = 300;
	UT_EQ_INT(ns_dest_build(&t, d, 5, &s, 12000), 0);
	UT_ASSERT(t.rows[0].data_rate > 99.9 && t.rows[0].data_rate < 100.1);	/* +200 in 2 s */
	ns_dest_text(&t, NULL, 0, &b);
	UT_ASSERT(strstr(b.p, "10.0.0.3:443") != NULL && strstr(b.p, "STALLED") != NULL);
	ns_buf_free(&b);
	ns_dest_table_free(&t);
	ns_stalls_free(&s);
}
