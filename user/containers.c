// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>
#include "containers.h"
#include "json.h"
#include "netns.h"
#include "vec.h"

/* statfs() f_type of the namespace filesystem (linux/magic.h NSFS_MAGIC) */
#define NS_NSFS_MAGIC 0x6e736673
/* A bound on the entries taken from one namespace directory: Docker keeps one per container. */
#define NS_DIR_MAX_NS 65536

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int ns_ctr_table_init(struct ns_ctr_table *t)
{
	uint32_t ino;
	int err;

	memset(t, 0, sizeof(*t));
	err = pthread_mutex_init(&t->lock, NULL);
	if (err)
		return -err;
	t->proc_root = "/proc";
	t->netns_dir = "/run/netns";
	t->docker_netns_dir = "/run/docker/netns";
	t->expire_ms = 60000;
	if (!ns_netns_host(&ino))
		t->host_netns = ino;
	ns_strlcpy(t->api_why, "not asked yet", sizeof(t->api_why));
	return 0;
}

void ns_ctr_table_destroy(struct ns_ctr_table *t)
{
	if (!t)
		return;
	free(t->ctrs);
	free(t->ns);
	pthread_mutex_destroy(&t->lock);
	memset(t, 0, sizeof(*t));
}

/* --- lookups, lock held --- */

static struct ns_ctr *ctr_find(struct ns_ctr_table *t, const char *id)
{
	size_t i;

	for (i = 0; i < t->nctrs; i++)
		if (!strcmp(t->ctrs[i].info.id, id))
			return &t->ctrs[i];
	return NULL;
}

static struct ns_ctr *ctr_get(struct ns_ctr_table *t, const char *id)
{
	struct ns_ctr *c = ctr_find(t, id);

	if (c)
		return c;
	if (NS_VEC_RESERVE(t->ctrs, t->cap_ctrs, t->nctrs, 64, NS_CTR_TABLE_MAX_CTRS))
		return NULL;
	c = &t->ctrs[t->nctrs++];
	memset(c, 0, sizeof(*c));
	ns_strlcpy(c->info.id, id, sizeof(c->info.id));
	return c;
}

static struct ns_nsinfo *ns_find(struct ns_ctr_table *t, uint32_t netns)
{
	size_t i;

	for (i = 0; i < t->nns; i++)
		if (t->ns[i].netns == netns)
			return &t->ns[i];
	return NULL;
}

static struct ns_nsinfo *ns_get(struct ns_ctr_table *t, uint32_t netns)
{
	struct ns_nsinfo *n = ns_find(t, netns);

	if (n)
		return n;
	if (NS_VEC_RESERVE(t->ns, t->cap_ns, t->nns, 64, NS_CTR_TABLE_MAX_NS))
		return NULL;
	n = &t->ns[t->nns++];
	memset(n, 0, sizeof(*n));
	n->netns = netns;
	n->host = netns == t->host_netns;
	n->alive = true;
	return n;
}

/*
 * Several containers can share a namespace (Kubernetes pods, --network
 * container:X). The first live one owns it; a namespace inode reused after
 * its owner died goes to the new owner.
 */
static void ns_claim(struct ns_ctr_table *t, struct ns_nsinfo *n, const char *id)
{
	struct ns_ctr *owner;

	if (n->host || !id || !*id)
		return;
	owner = n->ctr_id[0] ? ctr_find(t, n->ctr_id) : NULL;
	if (!owner || !owner->alive || owner->netns != n->netns)
		ns_strlcpy(n->ctr_id, id, sizeof(n->ctr_id));
}

