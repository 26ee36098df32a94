/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Does a namespace's firewall drop conntrack-INVALID packets before they
 * reach the local stack? The second fix for the "connection reset by peer"
 * incident (issue #4): `iptables -I INPUT -m conntrack --ctstate INVALID -j DROP`
 * or its nft equivalent. Read from nf_tables over netlink (libnftnl): native
 * nft rules and iptables-nft rules (xt conntrack/state matches) alike.
 */
#ifndef NETSLEUTH_NFAUDIT_H
#define NETSLEUTH_NFAUDIT_H

#include <stdbool.h>
#include <stdint.h>

struct ns_ctr_table;

struct ns_nf_audit {
	bool invalid_drop;	/* a rule drops ct state INVALID at PRE_ROUTING or INPUT */
	char rule[96];		/* where: "ip filter INPUT" */
	bool legacy;		/* iptables-legacy tables exist: not read, so the answer may be incomplete */
	unsigned rules;		/* rules read */
};

/* Audit the namespace netns (through the namespace worker). */
int ns_nf_audit(struct ns_ctr_table *t, uint32_t netns, struct ns_nf_audit *out);

#endif
