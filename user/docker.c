// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/un.h>
#include <time.h>
#include "docker.h"
#include "log.h"

#define CONNECT_TIMEOUT_MS 1000
#define REQUEST_TIMEOUT_MS 5000
/* The event stream has no total timeout, but the daemon must at least answer. */
#define STREAM_HEADER_TIMEOUT_MS 5000
/* A stream that ends sooner than this counts as a failure: no re-list loop. */
#define STREAM_MIN_LIFE_MS 1000
#define BACKOFF_MIN_MS 500u
#define BACKOFF_MAX_MS 5000u
/* Longest a wait lasts without looking at the stop flag (ns_docker_stop also wakes it). */
#define POLL_MS 200

#define VERSION_LIMIT (64u << 10)
#define LIST_LIMIT (16u << 20)
#define INSPECT_LIMIT (4u << 20)
#define EVENT_LINE_LIMIT (1u << 20)
/* What one curl_multi_perform may deliver before we get to split it into lines. */
#define EVENT_BUF_LIMIT (8u << 20)

/*
 * `since` is taken before the list: events from the last second before it
 * are replayed (a re-inspect too many is harmless, a missed start is not).
 */
#define SINCE_MARGIN_S 1

/* Only what changes a container's identity or addresses; exec and health events are noise. */
#define EVENTS_FILTER                                                                             \
	"{\"type\":[\"container\",\"network\"],"                                                  \
	"\"event\":[\"start\",\"die\",\"destroy\",\"rename\",\"connect\",\"disconnect\"]}"

struct body {
	char *p;
	size_t len, cap, limit;
	bool over;
};

struct ns_docker {
	char sock[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct ns_docker_ops ops;
	void *ctx;
	pthread_t thread;
	bool thread_started;
	atomic_bool stop;

	pthread_mutex_t lock;	/* api, up; the backoff sleep waits on cond */
	pthread_cond_t cond;
	char api[16];		/* negotiated version for paths; "" = unversioned */
	int up;			/* -1 not known yet, 0 down, 1 up */

	/* Docker thread only from here. Two multi handles: requests made while
	 * handling an event must not pump the event stream. */
	CURLM *mreq, *mstream;
	CURL *req, *ev;
	char *filter;		/* EVENTS_FILTER, URL-encoded */
	struct body body;	/* inspect replies */
	struct body evbuf;	/* event stream bytes not yet split into lines */
	size_t ev_partial;	/* bytes after the last newline in evbuf */
	bool ev_line_over;
	bool stream_ok;		/* the last event stream was answered with 200 */
	char why[256];		/* last failure, for availability() */
	char (*known)[NS_CTR_ID_LEN + 1];	/* reported by update(), not gone(): for reconcile */
	size_t nknown, capknown;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_res;

/* libcurl's global init is not to race with anything: once, before any handle. */
static void curl_init_once(void)
{
	curl_init_res = curl_global_init(CURL_GLOBAL_NOTHING);
}

static bool stopping(struct ns_docker *d)
{
	return atomic_load(&d->stop);
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static const char *errstr(int err, char *buf, size_t len)
{
	/* GNU strerror_r: thread-safe, returns the string to use */
	return strerror_r(err, buf, len);
}

static void body_reset(struct body *b, size_t limit)
{
	b->len = 0;
	b->limit = limit;
	b->over = false;
	if (b->p)
		b->p[0] = '\0';
}

static void body_free(struct body *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static bool body_append(struct body *b, const char *data, size_t n)
{
	if (n > b->limit - b->len) {
		b->over = true;
		return false;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p)
			return false;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return true;
}

static size_t body_write(char *data, size_t size, size_t nmemb, void *arg)
{
	/* returning less than given makes curl fail the transfer with CURLE_WRITE_ERROR */
	return body_append(arg, data, size * nmemb) ? size * nmemb : 0;
}

static size_t event_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct ns_docker *d = arg;
	size_t n = size * nmemb;
	const char *nl = memrchr(data, '\n', n);
	size_t partial = nl ? (size_t)(data + n - nl - 1) : d->ev_partial + n;

	if (partial > EVENT_LINE_LIMIT) {
		d->ev_line_over = true;
		return 0;
	}
	if (!body_append(&d->evbuf, data, n))
		return 0;
	d->ev_partial = partial;
	return n;
}

static int abort_on_stop(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return stopping(arg) ? 1 : 0;
}

static int setup(struct ns_docker *d, CURL *h, const char *api, const char *path, curl_write_callback fn,
		 void *data, long timeout_ms)
{
	char url[1024];

	if ((size_t)snprintf(url, sizeof(url), "http://localhost%s%s%s", api[0] ? "/v" : "", api, path) >=
	    sizeof(url))
		return -ENAMETOOLONG;
	curl_easy_reset(h);
	if (curl_easy_setopt(h, CURLOPT_URL, url) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, d->sock) != CURLE_OK)
		return -ENOMEM;
	/* from a thread: no signals (curl would use SIGALRM for DNS timeouts) */
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http");
	/* http_proxy in the environment must not redirect a unix-socket request */
	curl_easy_setopt(h, CURLOPT_PROXY, "");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, fn);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, data);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms && timeout_ms < CONNECT_TIMEOUT_MS ?
						       timeout_ms : (long)CONNECT_TIMEOUT_MS);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, abort_on_stop);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, d);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	return 0;
}

