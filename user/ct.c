// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * conntrack INVALID detection (issue #4): the netfilter BPF program of
 * bpf/ct.bpf.c, and its links, one per network namespace and family.
 */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "ct.skel.h"
#include "ct.h"
#include "containers.h"
#include "feature.h"
#include "log.h"
#include "maps.h"
#include "rtnl.h"
#include "vec.h"

/*
 * Not in Debian 12's uapi headers or libbpf 1.1 (both predate Linux 6.4):
 * the values are ABI, from include/uapi/linux/bpf.h.
 */
#define NS_BPF_PROG_TYPE_NETFILTER 32
#define NS_BPF_NETFILTER 45
#define NS_NFPROTO_IPV4 2
#define NS_NFPROTO_IPV6 10
#define NS_NF_INET_PRE_ROUTING 0
/*
 * Right after conntrack (NF_IP_PRI_CONNTRACK, -200), before mangle (-150) and
 * NAT (-100): anywhere in between sees conntrack's verdict before NAT. The
 * kernel refuses a second BPF hook at a priority already taken by one
 * (-EBUSY, nf_hook_entries_grow()), so a `trace` next to a running agent, or
 * two agents, take the next free slot instead of losing the events.
 */
#define NS_CT_PRIORITY (-199)
#define NS_CT_PRIORITY_SLOTS 16

static const struct ns_hook ct_hooks[] = {
	{ "netfilter+kprobe", "PRE_ROUTING after conntrack, + conntrack's reason (nf_tcp_log_invalid)",
	  { "ct_invalid_nf", "ct_reason_kp" }, {}, NULL,
	  " (BPF netfilter programs need Linux 6.4+, the reason a kprobe)" },
	{ "netfilter", "PRE_ROUTING after conntrack (netfilter link per namespace)", { "ct_invalid_nf" }, {},
	  "no conntrack reason or window: needs a kprobe on nf_tcp_log_invalid", " (BPF netfilter programs need Linux 6.4+)" },
	{ "kprobe", "nf_tcp_log_invalid (conntrack's invalid-TCP path)", { "ct_reason_kp" }, {},
	  "TCP only (before Linux 6.4 there are no netfilter BPF programs)", NULL },
};

static const struct ns_source ct_sources[] = {
	{ "ct-invalid", "packets conntrack finds INVALID (they escape NAT)", ct_hooks,
	  sizeof(ct_hooks) / sizeof(ct_hooks[0]) },
};

NS_SKEL_OPS(ct)

static int ct_configure(void *skel, const void *cfgp, bool trial)
{
	const struct ns_bpf_cfg *cfg = cfgp;
	struct ct_bpf *s = skel;
	int err;

	/* libbpf 1.1 does not know SEC("netfilter") */
	err = bpf_program__set_type(s->progs.ct_invalid_nf, (enum bpf_prog_type)NS_BPF_PROG_TYPE_NETFILTER);
	if (!err)
		err = bpf_program__set_expected_attach_type(s->progs.ct_invalid_nf,
							    (enum bpf_attach_type)NS_BPF_NETFILTER);
	/* without the netfilter program, the kprobe reports INVALID packets itself */
	s->rodata->reason_emits = !bpf_program__autoload(s->progs.ct_invalid_nf);
	s->rodata->event_mask = cfg->event_mask;
	s->rodata->filter_netns = cfg->filter_netns;
	s->rodata->wakeup_bytes = cfg->wakeup_bytes;
	if (!err)
		err = bpf_map__set_max_entries(s->maps.events, trial ? (__u32)sysconf(_SC_PAGESIZE)
								   : (__u32)(cfg->ringbuf_bytes / 4 < 4096
										? 4096
										: cfg->ringbuf_bytes / 4));
	if (!err && trial)
		err = bpf_map__set_max_entries(s->maps.ct_counts, 1);
	if (!err && trial)
		err = bpf_map__set_max_entries(s->maps.netns_filter, 1);
	return err;
}

/* BPF_LINK_CREATE for a netfilter hook, in the calling thread's network namespace. */
static int nf_link_create(int prog_fd, unsigned pf)
{
	/* union bpf_attr's link_create, laid out as in Linux 6.4+ */
	struct {
		__u32 prog_fd;
		__u32 target_fd;
		__u32 attach_type;
		__u32 flags;
		__u32 pf;
		__u32 hooknum;
		__s32 priority;
		__u32 nf_flags;
		__u8 rest[128];
	} attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_fd = (__u32)prog_fd;
	attr.attach_type = NS_BPF_NETFILTER;
	attr.pf = pf;
	attr.hooknum = NS_NF_INET_PRE_ROUTING;
	for (int slot = 0; slot < NS_CT_PRIORITY_SLOTS; slot++) {
		attr.priority = NS_CT_PRIORITY + slot;
		fd = (int)syscall(__NR_bpf, BPF_LINK_CREATE, &attr, sizeof(attr));
		if (fd >= 0 || errno != EBUSY)
			break;
	}
	return fd < 0 ? -errno : fd;
}

