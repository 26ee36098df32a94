// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <arpa/inet.h>
#include <errno.h>
#include "fmt.h"
#include "ut.h"

static char *reason_tab[] = { "NOT_SPECIFIED", "NO_SOCKET", NULL, "TCP_FLAGS" };
static const struct ns_enum_names reasons = { reason_tab, 4 };

static bool names(void *ctx, uint32_t inode, struct ns_ident *out)
{
	(void)ctx;
	if (inode != 4026532000u)
		return false;
	out->kind = NS_IDENT_CONTAINER;
	strcpy(out->id, "3f2a000000000000000000000000000000000000000000000000000000000001");
	strcpy(out->name, "web\"1\n");
	strcpy(out->image, "nginx:1");
	strcpy(out->runtime, "docker");
	out->named = true;
	return true;
}

static struct ns_fmt fmt_fixture(void)
{
	struct ns_fmt f = {
		.rst_reasons = &reasons,
		.ident = names,
		/* ts_ns 0 is 2026-11-23T08:00:00Z */
		.mono_to_real_ns = 1795420800LL * 1000000000LL,
		.utc = true,
	};
	return f;
}

static struct rst_event sent_v4(void)
{
	struct rst_event e = {};

	e.hdr.type = NS_EV_RST_SENT;
	e.hdr.size = sizeof(e);
	e.hdr.netns = 4026532000u;
	e.hdr.ts_ns = 1500000;	/* 1.5 ms */
	e.family = 2;
	inet_pton(AF_INET, "10.0.0.2", e.saddr);
	inet_pton(AF_INET, "10.0.0.1", e.daddr);
	e.sport = 9;
	e.dport = 40000;
	e.reason_src = NS_RSN_KERNEL;
	e.reason = 1;
	e.flags = NS_RST_F_SKB;
	e.tcp_flags = 0x02;
	e.seq = 123;
	e.ifindex = 5;
	memcpy(e.ifname, "veth0", 6);
	return e;
}

UT_TEST(fmt_rst_json_exact)
{
	struct ns_fmt f = fmt_fixture();
	struct rst_event e = sent_v4();
	struct ns_buf b = {};

	ns_fmt_rst_json(&f, &e, &b);
	UT_EQ_STR(b.p, "{\"ts\":\"2026-11-23T08:00:00.001500Z\",\"ts_ns\":1500000,\"event\":\"rst_sent\","
		       "\"netns\":4026532000,\"netns_name\":null,\"container\":{\"id\":"
		       "\"3f2a000000000000000000000000000000000000000000000000000000000001\",\"name\":\"web\\\"1\\n\","
		       "\"named\":true,\"image\":\"nginx:1\",\"runtime\":\"docker\",\"pod\":null,\"k8s_namespace\":null,"
		       "\"k8s_container\":null},\"family\":\"ipv4\",\"saddr\":\"10.0.0.2\","
		       "\"sport\":9,\"daddr\":\"10.0.0.1\",\"dport\":40000,\"ifindex\":5,\"ifname\":\"veth0\","
		       "\"state\":null,\"reason\":\"NO_SOCKET\",\"reason_source\":\"kernel\",\"socket\":false,"
		       "\"answered\":{\"tcp_flags\":[\"SYN\"],\"seq\":123,\"ack\":0},\"pid\":null,\"comm\":null}\n");
	ns_buf_free(&b);
}

UT_TEST(fmt_rst_json_recv_v6_with_task)
{
	struct ns_fmt f = fmt_fixture();
	struct rst_event e = {};
	struct ns_buf b = {};

	e.hdr.type = NS_EV_RST_RECV;
	e.hdr.netns = 7;
	e.family = 10;
	inet_pton(AF_INET6, "2001:db8::1", e.saddr);
	inet_pton(AF_INET6, "::1", e.daddr);
	e.sport = 443;
	e.dport = 5555;
	e.flags = NS_RST_F_SOCK | NS_RST_F_TASK | NS_RST_F_IPV6;
	e.state = 1;
	e.pid = 42;
	memcpy(e.comm, "curl\xff", 5);
	ns_fmt_rst_json(&f, &e, &b);
	UT_ASSERT(strstr(b.p, "\"event\":\"rst_recv\""));
	UT_ASSERT(strstr(b.p, "\"netns_name\":null,\"container\":null,"));
	UT_ASSERT(strstr(b.p, "\"family\":\"ipv6\",\"saddr\":\"2001:db8::1\",\"sport\":443,\"daddr\":\"::1\""));
	UT_ASSERT(strstr(b.p, "\"state\":\"ESTABLISHED\",\"reason\":null,\"reason_source\":null,\"socket\":true,"));
	UT_ASSERT(!strstr(b.p, "answered"));
	UT_ASSERT(strstr(b.p, "\"pid\":42,\"comm\":\"curl\\ufffd\"}"));
	ns_buf_free(&b);
}

