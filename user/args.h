/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Command-line value parsers: pure, unit-tested, negative errno on bad input. */
#ifndef NETSLEUTH_ARGS_H
#define NETSLEUTH_ARGS_H

#include <stdint.h>

/* "90", "90s", "500ms", "5m", "2h" -> milliseconds; 0 is allowed. */
int ns_parse_duration_ms(const char *s, uint64_t *ms);
/* "4096", "64k", "16M" -> bytes. */
int ns_parse_size(const char *s, uint64_t *bytes);
/* Decimal in [min, max]. */
int ns_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/*
 * Comma-separated event names ("rst", "rst-sent,rst-recv", "all") OR-ed into
 * *mask as NS_EV_BIT(type). On error *bad points at the offending name.
 */
int ns_parse_events(const char *s, uint32_t *mask, const char **bad);
/* Name of an event type for output ("rst_sent"), or NULL. */
const char *ns_event_name(unsigned type);
/* The list of names --event accepts, for usage messages. */
const char *ns_event_names_help(void);

#endif