static int ct_try_attach(struct bpf_program *p, char *msg, size_t len)
{
	int fd = nf_link_create(bpf_program__fd(p), NS_NFPROTO_IPV4);

	if (fd < 0) {
		snprintf(msg, len, "netfilter link: %s", strerror(-fd));
		return fd;
	}
	close(fd);
	return 0;
}

static bool ct_manual(const struct bpf_program *p)
{
	return !strcmp(bpf_program__name(p), "ct_invalid_nf");
}

static const struct ns_netns_map ct_netns_maps[] = {
	{ "ct_counts", offsetof(struct ct_count_key, netns) },
	{ NULL, 0 },
};

const struct ns_feature ns_ct_feature = {
	.name = "ct",
	.sources = ct_sources,
	.nr_sources = sizeof(ct_sources) / sizeof(ct_sources[0]),
	.open = ct_open,
	.object = ct_object,
	.destroy = ct_destroy,
	.configure = ct_configure,
	.has_events = true,
	.try_attach = ct_try_attach,
	.manual = ct_manual,
	.netns_maps = ct_netns_maps,
};

/* --- links, one per namespace and family --- */

struct ct_link_job {
	int prog_fd;
	int fd4, fd6;
	int err4, err6;
};

static int link_job(void *arg)
{
	struct ct_link_job *j = arg;

	j->fd4 = nf_link_create(j->prog_fd, NS_NFPROTO_IPV4);
	j->fd6 = nf_link_create(j->prog_fd, NS_NFPROTO_IPV6);
	j->err4 = j->fd4 < 0 ? j->fd4 : 0;
	j->err6 = j->fd6 < 0 ? j->fd6 : 0;
	return j->fd4 < 0 ? j->fd4 : 0;
}

static void link_job_discard(void *arg)
{
	struct ct_link_job *j = arg;

	if (j->fd4 >= 0)
		close(j->fd4);
	if (j->fd6 >= 0)
		close(j->fd6);
}

void ns_ct_links_init(struct ns_ct_links *l, const struct ns_loaded *ct)
{
	memset(l, 0, sizeof(*l));
	l->prog_fd = -1;
	if (ct && ct->skel)
		l->prog_fd = bpf_program__fd(((struct ct_bpf *)ct->skel)->progs.ct_invalid_nf);
}

void ns_ct_links_free(struct ns_ct_links *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++) {
		if (l->v[i].fd4 >= 0)
			close(l->v[i].fd4);
		if (l->v[i].fd6 >= 0)
			close(l->v[i].fd6);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
	l->prog_fd = -1;
}

static int link_ns(struct ns_ct_links *l, struct ns_ctr_table *t, uint32_t netns)
{
	struct ct_link_job j = { .prog_fd = l->prog_fd, .fd4 = -1, .fd6 = -1 };
	struct ns_nsworker *w;
	int fd, err;

	fd = ns_ctr_table_open_netns(t, netns);
	if (fd < 0)
		return fd;
	err = ns_nsworker_shared(&w);
	if (!err)
		err = ns_nsworker_run(w, fd, link_job, &j, sizeof(j), link_job_discard, 2000);
	close(fd);
	if (err) {
		link_job_discard(&j);
		return err;
	}
	if (NS_VEC_RESERVE(l->v, l->cap, l->n, 32, 0)) {
		link_job_discard(&j);
		return -ENOMEM;
	}
	l->v[l->n].netns = netns;
	l->v[l->n].fd4 = j.fd4;
	l->v[l->n].fd6 = j.fd6;	/* IPv6 may be off in a namespace: IPv4 still counts */
	l->n++;
	return 0;
}

int ns_ct_links_sync(struct ns_ct_links *l, struct ns_ctr_table *t)
{
	struct ns_nsinfo *nss = NULL;
	size_t nns = 0, i, k;
	int err, added = 0;

	if (l->prog_fd < 0)
		return 0;
	err = ns_ctr_table_namespaces(t, &nss, &nns);
	if (err)
		return err;
	/* gone namespaces: their links go (the kernel drops the hook with the netns anyway) */
	for (i = 0; i < l->n;) {
		bool alive = false;

		for (k = 0; k < nns && !alive; k++)
			alive = nss[k].netns == l->v[i].netns && nss[k].alive;
		if (alive) {
			i++;
			continue;
		}
		if (l->v[i].fd4 >= 0)
			close(l->v[i].fd4);
		if (l->v[i].fd6 >= 0)
			close(l->v[i].fd6);
		l->v[i] = l->v[--l->n];
	}
	for (k = 0; k < nns; k++) {
		bool have = false;

		if (!nss[k].alive)
			continue;
		for (i = 0; i < l->n && !have; i++)
			have = l->v[i].netns == nss[k].netns;
		if (have)
			continue;
		err = link_ns(l, t, nss[k].netns);
		if (err)
			ns_dbg("conntrack hook in netns %u: %s", nss[k].netns, strerror(-err));
		else
			added++;
	}
	free(nss);
	return added;
}