UT_TEST(fmt_rst_text_columns)
{
	struct ns_fmt f = fmt_fixture();
	struct rst_event e = sent_v4();
	struct ns_buf b = {};

	ns_fmt_rst_text(&f, &e, &b);
	UT_EQ_STR(b.p, "08:00:00.001  rst-sent  web\"1?        veth0       10.0.0.2:9                "
		       "10.0.0.1:40000            -             NO_SOCKET         -\n");
	ns_buf_reset(&b);
	ns_fmt_rst_header(&b);
	UT_ASSERT(!strncmp(b.p, "TIME          EVENT     WHERE", 29));
	ns_buf_free(&b);
}

UT_TEST(fmt_reason_names)
{
	struct ns_fmt f = fmt_fixture();
	struct rst_event e = { .reason_src = NS_RSN_KERNEL, .reason = 3 };
	char buf[32];

	UT_EQ_STR(ns_rst_reason_name(&f, &e, buf, sizeof(buf)), "TCP_FLAGS");
	e.reason = 2;	/* hole in the kernel enum */
	UT_EQ_STR(ns_rst_reason_name(&f, &e, buf, sizeof(buf)), "REASON_2");
	e.reason = 99;
	UT_EQ_STR(ns_rst_reason_name(&f, &e, buf, sizeof(buf)), "REASON_99");
	UT_EQ_STR(ns_rst_reason_name(NULL, &e, buf, sizeof(buf)), "REASON_99");
	e.reason_src = NS_RSN_DERIVED;
	e.reason = NS_RST_D_NO_SOCKET;
	UT_EQ_STR(ns_rst_reason_name(&f, &e, buf, sizeof(buf)), "NO_SOCKET");
	e.reason = NS_RST_D_ACTIVE;
	UT_EQ_STR(ns_rst_reason_name(&f, &e, buf, sizeof(buf)), "ACTIVE");
	e.reason = 200;
	UT_EQ_STR(ns_rst_reason_name(&f, &e, buf, sizeof(buf)), "DERIVED_200");
	e.reason_src = NS_RSN_NONE;
	UT_ASSERT(ns_rst_reason_name(&f, &e, buf, sizeof(buf)) == NULL);
}

UT_TEST(fmt_tcp_flags_and_states)
{
	char buf[16];

	ns_tcp_flags_str(0x12, buf, sizeof(buf));
	UT_EQ_STR(buf, "S.");
	ns_tcp_flags_str(0x19, buf, sizeof(buf));
	UT_EQ_STR(buf, "FP.");
	ns_tcp_flags_str(0, buf, sizeof(buf));
	UT_EQ_STR(buf, "");
	ns_tcp_flags_str(0xff, buf, 3);
	UT_EQ_STR(buf, "FS");
	UT_EQ_STR(ns_tcp_state_name(10), "LISTEN");
	UT_EQ_STR(ns_tcp_state_name(0), "UNKNOWN");
	UT_EQ_STR(ns_tcp_state_name(200), "UNKNOWN");
}

UT_TEST(fmt_event_check_rejects_bad_records)
{
	struct rst_event e = sent_v4();

	UT_EQ_INT(ns_event_check(&e, sizeof(e)), 0);
	UT_EQ_INT(ns_event_check(&e, 8), -EINVAL);		/* shorter than a header */
	UT_EQ_INT(ns_event_check(&e, sizeof(e) - 1), -EINVAL);	/* size field beyond record */
	e.hdr.size = 16;
	UT_EQ_INT(ns_event_check(&e, sizeof(e)), -EINVAL);	/* too short for its type */
	e = sent_v4();
	e.hdr.type = 999;
	UT_EQ_INT(ns_event_check(&e, sizeof(e)), -EINVAL);
	e = sent_v4();
	e.family = 3;
	UT_EQ_INT(ns_event_check(&e, sizeof(e)), -EINVAL);
}
