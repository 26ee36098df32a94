// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* `netsleuth trace`: events as they happen, text columns or JSON lines. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "args.h"
#include "cmd.h"
#include "events.h"
#include "log.h"
#include "maps.h"
#include "l2.h"
#include "path.h"

/* Without --event: resets and INVALID packets. */
#define NS_TRACE_DEFAULT_EVENTS (NS_EV_BIT(NS_EV_RST_SENT) | NS_EV_BIT(NS_EV_RST_RECV) | NS_EV_BIT(NS_EV_CT_INVALID))

struct trace_ctx {
	struct ns_session *s;
	struct ns_common_opts *o;
	struct ns_buf out;
	uint64_t printed;
	uint64_t max_events;
};

static int on_event(void *ctx, const struct ns_event_hdr *h, size_t size)
{
	struct trace_ctx *t = ctx;

	(void)size;
	if (t->max_events && t->printed >= t->max_events)
		return 0;
	ns_buf_reset(&t->out);
	ns_fmt_event(&t->s->fmt, h, t->o->json, &t->out);
	if (t->out.len)
		fwrite(t->out.p, 1, t->out.len, stdout);
	t->printed++;
	if (t->max_events && t->printed >= t->max_events)
		ns_exiting = 1;
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: netsleuth trace [OPTIONS]\n"
		"\n"
		"Stream events, one line each.\n"
		"\n"
		"  -e, --event LIST     events to show, comma-separated: %s\n"
		"                       (default: rst, ct-invalid)\n"
		"  -c, --count N        stop after N events\n"
		"%s",
		ns_event_names_help(), NS_COMMON_HELP);
}

/* FDB changes and neighbour changes the kernel counted (refreshes and no-op updates are not events). */
static uint64_t l2_counted(struct trace_ctx *t, uint64_t *stats)
{
	const struct ns_loaded *l = ns_session_feat(t->s, NS_FEAT_FDB);
	struct ns_fdb_counts fc = {};
	struct ns_neigh_counts nc = {};
	uint64_t st[NS_STAT_MAX] = {}, n = 0;
	size_t i;

	if ((t->o->cfg.event_mask & NS_EV_BIT(NS_EV_FDB)) && !ns_fdb_read_counts(l, &fc))
		for (i = 0; i < fc.n; i++)
			if (fc.v[i].action != NS_FDB_REFRESH && ns_session_wanted(t->s, fc.v[i].netns))
				n += fc.v[i].n;
	if ((t->o->cfg.event_mask & NS_EV_BIT(NS_EV_NEIGH)) && !ns_neigh_read_counts(l, &nc))
		for (i = 0; i < nc.n; i++)
			if (nc.v[i].flags && ns_session_wanted(t->s, nc.v[i].netns))
				n += nc.v[i].n;
	if (!ns_read_stats(l, st))
		stats[NS_STAT_RB_LOST] += st[NS_STAT_RB_LOST];
	free(fc.v);
	free(nc.v);
	return n;
}

/*
 * Drops and retransmissions the kernel counted. Their events are rate-limited
 * per key in the kernel (docs/events.md), so fewer may be printed than counted.
 */
static uint64_t path_counted(struct trace_ctx *t, uint64_t *stats)
{
	const struct ns_loaded *d = ns_session_feat(t->s, NS_FEAT_DROP), *r = ns_session_feat(t->s, NS_FEAT_RETRANS);
	struct ns_drop_counts dc = {};
	struct ns_retrans_counts rc = {};
	uint64_t st[NS_STAT_MAX], n = 0;
	size_t i;

	if (d && (t->o->cfg.event_mask & NS_EV_BIT(NS_EV_DROP)) && !ns_drop_read_counts(d, &dc))
		for (i = 0; i < dc.n; i++)
			if (ns_session_wanted(t->s, dc.v[i].netns))
				n += dc.v[i].n;
	if (r && !ns_retrans_read_counts(r, &rc))
		for (i = 0; i < rc.n; i++) {
			const struct ns_retrans_count *c = &rc.v[i];

			if (!ns_session_wanted(t->s, c->netns))
				continue;
			if ((c->unit == NS_RT_U_RETRANS && (t->o->cfg.event_mask & NS_EV_BIT(NS_EV_RETRANS))) ||
			    (c->unit == NS_RT_U_FLOW_END && (t->o->cfg.event_mask & NS_EV_BIT(NS_EV_FLOW_END))))
				n += c->n;
		}
	if (d && !ns_read_stats(d, st))
		stats[NS_STAT_RB_LOST] += st[NS_STAT_RB_LOST];
	if (r && !ns_read_stats(r, st))
		stats[NS_STAT_RB_LOST] += st[NS_STAT_RB_LOST];
	ns_drop_counts_free(&dc);
	ns_retrans_counts_free(&rc);
	return n;
}

