/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* TCP state transitions per network namespace (issue #3). Counters only, no events. */
#ifndef NETSLEUTH_TCPSTATE_H
#define NETSLEUTH_TCPSTATE_H

#include "common.h"

/* Key of the per-CPU `tcpstate_counts` hash: transitions old -> new in a netns. */
struct tcpstate_key {
	__u32 netns;
	__u8 oldstate;	/* kernel TCP state numbering (tcp_states.h) */
	__u8 newstate;
	__u16 __pad;
};
_Static_assert(sizeof(struct tcpstate_key) == 8, "tcpstate_key is ABI");

#endif
