// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * FDB flap detector. A MAC that moves between bridge ports more than
 * `threshold` times within `window_ns` is one anomaly, however long it
 * lasts: opened once, counted while it goes on, closed after a whole window
 * without a move. A container migrating once, or a VM failing over, moves a
 * MAC once or twice; the overlay incident of issue #5 moved one twice per
 * ARP exchange for minutes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fmt_l2.h"
#include "l2.h"
#include "vec.h"

void ns_flaps_init(struct ns_flaps *f, unsigned threshold, uint64_t window_ns)
{
	memset(f, 0, sizeof(*f));
	f->threshold = threshold > NS_FLAP_MAX_THRESHOLD ? NS_FLAP_MAX_THRESHOLD : threshold ? threshold : 1;
	f->window_ns = window_ns ? window_ns : NS_FLAP_DEFAULT_WINDOW_NS;
}

void ns_flaps_free(struct ns_flaps *f)
{
	if (!f)
		return;
	free(f->v);
	f->v = NULL;
	f->n = f->cap = 0;
}

static struct ns_flap *find(struct ns_flaps *f, const struct fdb_event *e)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		struct ns_flap *fl = &f->v[i];

		if (fl->netns == e->hdr.netns && fl->br_ifindex == e->br_ifindex && fl->vlan == e->vlan &&
		    !memcmp(fl->mac, e->mac, 6))
			return fl;
	}
	return NULL;
}

static void port_arrival(struct ns_flap *fl, uint32_t ifindex, const char *name, const char *kind)
{
	unsigned i;

	for (i = 0; i < fl->nports; i++)
		if (fl->ports[i].ifindex == ifindex) {
			fl->ports[i].arrivals++;
			return;
		}
	if (fl->nports == NS_FLAP_MAX_PORTS)
		return;	/* more ports than that: the first ones tell the story */
	fl->ports[fl->nports].ifindex = ifindex;
	memcpy(fl->ports[fl->nports].name, name, 16);
	fl->ports[fl->nports].name[15] = '\0';
	memcpy(fl->ports[fl->nports].kind, kind, 16);
	fl->ports[fl->nports].kind[15] = '\0';
	fl->ports[fl->nports].arrivals = 1;
	fl->nports++;
}

/* Moves in the ring no older than the window before `now`. */
static unsigned in_window(const struct ns_flap *fl, uint64_t now, uint64_t window)
{
	unsigned i, n = 0;

	for (i = 0; i < fl->nrecent; i++) {
		uint64_t t = fl->recent[i];

		if (t <= now && now - t < window)
			n++;
	}
	return n;
}

static uint64_t oldest_in_window(const struct ns_flap *fl, uint64_t now, uint64_t window)
{
	uint64_t best = now;
	unsigned i;

	for (i = 0; i < fl->nrecent; i++)
		if (fl->recent[i] <= now && now - fl->recent[i] < window && fl->recent[i] < best)
			best = fl->recent[i];
	return best;
}

struct ns_flap *ns_flaps_move(struct ns_flaps *f, const struct fdb_event *e, bool *opened)
{
	const unsigned ring = f->threshold + 1;
	uint64_t now = e->hdr.ts_ns;
	struct ns_flap *fl;

	*opened = false;
	fl = find(f, e);
	if (!fl) {
		if (f->n >= NS_FLAP_MAX_TRACKED) {
			f->dropped++;
			return NULL;
		}
		if (NS_VEC_RESERVE(f->v, f->cap, f->n, 64, 0))
			return NULL;
		fl = &f->v[f->n++];
		memset(fl, 0, sizeof(*fl));
		fl->netns = e->hdr.netns;
		fl->br_ifindex = e->br_ifindex;
		fl->vlan = e->vlan;
		memcpy(fl->mac, e->mac, 6);
		memcpy(fl->bridge, e->br_name, 16);
		fl->bridge[15] = '\0';
		/* the port it left is part of the story from the first move on */
		port_arrival(fl, e->old_port_ifindex, e->old_port, e->old_port_kind);
		fl->ports[0].arrivals = 0;
	}
	port_arrival(fl, e->port_ifindex, e->port, e->port_kind);
	fl->recent[fl->head] = now;
	fl->head = (fl->head + 1) % ring;
	if (fl->nrecent < ring)
		fl->nrecent++;
	fl->last_ns = now;
	fl->kernel_moves = e->moves;
	if (fl->open) {
		fl->moves++;
		return fl;
	}
	fl->moves = in_window(fl, now, f->window_ns);
	if (fl->moves > f->threshold) {
		fl->open = true;
		fl->start_ns = oldest_in_window(fl, now, f->window_ns);
		f->opened++;
		*opened = true;
	}
	return fl;
}