/* curl's verdict -> negative errno, with a sentence for availability() and logs. */
static int result_errno(struct ns_docker *d, CURL *h, CURLcode res, const struct body *b, const char *what,
			char *why, size_t whylen)
{
	long status = 0, oserr = 0;
	char eb[64];

	switch (res) {
	case CURLE_OK:
		break;
	case CURLE_WRITE_ERROR:
		if (b && b->over) {
			snprintf(why, whylen, "%s: reply larger than %zu bytes", what, b->limit);
			return -E2BIG;
		}
		snprintf(why, whylen, "%s: out of memory", what);
		return -ENOMEM;
	case CURLE_COULDNT_CONNECT:
		curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &oserr);
		if (oserr <= 0 || oserr > 4095)
			oserr = ECONNREFUSED;
		snprintf(why, whylen, "cannot connect to %s: %s", d->sock, errstr((int)oserr, eb, sizeof(eb)));
		return -(int)oserr;
	case CURLE_OPERATION_TIMEDOUT:
		snprintf(why, whylen, "%s: no answer in time", what);
		return -ETIMEDOUT;
	case CURLE_ABORTED_BY_CALLBACK:
		snprintf(why, whylen, "%s: stopped", what);
		return -ECANCELED;
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
		snprintf(why, whylen, "%s: connection lost (%s)", what, curl_easy_strerror(res));
		return -ECONNRESET;
	default:
		snprintf(why, whylen, "%s: %s", what, curl_easy_strerror(res));
		return -EIO;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (status == 200)
		return 0;
	snprintf(why, whylen, "%s: HTTP %ld", what, status);
	return status == 404 ? -ENOENT : -EIO;
}

/* One GET on the docker thread; wakes up for ns_docker_stop(). */
static int request(struct ns_docker *d, const char *path, size_t limit, struct body *b)
{
	CURLcode res = CURLE_ABORTED_BY_CALLBACK;
	bool done = false;
	CURLMsg *msg;
	int err, running, left;

	body_reset(b, limit);
	err = setup(d, d->req, d->api, path, body_write, b, REQUEST_TIMEOUT_MS);
	if (err)
		return err;
	if (curl_multi_add_handle(d->mreq, d->req) != CURLM_OK)
		return -ENOMEM;
	while (!done && !stopping(d)) {
		if (curl_multi_perform(d->mreq, &running) != CURLM_OK) {
			res = CURLE_FAILED_INIT;
			break;
		}
		while ((msg = curl_multi_info_read(d->mreq, &left))) {
			if (msg->msg == CURLMSG_DONE && msg->easy_handle == d->req) {
				res = msg->data.result;
				done = true;
			}
		}
		if (!done)
			curl_multi_poll(d->mreq, NULL, 0, POLL_MS, NULL);
	}
	err = result_errno(d, d->req, res, b, path, d->why, sizeof(d->why));
	curl_multi_remove_handle(d->mreq, d->req);
	return err;
}

