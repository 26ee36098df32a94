// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "args.h"
#include "netns.h"
#include "vec.h"

#define DEFAULT_NETNS_DIR "/run/netns"
#define DEFAULT_HOST_NS "/proc/1/ns/net"

int ns_netns_inode_of(const char *path, uint32_t *inode)
{
	struct stat st;

	if (stat(path, &st))
		return -errno;
	if (st.st_ino > UINT32_MAX)
		return -ERANGE;
	*inode = (uint32_t)st.st_ino;
	return 0;
}

int ns_netns_host(uint32_t *inode)
{
	if (!ns_netns_inode_of(DEFAULT_HOST_NS, inode))
		return 0;
	return ns_netns_inode_of("/proc/self/ns/net", inode);
}

int ns_netns_parse(const char *arg, const char *netns_dir, uint32_t *inode)
{
	char path[4096];
	uint64_t v;

	if (!arg || !*arg)
		return -EINVAL;
	if (!ns_parse_u64(arg, 1, UINT32_MAX, &v)) {
		*inode = (uint32_t)v;
		return 0;
	}
	if (!strcmp(arg, "host"))
		return ns_netns_host(inode);
	if (strchr(arg, '/'))
		return ns_netns_inode_of(arg, inode);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", netns_dir ? netns_dir : DEFAULT_NETNS_DIR,
			     arg) >= sizeof(path))
		return -ENAMETOOLONG;
	return ns_netns_inode_of(path, inode);
}

void ns_netns_names_init(struct ns_netns_names *c)
{
	memset(c, 0, sizeof(*c));
	c->netns_dir = DEFAULT_NETNS_DIR;
	c->host_ns_path = DEFAULT_HOST_NS;
}

void ns_netns_names_free(struct ns_netns_names *c)
{
	if (!c)
		return;
	free(c->v);
	c->v = NULL;
	c->n = c->cap = 0;
}

static int add(struct ns_netns_names *c, uint32_t inode, const char *name)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->v[i].inode == inode)
			return 0;	/* first name wins: "host" before any alias */
	if (NS_VEC_RESERVE(c->v, c->cap, c->n, 16, 0))
		return -ENOMEM;
	c->v[c->n].inode = inode;
	snprintf(c->v[c->n].name, sizeof(c->v[c->n].name), "%s", name);
	c->n++;
	return 0;
}

int ns_netns_names_scan(struct ns_netns_names *c)
{
	char path[4096];
	struct dirent *de;
	uint32_t ino = 0;
	DIR *d;
	int err = 0;

	clock_gettime(CLOCK_MONOTONIC, &c->last_scan);
	c->n = 0;
	if (!ns_netns_inode_of(c->host_ns_path, &ino))
		err = add(c, ino, "host");
	d = opendir(c->netns_dir);
	if (!d)
		return err;	/* no `ip netns` namespaces: normal */
	while (!err && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", c->netns_dir, de->d_name) >= sizeof(path))
			continue;
		if (!ns_netns_inode_of(path, &ino))
			err = add(c, ino, de->d_name);
	}
	closedir(d);
	return err;
}

static const char *lookup(const struct ns_netns_names *c, uint32_t inode)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->v[i].inode == inode)
			return c->v[i].name;
	return NULL;
}

const char *ns_netns_name(struct ns_netns_names *c, uint32_t inode)
{
	const char *name = lookup(c, inode);
	struct timespec now;

	if (name)
		return name;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (c->last_scan.tv_sec && now.tv_sec - c->last_scan.tv_sec < 1)
		return NULL;
	ns_netns_names_scan(c);
	return lookup(c, inode);
}
