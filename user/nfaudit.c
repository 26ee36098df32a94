// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/xt_state.h>
#include "containers.h"
#include "nfaudit.h"
#include "rtnl.h"

#define MAX_CHAINS 256

struct hooked_chain {
	uint32_t family;
	uint32_t hooknum;
	char table[32];
	char name[64];
};

struct audit_job {
	struct hooked_chain chains[MAX_CHAINS];
	unsigned nchains;
	struct ns_nf_audit out;
};

static int chain_cb(const struct nlmsghdr *nlh, void *data)
{
	struct audit_job *j = data;
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct hooked_chain *h;

	if (!c)
		return MNL_CB_ERROR;
	if (nftnl_chain_nlmsg_parse(nlh, c) < 0 || !nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM) ||
	    j->nchains == MAX_CHAINS)
		goto out;
	h = &j->chains[j->nchains++];
	h->family = nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY);
	h->hooknum = nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM);
	snprintf(h->table, sizeof(h->table), "%s", nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE));
	snprintf(h->name, sizeof(h->name), "%s", nftnl_chain_get_str(c, NFTNL_CHAIN_NAME));
out:
	nftnl_chain_free(c);
	return MNL_CB_OK;
}

/* xt `conntrack` / `state` match data (iptables-nft): does it select INVALID, not inverted? */
static bool xt_invalid(const char *name, uint32_t rev, const void *info, uint32_t len)
{
	if (!strcmp(name, "state") && len >= sizeof(struct xt_state_info))
		return ((const struct xt_state_info *)info)->statemask & XT_STATE_INVALID;
	if (strcmp(name, "conntrack"))
		return false;
	if (rev == 3 && len >= sizeof(struct xt_conntrack_mtinfo3)) {
		const struct xt_conntrack_mtinfo3 *m = info;

		return (m->match_flags & XT_CONNTRACK_STATE) && !(m->invert_flags & XT_CONNTRACK_STATE) &&
		       (m->state_mask & XT_CONNTRACK_STATE_INVALID);
	}
	if (rev == 2 && len >= sizeof(struct xt_conntrack_mtinfo2)) {
		const struct xt_conntrack_mtinfo2 *m = info;

		return (m->match_flags & XT_CONNTRACK_STATE) && !(m->invert_flags & XT_CONNTRACK_STATE) &&
		       (m->state_mask & XT_CONNTRACK_STATE_INVALID);
	}
	if (rev == 1 && len >= sizeof(struct xt_conntrack_mtinfo1)) {
		const struct xt_conntrack_mtinfo1 *m = info;

		return (m->match_flags & XT_CONNTRACK_STATE) && !(m->invert_flags & XT_CONNTRACK_STATE) &&
		       (m->state_mask & XT_CONNTRACK_STATE_INVALID);
	}
	return false;
}

struct rule_scan {
	bool invalid;	/* the rule selects ct state INVALID */
	bool ct_state;	/* native: a ct state load seen */
	bool drop;
};

