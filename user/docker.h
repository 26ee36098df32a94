/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Docker Engine API client in a thread of its own: container list, inspect,
 * and the event stream, over the daemon's unix socket (libcurl).
 *
 * A hung or slow dockerd must never stall the caller, whose main loop drains
 * BPF ring buffers: all streaming and re-listing happens on the docker
 * thread, every request is bounded (connect 1 s, request 5 s, reply size),
 * and ns_docker_stop() interrupts whatever is in flight.
 */
#ifndef NETSLEUTH_DOCKER_H
#define NETSLEUTH_DOCKER_H

#include <stdbool.h>
#include "docker_parse.h"

#define NS_DOCKER_DEFAULT_SOCK "/var/run/docker.sock"

struct ns_docker;

/*
 * Called on the docker thread, one at a time, never with a lock of ours
 * held; they must not call ns_docker_stop() (it joins that thread). A
 * callback that blocks delays later events, nothing else.
 */
struct ns_docker_ops {
	/*
	 * Container seen or changed: initial list, start, rename, network
	 * connect/disconnect, die (running=false), and every reconnect.
	 * Called again for a container it already reported: treat as upsert.
	 */
	void (*update)(void *ctx, const struct ns_ctr_info *c);
	/* Destroyed. May name a container `update` never reported (it lived between two looks). */
	void (*gone)(void *ctx, const char *id);
	/*
	 * The API became reachable (up) or not; on every change, the first
	 * report included. `why` says what failed ("" when up).
	 */
	void (*availability)(void *ctx, bool up, const char *why);
};

/*
 * Start the thread; never waits for dockerd, which may come later (the
 * thread retries: 0.5 s doubling to 5 s). `sock_path` NULL means
 * NS_DOCKER_DEFAULT_SOCK. Any op may be NULL.
 */
int ns_docker_start(const char *sock_path, const struct ns_docker_ops *ops, void *ctx, struct ns_docker **out);

/* Interrupts any request and joins the thread (well under a second). Accepts NULL. */
void ns_docker_stop(struct ns_docker *d);

/*
 * Synchronous inspect by ID, ID prefix or name, from any thread, bounded by
 * `timeout_ms`: for events about a container the table has not heard of
 * yet. -ENOENT: no such container; -ENOTCONN: the docker thread currently
 * finds the API down (answered at once: it reconciles when the API is
 * back); -ETIMEDOUT, -ECONNREFUSED, -EIO, -EINVAL (bad reply). A container
 * with more networks or ports than fit is returned (0) with the first ones.
 * Not to be called during or after ns_docker_stop().
 */
int ns_docker_inspect(struct ns_docker *d, const char *id_or_name, int timeout_ms, struct ns_ctr_info *out);

#endif
