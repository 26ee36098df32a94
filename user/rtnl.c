// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include "rtnl.h"

/*
 * Threads abandoned after a timeout that have not finished yet, process-wide.
 * Past this many, runs fail with -EBUSY instead of starting yet another
 * thread that would block on the same kernel lock.
 */
#define NSW_MAX_STUCK 4
static atomic_int nsw_stuck;

/* Shared by the caller side and the thread; freed by whichever lets go last. */
struct nsw_thread {
	pthread_mutex_t m;
	pthread_cond_t cv;
	pthread_t tid;
	int refs;
	int home_fd;		/* the thread's own copy */
	bool quit, dead, job, done, orphan;
	/* the job */
	int ns_fd;		/* dup()ed for the thread, which closes it */
	int (*fn)(void *arg);
	void *arg;		/* the thread's copy of the caller's arg */
	void (*discard)(void *arg);
	int result;
};

struct ns_nsworker {
	pthread_mutex_t lock;	/* one job at a time */
	struct nsw_thread *t;	/* NULL until the first run, and after an abandonment */
	int home_fd;
};

static void nsw_put(struct nsw_thread *t)
{
	bool last;

	pthread_mutex_lock(&t->m);
	last = --t->refs == 0;
	pthread_mutex_unlock(&t->m);
	if (!last)
		return;
	pthread_cond_destroy(&t->cv);
	pthread_mutex_destroy(&t->m);
	free(t);
}

static int enter_and_run(struct nsw_thread *t, int ns_fd, int (*fn)(void *), void *arg, bool *lost)
{
	int r;

	if (ns_fd >= 0 && setns(ns_fd, CLONE_NEWNET))
		return -errno;
	r = fn(arg);
	/* back home, or this thread must not serve anyone again */
	if (ns_fd >= 0 && setns(t->home_fd, CLONE_NEWNET))
		*lost = true;
	return r;
}

static bool in_netns(int fd)
{
	struct stat a, b;

	return !fstat(fd, &a) && !stat("/proc/thread-self/ns/net", &b) && a.st_ino == b.st_ino &&
	       a.st_dev == b.st_dev;
}

static void *nsw_main(void *p)
{
	struct nsw_thread *t = p;
	bool lost = false, orphan = false;
	int r;

	/*
	 * A new thread starts in its creator's namespace, which need not be home
	 * (a caller's thread may have moved). Entering only when it differs keeps
	 * -1 working without CAP_SYS_ADMIN.
	 */
	if (!in_netns(t->home_fd) && setns(t->home_fd, CLONE_NEWNET))
		lost = true;
	pthread_mutex_lock(&t->m);
	while (!lost && !orphan) {
		while (!t->job && !t->quit)
			pthread_cond_wait(&t->cv, &t->m);
		if (!t->job)
			break;
		pthread_mutex_unlock(&t->m);
		r = enter_and_run(t, t->ns_fd, t->fn, t->arg, &lost);
		if (t->ns_fd >= 0)
			close(t->ns_fd);
		pthread_mutex_lock(&t->m);
		t->ns_fd = -1;
		t->result = r;
		t->job = false;
		t->done = true;
		orphan = t->orphan;
		pthread_cond_broadcast(&t->cv);
	}
	if (t->job) {	/* never got home: refuse what was handed to us meanwhile */
		if (t->ns_fd >= 0)
			close(t->ns_fd);
		t->ns_fd = -1;
		t->result = -EIO;
		t->job = false;
		t->done = true;
		pthread_cond_broadcast(&t->cv);
	}
	orphan = t->orphan;
	t->dead = true;
	pthread_mutex_unlock(&t->m);
	if (orphan) {
		if (t->discard)
			t->discard(t->arg);
		free(t->arg);
		atomic_fetch_sub(&nsw_stuck, 1);
	}
	close(t->home_fd);
	nsw_put(t);
	return NULL;
}

