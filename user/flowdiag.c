// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Exact sock_diag lookups of TCP sockets, inside a namespace through the nsworker (rtnl.h). */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include "flowdiag.h"
#include "rtnl.h"

#define TCP_LISTEN_STATE 10
#define TCP_TIME_WAIT_STATE 6

struct flowdiag_job {
	size_t n;
	struct ns_flowdiag_q q[NS_FLOWDIAG_BATCH];
	struct ns_flowdiag_res res[NS_FLOWDIAG_BATCH];
};

static bool same_tuple(const struct inet_diag_msg *m, const struct ns_flowdiag_q *q)
{
	size_t alen = q->family == AF_INET6 ? 16 : 4;

	/* an exact lookup falls back to a listener on the local port once the flow is gone */
	return ntohs(m->id.idiag_sport) == q->sport && ntohs(m->id.idiag_dport) == q->dport &&
	       !memcmp(m->id.idiag_src, q->saddr, alen) && !memcmp(m->id.idiag_dst, q->daddr, alen);
}

static void parse_reply(const struct nlmsghdr *nlh, const struct ns_flowdiag_q *q, struct ns_flowdiag_res *r)
{
	const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*m) || !same_tuple(m, q) || m->idiag_state == TCP_LISTEN_STATE ||
	    m->idiag_state == TCP_TIME_WAIT_STATE)
		return;
	r->found = true;
	r->state = m->idiag_state;
	mnl_attr_for_each(a, nlh, sizeof(*m)) {
		struct tcp_info ti;
		size_t len;

		if (mnl_attr_get_type(a) != INET_DIAG_INFO)
			continue;
		/* older kernels send a shorter tcp_info: what they lack stays 0 */
		memset(&ti, 0, sizeof(ti));
		len = mnl_attr_get_payload_len(a);
		memcpy(&ti, mnl_attr_get_payload(a), len < sizeof(ti) ? len : sizeof(ti));
		r->unacked = ti.tcpi_unacked;
		r->retransmits = ti.tcpi_retransmits;
		r->bytes_acked = ti.tcpi_bytes_acked;
		r->bytes_sent = ti.tcpi_bytes_sent;
		r->bytes_received = ti.tcpi_bytes_received;
	}
}

/* One exact request and its answer: a SOCK_DIAG_BY_FAMILY message, or an error (ENOENT: no such socket). */
static int lookup_one(struct mnl_socket *nl, char *buf, size_t buf_size, uint32_t seq, const struct ns_flowdiag_q *q,
		      struct ns_flowdiag_res *r)
{
	uint32_t portid = mnl_socket_get_portid(nl);
	struct inet_diag_req_v2 *req;
	struct nlmsghdr *nlh;
	ssize_t len;
	int tries;

	memset(r, 0, sizeof(*r));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = seq;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = (uint8_t)q->family;
	req->sdiag_protocol = IPPROTO_TCP;
	req->idiag_ext = 1 << (INET_DIAG_INFO - 1);
	req->idiag_states = ~0u;
	req->id.idiag_sport = htons(q->sport);
	req->id.idiag_dport = htons(q->dport);
	memcpy(req->id.idiag_src, q->saddr, q->family == AF_INET6 ? 16 : 4);
	memcpy(req->id.idiag_dst, q->daddr, q->family == AF_INET6 ? 16 : 4);
	req->id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
	req->id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	/* bounded: a stale answer to an earlier request (after a timeout) is skipped, at most a few */
	for (tries = 0; tries < 4; tries++) {
		const struct nlmsghdr *m;
		int left;

		len = mnl_socket_recvfrom(nl, buf, buf_size);
		if (len < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
		left = (int)len;
		for (m = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(m, left); m = mnl_nlmsg_next(m, &left)) {
			if (m->nlmsg_seq != seq || m->nlmsg_pid != portid)
				continue;
			if (m->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(m);

				if (mnl_nlmsg_get_payload_len(m) < sizeof(*e))
					return -EBADMSG;
				/* gone: ENOENT; a family the kernel lacks: the same for us */
				return e->error == -ENOENT || e->error == -EAFNOSUPPORT || !e->error ? 0 : e->error;
			}
			if (m->nlmsg_type == SOCK_DIAG_BY_FAMILY) {
				parse_reply(m, q, r);
				return 0;
			}
		}
	}
	return -EBADMSG;
}

int ns_flowdiag_lookup_here(const struct ns_flowdiag_q *q, struct ns_flowdiag_res *res, size_t n)
{
	uint32_t seq = (uint32_t)time(NULL);
	struct mnl_socket *nl;
	size_t i, bufsz = 8192;
	char *buf;
	int err = 0;

	if (n > NS_FLOWDIAG_BATCH)
		return -E2BIG;
	buf = malloc(bufsz);
	if (!buf)
		return -ENOMEM;
	nl = ns_nl_open(NETLINK_SOCK_DIAG, &err);
	if (!nl)
		goto cleanup;
	for (i = 0; i < n && !err; i++)
		err = lookup_one(nl, buf, bufsz, ++seq, &q[i], &res[i]);
	mnl_socket_close(nl);
cleanup:
	free(buf);
	return err;
}

static int job_fn(void *arg)
{
	struct flowdiag_job *j = arg;

	return ns_flowdiag_lookup_here(j->q, j->res, j->n);
}

int ns_flowdiag_lookup(struct ns_nsworker *w, int netns_fd, const struct ns_flowdiag_q *q, struct ns_flowdiag_res *res,
		       size_t n, int timeout_ms)
{
	struct flowdiag_job *j;
	int err;

	if (n > NS_FLOWDIAG_BATCH)
		return -E2BIG;
	if (!w && (err = ns_nsworker_shared(&w)))
		return err;
	j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	j->n = n;
	memcpy(j->q, q, n * sizeof(*q));
	err = ns_nsworker_run(w, netns_fd, job_fn, j, sizeof(*j), NULL, timeout_ms);
	if (!err)
		memcpy(res, j->res, n * sizeof(*res));
	free(j);
	return err;
}
