// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include "rtnl.h"
#include "sockdiag.h"

#define DUMP_BUF (32 * 1024)
#define DUMP_RETRIES 3
/*
 * States 1..11, what `ss -a` asks for. SYN_RECV makes the kernel add
 * request sockets (TCP_NEW_SYN_RECV); CLOSE finds nothing, as unconnected
 * sockets are only dumped for TCP_BOUND_INACTIVE (13), which we leave out.
 */
#define STATES_SS_ALL (((1u << 12) - 1) & ~1u)

/*
 * A TCP dump walks the whole established hash, which all namespaces share
 * unless net.ipv4.tcp_child_ehash_entries gives them their own: 262144
 * buckets on a 24 GiB machine, ~300 us per walk however few sockets the
 * namespace has. The old TCPDIAG_GETSOCK request walks it once for IPv4 and
 * IPv6 together (the kernel runs it as AF_UNSPEC); SOCK_DIAG_BY_FAMILY needs
 * one walk per family. So the old request first, the new one if a kernel
 * ever drops the old.
 */
static atomic_bool compat_gone;

struct diag_job {
	uint64_t counts[16];
};

struct diag_acc {
	uint64_t *counts;
	size_t bad;
};

static int parse_diag(const void *buf, size_t len, uint32_t seq, uint32_t portid, void *ctx)
{
	struct diag_acc *acc = ctx;

	return ns_sockdiag_parse_buf(buf, len, seq, portid, acc->counts, &acc->bad);
}

static int dump(struct mnl_socket *nl, char *buf, bool compat, uint8_t family, uint32_t seq, uint64_t counts[16])
{
	struct diag_acc acc = { .counts = counts };
	struct nlmsghdr *nlh;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	/* no extensions: ~90 bytes a socket, all we need is the state */
	if (compat) {
		struct inet_diag_req *req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));

		nlh->nlmsg_type = TCPDIAG_GETSOCK;
		req->idiag_family = AF_INET;
		req->idiag_states = STATES_SS_ALL;
	} else {
		struct inet_diag_req_v2 *req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));

		nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
		req->sdiag_family = family;
		req->sdiag_protocol = IPPROTO_TCP;
		req->idiag_states = STATES_SS_ALL;
	}
	return ns_nl_dump(nl, buf, DUMP_BUF, nlh, parse_diag, &acc);
}

static int dump_all(struct mnl_socket *nl, char *buf, uint32_t *seq, uint64_t counts[16])
{
	int err;

	if (!atomic_load(&compat_gone)) {
		err = dump(nl, buf, true, AF_UNSPEC, ++*seq, counts);
		if (err != -EINVAL && err != -ENOENT && err != -EOPNOTSUPP)
			return err;
		atomic_store(&compat_gone, true);
		memset(counts, 0, 16 * sizeof(counts[0]));
	}
	err = dump(nl, buf, false, AF_INET, ++*seq, counts);
	if (!err) {
		err = dump(nl, buf, false, AF_INET6, ++*seq, counts);
		if (err == -ENOENT)	/* kernel without IPv6 */
			err = 0;
	}
	return err;
}

int ns_sockdiag_tcp_states_here(uint64_t counts[16])
{
	uint32_t seq = (uint32_t)time(NULL);
	struct mnl_socket *nl;
	char *buf;
	int err = 0, try;

	memset(counts, 0, 16 * sizeof(counts[0]));
	buf = malloc(DUMP_BUF);
	if (!buf)
		return -ENOMEM;
	for (try = 0; try < DUMP_RETRIES; try++) {
		memset(counts, 0, 16 * sizeof(counts[0]));
		/* a fresh socket each try: the rest of an interrupted dump is still queued on the old one */
		nl = ns_nl_open(NETLINK_SOCK_DIAG, &err);
		if (!nl)
			break;
		err = dump_all(nl, buf, &seq, counts);
		mnl_socket_close(nl);
		if (err != -EINTR)
			break;
	}
	if (err)
		memset(counts, 0, 16 * sizeof(counts[0]));
	free(buf);
	return err;
}

static int diag_job_fn(void *arg)
{
	return ns_sockdiag_tcp_states_here(((struct diag_job *)arg)->counts);
}

int ns_sockdiag_tcp_states_w(struct ns_nsworker *w, int netns_fd, int timeout_ms, uint64_t counts[16])
{
	struct diag_job j = {};
	int err;

	memset(counts, 0, 16 * sizeof(counts[0]));
	if (!w && (err = ns_nsworker_shared(&w)))
		return err;
	err = ns_nsworker_run(w, netns_fd, diag_job_fn, &j, sizeof(j), NULL, timeout_ms);
	if (!err)
		memcpy(counts, j.counts, sizeof(j.counts));
	return err;
}

int ns_sockdiag_tcp_states(int netns_fd, uint64_t counts[16])
{
	return ns_sockdiag_tcp_states_w(NULL, netns_fd, NS_NSWORKER_TIMEOUT_MS, counts);
}
