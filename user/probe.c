// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "json.h"
#include "log.h"
#include "probe.h"
#include "feature.h"

/* While probing, libbpf's complaints are expected: keep the last for doctor. */
static bool capturing;
static char captured[4096];

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (capturing) {
		va_list aq;

		va_copy(aq, ap);
		if (level <= LIBBPF_INFO) {
			char line[4096];

			vsnprintf(line, sizeof(line), fmt, aq);
			/* the generic follow-ups only hide the real cause printed just before */
			if (!strstr(line, "failed to load object") && !strstr(line, "failed to load: -") &&
			    !strstr(line, "try raising 'ulimit -l'"))
				ns_strlcpy(captured, line, sizeof(captured));
		}
		va_end(aq);
		if (ns_log_level < NS_LOG_DEBUG)
			return 0;
	}
	if ((level == LIBBPF_WARN && ns_log_level >= NS_LOG_WARN) ||
	    (level == LIBBPF_INFO && ns_log_level >= NS_LOG_DEBUG) ||
	    (level == LIBBPF_DEBUG && ns_log_level > NS_LOG_DEBUG))
		return vfprintf(stderr, fmt, ap);
	return 0;
}

void ns_libbpf_log_init(void)
{
	libbpf_set_print(libbpf_print);
}

/*
 * Reduce a captured libbpf message to one line a person can act on: the last
 * verifier line before the end of the load log, else the message itself.
 */
static void summarize(const char *raw, char *out, size_t len)
{
	char buf[4096], *end, *line, *nl;

	snprintf(buf, sizeof(buf), "%s", raw);
	end = strstr(buf, "-- END PROG LOAD LOG --");
	if (end) {
		*end = '\0';
		/* the verifier ends with statistics; the reason is the line before them */
		for (;;) {
			while (end > buf && (end[-1] == '\n' || end[-1] == ' '))
				*--end = '\0';
			line = strrchr(buf, '\n');
			line = line ? line + 1 : buf;
			if (line == buf || (strncmp(line, "processed ", 10) && strncmp(line, "verification time", 17)))
				break;
			end = line;
			*end = '\0';
		}
	} else {
		line = buf;
		while ((nl = strchr(line, '\n')) && nl[1])
			line = nl + 1;
		if ((nl = strchr(line, '\n')))
			*nl = '\0';
	}
	if (!strncmp(line, "libbpf: ", 8))
		line += 8;
	ns_strlcpy(out, line, len);
}

static int set_progs(struct bpf_object *obj, const char *const *names, bool on)
{
	struct bpf_program *p;
	int i;

	for (i = 0; i < NS_HOOK_MAX_PROGS && names[i]; i++) {
		p = bpf_object__find_program_by_name(obj, names[i]);
		if (!p)
			return -ENOENT;
		bpf_program__set_autoload(p, on);
	}
	return 0;
}

static void all_off(struct bpf_object *obj)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, obj)
		bpf_program__set_autoload(p, false);
}

/* Load `required` plus `extra` (may be NULL) alone and attach them; tear it all down again. */
static int trial(const struct ns_feature *feat, const void *cfg, const char *const *required, const char *extra,
		 char *msg, size_t msglen)
{
	const char *extra_list[2] = { extra, NULL };
	struct bpf_link *links[NS_HOOK_MAX_PROGS + 1] = {};
	struct bpf_object *obj;
	struct bpf_program *p;
	int err, n = 0, i;
	void *skel;

	captured[0] = '\0';
	capturing = true;
	skel = feat->open();
	if (!skel) {
		err = errno ? -errno : -ENOMEM;
		snprintf(msg, msglen, "opening BPF object: %s", strerror(-err));
		goto cleanup;
	}
	obj = feat->object(skel);
	all_off(obj);
	err = set_progs(obj, required, true);
	if (!err && extra)
		err = set_progs(obj, extra_list, true);
	if (err) {
		snprintf(msg, msglen, "program missing from the BPF object (build bug)");
		goto cleanup;
	}
	err = feat->configure(skel, cfg, true);
	if (err) {
		snprintf(msg, msglen, "configuring: %s", strerror(-err));
		goto cleanup;
	}
	err = bpf_object__load(obj);
	if (err) {
		summarize(captured, msg, msglen);
		goto cleanup;
	}
	bpf_object__for_each_program(p, obj) {
		if (!bpf_program__autoload(p))
			continue;
		captured[0] = '\0';
		if (feat->try_attach && (!feat->manual || feat->manual(p))) {
			err = feat->try_attach(p, msg, msglen);
			if (err)
				goto cleanup;
			continue;
		}
		links[n] = bpf_program__attach(p);
		if (!links[n]) {
			err = -errno;
			if (captured[0])
				summarize(captured, msg, msglen);
			else
				snprintf(msg, msglen, "attaching %s: %s", bpf_program__name(p), strerror(-err));
			goto cleanup;
		}
		n++;
	}
	msg[0] = '\0';
cleanup:
	for (i = 0; i < n; i++)
		bpf_link__destroy(links[i]);
	if (skel)
		feat->destroy(skel);
	capturing = false;
	if (err && !msg[0])
		snprintf(msg, msglen, "%s", strerror(-err));
	return err;
}