static int nsw_start(struct ns_nsworker *w, struct nsw_thread **out)
{
	struct nsw_thread *t = calloc(1, sizeof(*t));
	pthread_condattr_t ca;
	sigset_t all, old;
	int err;

	if (!t)
		return -ENOMEM;
	t->refs = 2;
	t->ns_fd = -1;
	t->home_fd = fcntl(w->home_fd, F_DUPFD_CLOEXEC, 0);
	if (t->home_fd < 0) {
		err = -errno;
		free(t);
		return err;
	}
	pthread_mutex_init(&t->m, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&t->cv, &ca);
	pthread_condattr_destroy(&ca);
	/* signals belong to the main loop, never to this thread */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = -pthread_create(&t->tid, NULL, nsw_main, t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!err)
		pthread_setname_np(t->tid, "ns-worker");	/* for top -H, gdb */
	if (err) {
		close(t->home_fd);
		pthread_cond_destroy(&t->cv);
		pthread_mutex_destroy(&t->m);
		free(t);
		return err;
	}
	*out = t;
	return 0;
}

/* Tell an idle or finished thread to exit and wait for it. */
static void nsw_stop(struct nsw_thread *t)
{
	pthread_mutex_lock(&t->m);
	t->quit = true;
	pthread_cond_broadcast(&t->cv);
	pthread_mutex_unlock(&t->m);
	pthread_join(t->tid, NULL);
	nsw_put(t);
}

int ns_nsworker_create(struct ns_nsworker **out)
{
	struct ns_nsworker *w = calloc(1, sizeof(*w));

	*out = NULL;
	if (!w)
		return -ENOMEM;
	/* the creating thread's namespace, which -1 and every return trip mean */
	w->home_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (w->home_fd < 0) {
		int err = -errno;

		free(w);
		return err;
	}
	pthread_mutex_init(&w->lock, NULL);
	*out = w;
	return 0;
}

void ns_nsworker_destroy(struct ns_nsworker *w)
{
	if (!w)
		return;
	if (w->t)
		nsw_stop(w->t);
	close(w->home_fd);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

static struct timespec deadline_after(clockid_t clk, int ms)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

int ns_nsworker_run(struct ns_nsworker *w, int netns_fd, int (*fn)(void *arg), void *arg, size_t arg_size,
		    void (*discard)(void *arg), int timeout_ms)
{
	struct timespec until;
	struct nsw_thread *t;
	void *copy = NULL;
	int err, ns_fd = -1;

	if (!w || !fn || timeout_ms <= 0)
		return -EINVAL;
	/*
	 * Waiting for another caller's job: timedlock takes CLOCK_REALTIME, so a
	 * clock step can shorten or stretch this part. clocklock(MONOTONIC)
	 * would not, but sanitizers do not know it yet. Our own job then gets
	 * the whole timeout again: the thread is idle by now, and cutting it
	 * short would abandon a healthy thread.
	 */
	until = deadline_after(CLOCK_REALTIME, timeout_ms);
	err = -pthread_mutex_timedlock(&w->lock, &until);
	if (err)
		return err;
	until = deadline_after(CLOCK_MONOTONIC, timeout_ms);
	if (w->t) {
		bool dead;

		pthread_mutex_lock(&w->t->m);
		dead = w->t->dead;
		pthread_mutex_unlock(&w->t->m);
		if (dead) {	/* could not get home after a job: replace it */
			pthread_join(w->t->tid, NULL);
			nsw_put(w->t);
			w->t = NULL;
		}
	}
	if (!w->t) {
		if (atomic_load(&nsw_stuck) >= NSW_MAX_STUCK) {
			err = -EBUSY;
			goto cleanup;
		}
		err = nsw_start(w, &w->t);
		if (err)
			goto cleanup;
	}
	t = w->t;
	copy = malloc(arg_size ? arg_size : 1);
	if (!copy) {
		err = -ENOMEM;
		goto cleanup;
	}
	memcpy(copy, arg, arg_size);
	/* our own fd: the caller may close its one as soon as we return, even on timeout */
	if (netns_fd >= 0) {
		ns_fd = fcntl(netns_fd, F_DUPFD_CLOEXEC, 0);
		if (ns_fd < 0) {
			err = -errno;
			goto cleanup;
		}
	}

	pthread_mutex_lock(&t->m);
	t->ns_fd = ns_fd;
	t->fn = fn;
	t->arg = copy;
	t->discard = discard;
	t->done = false;
	t->job = true;
	ns_fd = -1;
	pthread_cond_broadcast(&t->cv);
	while (!t->done && !pthread_cond_timedwait(&t->cv, &t->m, &until))
		;
	if (t->done) {
		memcpy(arg, copy, arg_size);
		err = t->result;
		t->arg = NULL;
		pthread_mutex_unlock(&t->m);
	} else {
		/* stuck in the kernel: the thread finishes on its own and frees its copy */
		t->orphan = true;
		copy = NULL;
		atomic_fetch_add(&nsw_stuck, 1);
		pthread_detach(t->tid);
		pthread_mutex_unlock(&t->m);
		nsw_put(t);
		w->t = NULL;
		err = -ETIMEDOUT;
	}
cleanup:
	if (ns_fd >= 0)
		close(ns_fd);
	free(copy);
	pthread_mutex_unlock(&w->lock);
	return err;
}

/* --- the process-wide worker --- */

static pthread_once_t shared_once = PTHREAD_ONCE_INIT;
static struct ns_nsworker *shared_worker;
static int shared_err;

static void shared_init(void)
{
	shared_err = ns_nsworker_create(&shared_worker);
}

int ns_nsworker_shared(struct ns_nsworker **w)
{
	pthread_once(&shared_once, shared_init);
	*w = shared_worker;
	return shared_err;
}

/* --- rtnetlink dumps, run inside the target namespace --- */

/* Big enough for the 32 KiB datagrams the kernel fills dumps with. */
#define DUMP_BUF (32 * 1024)
#define DUMP_RETRIES 3
/* One recv never waits longer: a dump that stalls this long is not coming. */
#define RECV_TIMEOUT_MS 2000

struct rtnl_job {
	struct ns_rtnl_acc acc;
	int family;		/* neighbour dumps only */
};

int ns_nl_dump(struct mnl_socket *nl, char *buf, size_t buf_size, const struct nlmsghdr *nlh, ns_nl_parse_fn parse,
	       void *ctx)
{
	uint32_t portid = mnl_socket_get_portid(nl), seq = nlh->nlmsg_seq;
	ssize_t n;
	int r;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(nl, buf, buf_size);
		if (n < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		r = parse(buf, (size_t)n, seq, portid, ctx);
	} while (r == 0);
	return r < 0 ? r : 0;
}

static int parse_rtnl(const void *buf, size_t len, uint32_t seq, uint32_t portid, void *acc)
{
	return ns_rtnl_parse_buf(buf, len, seq, portid, acc);
}

static int dump_one(struct mnl_socket *nl, char *buf, uint16_t type, uint32_t seq, struct ns_rtnl_acc *acc)
{
	struct nlmsghdr *nlh;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	if (type == RTM_GETLINK) {
		struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

		ifi->ifi_family = AF_UNSPEC;
	} else {
		struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));

		ifa->ifa_family = AF_UNSPEC;
	}
	return ns_nl_dump(nl, buf, DUMP_BUF, nlh, parse_rtnl, acc);
}

