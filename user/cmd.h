/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef NETSLEUTH_CMD_H
#define NETSLEUTH_CMD_H

#include <stddef.h>
#include <stdint.h>
#include "events.h"

/* Exit codes, shared by all commands (docs/cli.md). */
#define NS_EXIT_OK 0
#define NS_EXIT_DEGRADED 1	/* doctor: runs, but some events are not seen */
#define NS_EXIT_FAIL 2		/* cannot run / bad usage */

int cmd_trace(int argc, char **argv);
int cmd_agent(int argc, char **argv);
int cmd_doctor(int argc, char **argv);

/* Options trace and agent share; 0 when `opt` was one of them, 1 if not ours, <0 on bad value. */
#define NS_MAX_NETNS_ARGS 64
struct ns_common_opts {
	struct ns_bpf_cfg cfg;
	uint32_t netns[NS_MAX_NETNS_ARGS];
	size_t nr_netns;
	uint64_t duration_ms;
	int poll_ms;
	int json;
	int utc;
	struct ns_ident_opts ident;
};

void ns_common_opts_init(struct ns_common_opts *o);
int ns_common_opt(struct ns_common_opts *o, int opt, const char *arg);

#define NS_COMMON_LONGOPTS                                            \
	{ "netns", required_argument, NULL, 'n' },                   \
	{ "duration", required_argument, NULL, 'd' },                \
	{ "json", no_argument, NULL, 'j' },                          \
	{ "verbose", no_argument, NULL, 'v' },                       \
	{ "ringbuf", required_argument, NULL, 0x101 },               \
	{ "wakeup", required_argument, NULL, 0x102 },                \
	{ "poll-ms", required_argument, NULL, 0x103 },               \
	{ "utc", no_argument, NULL, 0x104 },                        \
	{ "container", required_argument, NULL, 'C' },               \
	{ "docker-socket", required_argument, NULL, 0x105 },         \
	{ "no-docker", no_argument, NULL, 0x106 },                   \
	{ "hooks", required_argument, NULL, 0x107 }
#define NS_COMMON_SHORTOPTS "n:d:jvC:"
#define NS_COMMON_HELP                                                                              \
	"  -C, --container C    only this container (name, ID or ID prefix); repeatable; filtered\n" \
	"                       in the kernel by its netns, followed across restarts\n"            \
	"  -n, --netns NS       only this network namespace: inode, `ip netns` name, path, or\n"     \
	"                       \"host\"; repeatable; filtered in the kernel\n"                    \
	"  -d, --duration D     stop after D (90, 90s, 500ms, 5m, 2h)\n"                             \
	"  -j, --json           one JSON object per line (docs/events.md)\n"                         \
	"  -v, --verbose        more detail on stderr (twice: libbpf debug)\n"                       \
	"      --ringbuf SIZE   ring buffer size, power of two (default 4M)\n"                       \
	"      --wakeup SIZE    wake the reader once SIZE bytes are queued (default 64k)\n"          \
	"      --poll-ms N      longest an event waits in the ring buffer (default 100)\n"           \
	"      --utc            text timestamps in UTC\n"                                          \
	"      --docker-socket P  Docker Engine API socket (default /var/run/docker.sock)\n"     \
	"      --no-docker      do not ask the Docker API; containers by ID from /proc\n"      \
	"      --hooks LIST     only hooks of these kinds (" NS_HOOK_METHODS "):\n"    \
	"                       to check or force a fallback; default: the best that works\n"

#endif
