/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Minimal unit-test harness: tests register themselves; ut_main runs them all. */
#ifndef NETSLEUTH_UT_H
#define NETSLEUTH_UT_H

#include <stdint.h>
#include <string.h>

void ut_register(const char *name, void (*fn)(void));
void ut_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define UT_TEST(name)                                                        \
	static void name(void);                                              \
	__attribute__((constructor)) static void ut_reg_##name(void)         \
	{                                                                    \
		ut_register(#name, name);                                    \
	}                                                                    \
	static void name(void)

#define UT_ASSERT(cond)                                                      \
	do {                                                                 \
		if (!(cond)) {                                               \
			ut_fail(__FILE__, __LINE__, "%s", #cond);            \
			return;                                              \
		}                                                            \
	} while (0)

#define UT_EQ_STR(a, b)                                                                      \
	do {                                                                                 \
		const char *ut_a = (a), *ut_b = (b);                                         \
		if (!ut_a || !ut_b || strcmp(ut_a, ut_b)) {                                  \
			ut_fail(__FILE__, __LINE__, "%s == %s: \"%s\" vs \"%s\"", #a, #b,    \
				ut_a ? ut_a : "(null)", ut_b ? ut_b : "(null)");             \
			return;                                                              \
		}                                                                            \
	} while (0)

#define UT_EQ_INT(a, b)                                                                      \
	do {                                                                                 \
		long long ut_a = (long long)(a), ut_b = (long long)(b);                      \
		if (ut_a != ut_b) {                                                          \
			ut_fail(__FILE__, __LINE__, "%s == %s: %lld vs %lld", #a, #b, ut_a, ut_b); \
			return;                                                              \
		}                                                                            \
	} while (0)

#endif