void ns_flaps_expire(struct ns_flaps *f, uint64_t now_ns, void (*closed)(void *ctx, struct ns_flap *fl), void *ctx)
{
	size_t i = 0;

	while (i < f->n) {
		struct ns_flap *fl = &f->v[i];

		if (now_ns < fl->last_ns || now_ns - fl->last_ns < f->window_ns) {
			i++;
			continue;
		}
		if (fl->open) {
			fl->open = false;
			f->closed++;
			if (closed)
				closed(ctx, fl);
		}
		f->v[i] = f->v[--f->n];
	}
}

double ns_flap_rate_per_min(const struct ns_flap *fl, uint64_t window_ns)
{
	uint64_t span = fl->last_ns > fl->start_ns ? fl->last_ns - fl->start_ns : 0;

	/* a burst faster than a millisecond says nothing about a rate: spread it over the window */
	if (span < 1000000)
		span = window_ns;
	return (double)fl->moves * 60e9 / (double)span;
}

void ns_flap_desc_line(const struct ns_flap_desc *d, struct ns_buf *b)
{
	unsigned i;

	ns_buf_printf(b, "ANOMALY fdb-flapping on bridge %s in %s: MAC %s", d->bridge, d->where, d->mac);
	if (d->vlan)
		ns_buf_printf(b, " vlan %u", d->vlan);
	if (d->owner[0])
		ns_buf_printf(b, " (%s)", d->owner);
	ns_buf_puts(b, " moving between ports");
	for (i = 0; i < d->nports; i++) {
		ns_buf_printf(b, "%s %s (%s", i ? (i + 1 == d->nports ? " and" : ",") : "", d->ports[i].name,
			      ns_port_kind(d->ports[i].kind));
		if (d->ports[i].owner[0])
			ns_buf_printf(b, ", %s", d->ports[i].owner);
		ns_buf_puts(b, ")");
	}
	ns_buf_printf(b, ": %llu moves, %.1f/min, since %s%s%s", (unsigned long long)d->moves, d->rate_per_min,
		      d->start, d->open ? ", last " : ", ended ", d->end);
	if (!d->open)
		ns_buf_puts(b, " (closed)");
	if (d->cause[0])
		ns_buf_printf(b, "; cause: %s", d->cause);
	if (d->fix[0])
		ns_buf_printf(b, "; fix: %s", d->fix);
	ns_buf_puts(b, "\n");
}

void ns_flap_desc_json(const struct ns_flap_desc *d, struct ns_json *j)
{
	unsigned i;

	nj_obj_begin(j);
	nj_kv_str(j, "kind", "fdb_flapping");
	nj_kv_str(j, "state", d->open ? "open" : "closed");
	nj_kv_str(j, "where", d->where);
	nj_kv_u64(j, "netns", d->netns);
	nj_kv_str(j, "bridge", d->bridge);
	nj_kv_str(j, "mac", d->mac);
	nj_kv_u64(j, "vlan", d->vlan);
	nj_kv_str(j, "owner", d->owner[0] ? d->owner : NULL);
	nj_key(j, "owner_netns");
	if (d->owner_netns)
		nj_u64(j, d->owner_netns);
	else
		nj_null(j);
	nj_key(j, "ports");
	nj_arr_begin(j);
	for (i = 0; i < d->nports; i++) {
		nj_obj_begin(j);
		nj_kv_str(j, "name", d->ports[i].name);
		nj_kv_str(j, "kind", ns_port_kind(d->ports[i].kind));
		nj_kv_str(j, "owner", d->ports[i].owner[0] ? d->ports[i].owner : NULL);
		nj_kv_u64(j, "arrivals", d->ports[i].arrivals);
		nj_obj_end(j);
	}
	nj_arr_end(j);
	nj_kv_u64(j, "moves", d->moves);
	nj_kv_u64(j, "moves_total", d->kernel_moves);
	nj_key(j, "rate_per_min");
	nj_double(j, d->rate_per_min);
	nj_kv_str(j, "start", d->start);
	nj_kv_str(j, "end", d->end);
	nj_kv_str(j, "cause", d->cause[0] ? d->cause : NULL);
	nj_kv_str(j, "fix", d->fix[0] ? d->fix : NULL);
	nj_obj_end(j);
}
