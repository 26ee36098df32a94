// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "events.h"
#include "l2.h"
#include "docker.h"
#include "log.h"
#include "maps.h"

volatile sig_atomic_t ns_exiting;

static void on_signal(int sig)
{
	(void)sig;
	ns_exiting = 1;
}

void ns_signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* no SA_RESTART: let epoll_wait return EINTR so we stop promptly */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

uint64_t ns_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int64_t ns_mono_to_real_ns(void)
{
	struct timespec m, r;

	clock_gettime(CLOCK_MONOTONIC, &m);
	clock_gettime(CLOCK_REALTIME, &r);
	return ((int64_t)r.tv_sec - m.tv_sec) * 1000000000 + ((int64_t)r.tv_nsec - m.tv_nsec);
}

static bool ident_cb(void *ctx, uint32_t inode, struct ns_ident *out)
{
	return ns_ctr_ident_netns(ctx, inode, out);
}

/* Follow --container across restarts: a new netns joins the kernel filter. */
static void watch_add(struct ns_session *s)
{
	uint32_t netns[64];
	size_t i, k, n;

	if (!s->filtered || !s->iopts)
		return;
	for (i = 0; i < s->iopts->nr_containers; i++) {
		n = ns_ctr_match(&s->table, s->iopts->containers[i], netns, 64);
		for (k = 0; k < n; k++)
			ns_session_filter_add(s, netns[k]);
	}
}

static void on_docker_update(void *ctx, const struct ns_ctr_info *c)
{
	struct ns_session *s = ctx;

	ns_ctr_table_docker_update(&s->table, c);
	watch_add(s);
}

static void on_docker_gone(void *ctx, const char *id)
{
	struct ns_session *s = ctx;

	ns_ctr_table_docker_gone(&s->table, id);
}

static void on_docker_availability(void *ctx, bool up, const char *why)
{
	struct ns_session *s = ctx;

	ns_ctr_table_docker_availability(&s->table, up, why);
	if (up)
		ns_info("Docker API at %s reachable: containers named", s->iopts && s->iopts->docker_sock
									? s->iopts->docker_sock
									: NS_DOCKER_DEFAULT_SOCK);
	else
		ns_warn("Docker API unavailable (%s): containers identified by ID from /proc until it returns",
			why && *why ? why : "unknown");
}

static int docker_inspect_cb(void *ctx, const char *id, struct ns_ctr_info *out)
{
	struct ns_session *s = ctx;

	return s->docker ? ns_docker_inspect(s->docker, id, 500, out) : -ENOTCONN;
}

/*
 * Identity sources: /proc first (always there), then the Docker API in its
 * own thread. --container names are resolved here, before the BPF filter is
 * filled: a name nobody knows is a usage error, not an empty trace.
 */
static int identity_open(struct ns_session *s, const struct ns_ident_opts *io, uint32_t *netns, size_t *nr_netns,
			 size_t max_netns)
{
	static const struct ns_docker_ops ops = {
		.update = on_docker_update,
		.gone = on_docker_gone,
		.availability = on_docker_availability,
	};
	struct ns_ctr_info info;
	size_t i, n;
	int err;

	err = ns_ctr_table_init(&s->table);
	if (err)
		return err;
	s->table.inspect = docker_inspect_cb;
	s->table.inspect_ctx = s;
	err = ns_ctr_table_refresh(&s->table, ns_now_ms());
	if (err)
		ns_warn("scanning /proc for containers: %s", strerror(-err));
	if (io && !io->no_docker) {
		err = ns_docker_start(io->docker_sock, &ops, s, &s->docker);
		if (err)
			ns_warn("Docker API client: %s; containers identified by ID only", strerror(-err));
	}
	for (i = 0; io && i < io->nr_containers; i++) {
		/* ask the API directly: the thread's first listing may still be under way */
		if (s->docker && !ns_docker_inspect(s->docker, io->containers[i], 3000, &info) && info.running)
			ns_ctr_table_docker_update(&s->table, &info);
		n = ns_ctr_match(&s->table, io->containers[i], netns + *nr_netns, max_netns - *nr_netns);
		if (!n) {
			ns_err("--container %s: no running container with that name or ID%s", io->containers[i],
			       s->docker ? "" : " (IDs only: Docker API not in use)");
			return -ENOENT;
		}
		*nr_netns += n;
	}
	return 0;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct ns_session *s = ctx;

	if (ns_event_check(data, size)) {
		s->bad_records++;
		return 0;
	}
	return s->cb(s->cb_ctx, data, size);
}

