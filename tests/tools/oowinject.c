// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * oowinject: reproduce the conntrack-INVALID "connection reset by peer"
 * incident from inside a client network namespace (libc only, builds with
 * -static; the C equivalent of tests/integration/inject_oow.py).
 *
 *   oowinject IFACE DST DPORT COUNT [--ahead N] [--hold-ms N]
 *
 * Watches IFACE with a packet socket, connects a TCP socket to DST:DPORT
 * (IPv4), learns both initial sequence numbers from the SYN and SYN-ACK of
 * that connection (matched on the local port), then sends COUNT raw segments
 * on that exact 4-tuple: flags ACK, seq = iss_c + 1 + ahead + i * 100
 * (--ahead, default 1000000000; negative = behind the window), ack = iss_s + 1
 * (what the client expects next, so a RST answering them is acceptable to
 * it), window 502, 20 bytes of payload, 50 ms apart. Then waits on the TCP
 * socket up to --hold-ms (default 3000) and prints one line:
 *
 *   cport=N injected=N result=reset|eof|timeout|error:<what>
 *
 * Sends only to DST (an address of a namespace the test created). Every wait
 * is bounded. Exit status: 0 on a run (whatever the result), 1 on a setup
 * failure (the line still says why), 2 on bad arguments.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CONNECT_MS 3000	  /* connect() */
#define HANDSHAKE_MS 3000 /* seeing the SYN and SYN-ACK after connect() */
#define GAP_MS 50	  /* between injected segments */
#define PAYLOAD 20
#define WINDOW 502
#define MAX_COUNT 100000

#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_ACK 0x10

static const char *prog = "oowinject";
static long injected;
static unsigned int cport;

static void usage(void)
{
	fprintf(stderr, "usage: %s IFACE DST DPORT COUNT [--ahead N] [--hold-ms N]\n"
			"DST is an IPv4 literal; --ahead may be negative (behind the window).\n",
		prog);
	exit(2);
}

static long long parse_ll(const char *s, long long min, long long max)
{
	char *end;
	long long v;

	if (!s || !*s)
		usage();
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < min || v > max) {
		fprintf(stderr, "%s: bad number '%s'\n", prog, s);
		usage();
	}
	return v;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* poll() one fd until an event or the deadline; retries EINTR. */
static int poll_until(int fd, short events, long long deadline, short *revents)
{
	struct pollfd pfd = { .fd = fd, .events = events };

	for (;;) {
		long long left = deadline - now_ms();
		int r;

		if (left < 0)
			left = 0;
		r = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (r >= 0 || errno != EINTR) {
			if (revents)
				*revents = pfd.revents;
			return r;
		}
	}
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* The result line; setup failures say what failed. */
static int finish(const char *result, const char *detail, int rc)
{
	printf("cport=%u injected=%ld result=%s%s\n", cport, injected, result, detail ? detail : "");
	fflush(stdout);
	return rc;
}

static int fail(const char *what)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "%s: %s", what, strerror(errno));
	return finish("error:", buf, 1);
}

/* Internet checksum over a buffer, continuing from sum (host-order 32-bit accumulator). */
static uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len > 1) {
		sum += (uint32_t)p[0] << 8 | p[1];
		p += 2;
		len -= 2;
	}
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

struct tcphdr_raw {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t doff_res; /* data offset << 4 */
	uint8_t flags;
	uint16_t window, check, urg;
};

/*
 * Nonblocking connect with a deadline. 0: connected, fd in *fdp (nonblocking);
 * else -errno (-ETIMEDOUT on timeout).
 */
static int connect_to(const struct sockaddr_in *dst, int *fdp)
{
	int fd, err = 0, r;
	socklen_t elen = sizeof(err);

	*fdp = -1;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	*fdp = fd;
	if (connect(fd, (const struct sockaddr *)dst, sizeof(*dst)) == 0)
		return 0;
	if (errno != EINPROGRESS)
		return -errno;
	r = poll_until(fd, POLLOUT, now_ms() + CONNECT_MS, NULL);
	if (r < 0)
		return -errno;
	if (r == 0)
		return -ETIMEDOUT;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
		return -errno;
	return -err;
}