/* Totals the kernel counted for what this trace asked for, to compare with what was printed. */
static void report_totals(struct trace_ctx *t)
{
	struct ns_rst_summary sum = {};
	uint64_t stats[NS_STAT_MAX] = {}, counted = 0;
	size_t i;

	if (ns_rst_read_counts(&t->s->feat[NS_FEAT_RST], &sum) || ns_read_stats(&t->s->feat[NS_FEAT_RST], stats))
		goto cleanup;
	for (i = 0; i < sum.n; i++) {

		/* the kernel's own filter decides, --container namespaces included */
		if (!ns_session_wanted(t->s, sum.rows[i].netns))
			continue;
		if (t->o->cfg.event_mask & NS_EV_BIT(NS_EV_RST_SENT))
			counted += sum.rows[i].sent;
		if (t->o->cfg.event_mask & NS_EV_BIT(NS_EV_RST_RECV))
			counted += sum.rows[i].recv;
	}
	if (ns_session_feat(t->s, NS_FEAT_CT) && (t->o->cfg.event_mask & NS_EV_BIT(NS_EV_CT_INVALID))) {
		struct ns_ct_counts ct = {};
		uint64_t ct_stats[NS_STAT_MAX] = {};

		if (!ns_ct_read_counts(ns_session_feat(t->s, NS_FEAT_CT), &ct)) {
			for (i = 0; i < ct.n; i++) {

				if (!ns_session_wanted(t->s, ct.v[i].netns))
					continue;
				counted += ct.v[i].n;
			}
		}
		free(ct.v);
		if (!ns_read_stats(ns_session_feat(t->s, NS_FEAT_CT), ct_stats))
			stats[NS_STAT_RB_LOST] += ct_stats[NS_STAT_RB_LOST];
	}
	if (ns_session_feat(t->s, NS_FEAT_FDB))
		counted += l2_counted(t, stats);
	counted += path_counted(t, stats);
	ns_info("%llu events printed; kernel counted %llu matching; %llu lost (ring buffer full)%s",
		(unsigned long long)t->printed, (unsigned long long)counted,
		(unsigned long long)stats[NS_STAT_RB_LOST],
		t->s->bad_records ? "; malformed records skipped" : "");
cleanup:
	ns_rst_summary_free(&sum);
}

int cmd_trace(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "event", required_argument, NULL, 'e' },
		{ "count", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		NS_COMMON_LONGOPTS,
		{ 0 },
	};
	struct ns_common_opts o;
	struct ns_session s;
	struct trace_ctx t = { .s = &s, .o = &o };
	uint32_t mask = 0;
	unsigned optional = NS_FEAT_BIT(NS_FEAT_CT);
	const char *bad;
	int opt, err;

	ns_common_opts_init(&o);
	while ((opt = getopt_long(argc, argv, "e:c:h" NS_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		switch (opt) {
		case 'e':
			if (ns_parse_events(optarg, &mask, &bad)) {
				ns_err("--event: unknown event '%s'; known: %s", bad, ns_event_names_help());
				return NS_EXIT_FAIL;
			}
			break;
		case 'c':
			if (ns_parse_u64(optarg, 1, UINT64_MAX, &t.max_events)) {
				ns_err("--count %s: want a positive number", optarg);
				return NS_EXIT_FAIL;
			}
			break;
		case 'h':
			usage(stdout);
			return NS_EXIT_OK;
		default:
			err = ns_common_opt(&o, opt, optarg);
			if (err) {
				if (err > 0)
					usage(stderr);
				return NS_EXIT_FAIL;
			}
		}
	}
	if (optind < argc) {
		ns_err("unexpected argument '%s'", argv[optind]);
		usage(stderr);
		return NS_EXIT_FAIL;
	}
	/*
	 * Without --event: resets and INVALID packets, as before the L2 and path
	 * events existed. Those are opt-in (-e fdb,neigh,drop,retrans or all):
	 * every ARP resolution is a neigh event, every SYN to a closed port a drop.
	 */
	o.cfg.event_mask = mask ? mask : NS_TRACE_DEFAULT_EVENTS;
	if (o.cfg.event_mask & (NS_EV_BIT(NS_EV_FDB) | NS_EV_BIT(NS_EV_NEIGH)))
		optional |= NS_FEAT_BIT(NS_FEAT_FDB);
	/* kfree_skb fires for every freed packet: hook it only when drops are wanted */
	if (o.cfg.event_mask & NS_EV_BIT(NS_EV_DROP))
		optional |= NS_FEAT_BIT(NS_FEAT_DROP);
	if (o.cfg.event_mask & (NS_EV_BIT(NS_EV_RETRANS) | NS_EV_BIT(NS_EV_FLOW_END)))
		optional |= NS_FEAT_BIT(NS_FEAT_RETRANS);

	ns_signals_install();
	err = ns_session_open(&s, NS_FEAT_BIT(NS_FEAT_RST), optional, &o.cfg, o.netns, o.nr_netns, &o.ident, on_event, &t);
	if (err)
		return NS_EXIT_FAIL;
	ns_session_report_hooks(&s, false);
	s.poll_ms = o.poll_ms;
	s.fmt.utc = o.utc;
	ns_info("tracing; Ctrl-C to stop");
	if (!o.json) {
		ns_fmt_rst_header(&t.out);
		fwrite(t.out.p, 1, t.out.len, stdout);
	}
	err = ns_session_run(&s, o.duration_ms, 0, NULL, NULL);
	if (err)
		ns_err("reading events: %s", strerror(-err));
	report_totals(&t);
	ns_buf_free(&t.out);
	ns_session_close(&s);
	return err ? NS_EXIT_FAIL : NS_EXIT_OK;
}