/* A likely cause a person can act on, for the failures that say little by themselves. */
static void add_hint(const struct ns_hook *hook, struct ns_hook_result *r)
{
	const char *hint = NULL;
	size_t len = strlen(r->msg);

	if ((strstr(hook->method, "kprobe") || strstr(r->msg, "kprobe")) && access("/sys/bus/event_source/devices/kprobe", F_OK) &&
	    access("/sys/kernel/tracing/kprobe_events", F_OK) && access("/sys/kernel/debug/tracing/kprobe_events", F_OK))
		hint = " (kernel built without kprobes: CONFIG_KPROBES)";
	else if (!strcmp(hook->method, "fentry") && r->err == -EPERM)
		hint = " (fentry needs BPF trampolines and ftrace on the target: not allowed on this kernel)";
	else if (hook->fail_hint)
		hint = hook->fail_hint;
	if (hint && len + strlen(hint) < sizeof(r->msg))
		memcpy(r->msg + len, hint, strlen(hint) + 1);
}

static bool in_list(const char *word, size_t len, const char *list)
{
	const char *p = list, *e;

	while (*p) {
		e = strchr(p, ',');
		if (!e)
			e = p + strlen(p);
		if ((size_t)(e - p) == len && !strncmp(p, word, len))
			return true;
		p = *e ? e + 1 : e;
	}
	return false;
}

bool ns_hook_method_allowed(const char *method, const char *allowed)
{
	const char *p = method, *e;

	if (!allowed || !*allowed)
		return true;
	while (*p) {
		e = strchr(p, '+');
		if (!e)
			e = p + strlen(p);
		if (!in_list(p, (size_t)(e - p), allowed))
			return false;
		p = *e ? e + 1 : e;
	}
	return true;
}

static void probe_source(const struct ns_feature *feat, const void *cfg, bool all, struct ns_source_state *st)
{
	/* every feature is configured with a struct ns_bpf_cfg (feature.h) */
	const char *allowed = cfg ? ((const struct ns_bpf_cfg *)cfg)->hook_methods : NULL;
	const struct ns_source *src = st->src;
	unsigned h, o;

	st->chosen = -1;
	for (h = 0; h < src->nr_hooks && h < NS_SOURCE_MAX_HOOKS; h++) {
		const struct ns_hook *hook = &src->hooks[h];
		struct ns_hook_result *r = &st->res[h];

		if (st->chosen >= 0 && !all)
			break;
		if (!ns_hook_method_allowed(hook->method, allowed)) {
			r->err = -EPERM;
			snprintf(r->msg, sizeof(r->msg), "not tried: --hooks %s", allowed);
			continue;
		}
		r->tried = true;
		r->err = trial(feat, cfg, hook->progs, NULL, r->msg, sizeof(r->msg));
		if (r->err) {
			add_hint(hook, r);
			continue;
		}
		for (o = 0; o < NS_HOOK_MAX_PROGS && hook->optional[o]; o++) {
			char m[sizeof(r->optional_msg)];

			if (!trial(feat, cfg, hook->progs, hook->optional[o], m, sizeof(m)))
				r->optional_ok |= 1u << o;
			else if (!r->optional_msg[0])
				snprintf(r->optional_msg, sizeof(r->optional_msg), "%s: %.150s", hook->optional[o], m);
		}
		if (st->chosen < 0)
			st->chosen = (int)h;
	}
}

