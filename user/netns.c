// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "args.h"
#include "netns.h"

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
