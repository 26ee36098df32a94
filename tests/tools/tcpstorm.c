// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tcpstorm: tiny TCP traffic generator for netsleuth tests (libc only, builds
 * with -static). Every loop is bounded in count and time.
 *
 *   tcpstorm connect ADDR PORT COUNT [--timeout-ms N]
 *       COUNT sequential connects (fresh socket each, closed at once).
 *       Prints: attempts=N refused=N connected=N timeout=N other=N
 *   tcpstorm serve ADDR PORT --count N [--timeout-ms N]
 *       Accept up to N connections, close each with SO_LINGER {1,0} (RST).
 *       Prints: accepted=N
 *   tcpstorm hold ADDR PORT --ms N
 *       Connect, then wait in recv() up to N ms.
 *       Prints: result=reset|eof|timeout|error:<strerror>
 *
 *   tcpstorm listen ADDR PORT --ms N [--max N]
 *       Accept connections (at most --max, default 1000) and keep them open,
 *       unread, for N ms; then close them all normally. Prints: accepted=N
 *   tcpstorm open ADDR PORT --count N --ms M
 *       Open N connections, keep them for M ms, close them normally (FIN).
 *       Prints: open=N failed=N
 *
 * Exit status: 0 on a run (whatever the outcome counts say), 1 on a setup
 * failure (socket/bind/listen), 2 on bad arguments.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* accept4, SOCK_NONBLOCK */
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char *prog = "tcpstorm";

static void usage(void)
{
	fprintf(stderr,
		"usage: %s connect ADDR PORT COUNT [--timeout-ms N]\n"
		"       %s serve ADDR PORT --count N [--timeout-ms N]\n"
		"       %s hold ADDR PORT --ms N\n"
		"       %s listen ADDR PORT --ms N [--max N]\n"
		"       %s open ADDR PORT --count N --ms M\n"
		"ADDR is an IPv4 or IPv6 literal.\n",
		prog, prog, prog, prog, prog);
	exit(2);
}

static long parse_num(const char *s, long min, long max)
{
	char *end;
	long v;

	if (!s || !*s)
		usage();
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max) {
		fprintf(stderr, "%s: bad number '%s'\n", prog, s);
		usage();
	}
	return v;
}

static void parse_addr(const char *addr, const char *port,
		       struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	long p = parse_num(port, 0, 65535);

	memset(ss, 0, sizeof(*ss));

	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((unsigned short)p);
		*len = sizeof(*sin);
	} else if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((unsigned short)p);
		*len = sizeof(*sin6);
	} else {
		fprintf(stderr, "%s: bad address '%s'\n", prog, addr);
		usage();
	}
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* poll() one fd until an event or the deadline; retries EINTR. */
static int poll_until(int fd, short events, long long deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };

	for (;;) {
		long long left = deadline - now_ms();
		int r;

		if (left < 0)
			left = 0;
		r = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (r >= 0 || errno != EINTR)
			return r;
	}
}

/*
 * Non-blocking connect with a timeout. Returns 0 when connected, -ETIMEDOUT
 * on timeout, or -errno. On success *fdp holds the (blocking again) socket.
 * -ECONNRESET means the handshake completed but a RST arrived before the
 * completion was observed (a RST to a SYN gives -ECONNREFUSED instead).
 */
static int connect_timeout(const struct sockaddr_storage *ss, socklen_t len,
			   long timeout_ms, int *fdp)
{
	int fd, err = 0, r;
	socklen_t elen = sizeof(err);

	*fdp = -1;
	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)ss, len) == 0)
		goto ok;
	if (errno != EINPROGRESS) {
		err = errno;
		close(fd);
		return -err;
	}
	r = poll_until(fd, POLLOUT, now_ms() + timeout_ms);
	if (r < 0) {
		err = errno;
		close(fd);
		return -err;
	}
	if (r == 0) {
		close(fd);
		return -ETIMEDOUT;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
		err = errno;
	if (err) {
		close(fd);
		return -err;
	}
ok:
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	*fdp = fd;
	return 0;
}

/*
 * One "--name N" option: its value is parsed into *val within [min, max]
 * (min >= 0). A required one's *val starts out negative and must be given.
 */