int ns_feature_probe(const struct ns_feature *feat, const void *cfg, bool all, struct ns_source_state *st)
{
	unsigned i;
	int missing = 0;

	for (i = 0; i < feat->nr_sources; i++) {
		memset(&st[i], 0, sizeof(st[i]));
		st[i].src = &feat->sources[i];
		probe_source(feat, cfg, all, &st[i]);
		if (st[i].chosen < 0)
			missing++;
	}
	return missing;
}

bool ns_source_degraded(const struct ns_source_state *st)
{
	const struct ns_hook *h;
	unsigned o;

	if (st->chosen < 0)
		return true;
	h = &st->src->hooks[st->chosen];
	if (h->limits)
		return true;
	for (o = 0; o < NS_HOOK_MAX_PROGS && h->optional[o]; o++)
		if (!(st->res[st->chosen].optional_ok & (1u << o)))
			return true;
	return false;
}

void ns_loaded_destroy(struct ns_loaded *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->nr_links; i++)
		bpf_link__destroy(l->links[i]);
	free(l->links);
	if (l->skel)
		l->feat->destroy(l->skel);
	free(l->state);
	memset(l, 0, sizeof(*l));
}

int ns_feature_load(const struct ns_feature *feat, const void *cfg, struct ns_loaded *out)
{
	struct bpf_object *obj;
	struct bpf_program *p;
	unsigned i, o;
	int err, nprogs = 0;

	memset(out, 0, sizeof(*out));
	out->feat = feat;
	out->state = calloc(feat->nr_sources, sizeof(*out->state));
	if (!out->state)
		return -ENOMEM;
	err = ns_feature_probe(feat, cfg, false, out->state);
	if (err < 0)
		goto cleanup;
	if ((unsigned)err == feat->nr_sources) {
		if (((const struct ns_bpf_cfg *)cfg)->hook_methods)
			ns_err("%s: no event source of this feature can be hooked with --hooks %s", feat->name,
			       ((const struct ns_bpf_cfg *)cfg)->hook_methods);
		else
			ns_err("%s: no event source of this feature can be hooked on this kernel (see `netsleuth doctor`)",
			       feat->name);
		err = -EOPNOTSUPP;
		goto cleanup;
	}

	out->skel = feat->open();
	if (!out->skel) {
		err = errno ? -errno : -ENOMEM;
		ns_err("%s: opening BPF object: %s", feat->name, strerror(-err));
		goto cleanup;
	}
	obj = feat->object(out->skel);
	all_off(obj);
	for (i = 0; i < feat->nr_sources; i++) {
		const struct ns_source_state *st = &out->state[i];
		const struct ns_hook *h;

		if (st->chosen < 0)
			continue;
		h = &st->src->hooks[st->chosen];
		set_progs(obj, h->progs, true);
		for (o = 0; o < NS_HOOK_MAX_PROGS && h->optional[o]; o++) {
			const char *one[2] = { h->optional[o], NULL };

			if (st->res[st->chosen].optional_ok & (1u << o))
				set_progs(obj, one, true);
		}
	}
	err = feat->configure(out->skel, cfg, false);
	if (err) {
		ns_err("%s: configuring BPF object: %s", feat->name, strerror(-err));
		goto cleanup;
	}
	err = bpf_object__load(obj);
	if (err) {
		ns_err("%s: loading BPF object: %s", feat->name, strerror(-err));
		goto cleanup;
	}
	bpf_object__for_each_program(p, obj)
		nprogs += bpf_program__autoload(p);
	out->links = calloc((size_t)nprogs, sizeof(*out->links));
	if (!out->links) {
		err = -ENOMEM;
		goto cleanup;
	}
	bpf_object__for_each_program(p, obj) {
		struct bpf_link *l;

		if (!bpf_program__autoload(p) || (feat->try_attach && (!feat->manual || feat->manual(p))))
			continue;
		l = bpf_program__attach(p);
		if (!l) {
			err = -errno;
			ns_err("%s: attaching %s: %s", feat->name, bpf_program__name(p), strerror(-err));
			goto cleanup;
		}
		out->links[out->nr_links++] = l;
	}
	return 0;
cleanup:
	ns_loaded_destroy(out);
	return err;
}