static ssize_t known_find(const struct ns_docker *d, const char *id)
{
	size_t i;

	for (i = 0; i < d->nknown; i++)
		if (!strcmp(d->known[i], id))
			return (ssize_t)i;
	return -1;
}

static void known_add(struct ns_docker *d, const char *id)
{
	if (known_find(d, id) >= 0)
		return;
	if (d->nknown == d->capknown) {
		size_t cap = d->capknown ? d->capknown * 2 : 64;
		void *v = realloc(d->known, cap * sizeof(*d->known));

		if (!v)
			return;	/* reconcile may then miss a gone(); nothing worse */
		d->known = v;
		d->capknown = cap;
	}
	memcpy(d->known[d->nknown++], id, NS_CTR_ID_LEN + 1);
}

static void known_del(struct ns_docker *d, size_t i)
{
	if (i + 1 < d->nknown)
		memcpy(d->known[i], d->known[d->nknown - 1], NS_CTR_ID_LEN + 1);
	d->nknown--;
}

static void set_available(struct ns_docker *d, bool up, const char *why)
{
	bool changed;

	pthread_mutex_lock(&d->lock);
	changed = d->up != (int)up;
	d->up = up;
	pthread_mutex_unlock(&d->lock);
	if (!changed)
		return;
	if (up)
		ns_dbg("docker: API up on %s (v%s)", d->sock, d->api);
	else
		ns_dbg("docker: API down: %s", why);
	if (d->ops.availability)
		d->ops.availability(d->ctx, up, up ? "" : why);
}

/*
 * Inspect `id` and report it. -ENOENT: gone already (the caller decides
 * whether a gone() is due); -EINVAL: a reply we refuse, skipped; other
 * errors are the connection's.
 */
static int inspect_report(struct ns_docker *d, const char *id)
{
	struct ns_ctr_info info;
	char path[NS_CTR_ID_LEN + 32];
	int err;

	snprintf(path, sizeof(path), "/containers/%s/json", id);
	err = request(d, path, INSPECT_LIMIT, &d->body);
	if (err)
		return err;
	err = ns_docker_parse_inspect(d->body.p, d->body.len, &info);
	if (err == -E2BIG) {
		ns_dbg("docker: %.12s has more networks or ports than kept", id);
		err = 0;
	}
	if (!err && strcmp(info.id, id))
		err = -EINVAL;
	if (err) {
		ns_warn("docker: unusable inspect reply for %.12s (%d), skipped", id, err);
		return -EINVAL;
	}
	known_add(d, id);
	if (d->ops.update)
		d->ops.update(d->ctx, &info);
	return 0;
}

static void report_gone(struct ns_docker *d, const char *id)
{
	char copy[NS_CTR_ID_LEN + 1];
	ssize_t i = known_find(d, id);

	memcpy(copy, id, sizeof(copy));	/* `id` may point into known[] */
	if (i >= 0)
		known_del(d, (size_t)i);
	if (d->ops.gone)
		d->ops.gone(d->ctx, copy);
}

static int cmp_id(const void *a, const void *b)
{
	return strcmp(a, b);
}

/*
 * Version, list, inspect each, reconcile against what was reported before.
 * Sets *since for the event stream that follows.
 */
