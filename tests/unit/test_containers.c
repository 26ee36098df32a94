// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "containers.h"
#include "ut.h"

static struct ns_ctr_info info(unsigned i, const char *name, bool running)
{
	struct ns_ctr_info c;

	memset(&c, 0, sizeof(c));
	snprintf(c.id, sizeof(c.id), "%064x", i + 1);
	snprintf(c.name, sizeof(c.name), "%s", name);
	snprintf(c.image, sizeof(c.image), "busybox");
	c.running = running;
	c.pid = running ? 999999 : 0;	/* not in our fake /proc */
	return c;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* An empty directory as /proc and as /run/netns: nothing is alive. */
static int fake_table(struct ns_ctr_table *t, char *dir)
{
	if (!mkdtemp(dir) || ns_ctr_table_init(t))
		return -1;
	t->proc_root = dir;
	t->netns_dir = dir;
	t->docker_netns_dir = dir;
	t->expire_ms = 1000;
	return 0;
}

UT_TEST(containers_table_1000_stays_bounded_and_expires)
{
	char dir[] = "/tmp/ns-ctr-XXXXXX", name[32];
	struct ns_ctr_table t;
	uint32_t expired[8];
	unsigned i;

	UT_ASSERT(!fake_table(&t, dir));
	for (i = 0; i < 1000; i++) {
		struct ns_ctr_info c;

		snprintf(name, sizeof(name), "c%u", i);
		c = info(i, name, true);
		ns_ctr_table_docker_update(&t, &c);
		ns_ctr_table_docker_update(&t, &c);	/* upserts, never duplicates */
	}
	UT_EQ_INT(t.nctrs, 1000);
	printf("    1000 containers: %zu KiB of table\n", t.cap_ctrs * sizeof(struct ns_ctr) / 1024);
	UT_ASSERT(t.cap_ctrs * sizeof(struct ns_ctr) < 8u << 20);
	for (i = 0; i < 1000; i += 2) {
		char id[65];

		snprintf(id, sizeof(id), "%064x", i + 1);
		ns_ctr_table_docker_gone(&t, id);
	}
	UT_EQ_INT(ns_ctr_table_refresh(&t, mono_ms()), 0);
	UT_EQ_INT(t.nctrs, 1000);		/* dead, but inside the grace period */
	UT_EQ_INT(ns_ctr_table_refresh(&t, mono_ms() + 500000), 0);
	UT_EQ_INT(t.nctrs, 0);			/* all gone after expire_ms */
	UT_EQ_INT(ns_ctr_table_take_expired(&t, expired, 8), 0);	/* none had a namespace */
	ns_ctr_table_destroy(&t);
	rmdir(dir);
}

UT_TEST(containers_match_by_name_and_id_prefix)
{
	char dir[] = "/tmp/ns-ctr-XXXXXX";
	struct ns_ctr_table t;
	struct ns_ctr_info c;
	struct ns_ident id;
	uint32_t ns[4];

	UT_ASSERT(!fake_table(&t, dir));
	c = info(0xabc, "web", true);
	ns_ctr_table_docker_update(&t, &c);
	/* no live namespace behind it: nothing to filter on, nothing to attribute */
	UT_EQ_INT(ns_ctr_match(&t, "web", ns, 4), 0);
	UT_ASSERT(!ns_ctr_ident_netns(&t, 4026530000u, &id));
	UT_EQ_INT(id.kind, NS_IDENT_UNKNOWN);
	UT_EQ_INT(id.netns, 4026530000u);
	ns_ctr_table_destroy(&t);
	rmdir(dir);
}

UT_TEST(containers_resolve_by_ip_mac_and_host_veth)
{
	char dir[] = "/tmp/ns-ctr-XXXXXX";
	struct ns_ctr_table t;
	struct ns_ctr_info c;
	struct ns_nsinfo *n;
	struct ns_ident id;
	uint8_t ip[16] = { 172, 17, 0, 2 }, other[16] = { 172, 17, 0, 3 };
	uint8_t mac[6] = { 2, 0x42, 0xac, 0x11, 0, 2 };

	UT_ASSERT(!fake_table(&t, dir));
	c = info(0x77, "web", true);
	ns_ctr_table_docker_update(&t, &c);
	/* what /proc and rtnetlink would have found: its namespace, eth0 and address */
	t.ns = calloc(2, sizeof(*t.ns));
	t.nns = t.cap_ns = 2;
	n = &t.ns[0];
	n->netns = 4026532001u;
	n->alive = true;
	snprintf(n->ctr_id, sizeof(n->ctr_id), "%s", c.id);
	n->nlinks = 1;
	snprintf(n->links[0].name, sizeof(n->links[0].name), "eth0");
	snprintf(n->links[0].kind, sizeof(n->links[0].kind), "veth");
	n->links[0].has_mac = true;
	memcpy(n->links[0].mac, mac, 6);
	n->links[0].link_ifindex = 17;
	n->naddrs = 1;
	n->addrs[0].family = 2;
	memcpy(n->addrs[0].addr, ip, 16);
	t.ns[1].netns = 4026531840u;	/* the host: never a container's */
	t.ns[1].alive = true;
	t.ns[1].host = true;
	t.ctrs[0].netns = n->netns;
	t.ctrs[0].alive = true;

	UT_ASSERT(ns_ctr_ident_ip(&t, 2, ip, &id));
	UT_EQ_STR(id.name, "web");
	UT_EQ_INT(id.kind, NS_IDENT_CONTAINER);
	UT_ASSERT(!ns_ctr_ident_ip(&t, 2, other, &id));
	UT_ASSERT(ns_ctr_ident_mac(&t, mac, &id) && !strcmp(id.name, "web"));
	UT_ASSERT(ns_ctr_ident_host_ifindex(&t, 17, &id) && id.netns == 4026532001u);
	UT_ASSERT(!ns_ctr_ident_host_ifindex(&t, 18, &id));
	UT_ASSERT(ns_ctr_ident_netns(&t, 4026531840u, &id) && id.kind == NS_IDENT_HOST);
	n->alive = false;	/* gone: its address no longer names it */
	UT_ASSERT(!ns_ctr_ident_mac(&t, mac, &id));
	ns_ctr_table_destroy(&t);
	rmdir(dir);
}

/*
 * Docker's overlay namespaces: a bind mount under /run/docker/netns and no
 * process. A symlink to our own namespace stands in for the bind mount (stat
 * and statfs follow it to nsfs), so this runs without root.
 */
UT_TEST(containers_docker_netns_without_process)
{
	char dir[] = "/tmp/ns-ctr-XXXXXX", ddir[] = "/tmp/ns-dock-XXXXXX", link[64], stale[64];
	struct ns_ctr_table t;
	struct ns_nsinfo *v = NULL;
	struct ns_ident id;
	struct stat self, st;
	size_t n = 0, i;
	int fd;

	UT_ASSERT(!fake_table(&t, dir));
	UT_ASSERT(mkdtemp(ddir));
	UT_ASSERT(!stat("/proc/self/ns/net", &self));
	t.docker_netns_dir = ddir;
	t.host_netns = 0;	/* our namespace plays the overlay's, not the host's */
	snprintf(link, sizeof(link), "%s/1-abcdef1234", ddir);
	snprintf(stale, sizeof(stale), "%s/2-unmounted", ddir);
	UT_ASSERT(!symlink("/proc/self/ns/net", link));
	fd = open(stale, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);	/* what a crashed runtime leaves: not nsfs */
	UT_ASSERT(fd >= 0);
	close(fd);

	UT_EQ_INT(ns_ctr_table_refresh(&t, mono_ms()), 0);
	UT_EQ_INT(t.nns, 1);	/* the stale file is no namespace */
	UT_EQ_INT(t.ns[0].netns, (uint32_t)self.st_ino);
	UT_EQ_STR(t.ns[0].dockerns, "1-abcdef1234");
	UT_EQ_STR(t.ns[0].ipns, "");
	UT_ASSERT(t.ns[0].alive);
	UT_ASSERT(ns_ctr_ident_netns(&t, (uint32_t)self.st_ino, &id));
	UT_EQ_INT(id.kind, NS_IDENT_NETNS);
	UT_EQ_STR(id.name, "docker:1-abcdef1234");
	UT_EQ_STR(id.ipns, "docker:1-abcdef1234");
	/* no pid: it is entered through the bind mount */
	fd = ns_ctr_table_open_netns(&t, (uint32_t)self.st_ino);
	UT_ASSERT(fd >= 0);
	UT_ASSERT(!fstat(fd, &st) && st.st_ino == self.st_ino);
	close(fd);
	UT_EQ_INT(ns_ctr_table_namespaces(&t, &v, &n), 0);
	for (i = 0; i < n; i++)
		UT_ASSERT(v[i].alive);
	free(v);

	/* unmounted (the overlay network removed): it starts expiring like any other */
	UT_ASSERT(!unlink(link));
	UT_EQ_INT(ns_ctr_table_refresh(&t, mono_ms()), 0);
	UT_ASSERT(!t.ns[0].alive);
	UT_EQ_STR(t.ns[0].dockerns, "");
	UT_ASSERT(ns_ctr_table_open_netns(&t, (uint32_t)self.st_ino) < 0);
	unlink(stale);
	rmdir(ddir);
	ns_ctr_table_destroy(&t);
	rmdir(dir);
}
