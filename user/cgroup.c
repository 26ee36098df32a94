// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include "cgroup.h"

struct ctr_hit {
	enum ns_runtime rt;
	char id[NS_CGROUP_ID_LEN + 1];
	char pod_uid[NS_CGROUP_POD_UID_LEN + 1];
};

static bool lower_hex(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
			return false;
	return true;
}

static bool starts(const char *p, size_t n, const char *pre)
{
	size_t k = strlen(pre);

	return n >= k && !memcmp(p, pre, k);
}

static bool ends(const char *p, size_t n, const char *suf)
{
	size_t k = strlen(suf);

	return n >= k && !memcmp(p + n - k, suf, k);
}

static bool eq(const char *p, size_t n, const char *s)
{
	return n == strlen(s) && !memcmp(p, s, n);
}

/*
 * Scope and directory names runtimes give a container's cgroup. The ID must
 * fill the middle exactly, so crio-conmon-<id> and libpod-conmon-<id> (the
 * monitor processes, in the host netns) never match.
 */
static const struct {
	const char *prefix, *suffix;
	enum ns_runtime rt;
} ctr_names[] = {
	{ "docker-", ".scope", NS_RT_DOCKER },
	{ "cri-containerd-", ".scope", NS_RT_CONTAINERD },
	{ "nerdctl-", ".scope", NS_RT_CONTAINERD },
	{ "crio-", ".scope", NS_RT_CRIO },
	{ "crio-", "", NS_RT_CRIO },		/* cgroupfs driver */
	{ "libpod-", ".scope", NS_RT_PODMAN },
	{ "libpod-", "", NS_RT_PODMAN },	/* cgroupfs driver: /libpod_parent/libpod-<id> */
};

/* The ID inside a named component, or NULL. */
static const char *named_id(const char *c, size_t n, enum ns_runtime *rt)
{
	size_t i, pre, suf;

	for (i = 0; i < sizeof(ctr_names) / sizeof(ctr_names[0]); i++) {
		pre = strlen(ctr_names[i].prefix);
		suf = strlen(ctr_names[i].suffix);
		if (n != pre + NS_CGROUP_ID_LEN + suf || !starts(c, n, ctr_names[i].prefix) ||
		    !ends(c, n, ctr_names[i].suffix) || !lower_hex(c + pre, NS_CGROUP_ID_LEN))
			continue;
		*rt = ctr_names[i].rt;
		return c + pre;
	}
	return NULL;
}

/*
 * A pod UID as the kubelet writes it: a UUID (dashes; underscores in systemd
 * slice names, where '-' separates levels) or, for static pods, 32 hex of a hash.
 */
static bool pod_uid(const char *p, size_t n, char out[NS_CGROUP_POD_UID_LEN + 1])
{
	size_t i;

	if (n == 32 && lower_hex(p, n)) {
		memcpy(out, p, n);
		out[n] = '\0';
		return true;
	}
	if (n != 36)
		return false;
	for (i = 0; i < n; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (p[i] != '-' && p[i] != '_')
				return false;
			out[i] = '-';
		} else if (lower_hex(p + i, 1)) {
			out[i] = p[i];
		} else {
			return false;
		}
	}
	out[n] = '\0';
	return true;
}

/* pod<uid> (cgroupfs) or ...-pod<uid>.slice (systemd, incl. kind's kubelet-kubepods-...). */
static bool pod_component(const char *c, size_t n, char out[NS_CGROUP_POD_UID_LEN + 1])
{
	size_t i;

	if (starts(c, n, "pod") && pod_uid(c + 3, n - 3, out))
		return true;
	if (!ends(c, n, ".slice"))
		return false;
	n -= strlen(".slice");
	for (i = 0; i + 4 <= n; i++)
		if (!memcmp(c + i, "-pod", 4) && pod_uid(c + i + 4, n - i - 4, out))
			return true;
	return false;
}