struct mnl_socket *ns_nl_open(int bus, int *err)
{
	struct timeval tv = { .tv_sec = RECV_TIMEOUT_MS / 1000, .tv_usec = (RECV_TIMEOUT_MS % 1000) * 1000 };
	struct mnl_socket *nl = mnl_socket_open2(bus, SOCK_CLOEXEC);

	if (!nl) {
		*err = -errno;
		return NULL;
	}
	if (setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		*err = -errno;
		mnl_socket_close(nl);
		return NULL;
	}
	return nl;
}

static int dump_links(struct mnl_socket *nl, char *buf, int unused, uint32_t seq, struct ns_rtnl_acc *acc)
{
	int err;

	(void)unused;
	err = dump_one(nl, buf, RTM_GETLINK, seq, acc);
	return err ? err : dump_one(nl, buf, RTM_GETADDR, seq + 1, acc);
}

/*
 * dump() on a fresh socket, again while the kernel flags the dump as
 * interrupted by a concurrent change (-EINTR), DUMP_RETRIES times at most: the
 * rest of an interrupted dump is still queued on the old socket. acc holds
 * the last try's result, or nothing on error.
 */
static int dump_retrying(char *buf, uint32_t *seq,
			 int (*dump)(struct mnl_socket *nl, char *buf, int arg, uint32_t seq, struct ns_rtnl_acc *acc),
			 int arg, struct ns_rtnl_acc *acc)
{
	struct mnl_socket *nl;
	int err = 0, try;

	for (try = 0; try < DUMP_RETRIES; try++) {
		ns_rtnl_acc_free(acc);
		nl = ns_nl_open(NETLINK_ROUTE, &err);
		if (!nl)
			break;
		err = dump(nl, buf, arg, *seq, acc);
		*seq += 2;
		mnl_socket_close(nl);
		if (err != -EINTR)
			break;
	}
	if (err)
		ns_rtnl_acc_free(acc);
	return err;
}

