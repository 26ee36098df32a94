// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <linux/types.h>
#include "args.h"
#include "common.h"
#include "ut.h"

UT_TEST(duration_units)
{
	uint64_t ms;

	UT_EQ_INT(ns_parse_duration_ms("90", &ms), 0);
	UT_EQ_INT(ms, 90000);
	UT_EQ_INT(ns_parse_duration_ms("500ms", &ms), 0);
	UT_EQ_INT(ms, 500);
	UT_EQ_INT(ns_parse_duration_ms("5m", &ms), 0);
	UT_EQ_INT(ms, 300000);
	UT_EQ_INT(ns_parse_duration_ms("2h", &ms), 0);
	UT_EQ_INT(ms, 7200000);
	UT_EQ_INT(ns_parse_duration_ms("3S", &ms), 0);
	UT_EQ_INT(ms, 3000);
}

UT_TEST(duration_rejects_garbage)
{
	uint64_t ms;

	UT_EQ_INT(ns_parse_duration_ms("", &ms), -EINVAL);
	UT_EQ_INT(ns_parse_duration_ms("-1", &ms), -EINVAL);
	UT_EQ_INT(ns_parse_duration_ms("1x", &ms), -EINVAL);
	UT_EQ_INT(ns_parse_duration_ms("s", &ms), -EINVAL);
	UT_EQ_INT(ns_parse_duration_ms(" 5", &ms), -EINVAL);
	UT_EQ_INT(ns_parse_duration_ms("99999999999999999999", &ms), -ERANGE);
	UT_EQ_INT(ns_parse_duration_ms("18446744073709551h", &ms), -ERANGE);
}

UT_TEST(size_units)
{
	uint64_t v;

	UT_EQ_INT(ns_parse_size("4096", &v), 0);
	UT_EQ_INT(v, 4096);
	UT_EQ_INT(ns_parse_size("64k", &v), 0);
	UT_EQ_INT(v, 65536);
	UT_EQ_INT(ns_parse_size("16M", &v), 0);
	UT_EQ_INT(v, 16 << 20);
	UT_EQ_INT(ns_parse_size("1GiB", &v), 0);
	UT_EQ_INT(v, 1 << 30);
	UT_EQ_INT(ns_parse_size("1T", &v), -EINVAL);
	UT_EQ_INT(ns_parse_size("k", &v), -EINVAL);
}

UT_TEST(u64_bounds)
{
	uint64_t v;

	UT_EQ_INT(ns_parse_u64("10", 1, 10, &v), 0);
	UT_EQ_INT(v, 10);
	UT_EQ_INT(ns_parse_u64("11", 1, 10, &v), -ERANGE);
	UT_EQ_INT(ns_parse_u64("0", 1, 10, &v), -ERANGE);
	UT_EQ_INT(ns_parse_u64("+1", 0, 10, &v), -EINVAL);
	UT_EQ_INT(ns_parse_u64("1a", 0, 10, &v), -EINVAL);
	UT_EQ_INT(ns_parse_u64(NULL, 0, 10, &v), -EINVAL);
}

UT_TEST(events_names_and_groups)
{
	const char *bad = NULL;
	uint32_t m = 0;

	UT_EQ_INT(ns_parse_events("rst-sent", &m, &bad), 0);
	UT_EQ_INT(m, NS_EV_BIT(NS_EV_RST_SENT));
	m = 0;
	UT_EQ_INT(ns_parse_events("rst", &m, &bad), 0);
	UT_EQ_INT(m, NS_EV_BIT(NS_EV_RST_SENT) | NS_EV_BIT(NS_EV_RST_RECV));
	m = 0;
	UT_EQ_INT(ns_parse_events("rst-recv,RST-SENT", &m, &bad), 0);
	UT_EQ_INT(m, NS_EV_BIT(NS_EV_RST_SENT) | NS_EV_BIT(NS_EV_RST_RECV));
	UT_EQ_STR(ns_event_name(NS_EV_RST_SENT), "rst_sent");
	UT_EQ_STR(ns_event_name(NS_EV_RST_RECV), "rst_recv");
	UT_ASSERT(ns_event_name(0) == NULL);
	UT_ASSERT(ns_event_name(77) == NULL);
}

UT_TEST(events_rejects_unknown)
{
	const char *bad = NULL;
	uint32_t m = 0;

	UT_EQ_INT(ns_parse_events("rst,bogus", &m, &bad), -EINVAL);
	UT_EQ_STR(bad, "bogus");
	UT_EQ_INT(ns_parse_events("rst,", &m, &bad), -EINVAL);
	UT_EQ_INT(ns_parse_events("", &m, &bad), -EINVAL);
	UT_EQ_INT(ns_parse_events("rst-sentx", &m, &bad), -EINVAL);
	UT_EQ_INT(m, 0);
}