static int sync_all(struct ns_docker *d, struct timespec *since)
{
	char (*ids)[NS_CTR_ID_LEN + 1] = NULL;
	struct body list = {};
	size_t n = 0, cap = 256, i;
	char api[sizeof(d->api)];
	int err;

	pthread_mutex_lock(&d->lock);
	d->api[0] = '\0';	/* /version is the one unversioned request */
	pthread_mutex_unlock(&d->lock);
	err = request(d, "/version", VERSION_LIMIT, &d->body);
	if (err)
		goto cleanup;
	err = ns_docker_parse_version(d->body.p, d->body.len, api, sizeof(api));
	if (err) {
		snprintf(d->why, sizeof(d->why), "unusable reply to GET /version");
		goto cleanup;
	}
	pthread_mutex_lock(&d->lock);
	memcpy(d->api, api, sizeof(api));
	pthread_mutex_unlock(&d->lock);

	clock_gettime(CLOCK_REALTIME, since);
	since->tv_sec -= SINCE_MARGIN_S;
	err = request(d, "/containers/json", LIST_LIMIT, &list);
	if (err)
		goto cleanup;
	for (;;) {
		void *v = realloc(ids, cap * sizeof(*ids));

		if (!v) {
			err = -ENOMEM;
			goto cleanup;
		}
		ids = v;
		err = ns_docker_parse_list(list.p, list.len, ids, cap, &n);
		if (err != -E2BIG || n <= cap)
			break;
		cap = n;
	}
	if (err) {
		snprintf(d->why, sizeof(d->why), "unusable reply to GET /containers/json");
		goto cleanup;
	}
	body_free(&list);	/* up to 16 MiB: not kept across the stream */
	qsort(ids, n, sizeof(*ids), cmp_id);

	for (i = 0; i < n && !stopping(d); i++) {
		err = inspect_report(d, ids[i]);
		if (err == -ENOENT || err == -EINVAL)
			continue;	/* removed since the list: its destroy event is after `since` */
		if (err)
			goto cleanup;
	}
	/* Reported before, not running now: stopped (update) or removed meanwhile (gone). */
	for (i = d->nknown; i-- > 0 && !stopping(d);) {
		char id[NS_CTR_ID_LEN + 1];

		if (bsearch(d->known[i], ids, n, sizeof(*ids), cmp_id))
			continue;
		memcpy(id, d->known[i], sizeof(id));
		err = inspect_report(d, id);
		if (err == -ENOENT)
			report_gone(d, id);
		else if (err && err != -EINVAL)
			goto cleanup;
	}
	err = stopping(d) ? -ECANCELED : 0;
cleanup:
	free(ids);
	body_free(&list);
	return err;
}

static void handle_event(struct ns_docker *d, const char *line, size_t len)
{
	struct ns_docker_event ev;
	int err = ns_docker_parse_event(line, len, &ev);

	if (err) {
		ns_dbg("docker: unusable event (%d), skipped", err);
		return;
	}
	switch (ev.action) {
	case NS_DKR_START:
	case NS_DKR_RENAME:
	case NS_DKR_CONNECT:
	case NS_DKR_DIE:
		err = inspect_report(d, ev.id);
		/* -ENOENT: removed already, its destroy event follows */
		if (err && err != -ENOENT && err != -EINVAL && err != -ECANCELED)
			ns_dbg("docker: inspect %.12s after event: %s", ev.id, d->why);
		break;
	case NS_DKR_DESTROY:
		report_gone(d, ev.id);
		break;
	default:
		break;
	}
}

/* Hand every complete line to handle_event(); keep the partial one. */
static void drain_lines(struct ns_docker *d)
{
	size_t start = 0;
	char *nl;

	if (!d->evbuf.len)
		return;
	while (!stopping(d) && (nl = memchr(d->evbuf.p + start, '\n', d->evbuf.len - start))) {
		size_t n = (size_t)(nl - (d->evbuf.p + start));

		if (n)
			handle_event(d, d->evbuf.p + start, n);
		start += n + 1;
	}
	if (start) {
		memmove(d->evbuf.p, d->evbuf.p + start, d->evbuf.len - start + 1);
		d->evbuf.len -= start;
	}
}

