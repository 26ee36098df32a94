/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Network namespaces and who is in them, from /proc alone: netns inode of
 * every process, and the container ID (cgroup path) of one process per
 * namespace. No runtime API needed.
 *
 * Cost: one fstatat(PID/ns/net) per process, and /proc/PID/cgroup only for
 * the few processes that decide a namespace's owner. Processes that vanish
 * mid-scan are skipped; a PID reused meanwhile is caught (the cgroup is read
 * through the PID's directory fd after checking its netns again).
 * Processes we may not inspect (EACCES: not root) are skipped too.
 */
#ifndef NETSLEUTH_PROCSCAN_H
#define NETSLEUTH_PROCSCAN_H

#include <stddef.h>
#include <stdint.h>
#include "cgroup.h"

struct ns_proc_netns {
	uint32_t netns;		/* inode of PID/ns/net */
	int pid;
	enum ns_runtime rt;
	char id[65];		/* container ID, "" when none */
	char pod_uid[37];	/* kubepods pod UID, "" when none */
};

/*
 * One entry per network namespace found under proc_root (normally "/proc"),
 * sorted by netns inode. pid: the lowest PID in it that belongs to a
 * container, else its lowest PID. Exception: the namespace of PID 1 (the
 * host's, when proc_root shows the host's PIDs) is always reported with PID
 * 1 and PID 1's cgroup, so containers run with --network=host do not claim
 * the host namespace. Threads that setns()ed elsewhere are not seen: /proc/PID
 * shows the thread-group leader. *v is malloc()ed: free() it.
 * -ENOENT/-ENOTDIR: no proc_root; -EACCES: not one process could be inspected.
 */
int ns_proc_scan(const char *proc_root, struct ns_proc_netns **v, size_t *n);

/* That PID's netns and container. -ENOENT (or -ESRCH) when it is gone. */
int ns_proc_lookup_pid(const char *proc_root, int pid, struct ns_proc_netns *out);

/*
 * Same as the scan's entry for one netns inode, scanning only until it is
 * decided: for events from a namespace the table does not know yet. -ENOENT
 * when no process is in it (it may still be held by a bind mount or a socket).
 */
int ns_proc_find_netns(const char *proc_root, uint32_t netns, struct ns_proc_netns *out);

#endif
