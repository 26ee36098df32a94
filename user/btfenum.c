// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "btfenum.h"

/* Large enough for any kernel enum we name; values beyond are printed as numbers. */
#define MAX_ENUM_VALUE 4096

void ns_enum_names_free(struct ns_enum_names *n)
{
	unsigned i;

	if (!n)
		return;
	for (i = 0; i < n->n; i++)
		free(n->name[i]);
	free(n->name);
	n->name = NULL;
	n->n = 0;
}

int ns_btf_enum_names(const char *enum_name, const char *strip_prefix, struct ns_enum_names *out)
{
	size_t plen = strip_prefix ? strlen(strip_prefix) : 0;
	const struct btf_type *t;
	const struct btf_enum *e;
	struct btf *btf;
	unsigned i, vlen, max = 0;
	int id, err = 0;

	memset(out, 0, sizeof(*out));
	btf = btf__load_vmlinux_btf();
	if (!btf)
		return errno ? -errno : -ENOENT;
	id = btf__find_by_name_kind(btf, enum_name, BTF_KIND_ENUM);
	if (id < 0) {
		err = -ENOENT;
		goto cleanup;
	}
	t = btf__type_by_id(btf, id);
	e = btf_enum(t);
	vlen = btf_vlen(t);
	for (i = 0; i < vlen; i++)
		if (e[i].val >= 0 && (unsigned)e[i].val < MAX_ENUM_VALUE && (unsigned)e[i].val + 1 > max)
			max = (unsigned)e[i].val + 1;
	out->name = calloc(max ? max : 1, sizeof(*out->name));
	if (!out->name) {
		err = -ENOMEM;
		goto cleanup;
	}
	out->n = max;
	for (i = 0; i < vlen; i++) {
		const char *s = btf__name_by_offset(btf, e[i].name_off);

		if (e[i].val < 0 || (unsigned)e[i].val >= max || !s || out->name[e[i].val])
			continue;
		if (plen && !strncmp(s, strip_prefix, plen))
			s += plen;
		out->name[e[i].val] = strdup(s);
		if (!out->name[e[i].val]) {
			err = -ENOMEM;
			goto cleanup;
		}
	}
cleanup:
	if (err)
		ns_enum_names_free(out);
	btf__free(btf);
	return err;
}
