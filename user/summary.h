/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Per-netns RST totals built from the kernel's exact counters. Pure logic. */
#ifndef NETSLEUTH_SUMMARY_H
#define NETSLEUTH_SUMMARY_H

#include <stddef.h>
#include <stdint.h>
#include "fmt.h"

#define NS_SUMMARY_MAX_REASONS 32

struct ns_rst_reason_count {
	uint32_t reason;
	uint8_t reason_src;
	uint64_t n;
};

struct ns_rst_row {
	uint32_t netns;
	uint64_t sent;
	uint64_t recv;
	unsigned nreasons;
	struct ns_rst_reason_count reasons[NS_SUMMARY_MAX_REASONS];	/* sent, by reason */
};

struct ns_rst_summary {
	struct ns_rst_row *rows;
	size_t n, cap;
	uint64_t lost;		/* ring buffer records lost */
	uint64_t count_full;	/* counter increments lost to a full map */
};

void ns_rst_summary_free(struct ns_rst_summary *s);
void ns_rst_summary_clear(struct ns_rst_summary *s);
int ns_rst_summary_add(struct ns_rst_summary *s, const struct rst_count_key *k, uint64_t n);
/* Busiest first, then by inode, so output is stable. */
void ns_rst_summary_sort(struct ns_rst_summary *s);
const struct ns_rst_row *ns_rst_summary_find(const struct ns_rst_summary *s, uint32_t netns);

#endif
