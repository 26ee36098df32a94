/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Output buffer and a small JSON writer for netsleuth's own output. Writing
 * JSON is a few escapes; parsing JSON (the Docker API, issue #3) uses a
 * library instead.
 */
#ifndef NETSLEUTH_JSON_H
#define NETSLEUTH_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ns_buf {
	char *p;
	size_t len;
	size_t cap;
	bool oom;	/* an allocation failed: content is truncated */
};

void ns_buf_free(struct ns_buf *b);
void ns_buf_reset(struct ns_buf *b);
void ns_buf_putn(struct ns_buf *b, const char *s, size_t n);
void ns_buf_puts(struct ns_buf *b, const char *s);
void ns_buf_printf(struct ns_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Copy with truncation, always terminated (strlcpy). */
static inline void ns_strlcpy(char *dst, const char *src, size_t len)
{
	size_t n = 0;

	if (!len)
		return;
	while (n + 1 < len && src[n]) {
		dst[n] = src[n];
		n++;
	}
	dst[n] = '\0';
}

#define NS_JSON_MAX_DEPTH 32

struct ns_json {
	struct ns_buf *b;
	unsigned depth;
	bool first[NS_JSON_MAX_DEPTH];	/* no comma needed before the next item */
	bool after_key;
};

void nj_init(struct ns_json *j, struct ns_buf *b);
void nj_obj_begin(struct ns_json *j);
void nj_obj_end(struct ns_json *j);
void nj_arr_begin(struct ns_json *j);
void nj_arr_end(struct ns_json *j);
void nj_key(struct ns_json *j, const char *key);
/* Bytes are escaped; invalid UTF-8 becomes U+FFFD, so output always parses. */
void nj_strn(struct ns_json *j, const char *s, size_t n);
void nj_str(struct ns_json *j, const char *s);
void nj_u64(struct ns_json *j, uint64_t v);
void nj_i64(struct ns_json *j, int64_t v);
void nj_double(struct ns_json *j, double v);
void nj_bool(struct ns_json *j, bool v);
void nj_null(struct ns_json *j);
/* A value rendered elsewhere (complete, valid JSON), spliced in as is. */
void nj_raw(struct ns_json *j, const char *v, size_t n);

static inline void nj_kv_str(struct ns_json *j, const char *k, const char *v)
{
	nj_key(j, k);
	if (v)
		nj_str(j, v);
	else
		nj_null(j);
}

static inline void nj_kv_u64(struct ns_json *j, const char *k, uint64_t v)
{
	nj_key(j, k);
	nj_u64(j, v);
}

#endif
