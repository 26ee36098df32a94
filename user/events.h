/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What trace and agent share: loaded features, the ring buffer loop, names. */
#ifndef NETSLEUTH_EVENTS_H
#define NETSLEUTH_EVENTS_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "btfenum.h"
#include "containers.h"
#include "fmt.h"
#include "netns.h"
#include "probe.h"
#include "feature.h"

struct ring_buffer;

extern volatile sig_atomic_t ns_exiting;
void ns_signals_install(void);
uint64_t ns_now_ms(void);
int64_t ns_mono_to_real_ns(void);

/* Defaults the agent embeds; every one can be overridden on the command line. */
#define NS_DEFAULT_RINGBUF_BYTES (4u << 20)
#define NS_DEFAULT_WAKEUP_BYTES (64u << 10)
/* Bounds event latency while wake-ups are batched. */
#define NS_DEFAULT_POLL_MS 100

/* Called with a record that passed ns_event_check(). */
typedef int (*ns_event_fn)(void *ctx, const struct ns_event_hdr *h, size_t size);

/* Every BPF object netsleuth has, in load order. */
enum ns_feat_id { NS_FEAT_RST, NS_FEAT_TCPSTATE, NS_FEAT_CT, NS_FEAT_FDB, NS_FEAT_DROP, NS_FEAT_RETRANS, NS_FEAT_MAX };
extern const struct ns_feature *const ns_features[NS_FEAT_MAX];
#define NS_FEAT_BIT(f) (1u << (f))

/* Where identities come from (trace and agent options). */
#define NS_MAX_WATCH 16
struct ns_ident_opts {
	const char *docker_sock;	/* NULL: /var/run/docker.sock */
	bool no_docker;
	const char *containers[NS_MAX_WATCH];	/* --container NAME|ID: filter on these, following restarts */
	size_t nr_containers;
};

struct ns_session {
	struct ns_loaded feat[NS_FEAT_MAX];	/* .skel == NULL: not loaded */
	struct ns_ctr_table table;
	struct ns_docker *docker;
	const struct ns_ident_opts *iopts;
	bool filtered;				/* only some namespaces' events are wanted */
	const char *hook_methods;		/* --hooks, NULL: any */
	struct ns_ct_links ctlinks;
	uint64_t housekeeping_ms;
	struct ring_buffer *rb;
	struct ns_enum_names rst_reasons;
	struct ns_enum_names drop_reasons;	/* enum skb_drop_reason, prefix stripped */
	struct ns_fmt fmt;
	ns_event_fn cb;
	void *cb_ctx;
	uint64_t bad_records;
	int poll_ms;
};

/*
 * Load the features in `required` (failure is fatal) and `optional` (failure
 * is reported and skipped).
 */
int ns_session_open(struct ns_session *s, unsigned required, unsigned optional, const struct ns_bpf_cfg *cfg,
		    const uint32_t *netns, size_t nr_netns, const struct ns_ident_opts *iopts, ns_event_fn cb,
		    void *ctx);
static inline const struct ns_loaded *ns_session_feat(const struct ns_session *s, enum ns_feat_id f)
{
	return s->feat[f].skel ? &s->feat[f] : NULL;
}
/* A namespace is gone for good: drop its entries from every loaded feature's per-namespace maps. */
void ns_session_prune_netns(struct ns_session *s, uint32_t netns);
/* Add a namespace to the kernel filter of every loaded feature with events. */
int ns_session_filter_add(struct ns_session *s, uint32_t netns);
/* Whether a namespace passes the filter (always, when unfiltered). */
bool ns_session_wanted(const struct ns_session *s, uint32_t netns);
/* Log which hook each source of a loaded feature uses (info) or why it is degraded (warning). */
void ns_session_report_hooks(const struct ns_session *s, bool info);
void ns_session_close(struct ns_session *s);
/*
 * Consume events until a signal, `duration_ms` (0: none) or the callback
 * returning non-zero; `tick` runs every `tick_ms` (0: never).
 */
int ns_session_run(struct ns_session *s, uint64_t duration_ms, uint64_t tick_ms, int (*tick)(void *), void *tick_ctx);

#endif
