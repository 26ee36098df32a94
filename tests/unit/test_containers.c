// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include <stdlib.h>
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