static void fill_ident(struct ns_ctr_table *t, const struct ns_nsinfo *n, struct ns_ident *out)
{
	const struct ns_ctr *c;

	memset(out, 0, sizeof(*out));
	out->netns = n->netns;
	ns_strlcpy(out->ipns, n->ipns, sizeof(out->ipns));
	if (n->host) {
		out->kind = NS_IDENT_HOST;
		ns_strlcpy(out->name, "host", sizeof(out->name));
		return;
	}
	c = n->ctr_id[0] ? ctr_find(t, n->ctr_id) : NULL;
	if (c) {
		out->kind = NS_IDENT_CONTAINER;
		ns_strlcpy(out->id, c->info.id, sizeof(out->id));
		if (c->from_api && c->info.name[0]) {
			ns_strlcpy(out->name, c->info.name, sizeof(out->name));
			out->named = true;
		} else {
			snprintf(out->name, sizeof(out->name), "%.12s", c->info.id);
		}
		ns_strlcpy(out->image, c->info.image, sizeof(out->image));
		ns_strlcpy(out->pod, c->info.k8s_pod, sizeof(out->pod));
		ns_strlcpy(out->k8s_namespace, c->info.k8s_namespace, sizeof(out->k8s_namespace));
		ns_strlcpy(out->k8s_container, c->info.k8s_container, sizeof(out->k8s_container));
		ns_strlcpy(out->runtime, ns_runtime_name(c->rt ? c->rt : NS_RT_DOCKER), sizeof(out->runtime));
		return;
	}
	if (n->ipns[0]) {
		out->kind = NS_IDENT_NETNS;
		ns_strlcpy(out->name, n->ipns, sizeof(out->name));
		return;
	}
	if (n->dockerns[0]) {
		/*
		 * Docker's own namespace (an overlay's, the ingress sandbox): no
		 * container to name it by. The prefix keeps it apart from `ip netns`
		 * names, which it is not (`ip netns exec` cannot enter it).
		 */
		out->kind = NS_IDENT_NETNS;
		snprintf(out->name, sizeof(out->name), "docker:%s", n->dockerns);
		ns_strlcpy(out->ipns, out->name, sizeof(out->ipns));
		return;
	}
	out->kind = NS_IDENT_UNKNOWN;
}

/* --- writers --- */

static uint32_t pid_netns(const struct ns_ctr_table *t, int pid)
{
	char path[256];
	uint32_t ino = 0;

	if (pid <= 0)
		return 0;
	snprintf(path, sizeof(path), "%s/%d/ns/net", t->proc_root, pid);
	return ns_netns_inode_of(path, &ino) ? 0 : ino;
}

void ns_ctr_table_docker_update(void *ctx, const struct ns_ctr_info *info)
{
	struct ns_ctr_table *t = ctx;
	uint32_t netns = info->running ? pid_netns(t, info->pid) : 0;
	struct ns_nsinfo *n;
	struct ns_ctr *c;

	pthread_mutex_lock(&t->lock);
	c = ctr_get(t, info->id);
	if (!c)
		goto out;
	c->info = *info;
	c->from_api = true;
	if (!c->rt)
		c->rt = NS_RT_DOCKER;
	if (info->running && netns) {
		c->alive = true;
		c->dead_since_ms = 0;
		c->netns = netns;
		n = ns_get(t, netns);
		if (n) {
			n->alive = true;
			n->dead_since_ms = 0;
			if (!n->pid)
				n->pid = info->pid;
			ns_claim(t, n, c->info.id);
		}
	} else if (!info->running && c->alive) {
		c->alive = false;
		c->dead_since_ms = now_ms();
	}
out:
	t->last_valid = false;
	pthread_mutex_unlock(&t->lock);
}

void ns_ctr_table_docker_gone(void *ctx, const char *id)
{
	struct ns_ctr_table *t = ctx;
	struct ns_ctr *c;

	pthread_mutex_lock(&t->lock);
	c = ctr_find(t, id);
	if (c && (c->alive || !c->dead_since_ms)) {
		c->alive = false;
		c->dead_since_ms = now_ms();
	}
	t->last_valid = false;
	pthread_mutex_unlock(&t->lock);
}

void ns_ctr_table_docker_availability(void *ctx, bool up, const char *why)
{
	struct ns_ctr_table *t = ctx;

	pthread_mutex_lock(&t->lock);
	t->api_up = up;
	ns_strlcpy(t->api_why, why ? why : "", sizeof(t->api_why));
	pthread_mutex_unlock(&t->lock);
}

static void upsert_proc(struct ns_ctr_table *t, const struct ns_proc_netns *p, uint64_t now)
{
	struct ns_nsinfo *n = ns_get(t, p->netns);
	struct ns_ctr *c;

	if (!n)
		return;
	n->alive = true;
	n->dead_since_ms = 0;
	n->pid = p->pid;
	(void)now;
	if (p->rt == NS_RT_NONE || !p->id[0])
		return;
	c = ctr_get(t, p->id);
	if (!c)
		return;
	c->rt = p->rt;
	c->netns = p->netns;
	c->alive = true;
	c->dead_since_ms = 0;
	ns_claim(t, n, c->info.id);
}