int ns_rtnl_dump_here(struct ns_rtnl_acc *acc)
{
	uint32_t seq = (uint32_t)time(NULL);
	char *buf;
	int err;

	memset(acc, 0, sizeof(*acc));
	buf = malloc(DUMP_BUF);
	if (!buf)
		return -ENOMEM;
	err = dump_retrying(buf, &seq, dump_links, 0, acc);
	free(buf);
	return err;
}

static int rtnl_job_fn(void *arg)
{
	return ns_rtnl_dump_here(&((struct rtnl_job *)arg)->acc);
}

static void rtnl_job_discard(void *arg)
{
	ns_rtnl_acc_free(&((struct rtnl_job *)arg)->acc);
}

int ns_rtnl_dump_w(struct ns_nsworker *w, int netns_fd, int timeout_ms, struct ns_link **links, size_t *nlinks,
		   struct ns_addr **addrs, size_t *naddrs)
{
	struct rtnl_job j = {};
	int err;

	*links = NULL;
	*addrs = NULL;
	*nlinks = *naddrs = 0;
	if (!w && (err = ns_nsworker_shared(&w)))
		return err;
	err = ns_nsworker_run(w, netns_fd, rtnl_job_fn, &j, sizeof(j), rtnl_job_discard, timeout_ms);
	if (err) {
		ns_rtnl_acc_free(&j.acc);
		return err;
	}
	*links = j.acc.links;
	*nlinks = j.acc.nlinks;
	*addrs = j.acc.addrs;
	*naddrs = j.acc.naddrs;
	return 0;
}

int ns_rtnl_dump(int netns_fd, struct ns_link **links, size_t *nlinks, struct ns_addr **addrs, size_t *naddrs)
{
	return ns_rtnl_dump_w(NULL, netns_fd, NS_NSWORKER_TIMEOUT_MS, links, nlinks, addrs, naddrs);
}

/* --- neighbour tables and forwarding databases --- */

static int dump_neigh(struct mnl_socket *nl, char *buf, int family, uint32_t seq, struct ns_rtnl_acc *acc)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ndmsg *ndm;

	nlh->nlmsg_type = RTM_GETNEIGH;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	/* exactly an ndmsg: a longer header makes the AF_BRIDGE handler read it as the legacy ifinfomsg */
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = (uint8_t)family;
	return ns_nl_dump(nl, buf, DUMP_BUF, nlh, parse_rtnl, acc);
}

int ns_rtnl_neigh_dump_here(int family, struct ns_rtnl_acc *acc)
{
	uint32_t seq = (uint32_t)time(NULL);
	char *buf;
	int err;

	memset(acc, 0, sizeof(*acc));
	if (family != AF_UNSPEC && family != AF_INET && family != AF_INET6 && family != AF_BRIDGE)
		return -EINVAL;
	buf = malloc(DUMP_BUF);
	if (!buf)
		return -ENOMEM;
	err = dump_retrying(buf, &seq, dump_neigh, family, acc);
	free(buf);
	return err;
}

static int neigh_job_fn(void *arg)
{
	struct rtnl_job *j = arg;

	return ns_rtnl_neigh_dump_here(j->family, &j->acc);
}

int ns_rtnl_neigh_dump_w(struct ns_nsworker *w, int netns_fd, int timeout_ms, int family, struct ns_neigh **v,
			 size_t *n)
{
	struct rtnl_job j = { .family = family };
	int err;

	*v = NULL;
	*n = 0;
	if (!w && (err = ns_nsworker_shared(&w)))
		return err;
	err = ns_nsworker_run(w, netns_fd, neigh_job_fn, &j, sizeof(j), rtnl_job_discard, timeout_ms);
	if (err) {
		ns_rtnl_acc_free(&j.acc);
		return err;
	}
	*v = j.acc.neighs;
	*n = j.acc.nneighs;
	j.acc.neighs = NULL;
	ns_rtnl_acc_free(&j.acc);	/* a neighbour dump has nothing else, but keep no leak if it did */
	return 0;
}

int ns_rtnl_neigh_dump(int netns_fd, int family, struct ns_neigh **v, size_t *n)
{
	return ns_rtnl_neigh_dump_w(NULL, netns_fd, NS_NSWORKER_TIMEOUT_MS, family, v, n);
}