/* Walks one cgroup path; the last (innermost) container component wins. */
static bool path_container(const char *p, size_t n, struct ctr_hit *hit)
{
	char pod[NS_CGROUP_POD_UID_LEN + 1] = "";
	const char *prev = NULL, *end = p + n, *c, *id;
	size_t prevn = 0, cn;
	bool k8s = false, found = false;
	enum ns_runtime rt;

	while (p < end) {
		c = p;
		while (p < end && *p != '/')
			p++;
		cn = (size_t)(p - c);
		if (p < end)
			p++;
		/* "" from "//", "." and ".." from paths outside our cgroup namespace carry nothing */
		if (!cn || eq(c, cn, ".") || eq(c, cn, ".."))
			continue;
		if (starts(c, cn, "kubepods") || starts(c, cn, "kubelet-kubepods"))
			k8s = true;
		id = named_id(c, cn, &rt);
		if (!id && cn == NS_CGROUP_ID_LEN && lower_hex(c, cn)) {
			id = c;
			rt = (k8s && !(prev && eq(prev, prevn, "docker"))) ? NS_RT_UNKNOWN_K8S : NS_RT_DOCKER;
		}
		if (id) {
			hit->rt = rt;
			memcpy(hit->id, id, NS_CGROUP_ID_LEN);
			hit->id[NS_CGROUP_ID_LEN] = '\0';
			memcpy(hit->pod_uid, pod, sizeof(pod));
			found = true;
		} else if (pod_component(c, cn, pod)) {
			k8s = true;	/* also when "/.." hides the kubepods level */
		}
		prev = c;
		prevn = cn;
	}
	return found;
}

int ns_cgroup_parse(const char *content, size_t len, enum ns_runtime *rt, char id[65], char pod_uid_out[37])
{
	struct ctr_hit v2 = {}, v1 = {}, hit;
	bool have_v2 = false, have_v1 = false, any = false;
	const char *p = content, *end = content + len, *nl, *c1, *c2, *q;

	*rt = NS_RT_NONE;
	id[0] = '\0';
	pod_uid_out[0] = '\0';
	if (!content)
		return -EINVAL;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break;	/* truncated read: the kernel terminates every line */
		c1 = memchr(p, ':', (size_t)(nl - p));
		c2 = c1 ? memchr(c1 + 1, ':', (size_t)(nl - c1 - 1)) : NULL;
		/* hierarchy ID: decimal; path: absolute (it may itself hold ':') */
		if (!c2 || c1 == p || c2 + 1 >= nl || c2[1] != '/')
			goto next;
		for (q = p; q < c1 && *q >= '0' && *q <= '9'; q++)
			;
		if (q != c1)
			goto next;
		any = true;
		memset(&hit, 0, sizeof(hit));
		if (!path_container(c2 + 1, (size_t)(nl - c2 - 1), &hit))
			goto next;
		if (c1 - p == 1 && *p == '0' && c2 == c1 + 1) {
			if (!have_v2)
				v2 = hit;
			have_v2 = true;
		} else if (!have_v1) {
			v1 = hit;
			have_v1 = true;
		}
next:
		p = nl + 1;
	}
	if (!any)
		return -EINVAL;
	if (have_v2 || have_v1) {
		hit = have_v2 ? v2 : v1;
		*rt = hit.rt;
		memcpy(id, hit.id, sizeof(hit.id));
		memcpy(pod_uid_out, hit.pod_uid, sizeof(hit.pod_uid));
	}
	return 0;
}

const char *ns_runtime_name(enum ns_runtime rt)
{
	switch (rt) {
	case NS_RT_NONE:
		return "none";
	case NS_RT_DOCKER:
		return "docker";
	case NS_RT_CONTAINERD:
		return "containerd";
	case NS_RT_CRIO:
		return "crio";
	case NS_RT_PODMAN:
		return "podman";
	case NS_RT_UNKNOWN_K8S:
		return "kubernetes";
	}
	return "unknown";
}