struct opt {
	const char *name;
	long min, max;
	long *val;
	bool required;
};

/* "--name N" pairs from argv[first] on; an unknown name, a missing value or a missing required option is a usage error. */
static void parse_opts(int argc, char **argv, int first, const struct opt *opts, size_t nopts)
{
	int a;
	size_t o;

	for (a = first; a < argc; a += 2) {
		if (a + 1 >= argc)
			usage();
		for (o = 0; o < nopts; o++)
			if (!strcmp(argv[a], opts[o].name))
				break;
		if (o == nopts)
			usage();
		*opts[o].val = parse_num(argv[a + 1], opts[o].min, opts[o].max);
	}
	for (o = 0; o < nopts; o++)
		if (opts[o].required && *opts[o].val < 0)
			usage();
}

/* "CMD ADDR PORT --name N ...": at least min_argc words, the address, then the options. */
static void parse_cmd(int argc, char **argv, int min_argc, struct sockaddr_storage *ss, socklen_t *len,
		      const struct opt *opts, size_t nopts)
{
	if (argc < min_argc)
		usage();
	parse_addr(argv[2], argv[3], ss, len);
	parse_opts(argc, argv, 4, opts, nopts);
}

/* A listening socket (SO_REUSEADDR, backlog 128) on ss; -1 after saying why. */
static int listen_on(const struct sockaddr_storage *ss, socklen_t len)
{
	int lfd, one = 1;

	lfd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0) {
		perror("tcpstorm: socket");
		return -1;
	}
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (const struct sockaddr *)ss, len) < 0 || listen(lfd, 128) < 0) {
		perror("tcpstorm: bind/listen");
		close(lfd);
		return -1;
	}
	return lfd;
}

/* Idle until the deadline, in slices of at most 100 ms. */
static void sleep_until(long long deadline)
{
	while (now_ms() < deadline)
		poll(NULL, 0, (int)(deadline - now_ms() > 100 ? 100 : deadline - now_ms()));
}

static void close_all(const int *fds, long n)
{
	long i;

	for (i = 0; i < n; i++)
		close(fds[i]);
}

static int cmd_connect(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;
	long count, timeout_ms = 2000, i;
	long refused = 0, connected = 0, timeouts = 0, other = 0;
	const struct opt opts[] = { { "--timeout-ms", 1, 3600000, &timeout_ms, false } };

	if (argc != 5 && argc != 7)
		usage();
	parse_addr(argv[2], argv[3], &ss, &len);
	count = parse_num(argv[4], 0, 100000000);
	parse_opts(argc, argv, 5, opts, sizeof(opts) / sizeof(opts[0]));
	for (i = 0; i < count; i++) {
		int fd, r = connect_timeout(&ss, len, timeout_ms, &fd);

		if (r == 0) {
			connected++;
			close(fd);
		} else if (r == -ECONNRESET) {
			/* Handshake done, then reset before we looked (serve). */
			connected++;
		} else if (r == -ECONNREFUSED) {
			refused++;
		} else if (r == -ETIMEDOUT) {
			timeouts++;
		} else {
			other++;
			if (other <= 3)
				fprintf(stderr, "%s: connect: %s\n", prog, strerror(-r));
		}
	}
	printf("attempts=%ld refused=%ld connected=%ld timeout=%ld other=%ld\n",
	       count, refused, connected, timeouts, other);
	fflush(stdout);
	return 0;
}

static int cmd_serve(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;
	long count = -1, timeout_ms = 10000, accepted = 0;
	long long deadline;
	int lfd;
	const struct opt opts[] = {
		{ "--count", 0, 100000000, &count, true },
		{ "--timeout-ms", 1, 3600000, &timeout_ms, false },
	};

	parse_cmd(argc, argv, 4, &ss, &len, opts, sizeof(opts) / sizeof(opts[0]));
	lfd = listen_on(&ss, len);
	if (lfd < 0)
		return 1;
	deadline = now_ms() + timeout_ms;
	while (accepted < count) {
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };
		int r = poll_until(lfd, POLLIN, deadline);
		int cfd;

		if (r <= 0)
			break; /* timeout or poll error */
		cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (cfd < 0) {
			if (errno == EINTR || errno == ECONNABORTED || errno == EAGAIN)
				continue;
			perror("tcpstorm: accept");
			break;
		}
		accepted++;
		setsockopt(cfd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(cfd); /* linger {1,0}: abortive close, sends RST */
	}
	close(lfd);
	printf("accepted=%ld\n", accepted);
	fflush(stdout);
	return 0;
}