static int add_ct(void *ctx, const void *keyp, uint64_t sum)
{
	const struct ct_count_key *k = keyp;
	struct ns_ct_counts *c = ctx;

	if (NS_VEC_RESERVE(c->v, c->cap, c->n, 32, 0))
		return -ENOMEM;
	c->v[c->n].netns = k->netns;
	c->v[c->n].proto = k->proto;
	c->v[c->n].family = k->family;
	c->v[c->n].reason = k->reason;
	c->v[c->n].n = sum;
	c->n++;
	return 0;
}

int ns_ct_read_counts(const struct ns_loaded *l, struct ns_ct_counts *out)
{
	out->n = 0;
	return ns_map_sum_percpu(ns_find_map(l, "ct_counts"), add_ct, out);
}

uint64_t ns_ct_invalid_total(const struct ns_ct_counts *c, uint32_t netns)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->v[i].netns == netns)
			n += c->v[i].n;
	return n;
}

/* --- ctnetlink: the tracked flow behind an INVALID packet --- */

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

struct ct_lookup_job {
	int family;
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	struct ns_ct_flow out;
	int err;
};

static const char *const tcp_ct_states[] = {
	/* enum tcp_conntrack: uapi nf_conntrack_tcp.h */
	"NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE",
	"SYN_SENT2",
};

static int attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (type <= CTA_MAX)
		tb[type] = a;
	return MNL_CB_OK;
}

static void parse_reply_tuple(const struct nlattr *nest, struct ns_ct_flow *f, int family)
{
	const struct nlattr *tb[CTA_MAX + 1] = {}, *ip[CTA_MAX + 1] = {}, *pr[CTA_MAX + 1] = {};

	if (mnl_attr_parse_nested(nest, attr_cb, tb) < 0 || !tb[CTA_TUPLE_IP] || !tb[CTA_TUPLE_PROTO])
		return;
	if (mnl_attr_parse_nested(tb[CTA_TUPLE_IP], attr_cb, ip) < 0 ||
	    mnl_attr_parse_nested(tb[CTA_TUPLE_PROTO], attr_cb, pr) < 0)
		return;
	if (family == AF_INET && ip[CTA_IP_V4_SRC] && mnl_attr_get_payload_len(ip[CTA_IP_V4_SRC]) == 4)
		memcpy(f->target, mnl_attr_get_payload(ip[CTA_IP_V4_SRC]), 4);
	else if (family == AF_INET6 && ip[CTA_IP_V6_SRC] && mnl_attr_get_payload_len(ip[CTA_IP_V6_SRC]) == 16)
		memcpy(f->target, mnl_attr_get_payload(ip[CTA_IP_V6_SRC]), 16);
	else
		return;
	if (pr[CTA_PROTO_SRC_PORT] && mnl_attr_get_payload_len(pr[CTA_PROTO_SRC_PORT]) == 2)
		f->target_port = ntohs(mnl_attr_get_u16(pr[CTA_PROTO_SRC_PORT]));
	f->found = true;
}

static int ct_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CTA_MAX + 1] = {};
	struct ct_lookup_job *j = data;

	if (mnl_attr_parse(nlh, sizeof(struct nfgenmsg), attr_cb, tb) < 0)
		return MNL_CB_OK;
	if (tb[CTA_TUPLE_REPLY])
		parse_reply_tuple(tb[CTA_TUPLE_REPLY], &j->out, j->family);
	if (tb[CTA_PROTOINFO]) {
		const struct nlattr *pi[CTA_MAX + 1] = {}, *tcp[CTA_MAX + 1] = {};

		if (mnl_attr_parse_nested(tb[CTA_PROTOINFO], attr_cb, pi) >= 0 && pi[CTA_PROTOINFO_TCP] &&
		    mnl_attr_parse_nested(pi[CTA_PROTOINFO_TCP], attr_cb, tcp) >= 0 && tcp[CTA_PROTOINFO_TCP_STATE]) {
			uint8_t st = mnl_attr_get_u8(tcp[CTA_PROTOINFO_TCP_STATE]);

			snprintf(j->out.state, sizeof(j->out.state), "%s",
				 st < sizeof(tcp_ct_states) / sizeof(tcp_ct_states[0]) ? tcp_ct_states[st] : "?");
		}
	}
	return MNL_CB_OK;
}

