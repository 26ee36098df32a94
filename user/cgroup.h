/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Which container a process is in, from the text of /proc/PID/cgroup. Pure
 * (libc only) and unit-tested against the path shapes runtimes produce: no
 * runtime API is needed, so this works for Docker, containerd, CRI-O and
 * podman alike, and before any API has answered.
 */
#ifndef NETSLEUTH_CGROUP_H
#define NETSLEUTH_CGROUP_H

#include <stddef.h>

enum ns_runtime {
	NS_RT_NONE = 0,		/* not in a container (host, init.scope, user sessions) */
	NS_RT_DOCKER,
	NS_RT_CONTAINERD,
	NS_RT_CRIO,
	NS_RT_PODMAN,
	NS_RT_UNKNOWN_K8S,	/* a bare ID under kubepods (cgroupfs driver): runtime not in the path */
};

#define NS_CGROUP_ID_LEN 64
#define NS_CGROUP_POD_UID_LEN 36

/*
 * Parse the content of /proc/PID/cgroup (cgroup v1 multi-line, v2 "0::/path"
 * or hybrid) and say which container, if any, the process is in.
 *
 * id: 64 lowercase hex, the innermost container on the path (docker-in-docker:
 * the inner one). pod_uid: the kubepods pod UID that encloses it, with dashes
 * ("" when none). Both are always written, "" when there is no container.
 *
 * The "0::" line wins when it names a container; otherwise the first v1 line
 * that does (hybrid hosts whose runtime only uses the v1 controllers).
 * Recognised components: docker-<id>.scope, cri-containerd-<id>.scope,
 * nerdctl-<id>.scope, crio-<id>[.scope], libpod-<id>[.scope], and a bare
 * <id> (cgroupfs driver: /docker/<id>, --cgroup-parent, kubepods, or "/../<id>"
 * seen from inside another cgroup namespace). crio-conmon- and libpod-conmon-
 * are the runtime's monitor, not the container. A bare ID outside kubepods is
 * reported as Docker, the runtime that makes such paths.
 *
 * Returns 0 (container or not), -EINVAL when no line has the
 * "hierarchy:controllers:/path" shape. The kernel ends every line with a
 * newline: an unterminated last line is a truncated read and is ignored.
 */
int ns_cgroup_parse(const char *content, size_t len, enum ns_runtime *rt, char id[65], char pod_uid[37]);

/* "docker", "containerd", "crio", "podman", "kubernetes", "none"; "unknown" out of range. */
const char *ns_runtime_name(enum ns_runtime rt);

#endif
