// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fmt.h"
#include "fmt_l2.h"
#include "l2.h"
#include "ut.h"

#define SEC 1000000000ULL

static struct fdb_event move(uint64_t ts, const char *to, uint32_t to_if, const char *from, uint32_t from_if,
			     uint64_t moves)
{
	struct fdb_event e = {};

	e.hdr.type = NS_EV_FDB;
	e.hdr.size = sizeof(e);
	e.hdr.netns = 11;
	e.hdr.ts_ns = ts;
	e.action = NS_FDB_MOVE;
	e.br_ifindex = 3;
	snprintf(e.br_name, sizeof(e.br_name), "br0");
	memcpy(e.mac, "\x02\x42\x0a\x00\x00\x07", 6);
	snprintf(e.port, sizeof(e.port), "%s", to);
	snprintf(e.port_kind, sizeof(e.port_kind), "%s", strncmp(to, "vx", 2) ? "veth" : "vxlan");
	snprintf(e.old_port, sizeof(e.old_port), "%s", from);
	snprintf(e.old_port_kind, sizeof(e.old_port_kind), "%s", strncmp(from, "vx", 2) ? "veth" : "vxlan");
	e.port_ifindex = to_if;
	e.old_port_ifindex = from_if;
	e.moves = moves;
	return e;
}

/* Alternating moves veth7 <-> vxlan1 at `gap` apart, starting at t0; returns how many opened. */
static int flap(struct ns_flaps *f, uint64_t t0, uint64_t gap, int n, uint64_t *moves)
{
	int i, opened = 0;

	for (i = 0; i < n; i++) {
		struct fdb_event e = i % 2 ? move(t0 + i * gap, "veth7", 7, "vxlan1", 9, ++*moves)
					   : move(t0 + i * gap, "vxlan1", 9, "veth7", 7, ++*moves);
		bool o;

		if (!ns_flaps_move(f, &e, &o))
			return -1;
		opened += o;
	}
	return opened;
}

UT_TEST(flap_opens_after_more_than_k_moves_in_window)
{
	struct ns_flaps f;
	uint64_t m = 0;

	ns_flaps_init(&f, 5, 60 * SEC);
	UT_EQ_INT(flap(&f, SEC, SEC, 5, &m), 0);	/* exactly K: not yet */
	UT_EQ_INT(flap(&f, 6 * SEC, SEC, 1, &m), 1);	/* K + 1 */
	UT_EQ_INT(f.n, 1);
	UT_ASSERT(f.v[0].open);
	UT_EQ_INT(f.v[0].moves, 6);
	UT_EQ_INT(f.v[0].start_ns, SEC);
	UT_EQ_INT(f.v[0].nports, 2);
	UT_EQ_STR(f.v[0].ports[0].name, "veth7");
	UT_EQ_STR(f.v[0].ports[1].name, "vxlan1");
	UT_EQ_INT(f.v[0].ports[0].arrivals + f.v[0].ports[1].arrivals, 6);
	ns_flaps_free(&f);
}

UT_TEST(flap_slow_moves_never_open)
{
	struct ns_flaps f;
	uint64_t m = 0;

	/* one move every 15 s: at most 4 in any 60 s window, for an hour */
	ns_flaps_init(&f, 5, 60 * SEC);
	UT_EQ_INT(flap(&f, SEC, 15 * SEC, 240, &m), 0);
	UT_EQ_INT(f.opened, 0);
	ns_flaps_free(&f);
}

static int closed_calls;
static uint64_t closed_moves;

static void on_closed(void *ctx, struct ns_flap *fl)
{
	(void)ctx;
	closed_calls++;
	closed_moves = fl->moves;
}

UT_TEST(flap_one_anomaly_while_it_lasts_then_closed_once)
{
	struct ns_flaps f;
	uint64_t m = 0;

	closed_calls = 0;
	ns_flaps_init(&f, 3, 10 * SEC);
	/* 100 moves over 50 s: opened once, updated, never re-reported */
	UT_EQ_INT(flap(&f, SEC, SEC / 2, 100, &m), 1);
	UT_EQ_INT(f.v[0].moves, 100);
	ns_flaps_expire(&f, 55 * SEC, on_closed, NULL);	/* 5 s after the last move: still open */
	UT_EQ_INT(closed_calls, 0);
	UT_ASSERT(f.v[0].open);
	ns_flaps_expire(&f, 61 * SEC, on_closed, NULL);	/* a whole window quiet */
	UT_EQ_INT(closed_calls, 1);
	UT_EQ_INT(closed_moves, 100);
	UT_EQ_INT(f.n, 0);
	UT_EQ_INT(f.closed, 1);
	/* it starts again: a new anomaly */
	UT_EQ_INT(flap(&f, 100 * SEC, SEC / 10, 4, &m), 1);
	UT_EQ_INT(f.opened, 2);
	ns_flaps_free(&f);
}

UT_TEST(flap_rate_per_minute)
{
	struct ns_flaps f;
	uint64_t m = 0;

	ns_flaps_init(&f, 3, 60 * SEC);
	flap(&f, 0, SEC, 31, &m);	/* 31 moves over 30 s */
	UT_ASSERT(f.v[0].open);
	/* 31 moves in 30 s = 62/min */
	UT_ASSERT(ns_flap_rate_per_min(&f.v[0], f.window_ns) > 61.9 &&
		  ns_flap_rate_per_min(&f.v[0], f.window_ns) < 62.1);
	ns_flaps_free(&f);
}

