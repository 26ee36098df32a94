// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "json.h"
#include "ut.h"

static const char *render_str(struct ns_buf *b, const char *s, size_t n)
{
	struct ns_json j;

	ns_buf_reset(b);
	nj_init(&j, b);
	nj_strn(&j, s, n);
	return b->p;
}

UT_TEST(json_nested_commas)
{
	struct ns_buf b = {};
	struct ns_json j;

	nj_init(&j, &b);
	nj_obj_begin(&j);
	nj_kv_u64(&j, "a", 1);
	nj_key(&j, "b");
	nj_arr_begin(&j);
	nj_u64(&j, 2);
	nj_str(&j, "x");
	nj_obj_begin(&j);
	nj_obj_end(&j);
	nj_arr_end(&j);
	nj_kv_str(&j, "c", NULL);
	nj_key(&j, "d");
	nj_bool(&j, false);
	nj_key(&j, "e");
	nj_i64(&j, -5);
	nj_obj_end(&j);
	UT_EQ_STR(b.p, "{\"a\":1,\"b\":[2,\"x\",{}],\"c\":null,\"d\":false,\"e\":-5}");
	ns_buf_free(&b);
}

UT_TEST(json_escapes_quotes_controls)
{
	struct ns_buf b = {};

	UT_EQ_STR(render_str(&b, "a\"b\\c\n\t\x01", 8), "\"a\\\"b\\\\c\\n\\t\\u0001\"");
	ns_buf_free(&b);
}

UT_TEST(json_keeps_valid_utf8)
{
	struct ns_buf b = {};
	const char *s = "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x90\xb3";

	UT_EQ_STR(render_str(&b, s, strlen(s)), "\"caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x90\xb3\"");
	ns_buf_free(&b);
}

UT_TEST(json_replaces_invalid_utf8)
{
	struct ns_buf b = {};

	/* lone continuation, truncated sequence, overlong '/', surrogate, 0xff */
	UT_EQ_STR(render_str(&b, "\x80", 1), "\"\\ufffd\"");
	UT_EQ_STR(render_str(&b, "a\xe2\x9c", 3), "\"a\\ufffd\\ufffd\"");
	UT_EQ_STR(render_str(&b, "\xc0\xaf", 2), "\"\\ufffd\\ufffd\"");
	UT_EQ_STR(render_str(&b, "\xed\xa0\x80", 3), "\"\\ufffd\\ufffd\\ufffd\"");
	UT_EQ_STR(render_str(&b, "\xff", 1), "\"\\ufffd\"");
	ns_buf_free(&b);
}

UT_TEST(json_embedded_nul_is_escaped)
{
	struct ns_buf b = {};

	UT_EQ_STR(render_str(&b, "a\0b", 3), "\"a\\u0000b\"");
	ns_buf_free(&b);
}

UT_TEST(buf_grows_past_initial_capacity)
{
	struct ns_buf b = {};
	int i;

	for (i = 0; i < 1000; i++)
		ns_buf_puts(&b, "0123456789");
	UT_EQ_INT(b.len, 10000);
	UT_EQ_INT(strlen(b.p), 10000);
	UT_ASSERT(!b.oom);
	ns_buf_free(&b);
	ns_buf_free(NULL);
}