/* Runs inside the namespace: IPCTNL_MSG_CT_GET for the original tuple. */
static int ct_lookup_job(void *arg)
{
	struct ct_lookup_job *j = arg;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlattr *orig, *ipn, *pn;
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;
	unsigned portid, seq = 1;
	int err = 0, n;

	nl = ns_nl_open(NETLINK_NETFILTER, &err);
	if (!nl)
		return j->err = err ? err : -EIO;
	portid = mnl_socket_get_portid(nl);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = (uint8_t)j->family;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	orig = mnl_attr_nest_start(nlh, CTA_TUPLE_ORIG);
	ipn = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	if (j->family == AF_INET) {
		mnl_attr_put(nlh, CTA_IP_V4_SRC, 4, j->src);
		mnl_attr_put(nlh, CTA_IP_V4_DST, 4, j->dst);
	} else {
		mnl_attr_put(nlh, CTA_IP_V6_SRC, 16, j->src);
		mnl_attr_put(nlh, CTA_IP_V6_DST, 16, j->dst);
	}
	mnl_attr_nest_end(nlh, ipn);
	pn = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, IPPROTO_TCP);
	mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(j->sport));
	mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(j->dport));
	mnl_attr_nest_end(nlh, pn);
	mnl_attr_nest_end(nlh, orig);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		err = -errno;
		goto cleanup;
	}
	/* the entry (if any), then the ACK or an error such as ENOENT */
	for (;;) {
		n = (int)mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
			break;
		}
		n = mnl_cb_run(buf, (size_t)n, seq, portid, ct_msg_cb, j);
		if (n <= MNL_CB_STOP) {
			err = n < 0 ? -errno : 0;
			break;
		}
	}
cleanup:
	mnl_socket_close(nl);
	j->err = j->out.found ? 0 : (err ? err : -ENOENT);
	return j->err;
}

int ns_ct_flow_lookup(struct ns_ctr_table *t, uint32_t netns, int family, const uint8_t *src, uint16_t sport,
		      const uint8_t *dst, uint16_t dport, struct ns_ct_flow *out)
{
	struct ct_lookup_job j = { .family = family, .sport = sport, .dport = dport };
	struct ns_nsworker *w;
	int fd, err;

	memset(out, 0, sizeof(*out));
	memcpy(j.src, src, family == AF_INET6 ? 16 : 4);
	memcpy(j.dst, dst, family == AF_INET6 ? 16 : 4);
	fd = ns_ctr_table_open_netns(t, netns);
	if (fd < 0)
		return fd;
	err = ns_nsworker_shared(&w);
	if (!err)
		err = ns_nsworker_run(w, fd, ct_lookup_job, &j, sizeof(j), NULL, 1000);
	close(fd);
	if (!err)
		*out = j.out;
	return err;
}

struct sysctl_job {
	char path[128];
	char value[32];
};

static int sysctl_job(void *arg)
{
	struct sysctl_job *j = arg;
	FILE *f = fopen(j->path, "re");
	bool ok;

	if (!f)
		return -errno;
	ok = fgets(j->value, sizeof(j->value), f) != NULL;
	fclose(f);
	j->value[strcspn(j->value, "\n")] = '\0';
	return ok ? 0 : -EIO;
}

int ns_netns_sysctl(struct ns_ctr_table *t, uint32_t netns, const char *path, char *out, size_t len)
{
	struct sysctl_job j;
	struct ns_nsworker *w;
	int fd, err;

	memset(&j, 0, sizeof(j));
	snprintf(j.path, sizeof(j.path), "%s", path);
	fd = ns_ctr_table_open_netns(t, netns);
	if (fd < 0)
		return fd;
	/* /proc/sys/net is the opener's namespace: read it from inside */
	err = ns_nsworker_shared(&w);
	if (!err)
		err = ns_nsworker_run(w, fd, sysctl_job, &j, sizeof(j), NULL, 1000);
	close(fd);
	if (!err)
		snprintf(out, len, "%s", j.value);
	return err;
}

void ns_ct_invalid_by_reason(const struct ns_ct_counts *c, uint32_t netns, uint64_t *out)
{
	size_t i;

	memset(out, 0, (NS_CT_R_OTHER + 1) * sizeof(*out));
	for (i = 0; i < c->n; i++)
		if (c->v[i].netns == netns)
			out[c->v[i].reason <= NS_CT_R_OTHER ? c->v[i].reason : NS_CT_R_OTHER] += c->v[i].n;
}
