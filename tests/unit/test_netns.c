// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "netns.h"
#include "ut.h"

static char dir[] = "/tmp/ns-ut-XXXXXX";

static uint32_t touch(const char *name)
{
	char p[256];
	struct stat st;
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fd = open(p, O_CREAT | O_WRONLY, 0600);
	if (fd >= 0)
		close(fd);
	stat(p, &st);
	return (uint32_t)st.st_ino;
}

UT_TEST(netns_parse_forms)
{
	uint32_t ino = 0, a;
	char p[256];

	UT_ASSERT(mkdtemp(dir));
	a = touch("blue");
	UT_EQ_INT(ns_netns_parse("4026531840", dir, &ino), 0);
	UT_EQ_INT(ino, 4026531840u);
	UT_EQ_INT(ns_netns_parse("blue", dir, &ino), 0);
	UT_EQ_INT(ino, a);
	snprintf(p, sizeof(p), "%s/blue", dir);
	UT_EQ_INT(ns_netns_parse(p, dir, &ino), 0);
	UT_EQ_INT(ino, a);
	UT_EQ_INT(ns_netns_parse("nosuch", dir, &ino), -ENOENT);
	UT_EQ_INT(ns_netns_parse("", dir, &ino), -EINVAL);
	UT_EQ_INT(ns_netns_parse("0", dir, &ino), -ENOENT);	/* not an inode: taken as a name */
}

UT_TEST(netns_parse_cleanup)
{
	const char *const files[] = { "blue" };
	char p[256];
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
		unlink(p);
	}
	UT_EQ_INT(rmdir(dir), 0);
}