static int cmd_hold(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;
	long ms;
	long long deadline;
	char buf[4096];
	int fd, r;

	if (argc != 6 || strcmp(argv[4], "--ms"))
		usage();
	parse_addr(argv[2], argv[3], &ss, &len);
	ms = parse_num(argv[5], 0, 3600000);
	deadline = now_ms() + ms;

	r = connect_timeout(&ss, len, ms > 0 ? ms : 1, &fd);
	if (r == -ETIMEDOUT) {
		printf("result=timeout\n");
		return 0;
	}
	if (r == -ECONNRESET) {
		/* Established, then reset before connect() was seen complete. */
		printf("result=reset\n");
		return 0;
	}
	if (r < 0) {
		printf("result=error:%s\n", strerror(-r));
		return 0;
	}
	for (;;) {
		ssize_t n;

		r = poll_until(fd, POLLIN, deadline);
		if (r < 0) {
			printf("result=error:%s\n", strerror(errno));
			break;
		}
		if (r == 0) {
			printf("result=timeout\n");
			break;
		}
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0) {
			printf("result=eof\n");
			break;
		}
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			if (errno == ECONNRESET)
				printf("result=reset\n");
			else
				printf("result=error:%s\n", strerror(errno));
			break;
		}
		/* Data received: discard and keep waiting until the deadline. */
	}
	fflush(stdout);
	close(fd);
	return 0;
}

#define MAX_HELD 1000

static int cmd_listen(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;
	long ms = -1, max = MAX_HELD, n = 0;
	long long deadline;
	int fds[MAX_HELD], lfd;
	const struct opt opts[] = {
		{ "--ms", 0, 3600000, &ms, true },
		{ "--max", 1, MAX_HELD, &max, false },
	};

	parse_cmd(argc, argv, 6, &ss, &len, opts, sizeof(opts) / sizeof(opts[0]));
	lfd = listen_on(&ss, len);
	if (lfd < 0)
		return 1;
	printf("listening\n");
	deadline = now_ms() + ms;
	while (n < max) {
		int r = poll_until(lfd, POLLIN, deadline), cfd;

		if (r <= 0)
			break;
		cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (cfd < 0)
			continue;
		fds[n++] = cfd;
	}
	/* keep what was accepted until the deadline: the test counts states meanwhile */
	sleep_until(deadline);
	close_all(fds, n);
	close(lfd);
	printf("accepted=%ld\n", n);
	return 0;
}

static int cmd_open(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;
	long count = -1, ms = -1, n = 0, failed = 0, i;
	long long deadline;
	int fds[MAX_HELD];
	const struct opt opts[] = {
		{ "--count", 1, MAX_HELD, &count, true },
		{ "--ms", 0, 3600000, &ms, true },
	};

	parse_cmd(argc, argv, 8, &ss, &len, opts, sizeof(opts) / sizeof(opts[0]));
	for (i = 0; i < count; i++) {
		int fd;

		if (connect_timeout(&ss, len, 2000, &fd) < 0)
			failed++;
		else
			fds[n++] = fd;
	}
	printf("open=%ld failed=%ld\n", n, failed);
	deadline = now_ms() + ms;
	sleep_until(deadline);
	close_all(fds, n);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "connect"))
		return cmd_connect(argc, argv);
	if (!strcmp(argv[1], "serve"))
		return cmd_serve(argc, argv);
	if (!strcmp(argv[1], "hold"))
		return cmd_hold(argc, argv);
	if (!strcmp(argv[1], "listen"))
		return cmd_listen(argc, argv);
	if (!strcmp(argv[1], "open"))
		return cmd_open(argc, argv);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		usage();
	fprintf(stderr, "%s: unknown command '%s'\n", prog, argv[1]);
	usage();
	return 2;
}