/* Follow GET /events until it ends, fails or we stop; d->why says which. */
static int stream_events(struct ns_docker *d, const struct timespec *since)
{
	uint64_t t0 = mono_ms();
	CURLcode res = CURLE_ABORTED_BY_CALLBACK;
	bool done = false;
	long status = 0;
	char path[1024];
	CURLMsg *msg;
	int err, running, left;

	if ((size_t)snprintf(path, sizeof(path), "/events?since=%lld.%09ld&filters=%s", (long long)since->tv_sec,
			     since->tv_nsec, d->filter) >= sizeof(path))
		return -ENAMETOOLONG;
	body_reset(&d->evbuf, EVENT_BUF_LIMIT);
	d->ev_partial = 0;
	d->ev_line_over = false;
	err = setup(d, d->ev, d->api, path, event_write, d, 0);
	if (err)
		return err;
	if (curl_multi_add_handle(d->mstream, d->ev) != CURLM_OK)
		return -ENOMEM;
	while (!done && !stopping(d)) {
		if (curl_multi_perform(d->mstream, &running) != CURLM_OK) {
			res = CURLE_FAILED_INIT;
			break;
		}
		if (!status) {
			curl_easy_getinfo(d->ev, CURLINFO_RESPONSE_CODE, &status);
			if (status == 200) {
				d->stream_ok = true;
				set_available(d, true, "");
			}
		}
		if (status && status != 200)
			break;
		if (status == 200)
			drain_lines(d);
		while ((msg = curl_multi_info_read(d->mstream, &left))) {
			if (msg->msg == CURLMSG_DONE && msg->easy_handle == d->ev) {
				res = msg->data.result;
				done = true;
			}
		}
		if (!done && !status && mono_ms() - t0 > STREAM_HEADER_TIMEOUT_MS) {
			res = CURLE_OPERATION_TIMEDOUT;
			break;
		}
		if (!done)
			curl_multi_poll(d->mstream, NULL, 0, POLL_MS, NULL);
	}
	if (status && status != 200) {
		snprintf(d->why, sizeof(d->why), "GET /events: HTTP %ld", status);
		err = -EIO;
	} else if (d->ev_line_over) {
		snprintf(d->why, sizeof(d->why), "GET /events: a line over %u bytes", EVENT_LINE_LIMIT);
		err = -E2BIG;
	} else if (done && res == CURLE_OK) {
		snprintf(d->why, sizeof(d->why), "event stream ended");
		err = -ECONNRESET;
	} else {
		err = result_errno(d, d->ev, res, &d->evbuf, "GET /events", d->why, sizeof(d->why));
		if (!err)
			err = -ECONNRESET;
	}
	curl_multi_remove_handle(d->mstream, d->ev);
	return err;
}

static void sleep_ms(struct ns_docker *d, unsigned ms)
{
	struct timespec until;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&d->lock);
	while (!stopping(d) && pthread_cond_timedwait(&d->cond, &d->lock, &until) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&d->lock);
}

static void *docker_thread(void *arg)
{
	struct ns_docker *d = arg;
	unsigned backoff = BACKOFF_MIN_MS, young = 0;
	struct timespec since;
	uint64_t t0;

	while (!stopping(d)) {
		if (!sync_all(d, &since)) {
			t0 = mono_ms();
			d->stream_ok = false;
			stream_events(d, &since);	/* reports "up" once the stream answers */
			if (stopping(d))
				break;
			ns_dbg("docker: %s", d->why);
			if (d->stream_ok)
				backoff = BACKOFF_MIN_MS;
			/*
			 * dockerd stopping or restarting, or something closing idle
			 * streams: re-list at once; the API is only "down" if that
			 * fails. A stream that keeps dying young (an error status, a
			 * line over the limit) backs off like a failure.
			 */
			if (mono_ms() - t0 >= STREAM_MIN_LIFE_MS) {
				young = 0;
				continue;
			}
			if (young < 4)
				young++;
			if (backoff < (BACKOFF_MIN_MS << young))
				backoff = BACKOFF_MIN_MS << young;
			if (backoff > BACKOFF_MAX_MS)
				backoff = BACKOFF_MAX_MS;
		}
		if (stopping(d))
			break;
		set_available(d, false, d->why);
		sleep_ms(d, backoff);
		backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
	}
	return NULL;
}