static void expire(struct ns_ctr_table *t, uint64_t now)
{
	size_t i = 0;

	while (i < t->nns) {
		if (!t->ns[i].alive && t->ns[i].dead_since_ms && now - t->ns[i].dead_since_ms > t->expire_ms) {
			if (t->nexpired < sizeof(t->expired) / sizeof(t->expired[0]))
				t->expired[t->nexpired++] = t->ns[i].netns;
			t->ns[i] = t->ns[--t->nns];
		} else
			i++;
	}
	i = 0;
	while (i < t->nctrs) {
		if (!t->ctrs[i].alive && t->ctrs[i].dead_since_ms && now - t->ctrs[i].dead_since_ms > t->expire_ms)
			t->ctrs[i] = t->ctrs[--t->nctrs];
		else
			i++;
	}
}

struct named_ns {
	uint32_t ino;
	char name[64];
};

/*
 * The namespaces bind-mounted in dir (`ip netns`'s, Docker's), at most
 * NS_DIR_MAX_NS; none when dir is absent. Only nsfs files count: a file whose
 * mount is gone (a runtime that died before unmounting) is an empty file on
 * tmpfs, and its inode no namespace's.
 */
static int scan_netns_dir(const char *dir, struct named_ns **v, size_t *n)
{
	size_t cap = 0;
	struct dirent *de;
	int err = 0;
	DIR *d;

	*v = NULL;
	*n = 0;
	d = dir ? opendir(dir) : NULL;
	if (!d)
		return 0;
	while ((de = readdir(d)) && *n < NS_DIR_MAX_NS) {
		char path[512];
		struct statfs sf;
		uint32_t ino;

		if (de->d_name[0] == '.' || strlen(de->d_name) >= sizeof((*v)->name))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= sizeof(path) ||
		    statfs(path, &sf) || sf.f_type != NS_NSFS_MAGIC || ns_netns_inode_of(path, &ino))
			continue;
		err = NS_VEC_RESERVE(*v, cap, *n, 64, 0);
		if (err)
			break;
		(*v)[*n].ino = ino;
		ns_strlcpy((*v)[*n].name, de->d_name, sizeof((*v)[*n].name));
		(*n)++;
	}
	closedir(d);
	if (err) {
		free(*v);
		*v = NULL;
		*n = 0;
	}
	return err;
}

int ns_ctr_table_refresh(struct ns_ctr_table *t, uint64_t now)
{
	struct ns_proc_netns *v = NULL;
	struct named_ns *ipns = NULL, *dns = NULL;
	size_t n = 0, nipns = 0, ndns = 0, i, k;
	int err;

	err = ns_proc_scan(t->proc_root, &v, &n);
	if (!err)
		err = scan_netns_dir(t->netns_dir, &ipns, &nipns);
	if (!err)
		err = scan_netns_dir(t->docker_netns_dir, &dns, &ndns);
	if (err) {
		free(v);
		free(ipns);
		return err;
	}

	pthread_mutex_lock(&t->lock);
	for (i = 0; i < t->nns; i++) {
		t->ns[i].ipns[0] = '\0';
		t->ns[i].dockerns[0] = '\0';
	}
	for (i = 0; i < n; i++)
		upsert_proc(t, &v[i], now);
	for (k = 0; k < nipns + ndns; k++) {
		const struct named_ns *e = k < nipns ? &ipns[k] : &dns[k - nipns];
		struct ns_nsinfo *ns = ns_get(t, e->ino);

		if (!ns)
			continue;
		if (k < nipns)
			ns_strlcpy(ns->ipns, e->name, sizeof(ns->ipns));
		else
			ns_strlcpy(ns->dockerns, e->name, sizeof(ns->dockerns));
		ns->alive = true;
		ns->dead_since_ms = 0;
	}
	/* Whatever neither /proc nor a namespace directory holds any more is dead: start its grace period. */
	for (i = 0; i < t->nns; i++) {
		struct ns_nsinfo *ns = &t->ns[i];
		bool seen = ns->ipns[0] != '\0' || ns->dockerns[0] != '\0';

		for (k = 0; !seen && k < n; k++)
			seen = v[k].netns == ns->netns;
		if (!seen && ns->alive) {
			ns->alive = false;
			ns->dead_since_ms = now;
		}
	}
	for (i = 0; i < t->nctrs; i++) {
		struct ns_ctr *c = &t->ctrs[i];
		struct ns_nsinfo *ns = c->netns ? ns_find(t, c->netns) : NULL;

		if (c->alive && (!ns || !ns->alive) && !(c->from_api && c->info.running)) {
			c->alive = false;
			c->dead_since_ms = now;
		}
		/* never seen alive (stopped when listed, or its pid vanished first): expire it too */
		if (!c->alive && !c->dead_since_ms)
			c->dead_since_ms = now;
	}
	expire(t, now);
	t->last_valid = false;
	pthread_mutex_unlock(&t->lock);
	free(v);
	free(ipns);
	free(dns);
	return 0;
}