const struct ns_feature *const ns_features[NS_FEAT_MAX] = {
	[NS_FEAT_RST] = &ns_rst_feature,
	[NS_FEAT_TCPSTATE] = &ns_tcpstate_feature,
	[NS_FEAT_CT] = &ns_ct_feature,
	[NS_FEAT_FDB] = &ns_fdb_feature,
	[NS_FEAT_DROP] = &ns_drop_feature,
	[NS_FEAT_RETRANS] = &ns_retrans_feature,
};

void ns_session_close(struct ns_session *s)
{
	unsigned f;

	if (!s)
		return;
	/* the docker thread calls into the table and the filter map: stop it first */
	ns_docker_stop(s->docker);
	s->docker = NULL;
	ring_buffer__free(s->rb);
	s->rb = NULL;
	ns_ct_links_free(&s->ctlinks);
	for (f = 0; f < NS_FEAT_MAX; f++)
		ns_loaded_destroy(&s->feat[f]);
	ns_ctr_table_destroy(&s->table);
	ns_enum_names_free(&s->rst_reasons);
	ns_enum_names_free(&s->drop_reasons);
}

struct prune_ctx {
	uint32_t netns;
	size_t off;
};

static int keep_other_netns(void *ctx, const void *key)
{
	const struct prune_ctx *p = ctx;
	uint32_t v;

	memcpy(&v, (const char *)key + p->off, sizeof(v));
	return v != p->netns;
}

void ns_session_prune_netns(struct ns_session *s, uint32_t netns)
{
	const struct ns_netns_map *m;
	unsigned f;

	for (f = 0; f < NS_FEAT_MAX; f++) {
		const struct ns_loaded *l = ns_session_feat(s, f);

		for (m = l ? l->feat->netns_maps : NULL; m && m->name; m++) {
			struct prune_ctx p = { .netns = netns, .off = m->netns_off };

			ns_map_prune(ns_find_map(l, m->name), keep_other_netns, &p);
		}
	}
}

int ns_session_filter_add(struct ns_session *s, uint32_t netns)
{
	__u8 one = 1;
	unsigned f;

	for (f = 0; f < NS_FEAT_MAX; f++) {
		const struct ns_loaded *l = ns_session_feat(s, f);

		if (l && l->feat->has_events && bpf_map_update_elem(ns_netns_filter_fd(l), &netns, &one, BPF_ANY))
			return -errno;
	}
	return 0;
}

bool ns_session_wanted(const struct ns_session *s, uint32_t netns)
{
	__u8 v;

	/* every filter holds the same namespaces: the RST object's answers for all */
	return !s->filtered || !bpf_map_lookup_elem(ns_netns_filter_fd(&s->feat[NS_FEAT_RST]), &netns, &v);
}

void ns_session_report_hooks(const struct ns_session *s, bool info)
{
	unsigned f, i;

	for (f = 0; f < NS_FEAT_MAX; f++) {
		const struct ns_loaded *l = ns_session_feat(s, f);

		for (i = 0; l && i < l->feat->nr_sources; i++) {
			const struct ns_source_state *st = &l->state[i];
			const struct ns_hook *h = st->chosen >= 0 ? &st->src->hooks[st->chosen] : NULL;

			if (!h && s->hook_methods)
				ns_warn("%s: no hook of the kinds --hooks %s allows works; these events are not seen",
					st->src->name, s->hook_methods);
			else if (!h)
				ns_warn("%s: no hook works on this kernel; these events are not seen (netsleuth doctor)",
					st->src->name);
			else if (ns_source_degraded(st))
				ns_warn("%s: degraded: %s %s: %s", st->src->name, h->method, h->target,
					h->limits ? h->limits : st->res[st->chosen].optional_msg);
			else if (info)
				ns_info("%s: %s %s", st->src->name, h->method, h->target);
			else
				ns_dbg("%s: %s %s", st->src->name, h->method, h->target);
		}
	}
}

