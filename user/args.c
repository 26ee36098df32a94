// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <linux/types.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "common.h"
#include "args.h"

int ns_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

/* Digits then a unit from `units`; multiplies with overflow checks. */
static int parse_scaled(const char *s, const char *const *units, const uint64_t *mult,
			uint64_t dflt_mult, uint64_t *out)
{
	unsigned long long v;
	uint64_t m = dflt_mult;
	char *end;
	int i;

	if (!s || !*s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -ERANGE;
	if (*end) {
		for (i = 0; units[i]; i++)
			if (!strcasecmp(end, units[i]))
				break;
		if (!units[i])
			return -EINVAL;
		m = mult[i];
	}
	if (m && v > UINT64_MAX / m)
		return -ERANGE;
	*out = v * m;
	return 0;
}

int ns_parse_duration_ms(const char *s, uint64_t *ms)
{
	static const char *const units[] = { "ms", "s", "m", "min", "h", NULL };
	static const uint64_t mult[] = { 1, 1000, 60000, 60000, 3600000 };

	return parse_scaled(s, units, mult, 1000, ms);
}

int ns_parse_size(const char *s, uint64_t *bytes)
{
	static const char *const units[] = { "k", "kb", "kib", "m", "mb", "mib", "g", "gb", "gib", NULL };
	static const uint64_t mult[] = { 1ULL << 10, 1ULL << 10, 1ULL << 10, 1ULL << 20, 1ULL << 20,
					 1ULL << 20, 1ULL << 30, 1ULL << 30, 1ULL << 30 };

	return parse_scaled(s, units, mult, 1, bytes);
}

static const struct {
	const char *name;	/* as typed on the command line */
	const char *json;	/* as printed */
	uint32_t mask;
} events[] = {
	{ "rst-sent", "rst_sent", NS_EV_BIT(NS_EV_RST_SENT) },
	{ "rst-recv", "rst_recv", NS_EV_BIT(NS_EV_RST_RECV) },
	{ "ct-invalid", "ct_invalid", NS_EV_BIT(NS_EV_CT_INVALID) },
	{ "fdb", "fdb", NS_EV_BIT(NS_EV_FDB) },
	{ "neigh", "neigh", NS_EV_BIT(NS_EV_NEIGH) },
	{ "drop", "drop", NS_EV_BIT(NS_EV_DROP) },
	{ "retrans", "retrans", NS_EV_BIT(NS_EV_RETRANS) },
	{ "flow-end", "flow_end", NS_EV_BIT(NS_EV_FLOW_END) },
	{ "rst", NULL, NS_EV_BIT(NS_EV_RST_SENT) | NS_EV_BIT(NS_EV_RST_RECV) },
	{ "all", NULL, ~0U },
};

const char *ns_event_names_help(void)
{
	return "rst-sent, rst-recv, rst (both), ct-invalid, fdb, neigh, drop, retrans, flow-end, all";
}

const char *ns_event_name(unsigned type)
{
	size_t i;

	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		if (events[i].json && events[i].mask == NS_EV_BIT(type))
			return events[i].json;
	return NULL;
}

int ns_parse_events(const char *s, uint32_t *mask, const char **bad)
{
	const char *p = s, *comma;
	uint32_t m = 0;
	size_t len, i;

	if (!s || !*s) {
		*bad = s;
		return -EINVAL;
	}
	while (*p) {
		comma = strchr(p, ',');
		len = comma ? (size_t)(comma - p) : strlen(p);
		for (i = 0; i < sizeof(events) / sizeof(events[0]); i++)
			if (strlen(events[i].name) == len && !strncasecmp(p, events[i].name, len))
				break;
		if (i == sizeof(events) / sizeof(events[0])) {
			*bad = p;
			return -EINVAL;
		}
		m |= events[i].mask;
		if (!comma)
			break;
		p = comma + 1;
		if (!*p) {	/* trailing comma */
			*bad = p;
			return -EINVAL;
		}
	}
	*mask |= m;
	return 0;
}
