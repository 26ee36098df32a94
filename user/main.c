// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include "args.h"
#include "cmd.h"
#include "events.h"
#include "log.h"
#include "netns.h"

#ifndef NETSLEUTH_VERSION
#define NETSLEUTH_VERSION "0.1.0"
#endif

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: netsleuth COMMAND [OPTIONS]\n"
		"\n"
		"eBPF tracing of container networking failures.\n"
		"\n"
		"Commands:\n"
		"  agent    load everything, print per-namespace summaries (the main job)\n"
		"  trace    stream events as they happen\n"
		"  doctor   check what this kernel lets netsleuth see, and the host's settings\n"
		"  version  print the version\n"
		"\n"
		"`netsleuth COMMAND --help` for a command's options.\n");
}

void ns_common_opts_init(struct ns_common_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->cfg.event_mask = ~0U;
	o->cfg.ringbuf_bytes = NS_DEFAULT_RINGBUF_BYTES;
	o->cfg.wakeup_bytes = NS_DEFAULT_WAKEUP_BYTES;
	o->poll_ms = NS_DEFAULT_POLL_MS;
}

int ns_common_opt(struct ns_common_opts *o, int opt, const char *arg)
{
	uint64_t v;
	int err;

	switch (opt) {
	case 'n':
		if (o->nr_netns == NS_MAX_NETNS_ARGS) {
			ns_err("--netns: at most %d namespaces", NS_MAX_NETNS_ARGS);
			return -E2BIG;
		}
		err = ns_netns_parse(arg, NULL, &o->netns[o->nr_netns]);
		if (err) {
			ns_err("--netns %s: %s (want an inode number, an `ip netns` name, a path such as "
			       "/proc/PID/ns/net, or \"host\")", arg, strerror(-err));
			return err;
		}
		o->nr_netns++;
		o->cfg.filter_netns = true;
		return 0;
	case 'd':
		err = ns_parse_duration_ms(arg, &o->duration_ms);
		if (err || !o->duration_ms) {
			ns_err("--duration %s: want a positive duration such as 30, 30s, 500ms, 5m", arg);
			return -EINVAL;
		}
		return 0;
	case 'j':
		o->json = 1;
		return 0;
	case 'v':
		ns_log_level++;
		return 0;
	case 0x101:
		err = ns_parse_size(arg, &v);
		if (err || v < 4096 || v > (1ULL << 30) || (v & (v - 1))) {
			ns_err("--ringbuf %s: want a power of two from 4k to 1G", arg);
			return -EINVAL;
		}
		o->cfg.ringbuf_bytes = v;
		return 0;
	case 0x102:
		err = ns_parse_size(arg, &v);
		if (err) {
			ns_err("--wakeup %s: want a size such as 64k", arg);
			return -EINVAL;
		}
		o->cfg.wakeup_bytes = v;
		return 0;
	case 0x103:
		err = ns_parse_u64(arg, 1, 10000, &v);
		if (err) {
			ns_err("--poll-ms %s: want 1..10000", arg);
			return -EINVAL;
		}
		o->poll_ms = (int)v;
		return 0;
	case 0x104:
		o->utc = 1;
		return 0;
	case 'C':
		if (o->ident.nr_containers == NS_MAX_WATCH) {
			ns_err("--container: at most %d", NS_MAX_WATCH);
			return -E2BIG;
		}
		if (!*arg) {
			ns_err("--container: empty name");
			return -EINVAL;
		}
		o->ident.containers[o->ident.nr_containers++] = arg;
		return 0;
	case 0x105:
		o->ident.docker_sock = arg;
		return 0;
	case 0x106:
		o->ident.no_docker = true;
		return 0;
	case 0x107: {
		static const char *const known[] = { "tp_btf", "raw_tp", "fentry", "fexit", "kprobe", "netfilter" };
		const char *p = arg, *e;
		size_t i;

		if (!*arg) {
			ns_err("--hooks: want a list of %s", NS_HOOK_METHODS);
			return -EINVAL;
		}
		for (; *p; p = *e ? e + 1 : e) {
			e = strchr(p, ',');
			if (!e)
				e = p + strlen(p);
			for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
				if (strlen(known[i]) == (size_t)(e - p) && !strncmp(p, known[i], (size_t)(e - p)))
					break;
			if (i == sizeof(known) / sizeof(known[0])) {
				ns_err("--hooks %s: unknown kind '%.*s'; known: %s", arg, (int)(e - p), p, NS_HOOK_METHODS);
				return -EINVAL;
			}
		}
		o->cfg.hook_methods = arg;
		return 0;
	}
	default:
		return 1;
	}
}

int main(int argc, char **argv)
{
	const char *cmd;

	if (argc < 2) {
		usage(stderr);
		return NS_EXIT_FAIL;
	}
	cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		usage(stdout);
		return NS_EXIT_OK;
	}
	if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
		printf("netsleuth %s\n", NETSLEUTH_VERSION);
		return NS_EXIT_OK;
	}
	ns_libbpf_log_init();
	/*
	 * Before 5.11 BPF memory is charged to RLIMIT_MEMLOCK; since then to the
	 * memcg. Raising it may be refused (containers, this project's CI VM):
	 * not fatal, and loading says so if it mattered.
	 */
	{
		struct rlimit r = { RLIM_INFINITY, RLIM_INFINITY };

		if (setrlimit(RLIMIT_MEMLOCK, &r))
			ns_dbg("cannot raise RLIMIT_MEMLOCK (%s); fine on Linux 5.11+", strerror(errno));
	}
	argc--;
	argv++;
	if (!strcmp(cmd, "trace"))
		return cmd_trace(argc, argv);
	if (!strcmp(cmd, "agent"))
		return cmd_agent(argc, argv);
	if (!strcmp(cmd, "doctor"))
		return cmd_doctor(argc, argv);
	ns_err("unknown command '%s'", cmd);
	usage(stderr);
	return NS_EXIT_FAIL;
}
