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
		"  -c, --count N        stop after N events\n"
		"%s",
		ns_event_names_help(), NS_COMMON_HELP);
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
	if (mask)
		o.cfg.event_mask = mask;

	ns_signals_install();
	err = ns_session_open(&s, NS_FEAT_BIT(NS_FEAT_RST), NS_FEAT_BIT(NS_FEAT_CT), &o.cfg, o.netns, o.nr_netns, &o.ident, on_event, &t);
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
