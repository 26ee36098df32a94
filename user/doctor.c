// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * `netsleuth doctor`: what this kernel lets netsleuth see, decided by trying
 * every hook for real, plus the host settings that matter for the failures
 * netsleuth diagnoses. Exit status: 0 full, 1 degraded or a host PROBLEM
 * (overlay audit), 2 cannot run.
 */
#include <errno.h>
#include <getopt.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "cmd.h"
#include "events.h"
#include "log.h"
#include "containers.h"
#include "netns.h"
#include "nfaudit.h"
#include "overlay.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static bool have_cap(const struct __user_cap_data_struct d[2], int cap)
{
	return d[cap / 32].effective & (1u << (cap % 32));
}

/* Reads a one-line sysctl; false when absent (module not loaded, other netns). */
static bool read_sysctl(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

/*
 * bpf/ns_common.bpf.h reads the preempt count through typeless ksyms that
 * libbpf resolves from /proc/kallsyms: say whether that will work.
 */
static bool kallsyms_has_preempt_count(void)
{
	bool offset = false, count = false;
	char buf[512], sym[256], type;
	unsigned long long addr;
	FILE *f = fopen("/proc/kallsyms", "re");

	if (!f)
		return false;
	while (fgets(buf, sizeof(buf), f) && !(offset && count)) {
		if (sscanf(buf, "%llx %c %255s", &addr, &type, sym) != 3 || !addr)
			continue;
		if (!strcmp(sym, "__per_cpu_offset"))
			offset = true;
		else if (!strcmp(sym, "__preempt_count") || !strcmp(sym, "pcpu_hot"))
			count = true;
	}
	fclose(f);
	return offset && count;
}

static void line(const char *key, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void line(const char *key, const char *fmt, ...)
{
	va_list ap;

	printf("  %-22s ", key);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void conntrack_facts(void)
{
	char max[32], count[32], liberal[32], loose[32];
	uint32_t self = 0, host = 0;

	printf("\nConntrack (this process's network namespace):\n");
	if (!ns_netns_inode_of("/proc/self/ns/net", &self) && !ns_netns_inode_of("/proc/1/ns/net", &host) &&
	    self != host)
		line("note", "not the host's namespace (inode %u vs PID 1's %u): run with the host network", self,
		     host);
	if (!read_sysctl("/proc/sys/net/netfilter/nf_conntrack_max", max, sizeof(max))) {
		line("nf_conntrack", "not loaded (no NAT or conntrack rules yet): nothing to audit");
		return;
	}
	if (read_sysctl("/proc/sys/net/netfilter/nf_conntrack_count", count, sizeof(count))) {
		long c = strtol(count, NULL, 10), m = strtol(max, NULL, 10);

		line("table", "%s of %s entries (%ld%%)%s", count, max, m > 0 ? c * 100 / m : 0,
		     m > 0 && c * 100 / m >= 90 ? "  WARNING: nearly full, new flows will be dropped" : "");
	}
	if (read_sysctl("/proc/sys/net/netfilter/nf_conntrack_tcp_be_liberal", liberal, sizeof(liberal)))
		line("tcp_be_liberal", "%s%s", liberal,
		     !strcmp(liberal, "0") ? "  (out-of-window TCP segments become INVALID; behind DNAT they can "
					     "trigger host RSTs)" : "");
	if (read_sysctl("/proc/sys/net/netfilter/nf_conntrack_tcp_loose", loose, sizeof(loose)))
		line("tcp_loose", "%s", loose);
}

/*
 * be_liberal and table use in every namespace: conntrack sysctls are per
 * namespace, and the incident (INVALID -> RST behind DNAT) happens in
 * whichever one does the NAT: the host's, or dockerd's own.
 */
static void conntrack_namespaces(void)
{
	struct ns_nsinfo *nss = NULL;
	struct ns_ctr_table t;
	char label[64], lib[32], cnt[32], drop[128];
	struct ns_nf_audit au;
	struct ns_ident id;
	size_t n = 0, i;
	unsigned strict = 0;

	if (ns_ctr_table_init(&t))
		return;
	if (ns_ctr_table_refresh(&t, ns_now_ms()) || ns_ctr_table_namespaces(&t, &nss, &n))
		goto cleanup;
	printf("\nConntrack per network namespace:\n  %-24s %-12s %-11s %-8s %s\n", "WHERE", "NETNS", "be_liberal",
	       "entries", "INVALID dropped before the stack");
	for (i = 0; i < n; i++) {
		if (!nss[i].alive)
			continue;
		if (ns_netns_sysctl(&t, nss[i].netns, "/proc/sys/net/netfilter/nf_conntrack_tcp_be_liberal", lib,
				    sizeof(lib)))
			continue;	/* no conntrack there (module not loaded) or not enterable */
		if (ns_netns_sysctl(&t, nss[i].netns, "/proc/sys/net/netfilter/nf_conntrack_count", cnt, sizeof(cnt)))
			snprintf(cnt, sizeof(cnt), "?");
		ns_ctr_ident_netns(&t, nss[i].netns, &id);
		if (ns_nf_audit(&t, nss[i].netns, &au))
			snprintf(drop, sizeof(drop), "? (nf_tables not readable)");
		else if (au.invalid_drop)
			snprintf(drop, sizeof(drop), "yes (%s)", au.rule);
		else
			snprintf(drop, sizeof(drop), "no%s", au.legacy ? " (iptables-legacy rules not read)" : "");
		printf("  %-24s %-12u %-11s %-8s %s\n", ns_ident_label(&id, label, sizeof(label)), nss[i].netns, lib, cnt,
		       drop);
		strict += !strcmp(lib, "0") && strcmp(cnt, "0") && strcmp(cnt, "?") && !au.invalid_drop;
	}
	if (strict)
		printf("  %u namespace(s) track connections with be_liberal=0 and no INVALID drop rule: a packet far\n"
		       "  outside the TCP window is\n"
		       "  INVALID there and, behind DNAT, reaches the local stack, which answers with a RST\n"
		       "  (\"connection reset by peer\"). `netsleuth agent` reports when that happens\n"
		       "  (anomaly conntrack-invalid-reset). Fixes: sysctl -w net.netfilter.nf_conntrack_tcp_be_liberal=1,\n"
		       "  or iptables -I INPUT -m conntrack --ctstate INVALID -j DROP.\n",
		       strict);
cleanup:
	free(nss);
	ns_ctr_table_destroy(&t);
}

/*
 * vxlan FDB/neighbour entries for containers of this host (issue #5): with
 * proxy on, vxlan answers ARP for them too and the bridge sees their MACs
 * flap between the veth and the vxlan port. Returns how many PROBLEM lines
 * it printed.
 */
static unsigned overlay_audit(void)
{
	struct ns_overlay_report r = {};
	struct ns_buf b = {};
	struct ns_ctr_table t;
	unsigned problems = 0;
	const char *p, *nl;
	int err;

	printf("\nOverlay audit (vxlan FDB and neighbour entries pointing at containers of this host):\n");
	if (ns_ctr_table_init(&t)) {
		line("", "not run: out of memory");
		return 0;
	}
	err = ns_ctr_table_refresh(&t, ns_now_ms());
	if (!err)
		err = ns_overlay_audit(&t, &r);
	if (err) {
		line("", "not run: %s", strerror(-err));
		goto cleanup;
	}
	ns_overlay_report_text(&r, &b);
	/* one PROBLEM line per finding, each ending with the command that removes the entry */
	for (p = b.p; p && *p; p = nl ? nl + 1 : p + strlen(p)) {
		nl = strchr(p, '\n');
		printf("  PROBLEM: %.*s\n", (int)(nl ? nl - p : (long)strlen(p)), p);
		problems++;
	}
	if (problems)
		printf("  with such entries vxlan answers ARP/ND for the local container (proxy) or sends its traffic\n"
		       "  to the overlay, and the bridge learns its MAC alternately on the veth and on the vxlan\n"
		       "  port (FDB flapping, `netsleuth agent` anomaly). Remove them with the fix commands above;\n"
		       "  whatever added them (a peer-add bug in the overlay driver, a script) may add them again.\n");
	else if (!r.nvxlan)
		line("vxlan", "no vxlan devices (%u namespaces read)", r.nns);
	else
		line("vxlan", "%u vxlan device%s, no entries for local containers (%u namespaces read)", r.nvxlan,
		     r.nvxlan == 1 ? "" : "s", r.nns);
	if (r.nunreadable)
		line("note", "%u namespace%s could not be read (not root, or gone meanwhile)", r.nunreadable,
		     r.nunreadable == 1 ? "" : "s");
cleanup:
	ns_buf_free(&b);
	ns_overlay_report_free(&r);
	ns_ctr_table_destroy(&t);
	return problems;
}

static int print_sources(const struct ns_feature *feat, const struct ns_source_state *st, int *verdict)
{
	unsigned i, h;

	for (i = 0; i < feat->nr_sources; i++) {
		const struct ns_source *src = st[i].src;

		printf("\n  %s: %s\n", src->name, src->what);
		for (h = 0; h < src->nr_hooks; h++) {
			const struct ns_hook *hook = &src->hooks[h];
			const struct ns_hook_result *r = &st[i].res[h];

			printf("    %s %-14s %s\n", (int)h == st[i].chosen ? "*" : " ", hook->method, hook->target);
			if (!r->tried)
				printf("        not tried\n");
			else if (r->err)
				printf("        failed: %s\n", r->msg);
			else {
				printf("        works%s%s\n", hook->limits ? "; limited: " : "",
				       hook->limits ? hook->limits : "");
				if (r->optional_msg[0])
					printf("        partly: %s\n", r->optional_msg);
			}
		}
		if (st[i].chosen < 0) {
			printf("    => NOT AVAILABLE: %s events cannot be seen on this kernel\n", src->name);
			if (*verdict < NS_EXIT_DEGRADED)
				*verdict = NS_EXIT_DEGRADED;
		} else if (ns_source_degraded(&st[i])) {
			printf("    => DEGRADED: using %s\n", src->hooks[st[i].chosen].method);
			if (*verdict < NS_EXIT_DEGRADED)
				*verdict = NS_EXIT_DEGRADED;
		} else {
			printf("    => ok: using %s\n", src->hooks[st[i].chosen].method);
		}
	}
	return 0;
}

int cmd_doctor(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct caps[2] = {};
	struct ns_source_state *st = NULL;
	struct ns_bpf_cfg cfg = {
		.event_mask = ~0U,
		.ringbuf_bytes = NS_DEFAULT_RINGBUF_BYTES,
		.wakeup_bytes = NS_DEFAULT_WAKEUP_BYTES,
	};
	int verdict = NS_EXIT_OK, opt, missing;
	unsigned f, problems;
	struct ns_enum_names reasons;
	struct utsname u;
	struct stat sb;
	bool privileged;

	while ((opt = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'v':
			ns_log_level++;
			break;
		case 'h':
			printf("Usage: netsleuth doctor [-v]\n\nTry every hook on this kernel and audit the host.\n"
			       "Exit status: 0 everything works, 1 degraded or a host PROBLEM found, 2 cannot run.\n");
			return NS_EXIT_OK;
		default:
			return NS_EXIT_FAIL;
		}
	}

	printf("Host:\n");
	if (!uname(&u))
		line("kernel", "%s %s (%s)", u.release, u.version, u.machine);
	if (!stat("/sys/kernel/btf/vmlinux", &sb))
		line("BTF", "/sys/kernel/btf/vmlinux (%lld bytes)", (long long)sb.st_size);
	else {
		line("BTF", "MISSING: /sys/kernel/btf/vmlinux (%s); CO-RE programs cannot load. Needs "
			    "CONFIG_DEBUG_INFO_BTF=y",
		     strerror(errno));
		verdict = NS_EXIT_FAIL;
	}
	syscall(SYS_capget, &hdr, caps);
	privileged = have_cap(caps, CAP_SYS_ADMIN) || (have_cap(caps, CAP_BPF) && have_cap(caps, CAP_PERFMON));
	line("capabilities", "CAP_BPF=%s CAP_PERFMON=%s CAP_SYS_ADMIN=%s CAP_NET_ADMIN=%s",
	     have_cap(caps, CAP_BPF) ? "yes" : "no", have_cap(caps, CAP_PERFMON) ? "yes" : "no",
	     have_cap(caps, CAP_SYS_ADMIN) ? "yes" : "no", have_cap(caps, CAP_NET_ADMIN) ? "yes" : "no");
	if (!privileged) {
		line("", "NOT ENOUGH: needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN); run as root");
		verdict = NS_EXIT_FAIL;
	}
	line("ring buffer", "%s", libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 1
					 ? "supported"
					 : "NOT supported (needs Linux 5.8+)");
	line("tracefs", "%s", !stat("/sys/kernel/tracing/events", &sb) ? "/sys/kernel/tracing" : "not mounted");
	if (!ns_btf_enum_names("sk_rst_reason", "SK_RST_REASON_", &reasons)) {
		line("RST reasons", "%u from the kernel's enum sk_rst_reason", reasons.n);
		ns_enum_names_free(&reasons);
	} else {
		line("RST reasons", "kernel has none (before 6.10): derived (no socket / socket / active)");
	}

	line("process context", "%s", kallsyms_has_preempt_count()
		? "pid/comm reported for events in process context"
		: "unknown: /proc/kallsyms lacks __per_cpu_offset/__preempt_count (CONFIG_KALLSYMS_ALL off?); "
		  "events carry no pid/comm rather than a wrong one");

	printf("\nEvent sources (every hook tried on this kernel; * = the one netsleuth uses):\n");
	for (f = 0; f < NS_FEAT_MAX; f++) {
		const struct ns_feature *feat = ns_features[f];

		if (!feat)
			continue;
		st = calloc(feat->nr_sources, sizeof(*st));
		if (!st)
			return NS_EXIT_FAIL;
		missing = ns_feature_probe(feat, &cfg, true, st);
		print_sources(feat, st, &verdict);
		/* without RSTs there is nothing netsleuth can do yet */
		if (f == NS_FEAT_RST && missing == (int)feat->nr_sources)
			verdict = NS_EXIT_FAIL;
		free(st);
	}

	conntrack_facts();
	conntrack_namespaces();
	problems = overlay_audit();

	printf("\nVerdict: %s\n", verdict == NS_EXIT_OK	      ? "OK: every event source works on this kernel"
			     : verdict == NS_EXIT_DEGRADED ? "DEGRADED: netsleuth runs, but some events are not seen (above)"
							   : "CANNOT RUN (above)");
	/* a host problem is no reason netsleuth cannot run, but a health check must not pass over it */
	if (problems) {
		printf("Host audit: %u PROBLEM%s (above, each with its fix)\n", problems, problems == 1 ? "" : "s");
		if (verdict < NS_EXIT_DEGRADED)
			verdict = NS_EXIT_DEGRADED;
	}
	return verdict;
}
