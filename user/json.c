// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"

static bool buf_grow(struct ns_buf *b, size_t extra)
{
	size_t cap;
	char *p;

	if (b->oom)
		return false;
	if (b->len + extra + 1 <= b->cap)
		return true;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + extra + 1)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void ns_buf_free(struct ns_buf *b)
{
	if (!b)
		return;
	free(b->p);
	memset(b, 0, sizeof(*b));
}

void ns_buf_reset(struct ns_buf *b)
{
	b->len = 0;
	b->oom = false;
	if (b->p)
		b->p[0] = '\0';
}

void ns_buf_putn(struct ns_buf *b, const char *s, size_t n)
{
	if (!buf_grow(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void ns_buf_puts(struct ns_buf *b, const char *s)
{
	ns_buf_putn(b, s, strlen(s));
}

void ns_buf_printf(struct ns_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !buf_grow(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void nj_init(struct ns_json *j, struct ns_buf *b)
{
	memset(j, 0, sizeof(*j));
	j->b = b;
	j->first[0] = true;
}

/* Comma before a value unless it follows a key or opens a container. */
static void sep(struct ns_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->first[j->depth])
		ns_buf_putn(j->b, ",", 1);
	j->first[j->depth] = false;
}

static void open_(struct ns_json *j, char c)
{
	sep(j);
	ns_buf_putn(j->b, &c, 1);
	if (j->depth + 1 < NS_JSON_MAX_DEPTH)
		j->depth++;
	j->first[j->depth] = true;
}

static void close_(struct ns_json *j, char c)
{
	ns_buf_putn(j->b, &c, 1);
	if (j->depth)
		j->depth--;
}

void nj_raw(struct ns_json *j, const char *v, size_t n)
{
	sep(j);
	ns_buf_putn(j->b, v, n);
}

void nj_obj_begin(struct ns_json *j) { open_(j, '{'); }
void nj_obj_end(struct ns_json *j) { close_(j, '}'); }
void nj_arr_begin(struct ns_json *j) { open_(j, '['); }
void nj_arr_end(struct ns_json *j) { close_(j, ']'); }

/* Length of the valid UTF-8 sequence at s (max n bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len, i;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* overlong, surrogates, beyond U+10FFFF */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

void nj_strn(struct ns_json *j, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run;
	char esc[8];

	sep(j);
	ns_buf_putn(j->b, "\"", 1);
	while (i < n) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			ns_buf_putn(j->b, esc, 2);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			const char *named = c == '\n' ? "\\n" : c == '\t' ? "\\t" : c == '\r' ? "\\r" : NULL;

			if (named)
				ns_buf_puts(j->b, named);
			else {
				snprintf(esc, sizeof(esc), "\\u%04x", c);
				ns_buf_puts(j->b, esc);
			}
			i++;
		} else if ((run = utf8_len(s + i, n - i)) > 0) {
			ns_buf_putn(j->b, (const char *)s + i, run);
			i += run;
		} else {
			ns_buf_puts(j->b, "\\ufffd");
			i++;
		}
	}
	ns_buf_putn(j->b, "\"", 1);
}

void nj_str(struct ns_json *j, const char *s)
{
	nj_strn(j, s, strlen(s));
}

void nj_key(struct ns_json *j, const char *key)
{
	nj_str(j, key);
	ns_buf_putn(j->b, ":", 1);
	j->after_key = true;
}

void nj_u64(struct ns_json *j, uint64_t v)
{
	sep(j);
	ns_buf_printf(j->b, "%" PRIu64, v);
}

void nj_i64(struct ns_json *j, int64_t v)
{
	sep(j);
	ns_buf_printf(j->b, "%" PRId64, v);
}

void nj_double(struct ns_json *j, double v)
{
	sep(j);
	if (!isfinite(v))
		ns_buf_puts(j->b, "null");
	else
		ns_buf_printf(j->b, "%.6g", v);
}

void nj_bool(struct ns_json *j, bool v)
{
	sep(j);
	ns_buf_puts(j->b, v ? "true" : "false");
}

void nj_null(struct ns_json *j)
{
	sep(j);
	ns_buf_puts(j->b, "null");
}