/*
 * Reads the packet socket until the SYN (local:cport -> dst:dport) and the
 * SYN-ACK (dst:dport -> local:cport) were both seen, or the deadline.
 */
static bool learn_iss(int pfd, const struct sockaddr_in *local, const struct sockaddr_in *dst,
		      uint32_t *iss_c, uint32_t *iss_s)
{
	long long deadline = now_ms() + HANDSHAKE_MS;
	bool syn = false, synack = false;
	unsigned char buf[2048];

	while (!(syn && synack)) {
		struct sockaddr_ll sll;
		socklen_t slen = sizeof(sll);
		const struct iphdr *ip = (const void *)buf;
		const struct tcphdr_raw *th;
		ssize_t n;
		size_t ihl;

		if (poll_until(pfd, POLLIN, deadline, NULL) <= 0)
			return false;
		n = recvfrom(pfd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&sll, &slen);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return false;
		}
		if (sll.sll_protocol != htons(ETH_P_IP) || (size_t)n < sizeof(*ip) || ip->version != 4 ||
		    ip->protocol != IPPROTO_TCP)
			continue;
		ihl = (size_t)ip->ihl * 4;
		if (ihl < sizeof(*ip) || (size_t)n < ihl + sizeof(*th))
			continue;
		th = (const void *)(buf + ihl);
		if ((th->flags & (TH_SYN | TH_ACK | TH_RST)) == TH_SYN && ip->saddr == local->sin_addr.s_addr &&
		    ip->daddr == dst->sin_addr.s_addr && th->sport == local->sin_port &&
		    th->dport == dst->sin_port) {
			*iss_c = ntohl(th->seq);
			syn = true;
		} else if ((th->flags & (TH_SYN | TH_ACK | TH_RST)) == (TH_SYN | TH_ACK) &&
			   ip->saddr == dst->sin_addr.s_addr && ip->daddr == local->sin_addr.s_addr &&
			   th->sport == dst->sin_port && th->dport == local->sin_port) {
			*iss_s = ntohl(th->seq);
			synack = true;
		}
	}
	return true;
}

/* One ACK segment with PAYLOAD bytes on the connection's 4-tuple, checksums computed here. */
static int send_segment(int rfd, const struct sockaddr_in *local, const struct sockaddr_in *dst, uint32_t seq,
			uint32_t ack, uint16_t id)
{
	unsigned char pkt[sizeof(struct iphdr) + sizeof(struct tcphdr_raw) + PAYLOAD];
	struct iphdr *ip = (void *)pkt;
	struct tcphdr_raw *th = (void *)(pkt + sizeof(*ip));
	unsigned char *data = pkt + sizeof(*ip) + sizeof(*th);
	struct {
		uint32_t saddr, daddr;
		uint8_t zero, proto;
		uint16_t len;
	} __attribute__((packed)) ph;
	uint32_t sum;

	memset(pkt, 0, sizeof(pkt));
	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons(sizeof(pkt));
	ip->id = htons(id);
	ip->ttl = 64;
	ip->protocol = IPPROTO_TCP;
	ip->saddr = local->sin_addr.s_addr;
	ip->daddr = dst->sin_addr.s_addr;
	ip->check = csum_fold(csum_add(0, ip, sizeof(*ip)));

	th->sport = local->sin_port;
	th->dport = dst->sin_port;
	th->seq = htonl(seq);
	th->ack = htonl(ack);
	th->doff_res = (sizeof(*th) / 4) << 4;
	th->flags = TH_ACK;
	th->window = htons(WINDOW);
	memset(data, 'x', PAYLOAD);

	ph.saddr = ip->saddr;
	ph.daddr = ip->daddr;
	ph.zero = 0;
	ph.proto = IPPROTO_TCP;
	ph.len = htons(sizeof(*th) + PAYLOAD);
	sum = csum_add(0, &ph, sizeof(ph));
	sum = csum_add(sum, th, sizeof(*th) + PAYLOAD);
	th->check = csum_fold(sum);

	if (sendto(rfd, pkt, sizeof(pkt), 0, (const struct sockaddr *)dst, sizeof(*dst)) != (ssize_t)sizeof(pkt))
		return -1;
	return 0;
}