static int expr_cb(struct nftnl_expr *e, void *data)
{
	struct rule_scan *s = data;
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
	uint32_t len = 0;

	if (!name)
		return MNL_CB_OK;
	if (!strcmp(name, "match")) {
		const void *info = nftnl_expr_get(e, NFTNL_EXPR_MT_INFO, &len);

		if (info && xt_invalid(nftnl_expr_get_str(e, NFTNL_EXPR_MT_NAME), nftnl_expr_get_u32(e, NFTNL_EXPR_MT_REV),
				       info, len))
			s->invalid = true;
	} else if (!strcmp(name, "ct") && nftnl_expr_get_u32(e, NFTNL_EXPR_CT_KEY) == NFT_CT_STATE) {
		s->ct_state = true;
	} else if (!strcmp(name, "bitwise") && s->ct_state) {
		/* `ct state invalid`: the state loaded, masked with the INVALID bit, compared != 0 */
		const uint32_t *mask = nftnl_expr_get(e, NFTNL_EXPR_BITWISE_MASK, &len);

		if (mask && len >= 4 && (*mask & NF_CT_STATE_INVALID_BIT))
			s->invalid = true;
	} else if (!strcmp(name, "immediate") && nftnl_expr_is_set(e, NFTNL_EXPR_IMM_VERDICT)) {
		s->drop = (int)nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT) == NF_DROP;
	}
	return MNL_CB_OK;
}

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct audit_job *j = data;
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct rule_scan s = { 0 };
	const char *table, *chain;
	uint32_t family;
	unsigned i;

	if (!r)
		return MNL_CB_ERROR;
	if (nftnl_rule_nlmsg_parse(nlh, r) < 0)
		goto out;
	j->out.rules++;
	family = nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY);
	table = nftnl_rule_get_str(r, NFTNL_RULE_TABLE);
	chain = nftnl_rule_get_str(r, NFTNL_RULE_CHAIN);
	nftnl_expr_foreach(r, expr_cb, &s);
	if (!s.invalid || !s.drop || j->out.invalid_drop)
		goto out;
	/*
	 * Only base chains on the way to the local stack count: PRE_ROUTING
	 * (raw, mangle) or INPUT. A rule in a jump target is not followed.
	 */
	for (i = 0; i < j->nchains; i++) {
		const struct hooked_chain *h = &j->chains[i];

		if (h->family == family && !strcmp(h->table, table) && !strcmp(h->name, chain) &&
		    (h->hooknum == NF_INET_PRE_ROUTING || h->hooknum == NF_INET_LOCAL_IN)) {
			j->out.invalid_drop = true;
			snprintf(j->out.rule, sizeof(j->out.rule), "%s %s %s",
				 family == NFPROTO_IPV4 ? "ip" : family == NFPROTO_IPV6 ? "ip6" : "inet", table, chain);
		}
	}
out:
	nftnl_rule_free(r);
	return MNL_CB_OK;
}

struct dump_ctx {
	mnl_cb_t cb;
	void *data;
};

static int parse_dump(const void *buf, size_t len, uint32_t seq, uint32_t portid, void *ctx)
{
	struct dump_ctx *d = ctx;
	int r = mnl_cb_run(buf, len, seq, portid, d->cb, d->data);

	if (r == MNL_CB_STOP)
		return 1;
	return r < 0 ? -errno : 0;
}

static int dump(struct mnl_socket *nl, uint16_t type, uint32_t seq, mnl_cb_t cb, struct audit_job *j)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct dump_ctx d = { cb, j };
	struct nlmsghdr *nlh;

	if (type == NFT_MSG_GETCHAIN)
		nlh = nftnl_chain_nlmsg_build_hdr(buf, type, NFPROTO_UNSPEC, NLM_F_DUMP, seq);
	else
		nlh = nftnl_rule_nlmsg_build_hdr(buf, type, NFPROTO_UNSPEC, NLM_F_DUMP, seq);
	return ns_nl_dump(nl, buf, sizeof(buf), nlh, parse_dump, &d);
}

static int audit_job(void *arg)
{
	struct audit_job *j = arg;
	struct mnl_socket *nl;
	char names[64];
	FILE *f;
	int err = 0;

	nl = ns_nl_open(NETLINK_NETFILTER, &err);
	if (!nl)
		return err ? err : -EIO;
	err = dump(nl, NFT_MSG_GETCHAIN, 1, chain_cb, j);
	if (!err)
		err = dump(nl, NFT_MSG_GETRULE, 2, rule_cb, j);
	mnl_socket_close(nl);
	/* the worker thread's own namespace, not the process's */
	f = fopen("/proc/thread-self/net/ip_tables_names", "re");
	if (f) {
		j->out.legacy = fgets(names, sizeof(names), f) != NULL;
		fclose(f);
	}
	return err;
}

int ns_nf_audit(struct ns_ctr_table *t, uint32_t netns, struct ns_nf_audit *out)
{
	struct ns_nsworker *w;
	struct audit_job *j;
	int fd, err;

	memset(out, 0, sizeof(*out));
	j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	fd = ns_ctr_table_open_netns(t, netns);
	if (fd < 0) {
		free(j);
		return fd;
	}
	err = ns_nsworker_shared(&w);
	if (!err)
		err = ns_nsworker_run(w, fd, audit_job, j, sizeof(*j), NULL, 2000);
	close(fd);
	if (!err)
		*out = j->out;
	free(j);
	return err;
}