static int open_netns(const struct ns_ctr_table *t, const struct ns_nsinfo *n)
{
	char path[512];
	int fd = -1;

	errno = ENOENT;	/* nothing to open it by */
	if (n->ipns[0]) {
		snprintf(path, sizeof(path), "%s/%s", t->netns_dir, n->ipns);
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	/* Docker's bind mount before a process: it outlives any one process inside */
	if (fd < 0 && n->dockerns[0] && t->docker_netns_dir) {
		snprintf(path, sizeof(path), "%s/%s", t->docker_netns_dir, n->dockerns);
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0 && n->pid > 0) {
		snprintf(path, sizeof(path), "%s/%d/ns/net", t->proc_root, n->pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	return fd < 0 ? -errno : fd;
}

int ns_ctr_table_refresh_links(struct ns_ctr_table *t, uint64_t now)
{
	struct ns_nsinfo *snap = NULL;
	size_t nsnap = 0, i, k;
	int err;

	err = ns_ctr_table_namespaces(t, &snap, &nsnap);
	if (err)
		return err;
	for (i = 0; i < nsnap; i++) {
		struct ns_link *links = NULL;
		struct ns_addr *addrs = NULL;
		size_t nl = 0, na = 0;
		struct ns_nsinfo *n;
		uint32_t ino = 0;
		int fd;

		if (!snap[i].alive)
			continue;
		fd = open_netns(t, &snap[i]);
		if (fd < 0)
			continue;
		/* the pid may have been reused by now: only trust the fd if it is still that namespace */
		{
			struct stat st;

			if (fstat(fd, &st) || (ino = (uint32_t)st.st_ino) != snap[i].netns) {
				close(fd);
				continue;
			}
		}
		err = ns_rtnl_dump(fd, &links, &nl, &addrs, &na);
		close(fd);
		if (err)
			continue;
		pthread_mutex_lock(&t->lock);
		n = ns_find(t, ino);
		if (n) {
			n->nlinks = 0;
			for (k = 0; k < nl && n->nlinks < NS_NS_MAX_LINKS; k++)
				n->links[n->nlinks++] = links[k];
			n->naddrs = 0;
			for (k = 0; k < na && n->naddrs < NS_NS_MAX_ADDRS; k++) {
				/* loopback addresses say nothing about who owns a flow */
				if ((addrs[k].family == 2 && addrs[k].addr[0] == 127) ||
				    (addrs[k].family == 10 && !memcmp(addrs[k].addr, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16)))
					continue;
				n->addrs[n->naddrs].family = addrs[k].family;
				n->addrs[n->naddrs].ifindex = addrs[k].ifindex;
				memcpy(n->addrs[n->naddrs].addr, addrs[k].addr, 16);
				n->naddrs++;
			}
			n->links_ms = now;
		}
		pthread_mutex_unlock(&t->lock);
		free(links);
		free(addrs);
	}
	free(snap);
	return 0;
}

/* --- attribution --- */

static bool recently_missed(struct ns_ctr_table *t, uint32_t netns, uint64_t now)
{
	size_t i, oldest = 0;

	for (i = 0; i < sizeof(t->miss_netns) / sizeof(t->miss_netns[0]); i++) {
		if (t->miss_netns[i] == netns && now - t->miss_ms[i] < 2000)
			return true;
		if (t->miss_ms[i] < t->miss_ms[oldest])
			oldest = i;
	}
	t->miss_netns[oldest] = netns;
	t->miss_ms[oldest] = now;
	return false;
}

bool ns_ctr_ident_netns(struct ns_ctr_table *t, uint32_t netns, struct ns_ident *out)
{
	struct ns_proc_netns p;
	struct ns_ctr_info info;
	struct ns_nsinfo *n;
	bool need_api = false;
	uint64_t now;

	pthread_mutex_lock(&t->lock);
	if (t->last_valid && t->last.netns == netns) {
		*out = t->last;
		pthread_mutex_unlock(&t->lock);
		return out->kind != NS_IDENT_UNKNOWN;
	}
	n = ns_find(t, netns);
	if (n) {
		fill_ident(t, n, out);
		t->last = *out;
		t->last_valid = true;
		pthread_mutex_unlock(&t->lock);
		return out->kind != NS_IDENT_UNKNOWN;
	}
	now = now_ms();
	if (recently_missed(t, netns, now)) {
		pthread_mutex_unlock(&t->lock);
		memset(out, 0, sizeof(*out));
		out->netns = netns;
		return false;
	}
	pthread_mutex_unlock(&t->lock);

	/* A namespace born since the last refresh (a short-lived container): find it now. */
	memset(out, 0, sizeof(*out));
	out->netns = netns;
	if (ns_proc_find_netns(t->proc_root, netns, &p))
		return false;
	pthread_mutex_lock(&t->lock);
	upsert_proc(t, &p, now);
	if (p.id[0]) {
		struct ns_ctr *c = ctr_find(t, p.id);

		need_api = c && !c->from_api && t->inspect;
	}
	pthread_mutex_unlock(&t->lock);
	if (need_api && !t->inspect(t->inspect_ctx, p.id, &info))
		ns_ctr_table_docker_update(t, &info);
	pthread_mutex_lock(&t->lock);
	n = ns_find(t, netns);
	if (n)
		fill_ident(t, n, out);
	t->last_valid = false;
	pthread_mutex_unlock(&t->lock);
	return out->kind != NS_IDENT_UNKNOWN;
}

static bool ip_matches(int family, const uint8_t *addr, const char *text)
{
	uint8_t buf[16];

	return text[0] && inet_pton(family == 10 ? AF_INET6 : AF_INET, text, buf) == 1 &&
	       !memcmp(buf, addr, family == 10 ? 16 : 4);
}

/* The first live, non-host namespace that `match` accepts, as an identity. */
static bool ident_where(struct ns_ctr_table *t, bool (*match)(const struct ns_nsinfo *n, const void *key),
			const void *key, struct ns_ident *out)
{
	bool found = false;
	size_t i;

	pthread_mutex_lock(&t->lock);
	for (i = 0; i < t->nns && !found; i++) {
		if (!t->ns[i].alive || t->ns[i].host || !match(&t->ns[i], key))
			continue;
		fill_ident(t, &t->ns[i], out);
		found = true;
	}
	pthread_mutex_unlock(&t->lock);
	return found;
}

struct addr_key {
	int family;
	const uint8_t *addr;
};

static bool has_addr(const struct ns_nsinfo *n, const void *key)
{
	const struct addr_key *k = key;
	unsigned i;

	for (i = 0; i < n->naddrs; i++)
		if (n->addrs[i].family == k->family && !memcmp(n->addrs[i].addr, k->addr, k->family == 10 ? 16 : 4))
			return true;
	return false;
}

static bool has_mac(const struct ns_nsinfo *n, const void *mac)
{
	unsigned i;

	for (i = 0; i < n->nlinks; i++)
		if (n->links[i].has_mac && !memcmp(n->links[i].mac, mac, 6) && strcmp(n->links[i].name, "lo"))
			return true;
	return false;
}

static bool has_veth_to(const struct ns_nsinfo *n, const void *ifindex)
{
	unsigned i;

	for (i = 0; i < n->nlinks; i++)
		if (!strcmp(n->links[i].kind, "veth") && n->links[i].link_ifindex == *(const int *)ifindex)
			return true;
	return false;
}

bool ns_ctr_ident_ip(struct ns_ctr_table *t, int family, const uint8_t *addr, struct ns_ident *out)
{
	struct addr_key key = { family, addr };
	bool found = false;
	size_t i, k;

	/* live namespaces' own addresses first: an address reused by a new container belongs to it */
	if (ident_where(t, has_addr, &key, out))
		return true;
	/* then what the runtime says (a namespace rtnetlink has not been read in yet) */
	pthread_mutex_lock(&t->lock);
	for (i = 0; i < t->nctrs && !found; i++) {
		struct ns_ctr *c = &t->ctrs[i];
		struct ns_nsinfo *n;

		if (!c->alive || !c->from_api || !c->netns)
			continue;
		for (k = 0; k < c->info.nr_nets && !found; k++) {
			if (!ip_matches(family, addr, family == 10 ? c->info.nets[k].ipv6 : c->info.nets[k].ipv4))
				continue;
			n = ns_find(t, c->netns);
			if (n) {
				fill_ident(t, n, out);
				found = true;
			}
		}
	}
	pthread_mutex_unlock(&t->lock);
	return found;
}

bool ns_ctr_ident_mac(struct ns_ctr_table *t, const uint8_t mac[6], struct ns_ident *out)
{
	return ident_where(t, has_mac, mac, out);
}

bool ns_ctr_ident_host_ifindex(struct ns_ctr_table *t, int ifindex, struct ns_ident *out)
{
	return ident_where(t, has_veth_to, &ifindex, out);
}

size_t ns_ctr_match(struct ns_ctr_table *t, const char *what, uint32_t *netns, size_t max)
{
	size_t i, n = 0, len = strlen(what);

	pthread_mutex_lock(&t->lock);
	for (i = 0; i < t->nctrs && n < max; i++) {
		struct ns_ctr *c = &t->ctrs[i];

		if (!c->alive || !c->netns)
			continue;
		if ((c->from_api && !strcmp(c->info.name, what)) || (len >= 4 && !strncmp(c->info.id, what, len)))
			netns[n++] = c->netns;
	}
	pthread_mutex_unlock(&t->lock);
	return n;
}

int ns_ctr_table_namespaces(struct ns_ctr_table *t, struct ns_nsinfo **v, size_t *n)
{
	pthread_mutex_lock(&t->lock);
	*n = t->nns;
	*v = malloc((t->nns ? t->nns : 1) * sizeof(**v));
	if (*v)
		memcpy(*v, t->ns, t->nns * sizeof(**v));
	pthread_mutex_unlock(&t->lock);
	return *v ? 0 : -ENOMEM;
}

bool ns_ctr_table_is_alive(struct ns_ctr_table *t, uint32_t netns)
{
	struct ns_nsinfo *n;
	bool alive;

	pthread_mutex_lock(&t->lock);
	n = ns_find(t, netns);
	alive = n && (n->alive || !n->dead_since_ms);
	pthread_mutex_unlock(&t->lock);
	return alive;
}


size_t ns_ctr_table_take_expired(struct ns_ctr_table *t, uint32_t *out, size_t max)
{
	size_t n;

	pthread_mutex_lock(&t->lock);
	n = t->nexpired < max ? t->nexpired : max;
	memcpy(out, t->expired, n * sizeof(*out));
	memmove(t->expired, t->expired + n, (t->nexpired - n) * sizeof(*out));
	t->nexpired -= n;
	pthread_mutex_unlock(&t->lock);
	return n;
}

int ns_ctr_table_open_netns(struct ns_ctr_table *t, uint32_t netns)
{
	struct ns_nsinfo copy;
	struct ns_nsinfo *n;
	struct stat st;
	int fd;

	pthread_mutex_lock(&t->lock);
	n = ns_find(t, netns);
	if (n)
		copy = *n;
	pthread_mutex_unlock(&t->lock);
	if (!n)
		return -ENOENT;
	if (copy.host && !copy.ipns[0] && copy.pid <= 0)
		copy.pid = 1;
	fd = open_netns(t, &copy);
	if (fd < 0)
		return fd;
	/* a pid can be reused by another process in another namespace */
	if (fstat(fd, &st) || (uint32_t)st.st_ino != netns) {
		close(fd);
		return -ESTALE;
	}
	return fd;
}
