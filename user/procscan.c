// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "procscan.h"
#include "vec.h"

/* Big enough for one getdents64 call to return a few thousand PIDs. */
#define DENTS_BUF (64 * 1024)
/* v1 hosts have ~13 lines; deep kind/kubepods paths run to ~300 bytes each. */
#define CGROUP_BUF (16 * 1024)

/* The kernel's record layout, so we do not depend on libc's struct dirent64. */
struct dent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

struct pid_ns {
	uint32_t netns;
	int pid;
};

struct pid_list {
	struct pid_ns *v;
	size_t n, cap;
	size_t denied;
	int err;
};

static int parse_pid(const char *s)
{
	long v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > INT_MAX)
			return -1;
	}
	return v > 0 ? (int)v : -1;
}

/*
 * fn(ctx, pid) for every PID directory, ascending (the order /proc lists
 * them in); fn returns nonzero to stop. getdents64 straight into one buffer:
 * opendir/readdir would add a copy of every entry for nothing.
 */
static int for_each_pid(int dfd, int (*fn)(void *ctx, int dfd, int pid), void *ctx)
{
	char *buf = malloc(DENTS_BUF);
	int err = 0, pid;
	long n, off;

	if (!buf)
		return -ENOMEM;
	if (lseek(dfd, 0, SEEK_SET) < 0) {
		err = -errno;
		goto cleanup;
	}
	for (;;) {
		n = syscall(SYS_getdents64, dfd, buf, DENTS_BUF);
		if (n < 0) {
			err = -errno;
			goto cleanup;
		}
		if (n == 0)
			break;
		for (off = 0; off < n;) {
			struct dent64 *d = (struct dent64 *)(buf + off);

			off += d->d_reclen;
			if (d->d_type != DT_DIR && d->d_type != DT_UNKNOWN)
				continue;
			pid = parse_pid(d->d_name);
			if (pid > 0 && fn(ctx, dfd, pid))
				goto cleanup;
		}
	}
cleanup:
	free(buf);
	return err;
}

/*
 * readlinkat() of the ns link ("net:[4026531840]") rather than fstatat():
 * same inode, half the cost (measured: 3.2 vs 6.2 us per process), as the
 * kernel only formats a name instead of resolving the nsfs dentry.
 */