/* What happens to the TCP connection within hold_ms. */
static int hold(int fd, long hold_ms)
{
	long long deadline = now_ms() + hold_ms;
	char buf[4096], err[160];

	for (;;) {
		ssize_t n;
		int r = poll_until(fd, POLLIN, deadline, NULL);

		if (r < 0)
			return fail("poll");
		if (r == 0)
			return finish("timeout", NULL, 0);
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0)
			return finish("eof", NULL, 0);
		if (n > 0)
			continue; /* data: discard, keep waiting */
		if (errno == EINTR || errno == EAGAIN)
			continue;
		if (errno == ECONNRESET)
			return finish("reset", NULL, 0);
		snprintf(err, sizeof(err), "%s", strerror(errno));
		return finish("error:", err, 0);
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in dst = { .sin_family = AF_INET }, local;
	socklen_t llen = sizeof(local);
	long long ahead = 1000000000LL, hold_ms = 3000, count;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	uint32_t iss_c = 0, iss_s = 0;
	unsigned int ifindex;
	int pfd, rfd, fd, r, a, one = 1;
	long i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 5 || (argc - 5) % 2)
		usage();
	ifindex = if_nametoindex(argv[1]);
	if (!ifindex) {
		fprintf(stderr, "%s: no interface '%s'\n", prog, argv[1]);
		usage();
	}
	if (inet_pton(AF_INET, argv[2], &dst.sin_addr) != 1) {
		fprintf(stderr, "%s: bad IPv4 address '%s'\n", prog, argv[2]);
		usage();
	}
	dst.sin_port = htons((uint16_t)parse_ll(argv[3], 1, 65535));
	count = parse_ll(argv[4], 0, MAX_COUNT);
	for (a = 5; a < argc; a += 2) {
		if (!strcmp(argv[a], "--ahead"))
			ahead = parse_ll(argv[a + 1], -(1LL << 32), 1LL << 32);
		else if (!strcmp(argv[a], "--hold-ms"))
			hold_ms = parse_ll(argv[a + 1], 0, 3600000);
		else
			usage();
	}

	/* Watch the interface (both directions: ETH_P_ALL taps see outgoing packets too) before connecting. */
	pfd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (pfd < 0)
		return fail("packet socket");
	sll.sll_ifindex = (int)ifindex;
	if (bind(pfd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		return fail("bind packet socket");
	rfd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (rfd < 0)
		return fail("raw socket");
	if (setsockopt(rfd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)) < 0)
		return fail("IP_HDRINCL");
	if (setsockopt(rfd, SOL_SOCKET, SO_BINDTODEVICE, argv[1], (socklen_t)strlen(argv[1]) + 1) < 0)
		return fail("SO_BINDTODEVICE");

	r = connect_to(&dst, &fd);
	if (fd >= 0 && getsockname(fd, (struct sockaddr *)&local, &llen) == 0)
		cport = ntohs(local.sin_port);
	if (r == -ECONNRESET)
		return finish("reset", " (before any injection)", 1);
	if (r < 0) {
		errno = -r;
		return fail("connect");
	}
	if (!learn_iss(pfd, &local, &dst, &iss_c, &iss_s))
		return finish("error:", "handshake not seen on the interface", 1);
	close(pfd);
	fprintf(stderr, "%s: %s:%u -> %s:%u iss_c=%u iss_s=%u\n", prog, inet_ntoa(local.sin_addr), cport, argv[2],
		ntohs(dst.sin_port), iss_c, iss_s);

	sleep_ms(300); /* like inject_oow.py: the connection settles (final ACK through conntrack) */
	for (i = 0; i < count; i++) {
		uint32_t seq = (uint32_t)((long long)iss_c + 1 + ahead + i * 100);

		if (i)
			sleep_ms(GAP_MS);
		if (send_segment(rfd, &local, &dst, seq, iss_s + 1, (uint16_t)(0x4f00 + i)) < 0)
			return fail("sendto");
		injected++;
	}
	close(rfd);
	return hold(fd, (long)hold_ms);
}
