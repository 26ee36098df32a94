/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Runtime hook selection. Each event source lists the ways it can be hooked,
 * best first; each candidate is tried for real (the object loaded with only
 * that candidate's programs, then attached) and the first that works is used.
 * Nothing is inferred from the kernel version: the verifier and the attach
 * syscalls are the judges.
 */
#ifndef NETSLEUTH_PROBE_H
#define NETSLEUTH_PROBE_H

#include <stdbool.h>
#include <stddef.h>

struct bpf_object;
struct bpf_link;
struct bpf_program;

#define NS_HOOK_MAX_PROGS 4
#define NS_SOURCE_MAX_HOOKS 8

struct ns_hook {
	const char *method;	/* "tp_btf", "raw_tp", "fentry", "kprobe" */
	const char *target;	/* what it hooks, for people: "tcp_send_reset (reason)" */
	const char *progs[NS_HOOK_MAX_PROGS];	  /* all must load and attach */
	const char *optional[NS_HOOK_MAX_PROGS];  /* used when they load and attach */
	const char *limits;	/* NULL: sees everything; else what it misses */
	const char *fail_hint;	/* likely cause when it does not load, for doctor */
};

struct ns_source {
	const char *name;	/* "rst-sent" */
	const char *what;
	const struct ns_hook *hooks;
	unsigned nr_hooks;
};

struct ns_hook_result {
	bool tried;
	int err;		/* 0: worked; negative errno */
	char msg[200];		/* why not: the verifier's or libbpf's last words */
	unsigned optional_ok;	/* bit i: optional[i] worked */
	char optional_msg[200];	/* why the first failed optional did not */
};

struct ns_source_state {
	const struct ns_source *src;
	int chosen;		/* index into src->hooks, -1 when nothing works */
	struct ns_hook_result res[NS_SOURCE_MAX_HOOKS];
};

/* A map whose keys carry a netns inode (at byte `netns_off`): its entries go when the namespace does. */
struct ns_netns_map {
	const char *name;
	size_t netns_off;
};

/* Skeleton glue: one per BPF object (bpf/<feat>.bpf.c). */
struct ns_feature {
	const char *name;
	const struct ns_source *sources;
	unsigned nr_sources;
	void *(*open)(void);
	struct bpf_object *(*object)(void *skel);
	void (*destroy)(void *skel);
	/* Set rodata and map sizes between open and load; `trial`: a probe load, keep maps tiny. */
	int (*configure)(void *skel, const void *cfg, bool trial);
	/*
	 * Programs libbpf cannot attach (netfilter links, one per namespace):
	 * the probe proves attachment with try_attach (0 or -errno, then undone),
	 * and loading leaves attachment to the feature's own code.
	 */
	int (*try_attach)(struct bpf_program *p, char *msg, size_t len);
	/* It emits events: has a ring buffer and honours the netns filter. */
	bool has_events;
	/* Which programs try_attach is for; NULL: all of them. */
	bool (*manual)(const struct bpf_program *p);
	/* Per-namespace maps, ended by { NULL }: pruned when a namespace is forgotten; NULL: none. */
	const struct ns_netns_map *netns_maps;
};

/* An object loaded with its chosen programs attached. */
struct ns_loaded {
	const struct ns_feature *feat;
	void *skel;
	struct bpf_link **links;
	size_t nr_links;
	struct ns_source_state *state;	/* nr_sources entries */
};

/*
 * Pick a hook for every source of `feat`. With `all`, every candidate is tried
 * (doctor) instead of stopping at the first that works. Returns the number of
 * sources left without a hook (0: all covered) or a negative errno.
 */
int ns_feature_probe(const struct ns_feature *feat, const void *cfg, bool all, struct ns_source_state *st);

/* Probe, then load and attach the chosen programs. Sources with no working hook are skipped. */
int ns_feature_load(const struct ns_feature *feat, const void *cfg, struct ns_loaded *out);
void ns_loaded_destroy(struct ns_loaded *l);

/*
 * Whether every part of a hook's method ("kprobe+raw_tp": kprobe and raw_tp)
 * is in `allowed` (comma-separated; NULL or "": anything goes). Pure.
 */
bool ns_hook_method_allowed(const char *method, const char *allowed);
/* The method names hooks are made of, for --hooks. */
#define NS_HOOK_METHODS "tp_btf, raw_tp, fentry, fexit, kprobe, netfilter"

/* A source uses a hook with limits, or none. */
bool ns_source_degraded(const struct ns_source_state *st);

/* libbpf's messages: captured during probes, passed to our log otherwise. */
void ns_libbpf_log_init(void);

#endif