static int netns_at(int dfd, const char *path, uint32_t *ino)
{
	char buf[64], *end;
	unsigned long v;
	ssize_t n;

	n = readlinkat(dfd, path, buf, sizeof(buf) - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	if (n < 7 || memcmp(buf, "net:[", 5) || buf[n - 1] != ']')
		return -EINVAL;
	errno = 0;
	v = strtoul(buf + 5, &end, 10);
	if (errno || end != buf + n - 1 || !v || v > UINT32_MAX)
		return -EINVAL;
	*ino = (uint32_t)v;
	return 0;
}

static int pid_netns(int dfd, int pid, uint32_t *ino)
{
	char path[32];

	snprintf(path, sizeof(path), "%d/ns/net", pid);
	return netns_at(dfd, path, ino);
}

/*
 * The PID's netns and container. Both are read through one fd on /proc/PID,
 * which stays bound to that process: if it exits and the number is reused,
 * reads fail instead of describing the newcomer. want_netns != 0: -ESRCH
 * unless the process (still) is in that namespace.
 */
static int pid_info(int dfd, int pid, uint32_t want_netns, struct ns_proc_netns *e)
{
	char name[16], buf[CGROUP_BUF];
	int pfd = -1, cfd = -1, err;
	size_t len = 0;
	ssize_t r;

	memset(e, 0, sizeof(*e));
	e->pid = pid;
	snprintf(name, sizeof(name), "%d", pid);
	pfd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pfd < 0)
		return -errno;
	err = netns_at(pfd, "ns/net", &e->netns);
	if (err)
		goto cleanup;
	if (want_netns && e->netns != want_netns) {
		err = -ESRCH;
		goto cleanup;
	}
	cfd = openat(pfd, "cgroup", O_RDONLY | O_CLOEXEC);
	if (cfd < 0) {
		err = -errno;
		goto cleanup;
	}
	while (len < sizeof(buf)) {
		r = read(cfd, buf + len, sizeof(buf) - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = -errno;
			goto cleanup;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	/* an over-long file is cut short; the parser drops the incomplete last line */
	if (ns_cgroup_parse(buf, len, &e->rt, e->id, e->pod_uid))
		e->rt = NS_RT_NONE;
cleanup:
	if (cfd >= 0)
		close(cfd);
	close(pfd);
	return err;
}

static int collect(void *ctx, int dfd, int pid)
{
	struct pid_list *l = ctx;
	uint32_t ino = 0;
	int err;

	err = pid_netns(dfd, pid, &ino);
	if (err) {
		/* gone since readdir (ENOENT, ESRCH), or not ours to look at */
		if (err == -EACCES || err == -EPERM)
			l->denied++;
		return 0;
	}
	if (NS_VEC_RESERVE(l->v, l->cap, l->n, 1024, 0)) {
		l->err = -ENOMEM;
		return 1;
	}
	l->v[l->n].netns = ino;
	l->v[l->n].pid = pid;
	l->n++;
	return 0;
}

static int cmp_pid_ns(const void *a, const void *b)
{
	const struct pid_ns *x = a, *y = b;

	if (x->netns != y->netns)
		return x->netns < y->netns ? -1 : 1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

/*
 * Owner of one namespace from its PIDs (ascending). The namespace of the
 * lowest visible PID (1; 2, kthreadd, when PID 1 hides from us) is the
 * host's: that PID alone answers, so host-network containers do not claim it
 * and 50k host processes do not all get their cgroup read.
 * -ESRCH: every one of them is gone.
 */
static int decide(int dfd, const struct pid_ns *p, size_t n, const struct pid_ns *host, struct ns_proc_netns *out)
{
	struct ns_proc_netns e;
	bool have = false;
	size_t k;

	if (host && p[0].netns == host->netns && !pid_info(dfd, host->pid, host->netns, out))
		return 0;
	for (k = 0; k < n; k++) {
		if (pid_info(dfd, p[k].pid, p[k].netns, &e))
			continue;
		if (e.id[0]) {
			*out = e;
			return 0;
		}
		if (!have)
			*out = e;
		have = true;
	}
	return have ? 0 : -ESRCH;
}

static int open_proc(const char *proc_root)
{
	int dfd = open(proc_root ? proc_root : "/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	return dfd < 0 ? -errno : dfd;
}

int ns_proc_scan(const char *proc_root, struct ns_proc_netns **v, size_t *n)
{
	struct ns_proc_netns *out = NULL;
	struct pid_list l = {};
	struct pid_ns host = {};
	size_t i, j, nout = 0, groups = 0;
	int dfd, err;

	*v = NULL;
	*n = 0;
	dfd = open_proc(proc_root);
	if (dfd < 0)
		return dfd;
	err = for_each_pid(dfd, collect, &l);
	if (!err)
		err = l.err;
	if (err)
		goto cleanup;
	if (!l.n && l.denied) {
		err = -EACCES;
		goto cleanup;
	}
	/* PIDs come ascending: the first one is the lowest visible */
	if (l.n)
		host = l.v[0];
	if (l.n)	/* qsort(NULL, 0) is undefined */
		qsort(l.v, l.n, sizeof(*l.v), cmp_pid_ns);
	for (i = 0; i < l.n; i++)
		groups += !i || l.v[i].netns != l.v[i - 1].netns;
	out = calloc(groups ? groups : 1, sizeof(*out));
	if (!out) {
		err = -ENOMEM;
		goto cleanup;
	}
	for (i = 0; i < l.n; i = j) {
		for (j = i + 1; j < l.n && l.v[j].netns == l.v[i].netns; j++)
			;
		if (!decide(dfd, &l.v[i], j - i, l.n ? &host : NULL, &out[nout]))
			nout++;
	}
	*v = out;
	*n = nout;
	out = NULL;
cleanup:
	free(out);
	free(l.v);
	close(dfd);
	return err;
}

int ns_proc_lookup_pid(const char *proc_root, int pid, struct ns_proc_netns *out)
{
	int dfd, err;

	if (pid <= 0)
		return -EINVAL;
	dfd = open_proc(proc_root);
	if (dfd < 0)
		return dfd;
	err = pid_info(dfd, pid, 0, out);
	close(dfd);
	return err;
}

struct find_ctx {
	uint32_t netns;
	bool host_seen, found, fallback;
	struct ns_proc_netns *out;
};

static int find_one(void *ctx, int dfd, int pid)
{
	struct find_ctx *f = ctx;
	struct ns_proc_netns e;
	uint32_t ino = 0;
	bool host;

	if (pid_netns(dfd, pid, &ino))
		return 0;
	/* as in the full scan: the lowest visible PID answers for the host namespace */
	host = !f->host_seen;
	f->host_seen = true;
	if (ino != f->netns || pid_info(dfd, pid, f->netns, &e))
		return 0;
	if (e.id[0] || host) {
		*f->out = e;
		f->found = true;
		return 1;	/* the lowest container PID: nothing later can beat it */
	}
	if (!f->fallback)
		*f->out = e;
	f->fallback = true;
	return 0;
}

int ns_proc_find_netns(const char *proc_root, uint32_t netns, struct ns_proc_netns *out)
{
	struct find_ctx f = { .netns = netns, .out = out };
	int dfd, err;

	if (!netns)
		return -EINVAL;
	dfd = open_proc(proc_root);
	if (dfd < 0)
		return dfd;
	err = for_each_pid(dfd, find_one, &f);
	if (!err && !f.found && !f.fallback)
		err = -ENOENT;
	close(dfd);
	return err;
}
