// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "fmt.h"
#include "report.h"
#include "ut.h"

static void fill(struct ns_report *r)
{
	struct ns_report_row *row;

	row = ns_report_add(r);
	row->id.kind = NS_IDENT_NETNS;
	row->id.netns = 30;
	strcpy(row->id.name, "blue");
	strcpy(row->id.ipns, "blue");
	row->alive = true;

	row = ns_report_add(r);
	row->id.kind = NS_IDENT_CONTAINER;
	row->id.netns = 20;
	strcpy(row->id.id, "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
	strcpy(row->id.name, "web");
	strcpy(row->id.image, "nginx");
	row->id.named = true;
	row->alive = true;
	row->rst.netns = 20;
	row->rst.sent = 5;
	row->rst.nreasons = 1;
	row->rst.reasons[0].reason_src = NS_RSN_DERIVED;
	row->rst.reasons[0].reason = NS_RST_D_NO_SOCKET;
	row->rst.reasons[0].n = 5;
	row->rst_sent_delta = 2;
	row->has_tcp = true;
	row->tcp[NS_TCP_ESTABLISHED] = 3;
	row->tcp[NS_TCP_FIN_WAIT1] = 1;
	row->tcp[NS_TCP_FIN_WAIT2] = 1;
	row->tcp[NS_TCP_LISTEN] = 1;
	row->nlinks = 1;
	strcpy(row->links[0].name, "eth0");
	strcpy(row->links[0].kind, "veth");
	strcpy(row->links[0].peer, "veth1a2b");
	row->links[0].has_mac = true;
	memcpy(row->links[0].mac, "\x02\x42\xac\x11\x00\x02", 6);
	row->links[0].rx_bytes = 2048;
	row->links[0].rx_packets = 10;
	row->links[0].naddrs = 2;
	strcpy(row->links[0].addrs[0], "172.17.0.2");
	strcpy(row->links[0].addrs[1], "fd00::2");

	row = ns_report_add(r);
	row->id.kind = NS_IDENT_HOST;
	row->id.netns = 10;
	strcpy(row->id.name, "host");
	row->alive = true;
	r->api_up = true;
}

UT_TEST(report_sorts_host_containers_netns)
{
	struct ns_report r = {};

	fill(&r);
	ns_report_sort(&r);
	UT_EQ_INT(r.rows[0].id.netns, 10);
	UT_EQ_INT(r.rows[1].id.netns, 20);
	UT_EQ_INT(r.rows[2].id.netns, 30);
	ns_report_free(&r);
	ns_report_free(NULL);
}

UT_TEST(report_text)
{
	struct ns_report r = {};
	struct ns_buf b = {};

	fill(&r);
	ns_report_sort(&r);
	ns_report_text(&r, NULL, "T", &b);
	UT_ASSERT(strstr(b.p, "  web                  20                  5         0          3          0          0          2          0          0          0          1\n"));
	UT_ASSERT(strstr(b.p, "      abcdef012345 nginx\n"));
	UT_ASSERT(strstr(b.p, "RSTs sent by reason: NO_SOCKET=5  (+2 sent, +0 received this interval)"));
	UT_ASSERT(strstr(b.p, "      eth0         veth   02:42:ac:11:00:02 rx 2.0 KiB/10 pkts"));
	UT_ASSERT(strstr(b.p, "host side veth1a2b\n                    172.17.0.2 fd00::2\n"));
	UT_ASSERT(strstr(b.p, "  blue                 30                  0         0          -"));
	UT_ASSERT(!strstr(b.p, "unreachable"));
	r.api_up = false;
	ns_buf_reset(&b);
	ns_report_text(&r, NULL, "T", &b);
	UT_ASSERT(strstr(b.p, "container runtime API unreachable"));
	ns_buf_free(&b);
	ns_report_free(&r);
}

UT_TEST(report_json)
{
	struct ns_report r = {};
	struct ns_buf b = {};

	fill(&r);
	ns_report_sort(&r);
	ns_report_json(&r, NULL, "2026-01-01T00:00:00Z", false, &b);
	{
		const char *head = "{\"type\":\"report\",\"ts\":\"2026-01-01T00:00:00Z\",\"final\":false,\"runtime_api\":true,";

		UT_ASSERT(!strncmp(b.p, head, strlen(head)));
	}
	UT_ASSERT(strstr(b.p, "{\"netns\":20,\"netns_name\":null,\"container\":{\"id\":\"abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789\",\"name\":\"web\",\"named\":true,\"image\":\"nginx\","));
	UT_ASSERT(strstr(b.p, "\"rst\":{\"sent\":5,\"received\":0,\"sent_delta\":2,\"received_delta\":0,\"sent_by_reason\":{\"NO_SOCKET\":5}}"));
	UT_ASSERT(strstr(b.p, "\"tcp_states\":{\"ESTABLISHED\":3,\"SYN_SENT\":0,"));
	UT_ASSERT(strstr(b.p, "\"LISTEN\":1,"));
	UT_ASSERT(strstr(b.p, "\"interfaces\":[{\"name\":\"eth0\",\"ifindex\":0,\"kind\":\"veth\",\"mac\":\"02:42:ac:11:00:02\",\"host_peer\":\"veth1a2b\",\"addresses\":[\"172.17.0.2\",\"fd00::2\"],\"rx_bytes\":2048,"));
	UT_ASSERT(strstr(b.p, "{\"netns\":30,\"netns_name\":\"blue\",\"container\":null,\"alive\":true,"));
	UT_ASSERT(strstr(b.p, "\"tcp_states\":null,\"interfaces\":[]}"));
	UT_ASSERT(b.p[b.len - 1] == '\n');
	ns_buf_free(&b);
	ns_report_free(&r);
}