UT_TEST(flap_macs_and_bridges_tracked_apart)
{
	struct ns_flaps f;
	struct fdb_event a = move(SEC, "vxlan1", 9, "veth7", 7, 1), b = a;
	bool o;

	ns_flaps_init(&f, 1, 60 * SEC);
	b.mac[5] = 8;
	ns_flaps_move(&f, &a, &o);
	ns_flaps_move(&f, &b, &o);
	UT_ASSERT(!o);
	b.br_ifindex = 4;
	ns_flaps_move(&f, &b, &o);
	UT_EQ_INT(f.n, 3);
	UT_EQ_INT(f.opened, 0);
	ns_flaps_free(&f);
}

UT_TEST(flap_desc_line_names_everything)
{
	struct ns_flap_desc d = {};
	struct ns_buf b = {};

	snprintf(d.where, sizeof(d.where), "overlay-1");
	snprintf(d.bridge, sizeof(d.bridge), "br0");
	snprintf(d.mac, sizeof(d.mac), "02:42:0a:00:00:07");
	snprintf(d.owner, sizeof(d.owner), "web-1");
	snprintf(d.ports[0].name, 16, "veth7");
	snprintf(d.ports[0].kind, 16, "veth");
	snprintf(d.ports[0].owner, 64, "web-1");
	snprintf(d.ports[1].name, 16, "vxlan1");
	snprintf(d.ports[1].kind, 16, "vxlan");
	snprintf(d.ports[2].name, 16, "eno1");
	d.nports = 3;
	d.moves = 42;
	d.rate_per_min = 21;
	d.open = true;
	snprintf(d.start, sizeof(d.start), "12:00:00");
	snprintf(d.end, sizeof(d.end), "12:02:00");
	snprintf(d.cause, sizeof(d.cause), "vxlan1 answers ARP for it");
	snprintf(d.fix, sizeof(d.fix), "ip neigh del 10.0.0.7 dev vxlan1");
	ns_flap_desc_line(&d, &b);
	UT_EQ_STR(b.p, "ANOMALY fdb-flapping on bridge br0 in overlay-1: MAC 02:42:0a:00:00:07 (web-1) moving between "
		       "ports veth7 (veth, web-1), vxlan1 (vxlan) and eno1 (physical): 42 moves, 21.0/min, since "
		       "12:00:00, last 12:02:00; cause: vxlan1 answers ARP for it; fix: ip neigh del 10.0.0.7 dev "
		       "vxlan1\n");
	ns_buf_free(&b);
}

UT_TEST(fmt_fdb_move_json_and_text)
{
	struct fdb_event e = move(5 * SEC, "vxlan1", 9, "veth7", 7, 3);
	struct ns_buf b = {};

	ns_fmt_fdb_json(NULL, &e, &b);
	UT_ASSERT(strstr(b.p, "\"event\":\"fdb\",\"netns\":11,") != NULL);
	UT_ASSERT(strstr(b.p, "\"action\":\"move\",\"bridge\":\"br0\",\"bridge_ifindex\":3,\"mac\":\"02:42:0a:00:00:07\","
			      "\"vlan\":0,\"port\":{\"name\":\"vxlan1\",\"ifindex\":9,\"kind\":\"vxlan\"},"
			      "\"old_port\":{\"name\":\"veth7\",\"ifindex\":7,\"kind\":\"veth\"},\"moves\":3}\n") != NULL);
	ns_buf_reset(&b);
	ns_fmt_fdb_text(NULL, &e, &b);
	UT_ASSERT(strstr(b.p, " fdb ") != NULL);
	UT_ASSERT(strstr(b.p, "vxlan1(vxlan)") != NULL);
	UT_ASSERT(strstr(b.p, "from veth7(veth), move #3") != NULL);
	ns_buf_free(&b);
}

UT_TEST(fmt_neigh_states_and_dup)
{
	struct neigh_event e = {};
	struct ns_buf b = {};
	char st[64];

	UT_EQ_STR(ns_nud_state_name(0, st, sizeof(st)), "NONE");
	UT_EQ_STR(ns_nud_state_name(0x02, st, sizeof(st)), "REACHABLE");
	UT_EQ_STR(ns_nud_state_name(0x82, st, sizeof(st)), "REACHABLE|PERMANENT");
	e.hdr.type = NS_EV_NEIGH;
	e.hdr.size = sizeof(e);
	e.family = 2;
	memcpy(e.addr, "\x0a\x00\x00\x03", 4);
	memcpy(e.lladdr, "\x02\x42\x0a\x00\x00\x07", 6);
	memcpy(e.old_lladdr, "\x02\x42\x0a\x00\x00\x07", 6);
	snprintf(e.ifname, sizeof(e.ifname), "eth0");
	e.old_state = 0x02;
	e.new_state = 0x02;
	e.flags = NS_NEIGH_F_DUP;
	UT_EQ_INT(ns_event_check(&e, sizeof(e)), 0);
	ns_fmt_neigh_json(NULL, &e, &b);
	UT_ASSERT(strstr(b.p, "\"addr\":\"10.0.0.3\",\"ifname\":\"eth0\"") != NULL);
	UT_ASSERT(strstr(b.p, "\"changes\":[\"duplicate_answer\"]") != NULL);
	UT_ASSERT(strstr(b.p, "\"lladdr\":\"02:42:0a:00:00:07\"") != NULL);
	e.family = 7;	/* garbage from a newer or broken object: rejected, not printed */
	UT_EQ_INT(ns_event_check(&e, sizeof(e)), -22);
	UT_EQ_INT(ns_event_check(&e, sizeof(e) - 1), -22);
	ns_buf_free(&b);
}