void ns_docker_stop(struct ns_docker *d)
{
	if (!d)
		return;
	if (d->thread_started) {
		atomic_store(&d->stop, true);
		pthread_mutex_lock(&d->lock);
		pthread_cond_broadcast(&d->cond);
		pthread_mutex_unlock(&d->lock);
		/* makes a curl_multi_poll() in progress (or the next one) return at once */
		curl_multi_wakeup(d->mreq);
		curl_multi_wakeup(d->mstream);
		pthread_join(d->thread, NULL);
	}
	if (d->req)
		curl_easy_cleanup(d->req);
	if (d->ev)
		curl_easy_cleanup(d->ev);
	if (d->mreq)
		curl_multi_cleanup(d->mreq);
	if (d->mstream)
		curl_multi_cleanup(d->mstream);
	free(d->filter);
	body_free(&d->body);
	body_free(&d->evbuf);
	free(d->known);
	pthread_cond_destroy(&d->cond);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

int ns_docker_start(const char *sock_path, const struct ns_docker_ops *ops, void *ctx, struct ns_docker **out)
{
	struct ns_docker *d = NULL;
	pthread_condattr_t ca;
	sigset_t all, old;
	char *esc;
	int err;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!sock_path)
		sock_path = NS_DOCKER_DEFAULT_SOCK;
	if (!*sock_path)
		return -EINVAL;
	pthread_once(&curl_once, curl_init_once);
	if (curl_init_res != CURLE_OK)
		return -EIO;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	if (strlen(sock_path) >= sizeof(d->sock)) {
		free(d);
		return -ENAMETOOLONG;
	}
	memcpy(d->sock, sock_path, strlen(sock_path) + 1);
	if (ops)
		d->ops = *ops;
	d->ctx = ctx;
	d->up = -1;
	atomic_init(&d->stop, false);
	pthread_mutex_init(&d->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&d->cond, &ca);
	pthread_condattr_destroy(&ca);

	err = -ENOMEM;
	d->mreq = curl_multi_init();
	d->mstream = curl_multi_init();
	d->req = curl_easy_init();
	d->ev = curl_easy_init();
	if (!d->mreq || !d->mstream || !d->req || !d->ev)
		goto cleanup;
	esc = curl_easy_escape(d->req, EVENTS_FILTER, 0);
	if (!esc)
		goto cleanup;
	d->filter = strdup(esc);
	curl_free(esc);
	if (!d->filter)
		goto cleanup;

	/* Signals go to the caller's threads: its poll() must see the EINTR, not ours. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	err = -pthread_create(&d->thread, NULL, docker_thread, d);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		goto cleanup;
	d->thread_started = true;
	*out = d;
	return 0;
cleanup:
	ns_docker_stop(d);
	return err;
}

int ns_docker_inspect(struct ns_docker *d, const char *id_or_name, int timeout_ms, struct ns_ctr_info *out)
{
	struct body b = {};
	char api[sizeof(d->api)], path[1024], why[256];
	CURL *h = NULL;
	char *esc = NULL;
	CURLcode res;
	int up, err;

	if (!d || !id_or_name || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (*id_or_name == '/')
		id_or_name++;	/* "/web" as docker prints names */
	if (!*id_or_name || strlen(id_or_name) > 256)
		return -EINVAL;
	if (timeout_ms <= 0)
		timeout_ms = REQUEST_TIMEOUT_MS;
	pthread_mutex_lock(&d->lock);
	up = d->up;
	memcpy(api, d->api, sizeof(api));
	pthread_mutex_unlock(&d->lock);
	if (up == 0)
		return -ENOTCONN;

	err = -ENOMEM;
	h = curl_easy_init();
	if (!h)
		goto cleanup;
	esc = curl_easy_escape(h, id_or_name, 0);
	if (!esc)
		goto cleanup;
	snprintf(path, sizeof(path), "/containers/%s/json", esc);
	body_reset(&b, INSPECT_LIMIT);
	err = setup(d, h, api, path, body_write, &b, timeout_ms);
	if (err)
		goto cleanup;
	res = curl_easy_perform(h);
	err = result_errno(d, h, res, &b, "inspect", why, sizeof(why));
	if (err)
		goto cleanup;
	err = ns_docker_parse_inspect(b.p, b.len, out);
	if (err == -E2BIG)
		err = 0;
cleanup:
	curl_free(esc);
	if (h)
		curl_easy_cleanup(h);
	body_free(&b);
	return err;
}
