// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <string.h>
#include "anomaly.h"
#include "vec.h"

void ns_corr_init(struct ns_corr *c)
{
	memset(c, 0, sizeof(*c));
	c->window_ns = NS_CORR_WINDOW_NS;
}

void ns_corr_free(struct ns_corr *c)
{
	if (!c)
		return;
	free(c->an);
	c->an = NULL;
	c->nan = c->cap = 0;
}

static bool same_flow(const struct ns_corr_pkt *a, const struct ns_corr_pkt *b, uint64_t window)
{
	size_t alen = a->family == 10 ? 16 : 4;
	uint64_t d = a->ts > b->ts ? a->ts - b->ts : b->ts - a->ts;

	return a->valid && b->valid && a->netns == b->netns && a->family == b->family && a->cport == b->cport &&
	       a->pport == b->pport && a->seq == b->seq && d <= window && !memcmp(a->client, b->client, alen) &&
	       !memcmp(a->pub, b->pub, alen);
}

static struct ns_ctreset *account(struct ns_corr *c, const struct ns_corr_pkt *inv, uint64_t rst_ts)
{
	size_t alen = inv->family == 10 ? 16 : 4, i;
	struct ns_ctreset *a;

	c->invalid_reset++;
	for (i = 0; i < c->nan; i++) {
		a = &c->an[i];
		if (a->netns == inv->netns && a->family == inv->family && a->pport == inv->pport &&
		    !memcmp(a->client, inv->client, alen) && !memcmp(a->pub, inv->pub, alen))
			goto found;
	}
	if (NS_VEC_RESERVE(c->an, c->cap, c->nan, 8, 4096))
		return NULL;	/* bounded: the counters above stay right */
	a = &c->an[c->nan++];
	memset(a, 0, sizeof(*a));
	a->netns = inv->netns;
	a->family = inv->family;
	a->pport = inv->pport;
	memcpy(a->client, inv->client, 16);
	memcpy(a->pub, inv->pub, 16);
	a->first_ts = inv->ts;
found:
	a->resets++;
	a->last_ts = rst_ts > inv->ts ? rst_ts : inv->ts;
	a->last_cport = inv->cport;
	return a;
}

/* A packet as (client, public address:port), whichever way it travelled. */
static struct ns_corr_pkt corr_pkt(const struct ns_event_hdr *h, uint16_t family, uint32_t seq,
				   const uint8_t *client, uint16_t cport, const uint8_t *pub, uint16_t pport)
{
	struct ns_corr_pkt p = { 0 };

	p.ts = h->ts_ns;
	p.netns = h->netns;
	p.family = family;
	p.seq = seq;
	p.cport = cport;
	p.pport = pport;
	memcpy(p.client, client, 16);
	memcpy(p.pub, pub, 16);
	p.valid = true;
	return p;
}

/* Take the entry of `ring` that is the other half of `p`, if any. */
static bool take_match(struct ns_corr_pkt *ring, const struct ns_corr_pkt *p, uint64_t window,
		       struct ns_corr_pkt *out)
{
	unsigned i;

	for (i = 0; i < NS_CORR_RING; i++) {
		if (same_flow(p, &ring[i], window)) {
			*out = ring[i];
			ring[i].valid = false;
			return true;
		}
	}
	return false;
}

struct ns_ctreset *ns_corr_invalid(struct ns_corr *c, const struct ct_event *e)
{
	struct ns_corr_pkt p, rst;

	if (!(e->flags & NS_CT_F_TCP) || (e->tcp_flags & 0x04))	/* a RST is never answered */
		return NULL;
	c->invalid_tcp++;
	p = corr_pkt(&e->hdr, e->family, e->seq, e->saddr, e->sport, e->daddr, e->dport);
	if (e->hdr.ts_ns > c->last_invalid_ts)
		c->last_invalid_ts = e->hdr.ts_ns;
	if (take_match(c->rst, &p, c->window_ns, &rst))
		return account(c, &p, rst.ts);
	c->inv[c->inv_head++ % NS_CORR_RING] = p;
	return NULL;
}

struct ns_ctreset *ns_corr_rst(struct ns_corr *c, const struct rst_event *e)
{
	struct ns_corr_pkt p, inv;

	if (e->hdr.type != NS_EV_RST_SENT || !(e->flags & NS_RST_F_SKB))
		return NULL;
	/* the RST goes from the public address back to the client, answering the packet's seq */
	p = corr_pkt(&e->hdr, e->family, e->seq, e->daddr, e->dport, e->saddr, e->sport);
	/*
	 * Per sent RST, on the agent's event path: an RST storm with no INVALID
	 * packet about must not pay for a ring scan, only for the store below
	 * (its INVALID half may still come from the other ring buffer).
	 */
	if (c->last_invalid_ts && p.ts <= c->last_invalid_ts + c->window_ns &&
	    take_match(c->inv, &p, c->window_ns, &inv))
		return account(c, &inv, p.ts);
	c->rst[c->rst_head++ % NS_CORR_RING] = p;
	return NULL;
}

uint64_t ns_corr_resets_in(const struct ns_corr *c, uint32_t netns)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < c->nan; i++)
		if (c->an[i].netns == netns)
			n += c->an[i].resets;
	return n;
}
