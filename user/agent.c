// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * `netsleuth agent`: the main job. Loads every feature and prints per-netns
 * summaries from the kernel's exact counters every interval and at exit.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "args.h"
#include "cmd.h"
#include "events.h"
#include "log.h"
#include "maps.h"

struct agent_ctx {
	struct ns_session *s;
	struct ns_common_opts *o;
	struct ns_rst_summary a, b;
	struct ns_rst_summary *cur, *prev;
	struct ns_buf out;
	bool print_events;
	bool printed_once;
	uint64_t events;
};

static int on_event(void *ctx, const struct ns_event_hdr *h, size_t size)
{
	struct agent_ctx *ac = ctx;

	(void)size;
	ac->events++;
	if (!ac->print_events)
		return 0;
	ns_buf_reset(&ac->out);
	if (ac->o->json)
		ns_fmt_rst_json(&ac->s->fmt, (const void *)h, &ac->out);
	else
		ns_fmt_rst_text(&ac->s->fmt, (const void *)h, &ac->out);
	fwrite(ac->out.p, 1, ac->out.len, stdout);
	return 0;
}

static bool changed(const struct ns_rst_summary *cur, const struct ns_rst_summary *prev)
{
	size_t i;

	if (cur->n != prev->n || cur->lost != prev->lost || cur->count_full != prev->count_full)
		return true;
	for (i = 0; i < cur->n; i++) {
		const struct ns_rst_row *p = ns_rst_summary_find(prev, cur->rows[i].netns);

		if (!p || p->sent != cur->rows[i].sent || p->recv != cur->rows[i].recv)
			return true;
	}
	return false;
}

static void now_str(char *buf, size_t len, bool iso)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (iso) {
		gmtime_r(&ts.tv_sec, &tm);
		strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	} else {
		localtime_r(&ts.tv_sec, &tm);
		strftime(buf, len, "%H:%M:%S", &tm);
	}
}

static int report(struct agent_ctx *ac, bool final)
{
	struct ns_rst_summary *t;
	char ts[64], title[160];
	int err;

	err = ns_rst_read_counts(&ac->s->feat[NS_FEAT_RST], ac->cur);
	if (err) {
		ns_err("reading RST counters: %s", strerror(-err));
		return err;
	}
	ns_buf_reset(&ac->out);
	if (ac->o->json) {
		now_str(ts, sizeof(ts), true);
		ns_rst_summary_json(ac->cur, ac->printed_once ? ac->prev : NULL, &ac->s->fmt, ts, final, &ac->out);
	} else if (final || !ac->printed_once || changed(ac->cur, ac->prev)) {
		now_str(ts, sizeof(ts), false);
		snprintf(title, sizeof(title), "%s TCP resets %s", ts,
			 final ? "(totals at exit)" : "(totals since start; change in this interval)");
		ns_rst_summary_text(ac->cur, final || !ac->printed_once ? NULL : ac->prev, &ac->s->fmt, title,
				    &ac->out);
	}
	if (ac->out.len) {
		fwrite(ac->out.p, 1, ac->out.len, stdout);
		fflush(stdout);
		ac->printed_once = true;
	}
	t = ac->prev;
	ac->prev = ac->cur;
	ac->cur = t;
	return 0;
}

static int tick(void *ctx)
{
	return report(ctx, false) ? -1 : 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: netsleuth agent [OPTIONS]\n"
		"\n"
		"Load every probe and report per network namespace until stopped.\n"
		"\n"
		"  -i, --interval D     summary period (default 5s)\n"
		"  -E, --events         also print every event (as `trace` would)\n"
		"%s",
		NS_COMMON_HELP);
}

int cmd_agent(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "events", no_argument, NULL, 'E' },
		{ "help", no_argument, NULL, 'h' },
		NS_COMMON_LONGOPTS,
		{ 0 },
	};
	struct ns_common_opts o;
	struct ns_session s;
	struct agent_ctx ac = { .s = &s, .o = &o };
	uint64_t interval_ms = 5000;
	int opt, err;

	ac.cur = &ac.a;
	ac.prev = &ac.b;
	ns_common_opts_init(&o);
	while ((opt = getopt_long(argc, argv, "i:Eh" NS_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			if (ns_parse_duration_ms(optarg, &interval_ms) || interval_ms < 100) {
				ns_err("--interval %s: want a duration of at least 100ms", optarg);
				return NS_EXIT_FAIL;
			}
			break;
		case 'E':
			ac.print_events = true;
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

	ns_signals_install();
	err = ns_session_open(&s, NS_FEAT_BIT(NS_FEAT_RST), NS_FEAT_BIT(NS_FEAT_TCPSTATE), &o.cfg, o.netns, o.nr_netns,
			      on_event, &ac);
	if (err)
		return NS_EXIT_FAIL;
	s.poll_ms = o.poll_ms;
	s.fmt.utc = o.utc;
	ns_session_report_hooks(&s, true);
	ns_info("agent running; summary every %llu ms; Ctrl-C to stop", (unsigned long long)interval_ms);
	err = ns_session_run(&s, o.duration_ms, interval_ms, tick, &ac);
	if (err)
		ns_err("reading events: %s", strerror(-err));
	report(&ac, true);
	ns_rst_summary_free(&ac.a);
	ns_rst_summary_free(&ac.b);
	ns_buf_free(&ac.out);
	ns_session_close(&s);
	return err ? NS_EXIT_FAIL : NS_EXIT_OK;
}
