// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * l2flap: make a bridge see one MAC move between two of its ports (libc only,
 * builds with -static; the C twin of tests/integration/l2send.py's
 * `alternate` mode, for the qemu guests that have no Python).
 *
 *   l2flap alternate MAC N IF1 IF2
 *
 * Sends N raw Ethernet frames with source MAC, alternately on IF1 and IF2
 * (IF1 first), 5 ms apart. Run it in the namespace holding the far ends of
 * two veth ports of a bridge: the bridge learns MAC on one port, then sees it
 * move N - 1 times. The frames are l2send.py's: destination 02:00:5e:00:ff:ff
 * (unknown unicast: flooded, never learned), ethertype 0x88b5 (IEEE 802
 * local experimental: nothing on the path parses it), a 46-byte payload
 * ("netsleuth-fdb-test" padded with zeros).
 *
 * Prints `sent=N` and exits 0 when every frame went out; 1 on a failure (the
 * message says what failed), 2 on bad arguments.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define GAP_MS 5	     /* between frames, as l2send.py */
#define ETH_P_LOCAL_EXP 0x88b5 /* IEEE 802 local experimental */
#define PAYLOAD 46	     /* the minimum Ethernet payload: no padding left to the driver */
#define MAX_COUNT 1000000

static const char *prog = "l2flap";
static const uint8_t dst_mac[ETH_ALEN] = { 0x02, 0x00, 0x5e, 0x00, 0xff, 0xff };

static void usage(void)
{
	fprintf(stderr, "usage: %s alternate MAC N IF1 IF2\n"
			"N frames from MAC, alternately on IF1 and IF2, %d ms apart.\n",
		prog, GAP_MS);
	exit(2);
}

static int parse_mac(const char *s, uint8_t mac[ETH_ALEN])
{
	unsigned int b[ETH_ALEN];
	char tail;
	int i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != ETH_ALEN)
		return -EINVAL;
	for (i = 0; i < ETH_ALEN; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * A raw packet socket bound to one interface: what we write is the whole
 * frame, so the source MAC is ours to choose (not the interface's).
 * Returns the fd or -errno.
 */
static int open_port(const char *ifname)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	unsigned int ifindex = if_nametoindex(ifname);
	int fd, err;

	if (!ifindex)
		return -errno;
	/* protocol 0: send only; nothing is queued for us to read */
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	sll.sll_ifindex = (int)ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* Sends the n frames; *sent counts those that went out. 0 or -errno. */
static int alternate(const uint8_t src[ETH_ALEN], long n, const char *if1, const char *if2, long *sent)
{
	uint8_t frame[ETH_HLEN + PAYLOAD];
	struct ethhdr *eth = (struct ethhdr *)frame;
	int fds[2] = { -1, -1 };
	int err = 0;
	long i;

	memset(frame, 0, sizeof(frame));
	memcpy(eth->h_dest, dst_mac, ETH_ALEN);
	memcpy(eth->h_source, src, ETH_ALEN);
	eth->h_proto = htons(ETH_P_LOCAL_EXP);
	memcpy(frame + ETH_HLEN, "netsleuth-fdb-test", strlen("netsleuth-fdb-test"));

	/* both sockets before the first frame: a missing port fails before anything is learned */
	fds[0] = open_port(if1);
	if (fds[0] < 0) {
		err = fds[0];
		fprintf(stderr, "%s: %s: %s\n", prog, if1, strerror(-err));
		goto out;
	}
	fds[1] = open_port(if2);
	if (fds[1] < 0) {
		err = fds[1];
		fprintf(stderr, "%s: %s: %s\n", prog, if2, strerror(-err));
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (i)
			/* the bridge learns in the sender's softirq; a pause keeps the order beyond doubt */
			sleep_ms(GAP_MS);
		if (send(fds[i % 2], frame, sizeof(frame), 0) != (ssize_t)sizeof(frame)) {
			err = errno ? -errno : -EIO;
			fprintf(stderr, "%s: send on %s (frame %ld): %s\n", prog, i % 2 ? if2 : if1, i + 1,
				strerror(-err));
			goto out;
		}
		(*sent)++;
	}
out:
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	return err;
}

int main(int argc, char **argv)
{
	uint8_t src[ETH_ALEN];
	long n, sent = 0;
	char *end;
	int err;

	if (argc != 6 || strcmp(argv[1], "alternate"))
		usage();
	if (parse_mac(argv[2], src) < 0) {
		fprintf(stderr, "%s: bad MAC '%s'\n", prog, argv[2]);
		usage();
	}
	/* a multicast source is never learned: the test would wait for nothing */
	if (src[0] & 1) {
		fprintf(stderr, "%s: '%s' is a multicast address: bridges do not learn it\n", prog, argv[2]);
		usage();
	}
	errno = 0;
	n = strtol(argv[3], &end, 10);
	if (errno || !*argv[3] || *end || n < 0 || n > MAX_COUNT) {
		fprintf(stderr, "%s: bad count '%s'\n", prog, argv[3]);
		usage();
	}
	err = alternate(src, n, argv[4], argv[5], &sent);
	printf("sent=%ld\n", sent);
	return err ? 1 : 0;
}
