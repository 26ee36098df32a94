/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Who a network namespace belongs to: a container (ID, name, image, pod), an
 * `ip netns` namespace, or the host. Fed by /proc (cgroup paths, netns
 * inodes: works without any runtime API), the Docker Engine API (names,
 * images, labels, networks: from its own thread) and rtnetlink (interfaces,
 * MACs, addresses, counters). Every event and counter is attributed through
 * it. Thread-safe: the Docker thread writes, the main loop reads.
 */
#ifndef NETSLEUTH_CONTAINERS_H
#define NETSLEUTH_CONTAINERS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "cgroup.h"
#include "ident.h"
#include "docker_parse.h"
#include "procscan.h"
#include "rtnl.h"

/* Interfaces of a namespace, from rtnetlink. */
#define NS_NS_MAX_LINKS 16
#define NS_NS_MAX_ADDRS 16
struct ns_ns_addr {
	int family;
	int ifindex;
	uint8_t addr[16];
};

struct ns_nsinfo {
	uint32_t netns;
	int pid;			/* a process inside, to enter it */
	char ctr_id[NS_CTR_ID_LEN + 1];	/* owning container */
	char ipns[64];			/* `ip netns` name */
	/*
	 * Name under docker_netns_dir: Docker bind-mounts every sandbox there,
	 * containers' and its own (overlay networks' "1-<id>", "ingress_sbox",
	 * "lb_<id>"), and the latter have no process inside to find them by.
	 */
	char dockerns[64];
	bool host;
	bool alive;
	uint64_t dead_since_ms;
	uint64_t links_ms;		/* when links/addrs were read */
	unsigned nlinks;
	struct ns_link links[NS_NS_MAX_LINKS];
	unsigned naddrs;
	struct ns_ns_addr addrs[NS_NS_MAX_ADDRS];
};

struct ns_ctr {
	struct ns_ctr_info info;	/* info.id always set; the rest once from_api */
	bool from_api;
	enum ns_runtime rt;
	uint32_t netns;
	bool alive;
	uint64_t dead_since_ms;
};

struct ns_ctr_table {
	pthread_mutex_t lock;
	struct ns_ctr *ctrs;
	size_t nctrs, cap_ctrs;
	struct ns_nsinfo *ns;
	size_t nns, cap_ns;
	uint32_t host_netns;
	const char *proc_root;		/* "/proc" */
	const char *netns_dir;		/* "/run/netns" */
	const char *docker_netns_dir;	/* "/run/docker/netns" (= /var/run/docker/netns) */
	uint64_t expire_ms;		/* forget dead entries after this long */
	bool api_up;
	char api_why[160];
	/* the last lookup, events come in bursts from one namespace */
	struct ns_ident last;
	bool last_valid;
	/* on-demand resolution of unknown namespaces, rate-limited */
	uint32_t miss_netns[64];
	uint64_t miss_ms[64];
	/* namespaces forgotten since the last ns_ctr_table_take_expired(): their kernel counters can go */
	uint32_t expired[1024];
	size_t nexpired;
	/* Optional synchronous API lookup for IDs the table has not seen (short-lived containers). */
	int (*inspect)(void *ctx, const char *id, struct ns_ctr_info *out);
	void *inspect_ctx;
};

#define NS_CTR_TABLE_MAX_NS 65536
#define NS_CTR_TABLE_MAX_CTRS 65536

int ns_ctr_table_init(struct ns_ctr_table *t);
void ns_ctr_table_destroy(struct ns_ctr_table *t);

/* Docker thread callbacks (struct ns_docker_ops). */
void ns_ctr_table_docker_update(void *t, const struct ns_ctr_info *c);
void ns_ctr_table_docker_gone(void *t, const char *id);
void ns_ctr_table_docker_availability(void *t, bool up, const char *why);

/*
 * Full /proc + `ip netns` + Docker netns rescan: new namespaces appear,
 * vanished ones start expiring. A namespace known only from docker_netns_dir
 * (no process, no container) is labelled "docker:NAME" (kind NS_IDENT_NETNS,
 * ident.name and ident.ipns).
 */
int ns_ctr_table_refresh(struct ns_ctr_table *t, uint64_t now_ms);
/* Re-read links/addresses of live namespaces through rtnetlink. */
int ns_ctr_table_refresh_links(struct ns_ctr_table *t, uint64_t now_ms);

/* Attribution. Unknown namespaces are resolved on demand (rate-limited). */
bool ns_ctr_ident_netns(struct ns_ctr_table *t, uint32_t netns, struct ns_ident *out);
bool ns_ctr_ident_ip(struct ns_ctr_table *t, int family, const uint8_t *addr, struct ns_ident *out);
bool ns_ctr_ident_mac(struct ns_ctr_table *t, const uint8_t mac[6], struct ns_ident *out);
bool ns_ctr_ident_host_ifindex(struct ns_ctr_table *t, int ifindex, struct ns_ident *out);

/* Netns inodes of the containers matching NAME, ID or ID prefix (>= 4 chars); 0 if none. */
size_t ns_ctr_match(struct ns_ctr_table *t, const char *name_or_id, uint32_t *netns, size_t max);

/* Snapshot copies for reports: caller frees. */
int ns_ctr_table_namespaces(struct ns_ctr_table *t, struct ns_nsinfo **v, size_t *n);
bool ns_ctr_table_is_alive(struct ns_ctr_table *t, uint32_t netns);
/* Namespaces forgotten since the last call (dead longer than expire_ms); returns how many. */
size_t ns_ctr_table_take_expired(struct ns_ctr_table *t, uint32_t *out, size_t max);
/* An open fd on the namespace (via `ip netns` name, Docker's bind mount or a process inside), or -errno. */
int ns_ctr_table_open_netns(struct ns_ctr_table *t, uint32_t netns);


#endif
