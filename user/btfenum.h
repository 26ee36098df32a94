/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef NETSLEUTH_BTFENUM_H
#define NETSLEUTH_BTFENUM_H

#include "fmt.h"

/*
 * Names of `enum <name>` from the running kernel's BTF, prefix stripped
 * ("SK_RST_REASON_NO_SOCKET" -> "NO_SOCKET"). Reason enums grow with every
 * release, so a table compiled into the agent would go stale: read them.
 * -ENOENT when the kernel has no such enum.
 */
int ns_btf_enum_names(const char *enum_name, const char *strip_prefix, struct ns_enum_names *out);
void ns_enum_names_free(struct ns_enum_names *n);

#endif
