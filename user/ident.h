/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What an event or counter is attributed to. Pure data; see containers.h for where it comes from. */
#ifndef NETSLEUTH_IDENT_H
#define NETSLEUTH_IDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ns_ident_kind {
	NS_IDENT_UNKNOWN = 0,
	NS_IDENT_HOST,
	NS_IDENT_CONTAINER,
	NS_IDENT_NETNS,		/* an `ip netns` namespace, no container */
};

struct ns_ident {
	enum ns_ident_kind kind;
	uint32_t netns;
	char id[65];			/* container ID, "" otherwise */
	char name[128];			/* container name; before the API answers: the ID's first 12 chars */
	char image[128];
	char pod[128];
	char k8s_namespace[64];
	char k8s_container[64];
	char runtime[16];
	char ipns[64];			/* `ip netns` name of the namespace, if it has one */
	bool named;			/* name came from a runtime API */
};

/* netns inode -> identity; returns false (and kind UNKNOWN) when nobody knows it. */
typedef bool (*ns_ident_fn)(void *ctx, uint32_t netns, struct ns_ident *out);

/* Short label for text: container name, "host", `ip netns` name, or the inode. Control chars -> '?'. */
const char *ns_ident_label(const struct ns_ident *id, char *buf, size_t len);

#endif