int ns_session_open(struct ns_session *s, unsigned required, unsigned optional, const struct ns_bpf_cfg *cfgp,
		    const uint32_t *netns_arg, size_t nr_netns_arg, const struct ns_ident_opts *iopts, ns_event_fn cb,
		    void *ctx)
{
	uint32_t netns[NS_MAX_WATCH * 64 + 64];
	struct ns_bpf_cfg cfg = *cfgp;
	size_t i, nr_netns = 0;
	unsigned f;
	int err;

	memset(s, 0, sizeof(*s));
	ns_ct_links_init(&s->ctlinks, NULL);
	s->iopts = iopts;
	s->hook_methods = cfgp->hook_methods;
	for (i = 0; i < nr_netns_arg && nr_netns < sizeof(netns) / sizeof(netns[0]); i++)
		netns[nr_netns++] = netns_arg[i];
	s->cb = cb;
	s->cb_ctx = ctx;
	s->poll_ms = NS_DEFAULT_POLL_MS;
	err = ns_btf_enum_names("sk_rst_reason", "SK_RST_REASON_", &s->rst_reasons);
	if (err && err != -ENOENT)
		ns_warn("reading enum sk_rst_reason from kernel BTF: %s; reasons shown as numbers", strerror(-err));
	s->fmt.rst_reasons = s->rst_reasons.n ? &s->rst_reasons : NULL;
	/* enum skb_drop_reason: 5.17+; older kernels give no reason to name */
	err = ns_btf_enum_names("skb_drop_reason", "SKB_DROP_REASON_", &s->drop_reasons);
	if (err && err != -ENOENT)
		ns_warn("reading enum skb_drop_reason from kernel BTF: %s; drop reasons shown as numbers", strerror(-err));
	s->fmt.drop_reasons = s->drop_reasons.n ? &s->drop_reasons : NULL;
	err = identity_open(s, iopts, netns, &nr_netns, sizeof(netns) / sizeof(netns[0]));
	if (err)
		goto cleanup;
	if (iopts && iopts->nr_containers)
		cfg.filter_netns = true;
	s->fmt.ident = ident_cb;
	s->fmt.ident_ctx = &s->table;
	s->fmt.mono_to_real_ns = ns_mono_to_real_ns();

	for (f = 0; f < NS_FEAT_MAX; f++) {
		if (!((required | optional) & NS_FEAT_BIT(f)) || !ns_features[f])
			continue;
		err = ns_feature_load(ns_features[f], &cfg, &s->feat[f]);
		if (err && (required & NS_FEAT_BIT(f)))
			goto cleanup;
		if (err)
			ns_warn("%s: not loaded (%s); continuing without it", ns_features[f]->name, strerror(-err));
	}
	if (!ns_session_feat(s, NS_FEAT_RST)) {
		err = -ENOENT;
		ns_err("the RST feature is required");
		goto cleanup;
	}
	if (cfg.filter_netns) {
		s->filtered = true;
		for (i = 0; i < nr_netns; i++) {
			if ((err = ns_session_filter_add(s, netns[i]))) {
				ns_err("netns filter: %s", strerror(-err));
				goto cleanup;
			}
		}
	}
	/* one reader for every feature that emits events: a single poll loop, no per-feature thread */
	for (f = 0; f < NS_FEAT_MAX; f++) {
		const struct ns_loaded *l = ns_session_feat(s, f);

		if (!l || !l->feat->has_events)
			continue;
		if (!s->rb) {
			s->rb = ring_buffer__new(ns_ringbuf_fd(l), on_record, s, NULL);
			err = s->rb ? 0 : (errno ? -errno : -ENOMEM);
		} else {
			err = ring_buffer__add(s->rb, ns_ringbuf_fd(l), on_record, s);
		}
		if (err) {
			ns_err("%s ring buffer: %s", l->feat->name, strerror(-err));
			goto cleanup;
		}
	}
	if (ns_session_feat(s, NS_FEAT_CT)) {
		ns_ct_links_init(&s->ctlinks, &s->feat[NS_FEAT_CT]);
		ns_ct_links_sync(&s->ctlinks, &s->table);
	}
	s->housekeeping_ms = ns_now_ms();
	return 0;
cleanup:
	ns_session_close(s);
	return err;
}

int ns_session_run(struct ns_session *s, uint64_t duration_ms, uint64_t tick_ms, int (*tick)(void *), void *tick_ctx)
{
	uint64_t start = ns_now_ms(), next_tick = start + tick_ms, now;
	int err = 0;

	while (!ns_exiting) {
		err = ring_buffer__poll(s->rb, s->poll_ms);
		if (err == -EINTR) {
			err = 0;
			continue;
		}
		if (err < 0)
			break;
		/* Records submitted with BPF_RB_NO_WAKEUP woke nobody: drain them here. */
		err = ring_buffer__consume(s->rb);
		if (err < 0)
			break;
		if (err > 0 && ns_exiting)
			break;
		err = 0;
		fflush(stdout);
		now = ns_now_ms();
		/* new namespaces need their conntrack hook, gone ones lose it */
		if (now - s->housekeeping_ms >= 2000) {
			s->housekeeping_ms = now;
			ns_ctr_table_refresh(&s->table, now);
			ns_ct_links_sync(&s->ctlinks, &s->table);
		}
		if (tick && tick_ms && now >= next_tick) {
			next_tick = now + tick_ms;
			if (tick(tick_ctx))
				break;
		}
		if (duration_ms && now - start >= duration_ms)
			break;
	}
	/* What was queued before the stop still belongs to this session. */
	if (err >= 0) {
		int n = ring_buffer__consume(s->rb);

		err = n < 0 ? n : 0;
	}
	fflush(stdout);
	return err;
}
