// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * /proc/PID/cgroup -> container, against the fixtures in
 * tests/unit/data/cgroup: expect.tsv says what each file must give. real_*
 * files were read from containers of a real dockerd; the others are the path
 * shapes of the other runtimes, drivers and hostile input.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "cgroup.h"
#include "ut.h"
#include "ut_data.h"

static int is_id_or_empty(const char *id)
{
	size_t i, n = strlen(id);

	if (!n)
		return 1;
	if (n != 64)
		return 0;
	for (i = 0; i < n; i++)
		if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
			return 0;
	return 1;
}

UT_TEST(cgroup_fixtures)
{
	char line[512], name[128], rts[32], want_id[80], want_pod[48], id[65], pod[37];
	char *buf;
	int want_rc, rc, checked = 0, real = 0;
	enum ns_runtime rt;
	size_t len;
	FILE *f;

	f = ut_open("cgroup", "expect.tsv", "r");
	UT_ASSERT(f);
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%127s %d %31s %79s %47s", name, &want_rc, rts, want_id, want_pod) != 5) {
			ut_fail(__FILE__, __LINE__, "bad expect.tsv line: %s", line);
			break;
		}
		buf = ut_load("cgroup", name, &len);
		if (!buf) {
			ut_fail(__FILE__, __LINE__, "missing fixture %s", name);
			break;
		}
		rc = ns_cgroup_parse(buf, len, &rt, id, pod);
		free(buf);
		if (rc != want_rc || strcmp(ns_runtime_name(rt), rts) ||
		    strcmp(id, strcmp(want_id, "-") ? want_id : "") ||
		    strcmp(pod, strcmp(want_pod, "-") ? want_pod : "")) {
			ut_fail(__FILE__, __LINE__, "%s: got rc=%d %s id=\"%s\" pod=\"%s\", want rc=%d %s %s %s", name,
				rc, ns_runtime_name(rt), id, pod, want_rc, rts, want_id, want_pod);
			break;
		}
		checked++;
		real += !strncmp(name, "real_", 5);
	}
	fclose(f);
	UT_ASSERT(checked >= 60);
	UT_ASSERT(real >= 1);
}

/* Every prefix of every fixture, and byte flips: no crash, output always well-formed. */
UT_TEST(cgroup_truncations_and_flips)
{
	static const char *const names[] = { "docker_v1_cgroupfs.txt", "k8s_v2_systemd_containerd.txt",
					     "kind_pod_v2.txt", "dind_v1_cgroupfs.txt", "podman_pod.txt",
					     "k8s_crio_cgroupfs.txt", "garbage.bin" };
	char id[65], pod[37];
	enum ns_runtime rt;
	unsigned seed = 12345;
	size_t i, k, len;
	char *buf;
	int rc;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		buf = ut_load("cgroup", names[i], &len);
		UT_ASSERT(buf);
		for (k = 0; k <= len; k++) {
			char *cut = malloc(k ? k : 1);	/* exact size: ASan sees any overread */

			UT_ASSERT(cut);
			memcpy(cut, buf, k);
			rc = ns_cgroup_parse(cut, k, &rt, id, pod);
			free(cut);
			UT_ASSERT(rc == 0 || rc == -EINVAL);
			UT_ASSERT(is_id_or_empty(id));
			UT_ASSERT(strlen(pod) <= 36);
			UT_ASSERT(rc == 0 || (rt == NS_RT_NONE && !id[0]));
		}
		for (k = 0; k < 2000 && len; k++) {
			seed = seed * 1103515245u + 12345u;
			buf[(seed >> 8) % len] = (char)(seed >> 20);
			rc = ns_cgroup_parse(buf, len, &rt, id, pod);
			UT_ASSERT(rc == 0 || rc == -EINVAL);
			UT_ASSERT(is_id_or_empty(id));
			UT_ASSERT((rt == NS_RT_NONE) == !id[0]);
		}
		free(buf);
	}
}

UT_TEST(cgroup_overlong_lines)
{
	const char *id64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	size_t n = 1 << 20, off = 0;
	char id[65], pod[37], *buf = malloc(n);
	enum ns_runtime rt;

	UT_ASSERT(buf);
	/* a 1 MiB path of short components, then the container */
	off += (size_t)snprintf(buf, n, "0::");
	while (off < n - 200) {
		memcpy(buf + off, "/ab", 3);
		off += 3;
	}
	off += (size_t)snprintf(buf + off, n - off, "/docker/%s\n", id64);
	UT_EQ_INT(ns_cgroup_parse(buf, off, &rt, id, pod), 0);
	UT_EQ_STR(id, id64);
	UT_EQ_INT(rt, NS_RT_DOCKER);
	/* one 1 MiB component: not an ID */
	memset(buf, 'a', n);
	memcpy(buf, "0::/", 4);
	buf[n - 1] = '\n';
	UT_EQ_INT(ns_cgroup_parse(buf, n, &rt, id, pod), 0);
	UT_EQ_STR(id, "");
	/* a pod slice name that only ends like one */
	off = (size_t)snprintf(buf, n, "0::/kubepods.slice/x-pod-pod.slice/cri-containerd-%s.scope\n", id64);
	UT_EQ_INT(ns_cgroup_parse(buf, off, &rt, id, pod), 0);
	UT_EQ_STR(id, id64);
	UT_EQ_STR(pod, "");
	UT_EQ_INT(rt, NS_RT_CONTAINERD);
	free(buf);
}

UT_TEST(cgroup_null_and_names)
{
	char id[65] = "x", pod[37] = "y";
	enum ns_runtime rt = NS_RT_DOCKER;

	UT_EQ_INT(ns_cgroup_parse(NULL, 10, &rt, id, pod), -EINVAL);
	UT_EQ_STR(id, "");
	UT_EQ_STR(pod, "");
	UT_EQ_INT(rt, NS_RT_NONE);
	UT_EQ_STR(ns_runtime_name(NS_RT_NONE), "none");
	UT_EQ_STR(ns_runtime_name(NS_RT_CRIO), "crio");
	UT_EQ_STR(ns_runtime_name((enum ns_runtime)99), "unknown");
}
